package dev.hotline.live;

import dev.hotline.dataplane.Attachment;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.DataplaneCounters;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Verdict;
import dev.hotline.packet.Bytes;
import dev.hotline.plan.Frontend;
import dev.hotline.plan.MapOp;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The user-space dataplane on live interfaces: for nodes where the BPF program cannot load.
 * Each served interface is captured (libpcap, one thread each); hotline's nftables table drops
 * the kernel's copy of the frames hotline takes over ({@link TakeOver}); those go through the Java
 * twin, the very process() replay runs, and what leaves is handed back to the kernel through a raw
 * socket, which routes it to its new destination. Everything else stays the kernel's, untouched.
 * See docs/userspace-live.md for the reasoning.
 */
public final class LiveDataplane implements Dataplane, Attachment {
    private final SharedDataplane twin;
    private final dev.hotline.dataplane.userspace.UserspaceDataplane inner;
    private final java.nio.file.Path conntrackFile;
    /** Conntrack a previous agent saved, restored with the first change applied (it names backends of the plan). */
    private byte[] savedConntrack;
    private final TakeOver takeOver;
    private final int mark;
    private final int ringBytes;
    private final Consumer<String> log;
    private final Set<Long> frontendEntries = new HashSet<>();
    private final Map<String, Capture> captures = new ConcurrentHashMap<>();
    private final Map<Integer, String> names = new ConcurrentHashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong sendFailed = new AtomicLong();
    private final AtomicLong forwardedUnchanged = new AtomicLong();
    private final AtomicLong failedFrames = new AtomicLong();
    /** Frames the capture rings lost (full), summed over the interfaces as their threads last read it. */
    private long ringDroppedLogged;
    /** Writes to the table: the reconciler's changes and the heartbeat's repairs, one at a time. */
    private final Object nft = new Object();
    /** The sets in the kernel may not be what the Java side says (at start: a predecessor's; after a failed update). */
    private boolean nftBehind = true;
    /** Stopping with a successor expected: chains and table stay (see {@link #handOver}). */
    private volatile boolean handingOver;
    private final java.util.concurrent.ScheduledExecutorService heartbeat = dev.hotline.source.Daemons.thread("nft-heartbeat");
    private boolean beating;
    private int missedBeats;

    /**
     * Makes hotline's nftables table if there is none, keeping a predecessor's (its rules stay in
     * force on the lease it left until this agent captures). mark: the notrack mark of translated
     * packets (0: none).
     */
    public LiveDataplane(DataplaneConfig config, int mark, int ringBytes, java.nio.file.Path conntrackFile, Consumer<String> log)
            throws IOException {
        this.inner = new dev.hotline.dataplane.userspace.UserspaceDataplane(config);
        this.twin = new SharedDataplane(inner);
        this.conntrackFile = conntrackFile;
        this.takeOver = new TakeOver(config.snatPortMin(), config.snatPortMax());
        this.mark = mark;
        this.ringBytes = ringBytes;
        this.log = log;
        String locals = takeOver.setLocals(localAddresses()).script();
        String why = Nft.run(takeOver.tableScript() + locals);
        if (why != null) {
            // a table of another shape (an older hotline's): made anew, its chains gone with it
            String again = Nft.run(takeOver.freshTableScript() + locals);
            if (again != null) {
                throw new IOException("cannot make the nftables table netdev " + TakeOver.TABLE + ": " + again);
            }
            log.accept("the nftables table netdev " + TakeOver.TABLE + " a previous agent left had another shape: made anew (" + why + ")");
        }
        this.savedConntrack = conntrackFile == null ? null : ConntrackFile.read(conntrackFile, log);
    }

    /**
     * Renews the rules' lease, and writes the sets whole when they may be behind. A beat that fails
     * leaves the lease to run out (the kernel takes everything back).
     */
    private void beat() {
        long t = System.nanoTime();
        synchronized (nft) {
            if (nftBehind && writeWhole() == null) {
                log.accept("the nftables sets of table netdev " + TakeOver.TABLE + " are written whole again");
            }
        }
        long dropped = ringDropped();
        if (dropped > ringDroppedLogged) {
            log.accept("capture rings full: " + (dropped - ringDroppedLogged) + " frame(s) lost in the last second ("
                    + dropped + " in all; raise --ring-size)");
            ringDroppedLogged = dropped;
        }
        String why = Nft.run(TakeOver.heartbeatScript());
        if (why == null) {
            takeOver.heartbeat(t);
            missedBeats = 0;
        } else if (++missedBeats == 2) {
            log.accept("renewing the nftables rules' lease failed twice (" + why + "): past " + TakeOver.ALIVE_SECONDS
                    + " s without one, every frame is left to the kernel (Services unserved) until a renewal succeeds");
        }
    }

