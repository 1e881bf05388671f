package dev.hotline.dataplane;

/**
 * Why a frame was passed or dropped (or, for translated frames, TRANSLATED). Counted per reason.
 * The codes are shared with the BPF program (HL_REASON_* in bpf/hotline_abi.h).
 */
public enum Reason {
    TRANSLATED(0, "translated or rejected by a Service"),
    NOT_IPV4(1, "not IPv4 (ARP, IPv6, other EtherTypes)"),
    VLAN(2, "VLAN-tagged"),
    TRUNCATED(3, "truncated header"),
    BAD_IP_HEADER(4, "bad IPv4 version or header length"),
    BAD_TOTAL_LENGTH(5, "IPv4 total length inconsistent with the frame"),
    FRAGMENT(6, "IPv4 fragment"),
    BAD_L4_HEADER(7, "inconsistent TCP or UDP header"),
    OTHER_PROTOCOL(8, "not TCP, UDP or ICMP"),
    NO_SERVICE(9, "not addressed to a Service"),
    CONNTRACK_FULL(10, "conntrack table full"),
    SNAT_PORTS_EXHAUSTED(11, "no free SNAT port"),
    RST_TO_NO_BACKEND(12, "RST to a Service without backends (never answered)"),
    ICMP_TO_CLUSTER_IP(13, "ICMP to a ClusterIP"),
    CONNTRACK_CLASH(14, "reply tuple of a live flow (a second flow the backend could not tell apart)"),
    NO_LOCAL_ENDPOINT(15, "traffic policy Local and no usable endpoint on this node (some elsewhere): dropped"),
    SOURCE_RANGE(16, "a client outside the Service's loadBalancerSourceRanges: dropped"),
    /** Replay only: a capture's frame of a link type the dataplanes do not take, written as captured. */
    LINK_TYPE(17, "a link type hotline does not translate (written as captured)"),
    /** Replay only: a frame --filter left out, written as captured. */
    FILTERED(18, "left out by --filter (written as captured)");

    /** Reasons the BPF program itself reports (HL_REASON_MAX). */
    public static final int KERNEL_REASONS = 17;

    private static final Reason[] BY_CODE = values();
    private final int code;
    private final String description;

    Reason(int code, String description) {
        this.code = code;
        this.description = description;
    }

    public int code() {
        return code;
    }

    public String description() {
        return description;
    }

    public static Reason ofCode(int code) {
        return BY_CODE[code];
    }
}
