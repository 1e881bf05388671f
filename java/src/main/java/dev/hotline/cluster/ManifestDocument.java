package dev.hotline.cluster;

import java.util.Map;

/**
 * One Kubernetes object as it appeared in a manifest file, before it is typed: the parsed body
 * and where it starts ("file.yaml:12"), so that every later message can point back at it.
 */
public record ManifestDocument(String source, Map<String, Object> body) {

    public String kind() {
        Object k = body.get("kind");
        return k instanceof String s ? s : null;
    }

    public String apiVersion() {
        Object v = body.get("apiVersion");
        return v instanceof String s ? s : null;
    }

    /** A best-effort reference for messages about objects that may be malformed. */
    public ObjectRef ref() {
        String name = null;
        String namespace = null;
        if (body.get("metadata") instanceof Map<?, ?> meta) {
            name = meta.get("name") instanceof String s ? s : null;
            namespace = meta.get("namespace") instanceof String s ? s : null;
        }
        String kind = kind();
        boolean clusterScoped = "Node".equals(kind);
        return new ObjectRef(kind == null ? "object" : kind,
                clusterScoped ? null : (namespace == null ? "default" : namespace),
                name == null ? "<unnamed>" : name);
    }
}
