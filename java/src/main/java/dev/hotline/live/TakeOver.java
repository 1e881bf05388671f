package dev.hotline.live;

import dev.hotline.net.Ipv4;
import dev.hotline.packet.Bytes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which arriving frames the user-space dataplane takes over from the kernel, said twice in the
 * same words: as hotline's nftables table (family netdev, one ingress chain per served interface,
 * which drops the kernel's copy; a packet tap has already given hotline its own), and as a Java
 * test the capture loop applies to its copy. Both read the same three sets, kept here:
 * <ul>
 *   <li>frontends (address . protocol . port): every frame to a Service;</li>
 *   <li>backends (address . protocol . port): frames from a backend's port, the replies of translated
 *       flows, unless addressed to the node itself ...</li>
 *   <li>... except those to the SNAT port range, the replies of flows SNATed to the node's address.</li>
 * </ul>
 * A frame with TTL 1 or less is never taken: the kernel sends the Time Exceeded a router owes.
 * A frame taken over that the dataplane passes (a backend talking to a client directly, by pod IP)
 * is forwarded unchanged by hotline, as the kernel would have.
 *
 * Thread-safe: the reconciler changes the sets, capture threads read them.
 */
public final class TakeOver {
    public static final String TABLE = "hotline";

    /** How many entries name each key (the nft element exists while one does). */
    private final LongCounts frontends = new LongCounts();
    private final Map<Integer, Long> backendsById = new HashMap<>();
    private final LongCounts backends = new LongCounts();
    /**
     * What {@link #takes} reads: a key becomes visible only once nft has its element (so nft drops
     * the kernel's copy before Java takes one: a race loses a frame, TCP sends it again, and never
     * is a frame both forwarded by the kernel and sent by hotline), and stops being visible before
     * nft deletes it.
     */
    private final LongCounts visibleFrontends = new LongCounts();
    private final LongCounts visibleBackends = new LongCounts();
    private volatile Set<Integer> locals = Set.of();
    /** The same, sorted, for the capture loop's lookups. */
    private volatile int[] localsSorted = new int[0];
    private final int snatMin;
    private final int snatMax;

    public TakeOver(int snatMin, int snatMax) {
        this.snatMin = snatMin;
        this.snatMax = snatMax;
    }

    static long key(int address, int protocol, int port) {
        return (address & 0xffffffffL) << 24 | (long) (protocol & 0xff) << 16 | (port & 0xffff);
    }

    /**
     * The nftables elements a change adds and removes, netted (an element removed and added again
     * in one change is not touched, one added and removed is never written), sent in one transaction.
     */
    public static final class Changes {
        /** element ("frontends { 10.96.0.10 . tcp . 80 }") to +1 (add) or -1 (delete) */
        final Map<String, Integer> net = new java.util.LinkedHashMap<>();
        final Map<String, Long> keys = new HashMap<>();

        void add(String element, long key) {
            net.merge(element, 1, Integer::sum);
            keys.put(element, key);
        }

        void delete(String element) {
            net.merge(element, -1, Integer::sum);
        }

        public boolean isEmpty() {
            return net.values().stream().allMatch(n -> n == 0);
        }

        /** The nft script of this change: deletes, then adds. */
        public String script() {
            StringBuilder s = new StringBuilder();
            net.forEach((e, n) -> {
                if (n < 0) {
                    s.append("delete element netdev ").append(TABLE).append(' ').append(e).append('\n');
                }
            });
            net.forEach((e, n) -> {
                if (n > 0) {
                    s.append("add element netdev ").append(TABLE).append(' ').append(e).append('\n');
                }
            });
            return s.toString();
        }
    }

    public synchronized void addFrontend(int address, int protocol, int port, Changes c) {
        long k = key(address, protocol, port);
        if (frontends.add(k, 1) == 1) {
            c.add("frontends { " + element(address, protocol, port) + " }", k);
        }
    }

    public synchronized void removeFrontend(int address, int protocol, int port, Changes c) {
        long k = key(address, protocol, port);
        if (frontends.contains(k) && frontends.add(k, -1) == 0) {
            c.delete("frontends { " + element(address, protocol, port) + " }");
            if (visibleFrontends.contains(k)) {
                visibleFrontends.add(k, -1);
            }
        }
    }

    public synchronized void putBackend(int id, int address, int protocol, int port, Changes c) {
        removeBackend(id, c);
        long k = key(address, protocol, port);
        backendsById.put(id, k);
        if (backends.add(k, 1) == 1) {
            c.add("backends { " + element(address, protocol, port) + " }", k);
        }
    }

