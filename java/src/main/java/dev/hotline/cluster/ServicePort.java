package dev.hotline.cluster;

import dev.hotline.net.Protocol;

/** One entry of a Service's spec.ports; nodePort is 0 when the Service has none. */
public record ServicePort(String name, Protocol protocol, int port, TargetPort targetPort, int nodePort) {
    public ServicePort {
        name = name == null ? "" : name;
    }
}
