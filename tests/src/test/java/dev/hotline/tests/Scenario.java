package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ClusterStateBuilder;
import dev.hotline.source.ManifestReader;
import dev.hotline.cluster.NodePortRange;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.select.Dataplanes;
import dev.hotline.dataplane.DataplaneKind;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.net.Ipv4;
import dev.hotline.plan.NodeIdentity;
import dev.hotline.reconcile.Reconciler;
import dev.hotline.replay.PcapWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A scenario: a cluster, a node, and a sequence of steps (frames, and plan changes between them),
 * run through every dataplane that can run here. Each run yields the frames that left and the
 * results; {@link #run()} checks that all dataplanes agree byte for byte and verdict for verdict,
 * and that tshark finds every output checksum valid.
 */
public final class Scenario {
    static final long T0 = 1_795_651_200_000_000_000L;
    static final NodeIdentity NODE_1 = new NodeIdentity("node-1", List.of(Ipv4.parse("192.168.49.2")));

    private final List<Object> steps = new ArrayList<>();
    private final NodeIdentity node;
    private String cluster;
    private DataplaneConfig config = DataplaneConfig.DEFAULT;

    public Scenario(String clusterYaml) {
        this(clusterYaml, NODE_1);
    }

    public Scenario(String clusterYaml, NodeIdentity node) {
        this.cluster = clusterYaml;
        this.node = node;
    }

    public Scenario config(DataplaneConfig c) {
        this.config = c;
        return this;
    }

    /** A frame at T0 + the given milliseconds. */
    public Scenario frame(long atMillis, byte[] frame) {
        steps.add(new FrameStep(atMillis, frame));
        return this;
    }

    /**
     * A frame made from what came out before it (a reply to the backend a flow got, say), built on
     * each dataplane from that dataplane's own output, so no scenario has to be run twice to learn
     * which backend was picked.
     */
    public Scenario frameFrom(long atMillis, java.util.function.Function<List<Out>, byte[]> build) {
        steps.add(new DerivedStep(atMillis, build));
        return this;
    }

    /** From here on, the cluster is this (the plan diff is applied between frames). */
    public Scenario cluster(String yaml) {
        steps.add(yaml);
        return this;
    }

    record FrameStep(long atMillis, byte[] frame) {
    }

    record DerivedStep(long atMillis, java.util.function.Function<List<Out>, byte[]> build) {
    }

    /** What one frame became. */
    public record Out(byte[] frame, PacketResult result) {
        public String verdict() {
            return result.verdict.traceName();
        }
    }

    static ClusterState state(String yaml) {
        try {
            ClusterState s = new ClusterStateBuilder(NodePortRange.DEFAULT).build(ManifestReader.parse("scenario.yaml", yaml));
            assertThat(s.problems().stream().filter(p -> p.isError()).toList()).as("scenario manifests").isEmpty();
            return s;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The dataplanes that run here: always userspace, and bpf when it can. Under CI=true bpf must
     * run, or "both dataplanes agree" would compare the twin with nothing.
     */
    static List<DataplaneKind> dataplanes() {
        List<DataplaneKind> kinds = new ArrayList<>(List.of(DataplaneKind.userspace));
        String reason = Dataplanes.bpfUnavailable();
        if (reason == null) {
            kinds.add(DataplaneKind.bpf);
        } else if (Privileges.underCi()) {
            throw new AssertionError("CI=true but the BPF dataplane is unavailable, so parity cannot be checked: " + reason);
        }
        return kinds;
    }

    List<Out> runOn(DataplaneKind kind) {
        List<Out> outs = new ArrayList<>();
        try (Dataplane dp = Dataplanes.open(kind, config, line -> { })) {
            Reconciler reconciler = new Reconciler(dp, node, line -> { });
            reconciler.onChange(state(cluster));
            for (Object step : steps) {
                if (step instanceof String yaml) {
                    reconciler.onChange(state(yaml));
                    continue;
                }
                FrameStep f = step instanceof DerivedStep d
                        ? new FrameStep(d.atMillis(), d.build().apply(List.copyOf(outs))) : (FrameStep) step;
                byte[] buf = Arrays.copyOf(f.frame(), f.frame().length + Dataplane.REPLY_ROOM);
                PacketResult r = new PacketResult();
                dp.process(buf, f.frame().length, T0 + f.atMillis() * 1_000_000L, r);
                outs.add(new Out(Arrays.copyOf(buf, r.length), r));
            }
        }
        return outs;
    }

    /**
     * Runs on every dataplane, checks they agree exactly, checks every frame that left with tshark,
     * and returns what the frames became.
     */
    public List<Out> run() throws Exception {
        List<Out> reference = null;
        DataplaneKind referenceKind = null;
        for (DataplaneKind kind : dataplanes()) {
            List<Out> outs = runOn(kind);
            if (reference == null) {
                reference = outs;
                referenceKind = kind;
                continue;
            }
            for (int i = 0; i < outs.size(); i++) {
                assertThat(outs.get(i).verdict()).as("frame %d: %s vs %s verdict", i, kind, referenceKind)
                        .isEqualTo(reference.get(i).verdict());
                assertThat(outs.get(i).frame()).as("frame %d: %s vs %s bytes", i, kind, referenceKind)
                        .isEqualTo(reference.get(i).frame());
            }
        }
        checkWithTshark(reference);
        return reference;
    }

    private void checkWithTshark(List<Out> outs) throws Exception {
        if (!Tshark.available() && !Privileges.underCi()) {
            return;
        }
        Path dir = Files.createTempDirectory("hotline-scenario");
        Path pcap = dir.resolve("out.pcap");
        int n = 0;
        try (PcapWriter w = new PcapWriter(pcap, true)) {
            for (Out o : outs) {
                if (o.frame().length > 0 && isIpv4WellFormed(o)) {
                    w.write(o.frame(), o.frame().length, o.frame().length, 1, n);
                    n++;
                }
            }
        }
        try {
            Tshark.assertChecksumsValid(pcap, n);
        } finally {
            Files.deleteIfExists(pcap);
            Files.deleteIfExists(dir);
        }
    }

    /** Malformed frames pass unchanged; their checksums are whatever the input had, so tshark checks only translated ones. */
    private static boolean isIpv4WellFormed(Out o) {
        // a BIG TCP frame (total length 0, over 64 KB) is no datagram tshark can check
        boolean bigTcp = o.frame().length > 14 + 0xffff && dev.hotline.packet.Bytes.be16(o.frame(), dev.hotline.packet.Frame.IP_TOT_LEN) == 0;
        return o.result().reason == dev.hotline.dataplane.Reason.TRANSLATED && !bigTcp;
    }
}
