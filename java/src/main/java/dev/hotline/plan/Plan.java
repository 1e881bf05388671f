package dev.hotline.plan;

import dev.hotline.cluster.Problem;
import java.util.List;
import java.util.Map;

/**
 * Everything the dataplane should hold, computed from the cluster picture and the node's identity:
 * Services (sorted by name) with their frontends and Maglev tables, and the backend map. It also
 * carries the ID assignments so that the next plan keeps them.
 */
public record Plan(NodeIdentity node, List<ServicePlan> services, Map<Integer, Backend> backends,
                   IdRegistry<ServicePlan.ServiceKey> serviceIds, IdRegistry<BackendKey> backendIds,
                   List<Problem> problems) {

    public static final Plan EMPTY = new Plan(NodeIdentity.none(), List.of(), Map.of(),
            IdRegistry.empty(), IdRegistry.empty(), List.of());

    public Plan {
        services = List.copyOf(services);
        backends = Map.copyOf(backends);
        problems = List.copyOf(problems);
    }

    public int frontendCount() {
        return services.stream().mapToInt(s -> s.frontends().size()).sum();
    }
}
