package dev.hotline.live;

import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Reason;
import dev.hotline.dataplane.Verdict;
import dev.hotline.net.Ipv4;
import dev.hotline.replay.PcapWriter;
import dev.hotline.replay.TraceWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.IntFunction;

/**
 * `hotline watch`: frames captured live on the node's interfaces, each put through the Java twin
 * exactly as the user-space dataplane would, and what the dataplane would do with it printed. No
 * frame is sent and nothing on the node changes; the twin's conntrack follows the flows it sees,
 * so a reply is shown reverse-translated when its request was seen first.
 */
public final class Watch implements AutoCloseable {
    public enum Format { TEXT, JSONL }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    private final Dataplane dataplane;
    private final IntFunction<String> serviceName;
    private final Format format;
    private final PrintWriter out;
    private final TraceWriter trace;
    private final PcapWriter pcapOut;
    private final long maxFrames;
    private final List<Thread> threads = new ArrayList<>();
    private final List<LiveInterface> interfaces = new ArrayList<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private final Map<Verdict, Long> byVerdict = new EnumMap<>(Verdict.class);
    private long frames;
    private volatile IOException failure;

    /**
     * @param serviceName a Service ID's display name ("namespace/name:port"), null if none
     * @param pcapOut     where the frames that would leave go, or null
     * @param maxFrames   stop after this many frames (0: until closed)
     */
    public Watch(Dataplane dataplane, IntFunction<String> serviceName, Format format, PrintWriter out, PcapWriter pcapOut,
                 long maxFrames) {
        this.dataplane = dataplane;
        this.serviceName = serviceName;
        this.format = format;
        this.out = out;
        this.trace = new TraceWriter(out, id -> {
            String n = serviceName.apply(id);
            return n == null ? null : TraceWriter.quote(n);
        });
        this.pcapOut = pcapOut;
        this.maxFrames = maxFrames;
    }

