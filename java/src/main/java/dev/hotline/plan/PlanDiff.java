package dev.hotline.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The map operations that take the dataplane from one plan to the next, ordered so that a reader
 * of the maps never sees a half-written Service (the order Cilium's reconciler uses):
 * <ol>
 *   <li>backends that are new or changed, so every ID a table may name exists;</li>
 *   <li>Maglev slots that change hands (the whole table for a new or resized one);</li>
 *   <li>source ranges and affinity backends that are new, before the entries that check them;</li>
 *   <li>service entries that are new or changed, which switch frontends to the new tables, and new ClusterIPs;</li>
 *   <li>then removals: service entries, ClusterIPs, source ranges and affinity backends, slots no longer
 *       used, backends no longer named.</li>
 * </ol>
 */
public final class PlanDiff {
    private PlanDiff() {
    }

    public static List<MapOp> between(Plan before, Plan after) {
        List<MapOp> upsertBackends = new ArrayList<>();
        List<MapOp> upsertSlots = new ArrayList<>();
        List<MapOp> upsertServices = new ArrayList<>();
        List<MapOp> deleteServices = new ArrayList<>();
        List<MapOp> deleteSlots = new ArrayList<>();
        List<MapOp> deleteBackends = new ArrayList<>();

        // compare in hash order, then sort only what changed (as plain ints): a small change to a
        // large plan stays cheap, and a first one (a million backends) sorts no objects
        int[] changed = new int[after.backends().size()];
        int n = 0;
        for (Map.Entry<Integer, Backend> e : after.backends().entrySet()) {
            if (!e.getValue().equals(before.backends().get(e.getKey()))) {
                changed[n++] = e.getKey();
            }
        }
        java.util.Arrays.sort(changed, 0, n);
        for (int i = 0; i < n; i++) {
            upsertBackends.add(new MapOp.UpsertBackend(after.backends().get(changed[i])));
        }
        int[] gone = new int[before.backends().size()];
        int g = 0;
        for (Integer id : before.backends().keySet()) {
            if (!after.backends().containsKey(id)) {
                gone[g++] = id;
            }
        }
        java.util.Arrays.sort(gone, 0, g);
        for (int i = 0; i < g; i++) {
            deleteBackends.add(new MapOp.DeleteBackend(gone[i]));
        }

        Map<Integer, MaglevTable> oldTables = tables(before);
        Map<Integer, MaglevTable> newTables = tables(after);
        newTables.forEach((id, t) -> {
            MaglevTable old = oldTables.getOrDefault(id, MaglevTable.EMPTY);
            slotChanges(id, old, t, upsertSlots);
            if (old.size() > t.size()) {
                deleteSlots.add(new MapOp.DeleteMaglevSlots(id, t.size(), old.size()));
            }
        });
        oldTables.forEach((id, t) -> {
            if (!newTables.containsKey(id) && t.size() > 0) {
                deleteSlots.add(new MapOp.DeleteMaglevSlots(id, 0, t.size()));
            }
        });

        Map<FrontendKey, ServiceEntry> oldEntries = entries(before);
        Map<FrontendKey, ServiceEntry> newEntries = entries(after);
        newEntries.forEach((k, e) -> {
            if (!e.equals(oldEntries.get(k))) {
                upsertServices.add(new MapOp.UpsertService(k.frontend(), e));
            }
        });
        oldEntries.forEach((k, e) -> {
            if (!newEntries.containsKey(k)) {
                deleteServices.add(new MapOp.DeleteService(k.frontend()));
            }
        });
        // an in-cluster view before the external entry that sends sources to it (a flip to policy Local
        // never leaves pods pointed at a view not yet written)
        upsertServices.sort(Comparator.comparing((MapOp o) -> !((MapOp.UpsertService) o).frontend().internal())
                .thenComparing(o -> ((MapOp.UpsertService) o).frontend(), Frontend.ORDER));
        deleteServices.sort(Comparator.comparing(o -> ((MapOp.DeleteService) o).frontend(), Frontend.ORDER));

        List<MapOp> upsertVips = new ArrayList<>();
        List<MapOp> deleteVips = new ArrayList<>();
        for (dev.hotline.net.Ipv4 ip : after.virtualIps()) {
            if (!before.virtualIps().contains(ip)) {
                upsertVips.add(new MapOp.UpsertVirtualIp(ip));
            }
        }
        for (dev.hotline.net.Ipv4 ip : before.virtualIps()) {
            if (!after.virtualIps().contains(ip)) {
                deleteVips.add(new MapOp.DeleteVirtualIp(ip));
            }
        }

        List<MapOp> upsertChecks = new ArrayList<>();
        List<MapOp> deleteChecks = new ArrayList<>();
        checks(before, after, upsertChecks, deleteChecks);

        List<MapOp> ops = new ArrayList<>();
        ops.addAll(upsertBackends);
        ops.addAll(upsertSlots);
        ops.addAll(upsertChecks);
        ops.addAll(upsertServices);
        ops.addAll(upsertVips);
        ops.addAll(deleteServices);
        ops.addAll(deleteVips);
        ops.addAll(deleteChecks);
        ops.addAll(deleteSlots);
        ops.addAll(deleteBackends);
        return ops;
    }

    /** Source ranges and affinity backends per Service ID: what is new in after, what is gone from before. */
    private static void checks(Plan before, Plan after, List<MapOp> upserts, List<MapOp> deletes) {
        Map<Integer, ServicePlan> old = new HashMap<>();
        before.services().forEach(s -> old.put(s.id(), s));
        Map<Integer, ServicePlan> now = new HashMap<>();
        after.services().forEach(s -> now.put(s.id(), s));
        java.util.TreeSet<Integer> ids = new java.util.TreeSet<>(old.keySet());
        ids.addAll(now.keySet());
        for (int id : ids) {
            ServicePlan o = old.get(id);
            ServicePlan s = now.get(id);
            changes(o == null ? List.of() : o.checkedSourceRanges(), s == null ? List.of() : s.checkedSourceRanges(),
                    c -> upserts.add(new MapOp.UpsertSourceRange(id, c)), c -> deletes.add(new MapOp.DeleteSourceRange(id, c)));
            changes(o == null ? List.of() : o.affinityBackends(), s == null ? List.of() : s.affinityBackends(),
                    b -> upserts.add(new MapOp.UpsertAffinityMatch(id, b)), b -> deletes.add(new MapOp.DeleteAffinityMatch(id, b)));
        }
    }

    /** What is in is and not in was (added), and the other way round (gone); both lists are short and distinct. */
    private static <T> void changes(List<T> was, List<T> is, java.util.function.Consumer<T> added, java.util.function.Consumer<T> gone) {
        if (was.equals(is)) {
            return;
        }
        is.stream().filter(x -> !was.contains(x)).forEach(added);
        was.stream().filter(x -> !is.contains(x)).forEach(gone);
    }

    private static void slotChanges(int id, MaglevTable old, MaglevTable t, List<MapOp> out) {
        if (t.size() == 0 || old == t) {
            return;
        }
        if (old.size() != t.size()) {
            out.add(new MapOp.UpsertMaglevSlots(id, t));
            return;
        }
        int n = 0;
        int[] positions = new int[t.size()];
        for (int i = 0; i < t.size(); i++) {
            if (old.backendAt(i) != t.backendAt(i)) {
                positions[n++] = i;
            }
        }
        if (n > 0) {
            out.add(new MapOp.UpsertMaglevSlots(id, t, java.util.Arrays.copyOf(positions, n)));
        }
    }

    private static Map<Integer, MaglevTable> tables(Plan p) {
        Map<Integer, MaglevTable> out = new TreeMap<>();
        for (ServicePlan s : p.services()) {
            out.put(s.id(), s.table());
        }
        return out;
    }

    /** A frontend as a map key: address, port, protocol (its kind is part of the value). */
    private record FrontendKey(Frontend frontend) {
        @Override
        public boolean equals(Object o) {
            return o instanceof FrontendKey k && k.frontend.sameKey(frontend);
        }

        @Override
        public int hashCode() {
            return ((frontend.address().value() * 31 + frontend.port()) * 31 + frontend.protocol().hashCode()) * 2
                    + (frontend.internal() ? 1 : 0);
        }
    }

    private static Map<FrontendKey, ServiceEntry> entries(Plan p) {
        Map<FrontendKey, ServiceEntry> out = new HashMap<>();
        for (ServicePlan s : p.services()) {
            for (Frontend f : s.frontends()) {
                out.put(new FrontendKey(f), ServiceEntry.of(s, f));
            }
        }
        return out;
    }
}
