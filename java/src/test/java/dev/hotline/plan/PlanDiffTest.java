package dev.hotline.plan;

import static dev.hotline.TestManifests.pod;
import static dev.hotline.TestManifests.service;
import static dev.hotline.TestManifests.state;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlanDiffTest {
    static final String WEB = service("web", "10.96.0.1", "app: web", "- {name: http, port: 80}");
    static final String API = service("api", "10.96.0.2", "app: api", "- {name: http, port: 80}");

    static String pods(String app, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            b.append(pod(app + i, "10.2." + (int) app.charAt(0) + "." + i, "n1", "app: " + app, true, ""));
        }
        return b.toString();
    }

    static Plan plan(String yaml, Plan previous) {
        return Planner.plan(state(yaml), PlannerTest.NODE1, previous);
    }

    /** The kind of each op, with runs collapsed: shows the phase order. */
    static List<String> phases(List<MapOp> ops) {
        List<String> out = new ArrayList<>();
        for (MapOp op : ops) {
            String k = op.getClass().getSimpleName();
            if (out.isEmpty() || !out.get(out.size() - 1).equals(k)) {
                out.add(k);
            }
        }
        return out;
    }

    @Test
    void fromNothingBackendsThenTablesThenServices() {
        List<MapOp> ops = PlanDiff.between(Plan.EMPTY, plan(WEB + API + pods("web", 3) + pods("api", 2), Plan.EMPTY));
        assertThat(phases(ops)).containsExactly("UpsertBackend", "UpsertMaglevSlots", "UpsertService", "UpsertVirtualIp");
        assertThat(ops.stream().filter(o -> o instanceof MapOp.UpsertBackend)).hasSize(5);
        assertThat(ops.stream().filter(o -> o instanceof MapOp.UpsertMaglevSlots))
                .allSatisfy(o -> assertThat(((MapOp.UpsertMaglevSlots) o).count()).isEqualTo(((MapOp.UpsertMaglevSlots) o).tableSize()));
    }

    /** A flip to externalTrafficPolicy Local writes the in-cluster views before the entries that send pods to them. */
    @Test
    void inClusterViewsAreWrittenBeforeTheEntriesPointingAtThem() {
        String np = WEB.replace("spec:\n", "spec:\n  type: NodePort\n").replace("port: 80}", "port: 80, nodePort: 30080}");
        Plan cluster = plan(np + pods("web", 2), Plan.EMPTY);
        Plan local = plan(np.replace("spec:\n", "spec:\n  externalTrafficPolicy: Local\n") + pods("web", 2), cluster);
        List<Frontend> order = PlanDiff.between(cluster, local).stream().filter(o -> o instanceof MapOp.UpsertService)
                .map(o -> ((MapOp.UpsertService) o).frontend()).toList();
        assertThat(order).isNotEmpty();
        int lastView = -1;
        int firstExternal = Integer.MAX_VALUE;
        for (int i = 0; i < order.size(); i++) {
            if (order.get(i).internal()) {
                lastView = i;
            } else if (order.get(i).kind() == FrontendKind.NODE_PORT) {
                firstExternal = Math.min(firstExternal, i);
            }
        }
        assertThat(lastView).as("some in-cluster view is written").isNotNegative();
        assertThat(lastView).as("every view before the first external entry: " + order).isLessThan(firstExternal);
    }

    @Test
    void samePlanNoOps() {
        Plan p = plan(WEB + pods("web", 3), Plan.EMPTY);
        assertThat(PlanDiff.between(p, plan(WEB + pods("web", 3), p))).isEmpty();
    }

    @Test
    void toNothingRemovalsOnlyServicesFirstBackendsLast() {
        Plan p = plan(WEB + pods("web", 3), Plan.EMPTY);
        List<MapOp> ops = PlanDiff.between(p, plan("", p));
        assertThat(phases(ops)).containsExactly("DeleteService", "DeleteVirtualIp", "DeleteMaglevSlots", "DeleteBackend");
        assertThat(ops.get(2)).isEqualTo(new MapOp.DeleteMaglevSlots(p.services().get(0).id(), 0, 509));
    }

    @Test
    void removingABackendRewritesOnlyTheSlotsThatChangeHandsAndDeletesItLast() {
        Plan before = plan(WEB + pods("web", 2) + pods("zzz", 0), Plan.EMPTY);
        String threePods = WEB + pods("web", 2) + pod("web3", "10.2.3.3", "n1", "app: web", true, "");
        Plan three = plan(threePods, before);
        Plan back = plan(WEB + pods("web", 2), three);
        List<MapOp> ops = PlanDiff.between(three, back);
        // two backends need the 251 table, three need 509: shrinking rewrites the whole table and drops the tail
        assertThat(phases(ops)).containsExactly("UpsertMaglevSlots", "UpsertService", "DeleteMaglevSlots", "DeleteBackend");

        // with a size that does not change, only the moved slots are written
        String many = WEB + pods("web", 8);
        Plan p8 = plan(many, Plan.EMPTY);
        Plan p7 = plan(WEB + pods("web", 7), p8);
        List<MapOp> shrink = PlanDiff.between(p8, p7);
        assertThat(phases(shrink)).containsExactly("UpsertMaglevSlots", "UpsertService", "DeleteBackend");
        MapOp.UpsertMaglevSlots slots = (MapOp.UpsertMaglevSlots) shrink.get(0);
        assertThat(slots.tableSize()).isEqualTo(1021);
        assertThat(slots.count()).isBetween(1021 / 8 - 20, 1021 / 8 + 40);
        // applying the partial write to the old table gives exactly the new one
        int[] table = p8.services().get(0).table().toArray();
        for (int i = 0; i < slots.count(); i++) {
            table[slots.position(i)] = slots.backendId(i);
        }
        assertThat(table).isEqualTo(p7.services().get(0).table().toArray());
    }

    @Test
    void everyTableSlotNamesABackendThatExistsAtEveryStepOfTheDiff() {
        Plan a = plan(WEB + API + pods("web", 3) + pods("api", 2), Plan.EMPTY);
        Plan b = plan(WEB + service("new", "10.96.0.9", "app: web", "- {name: h, port: 9}")
                + pods("web", 1) + pod("w9", "10.9.9.9", "n1", "app: web", true, ""), a);
        // replay the ops on a model of the maps and check the invariant after each one
        Map<Integer, Backend> backends = new HashMap<>(a.backends());
        Map<Integer, int[]> tables = new HashMap<>();
        a.services().forEach(s -> tables.put(s.id(), s.table().toArray()));
        Map<String, ServiceEntry> entries = new HashMap<>();
        a.services().forEach(s -> s.frontends().forEach(f -> entries.put(f.toString(), ServiceEntry.of(s, f))));
        for (MapOp op : PlanDiff.between(a, b)) {
            if (op instanceof MapOp.UpsertBackend u) {
                backends.put(u.backend().id(), u.backend());
            } else if (op instanceof MapOp.DeleteBackend d) {
                backends.remove(d.backendId());
            } else if (op instanceof MapOp.UpsertMaglevSlots u) {
                int[] t = tables.computeIfAbsent(u.serviceId(), k -> new int[0]);
                if (t.length < u.tableSize()) {
                    t = java.util.Arrays.copyOf(t, u.tableSize());
                    tables.put(u.serviceId(), t);
                }
                for (int i = 0; i < u.count(); i++) {
                    t[u.position(i)] = u.backendId(i);
                }
            } else if (op instanceof MapOp.DeleteMaglevSlots d) {
                int[] t = tables.get(d.serviceId());
                for (int i = d.from(); i < d.to(); i++) {
                    t[i] = 0;
                }
            } else if (op instanceof MapOp.UpsertService u) {
                entries.put(u.frontend().toString(), u.entry());
            } else if (op instanceof MapOp.DeleteService d) {
                entries.remove(d.frontend().toString());
            }
            for (ServiceEntry e : entries.values()) {
                int[] t = tables.get(e.serviceId());
                for (int i = 0; i < e.tableSize(); i++) {
                    assertThat(backends).as("after %s, slot %d of service %d", op, i, e.serviceId()).containsKey(t[i]);
                }
            }
        }
        assertThat(backends).isEqualTo(b.backends());
    }
}
