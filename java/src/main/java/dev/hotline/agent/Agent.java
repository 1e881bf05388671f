package dev.hotline.agent;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.Problem;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.LoadedState;
import dev.hotline.plan.Adoption;
import dev.hotline.plan.MapOp;
import dev.hotline.plan.NodeIdentity;
import dev.hotline.plan.Plan;
import dev.hotline.plan.PlanDiff;
import dev.hotline.plan.Planner;
import dev.hotline.plan.ServicePlan;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What a node runs, over any {@link Dataplane}: every new cluster picture is planned, diffed
 * against what is loaded, and applied to the (pinned) maps, with one log line per change saying what changed and how long it
 * took. The first picture after a restart is planned to keep the IDs the pinned maps already use,
 * then what no longer exists is removed.
 */
public final class Agent {
    private final Dataplane dataplane;
    private final NodeIdentity node;
    private final Consumer<String> log;
    private Plan loaded;
    private LoadedState adopted;

    public Agent(Dataplane dataplane, NodeIdentity node, Consumer<String> log) {
        this.dataplane = dataplane;
        this.node = node;
        this.log = log;
    }

    /** Reads what the pinned maps hold; call before the first picture. */
    public void adopt() {
        adopted = dataplane.adopt();
        if (!adopted.isEmpty()) {
            log.accept("found pinned state: " + adopted.serviceIds().size() + " frontend(s), " + adopted.backendIds().size()
                    + " backend(s); conntrack carries on");
        }
    }

    /** Plans, diffs and applies one cluster picture. */
    public synchronized void onChange(ClusterState state) {
        long start = System.nanoTime();
        for (Problem p : state.problems()) {
            if (p.isError()) {
                log.accept("skipped: " + p);
            }
        }
        Plan next;
        Plan before;
        if (loaded == null) {
            next = adopted == null || adopted.isEmpty() ? Planner.plan(state, node, Plan.EMPTY)
                    : Adoption.firstPlan(state, node, adopted.serviceIds(), adopted.backendIds());
            before = Plan.EMPTY;
        } else {
            next = Planner.plan(state, node, loaded);
            before = loaded;
        }
        List<MapOp> ops = PlanDiff.between(before, next);
        dataplane.apply(ops);
        int stale = loaded == null ? dataplane.removeStale(next) : 0;
        double ms = (System.nanoTime() - start) / 1e6;
        log.accept(String.format("applied %s; %d map write(s)%s in %.1f ms", summary(before, next), ops.size(),
                stale > 0 ? ", " + stale + " stale entr(ies) removed" : "", ms));
        loaded = next;
    }

    /** Sweeps expired flows from conntrack (the dataplane never evicts a live one); returns how many went. */
    public synchronized int sweepConntrack(long nowNanos) {
        return dataplane.sweepConntrack(nowNanos);
    }

    public synchronized Plan loaded() {
        return loaded;
    }

    /** "services +1 -0 ~2, backends +3 -1" between two plans. */
    static String summary(Plan before, Plan after) {
        Map<String, ServicePlan> old = new HashMap<>();
        before.services().forEach(s -> old.put(key(s), s));
        int added = 0;
        int changed = 0;
        Set<String> now = new HashSet<>();
        for (ServicePlan s : after.services()) {
            now.add(key(s));
            ServicePlan o = old.get(key(s));
            if (o == null) {
                added++;
            } else if (!o.backends().equals(s.backends()) || !o.frontends().equals(s.frontends())) {
                changed++;
            }
        }
        long removed = old.keySet().stream().filter(k -> !now.contains(k)).count();
        Set<Integer> bb = before.backends().keySet();
        Set<Integer> ab = after.backends().keySet();
        long backendsAdded = ab.stream().filter(id -> !bb.contains(id)).count();
        long backendsRemoved = bb.stream().filter(id -> !ab.contains(id)).count();
        return "services +" + added + " -" + removed + " ~" + changed + ", backends +" + backendsAdded + " -" + backendsRemoved
                + " (now " + after.services().size() + " services, " + after.frontendCount() + " frontends, "
                + after.backends().size() + " backends)";
    }

    private static String key(ServicePlan s) {
        return s.name() + "/" + s.protocol() + "/" + s.scope();
    }
}
