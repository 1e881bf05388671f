package dev.hotline.endpoints;

import static dev.hotline.TestManifests.pod;
import static dev.hotline.TestManifests.service;
import static dev.hotline.TestManifests.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.Service;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointsControllerTest {

    private static ServiceEndpoints endpointsOf(ClusterState s, String service) {
        Service svc = s.services().stream().filter(x -> x.name().equals(service)).findFirst().orElseThrow();
        return EndpointResolver.resolve(s).get(svc.ref());
    }

    private static List<String> addresses(List<ResolvedEndpoint> eps) {
        return eps.stream().map(e -> e.address() + ":" + e.port() + " " + e.state()).toList();
    }

    @Test
    void selectorMustBeASubsetOfThePodLabels() {
        ClusterState s = state(service("web", "10.96.0.1", "app: web, tier: fe", "- {name: http, port: 80}")
                + pod("both", "10.1.0.1", "n1", "app: web, tier: fe, extra: x", true, "")
                + pod("one-label", "10.1.0.2", "n1", "app: web", true, "")
                + pod("other-value", "10.1.0.3", "n1", "app: web, tier: be", true, ""));
        assertThat(addresses(endpointsOf(s, "web").forPort("http"))).containsExactly("10.1.0.1:80 ready");
        assertThat(endpointsOf(s, "web").origin()).isEqualTo(ServiceEndpoints.Origin.SELECTOR);
    }

    @Test
    void podsOfOtherNamespacesAreNotSelected() {
        ClusterState s = state(service("web", "10.96.0.1", "app: web", "- {name: http, port: 80}")
                + pod("p", "10.1.0.1", "n1", "app: web", true, "").replace("namespace: default", "namespace: other"));
        assertThat(endpointsOf(s, "web").forPort("http")).isEmpty();
    }

    @Test
    void onlyRunningPodsWithAnIpAreEndpoints() {
        ClusterState s = state(service("web", "10.96.0.1", "app: web", "- {name: http, port: 80}")
                + pod("pending", "10.1.0.1", "n1", "app: web", false, "").replace("phase: Running", "phase: Pending")
                + pod("succeeded", "10.1.0.2", "n1", "app: web", false, "").replace("phase: Running", "phase: Succeeded")
                + pod("no-ip", "", "n1", "app: web", false, "").replace("  podIP: \n", "")
                + pod("running", "10.1.0.4", "n1", "app: web", true, ""));
        assertThat(addresses(endpointsOf(s, "web").forPort("http"))).containsExactly("10.1.0.4:80 ready");
    }

    @Test
    void readinessComesFromTheReadyConditionAndDeletionMakesTerminating() {
        ClusterState s = state(service("web", "10.96.0.1", "app: web", "- {name: http, port: 80, targetPort: 8080}")
                + pod("ready", "10.1.0.1", "n1", "app: web", true, "")
                + pod("unready", "10.1.0.2", "n1", "app: web", false, "")
                + pod("going", "10.1.0.3", "n1", "app: web", true, "")
                        .replace("namespace: default\n", "namespace: default\n  deletionTimestamp: \"2026-11-26T09:00:00Z\"\n"));
        List<ResolvedEndpoint> eps = endpointsOf(s, "web").forPort("http");
        assertThat(addresses(eps)).containsExactly("10.1.0.1:8080 ready", "10.1.0.2:8080 not-ready", "10.1.0.3:8080 terminating");
        ResolvedEndpoint going = eps.get(2);
        assertThat(going.ready()).isFalse();
        assertThat(going.serving()).isTrue();
        assertThat(going.terminating()).isTrue();
    }

    @Test
    void publishNotReadyAddressesMakesEveryPodReady() {
        ClusterState s = state(service("web", "10.96.0.1", "app: web", "- {name: http, port: 80}")
                        .replace("spec:\n", "spec:\n  publishNotReadyAddresses: true\n")
                + pod("unready", "10.1.0.2", "n1", "app: web", false, ""));
        assertThat(addresses(endpointsOf(s, "web").forPort("http"))).containsExactly("10.1.0.2:80 ready");
    }

    @Test
    void numericTargetPortDefaultsToPort() {
        ClusterState s = state(service("web", "10.96.0.1", "app: web", "- {name: http, port: 8000}")
                + pod("p", "10.1.0.1", "n1", "app: web", true, ""));
        assertThat(endpointsOf(s, "web").forPort("http")).singleElement().extracting(ResolvedEndpoint::port).isEqualTo(8000);
    }

    @Test
    void namedTargetPortResolvesPerPodAndByProtocol() {
        ClusterState s = state(service("web", "10.96.0.1", "app: web",
                "- {name: http, port: 80, targetPort: web}\n- {name: dns, port: 53, protocol: UDP, targetPort: dns}")
                + pod("old", "10.1.0.1", "n1", "app: web", true, "{name: web, containerPort: 8080}, {name: dns, containerPort: 53, protocol: TCP}")
                + pod("new", "10.1.0.2", "n1", "app: web", true, "{name: web, containerPort: 9090}, {name: dns, containerPort: 5353, protocol: UDP}")
                + pod("unnamed", "10.1.0.3", "n1", "app: web", true, "{containerPort: 8080}"));
        ServiceEndpoints eps = endpointsOf(s, "web");
        // a rollout that moved the port: each pod is reached on its own number
        assertThat(addresses(eps.forPort("http"))).containsExactly("10.1.0.1:8080 ready", "10.1.0.2:9090 ready");
        // 'dns' on the old pod is TCP only, so for the UDP port only the new pod resolves
        assertThat(addresses(eps.forPort("dns"))).containsExactly("10.1.0.2:5353 ready");
    }

    @Test
    void endpointSlicesWinOverTheSelectorAndUseKubeProxyConditionDefaults() {
        ClusterState s = state(service("web", "10.96.0.1", "app: web", "- {name: http, port: 80}")
                + pod("p", "10.1.0.9", "n1", "app: web", true, "")
                + """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: web-abc
                  namespace: default
                  labels: {kubernetes.io/service-name: web}
                addressType: IPv4
                ports: [{name: http, port: 8080, protocol: TCP}]
                endpoints:
                - addresses: [10.1.0.1]
                - addresses: [10.1.0.2]
                  conditions: {ready: false}
                - addresses: [10.1.0.3]
                  conditions: {ready: false, serving: true, terminating: true}
                - addresses: [10.1.0.4]
                  conditions: {ready: false, terminating: true}
                  nodeName: n2
                  targetRef: {kind: Pod, name: p4}
                """);
        ServiceEndpoints eps = endpointsOf(s, "web");
        assertThat(eps.origin()).isEqualTo(ServiceEndpoints.Origin.ENDPOINT_SLICES);
        List<ResolvedEndpoint> http = eps.forPort("http");
        assertThat(addresses(http)).containsExactly("10.1.0.1:8080 ready", "10.1.0.2:8080 not-ready",
                "10.1.0.3:8080 terminating", "10.1.0.4:8080 terminating");
        // serving nil means true, terminating nil means false
        assertThat(http.get(1).serving()).isTrue();
        assertThat(http.get(1).terminating()).isFalse();
        assertThat(http.get(3).nodeName()).isEqualTo("n2");
        assertThat(http.get(3).podName()).isEqualTo("p4");
    }

    @Test
    void v1EndpointsAreReadLikeSlices() {
        ClusterState s = state(service("db", "10.96.0.2", "", "- {name: pg, port: 5432}").replace("  selector: {}\n", "")
                + """
                apiVersion: v1
                kind: Endpoints
                metadata: {name: db, namespace: default}
                subsets:
                - addresses: [{ip: 192.0.2.10, nodeName: n1}]
                  notReadyAddresses: [{ip: 192.0.2.11}]
                  ports: [{name: pg, port: 5432}]
                """);
        List<ResolvedEndpoint> eps = endpointsOf(s, "db").forPort("pg");
        assertThat(addresses(eps)).containsExactly("192.0.2.10:5432 ready", "192.0.2.11:5432 not-ready");
        assertThat(eps.get(1).serving()).isFalse();
    }

    @Test
    void aServiceWithoutSelectorOrSlicesHasNoEndpoints() {
        ClusterState s = state(service("manual", "10.96.0.3", "", "- {name: x, port: 1}"));
        assertThat(endpointsOf(s, "manual").origin()).isEqualTo(ServiceEndpoints.Origin.NONE);
    }

    @Test
    void duplicateAddressesAcrossSlicesAreMergedPreferringReady() {
        String slice = """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: %s, namespace: default, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports: [{name: http, port: 80}]
                endpoints: [{addresses: [10.1.0.1], conditions: {ready: %s}}]
                ---
                """;
        ClusterState s = state(service("web", "10.96.0.1", "app: web", "- {name: http, port: 80}")
                + slice.formatted("a", "false") + slice.formatted("b", "true"));
        assertThat(addresses(endpointsOf(s, "web").forPort("http"))).containsExactly("10.1.0.1:80 ready");
    }
}
