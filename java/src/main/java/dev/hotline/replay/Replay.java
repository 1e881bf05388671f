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

    /** The output's format: as the input's, or one asked for. */
    public enum OutputFormat { SAME, PCAP, PCAPNG }

    /**
     * @param progress called now and then with the number of frames done (for a progress line)
     */
    public static ReplaySummary run(Plan plan, Dataplane dataplane, Path in, Path out, Path trace, LongConsumer progress)
            throws ReplayInputException, IOException {
        return run(plan, dataplane, in, out, trace, OutputFormat.SAME, progress);
    }

    public static ReplaySummary run(Plan plan, Dataplane dataplane, Path in, Path out, Path trace, OutputFormat format,
                                    LongConsumer progress) throws ReplayInputException, IOException {
        return run(plan, dataplane, in, out, trace, format, (String) null, progress);
    }

    /** @param filter a tcpdump filter expression: frames it leaves out are written as captured (null: every frame) */
    public static ReplaySummary run(Plan plan, Dataplane dataplane, Path in, Path out, Path trace, OutputFormat format,
                                    String filter, LongConsumer progress) throws ReplayInputException, IOException {
        try (CaptureFilter f = filter == null ? null : CaptureFilter.compile(filter)) {
            return runFiltered(plan, dataplane, in, out, trace, format, f, progress);
        }
    }

    private static ReplaySummary runFiltered(Plan plan, Dataplane dataplane, Path in, Path out, Path trace, OutputFormat format,
                                             CaptureFilter filter, LongConsumer progress) throws ReplayInputException, IOException {
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
        Map<Integer, long[]> otherLinkTypes = new TreeMap<>();
        long filtered = 0;
        String cutShort;
        PacketResult r = new PacketResult();
        LinkLayer link = new LinkLayer();
        Snaplen snaplen = new Snaplen();
        byte[] buf = new byte[65536 + Dataplane.REPLY_ROOM];
        byte[] encapsulated = new byte[buf.length + 64];
        try (CaptureFile reader = CaptureFile.open(in);
             AtomicFile outFile = AtomicFile.create(out);
             AtomicFile traceFile = trace == null ? null : AtomicFile.create(trace)) {
            boolean pcapng = format == OutputFormat.PCAPNG || (format == OutputFormat.SAME && reader.pcapng());
            try (CaptureWriter writer = pcapng ? new PcapngWriter(outFile.temp(), reader.interfaces())
                    : new SingleLinkType(outFile.temp(), reader);
                 TraceWriter traceWriter = trace == null ? null : new TraceWriter(traceFile.temp(), names)) {
                while (reader.next()) {
                    byte[] src = reader.buffer();
                    int off = reader.frameOffset();
                    int captured = reader.capturedLength();
                    int linkType = reader.linkType();
                    if (filter != null && !filter.matches(linkType, src, off, captured, reader.wireLength())) {
                        writer.write(reader.interfaceId(), src, off, captured, reader.wireLength(), reader.seconds(),
                                reader.nanoOfSecond());
                        framesOut++;
                        filtered++;
                        r.reset();
                        r.reason = Reason.FILTERED;
                        if (traceWriter != null) {
                            traceWriter.write(framesIn, r);
                        }
                        framesIn++;
                        continue;
                    }
                    if (captured + LinkLayer.ETH_HLEN + Dataplane.REPLY_ROOM > buf.length) {
                        // a GRO or BIG TCP frame longer than any before: room for its Ethernet view
                        buf = new byte[captured + LinkLayer.ETH_HLEN + Dataplane.REPLY_ROOM];
                        encapsulated = new byte[buf.length + 64];
                    }
                    int view = LinkLayer.supported(linkType) ? link.toEthernet(linkType, src, off, captured, buf) : -1;
                    if (view < 0 && linkType == LinkLayer.ETHERNET) {
                        // a runt: the dataplane says what it is (truncated), as the program would
                        System.arraycopy(src, off, buf, 0, captured);
                        view = captured;
                        link.asCaptured();
                    }
                    if (view < 0) {
                        // not a frame the dataplanes take: written as captured, counted by link type
                        otherLinkTypes.computeIfAbsent(linkType, t -> new long[1])[0]++;
                        writer.write(reader.interfaceId(), src, off, captured, reader.wireLength(), reader.seconds(),
                                reader.nanoOfSecond());
                        framesOut++;
                        r.reset();
                        r.reason = Reason.LINK_TYPE;
                    } else {
                        long now = reader.seconds() * 1_000_000_000L + reader.nanoOfSecond();
                        boolean cut = reader.wireLength() > captured && snaplen.shorten(buf, view);
                        dataplane.process(buf, view, now, r);
                        if (cut && r.length > 0 && r.verdict != Verdict.PASS && r.verdict != Verdict.REJECT) {
                            snaplen.restore(buf);
                        }
                        if (r.length > 0) {
                            if (r.verdict == Verdict.PASS) {
                                // passed: exactly as captured
                                writer.write(reader.interfaceId(), src, off, captured, reader.wireLength(), reader.seconds(),
                                        reader.nanoOfSecond());
                            } else {
                                int n = link.restore(buf, r.length, r.verdict == Verdict.REJECT, encapsulated);
                                // a translated frame keeps its length on the wire; a generated reply is whole
                                int wire = r.verdict == Verdict.REJECT ? n : n + (reader.wireLength() - captured);
                                writer.write(reader.interfaceId(), encapsulated, 0, n, wire, reader.seconds(), reader.nanoOfSecond());
                            }
                            framesOut++;
                        }
                    }
                    if (traceWriter != null) {
                        traceWriter.write(framesIn, r);
                    }
                    framesIn++;
                    if ((framesIn & 0xffff) == 0) {
                        progress.accept(framesIn);
                    }
                }
                cutShort = reader.cutShort();
            } catch (UncheckedReplayInput e) {
                throw (ReplayInputException) e.getCause();
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
        Map<Integer, Long> others = new TreeMap<>();
        otherLinkTypes.forEach((t, n) -> others.put(t, n[0]));
        if (filtered > 0) {
            byReason.merge(Reason.FILTERED, filtered, Long::sum);
            byVerdict.merge(Verdict.PASS, filtered, Long::sum);
        }
        if (!others.isEmpty()) {
            byReason.merge(Reason.LINK_TYPE, others.values().stream().mapToLong(Long::longValue).sum(), Long::sum);
            byVerdict.merge(Verdict.PASS, byReason.get(Reason.LINK_TYPE), Long::sum);
        }
        return new ReplaySummary(dataplane.name(), framesIn, framesOut, byVerdict, byReason, byService, byBackend, others, cutShort);
    }

    /**
     * pcap output: one link type, the first interface's. A pcapng input whose interfaces have
     * several link types cannot become one pcap file: said at the first frame of another type.
     */
    static final class SingleLinkType implements CaptureWriter {
        private final CaptureFile reader;
        private final java.nio.file.Path file;
        private PcapWriter pcap;
        private int linkType = -1;

        SingleLinkType(java.nio.file.Path file, CaptureFile reader) {
            this.file = file;
            this.reader = reader;
        }

        @Override
        public void write(int interfaceId, byte[] frame, int offset, int length, int wireLength, long seconds, int nanoOfSecond)
                throws IOException {
            int type = reader.interfaces().get(interfaceId).linkType();
            if (pcap == null) {
                linkType = type;
                pcap = new PcapWriter(file, reader.nanosecondFile(), type);
            } else if (type != linkType) {
                throw new UncheckedReplayInput(new ReplayInputException("the capture's interfaces have link types " + linkType + " and "
                        + type + ", which one pcap file cannot hold: give --out-format pcapng"));
            }
            pcap.write(interfaceId, frame, offset, length, wireLength, seconds, nanoOfSecond);
        }

        @Override
        public void close() throws IOException {
            if (pcap == null) {
                // an empty capture still makes a valid (empty) pcap file
                pcap = new PcapWriter(file, reader.nanosecondFile(),
                        reader.interfaces().isEmpty() ? PcapWriter.LINKTYPE_ETHERNET : reader.interfaces().get(0).linkType());
            }
            pcap.close();
        }
    }

    /** Carries a bad-input exception through the writer interface. */
    static final class UncheckedReplayInput extends RuntimeException {
        UncheckedReplayInput(ReplayInputException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
