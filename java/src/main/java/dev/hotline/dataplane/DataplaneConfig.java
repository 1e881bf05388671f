package dev.hotline.dataplane;

import java.time.Duration;

/**
 * Conntrack and SNAT settings, the same for both dataplanes. Timeouts follow Cilium's defaults:
 * a TCP flow that has seen a reply lives long, one that is opening or closing (both FINs, or a RST)
 * and a UDP flow live short. SNAT ports (NodePort to a backend on another node) come from a range
 * above Linux's default ephemeral ports so they do not collide with the node's own connections.
 */
public record DataplaneConfig(int conntrackMax, Duration tcpEstablished, Duration tcpOpening, Duration tcpClosing,
                              Duration udp, int snatPortMin, int snatPortMax) {

    public static final DataplaneConfig DEFAULT = new DataplaneConfig(262_144,
            Duration.ofHours(6), Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(60), 61000, 65535);

    public DataplaneConfig {
        if (conntrackMax < 16) {
            throw new IllegalArgumentException("conntrack size " + conntrackMax + " is below 16");
        }
        if (snatPortMin < 1024 || snatPortMax > 65535 || snatPortMin > snatPortMax) {
            throw new IllegalArgumentException("SNAT port range " + snatPortMin + "-" + snatPortMax + " must lie within 1024-65535");
        }
    }

    public DataplaneConfig withConntrackMax(int max) {
        return new DataplaneConfig(max, tcpEstablished, tcpOpening, tcpClosing, udp, snatPortMin, snatPortMax);
    }
}
