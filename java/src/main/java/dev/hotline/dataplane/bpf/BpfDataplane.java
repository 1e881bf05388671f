package dev.hotline.dataplane.bpf;

import dev.hotline.bpf.Abi;
import dev.hotline.bpf.BpfProgram;
import dev.hotline.dataplane.Attachment;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.DataplaneCounters;
import dev.hotline.dataplane.LoadedState;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Reason;
import dev.hotline.dataplane.Verdict;
import dev.hotline.dataplane.userspace.LargeFrames;
import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;
import dev.hotline.plan.Backend;
import dev.hotline.plan.BackendKey;
import dev.hotline.plan.Frontend;
import dev.hotline.plan.FrontendKey;
import dev.hotline.plan.FrontendKind;
import dev.hotline.plan.MapOp;
import dev.hotline.plan.Plan;
import dev.hotline.plan.ServiceEntry;
import dev.hotline.plan.ServiceScope;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The kernel dataplane: the BPF program (bpf/hotline.bpf.c) and its maps, driven through the JNI
 * library. Plan diffs become map writes in the diff's order, batched per map; frames are processed
 * by BPF_PROG_TEST_RUN, with the frame's timestamp as the conntrack clock (replay, tests, benchmarks).
 * Attached at tc ingress (the agent), the same program runs on live traffic with the kernel's clock.
 */
public final class BpfDataplane implements Dataplane {
    /** Frames longer than this do not fit BPF_PROG_TEST_RUN's single page; they run shortened (LargeFrames). */
    static final int MAX_TEST_RUN_FRAME = 3500;
    static final int STRIDE = Abi.SLOT_HEADER + 4096;

    // the program and its maps of the current generation (a larger one replaces it when the cluster grows)
    private volatile BpfProgram program;
    private MapBatch batch;
    /** The Maglev array of the current generation, memory-mapped (1 GiB windows): tables are written as plain stores. */
    private java.nio.ByteBuffer[] maglevSlots;
    private final int[] sizes;
    private final String pinDir;
    private final Map<String, Integer> attachedInterfaces = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile String socketCgroup;
    private java.util.function.Consumer<String> events = e -> { };
    // what the maps hold, counted so growth is decided without walking them
    private final Set<Long> frontendKeys = new HashSet<>();
    /** hl_affinity_match entries (active backends of Services with session affinity), for sizing. */
    private long affinityMatches;
    private final Set<Integer> virtualIps = new HashSet<>();
    private final MaglevRanges ranges;
    private final MapWriter writer = new MapWriter();
    private final LargeFrames largeFrames = new LargeFrames();
    private final byte[] shortened = new byte[LargeFrames.SHORTENED + Dataplane.REPLY_ROOM];
    private final Map<Integer, int[]> currentRange = new HashMap<>(); // service id -> {offset, size}
    private final Map<Integer, int[]> pendingRange = new HashMap<>();
    private final List<int[]> deferredRelease = new ArrayList<>();
    // read by metrics scrapes while the agent's thread writes them
    private final IdSet serviceIds = new IdSet();
    private final IdSet backendIds = new IdSet();
    private final ByteBuffer slot = ByteBuffer.allocateDirect(STRIDE).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer batchSlots = ByteBuffer.allocateDirect(STRIDE * 64).order(ByteOrder.LITTLE_ENDIAN);
    private int[] batchIndex = new int[64];
    private final long[] localVerdicts = new long[Verdict.values().length];
    private final long[] localReasons = new long[Reason.values().length];
    private final Map<Integer, Long> localServices = new HashMap<>();
    private final boolean replayClock;
    private final DataplaneConfig config;
    private final List<String> recreatedPins;
    private final int conntrackMax;
    // test-run's stand-in for the agent's sweep timer, on the twin's rule (see processOnce)
    private boolean swept;
    private long lastSweep;
    private long flowsAtMost;
    // the agent's sweeps reuse their dump buffers (direct memory is freed only by GC)
    private ByteBuffer sweepKeys;
    private ByteBuffer sweepValues;
    private ByteBuffer fragmentKeys;
    private ByteBuffer fragmentValues;
    private long framesSinceCount;

    /**
     * @param sizing      map sizes
     * @param replayClock true: conntrack runs on each frame's timestamp (BPF_PROG_TEST_RUN); false: the kernel's clock
     * @param pinDir      where maps are pinned and reused from, or null for maps of this instance only
     */
    public BpfDataplane(DataplaneConfig config, BpfSizing sizing, boolean replayClock, String pinDir) {
        int[] max = new int[Abi.MAP_COUNT];
        max[Abi.MAP_SERVICES] = sizing.frontends();
        max[Abi.MAP_CLUSTER_IPS] = sizing.frontends();
        max[Abi.MAP_BACKENDS] = sizing.backends();
        max[Abi.MAP_MAGLEV] = sizing.maglevSlots();
        max[Abi.MAP_SERVICE_STATS] = sizing.serviceIds();
        max[Abi.MAP_CT_FORWARD] = config.conntrackMax();
        max[Abi.MAP_CT_REVERSE] = config.conntrackMax();
        max[Abi.MAP_FRAGMENTS] = Abi.FRAGMENTS;
        max[Abi.MAP_AFFINITY] = Abi.AFFINITY_ENTRIES;
        max[Abi.MAP_AFFINITY_MATCH] = sizing.backends();
        this.replayClock = replayClock;
        this.config = config;
        this.conntrackMax = config.conntrackMax();
        this.pinDir = pinDir;
        if (pinDir != null) {
            // maps a previous agent grew are taken at their size, not refused for differing from the default
            int[] pinned = BpfProgram.pinnedSizes(pinDir);
            for (int map : GROWABLE) {
                max[map] = Math.max(max[map], pinned[map]);
            }
            // maps pinned by another version or with other sizes are not reused, nor half reused:
            // conntrack names backend ids that only the other maps give a meaning to
            recreatedPins = BpfProgram.pinProblems(pinDir, max);
            if (!recreatedPins.isEmpty()) {
                // the maps go; the socket-level links stay, and get this program when attached again
                BpfProgram.unpinMaps(pinDir);
            }
        } else {
            recreatedPins = List.of();
        }
        this.sizes = max;
        this.program = BpfProgram.load(pinDir, max);
        this.batch = new MapBatch(program);
        this.ranges = new MaglevRanges(max[Abi.MAP_MAGLEV]);
        try {
            writeConfig(config, replayClock);
            writeClusterSources(config.clusterCidrs());
            this.maglevSlots = maglevMemory(program, max[Abi.MAP_MAGLEV]);
        } catch (RuntimeException e) {
            program.close();
            throw e;
        }
    }

