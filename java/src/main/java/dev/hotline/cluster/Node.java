package dev.hotline.cluster;

import dev.hotline.net.Ipv4;
import java.util.List;

/** A Node and the IPv4 addresses NodePorts listen on (InternalIP and ExternalIP, in that order). */
public record Node(String name, List<Ipv4> addresses, String zone) {
    /** The label a Node's zone is read from (kube-proxy's topology filter reads the same). */
    public static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    public Node {
        addresses = List.copyOf(addresses);
    }

    public Node(String name, List<Ipv4> addresses) {
        this(name, addresses, null);
    }
}
