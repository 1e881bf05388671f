package dev.hotline.dataplane.userspace;

import static dev.hotline.packet.Frame.ETH_HLEN;
import static dev.hotline.packet.Frame.PROTO_ICMP;
import static dev.hotline.packet.Frame.PROTO_TCP;
import static dev.hotline.packet.Frame.PROTO_UDP;

import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.DataplaneCounters;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Reason;
import dev.hotline.dataplane.Verdict;
import dev.hotline.packet.Bytes;
import dev.hotline.packet.Checksum;
import dev.hotline.packet.FlowHash;
import dev.hotline.packet.Frame;
import dev.hotline.plan.MapOp;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The Service packet path in Java, step for step what the BPF program does (see DESIGN.md,
 * "The packet path"), on raw frame bytes, without allocating:
 * <ol>
 *   <li>parse Ethernet II, IPv4 (IHL honoured), TCP/UDP/ICMP; anything else or malformed passes, counted;</li>
 *   <li>a reply of a translated flow gets the Service address back as its source (and the client as
 *       its destination after SNAT);</li>
 *   <li>a packet of a known flow goes to the same backend while that backend exists;</li>
 *   <li>a new flow to a frontend takes a backend from the Maglev table by {@link FlowHash}, is
 *       recorded, and is DNATed; a NodePort flow to a backend on another node is also SNATed to
 *       the node address and a free port;</li>
 *   <li>a frontend without backends, or a ClusterIP on a port or protocol no Service defines, is
 *       rejected (TCP RST, ICMP port unreachable for UDP);</li>
 *   <li>everything else passes unchanged.</li>
 * </ol>
 * Checksums are updated incrementally with the kernel's own arithmetic ({@link Checksum}).
 * Not thread-safe: one instance per thread of frames, maps updated between frames.
 */
public final class UserspaceDataplane implements Dataplane {
    /** How many SNAT ports are tried, from a hash of the flow, before a new NodePort flow is refused. */
    static final int SNAT_TRIES = 32;
    static final int SNAT_SEED = 0x5bd1e995;

    private final DataplaneConfig config;
    private final ServiceMaps maps = new ServiceMaps();
    private final Conntrack conntrack;
    private final long[] verdicts = new long[Verdict.values().length];
    private final long[] reasons = new long[Reason.values().length];

    public UserspaceDataplane(DataplaneConfig config) {
        this.config = config;
        this.conntrack = new Conntrack(config);
    }

    @Override
    public String name() {
        return "userspace";
    }

    @Override
    public void apply(List<MapOp> ops) {
        maps.apply(ops);
    }

    @Override
    public void process(byte[] f, int len, long now, PacketResult r) {
        r.reset();
        r.length = len;
        classify(f, len, now, r);
        verdicts[r.verdict.ordinal()]++;
        reasons[r.reason.ordinal()]++;
        if (r.serviceId != 0) {
            maps.countService(r.serviceId);
        }
        if (r.verdict == Verdict.DROP) {
            r.length = 0;
        }
    }

