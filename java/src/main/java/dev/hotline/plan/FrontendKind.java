package dev.hotline.plan;

/** How a frontend address belongs to its Service. */
public enum FrontendKind {
    CLUSTER_IP("ClusterIP"), NODE_PORT("NodePort");

    private final String label;

    FrontendKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
