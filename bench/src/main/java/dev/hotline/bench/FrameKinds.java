package dev.hotline.bench;

import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.net.Ipv4;
import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import java.util.Arrays;

/**
 * The frames of each packet kind, the same for both dataplanes. "New" kinds cycle through more
 * distinct flows than live at once: the frame clock advances 1 ms per frame, so a flow's entry has
 * expired (60 s) by the time its tuple comes round again and every frame really is a first packet.
 */
final class FrameKinds {
    static final int NEW_FLOWS = 100_000;
    static final int LIVE_FLOWS = 1024;

    private FrameKinds() {
    }

    static byte[] syn(int client, int port, int dst, int dport) {
        return FrameBuilder.tcp().from(client, port).to(dst, dport).flags(Frame.TCP_SYN).seq(1).build();
    }

    static int clientIp(int i) {
        return Ipv4.parse("10.200.0.0").value() + (i >>> 12);
    }

    static int clientPort(int i) {
        return 10000 + (i & 0xfff);
    }

    /** A pool of frames for the kind; may run frames through the dataplane to set up flows. */
    static byte[][] frames(String kind, Dataplane dp, int services, long now) {
        switch (kind) {
            case "new_flow" -> {
                byte[][] f = new byte[NEW_FLOWS][];
                for (int i = 0; i < f.length; i++) {
                    f[i] = syn(clientIp(i), clientPort(i), BenchCluster.CLUSTER_IP_BASE + (i % services), 80);
                }
                return f;
            }
            case "nodeport_snat" -> {
                // the "remote" Service: every backend on node-2, so each flow is DNATed and SNATed
                byte[][] f = new byte[NEW_FLOWS][];
                for (int i = 0; i < f.length; i++) {
                    f[i] = syn(clientIp(i), clientPort(i), BenchCluster.NODE_IP, BenchCluster.NODE_PORT);
                }
                return f;
            }
            case "established", "reply" -> {
                byte[][] f = new byte[LIVE_FLOWS][];
                PacketResult r = new PacketResult();
                for (int i = 0; i < f.length; i++) {
                    byte[] s = syn(clientIp(i), clientPort(i), BenchCluster.CLUSTER_IP_BASE + (i % services), 80);
                    byte[] b = Arrays.copyOf(s, s.length + Dataplane.REPLY_ROOM);
                    dp.process(b, s.length, now, r);
                    if (kind.equals("established")) {
                        f[i] = FrameBuilder.tcp().from(clientIp(i), clientPort(i)).to(BenchCluster.CLUSTER_IP_BASE + (i % services), 80)
                                .flags(Frame.TCP_ACK_FLAG | Frame.TCP_PSH).seq(2).ack(1).payload(new byte[64]).build();
                    } else {
                        f[i] = FrameBuilder.tcp().from(r.backendIp, r.backendPort).to(clientIp(i), clientPort(i))
                                .flags(Frame.TCP_ACK_FLAG | Frame.TCP_PSH).seq(1).ack(2).payload(new byte[64]).build();
                    }
                }
                return f;
            }
            case "reject" -> {
                byte[][] f = new byte[LIVE_FLOWS][];
                for (int i = 0; i < f.length; i++) {
                    f[i] = syn(clientIp(i), clientPort(i), BenchCluster.EMPTY_IP, 80);
                }
                return f;
            }
            case "passthrough" -> {
                byte[][] f = new byte[LIVE_FLOWS][];
                for (int i = 0; i < f.length; i++) {
                    f[i] = syn(clientIp(i), clientPort(i), Ipv4.parse("10.128.0.1").value(), 8080);
                }
                return f;
            }
            default -> throw new IllegalArgumentException(kind);
        }
    }

    /**
     * How far the frame clock moves per frame, ns: new flows need their tuples' old entries expired
     * (60 s) before they come round; NodePort flows also share a few thousand SNAT ports per backend,
     * so they move faster (20 ms: about 3 000 flows alive at a time).
     */
    static long clockStep(String kind) {
        return switch (kind) {
            case "new_flow" -> 1_000_000L;
            case "nodeport_snat" -> 20_000_000L;
            default -> 0L;
        };
    }
}
