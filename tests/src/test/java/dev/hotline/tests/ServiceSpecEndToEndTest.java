package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.tests.lab.Lab;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The Service spec live: `hotline agent` on node-1 of the namespace lab (pod-a and pod-b on node-1,
 * pod-c on node-2, an outside client "ext" behind node-1's uplink, a pod client on node-1), with
 * the cluster's pod range given as --cluster-cidr. Every assertion is about what a client or a
 * health probe actually received.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceSpecEndToEndTest {
    static final String LB_LOCAL = "203.0.113.10";
    static final String EXTERNAL_IP = "203.0.113.11";
    static final String LB_REMOTE = "203.0.113.20";
    static final String LB_FENCED = "203.0.113.30";

    static String service(String name, String spec, String status) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %s, namespace: default}
                spec:
                %s
                status:
                %s
                ---
                """.formatted(name, spec.indent(2).stripTrailing(), status.indent(2).stripTrailing());
    }

    static final String SERVICES = service("lb-local", """
            type: LoadBalancer
            clusterIP: 10.96.0.30
            externalTrafficPolicy: Local
            healthCheckNodePort: 32001
            externalIPs: [%s]
            selector: {tier: a}
            ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30090}]""".formatted(EXTERNAL_IP),
            "loadBalancer: {ingress: [{ip: %s}]}".formatted(LB_LOCAL))
            + service("lb-remote", """
            type: LoadBalancer
            clusterIP: 10.96.0.31
            externalTrafficPolicy: Local
            healthCheckNodePort: 32002
            selector: {app: remote}
            ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30091}]""",
            "loadBalancer: {ingress: [{ip: %s}]}".formatted(LB_REMOTE))
            + service("fenced", """
            type: LoadBalancer
            clusterIP: 10.96.0.32
            loadBalancerSourceRanges: [192.168.77.100/32]
            selector: {app: web}
            ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30092}]""",
            "loadBalancer: {ingress: [{ip: %s}]}".formatted(LB_FENCED))
            + service("sticky", """
            clusterIP: 10.96.0.40
            sessionAffinity: ClientIP
            sessionAffinityConfig: {clientIP: {timeoutSeconds: 1}}
            selector: {app: web}
            ports: [{name: http, port: 80, targetPort: 8080}]""", "{}");

    AgentLab env;
    Lab lab;

    @BeforeAll
    void setUp() throws Exception {
        env = AgentLab.start(SERVICES, "--cluster-cidr", "10.244.0.0/16");
        lab = env.lab;
    }

    @AfterAll
    void tearDown() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    @Test
    void externalTrafficPolicyLocalReachesTheLocalPodWithTheClientsAddress() throws Exception {
        for (String target : List.of(LB_LOCAL + " 80", EXTERNAL_IP + " 80", "192.168.77.1 30090")) {
            String[] t = target.split(" ");
            List<String> answers = lab.client(lab.ext, "get", t[0], t[1], "6");
            assertThat(answers).as(target).hasSize(6).allSatisfy(l -> {
                assertThat(AgentLab.field(l, "pod")).isEqualTo("pod-a");
                assertThat(AgentLab.field(l, "client")).as("the pod sees the outside client").startsWith("192.168.77.100:");
            });
        }
    }

    @Test
    void withoutALocalPodOutsideTrafficIsDroppedWhilePodsStillGetThrough() throws Exception {
        List<String> outside = lab.client(lab.ext, "get", "192.168.77.1", "30091", "1");
        assertThat(outside).singleElement().asString().as("dropped: no answer, not a refusal").startsWith("error timeout");
        assertThat(lab.client(lab.ext, "get", LB_REMOTE, "80", "1")).singleElement().asString().startsWith("error timeout");
        // a pod of the cluster keeps the Cluster policy at the same address (kube-proxy's short-circuit)
        List<String> fromPod = lab.client(lab.client, "get", "192.168.77.1", "30091", "3");
        assertThat(fromPod).hasSize(3).allSatisfy(l -> assertThat(AgentLab.field(l, "pod")).isEqualTo("pod-c"));
    }

    @Test
    void healthCheckNodePortsAnswer200WithALocalEndpointAnd503Without() throws Exception {
        String probe = """
                import sys, urllib.request, urllib.error
                try:
                    r = urllib.request.urlopen('http://192.168.77.1:%s/', timeout=5)
                    print(r.status, r.headers['X-Load-Balancing-Endpoint-Weight'], r.read().decode().replace('\\n', ' '))
                except urllib.error.HTTPError as e:
                    print(e.code, e.headers['X-Load-Balancing-Endpoint-Weight'], e.read().decode().replace('\\n', ' '))
                """;
        String local = lab.in(lab.ext, "/usr/bin/python3", "-c", probe.formatted("32001")).trim();
        assertThat(local).startsWith("200 1 ").contains("\"name\": \"lb-local\"").contains("\"localEndpoints\": 1");
        String remote = lab.in(lab.ext, "/usr/bin/python3", "-c", probe.formatted("32002")).trim();
        assertThat(remote).startsWith("503 0 ").contains("\"name\": \"lb-remote\"").contains("\"localEndpoints\": 0");
    }

    @Test
    void sourceRangesLetTheListedClientInAndNobodyElse() throws Exception {
        List<String> inside = lab.client(lab.ext, "get", LB_FENCED, "80", "3");
        assertThat(inside).hasSize(3).allMatch(l -> l.startsWith("pod="));
        // the pod client (10.244.1.10) is outside the ranges: no answer at the LoadBalancer address
        assertThat(lab.client(lab.client, "get", LB_FENCED, "80", "1")).singleElement().asString().startsWith("error timeout");
        // the same Service by its ClusterIP is not fenced
        assertThat(lab.client(lab.client, "get", "10.96.0.32", "80", "2")).allMatch(l -> l.startsWith("pod="));
        // the node itself (its sockets, 192.168.77.1) is outside the ranges too: refused at connect()
        assertThat(lab.clientInCgroup(lab.node1, env.cgroup, "get", LB_FENCED, "80", "1")).singleElement().asString()
                .startsWith("error refused");
    }

    @Test
    void sessionAffinityKeepsOneBackendThenSpreadsAfterTheTimeout() throws Exception {
        List<String> close = lab.client(lab.client, "get", "10.96.0.40", "80", "30");
        assertThat(close).hasSize(30).allMatch(l -> l.startsWith("pod="));
        assertThat(AgentLab.pods(close)).as("30 connections within the timeout: one pod").hasSize(1);
        // the node's own connections (the socket-level path) keep one backend too
        List<String> fromNode = lab.clientInCgroup(lab.node1, env.cgroup, "get", "10.96.0.40", "80", "20");
        assertThat(fromNode).hasSize(20).allMatch(l -> l.startsWith("pod="));
        assertThat(AgentLab.pods(fromNode)).as("20 connections from the node within the timeout: one pod").hasSize(1);
        // 1.5 s apart, past the 1 s timeout: each is balanced afresh (all on one pod: 2 in 2^11)
        List<String> apart = lab.client(lab.client, "getevery", "10.96.0.40", "80", "12", "1500");
        assertThat(AgentLab.pods(apart)).containsExactly("pod-a", "pod-b");
    }
}
