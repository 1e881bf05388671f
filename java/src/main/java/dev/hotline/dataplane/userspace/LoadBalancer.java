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

    /** lb_lookup_service: the service map slot of the packet's frontend, or -1. */
    int lookupService(Packet p) {
        return maps.findService(p.daddr, p.dport, p.proto);
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
