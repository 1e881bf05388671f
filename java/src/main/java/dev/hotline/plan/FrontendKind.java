package dev.hotline.plan;

/** How a frontend address belongs to its Service. */
public enum FrontendKind {
    CLUSTER_IP("ClusterIP"), NODE_PORT("NodePort"), EXTERNAL_IP("ExternalIP"), LOAD_BALANCER("LoadBalancer");

    private final String label;

    FrontendKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Reached from outside the cluster: externalTrafficPolicy applies, and remote backends are SNATed. */
    public boolean external() {
        return this != CLUSTER_IP;
    }
}
