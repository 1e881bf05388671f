package dev.hotline.cluster;

import java.util.Map;

/**
 * A Deployment (or other pod template owner) as far as checks need it: the labels its pods get.
 * Its pods are never invented from it; they come from Pod objects.
 */
public record Workload(ObjectRef ref, String source, Map<String, String> templateLabels, int replicas) {
    public Workload {
        templateLabels = Map.copyOf(templateLabels);
    }
}
