package dev.hotline.dataplane.userspace;

import dev.hotline.plan.Backend;
import dev.hotline.plan.Frontend;
import dev.hotline.plan.MapOp;
import dev.hotline.plan.ServiceEntry;
import java.util.List;

/**
 * The user-space twin of the BPF program's Service maps: frontends (service map), ClusterIPs,
 * backends and Maglev tables, written only through plan diffs. Lookups are O(1) and allocation-free.
 */
final class ServiceMaps implements MapOp.Handler {
    // service map values
    static final int S_ID = 0;
    static final int S_ACTIVE = 1;
    static final int S_TABLE_SIZE = 2;
    static final int S_FLAGS = 3;
    static final int S_AFFINITY_TIMEOUT = 4;
    // the flags word is ServiceEntry.flags(), the scope byte Frontend.scope(): the encodings the BPF maps hold
    // backend map values
    static final int B_ADDRESS = 0; // ip << 32 | port << 16 | proto
    static final int B_LOCAL = 1;
    static final int B_PACKETS = 2;

    private final OpenHashTable services = new OpenHashTable(1024, 5, true);
    final SourceRanges sourceRanges = new SourceRanges();
    final Affinity affinity = new Affinity(dev.hotline.dataplane.DataplaneConfig.AFFINITY_ENTRIES);
    private final OpenHashTable virtualIps = new OpenHashTable(256, 0, true);
    private final OpenHashTable backends = new OpenHashTable(1024, 3, true);
    // by service ID, grown as IDs appear (on apply, never on the packet path)
    private int[][] maglev = new int[256][];
    private long[] servicePackets = new long[256];

    static long frontendKey(int ip, int port, int proto, int scope) {
        return ((long) scope << 56) | ((ip & 0xffffffffL) << 24) | ((long) port << 8) | proto;
    }

    void apply(List<MapOp> ops) {
        for (MapOp op : ops) {
            op.applyTo(this);
        }
    }

    @Override
    public void upsertBackend(MapOp.UpsertBackend u) {
        Backend b = u.backend();
        int slot = backends.insert(b.id(), 0);
        backends.set(slot, B_ADDRESS, ((long) b.key().address().value() << 32)
                | ((long) b.key().port() << 16) | b.key().protocol().number());
        backends.set(slot, B_LOCAL, b.local() ? 1 : 0);
    }

    @Override
    public void deleteBackend(MapOp.DeleteBackend d) {
        backends.remove(d.backendId(), 0);
    }

    @Override
    public void upsertMaglevSlots(MapOp.UpsertMaglevSlots u) {
        ensureServiceId(u.serviceId());
        int[] t = maglev[u.serviceId()];
        if (t == null || t.length < u.tableSize()) {
            // grow, never shrink here: the service entry may still name the old, larger size
            t = t == null ? new int[u.tableSize()] : java.util.Arrays.copyOf(t, u.tableSize());
            maglev[u.serviceId()] = t;
        }
        for (int i = 0, n = u.count(); i < n; i++) {
            t[u.position(i)] = u.backendId(i);
        }
    }

    @Override
    public void deleteMaglevSlots(MapOp.DeleteMaglevSlots d) {
        int[] t = d.serviceId() < maglev.length ? maglev[d.serviceId()] : null;
        if (t != null) {
            if (d.from() == 0 && d.to() >= t.length) {
                maglev[d.serviceId()] = null;
            } else {
                java.util.Arrays.fill(t, d.from(), Math.min(d.to(), t.length), 0);
            }
        }
    }

    @Override
    public void upsertService(MapOp.UpsertService u) {
        Frontend f = u.frontend();
        ServiceEntry e = u.entry();
        ensureServiceId(e.serviceId());
        int slot = services.insert(frontendKey(f.address().value(), f.port(), f.protocol().number(), f.scope()), 0);
        services.set(slot, S_ID, e.serviceId());
        services.set(slot, S_ACTIVE, e.activeBackends());
        services.set(slot, S_TABLE_SIZE, e.tableSize());
        services.set(slot, S_FLAGS, e.flags());
        services.set(slot, S_AFFINITY_TIMEOUT, e.affinityTimeout());
    }