    /** Every set whole in one transaction; then all of it is visible to the capture side. Under the nft lock. */
    private String writeWhole() {
        String why = Nft.run(takeOver.contentsScript());
        if (why == null) {
            takeOver.allCommitted();
            nftBehind = false;
        }
        return why;
    }

    /** Removes hotline's netdev table (a previous run's, or --cleanup); null, or why not. */
    public static String removeTable() {
        return Nft.run("add table netdev " + TakeOver.TABLE + "\ndelete table netdev " + TakeOver.TABLE + "\n");
    }

    @Override
    public String name() {
        return "userspace-live";
    }

    /**
     * The twin's maps, then the sets: keys that go stop being taken before nft lets the kernel have
     * their frames, keys that come are taken only once nft drops the kernel's copy. A failed nft write
     * is not the change's failure (the twin has it): the sets are written whole by the next heartbeat,
     * and until then the frames of what is new stay the kernel's.
     */
    @Override
    public void apply(List<MapOp> ops) {
        TakeOver.Changes c = new TakeOver.Changes();
        synchronized (frontendEntries) {
            for (MapOp op : ops) {
                if (op instanceof MapOp.UpsertService u) {
                    Frontend f = u.frontend();
                    if (frontendEntries.add(entryKey(f))) {
                        takeOver.addFrontend(f.address().value(), f.protocol().number(), f.port(), c);
                    }
                } else if (op instanceof MapOp.DeleteService d) {
                    Frontend f = d.frontend();
                    if (frontendEntries.remove(entryKey(f))) {
                        takeOver.removeFrontend(f.address().value(), f.protocol().number(), f.port(), c);
                    }
                } else if (op instanceof MapOp.UpsertBackend b) {
                    takeOver.putBackend(b.backend().id(), b.backend().key().address().value(), b.backend().key().protocol().number(),
                            b.backend().key().port(), c);
                } else if (op instanceof MapOp.DeleteBackend d) {
                    takeOver.removeBackend(d.backendId(), c);
                }
            }
        }
        twin.apply(ops);
        if (savedConntrack != null) {
            byte[] saved = savedConntrack;
            savedConntrack = null;
            int[] n = ConntrackFile.restore(saved, twin, inner);
            log.accept("conntrack of the previous agent restored: " + n[0] + " flow(s) carry on"
                    + (n[1] > 0 ? ", " + n[1] + " left out (expired, or their backend is gone)" : ""));
        }
        synchronized (nft) {
            String why;
            if (nftBehind) {
                why = writeWhole();
            } else if (c.isEmpty()) {
                why = null;
            } else {
                why = Nft.run(c.script());
                if (why == null) {
                    takeOver.committed(c);
                }
            }
            if (why != null) {
                nftBehind = true;
                log.accept("updating the nftables sets of table netdev " + TakeOver.TABLE + " failed (" + why
                        + "); written whole again with the next heartbeat, the frames of what is new stay the kernel's until then");
            }
        }
    }

    private static long entryKey(Frontend f) {
        return TakeOver.key(f.address().value(), f.protocol().number(), f.port()) << 2 | f.scope();
    }

    @Override
    public void process(byte[] frame, int length, long nowNanos, PacketResult result) {
        twin.process(frame, length, nowNanos, result);
    }

    @Override
    public int sweepConntrack(long nowNanos) {
        return twin.sweepConntrack(nowNanos);
    }

    @Override
    public DataplaneCounters counters() {
        return twin.counters();
    }

    @Override
    public Map<String, long[]> mapUsage() {
        return twin.mapUsage();
    }

    @Override
    public Map<String, Long> forwarded() {
        return Map.of("raw_socket", sent.get(), "unchanged", forwardedUnchanged.get());
    }

    @Override
    public Map<String, Long> lost() {
        return Map.of("capture_ring", ringDropped(), "send_failed", sendFailed.get(), "failed", failedFrames.get());
    }

    private long ringDropped() {
        long n = 0;
        for (Capture c : captures.values()) {
            n += c.ringDropped;
        }
        return n;
    }

