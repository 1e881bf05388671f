package dev.hotline.dataplane.userspace;

/**
 * IPv4 fragments of TCP and UDP (C: bpf/lib/frag.h, frag_*). Only the first fragment carries the
 * ports; it is translated as any packet is, and its ports are recorded by (source, destination,
 * IP ID, protocol). A later fragment takes the ports from that record and follows its flow, with
 * only its addresses rewritten. A later fragment whose record is missing passes, counted.
 * Bounded like the kernel's map; when full, the kernel's LRU forgets an old datagram where this
 * table forgets none and records no new one, so the two agree below that many datagrams in flight.
 */
public final class Fragments {
    /** Datagrams in flight it holds, as hl_fragments does (Abi.FRAGMENTS; a test holds them equal). */
    public static final int CAPACITY = 8192;

    private final OpenHashTable table = new OpenHashTable(CAPACITY, 1, false);

    private static long key1(Packet p) {
        return ((long) p.saddr << 32) | (p.daddr & 0xffffffffL);
    }

    private static long key2(Packet p) {
        return ((long) p.ipId << 8) | p.proto;
    }

    /** frag_record */
    void record(Packet p) {
        int slot = table.insert(key1(p), key2(p));
        if (slot >= 0) {
            table.set(slot, 0, ((long) p.sport << 16) | p.dport);
        }
    }

    /** frag_ports: the datagram's ports into p; false when they were never seen. */
    boolean ports(Packet p) {
        int slot = table.find(key1(p), key2(p));
        if (slot < 0) {
            return false;
        }
        long v = table.get(slot, 0);
        p.sport = (int) ((v >>> 16) & 0xffff);
        p.dport = (int) (v & 0xffff);
        return true;
    }
}
