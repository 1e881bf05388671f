package dev.hotline.dataplane.userspace;

/**
 * The twin of hl_source_ranges (an LPM trie keyed by service id, then address): per id, the
 * prefixes it holds, looked up once per prefix length present (at most 33 probes of a hash table,
 * no allocation). Whether an address is in some range is all the packet path asks, which is what
 * the trie's longest-prefix lookup answers by finding any match.
 */
final class SourceRanges {
    private final OpenHashTable prefixes = new OpenHashTable(256, 0, true);
    /** id to a bit per prefix length present (bit 32 for /32 down to bit 0 for /0), and how many per length. */
    private final OpenHashTable lengths = new OpenHashTable(64, 34, true);

    private static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    private static long key1(int id, int prefix) {
        return ((id & 0xffffffffL) << 8) | prefix;
    }

    void add(int id, int addr, int prefix) {
        if (prefixes.find(key1(id, prefix), addr & mask(prefix)) >= 0) {
            return;
        }
        prefixes.insert(key1(id, prefix), addr & mask(prefix));
        int s = lengths.insert(id & 0xffffffffL, 0);
        lengths.set(s, 0, lengths.get(s, 0) | (1L << prefix));
        lengths.set(s, 1 + prefix, lengths.get(s, 1 + prefix) + 1);
    }

    void remove(int id, int addr, int prefix) {
        if (!prefixes.remove(key1(id, prefix), addr & mask(prefix))) {
            return;
        }
        int s = lengths.find(id & 0xffffffffL, 0);
        long n = lengths.get(s, 1 + prefix) - 1;
        lengths.set(s, 1 + prefix, n);
        if (n == 0) {
            long bits = lengths.get(s, 0) & ~(1L << prefix);
            if (bits == 0) {
                lengths.removeAt(s);
            } else {
                lengths.set(s, 0, bits);
            }
        }
    }

    /** lb_source_in: whether addr lies in a range kept under id. */
    boolean contains(int id, int addr) {
        int s = lengths.find(id & 0xffffffffL, 0);
        if (s < 0) {
            return false;
        }
        long bits = lengths.get(s, 0);
        while (bits != 0) {
            int prefix = 63 - Long.numberOfLeadingZeros(bits);
            if (prefixes.find(key1(id, prefix), addr & mask(prefix)) >= 0) {
                return true;
            }
            bits &= ~(1L << prefix);
        }
        return false;
    }
}
