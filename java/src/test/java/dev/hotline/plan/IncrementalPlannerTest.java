package dev.hotline.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.cluster.ClusterDelta;
import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ContainerPort;
import dev.hotline.cluster.Endpoint;
import dev.hotline.cluster.EndpointPort;
import dev.hotline.cluster.EndpointSlice;
import dev.hotline.cluster.NodePortRange;
import dev.hotline.cluster.ObjectRef;
import dev.hotline.cluster.Pod;
import dev.hotline.cluster.Problem;
import dev.hotline.cluster.Service;
import dev.hotline.cluster.ServiceAddressCheck;
import dev.hotline.cluster.ServicePort;
import dev.hotline.cluster.ServiceType;
import dev.hotline.cluster.TargetPort;
import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The property the incremental planner lives by: on random sequences of Service, EndpointSlice
 * (and v1 Endpoints) and Pod changes, one or several at a time, its plan after every step equals
 * the whole picture planned from scratch with the same previous plan (same IDs, tables, backends,
 * ClusterIPs, findings), and the map operations it emitted take the maps to exactly what the whole
 * plan holds. Clashing addresses, missing NodePorts, SCTP ports, IPv6 slices, headless Services,
 * traffic policies, terminating endpoints and a node without addresses all come up.
 */
class IncrementalPlannerTest {
    private static final NodePortRange RANGE = new NodePortRange(30000, 30009);
    private static final String[] NAMESPACES = {"a", "b"};
    private static final String[] NODES = {"n1", "n2", null};

    @Test
    void equalsTheWholePlanAfterEveryStep() {
        for (int seed = 1; seed <= 200; seed++) {
            run(seed, 60);
        }
    }

    @Test
    void aNodeWithoutAddressesAgrees() {
        for (int seed = 1001; seed <= 1050; seed++) {
            run(seed, 40);
        }
    }

    private void run(long seed, int steps) {
        Random r = new Random(seed);
        NodeIdentity node = seed > 1000 ? new NodeIdentity("n1", List.of())
                : new NodeIdentity("n1", List.of(Ipv4.parse("192.168.0.1"), Ipv4.parse("172.16.0.1")));
        World world = new World();
        IncrementalPlanner planner = new IncrementalPlanner(node, RANGE, Plan.EMPTY);
        Maps maps = new Maps();
        for (int step = 0; step < steps; step++) {
            Plan previous = planner.toPlan();
            ClusterDelta.Builder delta = new ClusterDelta.Builder();
            int n = r.nextInt(8) == 0 ? 1 + r.nextInt(6) : 1;
            for (int i = 0; i < n; i++) {
                world.change(r, delta);
            }
            ClusterDelta d = delta.build();
            world.apply(d);
            IncrementalPlanner.Change change = planner.prepare(d, Set.of());
            maps.apply(change.ops());
            planner.commit(change, Set.of());
            Plan incremental = planner.toPlan();
            Plan whole = Planner.plan(world.state(), node, previous);
            String where = "seed " + seed + " step " + step;
            assertThat(incremental.services()).as(where).isEqualTo(whole.services());
            assertThat(incremental.backends()).as(where).isEqualTo(whole.backends());
            assertThat(incremental.virtualIps()).as(where).isEqualTo(whole.virtualIps());
            assertThat(incremental.serviceIds().asMap()).as(where).isEqualTo(whole.serviceIds().asMap());
            assertThat(incremental.backendIds().asMap()).as(where).isEqualTo(whole.backendIds().asMap());
            assertThat(incremental.serviceIds().lastIssued()).as(where).isEqualTo(whole.serviceIds().lastIssued());
            assertThat(incremental.backendIds().lastIssued()).as(where).isEqualTo(whole.backendIds().lastIssued());
            assertThat(sorted(incremental.problems())).as(where).isEqualTo(sorted(whole.problems()));
            Maps expected = new Maps();
            expected.apply(PlanDiff.between(Plan.EMPTY, whole));
            assertThat(maps.toString()).as(where).isEqualTo(expected.toString());
            assertThat(planner.serviceCount()).as(where).isEqualTo(whole.services().size());
            assertThat(planner.frontendCount()).as(where).isEqualTo(whole.frontendCount());
        }
    }

