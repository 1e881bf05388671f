package dev.hotline.packet;

/**
 * The hash that picks a backend from a Maglev table, written so that C computes it identically
 * (bpf/hotline_abi.h has the same function). All inputs are host-order numbers:
 * <pre>
 *   mix(x):  x ^= x >> 16; x *= 0x7feb352d; x ^= x >> 15; x *= 0x846ca68b; x ^= x >> 16   (u32 arithmetic)
 *   h = 0x9e3779b9
 *   h = mix(h ^ saddr); h = mix(h ^ daddr); h = mix(h ^ (sport << 16 | dport)); h = mix(h ^ proto)
 *   slot = h % table_size                                                             (unsigned)
 * </pre>
 * The mixer is a well-known 32-bit integer finalizer with good avalanche; every step is one BPF
 * instruction or two, with no tables and no loops.
 */
public final class FlowHash {
    public static final int SEED = 0x9e3779b9;

    private FlowHash() {
    }

    public static int mix(int x) {
        x ^= x >>> 16;
        x *= 0x7feb352d;
        x ^= x >>> 15;
        x *= 0x846ca68b;
        x ^= x >>> 16;
        return x;
    }

    public static int tuple(int saddr, int daddr, int sport, int dport, int proto) {
        int h = SEED;
        h = mix(h ^ saddr);
        h = mix(h ^ daddr);
        h = mix(h ^ ((sport << 16) | dport));
        h = mix(h ^ proto);
        return h;
    }

    /** The Maglev slot for a flow. */
    public static int slot(int hash, int tableSize) {
        return Integer.remainderUnsigned(hash, tableSize);
    }
}
