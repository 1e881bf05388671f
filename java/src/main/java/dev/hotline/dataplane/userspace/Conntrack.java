package dev.hotline.dataplane.userspace;

import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.packet.Frame;

/**
 * Connection tracking for translated flows (C: bpf/lib/conntrack.h, ct_*), in two bounded tables,
 * as the BPF program keeps them:
 * <ul>
 *   <li>forward, keyed by the client's tuple (client -> frontend): the pinned backend, the Service,
 *       the SNAT address and port if any, TCP progress flags, and the expiry time;</li>
 *   <li>reverse, keyed by the reply's tuple (backend -> client, or -> node:SNAT port): the forward
 *       key, so a reply finds its flow and the addresses to restore.</li>
 * </ul>
 * The forward entry alone decides whether a flow is alive; a reverse entry whose forward entry has
 * expired is stale. Expiry is checked on lookup against the caller's clock (capture time in replay).
 * When the tables are full, expired flows are swept (at most once a second of that clock); if that
 * frees nothing the new flow is refused and counted, never growing the table.
 */
final class Conntrack {
    // forward values
    static final int F_BACKEND = 0;    // backend ip << 32 | backend port << 16
    static final int F_SNAT = 1;       // snat ip << 32 | snat port << 16 | flags
    static final int F_IDS = 2;        // backend id << 32 | service id
    static final int F_EXPIRES = 3;
    // reverse values
    static final int R_FWD_K1 = 0;
    static final int R_FWD_K2 = 1;

    static final int FLAG_SNAT = 1;
    static final int FLAG_SEEN_REPLY = 2;
    static final int FLAG_FIN_FWD = 4;
    static final int FLAG_FIN_REV = 8;
    static final int FLAG_RST = 16;

    private final OpenHashTable fwd;
    private final OpenHashTable rev;
    private final long tcpEstablished;
    private final long tcpOpening;
    private final long tcpClosing;
    private final long udp;
    private boolean swept;
    private long lastSweep;

    Conntrack(DataplaneConfig c) {
        fwd = new OpenHashTable(c.conntrackMax(), 4, false);
        rev = new OpenHashTable(c.conntrackMax(), 2, false);
        tcpEstablished = c.tcpEstablished().toNanos();
        tcpOpening = c.tcpOpening().toNanos();
        tcpClosing = c.tcpClosing().toNanos();
        udp = c.udp().toNanos();
    }

    static long key1(int saddr, int daddr) {
        return ((long) saddr << 32) | (daddr & 0xffffffffL);
    }

    static long key2(int sport, int dport, int proto) {
        return ((long) sport << 24) | ((long) dport << 8) | proto;
    }

    int size() {
        return fwd.size();
    }

    /** ct_timeout */
    long timeout(int proto, int flags) {
        if (proto != Frame.PROTO_TCP) {
            return udp;
        }
        boolean closing = (flags & FLAG_RST) != 0 || (flags & (FLAG_FIN_FWD | FLAG_FIN_REV)) == (FLAG_FIN_FWD | FLAG_FIN_REV);
        if (closing) {
            return tcpClosing;
        }
        return (flags & FLAG_SEEN_REPLY) != 0 ? tcpEstablished : tcpOpening;
    }

    /** ct_closing: both FINs seen, or a RST: the flow is going away. */
    static boolean closing(int flags) {
        return (flags & FLAG_RST) != 0 || (flags & (FLAG_FIN_FWD | FLAG_FIN_REV)) == (FLAG_FIN_FWD | FLAG_FIN_REV);
    }

    /** ct_forward_flags: the flags a client's segment adds to its flow. */
    static int forwardFlags(int tcpFlags) {
        int flags = 0;
        if ((tcpFlags & Frame.TCP_FIN) != 0) {
            flags |= FLAG_FIN_FWD;
        }
        if ((tcpFlags & Frame.TCP_RST) != 0) {
            flags |= FLAG_RST;
        }
        return flags;
    }

    /** ct_refresh_forward: a client's packet on a known flow: its flags, and a new expiry from them. Returns the flags. */
    int refreshForward(int flow, Packet p, long now) {
        long s = fwd.get(flow, F_SNAT);
        int flags = (int) (s & 0xffff) | forwardFlags(p.tcpFlags);
        fwd.set(flow, F_SNAT, (s & ~0xffffL) | flags);
        fwd.set(flow, F_EXPIRES, now + timeout(p.proto, flags));
        return flags;
    }

    /** ct_refresh_reply: a reply on a known flow: it has seen a reply (and the reply's FIN or RST). Returns the flags. */
    int refreshReply(int flow, Packet p, long now) {
        long s = fwd.get(flow, F_SNAT);
        int flags = (int) (s & 0xffff) | FLAG_SEEN_REPLY;
        if ((p.tcpFlags & Frame.TCP_FIN) != 0) {
            flags |= FLAG_FIN_REV;
        }
        if ((p.tcpFlags & Frame.TCP_RST) != 0) {
            flags |= FLAG_RST;
        }
        fwd.set(flow, F_SNAT, (s & ~0xffffL) | flags);
        fwd.set(flow, F_EXPIRES, now + timeout(p.proto, flags));
        return flags;
    }