    @Test
    void anEndpointChangeTouchesOnlyItsServiceAndWritesOnlyItsEntries() {
        NodeIdentity node = new NodeIdentity("n1", List.of(Ipv4.parse("192.168.0.1")));
        IncrementalPlanner planner = new IncrementalPlanner(node, RANGE, Plan.EMPTY);
        ClusterDelta.Builder all = new ClusterDelta.Builder();
        for (int i = 0; i < 50; i++) {
            ObjectRef svc = new ObjectRef("Service", "a", "s" + i);
            all.service(svc, new Service(svc, "test", ServiceType.ClusterIP, new Ipv4(Ipv4.parse("10.96.0.0").value() + i + 1), false,
                    Map.of(), List.of(new ServicePort("", Protocol.TCP, 80, TargetPort.numeric(8080), 0)), List.of(), List.of(), null,
                    false, false, false));
            all.slices(new ObjectRef("EndpointSlice", "a", "s" + i + "-x"), List.of(slice(i, 3, -1)));
        }
        planner.commit(planner.prepare(all.build(), Set.of()), Set.of());
        IncrementalPlanner.Change one = planner.prepare(new ClusterDelta.Builder()
                .slices(new ObjectRef("EndpointSlice", "a", "s7-x"), List.of(slice(7, 3, 1))).build(), Set.of());
        Set<String> names = new HashSet<>();
        one.after().services().forEach(p -> names.add(p.name().toString()));
        one.before().services().forEach(p -> names.add(p.name().toString()));
        assertThat(names).containsOnly("a/s7:");
        // the endpoint that went unready: that Service's table (smaller now) and entry, nothing else
        int id = one.after().services().get(0).id();
        assertThat(one.ops()).hasSize(3).allMatch(op -> op instanceof MapOp.UpsertMaglevSlots u ? u.serviceId() == id
                : op instanceof MapOp.DeleteMaglevSlots d ? d.serviceId() == id
                : op instanceof MapOp.UpsertService u && u.entry().serviceId() == id);
        planner.commit(one, Set.of());
        assertThat(planner.serviceCount()).isEqualTo(50);
        assertThat(planner.backendCount()).isEqualTo(150);
    }

    /**
     * The shared writes of a change (its backends, its ClusterIP) fail and nothing of it reaches the
     * maps: planning the Service again writes everything it needs, backends and ClusterIP included,
     * and the maps end as the whole plan's.
     */
    @Test
    void afterSharedWritesFailedTheRetryWritesTheBackendsAgain() {
        NodeIdentity node = new NodeIdentity("n1", List.of(Ipv4.parse("192.168.0.1")));
        IncrementalPlanner planner = new IncrementalPlanner(node, RANGE, Plan.EMPTY);
        Maps maps = new Maps();
        ObjectRef a = new ObjectRef("Service", "a", "s1");
        Service svc = new Service(a, "test", ServiceType.ClusterIP, Ipv4.parse("10.96.0.1"), false, Map.of(),
                List.of(new ServicePort("", Protocol.TCP, 80, TargetPort.numeric(8080), 0)), List.of(), List.of(), null, false, false, false);
        ObjectRef b = new ObjectRef("Service", "a", "s2");
        Service other = new Service(b, "test", ServiceType.ClusterIP, Ipv4.parse("10.96.0.2"), false, Map.of(),
                List.of(new ServicePort("", Protocol.TCP, 80, TargetPort.numeric(8080), 0)), List.of(), List.of(), null, false, false, false);
        IncrementalPlanner.Change first = planner.prepare(new ClusterDelta.Builder().service(a, svc)
                .slices(new ObjectRef("EndpointSlice", "a", "s1-x"), List.of(slice(1, 2, -1))).build(), Set.of());
        maps.apply(first.ops());
        planner.commit(first, Set.of());
        // a new Service, and s1 gains an endpoint: the backend and ClusterIP writes fail, nothing lands
        IncrementalPlanner.Change failing = planner.prepare(new ClusterDelta.Builder().service(b, other)
                .slices(new ObjectRef("EndpointSlice", "a", "s2-x"), List.of(slice(2, 1, -1)))
                .slices(new ObjectRef("EndpointSlice", "a", "s1-x"), List.of(slice(1, 3, -1))).build(), Set.of());
        Set<Integer> ids = new HashSet<>();
        failing.before().services().forEach(p -> ids.add(p.id()));
        failing.after().services().forEach(p -> ids.add(p.id()));
        planner.commit(failing, ids, true);
        IncrementalPlanner.Change retry = planner.prepare(ClusterDelta.NONE, Set.of(a, b));
        assertThat(retry.ops()).anyMatch(op -> op instanceof MapOp.UpsertBackend)
                .anyMatch(op -> op instanceof MapOp.UpsertVirtualIp u && u.address().equals(Ipv4.parse("10.96.0.2")));
        maps.apply(retry.ops());
        planner.commit(retry, Set.of());
        Maps expected = new Maps();
        expected.apply(PlanDiff.between(Plan.EMPTY, planner.toPlan()));
        assertThat(maps.toString()).isEqualTo(expected.toString());
        assertThat(planner.toPlan().backends()).hasSize(4);
    }

