package dev.hotline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.select.Dataplanes;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Verdict;
import dev.hotline.plan.Plan;
import dev.hotline.plan.Planner;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each benchmark's frames are what its name says, on both dataplanes, for longer than a measurement runs. */
class FrameKindsTest {
    static final Map<String, Verdict> EXPECTED = Map.of("new_flow", Verdict.DNAT, "established", Verdict.DNAT,
            "reply", Verdict.REVERSE, "nodeport_snat", Verdict.DNAT_SNAT, "reject", Verdict.REJECT, "passthrough", Verdict.PASS);

    @Test
    void everyKindGivesItsVerdict() {
        boolean bpf = Dataplanes.bpfUnavailable() == null;
        if (!bpf) {
            assumeTrue(!"true".equals(System.getenv("CI")), "CI=true needs the BPF dataplane");
        }
        Plan plan = Planner.plan(BenchCluster.build(10, 10, -1), BenchCluster.NODE, Plan.EMPTY);
        for (String dataplane : bpf ? new String[] {"userspace", "bpf"} : new String[] {"userspace"}) {
            for (Map.Entry<String, Verdict> e : EXPECTED.entrySet()) {
                long now = 1_795_651_200_000_000_000L;
                try (Dataplane dp = BenchDataplanes.open(dataplane, plan)) {
                    byte[][] frames = FrameKinds.frames(e.getKey(), dp, 10, now);
                    PacketResult r = new PacketResult();
                    // twice round the pool: the second time "new" tuples must be new again
                    for (int i = 0; i < frames.length * 2; i++) {
                        byte[] f = frames[i % frames.length];
                        byte[] b = Arrays.copyOf(f, f.length + Dataplane.REPLY_ROOM);
                        now += FrameKinds.clockStep(e.getKey());
                        dp.process(b, f.length, now, r);
                        assertThat(r.verdict).as("%s %s frame %d", dataplane, e.getKey(), i).isEqualTo(e.getValue());
                        if (i > 2000 && !e.getKey().contains("new") && !e.getKey().contains("nodeport")) {
                            break;
                        }
                    }
                }
            }
        }
    }
}
