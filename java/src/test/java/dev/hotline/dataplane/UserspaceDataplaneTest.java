package dev.hotline.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.TestManifests;
import dev.hotline.dataplane.userspace.UserspaceDataplane;
import dev.hotline.net.Ipv4;
import dev.hotline.packet.Bytes;
import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import dev.hotline.plan.NodeIdentity;
import dev.hotline.plan.Plan;
import dev.hotline.plan.PlanDiff;
import dev.hotline.plan.Planner;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Quick checks of the Java packet path; the full scenario suite (with pcaps and tshark) lives in tests/. */
class UserspaceDataplaneTest {
    static final String CLUSTER = TestManifests.service("web", "10.96.0.1", "app: web", "- {name: http, port: 80, targetPort: 8080}")
            + TestManifests.pod("a", "10.1.0.1", "n1", "app: web", true, "")
            + TestManifests.pod("b", "10.1.0.2", "n2", "app: web", true, "");

    static UserspaceDataplane loaded(String yaml) {
        UserspaceDataplane dp = new UserspaceDataplane(DataplaneConfig.DEFAULT);
        Plan p = Planner.plan(TestManifests.state(yaml), new NodeIdentity("n1", List.of(Ipv4.parse("192.168.0.1"))), Plan.EMPTY);
        dp.apply(PlanDiff.between(Plan.EMPTY, p));
        return dp;
    }

    static byte[] buf(byte[] frame) {
        return java.util.Arrays.copyOf(frame, frame.length + Dataplane.REPLY_ROOM);
    }

    @Test
    void synIsDnatedAndTheReplyIsTranslatedBack() {
        UserspaceDataplane dp = loaded(CLUSTER);
        PacketResult r = new PacketResult();
        byte[] syn = buf(FrameBuilder.tcp().from("10.1.1.10", 40000).to("10.96.0.1", 80).flags(Frame.TCP_SYN).build());
        dp.process(syn, syn.length - Dataplane.REPLY_ROOM, 1_000, r);
        assertThat(r.verdict).isEqualTo(Verdict.DNAT);
        int backend = Bytes.be32(syn, Frame.IP_DADDR);
        assertThat(backend).isIn(Ipv4.parse("10.1.0.1").value(), Ipv4.parse("10.1.0.2").value());
        assertThat(Bytes.be16(syn, Frame.ETH_HLEN + 20 + 2)).isEqualTo(8080);
        assertThat(r.backendIp).isEqualTo(backend);

        byte[] synAck = buf(FrameBuilder.tcp().from(backend, 8080).to(Ipv4.parse("10.1.1.10").value(), 40000)
                .flags(Frame.TCP_SYN | Frame.TCP_ACK_FLAG).build());
        dp.process(synAck, synAck.length - Dataplane.REPLY_ROOM, 2_000, r);
        assertThat(r.verdict).isEqualTo(Verdict.REVERSE);
        assertThat(new Ipv4(Bytes.be32(synAck, Frame.IP_SADDR))).hasToString("10.96.0.1");
        assertThat(Bytes.be16(synAck, Frame.ETH_HLEN + 20)).isEqualTo(80);
        assertThat(dp.counters().conntrackEntries()).isEqualTo(1);
    }

    @Test
    void unrelatedTrafficPassesByteForByte() {
        UserspaceDataplane dp = loaded(CLUSTER);
        PacketResult r = new PacketResult();
        byte[] f = FrameBuilder.tcp().from("10.1.1.10", 40000).to("10.1.0.1", 8080).flags(Frame.TCP_SYN).build();
        byte[] b = buf(f);
        dp.process(b, f.length, 0, r);
        assertThat(r.verdict).isEqualTo(Verdict.PASS);
        assertThat(r.reason).isEqualTo(Reason.NO_SERVICE);
        assertThat(java.util.Arrays.copyOf(b, r.length)).isEqualTo(f);
    }

