package dev.hotline.dataplane.userspace;

import dev.hotline.plan.Frontend;
import dev.hotline.plan.ServiceEntry;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.DataplaneCounters;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Reason;
import dev.hotline.dataplane.Verdict;
import dev.hotline.plan.MapOp;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The Service packet path in Java: the entry and the order of the steps, step for step what
 * bpf/hotline.bpf.c does, on raw frame bytes, without allocating. Each concern has its own class
 * named after the C header it mirrors ({@link Packet} parse.h, {@link Conntrack} conntrack.h,
 * {@link LoadBalancer} lb.h, {@link Nat} nat.h, {@link IcmpErrors} icmp.h, {@link Reject} reject.h),
 * with the C function's name in each method's comment; docs/design.md walks through the steps.
 * <ol>
 *   <li>parse Ethernet II, IPv4 (IHL honoured), TCP/UDP/ICMP; anything else or malformed passes, counted;</li>
 *   <li>a reply of a translated flow gets the Service address back as its source (and the client as
 *       its destination after SNAT);</li>
 *   <li>a packet of a known flow goes to the same backend while that backend exists;</li>
 *   <li>a new flow to a frontend takes a backend from the Maglev table by the flow hash, is
 *       recorded, and is DNATed; a NodePort flow to a backend on another node is also SNATed to
 *       the node address and a free port, and a pod's flow that lands on the pod itself (hairpin) to
 *       the hairpin address and a free port;</li>
 *   <li>a frontend without backends, or a ClusterIP on a port or protocol no Service defines, is
 *       rejected (TCP RST, ICMP port unreachable for UDP);</li>
 *   <li>everything else passes unchanged.</li>
 * </ol>
 * Not thread-safe: one instance per thread of frames, maps updated between frames.
 */
public final class UserspaceDataplane implements Dataplane {
    private final DataplaneConfig config;
    private final ServiceMaps maps = new ServiceMaps();
    private final LoadBalancer lb = new LoadBalancer(maps);
    private final Conntrack conntrack;
    private final Packet packet = new Packet();
    private final Fragments fragments = new Fragments();
    private final long[] verdicts = new long[Verdict.values().length];
    private final long[] reasons = new long[Reason.values().length];

    public UserspaceDataplane(DataplaneConfig config) {
        this.config = config;
        this.conntrack = new Conntrack(config);
        for (dev.hotline.net.Cidr c : config.clusterCidrs()) {
            maps.sourceRanges.add(DataplaneConfig.CLUSTER_SOURCES, c.address().value(), c.prefix());
        }
    }

    @Override
    public String name() {
        return "userspace";
    }

    @Override
    public void apply(List<MapOp> ops) {
        maps.apply(ops);
    }

    /** Writes conntrack for a later agent on this machine (the live dataplane's restarts). */
    public void saveConntrack(java.io.DataOutputStream out) throws java.io.IOException {
        conntrack.writeTo(out);
    }

    /**
     * Reads conntrack a previous agent saved, once the plan is applied: flows keep their backends
     * under the IDs those have now; flows to backends gone or past their expiry stay out.
     * Returns {restored, left out}.
     */
    public int[] restoreConntrack(java.io.DataInputStream in, long now) throws java.io.IOException {
        java.util.Map<Long, Integer> ids = maps.backendIdsByAddress();
        return conntrack.readFrom(in, address -> ids.getOrDefault(address, -1), now);
    }

    /** hotline_ingress, with res_finish's counting at the end. */
    @Override
    public void process(byte[] f, int len, long now, PacketResult r) {
        r.reset();
        r.length = len;
        steps(f, len, now, r);
        verdicts[r.verdict.ordinal()]++;
        reasons[r.reason.ordinal()]++;
        if (r.serviceId != 0) {
            maps.countService(r.serviceId);
        }
        if (r.verdict == Verdict.DROP) {
            r.length = 0;
        }
    }

