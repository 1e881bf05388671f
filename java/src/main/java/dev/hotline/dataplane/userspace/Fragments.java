package dev.hotline.dataplane.userspace;

/**
 * IPv4 fragments of TCP and UDP (C: bpf/lib/frag.h, frag_*). Only the first fragment carries the
 * ports; it is translated as any packet is, and its ports are recorded by (source, destination,
 * IP ID, protocol). A later fragment takes the ports from that record and follows its flow, with
 * only its addresses rewritten. A later fragment whose record is missing passes, counted.
 * A record goes with the last fragment, and one older than 30 s (the kernel's reassembly timeout)
 * counts as missing and goes too; a full table records no new datagram. Exactly the kernel map's
 * rules, so the two hold the same records.
 */
public final class Fragments {
    /** Datagrams in flight it holds, as hl_fragments does (Abi.FRAGMENTS; a test holds them equal). */
    public static final int CAPACITY = 8192;

    /** HL_FRAG_TIMEOUT_NS */
    static final long TIMEOUT_NS = 30_000_000_000L;

    private final OpenHashTable table = new OpenHashTable(CAPACITY, 2, false);

    private static long key1(Packet p) {
        return ((long) p.saddr << 32) | (p.daddr & 0xffffffffL);
    }

    private static long key2(Packet p) {
        return ((long) p.ipId << 8) | p.proto;
    }

    /** frag_record (not when the table is full) */
    void record(Packet p, long now) {
        int slot = table.insert(key1(p), key2(p));
        if (slot >= 0) {
            table.set(slot, 0, ((long) p.sport << 16) | p.dport);
            table.set(slot, 1, now);
        }
    }

    /** frag_ports: the datagram's ports into p; false when never seen or too old. The last fragment takes the record. */
    boolean ports(Packet p, long now) {
        int slot = table.find(key1(p), key2(p));
        if (slot < 0) {
            return false;
        }
        boolean found = Long.compareUnsigned(now - table.get(slot, 1), TIMEOUT_NS) < 0;
        if (found) {
            long v = table.get(slot, 0);
            p.sport = (int) ((v >>> 16) & 0xffff);
            p.dport = (int) (v & 0xffff);
        }
        if (!found || p.frag == Packet.FRAG_LAST) {
            table.removeAt(slot);
        }
        return found;
    }

    /** Removes records past their time (the agent's sweep). */
    void sweep(long now) {
        int slot = 0;
        while (slot < table.capacity()) {
            if (table.isUsed(slot) && Long.compareUnsigned(now - table.get(slot, 1), TIMEOUT_NS) >= 0) {
                table.removeAt(slot); // a later entry may have shifted into this slot: look again
            } else {
                slot++;
            }
        }
    }
}
