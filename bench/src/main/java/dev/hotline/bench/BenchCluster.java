package dev.hotline.bench;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.Endpoint;
import dev.hotline.cluster.EndpointPort;
import dev.hotline.cluster.EndpointSlice;
import dev.hotline.cluster.Node;
import dev.hotline.cluster.ObjectRef;
import dev.hotline.cluster.Service;
import dev.hotline.cluster.ServicePort;
import dev.hotline.cluster.ServiceType;
import dev.hotline.cluster.TargetPort;
import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;
import dev.hotline.plan.NodeIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Clusters for benchmarks, built straight as records (EndpointSlices, not selectors, so a cluster
 * of 100 000 Services with 1 000 000 endpoints builds in a blink):
 * <ul>
 *   <li>svc-i, i in [0, services): ClusterIP 10.96.0.0 + i, port 80/TCP to 8080, backends 10.(128+..)...;</li>
 *   <li>"remote": NodePort 30080 whose backends all live on node-2 (so NodePort flows are SNATed);</li>
 *   <li>"empty": ClusterIP 10.95.255.254 with no endpoints (rejects).</li>
 * </ul>
 */
public final class BenchCluster {
    public static final NodeIdentity NODE = new NodeIdentity("node-1", List.of(Ipv4.parse("192.168.49.2")));
    public static final int CLUSTER_IP_BASE = Ipv4.parse("10.96.0.0").value();
    public static final int REMOTE_IP = Ipv4.parse("10.95.255.253").value();
    public static final int EMPTY_IP = Ipv4.parse("10.95.255.254").value();
    public static final int NODE_IP = Ipv4.parse("192.168.49.2").value();
    public static final int NODE_PORT = 30080;

    private BenchCluster() {
    }

    static int backendIp(int service, int backend) {
        int n = service * 16 + backend;
        return Ipv4.parse("10.128.0.0").value() + n;
    }

    /** svc-i's EndpointSlice; endpoint changed (>= 0) of it moved to an address no other Service uses. */
    public static EndpointSlice slice(int i, int backends, int changed, int services) {
        List<Endpoint> eps = new ArrayList<>(backends);
        for (int b = 0; b < backends; b++) {
            int ip = b == changed ? backendIp(services + 1 + i, b) : backendIp(i, b);
            eps.add(new Endpoint(new Ipv4(ip), true, true, false, b % 2 == 0 ? "node-1" : "node-2", "svc-" + i + "-" + b));
        }
        return new EndpointSlice(new ObjectRef("EndpointSlice", "bench", "svc-" + i + "-x"), "bench", "svc-" + i,
                List.of(new EndpointPort("http", 8080, Protocol.TCP)), eps);
    }

    /** services Services of backends endpoints each; changedEndpoint (>= 0) replaces one endpoint of svc-0. */
    public static ClusterState build(int services, int backends, int changedEndpoint) {
        List<Service> svcs = new ArrayList<>(services + 2);
        List<EndpointSlice> slices = new ArrayList<>(services + 2);
        List<ServicePort> http = List.of(new ServicePort("http", Protocol.TCP, 80, TargetPort.numeric(8080), 0));
        for (int i = 0; i < services; i++) {
            ObjectRef ref = new ObjectRef("Service", "bench", "svc-" + i);
            svcs.add(new Service(ref, "bench", ServiceType.ClusterIP, new Ipv4(CLUSTER_IP_BASE + i), false, Map.of(), http,
                    List.of(), List.of(), null, false, false, false));
            slices.add(slice(i, backends, i == 0 ? changedEndpoint : -1, services));
        }
        ObjectRef remote = new ObjectRef("Service", "bench", "remote");
        svcs.add(new Service(remote, "bench", ServiceType.NodePort, new Ipv4(REMOTE_IP), false, Map.of(),
                List.of(new ServicePort("http", Protocol.TCP, 80, TargetPort.numeric(8080), NODE_PORT)), List.of(), List.of(), null,
                false, false, false));
        List<Endpoint> remoteEps = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            remoteEps.add(new Endpoint(new Ipv4(Ipv4.parse("10.129.255.0").value() + b + 1), true, true, false, "node-2", "remote-" + b));
        }
        slices.add(new EndpointSlice(new ObjectRef("EndpointSlice", "bench", "remote-x"), "bench", "remote",
                List.of(new EndpointPort("http", 8080, Protocol.TCP)), remoteEps));
        svcs.add(new Service(new ObjectRef("Service", "bench", "empty"), "bench", ServiceType.ClusterIP, new Ipv4(EMPTY_IP), false,
                Map.of(), http, List.of(), List.of(), null, false, false, false));
        slices.add(new EndpointSlice(new ObjectRef("EndpointSlice", "bench", "empty-x"), "bench", "empty",
                List.of(new EndpointPort("http", 8080, Protocol.TCP)), List.of()));
        List<Node> nodes = List.of(new Node("node-1", List.of(new Ipv4(NODE_IP))), new Node("node-2", List.of(Ipv4.parse("192.168.49.3"))));
        return new ClusterState(svcs, List.of(), slices, nodes, List.of(), List.of());
    }
}
