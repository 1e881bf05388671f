package dev.hotline.plan;

import dev.hotline.net.Ipv4;
import java.util.List;

/**
 * Who this node is: its name (to tell local backends), the addresses NodePorts listen on, its zone
 * (topology hints), and its own address (kube-proxy's node IP: where flows to externalIPs and
 * LoadBalancer IPs are SNATed to, what --nodeport-addresses primary means), which need not be
 * among the NodePort addresses.
 */
public record NodeIdentity(String name, List<Ipv4> addresses, String zone, Ipv4 primary) {
    public NodeIdentity {
        addresses = List.copyOf(addresses);
    }

    /** @param addresses the NodePort addresses, the first of them the node's own (primary) address */
    public NodeIdentity(String name, List<Ipv4> addresses, String zone) {
        this(name, addresses, zone, addresses.isEmpty() ? null : addresses.get(0));
    }

    public NodeIdentity(String name, List<Ipv4> addresses) {
        this(name, addresses, null);
    }

    public static NodeIdentity none() {
        return new NodeIdentity(null, List.of());
    }

    /** The same node with its zone (topology.kubernetes.io/zone), which topology hints are read against. */
    public NodeIdentity withZone(String z) {
        return new NodeIdentity(name, addresses, z, primary);
    }
}
