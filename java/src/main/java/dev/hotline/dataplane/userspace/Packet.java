package dev.hotline.dataplane.userspace;

import static dev.hotline.packet.Frame.ETH_HLEN;
import static dev.hotline.packet.Frame.PROTO_ICMP;
import static dev.hotline.packet.Frame.PROTO_TCP;
import static dev.hotline.packet.Frame.PROTO_UDP;

import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Reason;
import dev.hotline.packet.Bytes;
import dev.hotline.packet.Frame;

/**
 * Step 1 of the packet path: one frame's parsed facts (C: struct hl_packet in bpf/lib/parse.h) and
 * the parser that fills them (packet_parse). Ethernet II, IPv4 with its header length honoured,
 * then TCP, UDP or ICMP; anything else, truncated or inconsistent passes unchanged with a reason.
 * One instance is reused for every frame.
 */
final class Packet {
    /** packet_parse's outcomes (enum hl_parsed). */
    static final int PASS = -1;
    static final int L4 = 0;
    static final int ICMP = 1;
    /** A later fragment of a TCP or UDP datagram: its ports come from {@link Fragments}. */
    static final int FRAGMENT = 2;

    /** enum hl_frag */
    static final int FRAG_NONE = 0;
    static final int FRAG_FIRST = 1;
    static final int FRAG_LATER = 2;
    static final int FRAG_LAST = 3;
    static final int IP_OFFSET_BITS = 0x1fff;

    int ihl;
    /** Offset of the L4 header. */
    int l4;
    /** L4 length from the IPv4 total length. */
    int l4Length;
    /** Offset of the L4 checksum. */
    int csumOff;
    int saddr;
    int daddr;
    int sport;
    int dport;
    int proto;
    int tcpFlags;
    boolean udp;
    int ipId;
    int frag;

    /** packet_parse: fills this packet; PASS leaves the reason in r. */
    int parse(byte[] f, int len, PacketResult r) {
        tcpFlags = 0;
        udp = false;
        frag = FRAG_NONE;
        r.reason = Reason.TRUNCATED;
        if (len < ETH_HLEN) {
            return PASS;
        }
        int ethType = Bytes.be16(f, Frame.ETH_TYPE);
        if (ethType != Frame.ETH_P_IP) {
            r.reason = ethType == Frame.ETH_P_8021Q || ethType == Frame.ETH_P_8021AD ? Reason.VLAN : Reason.NOT_IPV4;
            return PASS;
        }
        if (len < ETH_HLEN + Frame.IP_MIN_HLEN) {
            return PASS;
        }
        int vihl = Bytes.u8(f, Frame.IP_VIHL);
        ihl = (vihl & 0xf) * 4;
        if ((vihl >>> 4) != 4 || ihl < Frame.IP_MIN_HLEN) {
            r.reason = Reason.BAD_IP_HEADER;
            return PASS;
        }
        if (ETH_HLEN + ihl > len) {
            return PASS;
        }
        int total = Bytes.be16(f, Frame.IP_TOT_LEN);
        // BIG TCP: a GSO packet over 64 KB carries total length 0; its length is the frame's
        if (total == 0 && len > ETH_HLEN + 0xffff) {
            total = len - ETH_HLEN;
        }
        if (total < ihl || ETH_HLEN + total > len) {
            r.reason = Reason.BAD_TOTAL_LENGTH;
            return PASS;
        }
        int fragOff = Bytes.be16(f, Frame.IP_FRAG);
        if ((fragOff & Frame.IP_FRAG_MASK) != 0) {
            frag = (fragOff & IP_OFFSET_BITS) == 0 ? FRAG_FIRST : (fragOff & 0x2000) != 0 ? FRAG_LATER : FRAG_LAST;
            ipId = Bytes.be16(f, Frame.IP_ID);
            int p = Bytes.u8(f, Frame.IP_PROTO);
            if (p != PROTO_TCP && p != PROTO_UDP) {
                r.reason = Reason.FRAGMENT;
                return PASS;
            }
        }
        proto = Bytes.u8(f, Frame.IP_PROTO);
        saddr = Bytes.be32(f, Frame.IP_SADDR);
        daddr = Bytes.be32(f, Frame.IP_DADDR);
        l4 = ETH_HLEN + ihl;
        l4Length = total - ihl;
        if (frag >= FRAG_LATER) {
            r.reason = Reason.FRAGMENT;
            return FRAGMENT;
        }
        int parsed;
        switch (proto) {
            case PROTO_TCP -> parsed = parseTcp(f, r);
            case PROTO_UDP -> parsed = parseUdp(f, r);
            case PROTO_ICMP -> {
                if (l4Length < Frame.ICMP_HLEN) {
                    return PASS;
                }
                r.reason = Reason.NO_SERVICE;
                return ICMP;
            }
            default -> {
                r.reason = Reason.OTHER_PROTOCOL;
                return PASS;
            }
        }
        if (parsed == L4) {
            r.reason = Reason.NO_SERVICE;
        }
        return parsed;
    }

    /** packet_parse_tcp */
    private int parseTcp(byte[] f, PacketResult r) {
        if (l4Length < Frame.TCP_MIN_HLEN) {
            return PASS;
        }
        int doff = (Bytes.u8(f, l4 + Frame.TCP_DOFF) >>> 4) * 4;
        if (doff < Frame.TCP_MIN_HLEN || doff > l4Length) {
            r.reason = Reason.BAD_L4_HEADER;
            return PASS;
        }
        tcpFlags = Bytes.u8(f, l4 + Frame.TCP_FLAGS);
        csumOff = l4 + Frame.TCP_CSUM;
        sport = Bytes.be16(f, l4 + Frame.L4_SPORT);
        dport = Bytes.be16(f, l4 + Frame.L4_DPORT);
        return L4;
    }

    /** packet_parse_udp */
    private int parseUdp(byte[] f, PacketResult r) {
        if (l4Length < Frame.UDP_HLEN) {
            return PASS;
        }
        int udpLength = Bytes.be16(f, l4 + Frame.UDP_LEN);
        // a first fragment holds only the start of the datagram the length counts
        if (udpLength < Frame.UDP_HLEN || (udpLength > l4Length && frag != FRAG_FIRST)) {
            r.reason = Reason.BAD_L4_HEADER;
            return PASS;
        }
        udp = true;
        csumOff = l4 + Frame.UDP_CSUM;
        sport = Bytes.be16(f, l4 + Frame.L4_SPORT);
        dport = Bytes.be16(f, l4 + Frame.L4_DPORT);
        return L4;
    }
}
