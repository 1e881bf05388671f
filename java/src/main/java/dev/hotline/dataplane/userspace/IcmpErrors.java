package dev.hotline.dataplane.userspace;

import static dev.hotline.packet.Frame.PROTO_TCP;
import static dev.hotline.packet.Frame.PROTO_UDP;

import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Verdict;
import dev.hotline.packet.Bytes;
import dev.hotline.packet.Checksum;
import dev.hotline.packet.Frame;

/**
 * ICMP errors (destination unreachable, time exceeded, parameter problem) about a translated flow
 * (C: bpf/lib/icmp.h, icmp_*). The quoted datagram is the one the backend saw, so it gets the
 * Service address back as its destination (and the client as its source after SNAT), the ICMP is
 * readdressed to the client, and it comes from the Service address when the backend itself sent
 * it. That is what lets a client see "port unreachable" from a dead UDP backend, or "fragmentation
 * needed" on a TCP flow through a ClusterIP (path MTU discovery). The flow is not refreshed by it.
 */
final class IcmpErrors {
    static final int ICMP_TIME_EXCEEDED = 11;
    static final int ICMP_PARAMETERPROB = 12;
    /** The least an error must quote to name a flow beyond the IPv4 header: the ports. */
    static final int QUOTE_L4 = 8;

    private IcmpErrors() {
    }

    /** icmp_is_error */
    static boolean isError(int type) {
        return type == Frame.ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
    }

    /** icmp_reverse_error: true when the frame was such an error, translated into r. */
    static boolean reverseError(byte[] f, Packet p, Conntrack conntrack, long now, PacketResult r) {
        int l4 = p.l4;
        if (!isError(Bytes.u8(f, l4)) || p.l4Length < Frame.ICMP_HLEN + Frame.IP_MIN_HLEN + QUOTE_L4) {
            return false;
        }
        int inner = l4 + Frame.ICMP_HLEN;
        int vihl = Bytes.u8(f, inner);
        int innerIhl = (vihl & 0xf) * 4;
        if ((vihl >>> 4) != 4 || innerIhl < Frame.IP_MIN_HLEN || Frame.ICMP_HLEN + innerIhl + QUOTE_L4 > p.l4Length) {
            return false;
        }
        int innerProto = Bytes.u8(f, inner + (Frame.IP_PROTO - Frame.IP));
        if (innerProto != PROTO_TCP && innerProto != PROTO_UDP) {
            return false;
        }
        int innerL4 = inner + innerIhl;
        int isaddr = Bytes.be32(f, inner + (Frame.IP_SADDR - Frame.IP));
        int idaddr = Bytes.be32(f, inner + (Frame.IP_DADDR - Frame.IP));
        int isport = Bytes.be16(f, innerL4 + Frame.L4_SPORT);
        int idport = Bytes.be16(f, innerL4 + Frame.L4_DPORT);
        // a request's quote went client -> backend, and its flow's reply tuple is backend -> client; a
        // reply's quote went frontend -> client, and its flow's client tuple is client -> frontend:
        // both are the quote turned around, first a reverse entry, then a forward one
        long k1 = Conntrack.key1(idaddr, isaddr);
        long k2 = Conntrack.key2(idport, isport, innerProto);
        int flow = conntrack.findReply(k1, k2, now);
        if (flow < 0) {
            return forwardError(f, p, conntrack, k1, k2, inner, innerL4, innerProto, now, r);
        }
        long fk1 = conntrack.forwardKey1(flow);
        long fk2 = conntrack.forwardKey2(flow);
        long a = conntrack.forward(flow, Conntrack.F_BACKEND);
        long s = conntrack.forward(flow, Conntrack.F_SNAT);
        long ids = conntrack.forward(flow, Conntrack.F_IDS);
        int clientIp = (int) (fk1 >>> 32);
        int frontendIp = (int) fk1;
        int clientPort = (int) ((fk2 >>> 24) & 0xffff);
        int frontendPort = (int) ((fk2 >>> 8) & 0xffff);
        int backendIp = (int) (a >>> 32);
        boolean snat = ((int) s & Conntrack.FLAG_SNAT) != 0;
        int icmpCsum = l4 + 2;
        int udpCsum = innerProto == PROTO_UDP ? innerL4 + Frame.UDP_CSUM : -1;
        quotedAddr(f, inner, inner + (Frame.IP_DADDR - Frame.IP), icmpCsum, udpCsum, frontendIp);
        quotedPort(f, innerL4 + Frame.L4_DPORT, icmpCsum, udpCsum, frontendPort);
        if (snat) {
            quotedAddr(f, inner, inner + (Frame.IP_SADDR - Frame.IP), icmpCsum, udpCsum, clientIp);
            quotedPort(f, innerL4 + Frame.L4_SPORT, icmpCsum, udpCsum, clientPort);
            outerAddr(f, Frame.IP_DADDR, clientIp);
        }
        if (p.saddr == backendIp) {
            outerAddr(f, Frame.IP_SADDR, frontendIp);
        }
        UserspaceDataplane.translated(r, Verdict.REVERSE, (int) ids, (int) (ids >>> 32), backendIp, (int) ((a >>> 16) & 0xffff));
        return true;
    }

