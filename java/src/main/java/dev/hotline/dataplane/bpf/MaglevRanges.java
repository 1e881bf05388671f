package dev.hotline.dataplane.bpf;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Hands out ranges of the flat hl_maglev array, one per Service table. Table sizes come from a
 * short ladder of primes, so a free list per size reuses space without fragmenting it. A Service
 * whose table changes size gets a new range, fully written before its entries switch to it; the
 * old range is released after, so a reader never sees a half-written table.
 */
final class MaglevRanges {
    private int capacity;
    private final Map<Integer, Deque<Integer>> free = new HashMap<>();
    private int top;

    MaglevRanges(int capacity) {
        this.capacity = capacity;
    }

    int allocate(int size) {
        Deque<Integer> list = free.get(size);
        if (list != null && !list.isEmpty()) {
            return list.pop();
        }
        if ((long) top + size > capacity) {
            // the dataplane grows the array before an apply that needs more; reaching here is a bug
            throw new IllegalStateException("the Maglev map is full: " + size + " more slots needed, " + (capacity - top)
                    + " of " + capacity + " left");
        }
        int offset = top;
        top += size;
        return offset;
    }

    /** Marks a range as in use (found in pinned maps); the space below it that nobody holds is not reused. */
    void reserve(int offset, int size) {
        top = Math.max(top, offset + size);
    }

    /** The end of the highest range handed out: what a larger array must hold. */
    int top() {
        return top;
    }

    /** The array was replaced by a larger one holding the same ranges. */
    void grow(int newCapacity) {
        capacity = Math.max(capacity, newCapacity);
    }

    void release(int offset, int size) {
        free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(offset);
    }
}