    private void classify(byte[] f, int len, long now, PacketResult r) {
        if (len < ETH_HLEN) {
            r.reason = Reason.TRUNCATED;
            return;
        }
        int ethType = Bytes.be16(f, Frame.ETH_TYPE);
        if (ethType != Frame.ETH_P_IP) {
            r.reason = ethType == Frame.ETH_P_8021Q || ethType == Frame.ETH_P_8021AD ? Reason.VLAN : Reason.NOT_IPV4;
            return;
        }
        if (len < ETH_HLEN + Frame.IP_MIN_HLEN) {
            r.reason = Reason.TRUNCATED;
            return;
        }
        int vihl = Bytes.u8(f, Frame.IP_VIHL);
        int ihl = (vihl & 0xf) * 4;
        if ((vihl >>> 4) != 4 || ihl < Frame.IP_MIN_HLEN) {
            r.reason = Reason.BAD_IP_HEADER;
            return;
        }
        if (ETH_HLEN + ihl > len) {
            r.reason = Reason.TRUNCATED;
            return;
        }
        int totalLength = Bytes.be16(f, Frame.IP_TOT_LEN);
        if (totalLength < ihl || ETH_HLEN + totalLength > len) {
            r.reason = Reason.BAD_TOTAL_LENGTH;
            return;
        }
        if ((Bytes.be16(f, Frame.IP_FRAG) & Frame.IP_FRAG_MASK) != 0) {
            r.reason = Reason.FRAGMENT;
            return;
        }
        int proto = Bytes.u8(f, Frame.IP_PROTO);
        int l4 = ETH_HLEN + ihl;
        int l4Length = totalLength - ihl;
        int saddr = Bytes.be32(f, Frame.IP_SADDR);
        int daddr = Bytes.be32(f, Frame.IP_DADDR);
        int tcpFlags = 0;
        if (proto == PROTO_TCP) {
            if (l4Length < Frame.TCP_MIN_HLEN) {
                r.reason = Reason.TRUNCATED;
                return;
            }
            int doff = (Bytes.u8(f, l4 + Frame.TCP_DOFF) >>> 4) * 4;
            if (doff < Frame.TCP_MIN_HLEN || doff > l4Length) {
                r.reason = Reason.BAD_L4_HEADER;
                return;
            }
            tcpFlags = Bytes.u8(f, l4 + Frame.TCP_FLAGS);
        } else if (proto == PROTO_UDP) {
            if (l4Length < Frame.UDP_HLEN) {
                r.reason = Reason.TRUNCATED;
                return;
            }
            int udpLength = Bytes.be16(f, l4 + Frame.UDP_LEN);
            if (udpLength < Frame.UDP_HLEN || udpLength > l4Length) {
                r.reason = Reason.BAD_L4_HEADER;
                return;
            }
        } else if (proto == PROTO_ICMP) {
            if (l4Length < Frame.ICMP_HLEN) {
                r.reason = Reason.TRUNCATED;
                return;
            }
            if (icmpError(f, l4, l4Length, now, r)) {
                return;
            }
            if (maps.isVirtualIp(daddr)) {
                // nothing answers pings to a virtual address; say so with a counter rather than let it leak
                r.verdict = Verdict.DROP;
                r.reason = Reason.ICMP_TO_CLUSTER_IP;
            } else {
                r.reason = Reason.NO_SERVICE;
            }
            return;
        } else {
            r.reason = Reason.OTHER_PROTOCOL;
            return;
        }
        int sport = Bytes.be16(f, l4 + Frame.L4_SPORT);
        int dport = Bytes.be16(f, l4 + Frame.L4_DPORT);
        long k1 = Conntrack.key1(saddr, daddr);
        long k2 = Conntrack.key2(sport, dport, proto);

        // 2. a reply of a translated flow
        int flow = conntrack.findReply(k1, k2, now);
        if (flow >= 0) {
            reverse(f, l4, proto, tcpFlags, flow, now, r);
            return;
        }

        // 3. a packet of a known flow
        flow = conntrack.findForward(k1, k2, now);
        if (flow >= 0) {
            int flags = (int) conntrack.forward(flow, Conntrack.F_SNAT);
            boolean reopened = (tcpFlags & (Frame.TCP_SYN | Frame.TCP_ACK_FLAG)) == Frame.TCP_SYN && Conntrack.closing(flags);
            int backendSlot = maps.findBackend((int) (conntrack.forward(flow, Conntrack.F_IDS) >>> 32));
            if (!reopened && backendSlot >= 0) {
                established(f, l4, proto, tcpFlags, flow, backendSlot, now, r);
                return;
            }
            // the port was reused after a close, or the pinned backend is gone: a new flow
            conntrack.removeFlow(flow);
        }

        // 4. a new flow to a frontend
        int svc = maps.findService(daddr, dport, proto);
        if (svc >= 0) {
            int serviceId = (int) maps.service(svc, ServiceMaps.S_ID);
            r.serviceId = serviceId;
            int tableSize = (int) maps.service(svc, ServiceMaps.S_TABLE_SIZE);
            if (maps.service(svc, ServiceMaps.S_ACTIVE) == 0 || tableSize == 0) {
                reject(f, l4, l4Length, ihl, proto, tcpFlags, r);
                return;
            }
            int hash = FlowHash.tuple(saddr, daddr, sport, dport, proto);
            int backendId = maps.maglevBackend(serviceId, FlowHash.slot(hash, tableSize));
            int backendSlot = backendId == 0 ? -1 : maps.findBackend(backendId);
            if (backendSlot < 0) {
                reject(f, l4, l4Length, ihl, proto, tcpFlags, r);
                return;
            }
            newFlow(f, l4, proto, tcpFlags, k1, k2, hash, svc, serviceId, backendId, backendSlot, now, r);
            return;
        }

        // 5. a ClusterIP on a port or protocol no Service defines
        if (maps.isVirtualIp(daddr)) {
            reject(f, l4, l4Length, ihl, proto, tcpFlags, r);
            return;
        }
        // 6. not ours
        r.reason = Reason.NO_SERVICE;
    }

