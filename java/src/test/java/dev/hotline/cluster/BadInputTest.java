package dev.hotline.cluster;

import static dev.hotline.TestManifests.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.net.Ipv4;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every kind of bad input gives one line naming file, object and field, and never stops the other objects. */
class BadInputTest {
    private static final String GOOD = """
            apiVersion: v1
            kind: Service
            metadata: {name: good, namespace: default}
            spec:
              clusterIP: 10.96.0.1
              selector: {app: good}
              ports: [{name: http, port: 80}]
            ---
            """;

    private static List<String> errors(ClusterState s) {
        return s.problems().stream().filter(Problem::isError).map(Problem::toString).toList();
    }

    private static void assertOnlyGoodSurvives(ClusterState s) {
        assertThat(s.services()).extracting(Service::name).containsExactly("good");
    }

    @Test
    void portOutOfRange() {
        ClusterState s = state(GOOD + """
                apiVersion: v1
                kind: Service
                metadata: {name: bad, namespace: default}
                spec:
                  clusterIP: 10.96.0.2
                  ports: [{name: a, port: 80}, {name: b, port: 70000}]
                """);
        assertOnlyGoodSurvives(s);
        assertThat(errors(s)).containsExactly("test.yaml:9: Service default/bad: spec.ports[1].port: 70000 is out of range 1-65535");
    }

    @Test
    void missingPorts() {
        ClusterState s = state(GOOD + """
                apiVersion: v1
                kind: Service
                metadata: {name: bad}
                spec: {clusterIP: 10.96.0.2}
                """);
        assertOnlyGoodSurvives(s);
        assertThat(errors(s)).singleElement().asString()
                .startsWith("test.yaml:9: Service default/bad: spec.ports: missing");
    }

    @Test
    void missingName() {
        ClusterState s = state(GOOD + """
                apiVersion: v1
                kind: Service
                metadata: {namespace: default}
                spec: {clusterIP: 10.96.0.2, ports: [{port: 80}]}
                """);
        assertOnlyGoodSurvives(s);
        assertThat(errors(s)).containsExactly("test.yaml:9: Service default/<unnamed>: metadata.name: missing");
    }

    @Test
    void missingKind() {
        ClusterState s = state(GOOD + "apiVersion: v1\nmetadata: {name: x}\n");
        assertOnlyGoodSurvives(s);
        assertThat(errors(s)).containsExactly("test.yaml:9: object default/x: kind: missing");
    }

    @Test
    void missingClusterIP() {
        ClusterState s = state(GOOD + """
                apiVersion: v1
                kind: Service
                metadata: {name: bad}
                spec: {ports: [{port: 80}]}
                """);
        assertOnlyGoodSurvives(s);
        assertThat(errors(s)).singleElement().asString().contains("Service default/bad: spec.clusterIP: missing");
    }

    @Test
    void fieldOfTheWrongTypeNamesItsPath() {
        ClusterState s = state(GOOD + """
                apiVersion: v1
                kind: Service
                metadata: {name: bad}
                spec: {clusterIP: 10.96.0.2, ports: [{port: eighty}]}
                """);
        assertOnlyGoodSurvives(s);
        assertThat(errors(s)).singleElement().asString().startsWith("test.yaml:9: Service default/bad: spec.ports[0].port: ");
    }

    @Test
    void unknownProtocolAndQuotedNumericTargetPort() {
        ClusterState s = state(GOOD + """
                apiVersion: v1
                kind: Service
                metadata: {name: bad}
                spec:
                  clusterIP: 10.96.0.2
                  ports: [{name: a, port: 80, protocol: HTTP}, {name: b, port: 81, targetPort: "8080"}]
                """);
        assertOnlyGoodSurvives(s);
        assertThat(errors(s)).containsExactly(
                "test.yaml:9: Service default/bad: spec.ports[0].protocol: 'HTTP' is not one of TCP, UDP, SCTP",
                "test.yaml:9: Service default/bad: spec.ports[1].targetPort: '8080' is a quoted number; write it unquoted, or name a container port");
    }

