package dev.hotline.dataplane;

import java.time.Duration;

/**
 * Conntrack and SNAT settings, the same for both dataplanes. Timeouts follow Cilium's defaults:
 * a TCP flow that has seen a reply lives long, one that is opening or closing (both FINs, or a RST)
 * and a UDP flow live short. SNAT ports (NodePort to a backend on another node) come from a range
 * above Linux's default ephemeral ports so they do not collide with the node's own connections.
 * A pod whose flow to its own Service lands on itself (hairpin) is SNATed to the hairpin address,
 * a link-local address no pod or node owns (Cilium's choice, 169.254.42.1, by default).
 * {@link #withNode} adds what externalIPs, LoadBalancer IPs and traffic policy Local need.
 */
public record DataplaneConfig(int conntrackMax, Duration tcpEstablished, Duration tcpOpening, Duration tcpClosing,
                              Duration udp, int snatPortMin, int snatPortMax, int hairpinAddress, int nodeAddress,
                              java.util.List<dev.hotline.net.Cidr> clusterCidrs) {

    /** HL_CLUSTER_SOURCES: the id the cluster's own source ranges are kept under among the Services' ranges. */
    public static final int CLUSTER_SOURCES = 0;
    /** hl_affinity's size in both dataplanes: client/Service pairs remembered, least recently used forgotten first. */
    public static final int AFFINITY_ENTRIES = 65536;

    /** 169.254.42.1 */
    public static final int DEFAULT_HAIRPIN = (169 << 24) | (254 << 16) | (42 << 8) | 1;

    public static final DataplaneConfig DEFAULT = new DataplaneConfig(262_144,
            Duration.ofHours(6), Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(60), 61000, 65535);

    public DataplaneConfig(int conntrackMax, Duration tcpEstablished, Duration tcpOpening, Duration tcpClosing,
                           Duration udp, int snatPortMin, int snatPortMax) {
        this(conntrackMax, tcpEstablished, tcpOpening, tcpClosing, udp, snatPortMin, snatPortMax, DEFAULT_HAIRPIN);
    }

    public DataplaneConfig(int conntrackMax, Duration tcpEstablished, Duration tcpOpening, Duration tcpClosing,
                           Duration udp, int snatPortMin, int snatPortMax, int hairpinAddress) {
        this(conntrackMax, tcpEstablished, tcpOpening, tcpClosing, udp, snatPortMin, snatPortMax, hairpinAddress, 0,
                java.util.List.of());
    }

    public DataplaneConfig {
        clusterCidrs = java.util.List.copyOf(clusterCidrs);
        if (conntrackMax < 16) {
            throw new IllegalArgumentException("conntrack size " + conntrackMax + " is below 16");
        }
        if (snatPortMin < 1024 || snatPortMax > 65535 || snatPortMin > snatPortMax) {
            throw new IllegalArgumentException("SNAT port range " + snatPortMin + "-" + snatPortMax + " must lie within 1024-65535");
        }
    }

    public DataplaneConfig withConntrackMax(int max) {
        return new DataplaneConfig(max, tcpEstablished, tcpOpening, tcpClosing, udp, snatPortMin, snatPortMax, hairpinAddress,
                nodeAddress, clusterCidrs);
    }

    /**
     * The node's own address (flows from outside to an externalIP or LoadBalancer IP whose backend is
     * on another node are SNATed to it; 0: to the address reached) and the cluster's source ranges
     * (pods: at an externalTrafficPolicy Local frontend they keep the Cluster policy).
     */
    public DataplaneConfig withNode(int address, java.util.List<dev.hotline.net.Cidr> cidrs) {
        return new DataplaneConfig(conntrackMax, tcpEstablished, tcpOpening, tcpClosing, udp, snatPortMin, snatPortMax,
                hairpinAddress, address, cidrs);
    }
}
