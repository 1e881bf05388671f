package dev.hotline.plan;

import java.util.Arrays;

/**
 * An immutable Maglev lookup table: slot to backend ID. Empty when the Service has no active backend.
 *
 * Held compactly, as the agent keeps one per Service port (a hundred thousand of them, 1 021
 * slots each for 10 backends): each slot is a 16-bit index into the table's few backend IDs, half
 * the memory of an ID per slot. Tables hold at most {@link Maglev#MAX_SIZE} / 100 backends, far
 * below 65 535.
 */
public final class MaglevTable {
    public static final MaglevTable EMPTY = new MaglevTable(new int[0], new char[0], false);

    private final int[] ids;
    private final char[] index;
    private final boolean unknown;

    /** A table whose slot i names ids[index[i]]. */
    MaglevTable(int[] ids, char[] index) {
        this(ids, index, false);
    }

    private MaglevTable(int[] ids, char[] index, boolean unknown) {
        this.ids = ids;
        this.index = index;
        this.unknown = unknown;
    }

    /**
     * A table of this size whose slots the dataplane may hold in any state (a write that failed
     * halfway): every slot differs from any real table, so the next diff writes the whole table,
     * and no plan takes it over as the Service's table.
     */
    static MaglevTable unknownOfSize(int size) {
        return new MaglevTable(new int[] {0}, new char[size], true);
    }

    /** True for {@link #unknownOfSize}: never to be reused as a Service's table. */
    public boolean unknown() {
        return unknown;
    }

    public int size() {
        return index.length;
    }

    public int backendAt(int slot) {
        return ids[index[slot]];
    }

    /** The slots as backend IDs, a fresh array (for loaders and whole-table writes). */
    public int[] toArray() {
        int[] out = new int[index.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = ids[index[i]];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MaglevTable t) || unknown != t.unknown || t.index.length != index.length) {
            return false;
        }
        if (Arrays.equals(ids, t.ids)) {
            return Arrays.equals(index, t.index);
        }
        for (int i = 0; i < index.length; i++) {
            if (backendAt(i) != t.backendAt(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = 0; i < index.length; i++) {
            h = 31 * h + backendAt(i);
        }
        return h;
    }

    @Override
    public String toString() {
        return "MaglevTable[size=" + index.length + "]";
    }
}
