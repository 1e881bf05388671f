package dev.hotline.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ClusterStateBuilder;
import dev.hotline.cluster.NodePortRange;
import dev.hotline.cluster.Service;
import dev.hotline.endpoints.EndpointResolver;
import dev.hotline.source.ManifestReader;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `check` names the mistakes the traffic policies, health checks, source ranges and hints invite. */
class SpecCheckerTest {
    static List<String> findings(String yaml, String service) throws Exception {
        ClusterState state = new ClusterStateBuilder(NodePortRange.DEFAULT).build(ManifestReader.parse("t.yaml", yaml));
        var eps = EndpointResolver.resolve(state);
        Service svc = state.services().stream().filter(s -> s.name().equals(service)).findFirst().orElseThrow();
        return SpecChecker.check(svc, eps.get(svc.ref()), state).stream().map(Finding::toString).toList();
    }

    static final String SLICE_PODS = """
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: s-1, namespace: default, labels: {kubernetes.io/service-name: s}}
            addressType: IPv4
            ports: [{name: http, port: 8080}]
            endpoints:
            - {addresses: [10.1.1.5], hints: {forZones: [{name: zone-a}]}}
            ---
            apiVersion: v1
            kind: Node
            metadata: {name: n1, labels: {topology.kubernetes.io/zone: zone-a}}
            ---
            apiVersion: v1
            kind: Node
            metadata: {name: n2, labels: {topology.kubernetes.io/zone: zone-b}}
            ---
            """;

    @Test
    void eachMistakeIsNamedWithItsField() throws Exception {
        String yaml = SLICE_PODS + """
                apiVersion: v1
                kind: Service
                metadata: {name: s, namespace: default}
                spec:
                  type: LoadBalancer
                  clusterIP: 10.96.0.1
                  externalTrafficPolicy: Local
                  healthCheckNodePort: 30080
                  loadBalancerSourceRanges: [not-a-range]
                  ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30080}]
                """;
        List<String> f = findings(yaml, "s");
        assertThat(f).anyMatch(s -> s.contains("spec.externalTrafficPolicy: Local, but no ready endpoint is on any node"));
        assertThat(f).anyMatch(s -> s.contains("spec.healthCheckNodePort: 30080 is a NodePort of default/s"));
        assertThat(f).anyMatch(s -> s.contains("spec.loadBalancerSourceRanges: no valid IPv4 range"));
        assertThat(f).anyMatch(s -> s.contains("no endpoint is hinted for zone(s) zone-b") && s.contains(" -> "));
    }

    @Test
    void aHealthyServiceHasNoFindings() throws Exception {
        String yaml = """
                apiVersion: v1
                kind: Service
                metadata: {name: ok, namespace: default}
                spec:
                  type: LoadBalancer
                  clusterIP: 10.96.0.2
                  sessionAffinity: ClientIP
                  loadBalancerSourceRanges: [203.0.113.0/24]
                  ports: [{name: http, port: 80, nodePort: 30090}]
                """;
        assertThat(findings(yaml, "ok")).isEmpty();
    }
}
