package dev.hotline.packet;

import dev.hotline.net.Ipv4;

/** One readable line for a frame: "TCP 10.1.1.10:40001 -> 10.96.100.200:80 [SYN]". For people, not the packet path. */
public final class FrameSummary {
    private FrameSummary() {
    }

    public static String describe(byte[] f, int len) {
        if (len < Frame.ETH_HLEN + Frame.IP_MIN_HLEN || Bytes.be16(f, Frame.ETH_TYPE) != Frame.ETH_P_IP) {
            return "non-IPv4 frame of " + len + " bytes";
        }
        int ihl = (f[Frame.IP_VIHL] & 0xf) * 4;
        int l4 = Frame.ETH_HLEN + ihl;
        String src = new Ipv4(Bytes.be32(f, Frame.IP_SADDR)).toString();
        String dst = new Ipv4(Bytes.be32(f, Frame.IP_DADDR)).toString();
        int proto = Bytes.u8(f, Frame.IP_PROTO);
        if (proto == Frame.PROTO_TCP && len >= l4 + Frame.TCP_MIN_HLEN) {
            return "TCP " + src + ":" + Bytes.be16(f, l4) + " -> " + dst + ":" + Bytes.be16(f, l4 + 2) + " [" + tcpFlags(Bytes.u8(f, l4 + Frame.TCP_FLAGS)) + "]";
        }
        if (proto == Frame.PROTO_UDP && len >= l4 + Frame.UDP_HLEN) {
            return "UDP " + src + ":" + Bytes.be16(f, l4) + " -> " + dst + ":" + Bytes.be16(f, l4 + 2);
        }
        if (proto == Frame.PROTO_ICMP && len >= l4 + Frame.ICMP_HLEN) {
            int type = Bytes.u8(f, l4);
            int code = Bytes.u8(f, l4 + 1);
            String what = type == 3 && code == 3 ? "port unreachable" : "type " + type + " code " + code;
            return "ICMP " + src + " -> " + dst + " " + what;
        }
        return "IPv4 proto " + proto + " " + src + " -> " + dst;
    }

    public static String tcpFlags(int flags) {
        StringBuilder b = new StringBuilder();
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK"};
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                if (b.length() > 0) {
                    b.append(',');
                }
                b.append(names[i]);
            }
        }
        return b.toString();
    }
}
