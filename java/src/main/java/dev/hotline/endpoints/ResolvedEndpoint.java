package dev.hotline.endpoints;

import dev.hotline.net.Ipv4;

/** One backend address of a Service port, with the conditions kube-proxy reads and the Pod and node behind it. */
public record ResolvedEndpoint(Ipv4 address, int port, boolean ready, boolean serving, boolean terminating,
                               String nodeName, String podName, java.util.List<String> zoneHints) {
    public ResolvedEndpoint {
        zoneHints = zoneHints == null ? java.util.List.of() : java.util.List.copyOf(zoneHints);
    }

    public ResolvedEndpoint(Ipv4 address, int port, boolean ready, boolean serving, boolean terminating, String nodeName,
                            String podName) {
        this(address, port, ready, serving, terminating, nodeName, podName, java.util.List.of());
    }

    /** A short word for the state: ready, terminating (still serving), or not-ready. */
    public String state() {
        if (ready) {
            return "ready";
        }
        if (terminating) {
            return serving ? "terminating" : "terminating,not-serving";
        }
        return "not-ready";
    }
}
