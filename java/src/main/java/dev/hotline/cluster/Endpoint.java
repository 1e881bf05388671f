package dev.hotline.cluster;

import dev.hotline.net.Ipv4;

/**
 * One endpoint of an EndpointSlice with its conditions already defaulted the way kube-proxy
 * reads them: ready and serving default to true, terminating to false.
 */
public record Endpoint(Ipv4 address, boolean ready, boolean serving, boolean terminating, String nodeName, String podName,
                       java.util.List<String> zoneHints) {
    public Endpoint {
        zoneHints = zoneHints == null ? java.util.List.of() : java.util.List.copyOf(zoneHints);
    }

    public Endpoint(Ipv4 address, boolean ready, boolean serving, boolean terminating, String nodeName, String podName) {
        this(address, ready, serving, terminating, nodeName, podName, java.util.List.of());
    }
}
