package dev.hotline.reconcile;

import dev.hotline.cluster.ClusterDelta;
import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.NodePortRange;
import dev.hotline.cluster.ObjectRef;
import dev.hotline.cluster.Problem;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.LoadedState;
import dev.hotline.plan.Adoption;
import dev.hotline.plan.IncrementalPlanner;
import dev.hotline.plan.MapOp;
import dev.hotline.plan.NodeIdentity;
import dev.hotline.plan.Plan;
import dev.hotline.plan.ServicePlan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * plan, diff, apply: the one loop between a cluster and a {@link Dataplane}, used by the agent,
 * the demo, the tests and the benchmarks. Each change is planned for the Services it touches only
 * ({@link IncrementalPlanner}), its map operations applied in order, and one log line says what
 * changed and how long it took. The first change after a restart is planned to keep the IDs the
 * pinned maps already use, then what no longer exists is removed.
 *
 * One Service never takes the others down: when a change cannot be applied as a whole, it is
 * applied Service by Service, the ones that fail keep what the maps held for them (or stay out),
 * are named in the log and in {@link #status()}, and are planned again by {@link #retry()}.
 */
public final class Reconciler {
    private final Dataplane dataplane;
    private final NodeIdentity node;
    private final NodePortRange range;
    private final Consumer<String> log;
    private IncrementalPlanner planner;
    private LoadedState adopted;
    private ClusterState lastState = ClusterState.empty();
    private boolean staleRemoved;
    private boolean appliedOnce;
    private boolean sharedFailed;
    private volatile Status snapshot = new Status(false, null, Collections.emptySortedSet(), 0);
    private Listener listener = (seconds, services, endpoints, failed) -> { };
    /** Services not served as planned, with their display names. */
    private final Map<ObjectRef, String> notServed = new TreeMap<>(java.util.Comparator.comparing(ObjectRef::namespacedName));
    private final Map<Integer, String> names = new ConcurrentHashMap<>();
    private long applyFailures;
    private volatile long resyncRepairs;
    private long changesApplied;
    private volatile boolean resyncDue;
    private Consumer<IncrementalPlanner.Change> changes = c -> { };

    /** Told of every applied change (the metrics). */
    public interface Listener {
        void applied(double seconds, int serviceChanges, int endpointChanges, boolean failed);
    }

    /** What a node's health check reads: applied at all, and which Services the maps do not serve as planned. */
    public record Status(boolean applied, java.time.Instant lastApplied, SortedSet<String> notServed, long applyFailures) {
        /** Every Service of the latest picture is served as planned. */
        public boolean healthy() {
            return applied && notServed.isEmpty();
        }
    }

    public Reconciler(Dataplane dataplane, NodeIdentity node, NodePortRange range, Consumer<String> log) {
        this.dataplane = dataplane;
        this.node = node;
        this.range = range;
        this.log = log;
    }

    public Reconciler(Dataplane dataplane, NodeIdentity node, Consumer<String> log) {
        this(dataplane, node, NodePortRange.DEFAULT, log);
    }

    /** Told of every change after it is applied: its map operations, the touched Services before and after (the demo shows them). */
    public void onChange(Consumer<IncrementalPlanner.Change> observer) {
        this.changes = observer;
    }

    public void onApplied(Listener l) {
        this.listener = l;
    }

    /** Reads what the pinned maps hold; call before the first change. */
    public void adopt() {
        adopted = dataplane.adopt();
        if (!adopted.isEmpty()) {
            log.accept("found pinned state: " + adopted.serviceIds().size() + " frontend(s), " + adopted.backendIds().size()
                    + " backend(s); conntrack carries on");
        }
    }

    /** Applies a whole picture: the objects that differ from the last picture given here. */
    public synchronized void onChange(ClusterState state) {
        ClusterDelta delta = ClusterDelta.between(lastState, state);
        lastState = state;
        onDelta(delta);
    }

    /** Plans, diffs and applies one change. */
    public synchronized void onDelta(ClusterDelta delta) {
        apply(delta, Set.of());
    }

    private void apply(ClusterDelta delta, Set<ObjectRef> replan) {
        long start = System.nanoTime();
        changesApplied++;
        for (Problem p : delta.problems()) {
            if (p.isError()) {
                log.accept("skipped: " + p);
            }
        }
        if (planner == null) {
            boolean fresh = adopted == null || (adopted.isEmpty() && adopted.serviceIdCursor() == 0 && adopted.backendIdCursor() == 0);
            Plan seeds = fresh ? Plan.EMPTY : Adoption.seeds(picture(delta), node, adopted.serviceIds(), adopted.backendIds(),
                    adopted.serviceIdCursor(), adopted.backendIdCursor());
            planner = new IncrementalPlanner(node, range, seeds);
        }
        IncrementalPlanner.Change change = planner.prepare(delta, replan);
        for (Problem p : change.problems()) {
            if (p.isError() && !delta.problems().contains(p)) {
                log.accept("skipped: " + p);
            }
        }
        List<MapOp> ops = change.ops();
        Set<Integer> failed = Set.of();
        sharedFailed = false;
        try {
            dataplane.apply(ops);
        } catch (RuntimeException e) {
            log.accept("applying the change as a whole failed (" + e.getMessage() + "); applying it Service by Service");
            failed = applyByService(change.before(), change.after(), ops);
        }
        planner.commit(change, failed, sharedFailed && !failed.isEmpty());
        Plan applied = failed.isEmpty() ? change.after() : change.after().withServicesFrom(change.before(), failed);
        Counts counts = Counts.between(change.before(), applied);
        // what pinned maps held that no picture has: removed only once a picture is applied whole,
        // never on a failed one (a Service that failed would lose what the maps still serve it with)
        int stale = 0;
        if (!staleRemoved && failed.isEmpty()) {
            try {
                stale = adopted == null || adopted.isEmpty() ? 0 : dataplane.removeStale(planner.toPlan());
            } catch (RuntimeException e) {
                log.accept("removing what the pinned maps held that no Service has failed (left in the maps, unused): "
                        + e.getMessage());
            }
            staleRemoved = true;
        }
        Set<Integer> touchedIds = new HashSet<>();
        change.before().services().forEach(s -> touchedIds.add(s.id()));
        change.after().services().forEach(s -> touchedIds.add(s.id()));
        for (int id : touchedIds) {
            ServicePlan s = planner.service(id);
            if (s == null) {
                names.remove(id);
            } else {
                names.put(id, s.displayName());
            }
        }
        double ms = (System.nanoTime() - start) / 1e6;
        if (!change.isEmpty() || !appliedOnce) {
            // an event that changed nothing the dataplane holds (a resourceVersion bump) says nothing
            log.accept(String.format("applied %s; %d map write(s)%s in %.1f ms", summary(counts), ops.size(),
                    stale > 0 ? ", " + stale + " stale entr(ies) removed" : "", ms));
        }
        appliedOnce = true;
        Set<ObjectRef> served = new HashSet<>();
        change.before().services().forEach(s -> served.add(ref(s)));
        change.after().services().forEach(s -> served.add(ref(s)));
        served.addAll(replan);
        Map<ObjectRef, String> missing = new TreeMap<>(java.util.Comparator.comparing(ObjectRef::namespacedName));
        for (int id : failed) {
            ServicePlan s = change.after().service(id) != null ? change.after().service(id) : change.before().service(id);
            missing.put(ref(s), s.displayName());
        }
        SortedSet<String> recovered = new TreeSet<>();
        for (ObjectRef r : served) {
            String was = notServed.remove(r);
            if (was != null && !missing.containsKey(r)) {
                recovered.add(was);
            }
        }
        notServed.putAll(missing);
        if (!missing.isEmpty()) {
            applyFailures++;
            log.accept("not served as planned (tried again shortly): " + String.join(", ", new TreeSet<>(missing.values())));
        }
        if (!recovered.isEmpty()) {
            log.accept("now served as planned: " + String.join(", ", recovered));
        }
        listener.applied((System.nanoTime() - start) / 1e9, counts.services(), counts.endpoints(), !missing.isEmpty());
        this.changes.accept(change);
        dataplane.recordIdCursors(planner.lastServiceId(), planner.lastBackendId());
        snapshot = new Status(true, java.time.Instant.now(), Collections.unmodifiableSortedSet(new TreeSet<>(notServed.values())),
                applyFailures);
    }

    /** A whole picture of what a first change holds (for adopting the IDs pinned maps use). */
    private static ClusterState picture(ClusterDelta delta) {
        List<dev.hotline.cluster.Service> services = new ArrayList<>();
        delta.services().values().forEach(s -> {
            if (s != null) {
                services.add(s);
            }
        });
        List<dev.hotline.cluster.EndpointSlice> slices = new ArrayList<>();
        delta.slices().values().forEach(l -> {
            if (l != null) {
                slices.addAll(l);
            }
        });
        List<dev.hotline.cluster.Pod> pods = new ArrayList<>();
        delta.pods().values().forEach(p -> {
            if (p != null) {
                pods.add(p);
            }
        });
        return new ClusterState(services, pods, slices, List.of(), List.of(), List.of());
    }

    private static ObjectRef ref(ServicePlan s) {
        return new ObjectRef("Service", s.name().namespace(), s.name().name());
    }

    /**
     * The change once more, one Service at a time: the additions every Service shares (backends,
     * ClusterIPs) first, then each Service's own writes; then removals of what no applied Service
     * names any more. Returns the IDs of the Services whose writes failed.
     */
    private Set<Integer> applyByService(Plan before, Plan next, List<MapOp> ops) {
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
        List<MapOp> shared = new ArrayList<>();
        Map<Integer, List<MapOp>> byService = new java.util.LinkedHashMap<>();
        Map<Integer, Set<Integer>> members = new HashMap<>();
        for (MapOp op : ops) {
            Integer id = null;
            if (op instanceof MapOp.UpsertBackend || op instanceof MapOp.UpsertVirtualIp) {
                shared.add(op);
            } else if (op instanceof MapOp.OfService s) {
                id = s.serviceId();
            } else if (op instanceof MapOp.UpsertService u) {
                id = u.entry().serviceId();
            } else if (op instanceof MapOp.DeleteService d) {
                id = oldIds.get(d.frontend().key());
            } else if (!(op instanceof MapOp.DeleteBackend || op instanceof MapOp.DeleteVirtualIp)) {
                // removals of shared entries are worked out again below; any other kind must be placed, never lost
                throw new IllegalStateException("a map write the per-Service apply does not place: " + op);
            }
            if (id != null) {
                int g = group(tiedTo, id);
                byService.computeIfAbsent(g, k -> new ArrayList<>()).add(op);
                members.computeIfAbsent(g, k -> new TreeSet<>()).add(id);
            }
        }
        Set<Integer> failed = new TreeSet<>();
        sharedFailed = false;
        try {
            dataplane.apply(shared);
        } catch (RuntimeException e) {
            // without their backends no Service's new table may be written: every touched Service keeps what it had
            log.accept("writing backends and ClusterIPs failed: " + e.getMessage());
            before.services().forEach(s -> failed.add(s.id()));
            next.services().forEach(s -> failed.add(s.id()));
            sharedFailed = true;
            return failed;
        }
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
        List<MapOp> removals = dev.hotline.plan.PlanDiff.between(before, next.withServicesFrom(before, failed)).stream()
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

    /**
     * Plans again the Services not served as planned, and those of a change that threw before it
     * was recorded; true when there were any.
     */
    public boolean retry() {
        if (resyncDue) {
            resync();
        }
        synchronized (this) {
            return retryServices();
        }
    }

    private boolean retryServices() {
        if (planner == null || (notServed.isEmpty() && !planner.hasUncommitted())) {
            return false;
        }
        apply(ClusterDelta.NONE, new HashSet<>(notServed.keySet()));
        return true;
    }

    /**
     * Plans the whole cluster again from scratch, with the IDs the maps use, and writes whatever
     * differs from what the change-by-change plan left: the safety net under incremental planning
     * (kube-proxy's periodic full sync). Nothing should differ; what did is logged and counted.
     * Returns how many map writes it took.
     */
    public int resync() {
        Plan current;
        ClusterDelta inputs;
        long seen;
        synchronized (this) {
            if (planner == null || !notServed.isEmpty() || planner.hasUncommitted()) {
                return 0; // retries own the Services not served; a resync waits for them
            }
            current = planner.toPlan();
            inputs = planner.inputs();
            seen = changesApplied;
        }
        // planned without the lock: changes keep flowing meanwhile (at 100 000 Services this takes seconds)
        IncrementalPlanner fresh = new IncrementalPlanner(node, range, current);
        IncrementalPlanner.Change all = fresh.prepare(inputs, Set.of());
        fresh.commit(all, Set.of());
        Plan whole = fresh.toPlan();
        List<MapOp> ops = dev.hotline.plan.PlanDiff.between(current, whole);
        if (ops.isEmpty()) {
            resyncDue = false;
            return 0;
        }
        synchronized (this) {
            if (changesApplied != seen) {
                return 0; // a change came in meanwhile: compare again next time
            }
            SortedSet<String> differ = new TreeSet<>();
            Map<Object, ServicePlan> was = new HashMap<>();
            current.services().forEach(s -> was.put(key(s), s));
            whole.services().forEach(s -> {
                if (!s.equals(was.remove(key(s)))) {
                    differ.add(s.displayName());
                }
            });
            was.values().forEach(s -> differ.add(s.displayName()));
            log.accept("resync: the maps differed from a plan made from scratch; " + ops.size() + " write(s) to repair "
                    + (differ.isEmpty() ? "backends or ClusterIPs" : String.join(", ", differ)));
            try {
                dataplane.apply(ops);
            } catch (RuntimeException e) {
                // the maps are half repaired: the same comparison runs again with the next retry (the
                // writes are idempotent), and health says so meanwhile
                resyncDue = true;
                log.accept("resync: repairing failed (" + e.getMessage() + "); tried again shortly");
                snapshot = new Status(snapshot.applied(), snapshot.lastApplied(), addTo(snapshot.notServed(), "(resync repair)"),
                        snapshot.applyFailures() + 1);
                return 0;
            }
            resyncDue = false;
            snapshot = new Status(true, java.time.Instant.now(), Collections.unmodifiableSortedSet(new TreeSet<>(notServed.values())),
                    applyFailures);
            planner = fresh;
            whole.services().forEach(s -> names.put(s.id(), s.displayName()));
            current.services().forEach(s -> {
                if (whole.service(s.id()) == null) {
                    names.remove(s.id());
                }
            });
            resyncRepairs++;
            return ops.size();
        }
    }

    private static SortedSet<String> addTo(SortedSet<String> names, String name) {
        SortedSet<String> out = new TreeSet<>(names);
        out.add(name);
        return Collections.unmodifiableSortedSet(out);
    }

    /** How many resyncs found the maps different from a plan made from scratch. */
    public long resyncRepairs() {
        return resyncRepairs;
    }

    /** The state after the last applied change; never waits for an apply in progress (health probes read it). */
    public Status status() {
        return snapshot;
    }

    /** Sweeps expired flows from conntrack (the dataplane never evicts a live one); returns how many went. */
    public synchronized int sweepConntrack(long nowNanos) {
        return dataplane.sweepConntrack(nowNanos);
    }

    /** The whole plan the maps hold now (O(Services): for tests, status and the demo, not per change). */
    public synchronized Plan loaded() {
        return planner == null ? null : planner.toPlan();
    }

    /** The display name of the Service with this ID in the maps, or null; never waits for an apply (metrics read it). */
    public String serviceName(int id) {
        return names.get(id);
    }

    /** What one change did: Service ports added, removed, changed; backends added, removed. */
    record Counts(int added, int removed, int changed, int backendsAdded, int backendsRemoved) {
        static Counts between(Plan before, Plan after) {
            if (before.services().isEmpty() && before.backends().isEmpty()) {
                return new Counts(after.services().size(), 0, 0, after.backends().size(), 0); // everything is new
            }
            Map<Object, ServicePlan> old = new HashMap<>();
            before.services().forEach(s -> old.put(key(s), s));
            int added = 0;
            int changed = 0;
            Set<Object> now = new HashSet<>();
            for (ServicePlan s : after.services()) {
                now.add(key(s));
                ServicePlan o = old.get(key(s));
                if (o == null) {
                    added++;
                } else if (!o.backends().equals(s.backends()) || !o.frontends().equals(s.frontends())) {
                    changed++;
                }
            }
            int removed = (int) old.keySet().stream().filter(k -> !now.contains(k)).count();
            Set<Integer> bb = before.backends().keySet();
            Set<Integer> ab = after.backends().keySet();
            return new Counts(added, removed, changed, (int) ab.stream().filter(id -> !bb.contains(id)).count(),
                    (int) bb.stream().filter(id -> !ab.contains(id)).count());
        }

        int services() {
            return added + removed + changed;
        }

        int endpoints() {
            return backendsAdded + backendsRemoved;
        }
    }

    /** "services +1 -0 ~2, backends +3 -1 (now ...)" for one change. */
    private String summary(Counts c) {
        return "services +" + c.added() + " -" + c.removed() + " ~" + c.changed() + ", backends +" + c.backendsAdded() + " -"
                + c.backendsRemoved() + " (now " + planner.serviceCount() + " services, " + planner.frontendCount() + " frontends, "
                + planner.backendCount() + " backends)";
    }

    private static Object key(ServicePlan s) {
        return java.util.List.of(s.name(), s.protocol(), s.scope());
    }
}
