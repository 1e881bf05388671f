package dev.hotline.cluster;

/** Names one Kubernetes object in messages: "Service default/my-api-service". */
public record ObjectRef(String kind, String namespace, String name) {

    public String namespacedName() {
        return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    }

    @Override
    public String toString() {
        return kind + " " + namespacedName();
    }
}
