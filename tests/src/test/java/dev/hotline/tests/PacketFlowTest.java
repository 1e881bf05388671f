package dev.hotline.tests;

import static dev.hotline.tests.PacketFlows.flow;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where a new flow goes, as tables: for each source, protocol and destination, every outcome the
 * packet path accepts (see {@link PacketFlows}). Run on every dataplane with byte parity.
 */
class PacketFlowTest {

    /** Cluster.base(): web-1 (10.1.1.5) on node-1, web-2 (10.1.1.6) on node-2; this node is node-1 (192.168.49.2). */
    @Test
    void clusterIpNodePortRejectAndPassOnTheBaseCluster() throws Exception {
        PacketFlows.run(Cluster.base(), List.of(
                flow("ClusterIP, named targetPort", "10.1.1.10", "TCP", "10.96.0.10:80",
                        "dnat 10.1.1.5:8080", "dnat 10.1.1.6:8080"),
                flow("ClusterIP, second port of a multiport Service", "10.1.1.10", "TCP", "10.96.0.10:9100",
                        "dnat 10.1.1.5:9090", "dnat 10.1.1.6:9090"),
                flow("UDP and TCP on one port number are two frontends: UDP", "10.1.1.10", "UDP", "10.96.0.53:53",
                        "dnat 10.1.1.5:5353", "dnat 10.1.1.6:5353"),
                flow("UDP and TCP on one port number are two frontends: TCP", "10.1.1.10", "TCP", "10.96.0.53:53",
                        "dnat 10.1.1.5:5354", "dnat 10.1.1.6:5354"),
                flow("NodePort: a local backend keeps the client address, a remote one is SNATed", "203.0.113.50", "TCP",
                        "192.168.49.2:30080", "dnat 10.1.1.5:8080", "dnat+snat 10.1.1.6:8080"),
                flow("NodePort of the second port", "203.0.113.50", "TCP", "192.168.49.2:30091",
                        "dnat 10.1.1.5:9090", "dnat+snat 10.1.1.6:9090"),
                flow("NodePort from a pod of this node", "10.1.1.10", "TCP", "192.168.49.2:30080",
                        "dnat 10.1.1.5:8080", "dnat+snat 10.1.1.6:8080"),
                flow("Service without endpoints, TCP", "10.1.1.10", "TCP", "10.96.0.99:80", "reject"),
                flow("Service without endpoints, UDP", "10.1.1.10", "UDP", "10.96.0.99:53", "reject"),
                flow("ClusterIP on a port no Service defines", "10.1.1.10", "TCP", "10.96.0.10:443", "reject"),
                flow("ClusterIP on a protocol the port does not have", "10.1.1.10", "UDP", "10.96.0.10:80", "reject"),
                flow("the node address on a port that is no NodePort", "10.1.1.10", "TCP", "192.168.49.2:22", "pass"),
                flow("a NodePort number that no Service has", "203.0.113.50", "TCP", "192.168.49.2:30081", "pass"),
                flow("the other node's address: not this node's NodePort", "203.0.113.50", "TCP", "192.168.49.3:30080", "pass"),
                flow("a pod by its own address", "10.1.1.10", "TCP", "10.1.1.5:8080", "pass"),
                flow("outside the cluster", "10.1.1.10", "UDP", "8.8.8.8:53", "pass")));
    }

    @Test
    void namedTargetPortsResolvePerPod() throws Exception {
        String cluster = Cluster.pod("old", "10.1.1.5", "node-1", "app: api", "{name: http, containerPort: 8080}")
                + Cluster.pod("new", "10.1.1.6", "node-1", "app: api", "{name: http, containerPort: 8081}")
                + Cluster.service("api", "ClusterIP", "10.96.0.20", "app: api", "{name: http, port: 80, targetPort: http}");
        PacketFlows.run(cluster, List.of(
                flow("each pod's own port for the name", "10.1.1.10", "TCP", "10.96.0.20:80",
                        "dnat 10.1.1.5:8080", "dnat 10.1.1.6:8081")));
    }

    @Test
    void aServiceWithOneEndpointSendsEveryFlowThere() throws Exception {
        String cluster = Cluster.pod("only", "10.1.1.5", "node-1", "app: one", "{name: http, containerPort: 8080}")
                + Cluster.pod("other", "10.1.1.6", "node-1", "app: two", "{name: http, containerPort: 8080}")
                + Cluster.service("one", "ClusterIP", "10.96.0.21", "app: one", "{name: http, port: 80, targetPort: 8080}");
        PacketFlows.run(cluster, List.of(
                flow("the selected pod only", "10.1.1.10", "TCP", "10.96.0.21:80", "dnat 10.1.1.5:8080"),
                flow("the selected pod only, UDP port not defined", "10.1.1.10", "UDP", "10.96.0.21:80", "reject")));
    }
}