    @Test
    void duplicateClusterIPKeepsTheFirst() {
        ClusterState s = state(GOOD + """
                apiVersion: v1
                kind: Service
                metadata: {name: copy}
                spec: {clusterIP: 10.96.0.1, ports: [{port: 80}]}
                """);
        assertOnlyGoodSurvives(s);
        assertThat(errors(s)).containsExactly(
                "test.yaml:9: Service default/copy: spec.clusterIP: 10.96.0.1 is already the ClusterIP of default/good");
    }

    @Test
    void clashingNodePortKeepsTheFirst() {
        ClusterState s = state("""
                apiVersion: v1
                kind: Service
                metadata: {name: good}
                spec: {type: NodePort, clusterIP: 10.96.0.1, ports: [{port: 80, nodePort: 30080}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: clash}
                spec: {type: NodePort, clusterIP: 10.96.0.2, ports: [{port: 80, nodePort: 30080}]}
                """);
        assertOnlyGoodSurvives(s);
        assertThat(errors(s)).containsExactly(
                "test.yaml:6: Service default/clash: spec.ports[0].nodePort: 30080 is already the NodePort of default/good; choose another, or leave nodePort out to have one allocated");
    }

    @Test
    void anExternalAddressOnAPortBelongsToOneService() {
        ClusterState s = state("""
                apiVersion: v1
                kind: Service
                metadata: {name: good}
                spec: {clusterIP: 10.96.0.1, externalIPs: [198.51.100.7], ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: clash}
                spec: {type: LoadBalancer, clusterIP: 10.96.0.2, allocateLoadBalancerNodePorts: false, ports: [{port: 80}]}
                status: {loadBalancer: {ingress: [{ip: 198.51.100.7}]}}
                """);
        assertOnlyGoodSurvives(s);
        assertThat(errors(s)).containsExactly("test.yaml:6: Service default/clash: spec.externalIPs: 198.51.100.7:80/TCP is already "
                + "an external address of default/good (an externalIP or LoadBalancer IP on that port); give each Service its own");
    }

    @Test
    void aLoadBalancerWithoutNodePortsGetsNoneAllocated() {
        ClusterState s = state("""
                apiVersion: v1
                kind: Service
                metadata: {name: lb}
                spec: {type: LoadBalancer, clusterIP: 10.96.0.2, allocateLoadBalancerNodePorts: false, ports: [{port: 80}]}
                """);
        assertThat(s.problems()).isEmpty();
        assertThat(s.services().get(0).ports().get(0).nodePort()).isZero();
    }

    @Test
    void nodePortOutsideTheConfiguredRange() {
        String yaml = GOOD + """
                apiVersion: v1
                kind: Service
                metadata: {name: np}
                spec: {type: NodePort, clusterIP: 10.96.0.2, ports: [{port: 80, nodePort: 8080}]}
                """;
        ClusterState s = state(yaml);
        assertOnlyGoodSurvives(s);
        assertThat(errors(s)).containsExactly(
                "test.yaml:9: Service default/np: spec.ports[0].nodePort: 8080 is outside the NodePort range 30000-32767; choose a port in it, or widen it with --node-port-range");
        ClusterState wide = state(yaml, new NodePortRange(8000, 9000));
        assertThat(wide.services()).extracting(Service::name).containsExactly("good", "np");
        assertThat(errors(wide)).isEmpty();
    }

    @Test
    void sameNodePortForTcpAndUdpOfOneServiceIsFine() {
        ClusterState s = state("""
                apiVersion: v1
                kind: Service
                metadata: {name: dns}
                spec:
                  type: NodePort
                  clusterIP: 10.96.0.10
                  ports: [{name: tcp, port: 53, protocol: TCP, nodePort: 30053}, {name: udp, port: 53, protocol: UDP, nodePort: 30053}]
                """);
        assertThat(errors(s)).isEmpty();
        assertThat(s.services()).hasSize(1);
    }

