package dev.hotline.dataplane.userspace;

/**
 * sessionAffinity ClientIP (C: lb_select_affine in bpf/lib/lb.h, maps hl_affinity and
 * hl_affinity_match): which backend a client of a Service had and when it last opened a flow,
 * and which backends of each Service affinity may keep. Bounded like the kernel's LRU map: when
 * full, the entries least recently used (the older half of the used span, expired ones first)
 * are forgotten in one pass, so a full table costs one sweep per many new clients, not one per flow.
 * While the table is far from full both dataplanes remember the same clients; near the bound they
 * part: the kernel's LRU hands out entries through per-CPU free lists and may forget some before
 * it is exactly full, by its own recency, not by these timestamps.
 */
final class Affinity {
    private static final int BACKEND = 0;
    private static final int LAST_USED = 1;

    private final OpenHashTable clients;
    private final OpenHashTable matches = new OpenHashTable(256, 0, true);

    Affinity(int max) {
        clients = new OpenHashTable(max, 2, false);
    }

    void allow(int serviceId, int backendId) {
        matches.insert(serviceId & 0xffffffffL, backendId & 0xffffffffL);
    }

    void disallow(int serviceId, int backendId) {
        matches.remove(serviceId & 0xffffffffL, backendId & 0xffffffffL);
    }

    /** The backend the client keeps (0: none): remembered, within the timeout, still allowed. */
    int kept(int serviceId, int client, long timeoutNanos, long now) {
        int s = clients.find(serviceId & 0xffffffffL, client & 0xffffffffL);
        if (s < 0 || now >= clients.get(s, LAST_USED) + timeoutNanos) {
            return 0;
        }
        int backend = (int) clients.get(s, BACKEND);
        return matches.find(serviceId & 0xffffffffL, backend & 0xffffffffL) >= 0 ? backend : 0;
    }

    /** The client opened a flow to this backend now. */
    void remember(int serviceId, int client, int backendId, long now) {
        int s = clients.insert(serviceId & 0xffffffffL, client & 0xffffffffL);
        if (s < 0) {
            forgetOldest();
            s = clients.insert(serviceId & 0xffffffffL, client & 0xffffffffL);
        }
        clients.set(s, BACKEND, backendId & 0xffffffffL);
        clients.set(s, LAST_USED, now);
    }

    private void forgetOldest() {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (int s = 0; s < clients.capacity(); s++) {
            if (clients.isUsed(s)) {
                min = Math.min(min, clients.get(s, LAST_USED));
                max = Math.max(max, clients.get(s, LAST_USED));
            }
        }
        long cut = min + (max - min) / 2;
        for (int s = clients.capacity() - 1; s >= 0; s--) {
            // from the end: a removal's backward shift moves only visited entries into the slot, rechecked here
            // (one wrapped round from the table's start may escape this pass; the next one takes it)
            while (clients.isUsed(s) && clients.get(s, LAST_USED) <= cut) {
                clients.removeAt(s);
            }
        }
    }
}
