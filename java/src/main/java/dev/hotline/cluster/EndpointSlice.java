package dev.hotline.cluster;

import java.util.List;

/**
 * An EndpointSlice, owned by the Service named in its kubernetes.io/service-name label. A v1
 * Endpoints object is read into the same shape (one slice per subset). Only IPv4 slices carry
 * ports and endpoints; one of another addressType (IPv6, FQDN) is kept empty, so that a Service
 * fed only by such slices is known to be fed by something hotline does not serve.
 */
public record EndpointSlice(ObjectRef ref, String source, String serviceName, List<EndpointPort> ports, List<Endpoint> endpoints,
                            String addressType) {
    public static final String IPV4 = "IPv4";

    public EndpointSlice {
        ports = List.copyOf(ports);
        endpoints = List.copyOf(endpoints);
    }

    public EndpointSlice(ObjectRef ref, String source, String serviceName, List<EndpointPort> ports, List<Endpoint> endpoints) {
        this(ref, source, serviceName, ports, endpoints, IPV4);
    }

    public String namespace() {
        return ref.namespace();
    }
}