    private void newFlow(byte[] f, int l4, int proto, int tcpFlags, long k1, long k2, int hash, int svc, int serviceId,
                         int backendId, int backendSlot, long now, PacketResult r) {
        long address = maps.backend(backendSlot, ServiceMaps.B_ADDRESS);
        int backendIp = (int) (address >>> 32);
        int backendPort = (int) ((address >>> 16) & 0xffff);
        boolean nodePort = (maps.service(svc, ServiceMaps.S_FLAGS) & ServiceMaps.FLAG_NODE_PORT) != 0;
        boolean snat = nodePort && maps.backend(backendSlot, ServiceMaps.B_LOCAL) == 0;
        int saddr = (int) (k1 >>> 32);
        int daddr = (int) k1;
        int sport = (int) ((k2 >>> 24) & 0xffff);
        int snatIp = 0;
        int snatPort = 0;
        long rk1;
        long rk2;
        if (snat) {
            // the node address the client reached is the source the backend will answer to
            snatIp = daddr;
            snatPort = freeSnatPort(backendIp, backendPort, snatIp, proto, hash, now);
            if (snatPort < 0) {
                r.verdict = Verdict.DROP;
                r.reason = Reason.SNAT_PORTS_EXHAUSTED;
                return;
            }
            rk1 = Conntrack.key1(backendIp, snatIp);
            rk2 = Conntrack.key2(backendPort, snatPort, proto);
        } else {
            rk1 = Conntrack.key1(backendIp, saddr);
            rk2 = Conntrack.key2(backendPort, sport, proto);
        }
        int flow = conntrack.create(k1, k2, rk1, rk2, now);
        if (flow < 0) {
            r.verdict = Verdict.DROP;
            r.reason = Reason.CONNTRACK_FULL;
            return;
        }
        int flags = (snat ? Conntrack.FLAG_SNAT : 0) | forwardFlags(tcpFlags);
        conntrack.setForward(flow, Conntrack.F_BACKEND, ((long) backendIp << 32) | ((long) backendPort << 16));
        conntrack.setForward(flow, Conntrack.F_SNAT, ((long) snatIp << 32) | ((long) snatPort << 16) | flags);
        conntrack.setForward(flow, Conntrack.F_IDS, ((long) backendId << 32) | (serviceId & 0xffffffffL));
        conntrack.setForward(flow, Conntrack.F_EXPIRES, now + conntrack.timeout(proto, flags));
        translateForward(f, l4, proto, backendIp, backendPort, snat, snatIp, snatPort);
        maps.countBackend(backendSlot);
        fill(r, snat ? Verdict.DNAT_SNAT : Verdict.DNAT, serviceId, backendId, backendIp, backendPort);
    }

    private void established(byte[] f, int l4, int proto, int tcpFlags, int flow, int backendSlot, long now, PacketResult r) {
        long a = conntrack.forward(flow, Conntrack.F_BACKEND);
        long s = conntrack.forward(flow, Conntrack.F_SNAT);
        int backendIp = (int) (a >>> 32);
        int backendPort = (int) ((a >>> 16) & 0xffff);
        long ids = conntrack.forward(flow, Conntrack.F_IDS);
        int serviceId = (int) ids;
        int flags = (int) (s & 0xffff) | forwardFlags(tcpFlags);
        boolean snat = (flags & Conntrack.FLAG_SNAT) != 0;
        conntrack.setForward(flow, Conntrack.F_SNAT, (s & ~0xffffL) | flags);
        conntrack.setForward(flow, Conntrack.F_EXPIRES, now + conntrack.timeout(proto, flags));
        translateForward(f, l4, proto, backendIp, backendPort, snat, (int) (s >>> 32), (int) ((s >>> 16) & 0xffff));
        maps.countBackend(backendSlot);
        fill(r, snat ? Verdict.DNAT_SNAT : Verdict.DNAT, serviceId, (int) (ids >>> 32), backendIp, backendPort);
    }