    @Override
    public void deleteService(MapOp.DeleteService d) {
        Frontend f = d.frontend();
        services.remove(frontendKey(f.address().value(), f.port(), f.protocol().number(), f.scope()), 0);
    }

    @Override
    public void upsertSourceRange(MapOp.UpsertSourceRange u) {
        sourceRanges.add(u.serviceId(), u.range().address().value(), u.range().prefix());
    }

    @Override
    public void deleteSourceRange(MapOp.DeleteSourceRange d) {
        sourceRanges.remove(d.serviceId(), d.range().address().value(), d.range().prefix());
    }

    @Override
    public void upsertAffinityMatch(MapOp.UpsertAffinityMatch u) {
        affinity.allow(u.serviceId(), u.backendId());
    }

    @Override
    public void deleteAffinityMatch(MapOp.DeleteAffinityMatch d) {
        affinity.disallow(d.serviceId(), d.backendId());
    }

    @Override
    public void upsertVirtualIp(MapOp.UpsertVirtualIp v) {
        virtualIps.insert(v.address().value(), 0);
    }

    @Override
    public void deleteVirtualIp(MapOp.DeleteVirtualIp v) {
        virtualIps.remove(v.address().value(), 0);
    }

    private void ensureServiceId(int id) {
        if (id >= maglev.length) {
            int n = Math.max(id + 1, maglev.length * 2);
            maglev = java.util.Arrays.copyOf(maglev, n);
            servicePackets = java.util.Arrays.copyOf(servicePackets, n);
        }
    }

    void countService(int id) {
        servicePackets[id]++;
    }

    java.util.Map<Integer, Long> serviceCounters() {
        java.util.Map<Integer, Long> out = new java.util.TreeMap<>();
        for (int i = 0; i < servicePackets.length; i++) {
            if (servicePackets[i] != 0) {
                out.put(i, servicePackets[i]);
            }
        }
        return out;
    }

    /** Slot of the frontend's service entry in that scope, or -1. */
    int findService(int ip, int port, int proto, int scope) {
        return services.find(frontendKey(ip, port, proto, scope), 0);
    }

    long service(int slot, int field) {
        return services.get(slot, field);
    }

    boolean isVirtualIp(int ip) {
        return virtualIps.find(ip, 0) >= 0;
    }

    /** The backend ID in slot of the service's Maglev table, 0 when there is none. */
    int maglevBackend(int serviceId, int slot) {
        int[] t = maglev[serviceId];
        return t == null || slot >= t.length ? 0 : t[slot];
    }

    /** Slot of the backend, or -1 when it is gone. */
    int findBackend(int id) {
        return backends.find(id, 0);
    }

    long backend(int slot, int field) {
        return backends.get(slot, field);
    }

    void countBackend(int slot) {
        backends.set(slot, B_PACKETS, backends.get(slot, B_PACKETS) + 1);
    }

    /** Every backend's ID by its address (ip << 32 | port << 16 | proto, as B_ADDRESS holds it). */
    java.util.Map<Long, Integer> backendIdsByAddress() {
        java.util.Map<Long, Integer> out = new java.util.HashMap<>();
        for (int s = 0; s < backends.capacity(); s++) {
            if (backends.isUsed(s)) {
                out.put(backends.get(s, B_ADDRESS), (int) backends.key1(s));
            }
        }
        return out;
    }

    java.util.Map<Integer, Long> backendCounters() {
        java.util.Map<Integer, Long> out = new java.util.TreeMap<>();
        for (int s = 0; s < backends.capacity(); s++) {
            if (backends.isUsed(s) && backends.get(s, B_PACKETS) > 0) {
                out.put((int) backends.key1(s), backends.get(s, B_PACKETS));
            }
        }
        return out;
    }
}
