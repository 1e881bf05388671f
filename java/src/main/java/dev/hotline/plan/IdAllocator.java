package dev.hotline.plan;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The mutable twin of {@link IdRegistry} for planning one Service at a time: the same rule (a new
 * key takes the next free ID after the last one handed out, new keys in their natural order, IDs
 * held now never reissued) without copying every key on each change. A key released in a change
 * is released after that change's new keys are numbered, as in {@link IdRegistry#assign}, where the
 * previous plan's IDs are all taken.
 */
final class IdAllocator<K extends Comparable<K>> {
    private Map<K, Integer> ids;
    private final java.util.BitSet taken = new java.util.BitSet();
    private final int maxId;
    private int lastIssued;

    IdAllocator(IdRegistry<K> from, int maxId) {
        this.ids = new HashMap<>(from.asMap());
        ids.values().forEach(taken::set);
        this.maxId = maxId;
        this.lastIssued = from.lastIssued();
    }

    /** The key's ID, or 0 when it has none. */
    int id(K key) {
        Integer id = ids.get(key);
        return id == null ? 0 : id;
    }

    boolean has(K key) {
        return ids.containsKey(key);
    }

    /** Numbers these new keys (sorted, none held yet) after the last ID handed out. */
    void assign(List<K> fresh) {
        if (fresh.size() > ids.size()) {
            // the first change numbers everything: room for it at once rather than by doubling
            Map<K, Integer> bigger = new HashMap<>((ids.size() + fresh.size()) * 4 / 3 + 16);
            bigger.putAll(ids);
            ids = bigger;
        }
        for (K k : fresh) {
            if (ids.containsKey(k)) {
                continue;
            }
            int tries = 0;
            int cursor = lastIssued;
            do {
                cursor = cursor >= maxId ? 1 : cursor + 1;
                if (++tries > maxId) {
                    throw new IllegalStateException("more than " + maxId + " IDs needed");
                }
            } while (taken.get(cursor));
            ids.put(k, cursor);
            taken.set(cursor);
            lastIssued = cursor;
        }
    }

    void release(K key) {
        Integer id = ids.remove(key);
        if (id != null) {
            taken.clear(id);
        }
    }

    /** Every key held now. */
    List<K> keys() {
        return new java.util.ArrayList<>(ids.keySet());
    }

    int lastIssued() {
        return lastIssued;
    }

    IdRegistry<K> snapshot() {
        return IdRegistry.of(ids, lastIssued);
    }
}
