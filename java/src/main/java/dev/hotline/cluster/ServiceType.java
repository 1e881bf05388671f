package dev.hotline.cluster;

/** spec.type of a Service. */
public enum ServiceType {
    ClusterIP, NodePort, LoadBalancer, ExternalName;

    /** True when the Service is reachable on every node's address at its nodePort. */
    public boolean hasNodePorts() {
        return this == NodePort || this == LoadBalancer;
    }

    public static ServiceType fromKubernetes(String text) {
        if (text == null || text.isEmpty()) {
            return ClusterIP;
        }
        for (ServiceType t : values()) {
            if (t.name().equals(text)) {
                return t;
            }
        }
        return null;
    }
}