    private void reverse(byte[] f, int l4, int proto, int tcpFlags, int flow, long now, PacketResult r) {
        long k1 = conntrack.forwardKey1(flow);
        long k2 = conntrack.forwardKey2(flow);
        long a = conntrack.forward(flow, Conntrack.F_BACKEND);
        long s = conntrack.forward(flow, Conntrack.F_SNAT);
        int flags = (int) (s & 0xffff) | Conntrack.FLAG_SEEN_REPLY;
        if ((tcpFlags & Frame.TCP_FIN) != 0) {
            flags |= Conntrack.FLAG_FIN_REV;
        }
        if ((tcpFlags & Frame.TCP_RST) != 0) {
            flags |= Conntrack.FLAG_RST;
        }
        conntrack.setForward(flow, Conntrack.F_SNAT, (s & ~0xffffL) | flags);
        conntrack.setForward(flow, Conntrack.F_EXPIRES, now + conntrack.timeout(proto, flags));
        int clientIp = (int) (k1 >>> 32);
        int frontendIp = (int) k1;
        int clientPort = (int) ((k2 >>> 24) & 0xffff);
        int frontendPort = (int) ((k2 >>> 8) & 0xffff);
        int csum = l4 + (proto == PROTO_TCP ? Frame.TCP_CSUM : Frame.UDP_CSUM);
        boolean udp = proto == PROTO_UDP;
        rewriteAddress(f, Frame.IP_SADDR, csum, frontendIp, udp);
        rewritePort(f, l4 + Frame.L4_SPORT, csum, frontendPort, udp);
        if ((flags & Conntrack.FLAG_SNAT) != 0) {
            rewriteAddress(f, Frame.IP_DADDR, csum, clientIp, udp);
            rewritePort(f, l4 + Frame.L4_DPORT, csum, clientPort, udp);
        }
        long ids = conntrack.forward(flow, Conntrack.F_IDS);
        int backendId = (int) (ids >>> 32);
        int backendSlot = maps.findBackend(backendId);
        if (backendSlot >= 0) {
            maps.countBackend(backendSlot);
        }
        fill(r, Verdict.REVERSE, (int) ids, backendId, (int) (a >>> 32), (int) ((a >>> 16) & 0xffff));
    }

