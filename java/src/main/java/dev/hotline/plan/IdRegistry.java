package dev.hotline.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stable numeric IDs for map entries. A key keeps its ID for as long as it appears in consecutive
 * plans. A new key takes the next ID after the last one handed out (wrapping past the maximum),
 * skipping IDs in use now or in the previous plan: a conntrack entry that still names a removed
 * backend's ID must not silently reach a different backend that took the ID over. New keys are
 * numbered in their natural order, so the same inputs always give the same IDs; IDs start at 1
 * because 0 means "none" in the maps.
 */
public final class IdRegistry<K extends Comparable<K>> {
    private final Map<K, Integer> ids;
    private final int lastIssued;

    private IdRegistry(Map<K, Integer> ids, int lastIssued) {
        this.ids = Collections.unmodifiableMap(ids);
        this.lastIssued = lastIssued;
    }

    public static <K extends Comparable<K>> IdRegistry<K> empty() {
        return new IdRegistry<K>(new HashMap<K, Integer>(), 0);
    }

    /** A registry that already holds these IDs (an agent adopting what pinned maps hold). */
    public static <K extends Comparable<K>> IdRegistry<K> seeded(Map<K, Integer> ids) {
        return seeded(ids, 0);
    }

    /**
     * The same, going on after cursor, the last ID handed out before (kept with the pinned state):
     * IDs freed above the highest live one are not reissued while conntrack may still name them.
     */
    public static <K extends Comparable<K>> IdRegistry<K> seeded(Map<K, Integer> ids, int cursor) {
        int last = ids.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        return new IdRegistry<K>(new HashMap<>(ids), Math.max(last, cursor));
    }

    /** A registry of exactly these IDs (a snapshot of an {@link IdAllocator}). */
    static <K extends Comparable<K>> IdRegistry<K> of(Map<K, Integer> ids, int lastIssued) {
        return new IdRegistry<K>(new HashMap<>(ids), lastIssued);
    }

    /** Every key with its ID. */
    public Map<K, Integer> asMap() {
        return ids;
    }

    /** The last ID handed out: where the next one is looked for. */
    public int lastIssued() {
        return lastIssued;
    }

    /** IDs for exactly these keys, keeping the ones they had here. */
    public IdRegistry<K> assign(Collection<K> keys, int maxId) {
        Map<K, Integer> next = new HashMap<>();
        List<K> fresh = new ArrayList<>();
        for (K k : keys) {
            Integer id = ids.get(k);
            if (id != null) {
                next.put(k, id);
            } else {
                fresh.add(k);
            }
        }
        if (fresh.isEmpty()) {
            return new IdRegistry<>(next, lastIssued);
        }
        Set<Integer> taken = new HashSet<>(ids.values());
        taken.addAll(next.values());
        Collections.sort(fresh);
        int cursor = lastIssued;
        for (K k : fresh) {
            if (next.containsKey(k)) {
                continue; // listed twice
            }
            int tries = 0;
            do {
                cursor = cursor >= maxId ? 1 : cursor + 1;
                if (++tries > maxId) {
                    throw new IllegalStateException("more than " + maxId + " IDs needed");
                }
            } while (taken.contains(cursor));
            taken.add(cursor);
            next.put(k, cursor);
        }
        return new IdRegistry<>(next, cursor);
    }

    public int id(K key) {
        Integer id = ids.get(key);
        if (id == null) {
            throw new IllegalArgumentException("no ID for " + key);
        }
        return id;
    }
}