    private void writeConfig(DataplaneConfig c, boolean replayClock) {
        if (replayClock) {
            cfgFlags = Abi.CFG_CLOCK_FROM_SKB;
            writeConfig();
            return;
        }
        // a restart on pinned maps keeps the live path as the last agent left it (the program it
        // attached still runs) until this one says otherwise in livePath, and the ID cursors
        ByteBuffer key = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer old = ByteBuffer.allocateDirect(Abi.CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        key.putInt(0, 0);
        if (program.lookup(Abi.MAP_CONFIG, key, old) && old.getInt(Abi.CONFIG_ABI_VERSION) == Abi.VERSION) {
            cfgFlags = old.getInt(Abi.CONFIG_FLAGS) & Abi.CFG_REDIRECT;
            cfgMark = old.getInt(Abi.CONFIG_NOTRACK_MARK);
            cfgCookie = old.getLong(Abi.CONFIG_HOST_NETNS_COOKIE);
            serviceCursor = old.getInt(Abi.CONFIG_SERVICE_CURSOR);
            backendCursor = old.getInt(Abi.CONFIG_BACKEND_CURSOR);
        }
        writeConfig();
    }

    private int cfgFlags;
    private int cfgMark;
    private long cfgCookie;
    private int serviceCursor;
    private int backendCursor;

    private synchronized void writeConfig() {
        ByteBuffer key = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer value = ByteBuffer.allocateDirect(Abi.CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        key.putInt(0, 0);
        DataplaneConfig c = config;
        Abi.config(value, cfgFlags, c.snatPortMin(), c.snatPortMax(), c.tcpEstablished().toNanos(), c.tcpOpening().toNanos(),
                c.tcpClosing().toNanos(), c.udp().toNanos(), c.hairpinAddress(), cfgMark, cfgCookie, serviceCursor, backendCursor,
                c.nodeAddress());
        program.update(Abi.MAP_CONFIG, key, value, 1);
    }

    /**
     * The cluster's source ranges, under HL_CLUSTER_SOURCES in hl_source_ranges: exactly these, so
     * ranges a previous agent on the pinned maps was given and this one was not are removed.
     */
    private void writeClusterSources(List<dev.hotline.net.Cidr> cidrs) {
        Set<Long> wanted = new HashSet<>();
        for (dev.hotline.net.Cidr c : cidrs) {
            wanted.add(((long) c.address().value() << 8) | c.prefix());
        }
        for (long[] k : dumpSourceRanges()) {
            if (k[0] == Abi.CLUSTER_SOURCES && !wanted.remove((k[1] << 8) | k[2])) {
                int i = batch.next(Abi.MAP_SOURCE_RANGES, true, Abi.SOURCE_RANGE_KEY_SIZE, 0);
                Abi.sourceRangeKey(batch.keys(), batch.keyOffset(i), Abi.CLUSTER_SOURCES, (int) k[1], (int) k[2]);
            }
        }
        for (long w : wanted) {
            int i = batch.next(Abi.MAP_SOURCE_RANGES, false, Abi.SOURCE_RANGE_KEY_SIZE, 4);
            Abi.sourceRangeKey(batch.keys(), batch.keyOffset(i), Abi.CLUSTER_SOURCES, (int) (w >>> 8), (int) (w & 0xff));
            batch.values().putInt(batch.valueOffset(i), 1);
        }
        batch.flush();
    }

    /** Every hl_source_ranges key as {service id, address, prefix length}. */
    private List<long[]> dumpSourceRanges() {
        int n = (int) program.count(Abi.MAP_SOURCE_RANGES);
        ByteBuffer keys = ByteBuffer.allocateDirect(Math.max(1, n + 16) * Abi.SOURCE_RANGE_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer values = ByteBuffer.allocateDirect(Math.max(1, n + 16) * 4).order(ByteOrder.LITTLE_ENDIAN);
        n = program.dump(Abi.MAP_SOURCE_RANGES, keys, values, n + 16);
        List<long[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int k = i * Abi.SOURCE_RANGE_KEY_SIZE;
            out.add(new long[] {keys.getInt(k + 4) & 0xffffffffL, Integer.reverseBytes(keys.getInt(k + 8)) & 0xffffffffL,
                keys.getInt(k) - 32});
        }
        return out;
    }

    /** Kept in hl_config with the pinned maps, so a restarted agent never hands out an ID conntrack may still name. */
    @Override
    public void recordIdCursors(int service, int backend) {
        if (service != serviceCursor || backend != backendCursor) {
            serviceCursor = service;
            backendCursor = backend;
            writeConfig();
        }
    }

    /**
     * The live path's settings (the agent; kernel only): whether translated frames go straight to
     * their next hop (bpf_fib_lookup, then bpf_redirect_peer / _neigh / plain redirect), and the mark
     * given to translated frames left to the host stack, for the agent's notrack rule (0: none), and
     * the one network namespace whose sockets the socket-level programs serve (0: every one).
     */
    public void livePath(boolean redirect, int notrackMark, long hostNetnsCookie) {
        if (replayClock) {
            throw new IllegalStateException("redirect is for live traffic; this dataplane runs on the replay clock");
        }
        cfgFlags = redirect ? Abi.CFG_REDIRECT : 0;
        cfgMark = notrackMark;
        cfgCookie = hostNetnsCookie;
        writeConfig();
    }

    /**
     * Attaches the socket-level programs (connect4, sendmsg4, recvmsg4, getpeername4) to a cgroup
     * v2 directory through links pinned in pinDir; links already pinned there for this cgroup get
     * the program loaded now. Returns how many links were made anew.
     */
    public synchronized int attachSockets(String cgroupDir, String pinDir) {
        int made = program.attachCgroup(cgroupDir, pinDir);
        socketCgroup = cgroupDir;
        return made;
    }

    /** Detaches the socket-level programs (removes their link pins); returns how many were attached. */
    public static int detachSockets(String pinDir) {
        return BpfProgram.detachCgroup(pinDir);
    }

    @Override
    public synchronized Map<String, long[]> mapUsage() {
        Map<String, long[]> out = new TreeMap<>();
        out.put(Abi.MAP_NAMES[Abi.MAP_SERVICES], new long[] {frontendKeys.size(), sizes[Abi.MAP_SERVICES]});
        out.put(Abi.MAP_NAMES[Abi.MAP_CLUSTER_IPS], new long[] {virtualIps.size(), sizes[Abi.MAP_CLUSTER_IPS]});
        out.put(Abi.MAP_NAMES[Abi.MAP_BACKENDS], new long[] {backendIds.size(), sizes[Abi.MAP_BACKENDS]});
        out.put(Abi.MAP_NAMES[Abi.MAP_MAGLEV], new long[] {ranges.top(), sizes[Abi.MAP_MAGLEV]});
        return out;
    }

    @Override
    public Map<String, Long> forwarded() {
        long[] f = forwardCounters();
        return Map.of("stack", f[0], "peer", f[1], "neigh", f[2], "direct", f[3]);
    }

    /** Translated frames by where they went: stack, into a pod (peer), out with neighbour resolution, out directly. */
    public long[] forwardCounters() {
        long[] all = stats();
        long[] out = new long[Abi.FWD_MAX];
        System.arraycopy(all, Abi.STAT_FORWARD, out, 0, Abi.FWD_MAX);
        return out;
    }

    @Override
    public String name() {
        return "bpf";
    }

    /** Why the pins found at load could not be reused (they were all removed and made anew); empty when they were. */
    public List<String> recreatedPins() {
        return recreatedPins;
    }

    /** The loaded program, for attaching it at tc ingress. */
    public BpfProgram program() {
        return program;
    }

    /**
     * The maps that grow with the cluster. Conntrack's size is the operator's (--conntrack-max); per-Service
     * counters are kept for Service IDs below its size (65536), which IDs only pass after much churn.
     */
    static final int[] GROWABLE = {Abi.MAP_SERVICES, Abi.MAP_CLUSTER_IPS, Abi.MAP_BACKENDS, Abi.MAP_MAGLEV, Abi.MAP_AFFINITY_MATCH};

    /** Where growth is reported (the agent's log). */
    public void onEvent(java.util.function.Consumer<String> sink) {
        this.events = sink;
    }

    /** The current size of each map (Abi.MAP_*). */
    public int[] mapSizes() {
        return sizes.clone();
    }

    /**
     * Makes sure the maps can take what these ops add; if one cannot, a generation with larger maps
     * replaces the current one first (see {@link #grow}).
     */
    private void ensureCapacity(List<MapOp> ops) {
        long frontends = frontendKeys.size();
        long vips = virtualIps.size();
        long backends = backendIds.size();
        long maglev = ranges.top();
        long maxServiceId = 0;
        long matches = affinityMatches;
        Set<Integer> sized = new HashSet<>();
        for (MapOp op : ops) {
            if (op instanceof MapOp.UpsertService u) {
                if (!frontendKeys.contains(frontendKey(u.frontend()))) {
                    frontends++;
                }
                maxServiceId = Math.max(maxServiceId, u.entry().serviceId());
            } else if (op instanceof MapOp.UpsertVirtualIp v) {
                vips += virtualIps.contains(v.address().value()) ? 0 : 1;
            } else if (op instanceof MapOp.UpsertBackend b) {
                backends += backendIds.contains(b.backend().id()) ? 0 : 1;
            } else if (op instanceof MapOp.UpsertAffinityMatch) {
                matches++;
            } else if (op instanceof MapOp.UpsertMaglevSlots m) {
                int[] r = currentRange.get(m.serviceId());
                if ((r == null || r[1] != m.tableSize()) && sized.add(m.serviceId())) {
                    maglev += m.tableSize();
                }
            }
        }
        int[] want = sizes.clone();
        int mask = 0;
        long[] need = new long[Abi.MAP_COUNT];
        need[Abi.MAP_SERVICES] = frontends;
        need[Abi.MAP_CLUSTER_IPS] = vips;
        need[Abi.MAP_BACKENDS] = backends;
        need[Abi.MAP_MAGLEV] = maglev;
        need[Abi.MAP_SERVICE_STATS] = maxServiceId + 1;
        need[Abi.MAP_AFFINITY_MATCH] = matches;
        for (int map : GROWABLE) {
            if (need[map] > sizes[map]) {
                // half again as much room as needed, in powers of two: a growing cluster grows its maps rarely
                long size = Long.highestOneBit(Math.max(need[map] + need[map] / 2, 2L * sizes[map]) - 1) << 1;
                if (size > Integer.MAX_VALUE / 2) {
                    throw new IllegalStateException(Abi.MAP_NAMES[map] + " would need " + need[map] + " entries, beyond what a BPF map holds");
                }
                want[map] = (int) size;
                mask |= 1 << map;
            }
        }
        if (mask != 0) {
            grow(want, mask);
        }
    }

    /**
     * Replaces the program by a generation whose maps in mask are larger: loaded with every other map
     * shared (conntrack, config, counters carry on as they are), the grown maps filled with what the
     * current ones hold, then attached in place of the current program on every interface (tc filter
     * replace, atomic per interface) and in the socket links (link update). A packet is handled by one
     * generation or the other, each complete; nothing is dropped and no flow forgets its backend.
     */
    public synchronized void grow(int[] want, int mask) {
        long t0 = System.nanoTime();
        batch.flush();
        BpfProgram old = program;
        BpfProgram next = old.next(pinDir, want, mask);
        java.nio.ByteBuffer[] nextSlots;
        try {
            nextSlots = maglevMemory(next, want[Abi.MAP_MAGLEV]); // mapped before anything switches over
        } catch (RuntimeException e) {
            next.close();
            throw e;
        }
        try {
            for (String ifname : new ArrayList<>(attachedInterfaces.keySet())) {
                try {
                    next.attach(null, ifname);
                } catch (dev.hotline.bpf.BpfException e) {
                    if (e.getMessage() != null && e.getMessage().contains("no such interface")) {
                        attachedInterfaces.remove(ifname); // a pod gone since; the watcher forgets it too
                    } else {
                        throw e;
                    }
                }
            }
            if (socketCgroup != null) {
                next.attachCgroup(socketCgroup, pinDir);
            }
            // attached everywhere: only now do the pins name the larger maps (a restart picks them up)
            if (pinDir != null) {
                next.pinMaps(pinDir, mask);
            }
        } catch (RuntimeException e) {
            // back to the current generation where the next one got in, then give up on growing
            for (String ifname : attachedInterfaces.keySet()) {
                try {
                    old.attach(null, ifname);
                } catch (RuntimeException ignored) {
                    // gone meanwhile
                }
            }
            if (socketCgroup != null) {
                try {
                    old.attachCgroup(socketCgroup, pinDir);
                } catch (RuntimeException ignored) {
                    // the links keep whichever program they have
                }
            }
            next.close();
            throw e;
        }
        StringBuilder what = new StringBuilder();
        for (int map = 0; map < Abi.MAP_COUNT; map++) {
            if ((mask & (1 << map)) != 0) {
                what.append(what.length() == 0 ? "" : ", ").append(Abi.MAP_NAMES[map]).append(' ').append(sizes[map])
                        .append(" -> ").append(want[map]);
                sizes[map] = want[map];
            }
        }
        program = next;
        batch = new MapBatch(next);
        maglevSlots = nextSlots; // before the old generation (and its mapping) goes
        ranges.grow(sizes[Abi.MAP_MAGLEV]);
        old.close();
        events.accept(String.format("maps grown with the cluster: %s (a new program generation in %.0f ms; conntrack kept)",
                what, (System.nanoTime() - t0) / 1e6));
    }

    /** The Maglev array of a generation of maxEntries slots, mapped. */
    private static java.nio.ByteBuffer[] maglevMemory(BpfProgram p, long maxEntries) {
        return p.memory(Abi.MAP_MAGLEV, maxEntries * 8);
    }

    private static long frontendKey(Frontend f) {
        return frontendKey(f.address().value(), f.port(), f.protocol().number(), f.scope());
    }

    private static long frontendKey(int address, int port, int protocol, int scope) {
        return ((long) address << 32) | ((long) port << 16) | ((protocol & 0xff) << 8) | (scope & 0xff);
    }

    @Override
    public void apply(List<MapOp> ops) {
        ensureCapacity(ops);
        try {
            for (MapOp op : ops) {
                op.applyTo(writer);
            }
            batch.flush();
        } catch (RuntimeException e) {
            // a range this call took or gave up may still be named by an entry that got written before
            // the failure: none is handed out again (a few slots lost per failure; growth covers it)
            pendingRange.forEach((id, r) -> currentRange.putIfAbsent(id, r));
            pendingRange.clear();
            deferredRelease.clear();
            batch.discard();
            throw e;
        }
        // ranges whose Services went: free only now that every entry naming them is deleted
        deferredRelease.forEach(r -> ranges.release(r[0], r[1]));
        deferredRelease.clear();
        // every entry now points at the new ranges: the ones they replaced can be reused
        pendingRange.forEach((id, r) -> {
            int[] old = currentRange.put(id, r);
            if (old != null) {
                ranges.release(old[0], old[1]);
            }
        });
        pendingRange.clear();
    }

    /** Each kind of map write as batched map updates, in the diff's order. */
    private final class MapWriter implements MapOp.Handler {
        private long[] slotScratch = new long[0];

        @Override
        public void upsertBackend(MapOp.UpsertBackend u) {
            Backend b = u.backend();
            int i = batch.next(Abi.MAP_BACKENDS, false, 4, Abi.BACKEND_SIZE);
            batch.keys().putInt(batch.keyOffset(i), b.id());
            Abi.backend(batch.values(), batch.valueOffset(i), b.key().address().value(), b.key().port(),
                    b.key().protocol().number(), b.local() ? Abi.BACKEND_LOCAL : 0);
            backendIds.add(b.id());
        }

        @Override
        public void deleteBackend(MapOp.DeleteBackend d) {
            int i = batch.next(Abi.MAP_BACKENDS, true, 4, 0);
            batch.keys().putInt(batch.keyOffset(i), d.backendId());
            backendIds.remove(d.backendId());
        }

        @Override
        public void upsertMaglevSlots(MapOp.UpsertMaglevSlots u) {
            int offset = rangeFor(u.serviceId(), u.tableSize());
            // in the diff's order all the same: the backends queued before are written first (a slot
            // rewritten in place may name one), the entries that point at the slots after
            batch.flush();
            java.nio.ByteBuffer[] windows = maglevSlots;
            int n = u.count();
            // the kernel keeps array values 8 bytes apart; a table lies in one window unless it straddles two
            long first = (long) offset << 3;
            long last = (long) (offset + u.tableSize() - 1) << 3;
            int window = (int) (first / BpfProgram.WINDOW);
            boolean oneWindow = window == (int) (last / BpfProgram.WINDOW);
            long[] whole = null;
            if (oneWindow && u.positions() == null) {
                // a whole table (every table of a first sync): its slots as the kernel lays them out, then
                // one bulk copy, which costs the same compiled or not (a starting agent's code is not)
                whole = slotScratch.length >= n ? slotScratch : (slotScratch = new long[n]);
                for (int i = 0; i < n; i++) {
                    whole[i] = u.table().backendAt(i) & 0xffffffffL;
                }
            }
            long[] values = whole;
            // under the program's read lock: a close (which unmaps) waits, and one already done throws
            program.whileOpen(() -> {
                if (values != null) {
                    windows[window].asLongBuffer().put((int) (first % BpfProgram.WINDOW) >> 3, values, 0, n);
                    return;
                }
                for (int i = 0; i < n; i++) {
                    long at = (long) (offset + u.position(i)) << 3;
                    windows[(int) (at / BpfProgram.WINDOW)].putInt((int) (at % BpfProgram.WINDOW), u.backendId(i));
                }
            });
        }

        @Override
        public void deleteMaglevSlots(MapOp.DeleteMaglevSlots d) {
            // a table that shrank already has its new range (released at the end of this diff);
            // a table that emptied or went away gives its range back now
            if (d.from() == 0 && !pendingRange.containsKey(d.serviceId())) {
                int[] r = currentRange.remove(d.serviceId());
                if (r != null) {
                    deferredRelease.add(r);
                }
            }
        }

        @Override
        public void upsertService(MapOp.UpsertService u) {
            Frontend f = u.frontend();
            ServiceEntry e = u.entry();
            int[] r = pendingRange.getOrDefault(e.serviceId(), currentRange.get(e.serviceId()));
            int offset = e.tableSize() == 0 || r == null ? 0 : r[0];
            int i = batch.next(Abi.MAP_SERVICES, false, Abi.FRONTEND_KEY_SIZE, Abi.SERVICE_SIZE);
            Abi.frontendKey(batch.keys(), batch.keyOffset(i), f.address().value(), f.port(), f.protocol().number(),
                    f.scope());
            Abi.service(batch.values(), batch.valueOffset(i), e.serviceId(), e.activeBackends(), e.tableSize(), offset,
                    e.flags(), e.affinityTimeout());
            serviceIds.add(e.serviceId());
            frontendKeys.add(frontendKey(f));
        }

        @Override
        public void deleteService(MapOp.DeleteService d) {
            deleteFrontend(d.frontend().address().value(), d.frontend().port(), d.frontend().protocol().number(),
                    d.frontend().scope());
            frontendKeys.remove(frontendKey(d.frontend()));
        }

        @Override
        public void upsertVirtualIp(MapOp.UpsertVirtualIp v) {
            virtualIps.add(v.address().value());
            int i = batch.next(Abi.MAP_CLUSTER_IPS, false, 4, 4);
            batch.keys().putInt(batch.keyOffset(i), Integer.reverseBytes(v.address().value()));
            batch.values().putInt(batch.valueOffset(i), 1);
        }

        @Override
        public void deleteVirtualIp(MapOp.DeleteVirtualIp v) {
            virtualIps.remove(v.address().value());
            int i = batch.next(Abi.MAP_CLUSTER_IPS, true, 4, 0);
            batch.keys().putInt(batch.keyOffset(i), Integer.reverseBytes(v.address().value()));
        }

        @Override
        public void upsertSourceRange(MapOp.UpsertSourceRange u) {
            int i = batch.next(Abi.MAP_SOURCE_RANGES, false, Abi.SOURCE_RANGE_KEY_SIZE, 4);
            Abi.sourceRangeKey(batch.keys(), batch.keyOffset(i), u.serviceId(), u.range().address().value(), u.range().prefix());
            batch.values().putInt(batch.valueOffset(i), 1);
        }

        @Override
        public void deleteSourceRange(MapOp.DeleteSourceRange d) {
            int i = batch.next(Abi.MAP_SOURCE_RANGES, true, Abi.SOURCE_RANGE_KEY_SIZE, 0);
            Abi.sourceRangeKey(batch.keys(), batch.keyOffset(i), d.serviceId(), d.range().address().value(), d.range().prefix());
        }

        @Override
        public void upsertAffinityMatch(MapOp.UpsertAffinityMatch u) {
            int i = batch.next(Abi.MAP_AFFINITY_MATCH, false, Abi.AFFINITY_MATCH_KEY_SIZE, 4);
            batch.keys().putInt(batch.keyOffset(i), u.serviceId());
            batch.keys().putInt(batch.keyOffset(i) + 4, u.backendId());
            batch.values().putInt(batch.valueOffset(i), 1);
            affinityMatches++;
        }

        @Override
        public void deleteAffinityMatch(MapOp.DeleteAffinityMatch d) {
            int i = batch.next(Abi.MAP_AFFINITY_MATCH, true, Abi.AFFINITY_MATCH_KEY_SIZE, 0);
            batch.keys().putInt(batch.keyOffset(i), d.serviceId());
            batch.keys().putInt(batch.keyOffset(i) + 4, d.backendId());
            affinityMatches--;
        }
    }

    private void deleteFrontend(int address, int port, int protocol, int scope) {
        int i = batch.next(Abi.MAP_SERVICES, true, Abi.FRONTEND_KEY_SIZE, 0);
        Abi.frontendKey(batch.keys(), batch.keyOffset(i), address, port, protocol, scope);
    }

    /** The offset the slots of this table go to: its own range when the size is unchanged, else a new one. */
    private int rangeFor(int serviceId, int size) {
        int[] pending = pendingRange.get(serviceId);
        if (pending != null && pending[1] == size) {
            return pending[0];
        }
        int[] current = currentRange.get(serviceId);
        if (current != null && current[1] == size) {
            return current[0];
        }
        int[] fresh = {ranges.allocate(size), size};
        pendingRange.put(serviceId, fresh);
        return fresh[0];
    }

    @Override
    public void process(byte[] frame, int length, long nowNanos, PacketResult r) {
        flowsAtMost++; // a frame makes at most one flow (see nearlyFull)
        framesSinceCount++;
        processOnce(frame, length, nowNanos, r);
        if (replayClock && r.verdict == Verdict.DROP && r.reason == Reason.CONNTRACK_FULL
                && (!swept || nowNanos - lastSweep >= 1_000_000_000L)) {
            // the twin's rule: a full table is swept of expired flows (at most once a second of the
            // frame clock) and the flow tried again; the refused try is not counted
            swept = true;
            lastSweep = nowNanos;
            sweepFlows(nowNanos);
            uncount(r);
            processOnce(frame, length, nowNanos, r);
        }
    }

    private void uncount(PacketResult r) {
        localVerdicts[r.verdict.ordinal()]--;
        localReasons[r.reason.ordinal()]--;
        if (r.serviceId != 0) {
            localServices.merge(r.serviceId, -1L, Long::sum);
        }
    }

    private void processOnce(byte[] frame, int length, long nowNanos, PacketResult r) {
        r.reset();
        r.length = length;
        Reason refused = refusedByTestRun(frame, length);
        if (refused != null) {
            r.reason = refused;
            countHere(r);
            return;
        }
        if (length > MAX_TEST_RUN_FRAME) {
            processLarge(frame, length, nowNanos, r);
            return;
        }
        slot.putInt(Abi.SLOT_LENGTH, length);
        slot.putLong(Abi.SLOT_TSTAMP, nowNanos);
        slot.put(Abi.SLOT_HEADER, frame, 0, length);
        program.testRun(slot, 1, STRIDE);
        readSlot(slot, 0, frame, r);
    }

    /**
     * Removes the expired flows, both halves, as the program does (conntrack.h): the forward entry
     * first, and the reverse entry only if this call removed the forward one and the reverse entry
     * still names it. So a sweep racing the program (live) never takes a reply tuple from a flow that
     * has claimed it since, and only flows already expired go (an expired flow is never refreshed).
     * Fragment records past their time go too. (Test-run's own sweep, on a full table, takes flows
     * only, as the twin's does.)
     */
    @Override
    public int sweepConntrack(long nowNanos) {
        sweepFragments(nowNanos);
        int removed = sweepFlows(nowNanos);
        sweepOrphans();
        return removed;
    }

    /** Reverse entries without their flow at the last sweep (hex of the key). */
    private java.util.Set<String> orphansSeen = new HashSet<>();

    /**
     * A reverse entry without its forward entry is a flow being made, and is left alone; one still
     * without it a whole sweep interval later was orphaned (a sweep that removed a flow made anew in
     * the instant between its dump and its delete) and would block its reply tuple for good: it goes.
     */
    private void sweepOrphans() {
        // the flow sweep's buffers, large enough: a reverse value is smaller than a forward one
        int max = (int) Math.min(Integer.MAX_VALUE / Abi.CT_FORWARD_SIZE, (long) conntrackMax + 16);
        ByteBuffer keys = sweepKeys;
        ByteBuffer values = sweepValues;
        ByteBuffer key = ByteBuffer.allocateDirect(Abi.CT_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer forward = ByteBuffer.allocateDirect(Abi.CT_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer ignored = ByteBuffer.allocateDirect(Abi.CT_FORWARD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int n = program.dump(Abi.MAP_CT_REVERSE, keys, values, max);
        java.util.Set<String> now = new HashSet<>();
        for (int i = 0; i < n; i++) {
            for (int b = 0; b < Abi.CT_KEY_SIZE; b++) {
                forward.put(b, values.get(i * Abi.CT_REVERSE_SIZE + b));
                key.put(b, keys.get(i * Abi.CT_KEY_SIZE + b));
            }
            if (program.lookup(Abi.MAP_CT_FORWARD, forward, ignored)) {
                continue;
            }
            // the key and the flow it names: a claim made anew since the last sweep is another entry
            byte[] raw = new byte[Abi.CT_KEY_SIZE * 2];
            key.get(0, raw, 0, Abi.CT_KEY_SIZE);
            forward.get(0, raw, Abi.CT_KEY_SIZE, Abi.CT_KEY_SIZE);
            String id = java.util.HexFormat.of().formatHex(raw);
            if (orphansSeen.contains(id)) {
                program.remove(Abi.MAP_CT_REVERSE, key);
            } else {
                now.add(id);
            }
        }
        orphansSeen = now;
    }

    /**
     * Fragment records past their time (a datagram whose last fragment never came); the program
     * also drops them when it meets them. A record written anew between the dump and the delete
     * can go too: the rest of that datagram then passes untranslated, as an unseen one would.
     */
    private void sweepFragments(long nowNanos) {
        int max = Abi.FRAGMENTS + 16;
        if (fragmentKeys == null) {
            fragmentKeys = ByteBuffer.allocateDirect(max * Abi.FRAG_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            fragmentValues = ByteBuffer.allocateDirect(max * Abi.FRAG_PORTS_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer keys = fragmentKeys;
        ByteBuffer values = fragmentValues;
        ByteBuffer key = ByteBuffer.allocateDirect(Abi.FRAG_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int n = program.dump(Abi.MAP_FRAGMENTS, keys, values, max);
        for (int i = 0; i < n; i++) {
            long seen = values.getLong(i * Abi.FRAG_PORTS_SIZE + Abi.FRAG_PORTS_SEEN);
            if (Long.compareUnsigned(nowNanos - seen, FRAG_TIMEOUT_NS) >= 0) {
                for (int b = 0; b < Abi.FRAG_KEY_SIZE; b++) {
                    key.put(b, keys.get(i * Abi.FRAG_KEY_SIZE + b));
                }
                program.remove(Abi.MAP_FRAGMENTS, key);
            }
        }
    }

    /** HL_FRAG_TIMEOUT_NS */
    static final long FRAG_TIMEOUT_NS = 30_000_000_000L;

    private int sweepFlows(long nowNanos) {
        int max = (int) Math.min(Integer.MAX_VALUE / Abi.CT_FORWARD_SIZE, (long) conntrackMax + 16);
        if (sweepKeys == null || sweepKeys.capacity() < max * Abi.CT_KEY_SIZE) {
            sweepKeys = ByteBuffer.allocateDirect(max * Abi.CT_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            sweepValues = ByteBuffer.allocateDirect(max * Abi.CT_FORWARD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer keys = sweepKeys;
        ByteBuffer values = sweepValues;
        int n = program.dump(Abi.MAP_CT_FORWARD, keys, values, max);
        ByteBuffer forwardKey = ByteBuffer.allocateDirect(Abi.CT_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer reverseKey = ByteBuffer.allocateDirect(Abi.CT_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer reverseValue = ByteBuffer.allocateDirect(Abi.CT_REVERSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        int expired = 0;
        for (int i = 0; i < n; i++) {
            int k = i * Abi.CT_KEY_SIZE;
            int v = i * Abi.CT_FORWARD_SIZE;
            if (Long.compareUnsigned(nowNanos, values.getLong(v + Abi.CT_FORWARD_EXPIRES)) < 0) {
                continue;
            }
            for (int b = 0; b < Abi.CT_KEY_SIZE; b++) {
                forwardKey.put(b, keys.get(k + b));
            }
            if (!program.remove(Abi.MAP_CT_FORWARD, forwardKey)) {
                continue; // the program removed it first: its reverse entry is the program's to remove
            }
            expired++;
            // the reverse key this flow owned (ct_reverse_key), removed if it still names the flow
            boolean snat = (values.getInt(v + Abi.CT_FORWARD_FLAGS) & Abi.CT_SNAT) != 0;
            for (int b = 0; b < Abi.CT_KEY_SIZE; b++) {
                reverseKey.put(b, (byte) 0);
            }
            reverseKey.putInt(Abi.CT_KEY_SADDR, values.getInt(v + Abi.CT_FORWARD_BACKEND_ADDR));
            reverseKey.putShort(Abi.CT_KEY_SPORT, values.getShort(v + Abi.CT_FORWARD_BACKEND_PORT));
            reverseKey.put(Abi.CT_KEY_PROTO, keys.get(k + Abi.CT_KEY_PROTO));
            reverseKey.putInt(Abi.CT_KEY_DADDR, snat ? values.getInt(v + Abi.CT_FORWARD_SNAT_ADDR) : keys.getInt(k + Abi.CT_KEY_SADDR));
            reverseKey.putShort(Abi.CT_KEY_DPORT, snat ? values.getShort(v + Abi.CT_FORWARD_SNAT_PORT) : keys.getShort(k + Abi.CT_KEY_SPORT));
            if (program.lookup(Abi.MAP_CT_REVERSE, reverseKey, reverseValue)) {
                boolean ours = true;
                for (int b = 0; b < 13; b++) { // the key's fields; the padding is zero on both sides
                    ours &= reverseValue.get(b) == keys.get(k + b);
                }
                if (ours) {
                    program.remove(Abi.MAP_CT_REVERSE, reverseKey);
                }
            }
        }
        flowsAtMost = n - expired;
        framesSinceCount = 0;
        return expired;
    }


    /** A frame over the test-run limit, through the program shortened (see {@link LargeFrames}). */
    private void processLarge(byte[] frame, int length, long nowNanos, PacketResult r) {
        int n = largeFrames.shorten(frame, length, shortened, r);
        if (n < 0) {
            r.length = length;
            countHere(r);
            return;
        }
        r.reset();
        slot.putInt(Abi.SLOT_LENGTH, n);
        slot.putLong(Abi.SLOT_TSTAMP, nowNanos);
        slot.put(Abi.SLOT_HEADER, shortened, 0, n);
        program.testRun(slot, 1, STRIDE);
        readSlot(slot, 0, shortened, r);
        switch (r.verdict) {
            case DNAT, DNAT_SNAT, REVERSE -> {
                largeFrames.lengthen(shortened, n, frame);
                r.length = length;
            }
            case REJECT -> largeFrames.reject(frame, length, r);
            case PASS -> r.length = length;
            case DROP -> r.length = 0;
        }
    }

    private void countHere(PacketResult r) {
        localVerdicts[r.verdict.ordinal()]++;
        localReasons[r.reason.ordinal()]++;
    }

    /** The whole batch in one BPF_PROG_TEST_RUN JNI call (frames the test-run refuses are answered here). */
    @Override
    public void processBatch(byte[][] frames, int[] lengths, long[] nowNanos, PacketResult[] results, int count) {
        if (replayClock && nearlyFull(count)) {
            // a flow of this batch might be refused: one at a time, so a sweep comes right before it
            for (int i = 0; i < count; i++) {
                process(frames[i], lengths[i], nowNanos[i], results[i]);
            }
            return;
        }
        flowsAtMost += count;
        framesSinceCount += count;
        if (batchSlots.capacity() < STRIDE * count) {
            batchSlots = ByteBuffer.allocateDirect(STRIDE * count).order(ByteOrder.LITTLE_ENDIAN);
            batchIndex = new int[count];
        }
        int n = 0;
        for (int i = 0; i < count; i++) {
            PacketResult r = results[i];
            r.reset();
            r.length = lengths[i];
            Reason refused = refusedByTestRun(frames[i], lengths[i]);
            if (refused != null || lengths[i] > MAX_TEST_RUN_FRAME) {
                // keep the order: run what came before, then this one on its own
                runBatch(frames, results, n);
                n = 0;
                process(frames[i], lengths[i], nowNanos[i], r);
                continue;
            }
            int base = n * STRIDE;
            batchSlots.putInt(base + Abi.SLOT_LENGTH, lengths[i]);
            batchSlots.putLong(base + Abi.SLOT_TSTAMP, nowNanos[i]);
            batchSlots.put(base + Abi.SLOT_HEADER, frames[i], 0, lengths[i]);
            batchIndex[n++] = i;
        }
        runBatch(frames, results, n);
    }

    /**
     * Whether the next frames could meet a full conntrack: each frame makes at most one flow, so the
     * count is known to be below flowsAtMost; when that is near the size, the maps are counted
     * (a walk of the map, so at most once per half a table of frames).
     */
    private boolean nearlyFull(int count) {
        if (flowsAtMost + count <= conntrackMax) {
            return false;
        }
        if (framesSinceCount >= conntrackMax / 2) {
            flowsAtMost = program.count(Abi.MAP_CT_FORWARD);
            framesSinceCount = 0;
        }
        return flowsAtMost + count > conntrackMax;
    }

    private void runBatch(byte[][] frames, PacketResult[] results, int n) {
        if (n == 0) {
            return;
        }
        program.testRun(batchSlots, n, STRIDE);
        for (int j = 0; j < n; j++) {
            readSlot(batchSlots, j * STRIDE, frames[batchIndex[j]], results[batchIndex[j]]);
        }
    }

    private static void readSlot(ByteBuffer b, int base, byte[] frame, PacketResult r) {
        int outLength = b.getInt(base + Abi.SLOT_LENGTH);
        int result = b.getInt(base + Abi.SLOT_CB);
        r.verdict = Verdict.ofCode(result & 0xff);
        r.reason = Reason.ofCode((result >>> 8) & 0xff);
        r.serviceId = b.getInt(base + Abi.SLOT_CB + 4);
        r.backendId = b.getInt(base + Abi.SLOT_CB + 8);
        r.backendIp = Integer.reverseBytes(b.getInt(base + Abi.SLOT_CB + 12));
        r.backendPort = Short.toUnsignedInt(Short.reverseBytes((short) b.getInt(base + Abi.SLOT_CB + 16)));
        if (r.verdict == Verdict.DROP) {
            r.length = 0;
            return;
        }
        b.get(base + Abi.SLOT_HEADER, frame, 0, outLength);
        r.length = outLength;
    }

    /** The kernel-measured run time of the program on the last frame of the last single-frame call, ns. */
    public int lastRunNanos() {
        return slot.getInt(Abi.SLOT_DURATION);
    }

    private LoadedState adopted;

    /**
     * Reads what the (pinned) maps already hold: frontends and their Service IDs and Maglev ranges
     * (reserved, so new tables never overwrite a range live entries still point at), backends and
     * ClusterIPs. Call once, before the first apply.
     */
    @Override
    public LoadedState adopt() {
        Map<FrontendKey, Integer> frontendIds = new HashMap<>();
        int n = (int) program.count(Abi.MAP_SERVICES);
        ByteBuffer keys = ByteBuffer.allocateDirect(Math.max(1, n + 16) * Abi.FRONTEND_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer values = ByteBuffer.allocateDirect(Math.max(1, n + 16) * Abi.SERVICE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        n = program.dump(Abi.MAP_SERVICES, keys, values, n + 16);
        for (int i = 0; i < n; i++) {
            int k = i * Abi.FRONTEND_KEY_SIZE;
            int v = i * Abi.SERVICE_SIZE;
            Protocol proto = protocol(keys.get(k + Abi.FRONTEND_KEY_PROTO));
            int id = values.getInt(v + Abi.SERVICE_ID);
            int size = values.getInt(v + Abi.SERVICE_TABLE_SIZE);
            int offset = values.getInt(v + Abi.SERVICE_TABLE_OFFSET);
            serviceIds.add(id);
            if (size > 0 && !currentRange.containsKey(id)) {
                currentRange.put(id, new int[] {offset, size});
                ranges.reserve(offset, size);
            }
            int scope = keys.get(k + Abi.FRONTEND_KEY_SCOPE) & 0xff;
            frontendKeys.add(frontendKey(Integer.reverseBytes(keys.getInt(k + Abi.FRONTEND_KEY_ADDR)),
                    Short.toUnsignedInt(Short.reverseBytes(keys.getShort(k + Abi.FRONTEND_KEY_PORT))),
                    keys.get(k + Abi.FRONTEND_KEY_PROTO) & 0xff, scope));
            if (proto == null) {
                continue; // not a protocol this version writes: removed as stale after the first apply
            }
            frontendIds.put(new FrontendKey(new Ipv4(Integer.reverseBytes(keys.getInt(k + Abi.FRONTEND_KEY_ADDR))),
                    Short.toUnsignedInt(Short.reverseBytes(keys.getShort(k + Abi.FRONTEND_KEY_PORT))), proto,
                    scope == Abi.SCOPE_INTERNAL), id);
        }
        Map<BackendKey, Integer> backends = new HashMap<>();
        int b = (int) program.count(Abi.MAP_BACKENDS);
        ByteBuffer bk = ByteBuffer.allocateDirect(Math.max(1, b + 16) * 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer bv = ByteBuffer.allocateDirect(Math.max(1, b + 16) * Abi.BACKEND_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b = program.dump(Abi.MAP_BACKENDS, bk, bv, b + 16);
        for (int i = 0; i < b; i++) {
            int v = i * Abi.BACKEND_SIZE;
            Protocol proto = protocol(bv.get(v + Abi.BACKEND_PROTO));
            if (proto == null) {
                continue;
            }
            backends.put(new BackendKey(new Ipv4(Integer.reverseBytes(bv.getInt(v + Abi.BACKEND_ADDR))),
                    Short.toUnsignedInt(Short.reverseBytes(bv.getShort(v + Abi.BACKEND_PORT))), proto), bk.getInt(i * 4));
            backendIds.add(bk.getInt(i * 4));
        }
        Set<Ipv4> vips = new HashSet<>();
        int c = (int) program.count(Abi.MAP_CLUSTER_IPS);
        ByteBuffer ck = ByteBuffer.allocateDirect(Math.max(1, c + 16) * 4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer cv = ByteBuffer.allocateDirect(Math.max(1, c + 16) * 4).order(ByteOrder.LITTLE_ENDIAN);
        c = program.dump(Abi.MAP_CLUSTER_IPS, ck, cv, c + 16);
        for (int i = 0; i < c; i++) {
            vips.add(new Ipv4(Integer.reverseBytes(ck.getInt(i * 4))));
            virtualIps.add(Integer.reverseBytes(ck.getInt(i * 4)));
        }
        affinityMatches = program.count(Abi.MAP_AFFINITY_MATCH); // sized for with the rest before the first apply
        adoptedFrontends = dumpFrontendKeys(keys, n);
        adopted = new LoadedState(frontendIds, backends, vips, serviceCursor, backendCursor);
        return adopted;
    }

    /** Every frontend key the maps held, as raw (address, port, protocol) triples, unknown protocols included. */
    private int[][] adoptedFrontends = new int[0][];

    private static int[][] dumpFrontendKeys(ByteBuffer keys, int n) {
        int[][] out = new int[n][];
        for (int i = 0; i < n; i++) {
            int k = i * Abi.FRONTEND_KEY_SIZE;
            out[i] = new int[] {Integer.reverseBytes(keys.getInt(k + Abi.FRONTEND_KEY_ADDR)),
                Short.toUnsignedInt(Short.reverseBytes(keys.getShort(k + Abi.FRONTEND_KEY_PORT))),
                keys.get(k + Abi.FRONTEND_KEY_PROTO) & 0xff, keys.get(k + Abi.FRONTEND_KEY_SCOPE) & 0xff};
        }
        return out;
    }

    private static Protocol protocol(byte number) {
        for (Protocol p : Protocol.values()) {
            if (p.number() == (number & 0xff)) {
                return p;
            }
        }
        return null;
    }

    /**
     * After the first apply on adopted maps: removes what the maps held that the plan no longer has
     * (Services, ClusterIPs and backends deleted while no agent ran) and frees their Maglev ranges.
     */
    @Override
    public int removeStale(Plan plan) {
        if (adopted == null) {
            return 0;
        }
        Set<FrontendKey> live = new HashSet<>();
        Set<Integer> liveIds = new HashSet<>();
        plan.services().forEach(s -> {
            liveIds.add(s.id());
            s.frontends().forEach(f -> live.add(f.key()));
        });
        int removed = 0;
        for (int[] f : adoptedFrontends) {
            Protocol proto = protocol((byte) f[2]);
            if (proto == null || !live.contains(new FrontendKey(new Ipv4(f[0]), f[1], proto, f[3] == Abi.SCOPE_INTERNAL))) {
                deleteFrontend(f[0], f[1], f[2], f[3]);
                frontendKeys.remove(frontendKey(f[0], f[1], f[2], f[3]));
                removed++;
            }
        }
        // source ranges and affinity backends of Services gone (or changed) while no agent ran
        Set<String> liveRanges = new HashSet<>();
        Set<Long> liveMatches = new HashSet<>();
        plan.services().forEach(s -> {
            s.checkedSourceRanges().forEach(c -> liveRanges.add(s.id() + " " + c));
            s.affinityBackends().forEach(b -> liveMatches.add(((long) s.id() << 32) | (b & 0xffffffffL)));
        });
        for (long[] k : dumpSourceRanges()) {
            if (k[0] != Abi.CLUSTER_SOURCES
                    && !liveRanges.contains(k[0] + " " + new dev.hotline.net.Cidr(new Ipv4((int) k[1]), (int) k[2]))) {
                int i = batch.next(Abi.MAP_SOURCE_RANGES, true, Abi.SOURCE_RANGE_KEY_SIZE, 0);
                Abi.sourceRangeKey(batch.keys(), batch.keyOffset(i), (int) k[0], (int) k[1], (int) k[2]);
                removed++;
            }
        }
        int m = (int) program.count(Abi.MAP_AFFINITY_MATCH);
        ByteBuffer mk = ByteBuffer.allocateDirect(Math.max(1, m + 16) * Abi.AFFINITY_MATCH_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer mv = ByteBuffer.allocateDirect(Math.max(1, m + 16) * 4).order(ByteOrder.LITTLE_ENDIAN);
        m = program.dump(Abi.MAP_AFFINITY_MATCH, mk, mv, m + 16);
        affinityMatches = m;
        for (int j = 0; j < m; j++) {
            int sid = mk.getInt(j * 8);
            int bid = mk.getInt(j * 8 + 4);
            if (!liveMatches.contains(((long) sid << 32) | (bid & 0xffffffffL))) {
                int i = batch.next(Abi.MAP_AFFINITY_MATCH, true, Abi.AFFINITY_MATCH_KEY_SIZE, 0);
                batch.keys().putInt(batch.keyOffset(i), sid);
                batch.keys().putInt(batch.keyOffset(i) + 4, bid);
                affinityMatches--;
                removed++;
            }
        }
        for (Ipv4 vip : adopted.clusterIps()) {
            if (!plan.virtualIps().contains(vip)) {
                virtualIps.remove(vip.value());
                int i = batch.next(Abi.MAP_CLUSTER_IPS, true, 4, 0);
                batch.keys().putInt(batch.keyOffset(i), Integer.reverseBytes(vip.value()));
                removed++;
            }
        }
        for (int id : adopted.backendIds().values()) {
            if (!plan.backends().containsKey(id)) {
                int i = batch.next(Abi.MAP_BACKENDS, true, 4, 0);
                batch.keys().putInt(batch.keyOffset(i), id);
                backendIds.remove(id);
                removed++;
            }
        }
        batch.flush();
        for (Integer id : new ArrayList<>(currentRange.keySet())) {
            if (!liveIds.contains(id)) {
                int[] r = currentRange.remove(id);
                ranges.release(r[0], r[1]);
                serviceIds.remove(id);
            }
        }
        adopted = null;
        adoptedFrontends = new int[0][];
        return removed;
    }

    /** The program at tc ingress of an interface in this network namespace. */
    @Override
    public Attachment attachment() {
        return new Attachment() {
            @Override
            public int attach(String ifname) {
                BpfProgram.Attached a;
                synchronized (BpfDataplane.this) { // not while a new generation is being attached
                    a = program.attach(null, ifname);
                    attachedInterfaces.put(ifname, a.ifindex());
                }
                // a NodePort reply or a SNATed frame leaves tc with a node address as its source:
                // accept_local keeps the stack from dropping it as a martian
                try {
                    BpfProgram.setAcceptLocal(a.ifindex());
                } catch (RuntimeException e) {
                    events.accept("cannot set accept_local on " + ifname + " (NodePort replies and SNATed frames through it may "
                            + "be dropped as martians): " + e.getMessage());
                }
                // the interfaces a translated frame can be handed to with bpf_redirect_peer (lib/fwd.h)
                ByteBuffer key = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer value = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
                key.putInt(0, a.ifindex());
                value.putInt(0, a.veth() ? Abi.IF_VETH : 0);
                program.update(Abi.MAP_IFACES, key, value, 1);
                return a.ifindex();
            }

            @Override
            public boolean detach(String ifname) {
                attachedInterfaces.remove(ifname);
                return BpfProgram.detach(null, ifname);
            }

            @Override
            public Map<String, Integer> links() {
                return BpfProgram.links();
            }

            @Override
            public LinkChanges linkChanges() {
                dev.hotline.bpf.LinkEvents events = dev.hotline.bpf.LinkEvents.open();
                return new LinkChanges() {
                    @Override
                    public boolean await(int timeoutMillis) {
                        return events.await(timeoutMillis);
                    }

                    @Override
                    public void close() {
                        events.close();
                    }
                };
            }

            @Override
            public void forget(int ifindex) {
                attachedInterfaces.values().remove(ifindex);
                ByteBuffer key = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
                key.putInt(0, ifindex);
                program.remove(Abi.MAP_IFACES, key);
            }
        };
    }

    /**
     * BPF_PROG_TEST_RUN refuses some frames outright: shorter than an Ethernet header, IPv4 or IPv6
     * EtherTypes shorter than their fixed header. For those, the outcome the program itself gives
     * such a frame (it passes, counted) is reported here. (Frames over a page run shortened.)
     */
    static Reason refusedByTestRun(byte[] frame, int length) {
        if (length < 14) {
            return Reason.TRUNCATED;
        }
        int type = ((frame[12] & 0xff) << 8) | (frame[13] & 0xff);
        if (type == 0x0800 && length < 14 + 20) {
            return Reason.TRUNCATED;
        }
        if (type == 0x86dd && length < 14 + 40) {
            return Reason.NOT_IPV4;
        }
        return null;
    }

    /** hl_stats summed over CPUs. */
    private long[] stats() {
        int cpus = program.possibleCpus();
        ByteBuffer key = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer perCpu = ByteBuffer.allocateDirect(8 * cpus).order(ByteOrder.LITTLE_ENDIAN);
        long[] stats = new long[Abi.STAT_MAX];
        for (int i = 0; i < Abi.STAT_MAX; i++) {
            key.putInt(0, i);
            if (program.lookup(Abi.MAP_STATS, key, perCpu)) {
                for (int c = 0; c < cpus; c++) {
                    stats[i] += perCpu.getLong(8 * c);
                }
            }
        }
        return stats;
    }

    @Override
    public DataplaneCounters counters() {
        int cpus = program.possibleCpus();
        ByteBuffer key = ByteBuffer.allocateDirect(16).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer perCpu = ByteBuffer.allocateDirect(8 * cpus).order(ByteOrder.LITTLE_ENDIAN);
        long[] stats = stats();
        Map<Verdict, Long> byVerdict = new EnumMap<>(Verdict.class);
        for (Verdict v : Verdict.values()) {
            byVerdict.put(v, stats[v.code()] + localVerdicts[v.ordinal()]);
        }
        Map<Reason, Long> byReason = new EnumMap<>(Reason.class);
        for (Reason x : Reason.values()) {
            long kernel = x.code() < Reason.KERNEL_REASONS ? stats[Abi.VERDICT_MAX + x.code()] : 0;
            byReason.put(x, kernel + localReasons[x.ordinal()]);
        }
        Map<Integer, Long> byService = new TreeMap<>();
        for (int id : serviceIds.toArray()) {
            key.putInt(0, id);
            if (program.lookup(Abi.MAP_SERVICE_STATS, key, perCpu)) {
                long n = localServices.getOrDefault(id, 0L);
                for (int c = 0; c < cpus; c++) {
                    n += perCpu.getLong(8 * c);
                }
                if (n > 0) {
                    byService.put(id, n);
                }
            }
        }
        Map<Integer, Long> byBackend = new TreeMap<>();
        ByteBuffer backend = ByteBuffer.allocateDirect(Abi.BACKEND_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int id : backendIds.toArray()) {
            key.putInt(0, id);
            if (program.lookup(Abi.MAP_BACKENDS, key, backend) && backend.getLong(Abi.BACKEND_PACKETS) > 0) {
                byBackend.put(id, backend.getLong(Abi.BACKEND_PACKETS));
            }
        }
        return new DataplaneCounters(byVerdict, byReason, byService, byBackend, program.count(Abi.MAP_CT_FORWARD));
    }

    @Override
    public void close() {
        program.close();
    }
}