    @Override
    public Attachment attachment() {
        return this;
    }

    /**
     * Serves the interface: its capture (and the raw sockets its frames leave by) first, then its
     * chain, so nft never drops frames no one takes. The first interface also starts the heartbeat:
     * until then a predecessor's rules hold only on the lease it left.
     */
    @Override
    public synchronized int attach(String ifname) {
        Capture running = captures.get(ifname);
        if (running != null && running.thread.isAlive()) {
            return running.index;
        }
        if (running != null) {
            captures.remove(ifname); // its thread ended (the interface went down, say): served anew
        }
        int index = Libc.if_nametoindex(ifname);
        if (index == 0) {
            throw new IllegalStateException("no such interface");
        }
        LiveInterface in;
        RawSender sender;
        RawSender unchanged;
        try {
            in = LiveInterface.open(ifname, ringBytes);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage());
        }
        try {
            sender = new RawSender(mark);
            unchanged = new RawSender(0);
        } catch (IOException e) {
            in.close();
            throw new IllegalStateException(e.getMessage());
        }
        String why = Nft.run(takeOver.chainScript(ifname));
        if (why != null) {
            in.close();
            sender.close();
            unchanged.close();
            throw new IllegalStateException("cannot add its nftables chain: " + why);
        }
        if (!beating) {
            beating = true;
            beat();
            heartbeat.scheduleWithFixedDelay(this::beat, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
        Capture c = new Capture(in, index, sender, unchanged, mtu(ifname));
        captures.put(ifname, c);
        names.put(index, ifname);
        c.thread.start();
        return index;
    }

    @Override
    public synchronized boolean detach(String ifname) {
        Capture c = captures.remove(ifname);
        if (c == null) {
            return false;
        }
        names.remove(c.index);
        c.stop();
        if (!handingOver) {
            Nft.run(TakeOver.deleteChainScript(ifname)); // gone with its interface already, most often
        }
        return true;
    }

    /** An interface gone (or made anew under its name): its capture ends, its chain goes. */
    @Override
    public void forget(int ifindex) {
        String name = names.get(ifindex);
        if (name != null) {
            detach(name);
        }
    }

    /** The interface's MTU (the size a segmentation-offload frame arriving on it is cut to); 1500 when unknown. */
    static int mtu(String ifname) {
        try {
            return Integer.parseInt(java.nio.file.Files.readString(java.nio.file.Path.of("/sys/class/net", ifname, "mtu")).trim());
        } catch (IOException | NumberFormatException e) {
            return 1500;
        }
    }

    /** The node's IPv4 addresses, as the take-over rules read them. */
    static Set<Integer> localAddresses() {
        Set<Integer> out = new HashSet<>();
        try {
            for (java.net.NetworkInterface ni : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
                for (java.net.InetAddress a : java.util.Collections.list(ni.getInetAddresses())) {
                    if (a instanceof java.net.Inet4Address) {
                        out.add(java.nio.ByteBuffer.wrap(a.getAddress()).getInt());
                    }
                }
            }
        } catch (java.net.SocketException e) {
            // none listed: replies to the node stay the kernel's only through the SNAT range rule
        }
        return out;
    }

    /** One interface's capture thread: frames taken over go through the twin and back to the kernel. */
    private final class Capture {
        final LiveInterface in;
        final int index;
        final RawSender sender;
        final RawSender unchanged;
        final int mtu;
        final Segmenter segmenter = new Segmenter();
        final int[] failed = new int[1];
        final Thread thread;
        volatile boolean stopped;
        /** The ring's losses, read by this thread (a libpcap handle is for one thread at a time) about once a second. */
        volatile long ringDropped;
        private long statsDue;

        Capture(LiveInterface in, int index, RawSender sender, RawSender unchanged, int mtu) {
            this.in = in;
            this.index = index;
            this.sender = sender;
            this.unchanged = unchanged;
            this.mtu = mtu;
            this.thread = new Thread(this::run, "capture-" + in.name());
            thread.setDaemon(true);
        }

        void stop() {
            stopped = true;
            in.stop();
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            in.close();
            sender.close();
            unchanged.close();
        }

        private void run() {
            byte[] buf = new byte[LiveInterface.SNAPLEN + Dataplane.REPLY_ROOM];
            PacketResult r = new PacketResult();
            int[] poll = {in.descriptor(), Libc.POLLIN};
            try {
                while (!stopped) {
                    int n = in.next(buf);
                    long now = System.nanoTime();
                    if (now - statsDue > 0) {
                        statsDue = now + 1_000_000_000L;
                        long d = in.dropped();
                        if (d >= 0) {
                            ringDropped = d;
                        }
                    }
                    if (n == 0) {
                        poll[1] = Libc.POLLIN;
                        try {
                            Libc.poll(poll, 1, 100);
                        } catch (com.sun.jna.LastErrorException e) {
                            // EINTR: wait again
                        }
                        continue;
                    }
                    if (n < 0) {
                        return;
                    }
                    if (takeOver.takes(buf, n)) {
                        try {
                            handle(buf, n, r);
                        } catch (RuntimeException e) {
                            if (failedFrames.incrementAndGet() <= 10) {
                                log.accept("a frame from " + in.name() + " failed: " + e);
                            }
                        }
                    }
                }
            } catch (IOException e) {
                if (!stopped) {
                    // the interface went away or down: its chain goes too, so nothing is dropped that no one takes
                    log.accept("capture on " + in.name() + " ended (" + e.getMessage() + "); its nftables chain removed, "
                            + "served again when it is back");
                    Nft.run(TakeOver.deleteChainScript(in.name()));
                }
            }
        }

        private void handle(byte[] buf, int n, PacketResult r) {
            int unfinished = PartialChecksum.unfinished(buf, n);
            twin.process(buf, n, System.nanoTime(), r);
            int length;
            switch (r.verdict) {
                case DROP -> {
                    return;
                }
                case PASS -> {
                    // the kernel's copy is dropped: forwarded as it came (a backend answering by pod IP)
                    length = n;
                    forwardedUnchanged.incrementAndGet();
                }
                default -> length = r.length;
            }
            // the IP datagram without the Ethernet padding a short frame carries: a raw socket takes the
            // length it is given as the datagram's, and would send the padding as payload
            int datagram = Math.min(Bytes.be16(buf, 14 + 2), length - 14);
            if (r.verdict != Verdict.REJECT) {
                buf[14 + 8]--; // a router's hop (the kernel computes the header checksum of a raw packet)
                if (unfinished >= 0) {
                    PartialChecksum.finish(buf, 14 + datagram, unfinished);
                }
            }
            // a frame forwarded as it came belongs to a flow the kernel's conntrack follows (a client talking
            // to a backend by pod IP): unmarked, so conntrack sees this half too and the next one stays valid
            RawSender out = r.verdict == Verdict.PASS ? unchanged : sender;
            int errno;
            if (datagram > mtu && (buf[14 + 9] & 0xff) == 6 && (Bytes.be16(buf, 14 + 6) & 0x3fff) == 0) {
                sent.addAndGet(segmenter.send(buf, datagram, mtu, out, failed) - 1);
                errno = failed[0];
            } else {
                errno = out.send(buf, 14, datagram);
            }
            if (errno == 0) {
                sent.incrementAndGet();
            } else if (sendFailed.incrementAndGet() <= 10) {
                log.accept("sending a translated frame from " + in.name() + " failed: errno " + errno
                        + (errno == 90 ? " (larger than the route's MTU: a segmentation-offload frame?)" : ""));
            }
        }
    }

    /**
     * Prepares a stop after which another agent is expected (SIGTERM): the rules stay in force for
     * graceSeconds with no one renewing them, conntrack is saved at close, and the successor carries
     * on the flows (they lose the frames of the gap, which TCP sends again). Past the grace the
     * rules stop matching, as after a crash; `--cleanup` removes the table.
     */
    public void handOver(int graceSeconds) {
        handingOver = true;
        dev.hotline.source.Daemons.stop(heartbeat);
        String why = Nft.run(TakeOver.handOverScript(graceSeconds));
        if (why != null) {
            log.accept("cannot extend the nftables rules' lease for the next agent (" + why + ")");
        }
    }

    @Override
    public void close() {
        dev.hotline.source.Daemons.stop(heartbeat);
        for (String ifname : List.copyOf(captures.keySet())) {
            detach(ifname);
        }
        String why = handingOver ? null : removeTable();
        if (why != null) {
            log.accept("cannot remove the nftables table netdev " + TakeOver.TABLE + ": " + why);
        }
        if (conntrackFile != null) {
            ConntrackFile.write(conntrackFile, twin, inner, log);
        }
        twin.close();
    }
}