    private void steps(byte[] f, int len, long now, PacketResult r) {
        Packet p = packet;
        // 1. parse; a later fragment takes its datagram's ports from the first fragment's record
        int parsed = p.parse(f, len, r);
        if (parsed == Packet.PASS) {
            return;
        }
        if (parsed == Packet.FRAGMENT && !fragments.ports(p, now)) {
            return;
        }
        if (p.frag == Packet.FRAG_FIRST) {
            fragments.record(p, now);
        }
        if (parsed == Packet.ICMP) {
            // nothing answers pings to a virtual address; say so with a counter
            if (!IcmpErrors.reverseError(f, p, conntrack, now, r) && lb.isClusterIp(p.daddr)) {
                drop(r, Reason.ICMP_TO_CLUSTER_IP);
            }
            return;
        }
        long k1 = Conntrack.key1(p.saddr, p.daddr);
        long k2 = Conntrack.key2(p.sport, p.dport, p.proto);

        // 2. a reply of a translated flow
        int flow = conntrack.findReply(k1, k2, now);
        if (flow >= 0) {
            stepReply(f, p, flow, now, r);
            return;
        }

        // 3. a packet of a known flow, unless its port was reused after a close or its backend is gone
        flow = conntrack.lookupForward(k1, k2);
        if (flow >= 0 && now < conntrack.forward(flow, Conntrack.F_EXPIRES)) {
            if (!conntrack.reopened(flow, p) && lb.backend((int) (conntrack.forward(flow, Conntrack.F_IDS) >>> 32)) >= 0) {
                stepEstablished(f, p, flow, now, r);
                return;
            }
            conntrack.removeFlow(flow);
            flow = -1;
        }
        // flow is now -1, or this tuple's expired flow, which a new flow removes first

        // a later fragment never starts a flow, nor is refused: it passes, counted
        if (p.frag >= Packet.FRAG_LATER) {
            return;
        }

        // 4. a new flow to a frontend; 5. rejected when the Service has no backend
        int svc = lb.lookupService(p, Frontend.SCOPE_EXTERNAL);
        if (svc >= 0) {
            int serviceId = (int) maps.service(svc, ServiceMaps.S_ID);
            r.serviceId = serviceId;
            long flags = maps.service(svc, ServiceMaps.S_FLAGS);
            if ((flags & ServiceEntry.FLAG_SOURCE_RANGES) != 0 && !lb.sourceIn(serviceId, p.saddr)) {
                drop(r, Reason.SOURCE_RANGE);
                return;
            }
            if ((flags & ServiceEntry.FLAG_INTERNAL_VIEW) != 0 && lb.sourceIn(DataplaneConfig.CLUSTER_SOURCES, p.saddr)) {
                int inCluster = lb.lookupService(p, Frontend.SCOPE_INTERNAL);
                if (inCluster >= 0) {
                    svc = inCluster;
                    serviceId = (int) maps.service(svc, ServiceMaps.S_ID);
                    r.serviceId = serviceId;
                    flags = maps.service(svc, ServiceMaps.S_FLAGS);
                }
            }
            int tableSize = (int) maps.service(svc, ServiceMaps.S_TABLE_SIZE);
            if (maps.service(svc, ServiceMaps.S_ACTIVE) == 0 || tableSize == 0) {
                if ((flags & ServiceEntry.FLAG_DROP_EMPTY) != 0) {
                    drop(r, Reason.NO_LOCAL_ENDPOINT);
                } else {
                    Reject.reply(f, p, r);
                }
                return;
            }
            int hash = LoadBalancer.flowHash(p);
            int affinity = (int) maps.service(svc, ServiceMaps.S_AFFINITY_TIMEOUT);
            int backendId = affinity != 0 ? lb.selectAffine(serviceId, tableSize, affinity, p.saddr, hash, now)
                    : lb.selectBackend(serviceId, tableSize, hash);
            int backendSlot = backendId == 0 ? -1 : lb.backend(backendId);
            if (backendSlot < 0) {
                Reject.reply(f, p, r);
                return;
            }
            stepNewFlow(f, p, k1, k2, flow, hash, svc, serviceId, backendId, backendSlot, now, r);
            return;
        }

        // 5. a ClusterIP on a port or protocol no Service defines
        if (lb.isClusterIp(p.daddr)) {
            Reject.reply(f, p, r);
        }
        // 6. not ours
    }

    /** step_reply: a reply of a translated flow gets the Service address back as its source. */
    private void stepReply(byte[] f, Packet p, int flow, long now, PacketResult r) {
        int flags = conntrack.refreshReply(flow, p, now);
        long k1 = conntrack.forwardKey1(flow);
        long k2 = conntrack.forwardKey2(flow);
        long a = conntrack.forward(flow, Conntrack.F_BACKEND);
        long ids = conntrack.forward(flow, Conntrack.F_IDS);
        int backendId = (int) (ids >>> 32);
        Nat.reverse(f, p, (int) (k1 >>> 32), (int) ((k2 >>> 24) & 0xffff), (int) k1, (int) ((k2 >>> 8) & 0xffff),
                (flags & Conntrack.FLAG_SNAT) != 0);
        lb.countBackend(backendId);
        translated(r, Verdict.REVERSE, (int) ids, backendId, (int) (a >>> 32), (int) ((a >>> 16) & 0xffff));
    }

    /** step_established: a packet of a known flow goes to the backend it was given. */
    private void stepEstablished(byte[] f, Packet p, int flow, long now, PacketResult r) {
        int flags = conntrack.refreshForward(flow, p, now);
        boolean snat = (flags & Conntrack.FLAG_SNAT) != 0;
        long a = conntrack.forward(flow, Conntrack.F_BACKEND);
        long s = conntrack.forward(flow, Conntrack.F_SNAT);
        long ids = conntrack.forward(flow, Conntrack.F_IDS);
        int backendIp = (int) (a >>> 32);
        int backendPort = (int) ((a >>> 16) & 0xffff);
        int backendId = (int) (ids >>> 32);
        Nat.forward(f, p, backendIp, backendPort, snat, (int) (s >>> 32), (int) ((s >>> 16) & 0xffff));
        lb.countBackend(backendId);
        translated(r, snat ? Verdict.DNAT_SNAT : Verdict.DNAT, (int) ids, backendId, backendIp, backendPort);
    }

