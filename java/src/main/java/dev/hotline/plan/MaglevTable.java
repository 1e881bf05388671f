package dev.hotline.plan;

import java.util.Arrays;

/** An immutable Maglev lookup table: slot to backend ID. Empty when the Service has no active backend. */
public final class MaglevTable {
    public static final MaglevTable EMPTY = new MaglevTable(new int[0]);

    private final int[] slots;

    MaglevTable(int[] slots) {
        this.slots = slots;
    }

    public int size() {
        return slots.length;
    }

    public int backendAt(int slot) {
        return slots[slot];
    }

    /** A copy of the slots, for loaders that write them in one batch. */
    public int[] toArray() {
        return slots.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaglevTable t && Arrays.equals(slots, t.slots);
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
