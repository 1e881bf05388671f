package dev.hotline.plan;

import dev.hotline.cluster.ClusterDelta;
import dev.hotline.cluster.EndpointSlice;
import dev.hotline.cluster.NodePortRange;
import dev.hotline.cluster.ObjectRef;
import dev.hotline.cluster.Pod;
import dev.hotline.cluster.Problem;
import dev.hotline.cluster.Service;
import dev.hotline.cluster.ServiceAdmission;
import dev.hotline.endpoints.EndpointResolver;
import dev.hotline.endpoints.EndpointsController;
import dev.hotline.net.Ipv4;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The plan kept up to date one change at a time, as kube-proxy's change trackers and Cilium's
 * per-Service updates do: a change re-plans only the Services it touches (the Service itself, the
 * owner of a changed EndpointSlice, the selectors of a changed Pod), and its map operations are the
 * diff of those Services alone. The result equals {@link Planner#plan} of the whole picture with
 * the same previous plan (the property test holds it to that), which stays the oracle.
 *
 * A change is prepared (planned, IDs numbered, map operations computed), applied by the caller,
 * then committed with the Services whose writes failed: those keep what the maps held for them,
 * their tables marked unknown, and hold on to the IDs both versions name until they are planned
 * again. Not thread-safe: one reconciler drives it.
 */
public final class IncrementalPlanner {
    /** Services in namespace/name order (the order a whole plan numbers new ones in does not depend on it). */
    private static final java.util.Comparator<ObjectRef> BY_NAME = java.util.Comparator
            .comparing(ObjectRef::namespace, java.util.Comparator.nullsFirst(java.util.Comparator.<String>naturalOrder()))
            .thenComparing(ObjectRef::name);

    private final NodeIdentity node;
    private final ServiceAdmission admission;
    private final Map<ObjectRef, List<EndpointSlice>> sliceObjects = new HashMap<>();
    private final Map<String, Map<ObjectRef, List<EndpointSlice>>> slicesByService = new HashMap<>();
    private final Map<String, Map<ObjectRef, Pod>> podsByNamespace = new HashMap<>();
    private final Map<String, Set<ObjectRef>> selectorsByNamespace = new HashMap<>();

    private final Map<ObjectRef, Held> held = new HashMap<>();
    private final TreeMap<ServicePlan.ServiceKey, ServicePlan> services = new TreeMap<>();
    private final Map<Integer, ServicePlan> byId = new HashMap<>();
    private final Map<Integer, BackendUse> backends = new HashMap<>();
    private final Map<Ipv4, Integer> virtualIps = new HashMap<>();
    private final IdAllocator<ServicePlan.ServiceKey> serviceIds;
    private final IdAllocator<BackendKey> backendIds;
    private int frontends;
    private int lackingNodeAddress;
    /** The Services of a change prepared but not committed: the next change plans them again. */
    private Set<ObjectRef> uncommitted = Set.of();
    /** Backends and ClusterIPs a failed write may have left in any state: written again when next touched. */
    private final Set<Integer> dirtyBackends = new HashSet<>();
    private final Set<Ipv4> dirtyVips = new HashSet<>();
    private boolean pruned;

    /** What one Service holds: its plans, the IDs it keeps, the backends and ClusterIP it names, its findings. */
    private record Held(List<ServicePlan> plans, List<ServicePlan.ServiceKey> keys, List<Backend> backends, List<Ipv4> vips,
                        List<Problem> problems, boolean lacksNodeAddress) {
        static final Held NONE = new Held(List.of(), List.of(), List.of(), List.of(), List.of(), false);

        boolean isEmpty() {
            return keys.isEmpty() && backends.isEmpty() && vips.isEmpty() && problems.isEmpty() && !lacksNodeAddress;
        }
    }

    /**
     * @param ids the plan whose IDs to start from: {@link Plan#EMPTY}, or the seeds of an agent
     *            adopting pinned maps ({@link Adoption#seeds}); IDs the first change does not use are
     *            let go after it
     */
    public IncrementalPlanner(NodeIdentity node, NodePortRange range, Plan ids) {
        this.node = node;
        this.admission = new ServiceAdmission(range);
        this.serviceIds = new IdAllocator<>(ids.serviceIds(), Planner.MAX_SERVICES);
        this.backendIds = new IdAllocator<>(ids.backendIds(), Planner.MAX_BACKENDS);
    }

    /** A prepared change: its map operations, and the touched Services before and after it. */
    public static final class Change {
        private final List<MapOp> ops;
        private final Plan before;
        private final Plan after;
        private final Map<ObjectRef, Held> next;
        private final List<Problem> problems;
        private final Map<Integer, BackendUse> uses;
        private final Set<Ipv4> vips;

        private Change(List<MapOp> ops, Plan before, Plan after, Map<ObjectRef, Held> next, List<Problem> problems,
                       Map<Integer, BackendUse> uses, Set<Ipv4> vips) {
            this.uses = uses;
            this.vips = vips;
            this.ops = ops;
            this.before = before;
            this.after = after;
            this.next = next;
            this.problems = problems;
        }

        /** The map operations, in {@link PlanDiff}'s order. */
        public List<MapOp> ops() {
            return ops;
        }

        /** The touched Services as the maps hold them now, with the backends and ClusterIPs they name. */
        public Plan before() {
            return before;
        }

        /** The touched Services as planned. */
        public Plan after() {
            return after;
        }

        /** What reading or checking the changed objects found. */
        public List<Problem> problems() {
            return problems;
        }

        public boolean isEmpty() {
            return next.isEmpty();
        }
    }

    /** Plans a change; replan names Services to plan again although nothing about them changed (retries). */
    public Change prepare(ClusterDelta delta, Set<ObjectRef> replan) {
        List<Problem> problems = new ArrayList<>(delta.problems());
        Set<ObjectRef> touched = new TreeSet<>(BY_NAME);
        touched.addAll(replan);
        touched.addAll(uncommitted); // a change prepared and never committed (it threw): planned again
        uncommitted = touched;
        touched.addAll(admission.update(delta.services(), problems));
        delta.services().forEach((ref, svc) -> {
            Set<ObjectRef> selectors = selectorsByNamespace.computeIfAbsent(ref.namespace(), k -> new HashSet<>());
            if (svc != null && !svc.selector().isEmpty()) {
                selectors.add(ref);
            } else {
                selectors.remove(ref);
            }
        });
        delta.slices().forEach((ref, list) -> {
            List<EndpointSlice> old = list == null ? sliceObjects.remove(ref) : sliceObjects.put(ref, list);
            if (old != null) {
                for (EndpointSlice s : old) {
                    Map<ObjectRef, List<EndpointSlice>> m = slicesByService.get(serviceKey(s));
                    if (m != null && m.remove(ref) != null && m.isEmpty()) {
                        slicesByService.remove(serviceKey(s));
                    }
                    owner(s, touched);
                }
            }
            if (list != null) {
                for (EndpointSlice s : list) {
                    if (EndpointSlice.IPV4.equals(s.addressType())) {
                        slicesByService.computeIfAbsent(serviceKey(s), k -> new LinkedHashMap<>())
                                .computeIfAbsent(ref, k -> new ArrayList<>()).add(s);
                    }
                    owner(s, touched);
                }
            }
        });
        delta.pods().forEach((ref, pod) -> {
            Map<ObjectRef, Pod> inNamespace = podsByNamespace.computeIfAbsent(ref.namespace(), k -> new LinkedHashMap<>());
            Pod old = pod == null ? inNamespace.remove(ref) : inNamespace.put(ref, pod);
            for (ObjectRef s : selectorsByNamespace.getOrDefault(ref.namespace(), Set.of())) {
                Service svc = admission.admitted(s);
                if (svc != null && ((old != null && EndpointsController.selects(svc, old))
                        || (pod != null && EndpointsController.selects(svc, pod)))) {
                    touched.add(s);
                }
            }
        });

        // draft the touched Services, then number what is new in one go, in key order, as a whole plan would
        Map<ObjectRef, List<Planner.Draft>> drafted = new LinkedHashMap<>();
        Map<ObjectRef, List<Problem>> found = new HashMap<>();
        List<ServicePlan.ServiceKey> freshServices = new ArrayList<>();
        List<BackendKey> freshBackends = new ArrayList<>();
        for (ObjectRef ref : touched) {
            Service svc = admission.admitted(ref);
            List<Problem> own = new ArrayList<>();
            List<Planner.Draft> ds = svc == null || !svc.hasDataplaneEntry() ? List.of() : Planner.drafts(svc, endpointsOf(svc), node, own);
            drafted.put(ref, ds);
            found.put(ref, own);
            for (Planner.Draft d : ds) {
                if (!serviceIds.has(d.key())) {
                    freshServices.add(d.key());
                }
                for (BackendKey k : d.backendKeys()) {
                    if (!backendIds.has(k)) {
                        freshBackends.add(k);
                    }
                }
            }
        }
        Collections.sort(freshServices);
        serviceIds.assign(freshServices);
        freshBackends.sort(null);
        backendIds.assign(freshBackends); // a key listed twice is numbered once

        // the tables of a large change (the first one) are built on every core: they depend on nothing shared
        List<Planner.Draft> all = new ArrayList<>();
        drafted.values().forEach(all::addAll);
        ServicePlan[] built = new ServicePlan[all.size()];
        java.util.stream.IntStream indexes = java.util.stream.IntStream.range(0, built.length);
        (built.length > 256 ? indexes.parallel() : indexes).forEach(i -> built[i] = Planner.build(all.get(i),
                serviceIds.id(all.get(i).key()), backendIds::id, node, services.get(all.get(i).key())));
        int nextBuilt = 0;

        Map<ObjectRef, Held> next = new LinkedHashMap<>();
        List<ServicePlan> beforePlans = new ArrayList<>();
        List<ServicePlan> afterPlans = new ArrayList<>();
        Map<Integer, BackendUse> uses = new HashMap<>();
        Map<Ipv4, Integer> vipChange = new HashMap<>();
        for (ObjectRef ref : touched) {
            Service svc = admission.admitted(ref);
            List<ServicePlan> plans = new ArrayList<>();
            List<ServicePlan.ServiceKey> keys = new ArrayList<>();
            List<Backend> named = new ArrayList<>();
            for (Planner.Draft d : drafted.get(ref)) {
                ServicePlan p = built[nextBuilt++];
                plans.add(p);
                keys.add(d.key());
                p.backends().forEach(sb -> named.add(sb.backend()));
            }
            boolean served = svc != null && svc.hasDataplaneEntry();
            Held h = new Held(plans, keys, named, served ? List.of(svc.clusterIP()) : List.of(), found.get(ref),
                    served && Planner.lacksNodeAddress(svc, node));
            Held old = held.getOrDefault(ref, Held.NONE);
            if (h.equals(old)) {
                continue; // touched, but planned as it was (an event that changed nothing the plan reads)
            }
            next.put(ref, h);
            beforePlans.addAll(old.plans());
            afterPlans.addAll(plans);
            old.backends().forEach(b -> use(uses, b.id()).remove(b));
            named.forEach(b -> use(uses, b.id()).add(b));
            old.vips().forEach(v -> vipChange.merge(v, -1, Integer::sum));
            h.vips().forEach(v -> vipChange.merge(v, 1, Integer::sum));
        }

        Map<Integer, Backend> backendsBefore = new HashMap<>();
        Map<Integer, Backend> backendsAfter = new HashMap<>();
        uses.forEach((id, u) -> {
            BackendUse now = backends.get(id);
            if (now != null) {
                backendsBefore.put(id, now.chosen());
            }
            if (u.refs() > 0) {
                backendsAfter.put(id, u.chosen());
            }
        });
        TreeSet<Ipv4> vipsBefore = new TreeSet<>();
        TreeSet<Ipv4> vipsAfter = new TreeSet<>();
        vipChange.forEach((ip, d) -> {
            int n = virtualIps.getOrDefault(ip, 0);
            if (n > 0) {
                vipsBefore.add(ip);
            }
            if (n + d > 0) {
                vipsAfter.add(ip);
            }
        });
        // what a failed write may have left in any state is written again (or deleted) whatever the plan believes
        uses.keySet().forEach(id -> {
            // one no longer named is in backendsBefore still (its failed holder kept it): deleted
            if (dirtyBackends.contains(id) && backendsAfter.containsKey(id)) {
                backendsBefore.remove(id);
            }
        });
        vipChange.keySet().forEach(ip -> {
            if (dirtyVips.contains(ip)) {
                if (vipsAfter.contains(ip)) {
                    vipsBefore.remove(ip);
                } else {
                    vipsBefore.add(ip);
                }
            }
        });
        Plan before = new Plan(node, beforePlans, backendsBefore, vipsBefore, IdRegistry.empty(), IdRegistry.empty(), List.of());
        Plan after = new Plan(node, afterPlans, backendsAfter, vipsAfter, IdRegistry.empty(), IdRegistry.empty(), List.of());
        return new Change(PlanDiff.between(before, after), before, after, next, problems, uses, vipChange.keySet());
    }

    private BackendUse use(Map<Integer, BackendUse> uses, int id) {
        return uses.computeIfAbsent(id, k -> {
            BackendUse now = backends.get(k);
            return now == null ? new BackendUse() : now.copy();
        });
    }

    /**
     * Records a prepared change as applied, except for the Services with these IDs (in either
     * version), whose writes failed.
     */
    public void commit(Change change, Set<Integer> failedIds) {
        commit(change, failedIds, false);
    }

    /**
     * @param sharedWritesFailed the backend and ClusterIP writes shared by every touched Service
     *                           failed: none of the change is known to be in the maps
     */
    public void commit(Change change, Set<Integer> failedIds, boolean sharedWritesFailed) {
        uncommitted = Set.of();
        Set<ObjectRef> failed = new HashSet<>();
        for (int id : failedIds) {
            ServicePlan s = change.after.service(id) != null ? change.after.service(id) : change.before.service(id);
            if (s != null) {
                failed.add(refOf(s));
            }
        }
        // the backends and ClusterIPs this change wrote are as planned, unless the shared writes failed;
        // those a failed Service names may hold either version's description: written again next time
        if (sharedWritesFailed) {
            dirtyBackends.addAll(change.uses.keySet());
            dirtyVips.addAll(change.vips);
        } else {
            dirtyBackends.removeAll(change.uses.keySet());
            dirtyVips.removeAll(change.vips);
        }
        change.next.forEach((ref, h) -> {
            if (failed.contains(ref)) {
                Held old = held.getOrDefault(ref, Held.NONE);
                old.backends().forEach(b -> dirtyBackends.add(b.id()));
                h.backends().forEach(b -> dirtyBackends.add(b.id()));
                dirtyVips.addAll(old.vips());
                dirtyVips.addAll(h.vips());
            }
        });
        // every Service out, then every Service in, then let go of what nothing names: a backend may
        // pass from one touched Service to another
        Map<ObjectRef, Held> olds = new HashMap<>();
        Map<ObjectRef, Held> nows = new HashMap<>();
        // applied whole: the backend uses prepare computed are the new ones (no need to count them again)
        boolean whole = failed.isEmpty();
        change.next.forEach((ref, h) -> {
            Held old = held.getOrDefault(ref, Held.NONE);
            olds.put(ref, old);
            nows.put(ref, failed.contains(ref) ? keptAfterFailure(old, h) : h);
            unregister(old, !whole);
        });
        nows.forEach((ref, now) -> {
            register(now, !whole);
            if (now.isEmpty()) {
                held.remove(ref);
            } else {
                held.put(ref, now);
            }
        });
        if (whole) {
            change.uses.forEach((id, u) -> {
                if (u.refs() > 0) {
                    backends.put(id, u);
                } else {
                    BackendUse was = backends.remove(id);
                    if (was != null) {
                        backendIds.release(was.chosen().key());
                    }
                }
            });
        }
        olds.forEach((ref, old) -> {
            Set<ServicePlan.ServiceKey> kept = new HashSet<>(nows.get(ref).keys());
            old.keys().forEach(k -> {
                if (!kept.contains(k)) {
                    serviceIds.release(k);
                }
            });
            if (!whole) {
                for (Backend b : old.backends()) {
                    BackendUse u = backends.get(b.id());
                    if (u != null && u.refs() == 0) {
                        backends.remove(b.id());
                        backendIds.release(b.key());
                    }
                }
            }
        });
        if (!pruned) {
            // seeds of an adopted picture that the first change did not use
            pruned = true;
            Set<ServicePlan.ServiceKey> heldKeys = new HashSet<>();
            held.values().forEach(h -> heldKeys.addAll(h.keys()));
            serviceIds.keys().forEach(k -> {
                if (!heldKeys.contains(k)) {
                    serviceIds.release(k);
                }
            });
            backendIds.keys().forEach(k -> {
                int id = backendIds.id(k);
                if (!backends.containsKey(id)) {
                    backendIds.release(k);
                }
            });
        }
    }

    /** A failed Service: its old plans (tables marked unknown), holding what either version names. */
    private static Held keptAfterFailure(Held old, Held planned) {
        List<ServicePlan> plans = new ArrayList<>();
        for (ServicePlan s : old.plans()) {
            plans.add(s.table().size() == 0 ? s : s.withTable(MaglevTable.unknownOfSize(s.table().size())));
        }
        List<Backend> named = new ArrayList<>(old.backends());
        named.addAll(planned.backends());
        return new Held(plans, new ArrayList<>(new LinkedHashSet<>(concat(old.keys(), planned.keys()))), named,
                new ArrayList<>(new LinkedHashSet<>(concat(old.vips(), planned.vips()))), planned.problems(), planned.lacksNodeAddress());
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private void unregister(Held h, boolean withBackends) {
        for (ServicePlan p : h.plans()) {
            services.remove(p.key());
            byId.remove(p.id());
            frontends -= p.frontends().size();
        }
        if (withBackends) {
            h.backends().forEach(b -> backends.get(b.id()).remove(b));
        }
        h.vips().forEach(v -> virtualIps.computeIfPresent(v, (k, n) -> n == 1 ? null : n - 1));
        if (h.lacksNodeAddress()) {
            lackingNodeAddress--;
        }
    }

    private void register(Held h, boolean withBackends) {
        for (ServicePlan p : h.plans()) {
            services.put(p.key(), p);
            byId.put(p.id(), p);
            frontends += p.frontends().size();
        }
        if (withBackends) {
            h.backends().forEach(b -> backends.computeIfAbsent(b.id(), k -> new BackendUse()).add(b));
        }
        h.vips().forEach(v -> virtualIps.merge(v, 1, Integer::sum));
        if (h.lacksNodeAddress()) {
            lackingNodeAddress++;
        }
    }

    private dev.hotline.endpoints.ServiceEndpoints endpointsOf(Service svc) {
        Map<ObjectRef, List<EndpointSlice>> m = slicesByService.get(svc.ref().namespacedName());
        List<EndpointSlice> slices = null;
        if (m != null) {
            slices = new ArrayList<>();
            for (List<EndpointSlice> l : m.values()) {
                slices.addAll(l);
            }
        }
        Map<ObjectRef, Pod> pods = podsByNamespace.get(svc.namespace());
        return EndpointResolver.resolve(svc, slices, pods == null ? List.of() : new ArrayList<>(pods.values()));
    }

    private static String serviceKey(EndpointSlice s) {
        return s.namespace() + "/" + s.serviceName();
    }

    private static void owner(EndpointSlice s, Set<ObjectRef> touched) {
        if (s.serviceName() != null) {
            touched.add(new ObjectRef("Service", s.namespace(), s.serviceName()));
        }
    }

    private static ObjectRef refOf(ServicePlan s) {
        return new ObjectRef("Service", s.name().namespace(), s.name().name());
    }

    /**
     * Everything this planner was given and still holds, as one change from nothing: what a fresh
     * planner needs to plan the same cluster from scratch (the resync).
     */
    public ClusterDelta inputs() {
        ClusterDelta.Builder all = new ClusterDelta.Builder();
        admission.given().forEach(s -> all.service(s.ref(), s));
        sliceObjects.forEach(all::slices);
        podsByNamespace.values().forEach(m -> m.forEach(all::pod));
        return all.build();
    }

    /** The Service with this ID as the maps hold it, or null. */
    public ServicePlan service(int id) {
        return byId.get(id);
    }

    /** True when a change was prepared and never committed (planning or applying it threw). */
    public boolean hasUncommitted() {
        return !uncommitted.isEmpty();
    }

    public int serviceCount() {
        return services.size();
    }

    public int frontendCount() {
        return frontends;
    }

    public int backendCount() {
        return backends.size();
    }

    public int lastServiceId() {
        return serviceIds.lastIssued();
    }

    public int lastBackendId() {
        return backendIds.lastIssued();
    }

    /** The whole plan as the maps hold it (what {@link Planner#plan} would give); O(Services). */
    public Plan toPlan() {
        Map<Integer, Backend> bs = new HashMap<>(backends.size() * 2);
        backends.forEach((id, u) -> bs.put(id, u.chosen()));
        TreeSet<Ipv4> vips = new TreeSet<>(virtualIps.keySet());
        List<Problem> problems = new ArrayList<>();
        TreeMap<String, Held> byName = new TreeMap<>();
        held.forEach((ref, h) -> byName.put(ref.namespacedName(), h));
        byName.values().forEach(h -> problems.addAll(h.problems()));
        if (lackingNodeAddress > 0) {
            problems.add(Planner.NO_NODE_ADDRESS);
        }
        return new Plan(node, new ArrayList<>(services.values()), bs, vips, serviceIds.snapshot(), backendIds.snapshot(), problems);
    }
}
