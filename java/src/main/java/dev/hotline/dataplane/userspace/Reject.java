package dev.hotline.dataplane.userspace;

import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Reason;
import dev.hotline.dataplane.Verdict;
import dev.hotline.packet.Bytes;
import dev.hotline.packet.Checksum;
import dev.hotline.packet.Frame;

/**
 * Turns a frame to a Service without backends into the reply that refuses it, in place, the way
 * the BPF program does before sending it back out of the interface it came in on (C:
 * bpf/lib/reject.h, rej_*):
 * <ul>
 *   <li>TCP: a RST (RFC 9293 3.10.7.1): if the segment had ACK, seq = its ack and flags RST;
 *       otherwise seq = 0, ack = its seq + its length (SYN and FIN count one), flags RST|ACK;</li>
 *   <li>UDP: ICMP destination unreachable, port unreachable, quoting the original IPv4 header
 *       (with options) and the first 8 bytes of its payload (RFC 792).</li>
 * </ul>
 * Ethernet addresses are swapped; the IPv4 header is a fresh 20-byte one from the Service address
 * to the client: TOS 0, ID 0, TTL 64, DF for the RST only. Checksums are computed in full.
 */
final class Reject {
    static final int TTL = 64;
    static final int RST_LENGTH = Frame.ETH_HLEN + Frame.IP_MIN_HLEN + Frame.TCP_MIN_HLEN;

    private Reject() {
    }

    /** rej_reply: a RST to such a frontend is never answered (it would only start a RST war); it is dropped. */
    static void reply(byte[] f, Packet p, PacketResult r) {
        r.reason = Reason.TRANSLATED;
        if (p.proto == Frame.PROTO_TCP) {
            if ((p.tcpFlags & Frame.TCP_RST) != 0) {
                r.verdict = Verdict.DROP;
                r.reason = Reason.RST_TO_NO_BACKEND;
                return;
            }
            r.length = tcpReset(f, p.l4, p.l4Length);
        } else {
            r.length = portUnreachable(f, p.ihl);
        }
        r.verdict = Verdict.REJECT;
    }

    /** rej_eth_header */
    private static void swapMacs(byte[] f) {
        for (int i = 0; i < 6; i++) {
            byte t = f[Frame.ETH_DST + i];
            f[Frame.ETH_DST + i] = f[Frame.ETH_SRC + i];
            f[Frame.ETH_SRC + i] = t;
        }
    }

    /** rej_ip_header */
    private static void ipHeader(byte[] f, int totalLength, int proto, int saddr, int daddr, boolean dontFragment) {
        f[Frame.IP_VIHL] = 0x45;
        f[Frame.IP_TOS] = 0;
        Bytes.putBe16(f, Frame.IP_TOT_LEN, totalLength);
        Bytes.putBe16(f, Frame.IP_ID, 0);
        Bytes.putBe16(f, Frame.IP_FRAG, dontFragment ? Frame.IP_DF : 0);
        f[Frame.IP_TTL] = (byte) TTL;
        f[Frame.IP_PROTO] = (byte) proto;
        Bytes.putBe16(f, Frame.IP_CSUM, 0);
        Bytes.putBe32(f, Frame.IP_SADDR, saddr);
        Bytes.putBe32(f, Frame.IP_DADDR, daddr);
        Bytes.putBe16(f, Frame.IP_CSUM, Checksum.finish(Checksum.sum(f, Frame.IP, Frame.IP_MIN_HLEN, 0)));
    }

    /** rej_tcp_reset: writes the RST answering the TCP segment at l4 (of l4Length bytes); returns the new frame length. */
    static int tcpReset(byte[] f, int l4, int l4Length) {
        int saddr = Bytes.be32(f, Frame.IP_SADDR);
        int daddr = Bytes.be32(f, Frame.IP_DADDR);
        int sport = Bytes.be16(f, l4 + Frame.L4_SPORT);
        int dport = Bytes.be16(f, l4 + Frame.L4_DPORT);
        int seq = Bytes.be32(f, l4 + Frame.TCP_SEQ);
        int ack = Bytes.be32(f, l4 + Frame.TCP_ACK);
        int flags = Bytes.u8(f, l4 + Frame.TCP_FLAGS);
        int dataOffset = (Bytes.u8(f, l4 + Frame.TCP_DOFF) >>> 4) * 4;
        int segmentLength = l4Length - dataOffset + ((flags & Frame.TCP_SYN) != 0 ? 1 : 0) + ((flags & Frame.TCP_FIN) != 0 ? 1 : 0);

        swapMacs(f);
        ipHeader(f, Frame.IP_MIN_HLEN + Frame.TCP_MIN_HLEN, Frame.PROTO_TCP, daddr, saddr, true);
        int t = Frame.ETH_HLEN + Frame.IP_MIN_HLEN;
        Bytes.putBe16(f, t + Frame.L4_SPORT, dport);
        Bytes.putBe16(f, t + Frame.L4_DPORT, sport);
        if ((flags & Frame.TCP_ACK_FLAG) != 0) {
            Bytes.putBe32(f, t + Frame.TCP_SEQ, ack);
            Bytes.putBe32(f, t + Frame.TCP_ACK, 0);
            f[t + Frame.TCP_FLAGS] = Frame.TCP_RST;
        } else {
            Bytes.putBe32(f, t + Frame.TCP_SEQ, 0);
            Bytes.putBe32(f, t + Frame.TCP_ACK, seq + segmentLength);
            f[t + Frame.TCP_FLAGS] = Frame.TCP_RST | Frame.TCP_ACK_FLAG;
        }
        f[t + Frame.TCP_DOFF] = (byte) (5 << 4);
        Bytes.putBe16(f, t + Frame.TCP_WINDOW, 0);
        Bytes.putBe16(f, t + Frame.TCP_CSUM, 0);
        Bytes.putBe16(f, t + Frame.TCP_URG, 0);
        int pseudo = Checksum.pseudoHeader(daddr, saddr, Frame.PROTO_TCP, Frame.TCP_MIN_HLEN);
        Bytes.putBe16(f, t + Frame.TCP_CSUM, Checksum.finish(Checksum.sum(f, t, Frame.TCP_MIN_HLEN, pseudo)));
        return RST_LENGTH;
    }

    /** rej_port_unreachable: writes the ICMP port unreachable answering the UDP datagram of the frame; returns the new frame length. */
    static int portUnreachable(byte[] f, int ipHeaderLength) {
        int saddr = Bytes.be32(f, Frame.IP_SADDR);
        int daddr = Bytes.be32(f, Frame.IP_DADDR);
        int quoted = ipHeaderLength + 8;
        int icmp = Frame.ETH_HLEN + Frame.IP_MIN_HLEN;
        // the original header and 8 payload bytes move behind the new IPv4 and ICMP headers
        System.arraycopy(f, Frame.IP, f, icmp + Frame.ICMP_HLEN, quoted);
        swapMacs(f);
        ipHeader(f, Frame.IP_MIN_HLEN + Frame.ICMP_HLEN + quoted, Frame.PROTO_ICMP, daddr, saddr, false);
        f[icmp] = Frame.ICMP_DEST_UNREACH;
        f[icmp + 1] = Frame.ICMP_PORT_UNREACH;
        Bytes.putBe16(f, icmp + 2, 0);
        Bytes.putBe32(f, icmp + 4, 0);
        Bytes.putBe16(f, icmp + 2, Checksum.finish(Checksum.sum(f, icmp, Frame.ICMP_HLEN + quoted, 0)));
        return icmp + Frame.ICMP_HLEN + quoted;
    }
}
