package dev.hotline.live;

import dev.hotline.net.Ipv4;

/**
 * An Ethernet frame's addresses in tcpdump's words ("tcp 10.0.0.5:43210 > 10.96.0.10:80 [S]"),
 * read from the headers only: what `hotline watch` prints before and after the dataplane.
 */
final class FrameText {
    private FrameText() {
    }

    static String of(byte[] f, int len) {
        if (len < 14 + 20 || u16(f, 12) != 0x0800 || (f[14] >> 4 & 0xf) != 4) {
            return len < 14 ? "short frame (" + len + " bytes)" : String.format("ethertype 0x%04x (%d bytes)", u16(f, 12), len);
        }
        int ihl = (f[14] & 0xf) * 4;
        int proto = f[14 + 9] & 0xff;
        String src = new Ipv4(s32(f, 14 + 12)).toString();
        String dst = new Ipv4(s32(f, 14 + 16)).toString();
        int l4 = 14 + ihl;
        boolean fragment = (u16(f, 14 + 6) & 0x1fff) != 0;
        switch (proto) {
            case 6, 17, 132 -> {
                String name = proto == 6 ? "tcp" : proto == 17 ? "udp" : "sctp";
                if (fragment || len < l4 + 4) {
                    return name + " " + src + " > " + dst + " (fragment)";
                }
                String text = name + " " + src + ":" + u16(f, l4) + " > " + dst + ":" + u16(f, l4 + 2);
                return proto == 6 && len >= l4 + 14 ? text + " [" + tcpFlags(f[l4 + 13]) + "]" : text;
            }
            case 1 -> {
                String text = "icmp " + src + " > " + dst;
                return len >= l4 + 2 ? text + " type " + (f[l4] & 0xff) + " code " + (f[l4 + 1] & 0xff) : text;
            }
            default -> {
                return "ip proto " + proto + " " + src + " > " + dst;
            }
        }
    }

    /** tcpdump's letters: S F R P U E W and "." for ACK. */
    private static String tcpFlags(byte b) {
        StringBuilder s = new StringBuilder();
        if ((b & 0x02) != 0) {
            s.append('S');
        }
        if ((b & 0x01) != 0) {
            s.append('F');
        }
        if ((b & 0x04) != 0) {
            s.append('R');
        }
        if ((b & 0x08) != 0) {
            s.append('P');
        }
        if ((b & 0x20) != 0) {
            s.append('U');
        }
        if ((b & 0x10) != 0) {
            s.append('.');
        }
        return s.toString();
    }

    private static int u16(byte[] f, int at) {
        return (f[at] & 0xff) << 8 | (f[at + 1] & 0xff);
    }

    private static int s32(byte[] f, int at) {
        return (f[at] & 0xff) << 24 | (f[at + 1] & 0xff) << 16 | (f[at + 2] & 0xff) << 8 | (f[at + 3] & 0xff);
    }
}
