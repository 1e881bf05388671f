package dev.hotline.packet;

/** Offsets and constants of Ethernet II / IPv4 / TCP / UDP / ICMP frames, as the packet path uses them. */
public final class Frame {
    public static final int ETH_HLEN = 14;
    public static final int ETH_DST = 0;
    public static final int ETH_SRC = 6;
    public static final int ETH_TYPE = 12;
    public static final int ETH_P_IP = 0x0800;
    public static final int ETH_P_8021Q = 0x8100;
    public static final int ETH_P_8021AD = 0x88a8;

    public static final int IP = ETH_HLEN;
    public static final int IP_VIHL = IP;
    public static final int IP_TOS = IP + 1;
    public static final int IP_TOT_LEN = IP + 2;
    public static final int IP_ID = IP + 4;
    public static final int IP_FRAG = IP + 6;
    public static final int IP_TTL = IP + 8;
    public static final int IP_PROTO = IP + 9;
    public static final int IP_CSUM = IP + 10;
    public static final int IP_SADDR = IP + 12;
    public static final int IP_DADDR = IP + 16;
    public static final int IP_MIN_HLEN = 20;
    /** More-fragments flag and fragment offset: any of these bits set means a fragment. */
    public static final int IP_FRAG_MASK = 0x3fff;
    public static final int IP_DF = 0x4000;

    public static final int PROTO_ICMP = 1;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;

    // offsets within the L4 header
    public static final int L4_SPORT = 0;
    public static final int L4_DPORT = 2;
    public static final int TCP_SEQ = 4;
    public static final int TCP_ACK = 8;
    public static final int TCP_DOFF = 12;
    public static final int TCP_FLAGS = 13;
    public static final int TCP_WINDOW = 14;
    public static final int TCP_CSUM = 16;
    public static final int TCP_URG = 18;
    public static final int TCP_MIN_HLEN = 20;
    public static final int UDP_LEN = 4;
    public static final int UDP_CSUM = 6;
    public static final int UDP_HLEN = 8;
    public static final int ICMP_HLEN = 8;

    public static final int TCP_FIN = 0x01;
    public static final int TCP_SYN = 0x02;
    public static final int TCP_RST = 0x04;
    public static final int TCP_PSH = 0x08;
    public static final int TCP_ACK_FLAG = 0x10;

    public static final int ICMP_DEST_UNREACH = 3;
    public static final int ICMP_PORT_UNREACH = 3;

    private Frame() {
    }
}
