package dev.hotline.plan;

import dev.hotline.net.Protocol;
import java.util.List;

/**
 * What the dataplane holds for one Service port in one scope: its ID (the value every frontend
 * entry points at), its frontends, every backend with its state, and the Maglev table over the
 * active ones. No active backend means an empty table: the frontends reject.
 */
public record ServicePlan(int id, ServicePortName name, Protocol protocol, ServiceScope scope,
                          List<Frontend> frontends, List<ServiceBackend> backends, MaglevTable table, ServiceOptions options) {

    public ServicePlan {
        frontends = List.copyOf(frontends);
        backends = List.copyOf(backends);
        options = options == null ? ServiceOptions.NONE : options;
    }

    /** The same Service with another table (one marked unknown after a failed write). */
    ServicePlan withTable(MaglevTable t) {
        return new ServicePlan(id, name, protocol, scope, frontends, backends, t, options);
    }

    /** The source ranges the maps hold for this Service: only when some frontend checks them. */
    public List<dev.hotline.net.Cidr> checkedSourceRanges() {
        for (Frontend f : frontends) {
            if (f.kind() == FrontendKind.LOAD_BALANCER && !f.internal() && options.sourceRestricted()) {
                return options.sourceRanges();
            }
        }
        return List.of();
    }

    /** The backend IDs a client's affinity may keep (the active ones), when the Service has affinity; else none. */
    public List<Integer> affinityBackends() {
        if (options.affinityTimeout() == 0) {
            return List.of();
        }
        return backends.stream().filter(ServiceBackend::active).map(sb -> sb.backend().id()).sorted().distinct().toList();
    }

    /**
     * The name people read: "namespace/name:portName", or "namespace/name:port" for a Service's
     * only, unnamed port. (The trace keeps {@link ServicePortName#toString()}, its contract.)
     */
    public String displayName() {
        if (!name.port().isEmpty()) {
            return name.toString();
        }
        int port = frontends.stream().filter(f -> f.kind() == FrontendKind.CLUSTER_IP).mapToInt(Frontend::port).findFirst()
                .orElse(frontends.isEmpty() ? 0 : frontends.get(0).port());
        return name.namespace() + "/" + name.name() + ":" + port;
    }

    public long activeBackends() {
        return backends.stream().filter(ServiceBackend::active).count();
    }

    /** The key its ID is kept under across plans. */
    ServiceKey key() {
        return new ServiceKey(name, protocol, scope);
    }

    record ServiceKey(ServicePortName name, Protocol protocol, ServiceScope scope) implements Comparable<ServiceKey> {
        @Override
        public int compareTo(ServiceKey o) {
            int c = name.compareTo(o.name);
            if (c == 0) {
                c = protocol.compareTo(o.protocol);
            }
            return c != 0 ? c : scope.compareTo(o.scope);
        }
    }
}