    @Test
    void missingNodePortIsAllocatedInRangeWithAWarning() {
        ClusterState s = state("""
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {type: NodePort, clusterIP: 10.96.0.2, ports: [{port: 80}]}
                """);
        int np = s.services().get(0).ports().get(0).nodePort();
        assertThat(np).isBetween(30000, 32767);
        assertThat(s.problems()).singleElement().satisfies(p -> {
            assertThat(p.isError()).isFalse();
            assertThat(p.toString()).contains("spec.ports[0].nodePort: missing; allocated " + np);
        });
        // the same input allocates the same port
        assertThat(state("""
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {type: NodePort, clusterIP: 10.96.0.2, ports: [{port: 80}]}
                """).services().get(0).ports().get(0).nodePort()).isEqualTo(np);
    }

    @Test
    void multiPortServiceNeedsPortNames() {
        ClusterState s = state(GOOD + """
                apiVersion: v1
                kind: Service
                metadata: {name: bad}
                spec: {clusterIP: 10.96.0.2, ports: [{port: 80}, {port: 443}]}
                """);
        assertOnlyGoodSurvives(s);
        assertThat(errors(s)).hasSize(2).allMatch(e -> e.contains(".name: missing"));
    }

    @Test
    void unknownKindsAreSkippedWithAWarning() {
        ClusterState s = state(GOOD + """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web}
                """);
        assertOnlyGoodSurvives(s);
        assertThat(s.problems()).singleElement().satisfies(p -> {
            assertThat(p.isError()).isFalse();
            assertThat(p.toString()).isEqualTo("test.yaml:9: Ingress default/web: kind Ingress is not used by hotline, skipped");
        });
    }

    @Test
    void badPodIsSkippedAndOthersStay() {
        ClusterState s = state("""
                apiVersion: v1
                kind: Pod
                metadata: {name: bad}
                status: {phase: Running, podIP: 10.1.1.300}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: good}
                status: {phase: Running, podIP: 10.1.1.3}
                """);
        assertThat(s.pods()).extracting(Pod::name).containsExactly("good");
        assertThat(errors(s)).containsExactly("test.yaml:1: Pod default/bad: status.podIP: '10.1.1.300' is not an IPv4 address");
    }

    @Test
    void serviceTypesAreRecorded() {
        ClusterState s = state("""
                apiVersion: v1
                kind: Service
                metadata: {name: ext}
                spec: {type: ExternalName, externalName: db.example.com}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: headless}
                spec: {clusterIP: None, selector: {app: db}, ports: [{port: 5432}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: lb}
                spec: {type: LoadBalancer, clusterIP: 10.96.0.5, ports: [{port: 443, nodePort: 31443}]}
                status: {loadBalancer: {ingress: [{ip: 203.0.113.7}]}}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: dual}
                spec: {clusterIP: "fd00::1", clusterIPs: ["fd00::1", 10.96.0.6], ports: [{port: 80}]}
                """);
        assertThat(errors(s)).isEmpty();
        assertThat(s.services()).extracting(Service::name).containsExactly("ext", "headless", "lb", "dual");
        assertThat(s.services().get(0).hasDataplaneEntry()).isFalse();
        assertThat(s.services().get(0).externalName()).isEqualTo("db.example.com");
        assertThat(s.services().get(1).headless()).isTrue();
        assertThat(s.services().get(1).hasDataplaneEntry()).isFalse();
        assertThat(s.services().get(2).loadBalancerIngress()).containsExactly(Ipv4.parse("203.0.113.7"));
        assertThat(s.services().get(2).type().hasNodePorts()).isTrue();
        assertThat(s.services().get(3).clusterIP()).isEqualTo(Ipv4.parse("10.96.0.6"));
    }
}