    public synchronized void removeBackend(int id, Changes c) {
        Long k = backendsById.remove(id);
        if (k == null) {
            return;
        }
        if (backends.add(k, -1) == 0) {
            c.delete("backends { " + element((int) (k >>> 24), (int) (k >>> 16) & 0xff, (int) (k & 0xffff)) + " }");
            if (visibleBackends.contains(k)) {
                visibleBackends.add(k, -1);
            }
        }
    }

    /** nft has the change's elements: the keys it added become visible to {@link #takes}. */
    public synchronized void committed(Changes c) {
        c.net.forEach((e, n) -> {
            Long k = c.keys.get(e);
            // n == 0: removed and added again within the change, the element never left nft
            if (n >= 0 && k != null && !e.startsWith("locals")) {
                LongCounts visible = e.startsWith("frontends") ? visibleFrontends : visibleBackends;
                LongCounts counted = e.startsWith("frontends") ? frontends : backends;
                if (counted.contains(k) && !visible.contains(k)) {
                    visible.add(k, 1);
                }
            }
        });
    }

    /** nft has every set whole ({@link #contentsScript}): everything counted is visible. */
    public synchronized void allCommitted() {
        frontends.forEachKey(k -> {
            if (!visibleFrontends.contains(k)) {
                visibleFrontends.add(k, 1);
            }
        });
        backends.forEachKey(k -> {
            if (!visibleBackends.contains(k)) {
                visibleBackends.add(k, 1);
            }
        });
    }

    /** The node's own addresses (replies addressed to them stay the kernel's, SNAT ports excepted). */
    public Changes setLocals(Set<Integer> now) {
        Changes c = new Changes();
        Set<Integer> before = locals;
        for (int a : now) {
            if (!before.contains(a)) {
                c.add("locals { " + new Ipv4(a) + " }", a);
            }
        }
        for (int a : before) {
            if (!now.contains(a)) {
                c.delete("locals { " + new Ipv4(a) + " }");
            }
        }
        locals = Set.copyOf(now);
        localsSorted = now.stream().mapToInt(Integer::intValue).sorted().toArray();
        return c;
    }

    /** Every set's whole contents, written anew in one transaction (after a failed update). */
    public synchronized String contentsScript() {
        StringBuilder s = new StringBuilder();
        for (String set : List.of("frontends", "backends", "locals")) {
            s.append("flush set netdev ").append(TABLE).append(' ').append(set).append('\n');
        }
        frontends.forEachKey(k -> s.append("add element netdev ").append(TABLE).append(" frontends { ")
                .append(element((int) (k >>> 24), (int) (k >>> 16) & 0xff, (int) (k & 0xffff))).append(" }\n"));
        backends.forEachKey(k -> s.append("add element netdev ").append(TABLE).append(" backends { ")
                .append(element((int) (k >>> 24), (int) (k >>> 16) & 0xff, (int) (k & 0xffff))).append(" }\n"));
        for (int a : localsSorted) {
            s.append("add element netdev ").append(TABLE).append(" locals { ").append(new Ipv4(a)).append(" }\n");
        }
        return s.toString();
    }

    /**
     * The table and its sets, made if missing and otherwise left as they are: a previous agent
     * that handed over (see {@link #handOverScript}) left its chains and sets in force, and they
     * keep dropping the kernel's copies until this agent's first change writes the sets whole.
     */
    public String tableScript() {
        return "add table netdev " + TABLE + "\n"
                + "add set netdev " + TABLE + " frontends { type ipv4_addr . inet_proto . inet_service; }\n"
                + "add set netdev " + TABLE + " backends { type ipv4_addr . inet_proto . inet_service; }\n"
                + "add set netdev " + TABLE + " locals { type ipv4_addr; }\n"
                + "add set netdev " + TABLE + " alive { type ether_type; flags timeout; }\n";
    }

    /** The same, the table made anew: for a table of another shape (an older hotline's). */
    public String freshTableScript() {
        return "add table netdev " + TABLE + "\ndelete table netdev " + TABLE + "\n" + tableScript();
    }

    /**
     * A stopping agent's last words when a successor is expected (SIGTERM, as a rolling update
     * sends): the rules stay, with a lease long enough for the next agent to start, so frames of
     * the flows it will carry on are dropped (and retransmitted) meanwhile instead of reaching the
     * kernel untranslated, where a client would answer a reply it cannot place with a RST.
     */
    public static String handOverScript(int seconds) {
        return "flush set netdev " + TABLE + " alive\n"
                + "add element netdev " + TABLE + " alive { ip timeout " + seconds + "s }\n";
    }

