package dev.hotline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.cluster.ClusterDelta;
import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ClusterStateBuilder;
import dev.hotline.cluster.NodePortRange;
import dev.hotline.net.Ipv4;
import dev.hotline.plan.IncrementalPlanner;
import dev.hotline.plan.NodeIdentity;
import dev.hotline.plan.Plan;
import dev.hotline.source.ManifestReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The healthCheckNodePort servers answer over real HTTP as kube-proxy's do, and follow the plan. */
class ServiceHealthServersTest {
    static String pod(String name, String ip, String node) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s, namespace: default, labels: {app: web}}
                spec: {nodeName: %s, containers: [{name: c, image: c}]}
                status: {phase: Running, podIP: %s, conditions: [{type: Ready, status: "True"}]}
                ---
                """.formatted(name, node, ip);
    }

    static String lb(String name, String ip, int hc, int nodePort, String selector) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: default}
                spec:
                  type: LoadBalancer
                  clusterIP: %s
                  externalTrafficPolicy: Local
                  healthCheckNodePort: %d
                  selector: {app: %s}
                  ports: [{name: http, port: 80, targetPort: 8080, nodePort: %d}]
                ---
                """.formatted(name, ip, hc, selector, nodePort);
    }

    static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static ClusterState state(String yaml) throws Exception {
        return new ClusterStateBuilder(NodePortRange.DEFAULT).build(ManifestReader.parse("t.yaml", yaml));
    }

    @Test
    void answersWithTheLocalEndpointCountAndFollowsChanges() throws Exception {
        int withLocal = freePort();
        int withoutLocal = freePort();
        String yaml = pod("a", "10.1.1.5", "n1") + pod("b", "10.1.2.6", "n2")
                + lb("here", "10.96.0.1", withLocal, 30080, "web") + lb("away", "10.96.0.2", withoutLocal, 30081, "nothing");
        NodeIdentity node = new NodeIdentity("n1", List.of(Ipv4.parse("192.168.0.1")));
        IncrementalPlanner planner = new IncrementalPlanner(node, NodePortRange.DEFAULT, Plan.EMPTY);
        List<String> log = new ArrayList<>();
        boolean[] healthy = {true};
        try (ServiceHealthServers servers = new ServiceHealthServers("127.0.0.1", () -> healthy[0], log::add)) {
            IncrementalPlanner.Change c = planner.prepare(ClusterDelta.of(state(yaml)), Set.of());
            planner.commit(c, Set.of());
            servers.applied(c);
            assertThat(servers.ports()).containsExactlyInAnyOrder(withLocal, withoutLocal);
            HttpResponse<String> ok = get(withLocal);
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).contains("\"namespace\": \"default\"").contains("\"name\": \"here\"")
                    .contains("\"localEndpoints\": 1").contains("\"serviceProxyHealthy\": true");
            assertThat(ok.headers().firstValue("X-Load-Balancing-Endpoint-Weight")).hasValue("1");
            HttpResponse<String> none = get(withoutLocal);
            assertThat(none.statusCode()).isEqualTo(503);
            assertThat(none.body()).contains("\"localEndpoints\": 0");

            // an unhealthy dataplane: 503 even with a local endpoint, as kube-proxy answers
            healthy[0] = false;
            assertThat(get(withLocal).statusCode()).isEqualTo(503);
            healthy[0] = true;

            // the local pod goes: 503; the Service goes: its port is closed
            String next = pod("b", "10.1.2.6", "n2") + lb("here", "10.96.0.1", withLocal, 30080, "web");
            IncrementalPlanner.Change c2 = planner.prepare(ClusterDelta.between(state(yaml), state(next)), Set.of());
            planner.commit(c2, Set.of());
            servers.applied(c2);
            assertThat(get(withLocal).statusCode()).isEqualTo(503);
            assertThat(servers.ports()).containsExactly(withLocal);
        }
        assertThat(log).isEmpty();
    }

    static HttpResponse<String> get(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
