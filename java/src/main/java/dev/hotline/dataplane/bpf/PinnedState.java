package dev.hotline.dataplane.bpf;

import dev.hotline.bpf.Abi;
import dev.hotline.bpf.BpfProgram;
import dev.hotline.dataplane.Reason;
import dev.hotline.dataplane.Verdict;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a node's pinned maps hold right now, read without loading a program or writing anything
 * (an agent may be running): frontends with their Service entry, backends, each Service's share
 * of its Maglev table per backend, conntrack flows, and the counters summed over CPUs. Addresses
 * and ports are host-order numbers here.
 */
public record PinnedState(List<FrontendEntry> frontends, Map<Integer, BackendEntry> backends,
                          Map<Integer, Map<Integer, Integer>> slotsByService, List<Flow> flows, Map<String, Long> byVerdict,
                          Map<String, Long> byReason, Map<Integer, Long> framesByService, int abiVersion, int configFlags) {

    public record FrontendEntry(int address, int port, int protocol, int serviceId, int activeBackends, int tableSize, int flags,
                                int scope) {
        public boolean nodePort() {
            return (flags & Abi.SVC_NODE_PORT) != 0;
        }

        /** What kind of frontend the entry is, as far as its flags and scope tell. */
        public String label() {
            if (scope == Abi.SCOPE_INTERNAL) {
                return "in-cluster view";
            }
            if ((flags & Abi.SVC_SNAT_NODE) != 0) {
                return "ExternalIP/LoadBalancer";
            }
            return nodePort() ? "NodePort" : "ClusterIP";
        }
    }

    public record BackendEntry(int id, int address, int port, int protocol, boolean local, long packets) {
    }

    public record Flow(int clientAddress, int clientPort, int frontendAddress, int frontendPort, int protocol, int serviceId,
                       int backendId, int backendAddress, int backendPort, int snatAddress, int snatPort, int flags, long expiresNanos) {
        public boolean snat() {
            return (flags & Abi.CT_SNAT) != 0;
        }
    }

    static int net32(ByteBuffer b, int off) {
        return Integer.reverseBytes(b.getInt(off));
    }

    static int net16(ByteBuffer b, int off) {
        return Short.toUnsignedInt(Short.reverseBytes(b.getShort(off)));
    }

    static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(Math.max(bytes, 16)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Reads the maps pinned under pinDir; throws with the reason when they are not there. */
    public static PinnedState read(String pinDir) {
        try (BpfProgram maps = BpfProgram.openPinned(pinDir)) {
            ByteBuffer zero = direct(4);
            ByteBuffer config = direct(Abi.CONFIG_SIZE + 64);
            if (!maps.lookup(Abi.MAP_CONFIG, zero, config)) {
                throw new IllegalStateException("no hl_config entry: no agent has written these maps");
            }
            int abi = config.getInt(Abi.CONFIG_ABI_VERSION);
            if (abi != Abi.VERSION) {
                throw new IllegalStateException("the maps were written by an agent of ABI version " + abi + "; this hotline reads version "
                        + Abi.VERSION);
            }
            List<FrontendEntry> frontends = new ArrayList<>();
            int n = (int) maps.count(Abi.MAP_SERVICES) + 16;
            ByteBuffer k = direct(n * Abi.FRONTEND_KEY_SIZE);
            ByteBuffer v = direct(n * Abi.SERVICE_SIZE);
            n = maps.dump(Abi.MAP_SERVICES, k, v, n);
            Map<Integer, int[]> tables = new TreeMap<>();
            for (int i = 0; i < n; i++) {
                int ko = i * Abi.FRONTEND_KEY_SIZE;
                int vo = i * Abi.SERVICE_SIZE;
                FrontendEntry f = new FrontendEntry(net32(k, ko + Abi.FRONTEND_KEY_ADDR), net16(k, ko + Abi.FRONTEND_KEY_PORT),
                        k.get(ko + Abi.FRONTEND_KEY_PROTO) & 0xff, v.getInt(vo + Abi.SERVICE_ID), v.getInt(vo + Abi.SERVICE_ACTIVE),
                        v.getInt(vo + Abi.SERVICE_TABLE_SIZE), v.getInt(vo + Abi.SERVICE_FLAGS), k.get(ko + Abi.FRONTEND_KEY_SCOPE) & 0xff);
                frontends.add(f);
                if (f.tableSize() > 0) {
                    tables.put(f.serviceId(), new int[] {v.getInt(vo + Abi.SERVICE_TABLE_OFFSET), f.tableSize()});
                }
            }
            frontends.sort((a, b) -> a.serviceId() != b.serviceId() ? Integer.compare(a.serviceId(), b.serviceId())
                    : Long.compare(Integer.toUnsignedLong(a.address()) << 16 | a.port(), Integer.toUnsignedLong(b.address()) << 16 | b.port()));
            Map<Integer, BackendEntry> backends = new TreeMap<>();
            int b = (int) maps.count(Abi.MAP_BACKENDS) + 16;
            ByteBuffer bk = direct(b * 4);
            ByteBuffer bv = direct(b * Abi.BACKEND_SIZE);
            b = maps.dump(Abi.MAP_BACKENDS, bk, bv, b);
            for (int i = 0; i < b; i++) {
                int vo = i * Abi.BACKEND_SIZE;
                int id = bk.getInt(i * 4);
                backends.put(id, new BackendEntry(id, net32(bv, vo + Abi.BACKEND_ADDR), net16(bv, vo + Abi.BACKEND_PORT),
                        bv.get(vo + Abi.BACKEND_PROTO) & 0xff, (bv.get(vo + Abi.BACKEND_FLAGS) & Abi.BACKEND_LOCAL) != 0,
                        bv.getLong(vo + Abi.BACKEND_PACKETS)));
            }
            // each Service's table: how many of its slots each backend holds
            Map<Integer, Map<Integer, Integer>> slots = new TreeMap<>();
            ByteBuffer idx = direct(4);
            ByteBuffer slot = direct(4);
            tables.forEach((service, range) -> {
                Map<Integer, Integer> shares = new TreeMap<>();
                for (int i = 0; i < range[1]; i++) {
                    idx.putInt(0, range[0] + i);
                    if (maps.lookup(Abi.MAP_MAGLEV, idx, slot) && slot.getInt(0) != 0) {
                        shares.merge(slot.getInt(0), 1, Integer::sum);
                    }
                }
                slots.put(service, shares);
            });
            List<Flow> flows = new ArrayList<>();
            int c = (int) maps.count(Abi.MAP_CT_FORWARD) + 16;
            ByteBuffer ck = direct(c * Abi.CT_KEY_SIZE);
            ByteBuffer cv = direct(c * Abi.CT_FORWARD_SIZE);
            c = maps.dump(Abi.MAP_CT_FORWARD, ck, cv, c);
            for (int i = 0; i < c; i++) {
                int ko = i * Abi.CT_KEY_SIZE;
                int vo = i * Abi.CT_FORWARD_SIZE;
                flows.add(new Flow(net32(ck, ko + Abi.CT_KEY_SADDR), net16(ck, ko + Abi.CT_KEY_SPORT), net32(ck, ko + Abi.CT_KEY_DADDR),
                        net16(ck, ko + Abi.CT_KEY_DPORT), ck.get(ko + Abi.CT_KEY_PROTO) & 0xff, cv.getInt(vo + Abi.CT_FORWARD_SERVICE_ID),
                        cv.getInt(vo + Abi.CT_FORWARD_BACKEND_ID), net32(cv, vo + Abi.CT_FORWARD_BACKEND_ADDR),
                        net16(cv, vo + Abi.CT_FORWARD_BACKEND_PORT), net32(cv, vo + Abi.CT_FORWARD_SNAT_ADDR),
                        net16(cv, vo + Abi.CT_FORWARD_SNAT_PORT), cv.getInt(vo + Abi.CT_FORWARD_FLAGS), cv.getLong(vo + Abi.CT_FORWARD_EXPIRES)));
            }
            int cpus = maps.possibleCpus();
            ByteBuffer perCpu = direct(8 * cpus);
            long[] stats = new long[Abi.STAT_MAX];
            for (int i = 0; i < Abi.STAT_MAX; i++) {
                idx.putInt(0, i);
                if (maps.lookup(Abi.MAP_STATS, idx, perCpu)) {
                    for (int cpu = 0; cpu < cpus; cpu++) {
                        stats[i] += perCpu.getLong(8 * cpu);
                    }
                }
            }
            Map<String, Long> byVerdict = new LinkedHashMap<>();
            for (Verdict verdict : Verdict.values()) {
                byVerdict.put(verdict.traceName(), stats[verdict.code()]);
            }
            Map<String, Long> byReason = new LinkedHashMap<>();
            for (Reason reason : Reason.values()) {
                if (reason.code() < Reason.KERNEL_REASONS) {
                    byReason.put(reason.name().toLowerCase(java.util.Locale.ROOT), stats[Abi.VERDICT_MAX + reason.code()]);
                }
            }
            Map<Integer, Long> byService = new TreeMap<>();
            for (FrontendEntry f : frontends) {
                if (!byService.containsKey(f.serviceId())) {
                    idx.putInt(0, f.serviceId());
                    long total = 0;
                    if (maps.lookup(Abi.MAP_SERVICE_STATS, idx, perCpu)) {
                        for (int cpu = 0; cpu < cpus; cpu++) {
                            total += perCpu.getLong(8 * cpu);
                        }
                    }
                    byService.put(f.serviceId(), total);
                }
            }
            return new PinnedState(frontends, backends, slots, flows, byVerdict, byReason, byService, abi,
                    config.getInt(Abi.CONFIG_FLAGS));
        }
    }
}
