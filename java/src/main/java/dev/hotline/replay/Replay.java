package dev.hotline.replay;

import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Reason;
import dev.hotline.dataplane.Verdict;
import dev.hotline.net.Ipv4;
import dev.hotline.plan.Plan;
import dev.hotline.plan.PlanDiff;
import dev.hotline.plan.ServicePlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
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
        Map<Verdict, Long> byVerdict = new EnumMap<>(Verdict.class);
        Map<Reason, Long> byReason = new EnumMap<>(Reason.class);
        long[] perService = new long[maxId + 1];
        Map<Long, long[]> perBackend = new HashMap<>();
        long framesIn = 0;
        long framesOut = 0;
        PacketResult r = new PacketResult();
        byte[] buf = new byte[65536 + Dataplane.REPLY_ROOM];
        try (CaptureReader reader = CaptureReader.open(in);
             PcapWriter writer = new PcapWriter(out, reader.nanosecondFile());
             TraceWriter traceWriter = trace == null ? null : new TraceWriter(trace, names)) {
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
                byVerdict.merge(r.verdict, 1L, Long::sum);
                byReason.merge(r.reason, 1L, Long::sum);
                if (r.serviceId != 0) {
                    perService[r.serviceId]++;
                }
                if (r.backendIp != 0) {
                    long key = ((long) r.backendIp << 16) | r.backendPort;
                    perBackend.computeIfAbsent(key, k -> new long[1])[0]++;
                }
                framesIn++;
                if ((framesIn & 0xffff) == 0) {
                    progress.accept(framesIn);
                }
            }
        }
        Map<String, Long> byService = new TreeMap<>();
        for (ServicePlan s : plan.services()) {
            if (perService[s.id()] > 0) {
                byService.merge(s.name().toString(), perService[s.id()], Long::sum);
            }
        }
        Map<String, Long> byBackend = new TreeMap<>();
        perBackend.forEach((k, v) -> byBackend.put(new Ipv4((int) (k >>> 16)) + ":" + (k & 0xffff), v[0]));
        for (Verdict v : Verdict.values()) {
            byVerdict.putIfAbsent(v, 0L);
        }
        return new ReplaySummary(dataplane.name(), framesIn, framesOut, byVerdict, byReason, byService, byBackend);
    }
}
