package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.bpf.Abi;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.bpf.BpfDataplane;
import dev.hotline.dataplane.bpf.BpfSizing;
import dev.hotline.dataplane.userspace.UserspaceDataplane;
import dev.hotline.packet.FrameBuilder;
import dev.hotline.plan.Plan;
import dev.hotline.plan.PlanDiff;
import dev.hotline.plan.Planner;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The sweep a node's agent runs on a timer: expired flows go, both halves; live ones stay. */
class ConntrackSweepTest {

    @Test
    void aSweepRemovesExactlyTheExpiredFlowsOnBothDataplanes() throws Exception {
        Privileges.requireBpf();
        DataplaneConfig config = DataplaneConfig.DEFAULT.withConntrackMax(1024);
        Plan plan = Planner.plan(Scenario.state(Cluster.base()), Scenario.NODE_1, Plan.EMPTY);
        try (BpfDataplane kernel = new BpfDataplane(config, BpfSizing.DEFAULT, true, null);
             UserspaceDataplane twin = new UserspaceDataplane(config)) {
            for (Dataplane dp : new Dataplane[] {kernel, twin}) {
                dp.apply(PlanDiff.between(Plan.EMPTY, plan));
                PacketResult r = new PacketResult();
                for (int i = 0; i < 10; i++) {
                    // UDP flows (60 s) at T0, then TCP flows still opening (60 s) at T0 + 30 s
                    byte[] f = FrameBuilder.udp().from("10.1.1.10", 6000 + i).to("10.96.0.53", 53).payload("q").build();
                    dp.process(Arrays.copyOf(f, f.length + Dataplane.REPLY_ROOM), f.length, Scenario.T0, r);
                    byte[] g = FrameBuilder.tcp().from("10.1.1.10", 7000 + i).to("10.96.0.10", 80).flags(2).build();
                    dp.process(Arrays.copyOf(g, g.length + Dataplane.REPLY_ROOM), g.length, Scenario.T0 + 30_000_000_000L, r);
                }
                assertThat(dp.counters().conntrackEntries()).as(dp.name()).isEqualTo(20);
                assertThat(dp.sweepConntrack(Scenario.T0 + 59_000_000_000L)).as(dp.name()).isZero();
                assertThat(dp.sweepConntrack(Scenario.T0 + 61_000_000_000L)).as(dp.name()).isEqualTo(10);
                assertThat(dp.counters().conntrackEntries()).as(dp.name()).isEqualTo(10);
                assertThat(dp.sweepConntrack(Scenario.T0 + 91_000_000_000L)).as(dp.name()).isEqualTo(10);
                assertThat(dp.counters().conntrackEntries()).as(dp.name()).isZero();
            }
            // no reverse entry is left behind in the kernel's maps either
            assertThat(kernel.program().count(Abi.MAP_CT_REVERSE)).isZero();
        }
    }

    /** A reverse entry without its flow is left alone once (a flow being made), and goes at the next sweep. */
    @Test
    void anOrphanedReverseEntryGoesAtTheSecondSweep() throws Exception {
        Privileges.requireBpf();
        try (BpfDataplane kernel = new BpfDataplane(DataplaneConfig.DEFAULT.withConntrackMax(1024), BpfSizing.DEFAULT, true, null)) {
            java.nio.ByteBuffer key = java.nio.ByteBuffer.allocateDirect(Abi.CT_KEY_SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            java.nio.ByteBuffer value = java.nio.ByteBuffer.allocateDirect(Abi.CT_REVERSE_SIZE).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            key.putInt(Abi.CT_KEY_SADDR, 0x0501010a).putShort(Abi.CT_KEY_SPORT, (short) 0x901f).put(Abi.CT_KEY_PROTO, (byte) 6);
            value.putInt(Abi.CT_KEY_SADDR, 0x0a01010a).put(Abi.CT_KEY_PROTO, (byte) 6);
            kernel.program().update(Abi.MAP_CT_REVERSE, key, value, 1);
            kernel.sweepConntrack(Scenario.T0);
            assertThat(kernel.program().count(Abi.MAP_CT_REVERSE)).as("after one sweep").isEqualTo(1);
            kernel.sweepConntrack(Scenario.T0 + 10_000_000_000L);
            assertThat(kernel.program().count(Abi.MAP_CT_REVERSE)).as("after two").isZero();
        }
    }
}
