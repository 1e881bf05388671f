package dev.hotline.cluster;

import dev.hotline.net.Protocol;

/** A port of an EndpointSlice; name matches the Service port's name ("" for an unnamed port). */
public record EndpointPort(String name, int port, Protocol protocol) {
    public EndpointPort {
        name = name == null ? "" : name;
    }
}
