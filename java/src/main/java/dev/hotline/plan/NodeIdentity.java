package dev.hotline.plan;

import dev.hotline.net.Ipv4;
import java.util.List;

/** Who this node is: its name (to tell local backends) and the addresses NodePorts listen on. */
public record NodeIdentity(String name, List<Ipv4> addresses, String zone) {
    public NodeIdentity {
        addresses = List.copyOf(addresses);
    }

    public NodeIdentity(String name, List<Ipv4> addresses) {
        this(name, addresses, null);
    }

    public static NodeIdentity none() {
        return new NodeIdentity(null, List.of());
    }

    /** The same node with its zone (topology.kubernetes.io/zone), which topology hints are read against. */
    public NodeIdentity withZone(String z) {
        return new NodeIdentity(name, addresses, z);
    }
}
