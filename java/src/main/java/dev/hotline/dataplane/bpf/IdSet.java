package dev.hotline.dataplane.bpf;

import java.util.BitSet;

/**
 * The Service or backend IDs the maps hold, as a bit set: a first sync adds a hundred thousand of
 * them, which a sorted concurrent set made a tenth of the sync's map writes. Writes come from the
 * reconciler, reads (counters) from the metrics thread: every method holds the lock.
 */
final class IdSet {
    private final BitSet ids = new BitSet();
    private int size;

    synchronized void add(int id) {
        if (!ids.get(id)) {
            ids.set(id);
            size++;
        }
    }

    synchronized void remove(int id) {
        if (ids.get(id)) {
            ids.clear(id);
            size--;
        }
    }

    synchronized boolean contains(int id) {
        return ids.get(id);
    }

    synchronized int size() {
        return size;
    }

    /** The IDs in ascending order, a copy the caller may iterate while writes go on. */
    synchronized int[] toArray() {
        return ids.stream().toArray();
    }
}
