package dev.hotline.plan;

import java.util.List;

/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016). Each backend gets a permutation of the
 * table from two hashes of its address (offset and skip); backends take turns claiming their next
 * free preferred slot until the table is full. The result depends only on the set of backends, and
 * removing one of N backends moves about 1/N of the slots.
 *
 * The table size is a prime from a fixed ladder, the smallest one at least {@link #SLOTS_PER_BACKEND}
 * times the backend count (between {@link #MIN_SIZE} and {@link #MAX_SIZE}). A ladder rather than
 * "the next prime" keeps the size unchanged when a backend or two come and go, so an update rewrites
 * only the slots that change hands.
 */
public final class Maglev {
    /** The paper's advice: M much larger than N keeps every backend within about 1% of its share. */
    public static final int SLOTS_PER_BACKEND = 100;
    /** Primes just below powers of two, 2^8 to 2^17. */
    static final int[] SIZES = {251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071};
    public static final int MIN_SIZE = SIZES[0];
    public static final int MAX_SIZE = SIZES[SIZES.length - 1];

    private static final long OFFSET_SEED = 0x6a09e667f3bcc908L;
    private static final long SKIP_SEED = 0xbb67ae8584caa73bL;

    private Maglev() {
    }

    public static int tableSize(int backends) {
        long wanted = (long) backends * SLOTS_PER_BACKEND;
        for (int size : SIZES) {
            if (size >= wanted) {
                return size;
            }
        }
        return MAX_SIZE;
    }

    /** Builds the table for the given backends; the order of the list does not matter. */
    public static MaglevTable build(List<Backend> backends) {
        if (backends.isEmpty()) {
            return MaglevTable.EMPTY;
        }
        Backend[] sorted = backends.toArray(new Backend[0]);
        java.util.Arrays.sort(sorted, (a, b) -> a.key().compareTo(b.key()));
        if (sorted.length > MAX_BACKENDS) {
            // the largest table has 131 071 slots: past this many backends some would get no slot
            // at all anyway; the first ones (in key order) are kept, the same in both dataplanes
            sorted = java.util.Arrays.copyOf(sorted, MAX_BACKENDS);
        }
        int m = tableSize(sorted.length);
        int n = sorted.length;
        // each backend walks its permutation offset, offset + skip, offset + 2 skip, ... (mod m);
        // kept as the current position and stepped by one addition instead of a division per probe
        int[] at = new int[n];
        int[] skip = new int[n];
        for (int i = 0; i < n; i++) {
            long k = key(sorted[i].key());
            at[i] = (int) Long.remainderUnsigned(mix(k ^ OFFSET_SEED), m);
            skip[i] = (int) Long.remainderUnsigned(mix(k ^ SKIP_SEED), m - 1) + 1;
        }
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = sorted[i].id();
        }
        char[] slots = new char[m];
        java.util.Arrays.fill(slots, FREE);
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                int c = at[i];
                while (slots[c] != FREE) {
                    c += skip[i];
                    if (c >= m) {
                        c -= m;
                    }
                }
                slots[c] = (char) i;
                c += skip[i];
                at[i] = c >= m ? c - m : c;
                if (++filled == m) {
                    return new MaglevTable(ids, slots);
                }
            }
        }
    }

    /** The most backends one table names: slots hold 16-bit indexes, one value kept for a free slot. */
    static final int MAX_BACKENDS = Character.MAX_VALUE - 1;

    /** A slot not taken yet (no table has this many backends). */
    private static final char FREE = Character.MAX_VALUE;

    private static long key(BackendKey k) {
        return ((k.address().value() & 0xffffffffL) << 24) | ((long) k.port() << 8) | k.protocol().number();
    }

    /** SplitMix64's finalizer: a cheap, well-mixed 64-bit permutation. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