    /**
     * How long the rules hold after the agent's last heartbeat. A dead agent (SIGKILL, a crash, a
     * node out of memory) must not keep the kernel's copies dropped: past this, every frame is the
     * kernel's again (Services go unserved until the agent is back; nothing else breaks).
     */
    public static final int ALIVE_SECONDS = 5;

    /** Renews the "alive" element the rules test (sent every second or so). */
    public static String heartbeatScript() {
        return "flush set netdev " + TABLE + " alive\n"
                + "add element netdev " + TABLE + " alive { ip timeout " + ALIVE_SECONDS + "s }\n";
    }

    /** Records a heartbeat the kernel took; {@link #takes} holds only while the rules do. */
    public void heartbeat(long nowNanos) {
        aliveUntil = nowNanos + (ALIVE_SECONDS - 1) * 1_000_000_000L;
    }

    private volatile long aliveUntil = Long.MIN_VALUE;

    /** The ingress chain of one interface: the three rules, in the words of {@link #takes}. */
    public String chainScript(String ifname) {
        String chain = chainName(ifname);
        return "add chain netdev " + TABLE + " " + chain + " { type filter hook ingress device \"" + ifname
                + "\" priority -500; policy accept; }\n"
                + "flush chain netdev " + TABLE + " " + chain + "\n"
                + "add rule netdev " + TABLE + " " + chain + " " + ALIVE + "ip daddr . ip protocol . th dport @frontends drop\n"
                + "add rule netdev " + TABLE + " " + chain + " " + ALIVE + "ip saddr . ip protocol . th sport @backends "
                + "ip daddr != @locals drop\n"
                + "add rule netdev " + TABLE + " " + chain + " " + ALIVE + "ip saddr . ip protocol . th sport @backends "
                + "th dport " + snatMin + "-" + snatMax + " drop\n";
    }

    /**
     * Every rule's first words: the agent is alive, the frame is untagged IPv4 (a VLAN tag the NIC
     * stripped still reads as 0x8100 here, as libpcap hands it to Java), with a hop left.
     */
    private static final String ALIVE = "meta protocol @alive ether type ip ip ttl > 1 ";

    public static String deleteChainScript(String ifname) {
        return "delete chain netdev " + TABLE + " " + chainName(ifname) + "\n";
    }

    /** One chain per interface, named after it (nft names are letters, digits, _ and .). */
    static String chainName(String ifname) {
        StringBuilder s = new StringBuilder("in_");
        for (char ch : ifname.toCharArray()) {
            s.append(Character.isLetterOrDigit(ch) || ch == '_' || ch == '.' ? ch : '_');
        }
        return s.toString();
    }

    private static String element(int address, int protocol, int port) {
        String p = protocol == 6 ? "tcp" : protocol == 17 ? "udp" : protocol == 132 ? "sctp" : Integer.toString(protocol);
        return new Ipv4(address) + " . " + p + " . " + port;
    }

    /** True when the nftables rules drop the kernel's copy of this frame (Ethernet, IPv4). */
    public boolean takes(byte[] f, int len) {
        if (len < 14 + 20 || Bytes.be16(f, 12) != 0x0800 || (f[14 + 8] & 0xff) <= 1 || System.nanoTime() > aliveUntil) {
            return false;
        }
        // what nftables checks before its th expressions hold: version 4, a whole header, a length the frame has
        int ihl = (f[14] & 0xf) * 4;
        int total = Bytes.be16(f, 14 + 2);
        if ((f[14] & 0xf0) != 0x40 || ihl < 20 || total < ihl || total > len - 14) {
            return false;
        }
        int proto = f[14 + 9] & 0xff;
        int l4 = 14 + ihl;
        // nftables' th matches transport headers of unfragmented frames and first fragments
        if ((Bytes.be16(f, 14 + 6) & 0x1fff) != 0 || l4 + 4 > len) {
            return false;
        }
        int saddr = Bytes.be32(f, 14 + 12);
        int daddr = Bytes.be32(f, 14 + 16);
        int sport = Bytes.be16(f, l4);
        int dport = Bytes.be16(f, l4 + 2);
        synchronized (this) {
            if (visibleFrontends.contains(key(daddr, proto, dport))) {
                return true;
            }
            if (!visibleBackends.contains(key(saddr, proto, sport))) {
                return false;
            }
        }
        return java.util.Arrays.binarySearch(localsSorted, daddr) < 0 || (dport >= snatMin && dport <= snatMax);
    }

    /** A snapshot for tests: how many of each. */
    synchronized int[] sizes() {
        return new int[] {frontends.size(), backends.size(), locals.size()};
    }
}