    private static EndpointSlice slice(int service, int endpoints, int unready) {
        List<Endpoint> eps = new ArrayList<>();
        for (int i = 0; i < endpoints; i++) {
            eps.add(new Endpoint(Ipv4.parse("10.1." + service + "." + (i + 1)), i != unready, i != unready, false, "n2", "p" + i));
        }
        return new EndpointSlice(new ObjectRef("EndpointSlice", "a", "s" + service + "-x"), "test", "s" + service,
                List.of(new EndpointPort("", 8080, Protocol.TCP)), eps);
    }

    private static List<String> sorted(List<Problem> problems) {
        return problems.stream().map(Problem::toString).sorted().toList();
    }

    /** The objects a random cluster holds, changed one at a time, mirrored into whole pictures. */
    private static final class World {
        final LinkedHashMap<ObjectRef, Service> services = new LinkedHashMap<>();
        final LinkedHashMap<ObjectRef, List<EndpointSlice>> slices = new LinkedHashMap<>();
        final LinkedHashMap<ObjectRef, Pod> pods = new LinkedHashMap<>();

        void change(Random r, ClusterDelta.Builder delta) {
            String ns = NAMESPACES[r.nextInt(NAMESPACES.length)];
            int what = r.nextInt(10);
            if (what < 3) {
                ObjectRef ref = new ObjectRef("Service", ns, "s" + r.nextInt(6));
                delta.service(ref, r.nextInt(6) == 0 ? null : service(r, ref));
            } else if (what < 8) {
                boolean endpoints = r.nextInt(5) == 0;
                String svc = "s" + r.nextInt(6);
                ObjectRef ref = new ObjectRef(endpoints ? "Endpoints" : "EndpointSlice", ns, endpoints ? svc : svc + "-" + r.nextInt(2));
                delta.slices(ref, r.nextInt(6) == 0 ? null : slices(r, ref, svc, endpoints ? 1 + r.nextInt(2) : 1));
            } else {
                ObjectRef ref = new ObjectRef("Pod", ns, "p" + r.nextInt(8));
                delta.pod(ref, r.nextInt(5) == 0 ? null : pod(r, ref));
            }
        }

        /** A batch takes effect in the order of each object's first event, as the planner reads it. */
        void apply(ClusterDelta d) {
            d.services().forEach((ref, s) -> put(services, ref, s));
            d.slices().forEach((ref, l) -> put(slices, ref, l));
            d.pods().forEach((ref, p) -> put(pods, ref, p));
        }

        private static <T> void put(LinkedHashMap<ObjectRef, T> m, ObjectRef ref, T value) {
            if (value == null) {
                m.remove(ref);
            } else {
                m.put(ref, value);
            }
        }

        ClusterState state() {
            List<Problem> problems = new ArrayList<>();
            List<Service> checked = new ServiceAddressCheck(RANGE).apply(services.values(), problems);
            List<EndpointSlice> all = new ArrayList<>();
            slices.values().forEach(all::addAll);
            return new ClusterState(checked, new ArrayList<>(pods.values()), all, List.of(), List.of(), problems);
        }

