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
}
