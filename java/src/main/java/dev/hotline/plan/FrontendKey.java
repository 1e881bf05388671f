package dev.hotline.plan;

import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;

/** What the service map is keyed by: a frontend without its kind. */
public record FrontendKey(Ipv4 address, int port, Protocol protocol) {
    @Override
    public String toString() {
        return address + ":" + port + "/" + protocol;
    }
}
