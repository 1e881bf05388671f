package dev.hotline.plan;

import java.util.Arrays;

/** An immutable Maglev lookup table: slot to backend ID. Empty when the Service has no active backend. */
public final class MaglevTable {
    public static final MaglevTable EMPTY = new MaglevTable(new int[0]);

    private final int[] slots;
    private final boolean unknown;

    MaglevTable(int[] slots) {
        this(slots, false);
    }

    private MaglevTable(int[] slots, boolean unknown) {
        this.slots = slots;
        this.unknown = unknown;
    }

    /**
     * A table of this size whose slots the dataplane may hold in any state (a write that failed
     * halfway): every slot differs from any real table, so the next diff writes the whole table,
     * and no plan takes it over as the Service's table.
     */
    static MaglevTable unknownOfSize(int size) {
        return new MaglevTable(new int[size], true);
    }

    /** True for {@link #unknownOfSize}: never to be reused as a Service's table. */
    public boolean unknown() {
        return unknown;
    }

    public int size() {
        return slots.length;
    }

    public int backendAt(int slot) {
        return slots[slot];
    }

    /** The slots themselves, shared: for map writes of a whole table, which only read them. */
    int[] sharedSlots() {
        return slots;
    }

    /** A copy of the slots, for loaders that write them in one batch. */
    public int[] toArray() {
        return slots.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaglevTable t && unknown == t.unknown && Arrays.equals(slots, t.slots);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(slots);
    }

    @Override
    public String toString() {
        return "MaglevTable[size=" + slots.length + "]";
    }
}
