package dev.hotline.plan;

import java.util.HashMap;
import java.util.Map;

/**
 * How many Service plans name one backend ID, and with which descriptions: the backend map holds
 * {@link Backend#preferred} of them. Nearly always every Service describes a backend alike, and
 * one value with a count is all that is kept.
 */
final class BackendUse {
    private Backend only;
    private int count;
    private Map<Backend, Integer> mixed;

    BackendUse copy() {
        BackendUse c = new BackendUse();
        c.only = only;
        c.count = count;
        c.mixed = mixed == null ? null : new HashMap<>(mixed);
        return c;
    }

    void add(Backend b) {
        if (mixed == null && (count == 0 || only.equals(b))) {
            only = b;
            count++;
            return;
        }
        if (mixed == null) {
            mixed = new HashMap<>();
            mixed.put(only, count);
        }
        mixed.merge(b, 1, Integer::sum);
        count++;
    }

    void remove(Backend b) {
        count--;
        if (mixed == null) {
            return;
        }
        mixed.computeIfPresent(b, (k, n) -> n == 1 ? null : n - 1);
        if (mixed.size() == 1) {
            only = mixed.keySet().iterator().next();
            mixed = null;
        }
    }

    int refs() {
        return count;
    }

    /** The description the map holds; null when no plan names the backend. */
    Backend chosen() {
        if (count == 0) {
            return null;
        }
        if (mixed == null) {
            return only;
        }
        return mixed.keySet().stream().reduce(Backend::preferred).orElseThrow();
    }
}
