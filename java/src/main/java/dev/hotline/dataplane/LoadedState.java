package dev.hotline.dataplane;

import dev.hotline.net.Ipv4;
import dev.hotline.plan.BackendKey;
import dev.hotline.plan.FrontendKey;
import java.util.Map;
import java.util.Set;

/**
 * What a dataplane's maps already hold when an agent starts on them (pinned maps after a restart):
 * the Service ID of each frontend, the ID of each backend, the ClusterIPs. The first plan keeps
 * these IDs, so conntrack entries, which name backend IDs, stay true, and hands out new ones after
 * the cursors (the last IDs issued before the restart), so a freed ID conntrack may still name is
 * not given to another backend.
 */
public record LoadedState(Map<FrontendKey, Integer> serviceIds, Map<BackendKey, Integer> backendIds, Set<Ipv4> clusterIps,
                          int serviceIdCursor, int backendIdCursor) {
    public static final LoadedState EMPTY = new LoadedState(Map.of(), Map.of(), Set.of(), 0, 0);

    public LoadedState {
        serviceIds = Map.copyOf(serviceIds);
        backendIds = Map.copyOf(backendIds);
        clusterIps = Set.copyOf(clusterIps);
    }

    public boolean isEmpty() {
        return serviceIds.isEmpty() && backendIds.isEmpty() && clusterIps.isEmpty();
    }
}