    /**
     * An ICMP error (destination unreachable, time exceeded, parameter problem) about a translated
     * flow: the quoted datagram is the one the backend saw, so it gets the Service address back as
     * its destination (and the client as its source after SNAT), the ICMP is readdressed to the
     * client, and it comes from the Service address when the backend itself sent it. That is what
     * lets a client see "port unreachable" from a dead UDP backend, or "fragmentation needed" on a
     * TCP flow through a ClusterIP (path MTU discovery). The flow is not refreshed by it.
     * Returns false when the frame is not such an error.
     */
    private boolean icmpError(byte[] f, int l4, int l4Length, long now, PacketResult r) {
        int type = Bytes.u8(f, l4);
        if ((type != 3 && type != 11 && type != 12) || l4Length < Frame.ICMP_HLEN + Frame.IP_MIN_HLEN + 8) {
            return false;
        }
        int inner = l4 + Frame.ICMP_HLEN;
        int vihl = Bytes.u8(f, inner);
        int innerIhl = (vihl & 0xf) * 4;
        if ((vihl >>> 4) != 4 || innerIhl < Frame.IP_MIN_HLEN || Frame.ICMP_HLEN + innerIhl + 8 > l4Length) {
            return false;
        }
        int innerProto = Bytes.u8(f, inner + 9);
        if (innerProto != PROTO_TCP && innerProto != PROTO_UDP) {
            return false;
        }
        int innerL4 = inner + innerIhl;
        int isaddr = Bytes.be32(f, inner + 12);
        int idaddr = Bytes.be32(f, inner + 16);
        int isport = Bytes.be16(f, innerL4);
        int idport = Bytes.be16(f, innerL4 + 2);
        // the quoted datagram went client -> backend; its flow's reply tuple is backend -> client
        int flow = conntrack.findReply(Conntrack.key1(idaddr, isaddr), Conntrack.key2(idport, isport, innerProto), now);
        if (flow < 0) {
            return false;
        }
        long k1 = conntrack.forwardKey1(flow);
        long k2 = conntrack.forwardKey2(flow);
        long a = conntrack.forward(flow, Conntrack.F_BACKEND);
        long s = conntrack.forward(flow, Conntrack.F_SNAT);
        long ids = conntrack.forward(flow, Conntrack.F_IDS);
        int clientIp = (int) (k1 >>> 32);
        int frontendIp = (int) k1;
        int clientPort = (int) ((k2 >>> 24) & 0xffff);
        int frontendPort = (int) ((k2 >>> 8) & 0xffff);
        int backendIp = (int) (a >>> 32);
        boolean snat = ((int) s & Conntrack.FLAG_SNAT) != 0;
        int icmpCsum = l4 + 2;
        int innerUdpCsum = innerProto == PROTO_UDP ? innerL4 + Frame.UDP_CSUM : -1;
        rewriteQuotedAddress(f, inner, inner + 16, icmpCsum, innerUdpCsum, frontendIp);
        rewriteQuotedPort(f, innerL4 + 2, icmpCsum, innerUdpCsum, frontendPort);
        if (snat) {
            rewriteQuotedAddress(f, inner, inner + 12, icmpCsum, innerUdpCsum, clientIp);
            rewriteQuotedPort(f, innerL4, icmpCsum, innerUdpCsum, clientPort);
            rewriteOuterAddress(f, Frame.IP_DADDR, clientIp);
        }
        if (Bytes.be32(f, Frame.IP_SADDR) == backendIp) {
            rewriteOuterAddress(f, Frame.IP_SADDR, frontendIp);
        }
        fill(r, Verdict.REVERSE, (int) ids, (int) (ids >>> 32), backendIp, (int) ((a >>> 16) & 0xffff));
        return true;
    }

    /**
     * An address inside the quoted datagram: its IPv4 checksum, the quoted UDP checksum (pseudo
     * header), and the ICMP checksum for every 16 bits that changed; in this order, as in C.
     */
    private static void rewriteQuotedAddress(byte[] f, int innerIp, int off, int icmpCsum, int udpCsum, int value) {
        int from = Bytes.raw32(f, off);
        int to = Bytes.rawOfBe32(value);
        int ipCsum = innerIp + 10;
        int oldIpCsum = Bytes.raw16(f, ipCsum);
        Checksum.l3Replace4(f, ipCsum, from, to);
        Checksum.l4Replace(f, icmpCsum, oldIpCsum, Bytes.raw16(f, ipCsum), false);
        if (udpCsum >= 0) {
            int oldUdpCsum = Bytes.raw16(f, udpCsum);
            Checksum.l4Replace(f, udpCsum, from, to, true);
            Checksum.l4Replace(f, icmpCsum, oldUdpCsum, Bytes.raw16(f, udpCsum), false);
        }
        Checksum.l4Replace(f, icmpCsum, from, to, false);
        Bytes.putBe32(f, off, value);
    }

    private static void rewriteQuotedPort(byte[] f, int off, int icmpCsum, int udpCsum, int value) {
        int from = Bytes.raw16(f, off);
        int to = Bytes.rawOfBe16(value);
        if (udpCsum >= 0) {
            int oldUdpCsum = Bytes.raw16(f, udpCsum);
            Checksum.l4Replace(f, udpCsum, from, to, true);
            Checksum.l4Replace(f, icmpCsum, oldUdpCsum, Bytes.raw16(f, udpCsum), false);
        }
        Checksum.l4Replace(f, icmpCsum, from, to, false);
        Bytes.putBe16(f, off, value);
    }

