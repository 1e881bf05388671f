package dev.hotline.dataplane.userspace;

import dev.hotline.packet.FlowHash;

/**
 * Load balancing (C: bpf/lib/lb.h, lb_*): frontends to Services, a Service's Maglev table to a
 * backend, backends to where they are, all over {@link ServiceMaps}. A new flow takes the slot its
 * flow hash lands on ({@link FlowHash}, the same function as hl_flow_hash).
 */
final class LoadBalancer {
    private final ServiceMaps maps;

    LoadBalancer(ServiceMaps maps) {
        this.maps = maps;
    }

    /** lb_lookup_service: the service map slot of the packet's frontend in that scope, or -1. */
    int lookupService(Packet p, int scope) {
        return maps.findService(p.daddr, p.dport, p.proto, scope);
    }

    /** lb_source_in: whether the address lies in a range kept under this id. */
    boolean sourceIn(int id, int addr) {
        return maps.sourceRanges.contains(id, addr);
    }

    /**
     * lb_select_affine: the backend this client had, while it opened a flow within the timeout and
     * the backend is still allowed; otherwise the Maglev slot's, remembered. 0 when there is none.
     */
    int selectAffine(int serviceId, int tableSize, int timeoutSeconds, int client, int hash, long now) {
        int kept = maps.affinity.kept(serviceId, client, timeoutSeconds * 1_000_000_000L, now);
        if (kept != 0 && maps.findBackend(kept) >= 0) {
            maps.affinity.remember(serviceId, client, kept, now);
            return kept;
        }
        int b = selectBackend(serviceId, tableSize, hash);
        if (b != 0 && maps.findBackend(b) >= 0) {
            maps.affinity.remember(serviceId, client, b, now);
        }
        return b;
    }

    /** lb_is_cluster_ip */
    boolean isClusterIp(int ip) {
        return maps.isVirtualIp(ip);
    }

    /** lb_backend: the backend map slot of a backend id, or -1 when it is gone. */
    int backend(int backendId) {
        return maps.findBackend(backendId);
    }

    /** lb_flow_hash */
    static int flowHash(Packet p) {
        return FlowHash.tuple(p.saddr, p.daddr, p.sport, p.dport, p.proto);
    }

    /** lb_select_backend: the backend id of the Maglev slot this hash lands on, or 0 (a slot not yet written). */
    int selectBackend(int serviceId, int tableSize, int hash) {
        return maps.maglevBackend(serviceId, FlowHash.slot(hash, tableSize));
    }

    /** lb_count_backend */
    void countBackend(int backendId) {
        int slot = maps.findBackend(backendId);
        if (slot >= 0) {
            maps.countBackend(slot);
        }
    }
}
