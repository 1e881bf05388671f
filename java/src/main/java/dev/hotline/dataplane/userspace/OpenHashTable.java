package dev.hotline.dataplane.userspace;

/**
 * A hash table of fixed-width records keyed by two longs, in parallel primitive arrays: no
 * allocation on lookup, insert or remove, O(1) expected. Linear probing with backward-shift
 * deletion (no tombstones, so a long-running table does not degrade). A bounded table refuses
 * an insert when full instead of growing; a growable one doubles (control-plane tables only,
 * never on the packet path).
 */
final class OpenHashTable {
    private final int valueCount;
    private final int maxSize;
    private final boolean growable;
    private long[] k1;
    private long[] k2;
    private long[][] values;
    private boolean[] used;
    private int mask;
    private int size;

    /** maxSize entries at most (growable: the initial capacity target). Load stays at or below 1/2. */
    OpenHashTable(int maxSize, int valueCount, boolean growable) {
        this.valueCount = valueCount;
        this.maxSize = maxSize;
        this.growable = growable;
        allocate(Integer.highestOneBit(Math.max(16, maxSize * 2 - 1)) << 1);
    }

    private void allocate(int capacity) {
        k1 = new long[capacity];
        k2 = new long[capacity];
        used = new boolean[capacity];
        values = new long[valueCount][capacity];
        mask = capacity - 1;
        size = 0;
    }

    int size() {
        return size;
    }

    /** True when a bounded table takes no more entries. */
    boolean full() {
        return !growable && size >= maxSize;
    }

    int capacity() {
        return mask + 1;
    }

    boolean isUsed(int slot) {
        return used[slot];
    }

    long key1(int slot) {
        return k1[slot];
    }

    long key2(int slot) {
        return k2[slot];
    }

    long get(int slot, int field) {
        return values[field][slot];
    }

    void set(int slot, int field, long v) {
        values[field][slot] = v;
    }

    private int home(long a, long b) {
        long h = a * 0x9E3779B97F4A7C15L ^ b;
        h ^= h >>> 32;
        h *= 0xD6E8FEB86659FD93L;
        h ^= h >>> 29;
        return (int) h & mask;
    }

    /** The slot holding the key, or -1. */
    int find(long a, long b) {
        int i = home(a, b);
        while (used[i]) {
            if (k1[i] == a && k2[i] == b) {
                return i;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    /** The slot of the key, inserted (values zeroed) if absent; -1 when a bounded table is full. */
    int insert(long a, long b) {
        int existing = find(a, b);
        if (existing >= 0) {
            return existing;
        }
        if (size >= maxSize && !growable) {
            return -1;
        }
        if (growable && (size + 1) * 2 > capacity()) {
            grow();
        }
        int i = home(a, b);
        while (used[i]) {
            i = (i + 1) & mask;
        }
        used[i] = true;
        k1[i] = a;
        k2[i] = b;
        for (int f = 0; f < valueCount; f++) {
            values[f][i] = 0;
        }
        size++;
        return i;
    }

    private void grow() {
        long[] oldK1 = k1;
        long[] oldK2 = k2;
        boolean[] oldUsed = used;
        long[][] oldValues = values;
        allocate(oldK1.length * 2);
        for (int s = 0; s < oldK1.length; s++) {
            if (oldUsed[s]) {
                int i = insert(oldK1[s], oldK2[s]);
                for (int f = 0; f < valueCount; f++) {
                    values[f][i] = oldValues[f][s];
                }
            }
        }
    }

    boolean remove(long a, long b) {
        int slot = find(a, b);
        if (slot < 0) {
            return false;
        }
        removeAt(slot);
        return true;
    }

    /** Removes the entry at slot, shifting later entries of its probe run back so lookups still find them. */
    void removeAt(int slot) {
        int hole = slot;
        int j = slot;
        while (true) {
            j = (j + 1) & mask;
            if (!used[j]) {
                break;
            }
            int h = home(k1[j], k2[j]);
            // the entry at j may fill the hole when its home is not cyclically within (hole, j]
            boolean stays = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j);
            if (!stays) {
                k1[hole] = k1[j];
                k2[hole] = k2[j];
                for (int f = 0; f < valueCount; f++) {
                    values[f][hole] = values[f][j];
                }
                hole = j;
            }
        }
        used[hole] = false;
        size--;
    }

    void clear() {
        java.util.Arrays.fill(used, false);
        size = 0;
    }
}
