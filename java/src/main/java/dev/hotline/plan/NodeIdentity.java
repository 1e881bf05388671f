package dev.hotline.plan;

import dev.hotline.net.Ipv4;
import java.util.List;

/** Who this node is: its name (to tell local backends) and the addresses NodePorts listen on. */
public record NodeIdentity(String name, List<Ipv4> addresses) {
    public NodeIdentity {
        addresses = List.copyOf(addresses);
    }

    public static NodeIdentity none() {
        return new NodeIdentity(null, List.of());
    }
}
