package dev.hotline.cluster;

import dev.hotline.net.Ipv4;
import java.util.List;

/** A Node and the IPv4 addresses NodePorts listen on (InternalIP and ExternalIP, in that order). */
public record Node(String name, List<Ipv4> addresses) {
    public Node {
        addresses = List.copyOf(addresses);
    }
}
