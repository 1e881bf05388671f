package dev.hotline.cluster;

import dev.hotline.net.Ipv4;

/**
 * One endpoint of an EndpointSlice with its conditions already defaulted the way kube-proxy
 * reads them: ready and serving default to true, terminating to false.
 */
public record Endpoint(Ipv4 address, boolean ready, boolean serving, boolean terminating, String nodeName, String podName) {
}
