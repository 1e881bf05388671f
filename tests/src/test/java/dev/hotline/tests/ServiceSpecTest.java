package dev.hotline.tests;

import static dev.hotline.packet.Frame.TCP_SYN;
import static dev.hotline.tests.PacketFlows.flow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.net.Cidr;
import dev.hotline.net.Ipv4;
import dev.hotline.packet.Bytes;
import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import dev.hotline.plan.NodeIdentity;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The Service spec beyond ClusterIP and NodePort with default policies, as packet-flow tables and
 * scenarios in the style of kube-proxy's proxier tests, on every dataplane with byte parity:
 * traffic policies Local, LoadBalancer ingress IPs and externalIPs, loadBalancerSourceRanges,
 * session affinity, publishNotReadyAddresses, topology hints. This node is node-1 (192.168.49.2);
 * the cluster's pods are 10.1.0.0/16.
 */
class ServiceSpecTest {
    static final NodeIdentity NODE = Scenario.NODE_1;
    static final DataplaneConfig CONFIG = DataplaneConfig.DEFAULT.withNode(Ipv4.parse("192.168.49.2").value(),
            List.of(Cidr.parse("10.1.0.0/16")));

    static final String PODS = Cluster.node("node-1", "192.168.49.2") + Cluster.node("node-2", "192.168.49.3")
            + Cluster.pod("web-1", "10.1.1.5", "node-1", "app: web", "{name: http, containerPort: 8080}")
            + Cluster.pod("web-2", "10.1.2.6", "node-2", "app: web", "{name: http, containerPort: 8080}")
            + Cluster.pod("far-1", "10.1.2.7", "node-2", "app: far", "{name: http, containerPort: 8080}");

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
                """.formatted(name, spec.indent(2).stripTrailing(), status.isEmpty() ? "  {}" : status.indent(2).stripTrailing());
    }

    /** A Service of port 80 to 8080 on the pods labelled app: APP, with a policy line; nodePort 0: no NodePort. */
    static String policy(String name, String clusterIp, String app, int nodePort, String policyLine) {
        return service(name, (nodePort != 0 ? "type: NodePort\n" : "") + "clusterIP: " + clusterIp + "\n" + policyLine + "\n"
                + "selector: {app: " + app + "}\n"
                + "ports: [{name: http, port: 80, targetPort: 8080" + (nodePort != 0 ? ", nodePort: " + nodePort : "") + "}]", "");
    }

    @Test
    void externalTrafficPolicyLocal() throws Exception {
        String local = "externalTrafficPolicy: Local";
        String cluster = PODS + policy("local", "10.96.0.10", "web", 30080, local) + policy("far", "10.96.0.11", "far", 30081, local)
                + policy("none", "10.96.0.12", "nothing", 30082, local);
        PacketFlows.run(cluster, NODE, CONFIG, List.of(
                flow("an outside client reaches only this node's endpoint, its address kept", "203.0.113.50", "TCP",
                        "192.168.49.2:30080", "dnat 10.1.1.5:8080"),
                flow("a pod keeps the Cluster policy at the same address (kube-proxy's short-circuit)", "10.1.1.20", "TCP",
                        "192.168.49.2:30080", "dnat 10.1.1.5:8080", "dnat 10.1.2.6:8080"),
                flow("the ClusterIP keeps the Cluster policy", "10.1.1.20", "TCP", "10.96.0.10:80",
                        "dnat 10.1.1.5:8080", "dnat 10.1.2.6:8080"),
                flow("no local endpoint, some elsewhere: dropped, not refused", "203.0.113.50", "TCP", "192.168.49.2:30081", "drop"),
                flow("no local endpoint: a pod reaches the one on the other node, unSNATed as a ClusterIP flow is", "10.1.1.20",
                        "TCP", "192.168.49.2:30081", "dnat 10.1.2.7:8080"),
                flow("no endpoint anywhere: refused", "203.0.113.50", "TCP", "192.168.49.2:30082", "reject")));
    }

    @Test
    void internalTrafficPolicyLocal() throws Exception {
        String local = "internalTrafficPolicy: Local";
        String cluster = PODS + policy("local", "10.96.0.20", "web", 0, local) + policy("far", "10.96.0.21", "far", 0, local)
                + policy("none", "10.96.0.22", "nothing", 0, local);
        PacketFlows.run(cluster, NODE, CONFIG, List.of(
                flow("only this node's endpoint", "10.1.1.20", "TCP", "10.96.0.20:80", "dnat 10.1.1.5:8080"),
                flow("endpoints only elsewhere: dropped", "10.1.1.20", "TCP", "10.96.0.21:80", "drop"),
                flow("a protocol the port does not have: refused as ever", "10.1.1.20", "UDP", "10.96.0.21:80", "reject"),
                flow("no endpoint anywhere: refused", "10.1.1.20", "TCP", "10.96.0.22:80", "reject")));
    }

    @Test
    void loadBalancerIngressAndExternalIps() throws Exception {
        String cluster = PODS
                + service("lb", """
                        type: LoadBalancer
                        clusterIP: 10.96.0.30
                        externalIPs: [198.51.100.7]
                        selector: {app: web}
                        ports: [{name: http, port: 80, targetPort: 8080, nodePort: 30090}]""", """
                        loadBalancer:
                          ingress: [{ip: 198.51.100.10}, {ip: 198.51.100.11, ipMode: Proxy}]""")
                + service("fenced", """
                        type: LoadBalancer
                        clusterIP: 10.96.0.31
                        selector: {app: web}
                        loadBalancerSourceRanges: [203.0.113.0/25, 192.0.2.9/32]
                        allocateLoadBalancerNodePorts: false
                        ports: [{name: http, port: 443, targetPort: 8080}]""", """
                        loadBalancer:
                          ingress: [{ip: 198.51.100.20}]""");
        PacketFlows.run(cluster, NODE, CONFIG, List.of(
                flow("the LB ingress IP: a local backend keeps the client, a remote one is SNATed to this node", "203.0.113.50",
                        "TCP", "198.51.100.10:80", "dnat 10.1.1.5:8080", "dnat+snat 10.1.2.6:8080"),
                flow("an externalIP, the same", "203.0.113.50", "TCP", "198.51.100.7:80", "dnat 10.1.1.5:8080",
                        "dnat+snat 10.1.2.6:8080"),
                flow("ipMode Proxy: not ours", "203.0.113.50", "TCP", "198.51.100.11:80", "pass"),
                flow("the NodePort still", "203.0.113.50", "TCP", "192.168.49.2:30090", "dnat 10.1.1.5:8080",
                        "dnat+snat 10.1.2.6:8080"),
                flow("a client inside the source ranges", "203.0.113.100", "TCP", "198.51.100.20:443", "dnat 10.1.1.5:8080",
                        "dnat+snat 10.1.2.6:8080"),
                flow("a client inside a /32 range", "192.0.2.9", "TCP", "198.51.100.20:443", "dnat 10.1.1.5:8080",
                        "dnat+snat 10.1.2.6:8080"),
                flow("a client outside the source ranges: dropped", "203.0.113.200", "TCP", "198.51.100.20:443", "drop"),
                flow("the ClusterIP of a fenced Service is not fenced", "10.1.1.20", "TCP", "10.96.0.31:443",
                        "dnat 10.1.1.5:8080", "dnat 10.1.2.6:8080")));
    }

    @Test
    void sessionAffinityKeepsAClientOnItsBackendUntilTheTimeout() throws Exception {
        String affine = PODS + service("sticky", """
                clusterIP: 10.96.0.40
                sessionAffinity: ClientIP
                sessionAffinityConfig: {clientIP: {timeoutSeconds: 10}}
                selector: {app: web}
                ports: [{name: http, port: 80, targetPort: 8080}]""", "");
        Scenario s = new Scenario(affine, NODE).config(CONFIG);
        // 30 connections from one client within the timeout, each from its own port
        for (int i = 0; i < 30; i++) {
            s.frame(i * 100L, syn("10.1.1.20", 40000 + i, "10.96.0.40", 80));
        }
        // then connections more than the timeout apart: each is balanced afresh
        for (int i = 0; i < 16; i++) {
            s.frame(10_000L + (i + 1) * 11_000L, syn("10.1.1.20", 41000 + i, "10.96.0.40", 80));
        }
        List<Scenario.Out> out = s.run();
        Set<String> early = new HashSet<>();
        Set<String> late = new HashSet<>();
        for (int i = 0; i < out.size(); i++) {
            assertThat(out.get(i).verdict()).isEqualTo("dnat");
            (i < 30 ? early : late).add(dst(out.get(i).frame()));
        }
        assertThat(early).as("30 connections within the timeout: one backend").hasSize(1);
        assertThat(late).as("connections past the timeout spread again").containsExactlyInAnyOrder("10.1.1.5:8080", "10.1.2.6:8080");
    }

    @Test
    void affinityLetsGoOfABackendThatLeavesTheService() throws Exception {
        String spec = """
                clusterIP: 10.96.0.40
                sessionAffinity: ClientIP
                selector: {app: web}
                ports: [{name: http, port: 80, targetPort: 8080}]""";
        String both = PODS + service("sticky", spec, "");
        Scenario s = new Scenario(both, NODE).config(CONFIG);
        // clients 10.1.1.20..35 each pin a backend; then web-2 goes; then each opens one more connection
        for (int c = 0; c < 16; c++) {
            s.frame(c, syn("10.1.1." + (20 + c), 40000, "10.96.0.40", 80));
        }
        String without = PODS.replace(Cluster.pod("web-2", "10.1.2.6", "node-2", "app: web", "{name: http, containerPort: 8080}"),
                Cluster.pod("web-2", "10.1.2.6", "node-2", "app: gone", "{name: http, containerPort: 8080}"));
        assertThat(without).isNotEqualTo(PODS);
        s.cluster(without + service("sticky", spec, ""));
        for (int c = 0; c < 16; c++) {
            s.frame(1000 + c, syn("10.1.1." + (20 + c), 40001, "10.96.0.40", 80));
        }
        List<Scenario.Out> out = s.run();
        assertThat(out.subList(0, 16).stream().map(o -> dst(o.frame())).distinct()).hasSize(2);
        assertThat(out.subList(16, 32)).allSatisfy(o -> assertThat(dst(o.frame())).isEqualTo("10.1.1.5:8080"));
    }

    @Test
    void publishNotReadyAddressesMakesNotReadyPodsEndpoints() throws Exception {
        String notReady = Cluster.pod("warming", "10.1.1.8", "node-1", "app: db", "{name: db, containerPort: 5432}")
                .replace("status: \"True\"", "status: \"False\"");
        String cluster = notReady
                + service("db", """
                        clusterIP: 10.96.0.50
                        publishNotReadyAddresses: true
                        selector: {app: db}
                        ports: [{name: db, port: 5432, targetPort: 5432}]""", "")
                + service("db-ready", """
                        clusterIP: 10.96.0.51
                        selector: {app: db}
                        ports: [{name: db, port: 5432, targetPort: 5432}]""", "");
        PacketFlows.run(cluster, NODE, CONFIG, List.of(
                flow("published although not ready", "10.1.1.20", "TCP", "10.96.0.50:5432", "dnat 10.1.1.8:5432"),
                flow("not published: no endpoint", "10.1.1.20", "TCP", "10.96.0.51:5432", "reject")));
    }

    static String slice(String name, String service, String endpoints) {
        return """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: %s, namespace: default, labels: {kubernetes.io/service-name: %s}}
                addressType: IPv4
                ports: [{name: http, port: 8080, protocol: TCP}]
                endpoints:
                %s
                ---
                """.formatted(name, service, endpoints.indent(2).stripTrailing());
    }

    @Test
    void topologyHintsKeepTrafficInTheNodesZone() throws Exception {
        String svc = """
                clusterIP: 10.96.0.60
                trafficDistribution: PreferClose
                ports: [{name: http, port: 80, targetPort: 8080}]""";
        String hinted = """
                - {addresses: [10.1.1.5], nodeName: node-1, hints: {forZones: [{name: zone-a}]}}
                - {addresses: [10.1.2.6], nodeName: node-2, hints: {forZones: [{name: zone-b}]}}
                - {addresses: [10.1.3.7], nodeName: node-3, hints: {forZones: [{name: zone-a}]}}""";
        String oneUnhinted = """
                - {addresses: [10.1.1.5], nodeName: node-1, hints: {forZones: [{name: zone-a}]}}
                - {addresses: [10.1.2.6], nodeName: node-2}""";
        String otherZones = """
                - {addresses: [10.1.1.5], nodeName: node-1, hints: {forZones: [{name: zone-c}]}}
                - {addresses: [10.1.2.6], nodeName: node-2, hints: {forZones: [{name: zone-b}]}}""";
        String cluster = service("hinted", svc, "") + slice("hinted-1", "hinted", hinted)
                + service("partly", svc.replace("10.96.0.60", "10.96.0.61"), "") + slice("partly-1", "partly", oneUnhinted)
                + service("elsewhere", svc.replace("10.96.0.60", "10.96.0.62"), "") + slice("elsewhere-1", "elsewhere", otherZones);
        NodeIdentity inZoneA = NODE.withZone("zone-a");
        PacketFlows.run(cluster, inZoneA, CONFIG, List.of(
                flow("only the endpoints hinted for this node's zone", "10.1.1.20", "TCP", "10.96.0.60:80",
                        "dnat 10.1.1.5:8080", "dnat 10.1.3.7:8080"),
                flow("an endpoint without a hint: every endpoint", "10.1.1.20", "TCP", "10.96.0.61:80",
                        "dnat 10.1.1.5:8080", "dnat 10.1.2.6:8080"),
                flow("no hint for this zone: every endpoint", "10.1.1.20", "TCP", "10.96.0.62:80",
                        "dnat 10.1.1.5:8080", "dnat 10.1.2.6:8080")));
        PacketFlows.run(cluster, NODE, CONFIG, List.of(
                flow("a node without a zone: every endpoint", "10.1.1.20", "TCP", "10.96.0.60:80",
                        "dnat 10.1.1.5:8080", "dnat 10.1.2.6:8080", "dnat 10.1.3.7:8080")));
    }

    static byte[] syn(String client, int port, String dst, int dport) {
        return FrameBuilder.tcp().from(client, port).to(dst, dport).flags(TCP_SYN).seq(1000).build();
    }

    static String dst(byte[] f) {
        int l4 = Frame.ETH_HLEN + 20;
        return new Ipv4(Bytes.be32(f, Frame.IP_DADDR)) + ":" + Bytes.be16(f, l4 + 2);
    }
}
