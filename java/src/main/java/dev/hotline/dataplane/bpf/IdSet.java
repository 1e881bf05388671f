package dev.hotline.dataplane.bpf;

import java.util.BitSet;
import java.util.TreeSet;

/**
 * The Service or backend IDs the maps hold, as a bit set: a first sync adds a hundred thousand of
 * them, which a sorted concurrent set made a tenth of the sync's map writes. IDs hotline hands out
 * are below 2^24; one read back from pins that is not (a map written by someone else) goes to a
 * small sorted set beside it instead of growing the bit set to match. Writes come from the
 * reconciler, reads (counters) from the metrics thread: every method holds the lock.
 */
final class IdSet {
    private static final int BITS = 1 << 25;
    private final BitSet ids = new BitSet();
    private final TreeSet<Integer> others = new TreeSet<>();
    private int size;

    synchronized void add(int id) {
        if (id < 0 || id >= BITS) {
            if (others.add(id)) {
                size++;
            }
        } else if (!ids.get(id)) {
            ids.set(id);
            size++;
        }
    }

    synchronized void remove(int id) {
        if (id < 0 || id >= BITS) {
            if (others.remove(id)) {
                size--;
            }
        } else if (ids.get(id)) {
            ids.clear(id);
            size--;
        }
    }

    synchronized boolean contains(int id) {
        return id < 0 || id >= BITS ? others.contains(id) : ids.get(id);
    }

    synchronized int size() {
        return size;
    }

    /** The IDs (in-range ones ascending, then any others), a copy the caller may iterate while writes go on. */
    synchronized int[] toArray() {
        int[] in = ids.stream().toArray();
        if (others.isEmpty()) {
            return in;
        }
        int[] all = java.util.Arrays.copyOf(in, in.length + others.size());
        int i = in.length;
        for (int id : others) {
            all[i++] = id;
        }
        return all;
    }
}
