package dev.hotline.plan;

import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;

/**
 * What the service map is keyed by: a frontend without its kind. internal: the entry sources
 * inside the cluster see of an externalTrafficPolicy Local frontend (HL_SCOPE_INTERNAL).
 */
public record FrontendKey(Ipv4 address, int port, Protocol protocol, boolean internal) {
    public FrontendKey(Ipv4 address, int port, Protocol protocol) {
        this(address, port, protocol, false);
    }

    @Override
    public String toString() {
        return address + ":" + port + "/" + protocol + (internal ? " (in-cluster view)" : "");
    }
}
