package dev.hotline.bench;

import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.bpf.BpfDataplane;
import dev.hotline.dataplane.bpf.BpfSizing;
import dev.hotline.dataplane.userspace.UserspaceDataplane;
import dev.hotline.plan.Maglev;
import dev.hotline.plan.Plan;
import dev.hotline.plan.PlanDiff;
import java.time.Duration;

/** Opens a dataplane sized for a plan and loads the plan into it. */
final class BenchDataplanes {
    /** Conntrack big enough for every benchmark's live flows; opening flows expire after a minute of frame clock. */
    static final DataplaneConfig CONFIG = new DataplaneConfig(1 << 20, Duration.ofHours(6), Duration.ofSeconds(60),
            Duration.ofSeconds(10), Duration.ofSeconds(60), 61000, 65535);

    private BenchDataplanes() {
    }

    static Dataplane open(String kind, Plan plan) {
        Dataplane dp = sizedFor(kind, plan);
        dp.apply(PlanDiff.between(Plan.EMPTY, plan));
        return dp;
    }

    /** A dataplane with room for the plan, holding nothing yet. */
    static Dataplane sizedFor(String kind, Plan plan) {
        Dataplane dp;
        if (kind.startsWith("bpf")) {
            int services = plan.services().size();
            int slots = 0;
            for (var s : plan.services()) {
                slots += s.table().size();
            }
            BpfSizing sizing = new BpfSizing(Math.max(65536, plan.frontendCount() * 2), Math.max(65536, plan.backends().size() * 2),
                    Math.max(1 << 21, slots + 4 * Maglev.MAX_SIZE), Math.max(65536, services * 2 + 16));
            dp = new BpfDataplane(CONFIG, sizing, true, null);
        } else {
            dp = new UserspaceDataplane(CONFIG);
        }
        return dp;
    }
}
