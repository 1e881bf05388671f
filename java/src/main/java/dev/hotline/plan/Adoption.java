package dev.hotline.plan;

import dev.hotline.cluster.ClusterState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The first plan of an agent that restarts on pinned maps: Services and backends keep the IDs the
 * maps already use, so conntrack entries (which name backend IDs) stay true and a Service keeps
 * its Maglev range. A Service is recognised by its frontends, a backend by its address.
 */
public final class Adoption {
    private Adoption() {
    }

    /**
     * @param frontendIds the service ID each frontend has in the maps
     * @param backendIds  the ID each backend has in the maps
     */
    public static Plan firstPlan(ClusterState state, NodeIdentity node, Map<FrontendKey, Integer> frontendIds,
                                 Map<BackendKey, Integer> backendIds) {
        return firstPlan(state, node, frontendIds, backendIds, 0, 0);
    }

    /**
     * @param serviceCursor the last Service ID handed out before the restart (0: unknown)
     * @param backendCursor the last backend ID handed out before the restart (0: unknown)
     */
    public static Plan firstPlan(ClusterState state, NodeIdentity node, Map<FrontendKey, Integer> frontendIds,
                                 Map<BackendKey, Integer> backendIds, int serviceCursor, int backendCursor) {
        return Planner.plan(state, node, seeds(state, node, frontendIds, backendIds, serviceCursor, backendCursor));
    }

    /**
     * The IDs to plan the first picture with: each Service's from its frontends in the maps, each
     * backend's from the maps, new ones after the cursors. A plan with nothing but these IDs.
     */
    public static Plan seeds(ClusterState state, NodeIdentity node, Map<FrontendKey, Integer> frontendIds,
                             Map<BackendKey, Integer> backendIds, int serviceCursor, int backendCursor) {
        // only the Service ports and their frontends matter here: drafted, not planned (no endpoints,
        // no Maglev tables), in the order a plan lists them
        java.util.TreeMap<ServicePlan.ServiceKey, List<Frontend>> drafts = new java.util.TreeMap<>();
        for (dev.hotline.cluster.Service svc : state.services()) {
            if (svc.hasDataplaneEntry()) {
                for (Planner.Draft d : Planner.drafts(svc, null, node, new java.util.ArrayList<>())) {
                    List<Frontend> fs = new java.util.ArrayList<>(d.frontends());
                    fs.sort(Planner.FRONTEND_ORDER);
                    drafts.put(d.key(), fs);
                }
            }
        }
        Map<ServicePlan.ServiceKey, Integer> serviceSeeds = new HashMap<>();
        Set<Integer> taken = new HashSet<>();
        for (Map.Entry<ServicePlan.ServiceKey, List<Frontend>> s : drafts.entrySet()) {
            for (Frontend f : s.getValue()) {
                Integer id = frontendIds.get(f.key());
                if (id != null && taken.add(id)) {
                    serviceSeeds.put(s.getKey(), id);
                    break;
                }
            }
        }
        return new Plan(node, List.of(), Map.of(), new java.util.TreeSet<>(), IdRegistry.seeded(serviceSeeds, serviceCursor),
                IdRegistry.seeded(backendIds, backendCursor), List.of());
    }
}