        static Service service(Random r, ObjectRef ref) {
            ServiceType type = r.nextInt(3) == 0 ? ServiceType.NodePort : r.nextInt(8) == 0 ? ServiceType.LoadBalancer : ServiceType.ClusterIP;
            boolean headless = r.nextInt(12) == 0;
            Ipv4 ip = headless ? null : Ipv4.parse("10.96.0." + (1 + r.nextInt(9)));
            List<ServicePort> ports = new ArrayList<>();
            int n = 1 + r.nextInt(2);
            for (int i = 0; i < n; i++) {
                Protocol proto = r.nextInt(10) == 0 ? Protocol.SCTP : r.nextInt(4) == 0 ? Protocol.UDP : Protocol.TCP;
                int nodePort = type.hasNodePorts() ? (r.nextInt(10) == 0 ? 0 : 30000 + r.nextInt(r.nextInt(15) == 0 ? 12 : 10)) : 0;
                TargetPort target = r.nextBoolean() ? TargetPort.numeric(8080 + r.nextInt(2)) : TargetPort.named("web");
                ports.add(new ServicePort(n == 1 && r.nextBoolean() ? "" : "p" + i, proto, 80 + i, target, nodePort));
            }
            Map<String, String> selector = r.nextInt(3) == 0 ? Map.of() : Map.of("app", "x" + r.nextInt(2));
            // external addresses mostly the Service's own, sometimes one another Service may claim too (refused then)
            int own = (ref.namespace().hashCode() & 7) * 10 + Integer.parseInt(ref.name().substring(1)) + 1;
            List<Ipv4> externalIPs = r.nextInt(4) == 0 ? List.of(Ipv4.parse("198.51.100." + (r.nextInt(6) == 0 ? 250 : own))) : List.of();
            List<Ipv4> ingress = type == ServiceType.LoadBalancer && r.nextBoolean() ? List.of(Ipv4.parse("198.51.101." + own)) : List.of();
            boolean eTPLocal = r.nextInt(4) == 0;
            boolean restricted = r.nextInt(3) == 0;
            List<dev.hotline.net.Cidr> ranges = restricted && r.nextBoolean() ? List.of(dev.hotline.net.Cidr.parse("203.0.113.0/24"),
                    dev.hotline.net.Cidr.parse("192.168.0.0/16")) : List.of();
            dev.hotline.cluster.ServicePolicy policy = new dev.hotline.cluster.ServicePolicy(r.nextInt(4) == 0 ? 10 + r.nextInt(2) : 0,
                    ranges, restricted, eTPLocal && type == ServiceType.LoadBalancer ? 32000 + own : 0, r.nextInt(4) != 0, false);
            return new Service(ref, "test", type, ip, headless, selector, ports, externalIPs, ingress, null,
                    eTPLocal, r.nextInt(5) == 0, false, policy);
        }

        static List<EndpointSlice> slices(Random r, ObjectRef ref, String svc, int count) {
            List<EndpointSlice> out = new ArrayList<>();
            for (int c = 0; c < count; c++) {
                List<EndpointPort> ports = new ArrayList<>();
                ports.add(new EndpointPort(r.nextBoolean() ? "" : "p0", 8080 + r.nextInt(2), Protocol.TCP));
                if (r.nextBoolean()) {
                    ports.add(new EndpointPort("p1", 9090, r.nextBoolean() ? Protocol.UDP : Protocol.TCP));
                }
                List<Endpoint> eps = new ArrayList<>();
                int n = r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    boolean ready = r.nextInt(3) != 0;
                    boolean terminating = !ready && r.nextBoolean();
                    eps.add(new Endpoint(Ipv4.parse("10.1." + r.nextInt(2) + "." + (1 + r.nextInt(6))), ready,
                            ready || r.nextBoolean(), terminating, NODES[r.nextInt(NODES.length)], r.nextInt(4) == 0 ? null : "pod" + r.nextInt(3)));
                }
                out.add(new EndpointSlice(ref, "test", svc, ports, eps, r.nextInt(10) == 0 ? "IPv6" : EndpointSlice.IPV4));
            }
            return out;
        }

