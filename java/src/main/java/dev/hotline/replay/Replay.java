package dev.hotline.replay;

import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneCounters;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Reason;
import dev.hotline.dataplane.Verdict;
import dev.hotline.plan.Backend;
import dev.hotline.plan.Plan;
import dev.hotline.plan.PlanDiff;
import dev.hotline.plan.ServicePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * Replays a capture through a dataplane: each input frame is presented as arriving at tc ingress
 * on the node, with its capture timestamp as the conntrack clock. Every frame the dataplane lets
 * go is written, in input order with the input timestamp (rewritten, or the generated reply for
 * a reject); dropped frames are absent. The trace, when asked for, has one line per input frame.
 */
public final class Replay {
    private Replay() {
    }

    /**
     * @param progress called now and then with the number of frames done (for a progress line)
     */
    public static ReplaySummary run(Plan plan, Dataplane dataplane, Path in, Path out, Path trace, LongConsumer progress)
            throws ReplayInputException, IOException {
        dataplane.apply(PlanDiff.between(Plan.EMPTY, plan));
        int maxId = plan.services().stream().mapToInt(ServicePlan::id).max().orElse(0);
        String[] names = new String[maxId + 1];
        for (ServicePlan s : plan.services()) {
            names[s.id()] = TraceWriter.quote(s.name().toString());
        }
        // the summary is what the dataplane counted during this replay: no second tally per frame here
        DataplaneCounters before = dataplane.counters();
        long framesIn = 0;
        long framesOut = 0;
        PacketResult r = new PacketResult();
        byte[] buf = new byte[65536 + Dataplane.REPLY_ROOM];
        try (CaptureReader reader = CaptureReader.open(in);
             AtomicFile outFile = AtomicFile.create(out);
             AtomicFile traceFile = trace == null ? null : AtomicFile.create(trace)) {
            try (PcapWriter writer = new PcapWriter(outFile.temp(), reader.nanosecondFile());
                 TraceWriter traceWriter = trace == null ? null : new TraceWriter(traceFile.temp(), names)) {
                while (reader.next()) {
                    byte[] frame = reader.frame();
                    if (frame.length + Dataplane.REPLY_ROOM > buf.length) {
                        buf = new byte[frame.length + Dataplane.REPLY_ROOM];
                    }
                    System.arraycopy(frame, 0, buf, 0, frame.length);
                    long now = reader.seconds() * 1_000_000_000L + reader.nanoOfSecond();
                    dataplane.process(buf, frame.length, now, r);
                    if (r.length > 0) {
                        boolean unchanged = r.verdict == Verdict.PASS;
                        writer.write(buf, r.length, unchanged ? reader.originalLength() : r.length, reader.seconds(), reader.nanoOfSecond());
                        framesOut++;
                    }
                    if (traceWriter != null) {
                        traceWriter.write(framesIn, r);
                    }
                    framesIn++;
                    if ((framesIn & 0xffff) == 0) {
                        progress.accept(framesIn);
                    }
                }
            }
            outFile.commit();
            if (traceFile != null) {
                traceFile.commit();
            }
        }
        DataplaneCounters after = dataplane.counters();
        Map<Verdict, Long> byVerdict = new EnumMap<>(Verdict.class);
        for (Verdict v : Verdict.values()) {
            byVerdict.put(v, after.byVerdict().get(v) - before.byVerdict().get(v));
        }
        Map<Reason, Long> byReason = new EnumMap<>(Reason.class);
        for (Reason x : Reason.values()) {
            byReason.put(x, after.byReason().get(x) - before.byReason().get(x));
        }
        Map<String, Long> byService = new TreeMap<>();
        for (ServicePlan s : plan.services()) {
            long n = after.byService().getOrDefault(s.id(), 0L) - before.byService().getOrDefault(s.id(), 0L);
            if (n > 0) {
                byService.merge(s.displayName(), n, Long::sum);
            }
        }
        Map<String, Long> byBackend = new TreeMap<>();
        after.byBackend().forEach((id, n) -> {
            Backend b = plan.backends().get(id);
            long d = n - before.byBackend().getOrDefault(id, 0L);
            if (b != null && d > 0) {
                byBackend.put(b.key().address() + ":" + b.key().port(), d);
            }
        });
        return new ReplaySummary(dataplane.name(), framesIn, framesOut, byVerdict, byReason, byService, byBackend);
    }
}
