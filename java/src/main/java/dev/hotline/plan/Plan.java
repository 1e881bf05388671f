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
                   java.util.SortedSet<dev.hotline.net.Ipv4> virtualIps,
                   IdRegistry<ServicePlan.ServiceKey> serviceIds, IdRegistry<BackendKey> backendIds,
                   List<Problem> problems) {

    public static final Plan EMPTY = new Plan(NodeIdentity.none(), List.of(), Map.of(), new java.util.TreeSet<>(),
            IdRegistry.empty(), IdRegistry.empty(), List.of());

    /**
     * services: sorted by name. virtualIps: every ClusterIP; a packet to one of them on a port or
     * protocol no Service defines is rejected, as kube-proxy's nftables mode does.
     */
    public Plan {
        services = List.copyOf(services);
        backends = Map.copyOf(backends);
        virtualIps = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(virtualIps));
        problems = List.copyOf(problems);
    }

    /** The Service with this ID, or null. */
    public ServicePlan service(int id) {
        for (ServicePlan s : services) {
            if (s.id() == id) {
                return s;
            }
        }
        return null;
    }

    /**
     * This plan, except for the Services with these IDs, which are as they were in before (or absent
     * where before had none): what the dataplane holds when the changes to those Services could not
     * be applied. The backends and ClusterIPs they still name are kept with them; their Maglev tables
     * are marked unknown, since a failed write may have changed some slots.
     */
    public Plan withServicesFrom(Plan before, java.util.Set<Integer> ids) {
        if (ids.isEmpty()) {
            return this;
        }
        List<ServicePlan> kept = new java.util.ArrayList<>();
        for (ServicePlan s : services) {
            if (!ids.contains(s.id())) {
                kept.add(s);
            }
        }
        Map<Integer, Backend> keptBackends = new java.util.HashMap<>(backends);
        java.util.SortedSet<dev.hotline.net.Ipv4> keptVips = new java.util.TreeSet<>(virtualIps);
        for (ServicePlan s : before.services()) {
            if (ids.contains(s.id())) {
                // its table may have been written in part before the failure: the next diff writes it whole
                kept.add(s.table().size() == 0 ? s : s.withTable(MaglevTable.unknownOfSize(s.table().size())));
                s.backends().forEach(sb -> keptBackends.putIfAbsent(sb.backend().id(), before.backends().get(sb.backend().id())));
                s.frontends().stream().filter(f -> f.kind() == FrontendKind.CLUSTER_IP).forEach(f -> keptVips.add(f.address()));
            }
        }
        keptBackends.values().removeIf(java.util.Objects::isNull);
        kept.sort(java.util.Comparator.comparing(ServicePlan::name).thenComparing(ServicePlan::protocol)
                .thenComparing(ServicePlan::scope));
        return new Plan(node, kept, keptBackends, keptVips, serviceIds, backendIds, problems);
    }

    public int frontendCount() {
        return services.stream().mapToInt(s -> s.frontends().size()).sum();
    }
}