    /** Starts one capture thread per interface; the interfaces are closed with the watch. */
    public void start(List<LiveInterface> open) {
        interfaces.addAll(open);
        for (LiveInterface i : open) {
            lanes.add(new Lane(i));
        }
        for (Lane lane : lanes) {
            Thread t = new Thread(() -> capture(lane), "watch-" + lane.in.name());
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /** Waits until the frame count is reached or a capture failed (then throws). */
    public void await() throws InterruptedException, IOException {
        done.await();
        throwIfFailed();
    }

    /** Throws the failure of a capture, if one failed; does not wait. */
    public void throwIfFailed() throws IOException {
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * One interface's frames, read by its own thread, waiting to be put through the twin in the
     * order the kernel took them. The watermark says that every frame this interface took before
     * it has been read: a frame is processed only once every interface's watermark has passed it,
     * so a reply captured on the backend's interface never overtakes its request on the client's
     * (their threads wake in any order, tens of milliseconds apart on a busy node).
     */
    private static final class Lane {
        final LiveInterface in;
        final java.util.ArrayDeque<Captured> frames = new java.util.ArrayDeque<>();
        long watermark;

        Lane(LiveInterface in) {
            this.in = in;
        }
    }

    private record Captured(byte[] frame, int length, long micros) {
    }

    private final List<Lane> lanes = new ArrayList<>();

    private void capture(Lane lane) {
        byte[] buf = new byte[LiveInterface.SNAPLEN];
        PacketResult r = new PacketResult();
        try {
            while (true) {
                long before = System.currentTimeMillis() * 1000L - 1000L; // a frame still on its way in counts as later
                int n = lane.in.next(buf);
                if (n < 0) {
                    return;
                }
                if (n == 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L); // an idle interface costs a wake-up a millisecond
                }
                synchronized (this) {
                    if (n > 0) {
                        lane.frames.add(new Captured(java.util.Arrays.copyOf(buf, n + Dataplane.REPLY_ROOM), n, lane.in.timestampMicros()));
                        lane.watermark = Math.max(lane.watermark, lane.in.timestampMicros());
                    } else {
                        lane.watermark = Math.max(lane.watermark, before);
                    }
                    if (!drain(r)) {
                        return;
                    }
                }
            }
        } catch (IOException e) {
            failure = e;
            done.countDown();
        } catch (RuntimeException e) {
            failure = new IOException("watching " + lane.in.name() + " failed: " + e, e);
            done.countDown();
        }
    }

    /** Processes, oldest first, every queued frame no interface can still precede; false once the count is reached. */
    private boolean drain(PacketResult r) throws IOException {
        long safe = Long.MAX_VALUE;
        for (Lane l : lanes) {
            safe = Math.min(safe, l.watermark);
        }
        while (true) {
            Lane oldest = null;
            for (Lane l : lanes) {
                Captured c = l.frames.peek();
                if (c != null && c.micros <= safe && (oldest == null || c.micros < oldest.frames.peek().micros)) {
                    oldest = l;
                }
            }
            if (oldest == null) {
                return true;
            }
            Captured c = oldest.frames.poll();
            if (!handle(oldest.in.name(), c, r)) {
                return false;
            }
        }
    }

    /** One frame through the twin, printed; false once the count is reached. */
    private boolean handle(String ifname, Captured c, PacketResult r) throws IOException {
        if (maxFrames > 0 && frames >= maxFrames) {
            return false;
        }
        byte[] buf = c.frame;
        long wall = c.micros * 1000L;
        String before = format == Format.TEXT ? FrameText.of(buf, c.length) : null;
        dataplane.process(buf, c.length, System.nanoTime(), r);
        long index = frames++;
        byVerdict.merge(r.verdict, 1L, Long::sum);
        if (format == Format.JSONL) {
            trace.write(index, r, "\"interface\":" + TraceWriter.quote(ifname) + ",\"time\":\""
                    + Instant.ofEpochSecond(0, wall) + "\"");
        } else {
            out.println(line(wall, ifname, before, buf, r));
        }
        out.flush();
        if (pcapOut != null && r.length > 0) {
            pcapOut.write(buf, r.length, r.length, wall / 1_000_000_000L, (int) (wall % 1_000_000_000L));
        }
        if (maxFrames > 0 && frames >= maxFrames) {
            done.countDown();
            return false;
        }
        return true;
    }

    private String line(long wall, String ifname, String before, byte[] buf, PacketResult r) {
        StringBuilder s = new StringBuilder();
        s.append(TIME.format(Instant.ofEpochSecond(0, wall))).append(' ').append(ifname).append(' ').append(before).append(" : ")
                .append(r.verdict.traceName());
        String name = r.serviceId > 0 ? serviceName.apply(r.serviceId) : null;
        if (name != null) {
            s.append(' ').append(name);
        }
        if (r.backendIp != 0 && (r.verdict == Verdict.DNAT || r.verdict == Verdict.DNAT_SNAT || r.verdict == Verdict.REVERSE)) {
            s.append(" backend ").append(new Ipv4(r.backendIp)).append(':').append(r.backendPort);
        }
        if (r.reason != Reason.TRANSLATED) {
            s.append(" (").append(r.reason.name().toLowerCase(java.util.Locale.ROOT)).append(')');
        }
        if (r.length > 0 && r.verdict != Verdict.PASS) {
            s.append(" => ").append(FrameText.of(buf, r.length));
        }
        return s.toString();
    }

    /** Frames seen by verdict, and the frames each ring dropped; complete once closed. */
    public synchronized String summary() {
        StringBuilder s = new StringBuilder().append(frames).append(" frame(s)");
        byVerdict.forEach((v, n) -> s.append(", ").append(n).append(' ').append(v.traceName()));
        ringDrops.forEach((name, d) -> s.append("; ").append(name).append(" ring dropped ").append(d));
        return s.toString();
    }

    private final Map<String, Long> ringDrops = new java.util.LinkedHashMap<>();

    @Override
    public void close() throws IOException {
        interfaces.forEach(LiveInterface::stop);
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            // read once the capture threads are out of libpcap: a handle is not for two threads at once
            for (LiveInterface i : interfaces) {
                long d = i.dropped();
                if (d > 0) {
                    ringDrops.put(i.name(), d);
                }
            }
        }
        interfaces.forEach(LiveInterface::close);
        done.countDown();
        synchronized (this) {
            out.flush();
            if (pcapOut != null) {
                pcapOut.close();
            }
        }
    }
}