    /** ct_reopened: a SYN on a flow that was closing: the client reused its port, and this is a new connection. */
    boolean reopened(int flow, Packet p) {
        int flags = (int) fwd.get(flow, F_SNAT);
        return opening(p) && closing(flags);
    }

    /** ct_opening: a SYN without ACK. */
    static boolean opening(Packet p) {
        return (p.tcpFlags & (Frame.TCP_SYN | Frame.TCP_ACK_FLAG)) == Frame.TCP_SYN;
    }

    /** ct_find_forward: the live forward entry of this tuple, or -1 (an expired one is removed with its reverse entry). */
    int findForward(long k1, long k2, long now) {
        int slot = fwd.find(k1, k2);
        if (slot >= 0 && now >= fwd.get(slot, F_EXPIRES)) {
            removeFlow(slot);
            return -1;
        }
        return slot;
    }

    /**
     * ct_find_reply: the forward slot of the live flow this reply belongs to, or -1: no reverse
     * entry, no flow (being made or removed, left alone), an expired flow (removed), or a reverse
     * entry its flow does not own (ct_owns_reply).
     */
    int findReply(long k1, long k2, long now) {
        int r = rev.find(k1, k2);
        if (r < 0) {
            return -1;
        }
        int f = fwd.find(rev.get(r, R_FWD_K1), rev.get(r, R_FWD_K2));
        if (f < 0) {
            return -1;
        }
        if (now >= fwd.get(f, F_EXPIRES)) {
            removeFlow(f);
            return -1;
        }
        return reverseKey1(f) == k1 && reverseKey2(f) == k2 ? f : -1;
    }

    /** ct_reverse_key: the reply tuple a forward entry owns. */
    long reverseKey1(int fwdSlot) {
        long s = fwd.get(fwdSlot, F_SNAT);
        int backendIp = (int) (fwd.get(fwdSlot, F_BACKEND) >>> 32);
        return ((int) s & FLAG_SNAT) != 0 ? key1(backendIp, (int) (s >>> 32)) : key1(backendIp, (int) (fwd.key1(fwdSlot) >>> 32));
    }

    long reverseKey2(int fwdSlot) {
        long s = fwd.get(fwdSlot, F_SNAT);
        long k2 = fwd.key2(fwdSlot);
        int backendPort = (int) ((fwd.get(fwdSlot, F_BACKEND) >>> 16) & 0xffff);
        int proto = (int) (k2 & 0xff);
        return ((int) s & FLAG_SNAT) != 0 ? key2(backendPort, (int) ((s >>> 16) & 0xffff), proto)
                : key2(backendPort, (int) ((k2 >>> 24) & 0xffff), proto);
    }

    /**
     * Whether a reply tuple is taken (used to find a free SNAT port): held by a live flow, or by
     * one with no forward entry (being made or removed, in the kernel's terms). One held by an
     * expired flow is free: a claim takes it over.
     */
    boolean replyTupleTaken(long k1, long k2, long now) {
        int r = rev.find(k1, k2);
        if (r < 0) {
            return false;
        }
        int f = fwd.find(rev.get(r, R_FWD_K1), rev.get(r, R_FWD_K2));
        return f < 0 || now < fwd.get(f, F_EXPIRES);
    }

    long forward(int slot, int field) {
        return fwd.get(slot, field);
    }

    void setForward(int slot, int field, long v) {
        fwd.set(slot, field, v);
    }

    long forwardKey1(int slot) {
        return fwd.key1(slot);
    }

    long forwardKey2(int slot) {
        return fwd.key2(slot);
    }

    /** create's answer when the reply tuple belongs to a live flow. */
    static final int CLASH = -2;

    /** ct_lookup_forward: the forward entry of a client tuple, live or expired (the caller tells them apart), or -1. */
    int lookupForward(long k1, long k2) {
        return fwd.find(k1, k2);
    }