    /** An outer address of an ICMP message: only the IPv4 checksum covers it (ICMP has no pseudo header). */
    private static void rewriteOuterAddress(byte[] f, int off, int value) {
        Checksum.l3Replace4(f, Frame.IP_CSUM, Bytes.raw32(f, off), Bytes.rawOfBe32(value));
        Bytes.putBe32(f, off, value);
    }

    private static int forwardFlags(int tcpFlags) {
        int flags = 0;
        if ((tcpFlags & Frame.TCP_FIN) != 0) {
            flags |= Conntrack.FLAG_FIN_FWD;
        }
        if ((tcpFlags & Frame.TCP_RST) != 0) {
            flags |= Conntrack.FLAG_RST;
        }
        return flags;
    }

    /** A port from the SNAT range whose reply tuple no live flow uses, probing from a hash of the flow; -1 if none. */
    private int freeSnatPort(int backendIp, int backendPort, int snatIp, int proto, int hash, long now) {
        int range = config.snatPortMax() - config.snatPortMin() + 1;
        int start = Integer.remainderUnsigned(FlowHash.mix(hash ^ SNAT_SEED), range);
        long rk1 = Conntrack.key1(backendIp, snatIp);
        for (int i = 0; i < SNAT_TRIES; i++) {
            int port = config.snatPortMin() + (start + i) % range;
            if (!conntrack.replyTupleTaken(rk1, Conntrack.key2(backendPort, port, proto), now)) {
                return port;
            }
        }
        return -1;
    }

    /** DNAT to the backend, then (NodePort to another node) SNAT to the node address; fields in the BPF program's order. */
    private static void translateForward(byte[] f, int l4, int proto, int backendIp, int backendPort, boolean snat,
                                         int snatIp, int snatPort) {
        int csum = l4 + (proto == PROTO_TCP ? Frame.TCP_CSUM : Frame.UDP_CSUM);
        boolean udp = proto == PROTO_UDP;
        rewriteAddress(f, Frame.IP_DADDR, csum, backendIp, udp);
        rewritePort(f, l4 + Frame.L4_DPORT, csum, backendPort, udp);
        if (snat) {
            rewriteAddress(f, Frame.IP_SADDR, csum, snatIp, udp);
            rewritePort(f, l4 + Frame.L4_SPORT, csum, snatPort, udp);
        }
    }

    /** One IPv4 address field: IP checksum, L4 checksum (pseudo-header), then the field; as the BPF helpers do. */
    private static void rewriteAddress(byte[] f, int off, int l4Csum, int value, boolean udp) {
        int from = Bytes.raw32(f, off);
        int to = Bytes.rawOfBe32(value);
        Checksum.l3Replace4(f, Frame.IP_CSUM, from, to);
        Checksum.l4Replace(f, l4Csum, from, to, udp);
        Bytes.putBe32(f, off, value);
    }

    private static void rewritePort(byte[] f, int off, int l4Csum, int value, boolean udp) {
        int from = Bytes.raw16(f, off);
        int to = Bytes.rawOfBe16(value);
        Checksum.l4Replace(f, l4Csum, from, to, udp);
        Bytes.putBe16(f, off, value);
    }

    private void reject(byte[] f, int l4, int l4Length, int ihl, int proto, int tcpFlags, PacketResult r) {
        r.reason = Reason.TRANSLATED;
        if (proto == PROTO_TCP) {
            if ((tcpFlags & Frame.TCP_RST) != 0) {
                r.verdict = Verdict.DROP;
                r.reason = Reason.RST_TO_NO_BACKEND;
                return;
            }
            r.length = RejectReplies.tcpReset(f, l4, l4Length);
        } else {
            r.length = RejectReplies.portUnreachable(f, ihl);
        }
        r.verdict = Verdict.REJECT;
    }

    private static void fill(PacketResult r, Verdict v, int serviceId, int backendId, int backendIp, int backendPort) {
        r.verdict = v;
        r.reason = Reason.TRANSLATED;
        r.serviceId = serviceId;
        r.backendId = backendId;
        r.backendIp = backendIp;
        r.backendPort = backendPort;
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