        static Pod pod(Random r, ObjectRef ref) {
            List<ContainerPort> ports = r.nextBoolean() ? List.of(new ContainerPort("c", "web", 8000 + r.nextInt(2), Protocol.TCP)) : List.of();
            return new Pod(ref, "test", Map.of("app", "x" + r.nextInt(2)), r.nextInt(6) == 0 ? "Pending" : "Running",
                    Ipv4.parse("10.2.0." + (1 + r.nextInt(12))), NODES[r.nextInt(NODES.length)], r.nextInt(3) != 0,
                    r.nextInt(8) == 0, ports);
        }
    }

    /** The maps as map operations leave them: what the dataplanes would hold. */
    private static final class Maps implements MapOp.Handler {
        final TreeMap<String, ServiceEntry> services = new TreeMap<>();
        final TreeMap<Integer, Backend> backends = new TreeMap<>();
        final TreeMap<Integer, Map<Integer, Integer>> slots = new TreeMap<>();
        final java.util.TreeSet<Ipv4> vips = new java.util.TreeSet<>();
        final java.util.TreeSet<String> ranges = new java.util.TreeSet<>();
        final java.util.TreeSet<Long> matches = new java.util.TreeSet<>();

        @Override
        public void upsertSourceRange(MapOp.UpsertSourceRange op) {
            ranges.add(op.serviceId() + " " + op.range());
        }

        @Override
        public void deleteSourceRange(MapOp.DeleteSourceRange op) {
            assertThat(ranges.remove(op.serviceId() + " " + op.range())).as("range " + op + " deleted while absent").isTrue();
        }

        @Override
        public void upsertAffinityMatch(MapOp.UpsertAffinityMatch op) {
            matches.add(((long) op.serviceId() << 32) | op.backendId());
        }

        @Override
        public void deleteAffinityMatch(MapOp.DeleteAffinityMatch op) {
            assertThat(matches.remove(((long) op.serviceId() << 32) | op.backendId())).as(op + " deleted while absent").isTrue();
        }

        void apply(List<MapOp> ops) {
            ops.forEach(op -> op.applyTo(this));
        }

        @Override
        public void upsertBackend(MapOp.UpsertBackend op) {
            backends.put(op.backend().id(), op.backend());
        }

        @Override
        public void deleteBackend(MapOp.DeleteBackend op) {
            int id = op.backendId();
            assertThat(backends.remove(id)).as("backend " + id + " deleted while absent").isNotNull();
        }

        @Override
        public void upsertMaglevSlots(MapOp.UpsertMaglevSlots op) {
            Map<Integer, Integer> t = slots.computeIfAbsent(op.serviceId(), k -> new HashMap<>());
            for (int i = 0; i < op.count(); i++) {
                t.put(op.position(i), op.backendId(i));
            }
        }

        @Override
        public void deleteMaglevSlots(MapOp.DeleteMaglevSlots op) {
            int serviceId = op.serviceId();
            Map<Integer, Integer> t = slots.get(serviceId);
            if (t != null) {
                for (int i = op.from(); i < op.to(); i++) {
                    t.remove(i);
                }
                if (t.isEmpty()) {
                    slots.remove(serviceId);
                }
            }
        }

        @Override
        public void upsertService(MapOp.UpsertService op) {
            services.put(op.frontend().key().toString(), op.entry());
        }

        @Override
        public void deleteService(MapOp.DeleteService op) {
            assertThat(services.remove(op.frontend().key().toString())).as("frontend " + op.frontend() + " deleted while absent").isNotNull();
        }

        @Override
        public void upsertVirtualIp(MapOp.UpsertVirtualIp op) {
            vips.add(op.address());
        }

        @Override
        public void deleteVirtualIp(MapOp.DeleteVirtualIp op) {
            assertThat(vips.remove(op.address())).as("ClusterIP " + op.address() + " deleted while absent").isTrue();
        }

        @Override
        public String toString() {
            TreeMap<Integer, TreeMap<Integer, Integer>> t = new TreeMap<>();
            slots.forEach((id, m) -> t.put(id, new TreeMap<>(m)));
            return "services=" + services + "\nbackends=" + backends + "\nslots=" + t + "\nvips=" + vips + "\nranges=" + ranges
                    + "\nmatches=" + matches;
        }
    }
}
