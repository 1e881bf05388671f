package dev.hotline.packet;

import dev.hotline.net.Ipv4;

/**
 * Builds well-formed Ethernet II / IPv4 / TCP or UDP frames with correct checksums, for the demo,
 * for tests and for benchmarks. Not for the packet path (it allocates). MAC addresses default to
 * locally administered ones derived from the IPv4 addresses (02:00:a.b.c.d).
 */
public final class FrameBuilder {
    private final int proto;
    private int saddr;
    private int daddr;
    private int sport;
    private int dport;
    private int flags;
    private int seq;
    private int ack;
    private int ttl = 64;
    private int id;
    private int window = 64240;
    private byte[] payload = new byte[0];
    private byte[] ipOptions = new byte[0];
    private byte[] srcMac;
    private byte[] dstMac;
    private boolean udpChecksum = true;

    private FrameBuilder(int proto) {
        this.proto = proto;
    }

    public static FrameBuilder tcp() {
        return new FrameBuilder(Frame.PROTO_TCP);
    }

    public static FrameBuilder udp() {
        return new FrameBuilder(Frame.PROTO_UDP);
    }

    public FrameBuilder from(String ip, int port) {
        saddr = Ipv4.parse(ip).value();
        sport = port;
        return this;
    }

    public FrameBuilder to(String ip, int port) {
        daddr = Ipv4.parse(ip).value();
        dport = port;
        return this;
    }

    public FrameBuilder from(int ip, int port) {
        saddr = ip;
        sport = port;
        return this;
    }

    public FrameBuilder to(int ip, int port) {
        daddr = ip;
        dport = port;
        return this;
    }

    public FrameBuilder flags(int tcpFlags) {
        flags = tcpFlags;
        return this;
    }

    public FrameBuilder seq(int v) {
        seq = v;
        return this;
    }

    public FrameBuilder ack(int v) {
        ack = v;
        return this;
    }

    public FrameBuilder ttl(int v) {
        ttl = v;
        return this;
    }

    public FrameBuilder id(int v) {
        id = v;
        return this;
    }

    public FrameBuilder payload(byte[] p) {
        payload = p.clone();
        return this;
    }

    public FrameBuilder payload(String text) {
        payload = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return this;
    }

    /** IPv4 options, padded by the caller to a multiple of 4 bytes. */
    public FrameBuilder ipOptions(byte[] options) {
        if (options.length % 4 != 0 || options.length > 40) {
            throw new IllegalArgumentException("IPv4 options must be a multiple of 4 bytes, at most 40");
        }
        ipOptions = options.clone();
        return this;
    }

    public FrameBuilder macs(byte[] src, byte[] dst) {
        srcMac = src.clone();
        dstMac = dst.clone();
        return this;
    }

    /** Sends UDP with checksum 0 ("none"), which must stay 0 through NAT. */
    public FrameBuilder withoutUdpChecksum() {
        udpChecksum = false;
        return this;
    }

    static byte[] macOf(int ip) {
        return new byte[] {2, 0, (byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
    }

    public byte[] build() {
        int ihl = Frame.IP_MIN_HLEN + ipOptions.length;
        int l4Header = proto == Frame.PROTO_TCP ? Frame.TCP_MIN_HLEN : Frame.UDP_HLEN;
        int l4Length = l4Header + payload.length;
        byte[] f = new byte[Frame.ETH_HLEN + ihl + l4Length];
        System.arraycopy(dstMac != null ? dstMac : macOf(daddr), 0, f, Frame.ETH_DST, 6);
        System.arraycopy(srcMac != null ? srcMac : macOf(saddr), 0, f, Frame.ETH_SRC, 6);
        Bytes.putBe16(f, Frame.ETH_TYPE, Frame.ETH_P_IP);
        f[Frame.IP_VIHL] = (byte) (0x40 | (ihl / 4));
        Bytes.putBe16(f, Frame.IP_TOT_LEN, ihl + l4Length);
        Bytes.putBe16(f, Frame.IP_ID, id);
        Bytes.putBe16(f, Frame.IP_FRAG, Frame.IP_DF);
        f[Frame.IP_TTL] = (byte) ttl;
        f[Frame.IP_PROTO] = (byte) proto;
        Bytes.putBe32(f, Frame.IP_SADDR, saddr);
        Bytes.putBe32(f, Frame.IP_DADDR, daddr);
        System.arraycopy(ipOptions, 0, f, Frame.IP + Frame.IP_MIN_HLEN, ipOptions.length);
        Bytes.putBe16(f, Frame.IP_CSUM, Checksum.finish(Checksum.sum(f, Frame.IP, ihl, 0)));
        int l4 = Frame.ETH_HLEN + ihl;
        Bytes.putBe16(f, l4 + Frame.L4_SPORT, sport);
        Bytes.putBe16(f, l4 + Frame.L4_DPORT, dport);
        System.arraycopy(payload, 0, f, l4 + l4Header, payload.length);
        int pseudo = Checksum.pseudoHeader(saddr, daddr, proto, l4Length);
        if (proto == Frame.PROTO_TCP) {
            Bytes.putBe32(f, l4 + Frame.TCP_SEQ, seq);
            Bytes.putBe32(f, l4 + Frame.TCP_ACK, ack);
            f[l4 + Frame.TCP_DOFF] = (byte) (5 << 4);
            f[l4 + Frame.TCP_FLAGS] = (byte) flags;
            Bytes.putBe16(f, l4 + Frame.TCP_WINDOW, window);
            Bytes.putBe16(f, l4 + Frame.TCP_CSUM, Checksum.finish(Checksum.sum(f, l4, l4Length, pseudo)));
        } else {
            Bytes.putBe16(f, l4 + Frame.UDP_LEN, l4Length);
            if (udpChecksum) {
                int c = Checksum.finish(Checksum.sum(f, l4, l4Length, pseudo));
                Bytes.putBe16(f, l4 + Frame.UDP_CSUM, c == 0 ? 0xffff : c);
            }
        }
        return f;
    }
}