    /**
     * ct_claim_reply and ct_create: records a new flow, the forward entry under (k1, k2) (over an
     * expired flow of that tuple, in place) and the reverse entry under (rk1, rk2). A reverse entry
     * of a dead flow is taken over; one of a live flow is a clash. A full table is swept (at most
     * once a second of the clock) when the flow needs an entry it has no room for, as the kernel
     * dataplane's test-run harness does when the program refuses it. Returns the forward slot, -1
     * when the tables are full, or CLASH.
     */
    int create(long k1, long k2, long rk1, long rk2, long now, boolean takeClosed) {
        int held = rev.find(rk1, rk2);
        if (held >= 0) {
            int holder = fwd.find(rev.get(held, R_FWD_K1), rev.get(held, R_FWD_K2));
            if (holder < 0 || (now < fwd.get(holder, F_EXPIRES) && !(takeClosed && closing((int) fwd.get(holder, F_SNAT))))) {
                return CLASH; // replyTupleTaken's rule, and ct_claim_reply's for a closed holder and a SYN
            }
            // held by an expired flow (or a closed one, for a SYN): taken over, its forward entry removed first (as in C)
            fwd.removeAt(holder);
        }
        boolean needsRoom = (held < 0 && rev.full()) || (fwd.find(k1, k2) < 0 && fwd.full());
        if (needsRoom && (!swept || now - lastSweep >= 1_000_000_000L)) {
            swept = true;
            lastSweep = now;
            sweep(now);
        }
        int r = rev.insert(rk1, rk2);
        if (r < 0) {
            return -1;
        }
        int f = fwd.insert(k1, k2);
        if (f < 0) {
            rev.removeAt(r);
            return -1;
        }
        rev.set(r, R_FWD_K1, k1);
        rev.set(r, R_FWD_K2, k2);
        return f;
    }

    /** ct_remove_flow: removes a flow: its forward entry and the reverse entry it owns. */
    void removeFlow(int fwdSlot) {
        long rk1 = reverseKey1(fwdSlot);
        long rk2 = reverseKey2(fwdSlot);
        int r = rev.find(rk1, rk2);
        if (r >= 0 && rev.get(r, R_FWD_K1) == fwd.key1(fwdSlot) && rev.get(r, R_FWD_K2) == fwd.key2(fwdSlot)) {
            rev.removeAt(r);
        }
        fwd.removeAt(fwdSlot);
    }

    /** Removes every expired flow; returns how many. */
    int sweep(long now) {
        int removed = 0;
        int slot = 0;
        int cap = fwd.capacity();
        while (slot < cap) {
            if (fwd.isUsed(slot) && now >= fwd.get(slot, F_EXPIRES)) {
                removeFlow(slot); // a later entry may have shifted into this slot: look again
                removed++;
            } else {
                slot++;
            }
        }
        return removed;
    }

    /** Writes every live flow, both its tables, for an agent that starts after this one to read back. */
    void writeTo(java.io.DataOutputStream out) throws java.io.IOException {
        out.writeInt(fwd.size());
        for (int slot = 0; slot < fwd.capacity(); slot++) {
            if (fwd.isUsed(slot)) {
                out.writeLong(fwd.key1(slot));
                out.writeLong(fwd.key2(slot));
                for (int f = F_BACKEND; f <= F_EXPIRES; f++) {
                    out.writeLong(fwd.get(slot, f));
                }
            }
        }
        out.writeInt(rev.size());
        for (int slot = 0; slot < rev.capacity(); slot++) {
            if (rev.isUsed(slot)) {
                out.writeLong(rev.key1(slot));
                out.writeLong(rev.key2(slot));
                out.writeLong(rev.get(slot, R_FWD_K1));
                out.writeLong(rev.get(slot, R_FWD_K2));
            }
        }
    }

    /**
     * Reads flows written by {@link #writeTo}. Backend IDs are the previous agent's: each flow takes
     * the ID its backend (address, port, protocol) has now, from backendIdOf (-1: the backend is gone,
     * and so is the flow); expired flows stay out. Returns {flows restored, flows left out}.
     */
    int[] readFrom(java.io.DataInputStream in, java.util.function.LongToIntFunction backendIdOf, long now) throws java.io.IOException {
        int restored = 0;
        int left = 0;
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            long k1 = in.readLong();
            long k2 = in.readLong();
            long backend = in.readLong();
            long snat = in.readLong();
            long ids = in.readLong();
            long expires = in.readLong();
            int id = backendIdOf.applyAsInt(backend | (k2 & 0xff));
            if (id < 0 || expires <= now || fwd.full()) {
                left++;
                continue;
            }
            int slot = fwd.insert(k1, k2);
            fwd.set(slot, F_BACKEND, backend);
            fwd.set(slot, F_SNAT, snat);
            fwd.set(slot, F_IDS, ((long) id << 32) | (ids & 0xffffffffL));
            fwd.set(slot, F_EXPIRES, expires);
            restored++;
        }
        int m = in.readInt();
        for (int i = 0; i < m; i++) {
            long k1 = in.readLong();
            long k2 = in.readLong();
            long f1 = in.readLong();
            long f2 = in.readLong();
            if (fwd.find(f1, f2) >= 0 && !rev.full()) {
                int slot = rev.insert(k1, k2);
                rev.set(slot, R_FWD_K1, f1);
                rev.set(slot, R_FWD_K2, f2);
            }
        }
        return new int[] {restored, left};
    }
}
