package dev.hotline.dataplane.userspace;

import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.packet.Bytes;
import dev.hotline.packet.Checksum;
import dev.hotline.packet.FlowHash;
import dev.hotline.packet.Frame;

/**
 * Address and port translation (C: bpf/lib/nat.h, nat_*). Every field is rewritten as the kernel's
 * helpers do it: the IPv4 checksum, then the L4 checksum (with the pseudo header for addresses),
 * then the field, with the kernel's incremental arithmetic ({@link Checksum}, RFC 1624).
 */
final class Nat {
    /** How many SNAT ports are tried, from a hash of the flow, before a new NodePort flow is refused (HL_SNAT_TRIES). */
    static final int SNAT_TRIES = 32;
    static final int SNAT_SEED = 0x5bd1e995;

    private Nat() {
    }

    /** nat_rewrite_addr (a later fragment has no L4 header: only its IPv4 header changes) */
    static void rewriteAddr(byte[] f, Packet p, int off, int value) {
        int from = Bytes.raw32(f, off);
        int to = Bytes.rawOfBe32(value);
        Checksum.l3Replace4(f, Frame.IP_CSUM, from, to);
        if (p.frag < Packet.FRAG_LATER) {
            Checksum.l4Replace(f, p.csumOff, from, to, p.udp);
        }
        Bytes.putBe32(f, off, value);
    }

    /** nat_rewrite_port */
    static void rewritePort(byte[] f, Packet p, int off, int value) {
        if (p.frag >= Packet.FRAG_LATER) {
            return;
        }
        int from = Bytes.raw16(f, off);
        int to = Bytes.rawOfBe16(value);
        Checksum.l4Replace(f, p.csumOff, from, to, p.udp);
        Bytes.putBe16(f, off, value);
    }

    /** nat_forward: DNAT to the backend, then (NodePort to another node) SNAT to the node. */
    static void forward(byte[] f, Packet p, int backendIp, int backendPort, boolean snat, int snatIp, int snatPort) {
        rewriteAddr(f, p, Frame.IP_DADDR, backendIp);
        rewritePort(f, p, p.l4 + Frame.L4_DPORT, backendPort);
        if (snat) {
            rewriteAddr(f, p, Frame.IP_SADDR, snatIp);
            rewritePort(f, p, p.l4 + Frame.L4_SPORT, snatPort);
        }
    }

    /** nat_reverse: the Service address as the source, and the client as the destination after SNAT. */
    static void reverse(byte[] f, Packet p, int clientIp, int clientPort, int frontendIp, int frontendPort, boolean snat) {
        rewriteAddr(f, p, Frame.IP_SADDR, frontendIp);
        rewritePort(f, p, p.l4 + Frame.L4_SPORT, frontendPort);
        if (snat) {
            rewriteAddr(f, p, Frame.IP_DADDR, clientIp);
            rewritePort(f, p, p.l4 + Frame.L4_DPORT, clientPort);
        }
    }

    /**
     * nat_snat_claim: a port from the SNAT range whose reply tuple no live flow uses, probed from a
     * hash of the flow; -1 if none. (One thread here: the claim itself is Conntrack.create's insert.)
     */
    static int snatClaim(DataplaneConfig config, Conntrack conntrack, int backendIp, int backendPort, int snatIp, int proto,
                        int hash, long now) {
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
}
