package dev.hotline.cluster;

import java.util.List;

/**
 * An IPv4 EndpointSlice, owned by the Service named in its kubernetes.io/service-name label.
 * A v1 Endpoints object is read into the same shape (one slice per subset).
 */
public record EndpointSlice(ObjectRef ref, String source, String serviceName, List<EndpointPort> ports, List<Endpoint> endpoints) {
    public EndpointSlice {
        ports = List.copyOf(ports);
        endpoints = List.copyOf(endpoints);
    }

    public String namespace() {
        return ref.namespace();
    }
}