    /**
     * step_new_flow: a new flow to a frontend whose Maglev slot gave this backend: record it, then
     * translate. An expired flow of the same tuple, found by step 3, is removed first.
     */
    private void stepNewFlow(byte[] f, Packet p, long k1, long k2, int expired, int hash, int svc, int serviceId,
                             int backendId, int backendSlot, long now, PacketResult r) {
        long address = maps.backend(backendSlot, ServiceMaps.B_ADDRESS);
        int backendIp = (int) (address >>> 32);
        int backendPort = (int) ((address >>> 16) & 0xffff);
        long svcFlags = maps.service(svc, ServiceMaps.S_FLAGS);
        boolean nodePort = (svcFlags & ServiceEntry.FLAG_NODE_PORT) != 0;
        // to a NodePort, the node address the client reached; to an externalIP or LB IP, the node's own
        int nodeIp = (svcFlags & ServiceEntry.FLAG_SNAT_NODE) != 0 && config.nodeAddress() != 0 ? config.nodeAddress() : p.daddr;
        // hairpin: a pod landing on itself would get a frame from its own address, dropped as martian
        boolean hairpin = backendIp == p.saddr;
        boolean snat = hairpin || (nodePort && maps.backend(backendSlot, ServiceMaps.B_LOCAL) == 0);
        int snatIp = 0;
        int snatPort = 0;
        long rk1;
        long rk2;
        if (expired >= 0) {
            conntrack.removeFlow(expired);
        }
        if (snat) {
            // the source the backend will answer to: the hairpin address, or the node address the client reached
            snatIp = hairpin ? config.hairpinAddress() : nodeIp;
            snatPort = Nat.snatClaim(config, conntrack, backendIp, backendPort, snatIp, p.proto, hash, now);
            if (snatPort < 0) {
                drop(r, Reason.SNAT_PORTS_EXHAUSTED);
                return;
            }
            rk1 = Conntrack.key1(backendIp, snatIp);
            rk2 = Conntrack.key2(backendPort, snatPort, p.proto);
        } else {
            rk1 = Conntrack.key1(backendIp, p.saddr);
            rk2 = Conntrack.key2(backendPort, p.sport, p.proto);
        }
        // a SNAT port was chosen free; the client's own tuple may take over a closed flow's (ct_claim_reply)
        int flow = conntrack.create(k1, k2, rk1, rk2, now, !snat && Conntrack.opening(p));
        if (flow < 0) {
            drop(r, flow == Conntrack.CLASH ? Reason.CONNTRACK_CLASH : Reason.CONNTRACK_FULL);
            return;
        }
        int flags = (snat ? Conntrack.FLAG_SNAT : 0) | Conntrack.forwardFlags(p.tcpFlags);
        conntrack.setForward(flow, Conntrack.F_BACKEND, ((long) backendIp << 32) | ((long) backendPort << 16));
        conntrack.setForward(flow, Conntrack.F_SNAT, ((long) snatIp << 32) | ((long) snatPort << 16) | flags);
        conntrack.setForward(flow, Conntrack.F_IDS, ((long) backendId << 32) | (serviceId & 0xffffffffL));
        conntrack.setForward(flow, Conntrack.F_EXPIRES, now + conntrack.timeout(p.proto, flags));
        Nat.forward(f, p, backendIp, backendPort, snat, snatIp, snatPort);
        maps.countBackend(backendSlot);
        translated(r, snat ? Verdict.DNAT_SNAT : Verdict.DNAT, serviceId, backendId, backendIp, backendPort);
    }

    /** res_translated */
    static void translated(PacketResult r, Verdict v, int serviceId, int backendId, int backendIp, int backendPort) {
        r.verdict = v;
        r.reason = Reason.TRANSLATED;
        r.serviceId = serviceId;
        r.backendId = backendId;
        r.backendIp = backendIp;
        r.backendPort = backendPort;
    }

    /** res_drop */
    static void drop(PacketResult r, Reason reason) {
        r.verdict = Verdict.DROP;
        r.reason = reason;
    }

    /** Expired flows, and fragment records past their time (as the agent's sweep of the kernel's maps). */
    @Override
    public int sweepConntrack(long nowNanos) {
        fragments.sweep(nowNanos);
        return conntrack.sweep(nowNanos);
    }

    @Override
    public DataplaneCounters counters() {
        Map<Verdict, Long> byVerdict = new EnumMap<>(Verdict.class);
        for (Verdict v : Verdict.values()) {
            byVerdict.put(v, verdicts[v.ordinal()]);
        }
        Map<Reason, Long> byReason = new EnumMap<>(Reason.class);
        for (Reason x : Reason.values()) {
            byReason.put(x, reasons[x.ordinal()]);
        }
        return new DataplaneCounters(byVerdict, byReason, maps.serviceCounters(), maps.backendCounters(), conntrack.size());
    }

    @Override
    public void close() {
        // nothing held outside the heap
    }
}