    /**
     * icmp_forward_error: an ICMP error about a reply (the quote goes frontend -> client: a router on
     * the way to the client needs smaller packets, or the client's port is closed) goes on to the
     * backend. The quote gets the backend back as its source (and the SNAT address and port as its
     * destination), the ICMP is readdressed from the frontend to the backend, and from the SNAT
     * address when the client itself sent it. Translated as its flow's packets are.
     */
    private static boolean forwardError(byte[] f, Packet p, Conntrack conntrack, long k1, long k2, int inner, int innerL4,
                                        int innerProto, long now, PacketResult r) {
        int flow = conntrack.findForward(k1, k2, now);
        if (flow < 0) {
            return false;
        }
        int clientIp = (int) (k1 >>> 32);
        int frontendIp = (int) k1;
        long a = conntrack.forward(flow, Conntrack.F_BACKEND);
        long s = conntrack.forward(flow, Conntrack.F_SNAT);
        long ids = conntrack.forward(flow, Conntrack.F_IDS);
        int backendIp = (int) (a >>> 32);
        int backendPort = (int) ((a >>> 16) & 0xffff);
        boolean snat = ((int) s & Conntrack.FLAG_SNAT) != 0;
        int snatIp = (int) (s >>> 32);
        int snatPort = (int) ((s >>> 16) & 0xffff);
        int icmpCsum = p.l4 + 2;
        int udpCsum = innerProto == PROTO_UDP ? innerL4 + Frame.UDP_CSUM : -1;
        quotedAddr(f, inner, inner + (Frame.IP_SADDR - Frame.IP), icmpCsum, udpCsum, backendIp);
        quotedPort(f, innerL4 + Frame.L4_SPORT, icmpCsum, udpCsum, backendPort);
        if (snat) {
            quotedAddr(f, inner, inner + (Frame.IP_DADDR - Frame.IP), icmpCsum, udpCsum, snatIp);
            quotedPort(f, innerL4 + Frame.L4_DPORT, icmpCsum, udpCsum, snatPort);
        }
        if (p.daddr == frontendIp) {
            outerAddr(f, Frame.IP_DADDR, backendIp);
        }
        if (snat && p.saddr == clientIp) {
            outerAddr(f, Frame.IP_SADDR, snatIp);
        }
        UserspaceDataplane.translated(r, snat ? Verdict.DNAT_SNAT : Verdict.DNAT, (int) ids, (int) (ids >>> 32), backendIp, backendPort);
        return true;
    }

    /**
     * icmp_quoted_addr: an address inside the quoted datagram: its IPv4 checksum, the quoted UDP
     * checksum (pseudo header), and the ICMP checksum for every 16 bits that changed; in C's order.
     */
    static void quotedAddr(byte[] f, int innerIp, int off, int icmpCsum, int udpCsum, int value) {
        int from = Bytes.raw32(f, off);
        int to = Bytes.rawOfBe32(value);
        int ipCsum = innerIp + (Frame.IP_CSUM - Frame.IP);
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

    /** icmp_quoted_port */
    static void quotedPort(byte[] f, int off, int icmpCsum, int udpCsum, int value) {
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

    /** icmp_outer_addr: an outer address of an ICMP message: only the IPv4 checksum covers it (ICMP has no pseudo header). */
    static void outerAddr(byte[] f, int off, int value) {
        Checksum.l3Replace4(f, Frame.IP_CSUM, Bytes.raw32(f, off), Bytes.rawOfBe32(value));
        Bytes.putBe32(f, off, value);
    }
}
