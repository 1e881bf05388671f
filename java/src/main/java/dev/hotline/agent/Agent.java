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
 *
 * One Service never takes the others down: when a change cannot be applied as a whole, it is
 * applied Service by Service, the ones that fail keep what the maps held for them (or stay out),
 * are named in the log and in {@link #status()}, and are tried again by {@link #retry()} and with
 * every later change.
 */
public final class Agent {
    private final Dataplane dataplane;
    private final NodeIdentity node;
    private final Consumer<String> log;
    private volatile Plan loaded;
    private LoadedState adopted;
    private ClusterState lastState;
    private boolean staleRemoved;
    private boolean sharedFailed;
    private volatile Status snapshot = new Status(false, null, java.util.Collections.emptySortedSet(), 0);
    private Listener listener = (seconds, services, endpoints, failed) -> { };

    /** Told of every applied change (the metrics). */
    public interface Listener {
        void applied(double seconds, int serviceChanges, int endpointChanges, boolean failed);
    }

    public void onApplied(Listener l) {
        this.listener = l;
    }
    private java.util.SortedSet<String> notServed = new java.util.TreeSet<>();
    private long applyFailures;
    private java.time.Instant lastApplied;

    /** What a node's health check reads: applied at all, and which Services the maps do not serve as planned. */
    public record Status(boolean applied, java.time.Instant lastApplied, java.util.SortedSet<String> notServed, long applyFailures) {
        /** Every Service of the latest picture is served as planned. */
        public boolean healthy() {
            return applied && notServed.isEmpty();
        }
    }

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
            boolean fresh = adopted == null || (adopted.isEmpty() && adopted.serviceIdCursor() == 0 && adopted.backendIdCursor() == 0);
            next = fresh ? Planner.plan(state, node, Plan.EMPTY)
                    : Adoption.firstPlan(state, node, adopted.serviceIds(), adopted.backendIds(), adopted.serviceIdCursor(),
                            adopted.backendIdCursor());
            before = Plan.EMPTY;
        } else {
            next = Planner.plan(state, node, loaded);
            before = loaded;
        }
        List<MapOp> ops = PlanDiff.between(before, next);
        Plan applied = next;
        java.util.Set<Integer> failed = java.util.Set.of();
        try {
            dataplane.apply(ops);
        } catch (RuntimeException e) {
            log.accept("applying the change as a whole failed (" + e.getMessage() + "); applying it Service by Service");
            failed = applyByService(before, next, ops);
            // without the shared writes (backends, ClusterIPs) nothing of the change is known to be in the maps
            applied = sharedFailed ? before : next.withServicesFrom(before, failed);
        }
        // what pinned maps held that no picture has: removed only once a picture is applied whole,
        // never on a failed one (a Service that failed would lose what the maps still serve it with)
        int stale = !staleRemoved && failed.isEmpty() ? dataplane.removeStale(applied) : 0;
        if (failed.isEmpty()) {
            staleRemoved = true;
        }
        double ms = (System.nanoTime() - start) / 1e6;
        log.accept(String.format("applied %s; %d map write(s)%s in %.1f ms", summary(before, applied), ops.size(),
                stale > 0 ? ", " + stale + " stale entr(ies) removed" : "", ms));
        java.util.SortedSet<String> missing = new java.util.TreeSet<>();
        for (int id : failed) {
            ServicePlan s = next.service(id);
            missing.add(s != null ? s.displayName() : before.service(id).displayName());
        }
        if (!missing.isEmpty()) {
            applyFailures++;
            log.accept("not served as planned (tried again shortly): " + String.join(", ", missing));
        } else if (!notServed.isEmpty()) {
            log.accept("now served as planned: " + String.join(", ", notServed));
        }
        int[] changes = changeCounts(before, applied);
        listener.applied((System.nanoTime() - start) / 1e9, changes[0], changes[1], !missing.isEmpty());
        notServed = missing;
        loaded = applied;
        dataplane.recordIdCursors(applied.serviceIds().lastIssued(), applied.backendIds().lastIssued());
        lastState = state;
        lastApplied = java.time.Instant.now();
        snapshot = new Status(true, lastApplied, java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(notServed)),
                applyFailures);
    }

    /**
     * The change once more, one Service at a time: the additions every Service shares (backends,
     * ClusterIPs) first, then each Service's own writes; then removals of what no applied Service
     * names any more. Returns the IDs of the Services whose writes failed.
     */
    private java.util.Set<Integer> applyByService(Plan before, Plan next, List<MapOp> ops) {
        Map<dev.hotline.plan.FrontendKey, Integer> oldIds = new HashMap<>();
        before.services().forEach(sp -> sp.frontends().forEach(f -> oldIds.put(f.key(), sp.id())));
        // a frontend that moves from one Service to another (a rename keeping its nodePort, a traffic
        // policy flip) ties the two: they are written, or kept as they were, together
        Map<Integer, Integer> tiedTo = new HashMap<>();
        for (MapOp op : ops) {
            if (op instanceof MapOp.UpsertService u) {
                Integer old = oldIds.get(u.frontend().key());
                if (old != null && old != u.entry().serviceId()) {
                    tiedTo.put(group(tiedTo, old), group(tiedTo, u.entry().serviceId()));
                }
            }
        }
        List<MapOp> shared = new java.util.ArrayList<>();
        Map<Integer, List<MapOp>> byService = new java.util.LinkedHashMap<>();
        Map<Integer, java.util.Set<Integer>> members = new HashMap<>();
        for (MapOp op : ops) {
            Integer id = null;
            if (op instanceof MapOp.UpsertBackend || op instanceof MapOp.UpsertVirtualIp) {
                shared.add(op);
            } else if (op instanceof MapOp.UpsertMaglevSlots m) {
                id = m.serviceId();
            } else if (op instanceof MapOp.UpsertService u) {
                id = u.entry().serviceId();
            } else if (op instanceof MapOp.DeleteService d) {
                id = oldIds.get(d.frontend().key());
            } else if (op instanceof MapOp.DeleteMaglevSlots d) {
                id = d.serviceId();
            }
            if (id != null) {
                int g = group(tiedTo, id);
                byService.computeIfAbsent(g, k -> new java.util.ArrayList<>()).add(op);
                members.computeIfAbsent(g, k -> new java.util.TreeSet<>()).add(id);
            }
        }
        java.util.Set<Integer> failed = new java.util.TreeSet<>();
        sharedFailed = false;
        try {
            dataplane.apply(shared);
        } catch (RuntimeException e) {
            // without their backends no Service's new table may be written
            log.accept("writing backends and ClusterIPs failed: " + e.getMessage());
            members.values().forEach(failed::addAll);
            sharedFailed = true;
        }
        if (failed.isEmpty()) {
            byService.forEach((g, group) -> {
                try {
                    dataplane.apply(group);
                } catch (RuntimeException e) {
                    for (int id : members.get(g)) {
                        ServicePlan s = next.service(id) != null ? next.service(id) : before.service(id);
                        log.accept("cannot apply Service " + (s == null ? "#" + id : s.displayName()) + ": " + e.getMessage());
                        failed.add(id);
                    }
                }
            });
        }
        if (sharedFailed) {
            return failed;
        }
        List<MapOp> removals = PlanDiff.between(before, next.withServicesFrom(before, failed)).stream()
                .filter(op -> op instanceof MapOp.DeleteBackend || op instanceof MapOp.DeleteVirtualIp).toList();
        try {
            dataplane.apply(removals);
        } catch (RuntimeException e) {
            log.accept("removing unused backends and ClusterIPs failed (left in the maps, unused): " + e.getMessage());
        }
        return failed;
    }

    /** The group a Service ID's writes go with (union-find over tied IDs). */
    private static int group(Map<Integer, Integer> tiedTo, int id) {
        int g = id;
        Integer up;
        while ((up = tiedTo.get(g)) != null && up != g) {
            g = up;
        }
        return g;
    }

    /** Applies the last picture again when some Service was not served as planned; true when it did. */
    public synchronized boolean retry() {
        if (notServed.isEmpty() || lastState == null) {
            return false;
        }
        onChange(lastState);
        return true;
    }

    /** The state after the last applied picture; never waits for an apply in progress (health probes read it). */
    public Status status() {
        return snapshot;
    }

    /** Sweeps expired flows from conntrack (the dataplane never evicts a live one); returns how many went. */
    public synchronized int sweepConntrack(long nowNanos) {
        return dataplane.sweepConntrack(nowNanos);
    }

    public synchronized Plan loaded() {
        return loaded;
    }

    /** Service ports added, removed or changed, and backends added or removed, between two plans. */
    static int[] changeCounts(Plan before, Plan after) {
        Map<String, ServicePlan> old = new HashMap<>();
        before.services().forEach(s -> old.put(key(s), s));
        int services = 0;
        Set<String> now = new HashSet<>();
        for (ServicePlan s : after.services()) {
            now.add(key(s));
            ServicePlan o = old.get(key(s));
            if (o == null || !o.backends().equals(s.backends()) || !o.frontends().equals(s.frontends())) {
                services++;
            }
        }
        services += (int) old.keySet().stream().filter(k -> !now.contains(k)).count();
        int endpoints = (int) after.backends().keySet().stream().filter(id -> !before.backends().containsKey(id)).count()
                + (int) before.backends().keySet().stream().filter(id -> !after.backends().containsKey(id)).count();
        return new int[] {services, endpoints};
    }

    /** The display name of the Service with this ID in the loaded plan, or null. */
    public String serviceName(int id) {
        Plan p = loaded; // immutable; read without the lock, as a scrape must not wait for an apply
        ServicePlan s = p == null ? null : p.service(id);
        return s == null ? null : s.displayName();
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