    @Test
    void flowsExpireOnTheCallersClock() {
        UserspaceDataplane dp = new UserspaceDataplane(DataplaneConfig.DEFAULT);
        Plan p = Planner.plan(TestManifests.state(CLUSTER.replace("port: 80, targetPort: 8080", "port: 80, protocol: UDP, targetPort: 8080")),
                new NodeIdentity("n1", List.of()), Plan.EMPTY);
        dp.apply(PlanDiff.between(Plan.EMPTY, p));
        PacketResult r = new PacketResult();
        byte[] q = FrameBuilder.udp().from("10.1.1.10", 5000).to("10.96.0.1", 80).payload("x").build();
        dp.process(buf(q), q.length, 0, r);
        assertThat(dp.counters().conntrackEntries()).isEqualTo(1);
        byte[] reply = FrameBuilder.udp().from(r.backendIp, 8080).to(Ipv4.parse("10.1.1.10").value(), 5000).payload("y").build();
        dp.process(buf(reply), reply.length, 59_000_000_000L, r);
        assertThat(r.verdict).isEqualTo(Verdict.REVERSE);
        // 60 s after the last packet the flow is gone: the same reply is no longer translated
        dp.process(buf(reply), reply.length, 59_000_000_000L + 60_000_000_000L, r);
        assertThat(r.verdict).isEqualTo(Verdict.PASS);
    }

    @Test
    void aFullConntrackTableDropsNewFlowsAndCountsThemInsteadOfGrowing() {
        UserspaceDataplane dp = new UserspaceDataplane(DataplaneConfig.DEFAULT.withConntrackMax(16));
        Plan p = Planner.plan(TestManifests.state(CLUSTER), new NodeIdentity("n1", List.of()), Plan.EMPTY);
        dp.apply(PlanDiff.between(Plan.EMPTY, p));
        PacketResult r = new PacketResult();
        int dropped = 0;
        for (int i = 0; i < 20; i++) {
            byte[] f = FrameBuilder.tcp().from("10.1.1.10", 30000 + i).to("10.96.0.1", 80).flags(Frame.TCP_SYN).build();
            dp.process(buf(f), f.length, 0, r);
            if (r.verdict == Verdict.DROP) {
                assertThat(r.reason).isEqualTo(Reason.CONNTRACK_FULL);
                assertThat(r.length).isZero();
                dropped++;
            }
        }
        assertThat(dropped).isEqualTo(4);
        assertThat(dp.counters().conntrackEntries()).isEqualTo(16);
        assertThat(dp.counters().byReason().get(Reason.CONNTRACK_FULL)).isEqualTo(4);
        // once the opening flows time out (60 s of the caller's clock), new flows fit again
        byte[] late = FrameBuilder.tcp().from("10.1.1.10", 31000).to("10.96.0.1", 80).flags(Frame.TCP_SYN).build();
        dp.process(buf(late), late.length, 61_000_000_000L, r);
        assertThat(r.verdict).isEqualTo(Verdict.DNAT);
    }

    @Test
    void theSteadyStatePacketPathAllocatesNothing() {
        UserspaceDataplane dp = loaded(CLUSTER + TestManifests.service("np", "10.96.0.2", "app: web", "- {name: http, port: 81, nodePort: 30081}")
                .replace("spec:\n", "spec:\n  type: NodePort\n"));
        byte[][] frames = new byte[4096][];
        for (int i = 0; i < frames.length; i++) {
            byte[] f = switch (i % 4) {
                case 0 -> FrameBuilder.tcp().from("10.1.1.10", 20000 + i).to("10.96.0.1", 80).flags(Frame.TCP_SYN).build();
                case 1 -> FrameBuilder.udp().from("10.1.1.10", 20000 + i).to("10.96.0.1", 53).payload("x").build();
                case 2 -> FrameBuilder.tcp().from("203.0.113.9", 20000 + i).to("192.168.0.1", 30081).flags(Frame.TCP_SYN).build();
                default -> FrameBuilder.tcp().from("10.1.1.10", 20000 + i).to("10.1.0.1", 80).flags(Frame.TCP_SYN).build();
            };
            frames[i] = buf(f);
        }
        int[] lengths = new int[frames.length];
        for (int i = 0; i < frames.length; i++) {
            lengths[i] = frames[i].length - Dataplane.REPLY_ROOM;
        }
        byte[] work = new byte[2048];
        PacketResult r = new PacketResult();
        Runnable round = () -> {
            for (int i = 0; i < frames.length; i++) {
                System.arraycopy(frames[i], 0, work, 0, lengths[i]);
                dp.process(work, lengths[i], 1_000, r);
            }
        };
        for (int i = 0; i < 50; i++) {
            round.run(); // warm up: new flows are created once, then every frame is an established flow or a reject
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 20; i++) {
            round.run();
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        // 80k frames; a single allocation per frame would be over a megabyte
        assertThat(allocated).as("bytes allocated for %d frames", 20 * frames.length).isLessThan(64 * 1024);
    }
}
