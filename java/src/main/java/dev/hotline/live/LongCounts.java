package dev.hotline.live;

/**
 * Counts per long key in open addressing (linear probing, backward-shift deletion): the capture
 * loop asks "is this key here" for every frame, without boxing a Long for it. Not thread-safe.
 */
final class LongCounts {
    private long[] keys = new long[16];
    private int[] counts = new int[16];
    private int size;

    /** Adds delta to the key's count (a count reaching 0 removes it); returns the new count. */
    int add(long key, int delta) {
        int i = find(key);
        if (counts[i] == 0) {
            if (delta <= 0) {
                return 0;
            }
            keys[i] = key;
            counts[i] = delta;
            if (++size * 2 > keys.length) {
                grow();
            }
            return delta;
        }
        int n = counts[i] + delta;
        if (n > 0) {
            counts[i] = n;
            return n;
        }
        remove(i);
        return 0;
    }

    boolean contains(long key) {
        return counts[find(key)] != 0;
    }

    void forEachKey(java.util.function.LongConsumer action) {
        for (int i = 0; i < keys.length; i++) {
            if (counts[i] != 0) {
                action.accept(keys[i]);
            }
        }
    }

    int size() {
        return size;
    }

    private int find(long key) {
        int mask = keys.length - 1;
        int i = slot(key, mask);
        while (counts[i] != 0 && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9e3779b97f4a7c15L;
        return (int) (h >>> 40) & mask;
    }

    private void remove(int i) {
        int mask = keys.length - 1;
        counts[i] = 0;
        size--;
        // shift later members of the probe run back, so lookups never stop at the hole
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (counts[j] == 0) {
                return;
            }
            int home = slot(keys[j], mask);
            boolean between = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!between) {
                keys[i] = keys[j];
                counts[i] = counts[j];
                counts[j] = 0;
                i = j;
            }
        }
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldCounts = counts;
        keys = new long[oldKeys.length * 2];
        counts = new int[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldCounts[i] != 0) {
                add(oldKeys[i], oldCounts[i]);
            }
        }
    }
}
