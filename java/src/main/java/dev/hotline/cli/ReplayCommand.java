package dev.hotline.cli;

import dev.hotline.bpf.BpfUnavailableException;
import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ManifestException;
import dev.hotline.cluster.Problem;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.DataplaneKind;
import dev.hotline.plan.NodeIdentity;
import dev.hotline.plan.Plan;
import dev.hotline.plan.Planner;
import dev.hotline.replay.Replay;
import dev.hotline.replay.ReplayInputException;
import dev.hotline.replay.ReplaySummary;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `hotline replay`: a capture through a dataplane, frame by frame, as if each arrived at tc ingress on the node. */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {
            "Replay a capture through the dataplane, as if each frame arrived at tc ingress on the node.",
            "%nOUT gets, in input order and with the input timestamps, every frame the dataplane lets go: rewritten "
                + "(DNAT, SNAT, reverse translation) or unchanged, or the generated reply for a reject (TCP RST, ICMP port "
                + "unreachable). Dropped frames are absent. The capture's timestamps drive conntrack, so a capture of an "
                + "hour ages flows as that hour did. --trace writes one JSON object per input frame: "
                + "{\"index\":N,\"verdict\":V,\"service\":S,\"backend\":B} with V one of pass, dnat, dnat+snat, reverse, "
                + "reject, drop; S the Service as \"namespace/name:portName\" (\"namespace/name:\" for an unnamed port) "
                + "or null; B the backend as \"ip:port\" or null. More keys follow: \"reason\" when the frame passed or was "
                + "dropped (no_service, truncated, fragment, conntrack_full, ...), and \"length\", the bytes of the frame "
                + "that left (0 when dropped). Reads pcap and pcapng (Ethernet); writes pcap."},
        footer = {"", "Example:  hotline replay -f examples/seed/ --node-name node-1 --in in.pcap --out out.pcap --trace trace.jsonl",
            "Exit codes: 0 done, 2 bad input (one line says what).%n"})
final class ReplayCommand extends HotlineCommand implements Callable<Integer> {
    @Mixin
    ClusterInput input;

    @Option(names = "--in", required = true, paramLabel = "IN.pcap",
            description = "The capture to replay: pcap or pcapng (several interfaces and link types welcome); Ethernet "
                    + "(VLAN-tagged too), Linux cooked SLL and SLL2 (tcpdump -i any), raw IP. Frames of other link types "
                    + "are written as captured and counted. A file cut short in its last record is replayed up to it.")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "OUT.pcap",
            description = "Where the frames that leave are written, each in its own link type and encapsulation.")
    Path out;

    @Option(names = "--filter", paramLabel = "EXPR",
            description = "Replay only the frames this tcpdump filter expression matches (e.g. 'host 10.1.1.10 and port 80'); "
                    + "the others are written as captured and traced as pass, reason filtered. Needs libpcap.")
    String filter;

    @Option(names = "--out-format", paramLabel = "FORMAT", defaultValue = "same",
            description = "same (pcapng for a pcapng input, with its interfaces; else pcap), pcap or pcapng. "
                    + "Default: ${DEFAULT-VALUE}.")
    String outFormat;

    @Option(names = "--trace", paramLabel = "TRACE.jsonl", description = "Also write one JSON line per input frame.")
    Path trace;

    @Option(names = "--dataplane", paramLabel = "KIND", defaultValue = "auto",
            description = "auto (BPF when usable, else userspace), bpf, or userspace. Default: ${DEFAULT-VALUE}.")
    DataplaneKind dataplane;

    @Mixin
    DataplaneOptions dataplaneOptions;

    @Override
    public Integer call() {
        java.io.PrintWriter err = err();
        Replay.OutputFormat format;
        switch (outFormat) {
            case "same" -> format = Replay.OutputFormat.SAME;
            case "pcap" -> format = Replay.OutputFormat.PCAP;
            case "pcapng" -> format = Replay.OutputFormat.PCAPNG;
            default -> {
                err.println("hotline: --out-format " + outFormat + ": same, pcap or pcapng");
                return 2;
            }
        }
        Map<String, Path> outputs = new LinkedHashMap<>();
        outputs.put("--out", out);
        outputs.put("--trace", trace);
        String clash = OutputPaths.clash(outputs, Map.of("--in", List.of(in), "-f", input.files));
        if (clash != null) {
            err.println("hotline: " + clash);
            return 2;
        }
        DataplaneConfig config;
        try {
            config = dataplaneOptions.config();
        } catch (IllegalArgumentException e) {
            err.println("hotline: " + e.getMessage());
            return 2;
        }
        ClusterState state;
        try {
            state = input.load();
        } catch (ManifestException e) {
            err.println("hotline: " + e.getMessage());
            return 2;
        }
        for (Problem p : state.problems()) {
            err.println((p.isError() ? "error: " : "warning: ") + p);
        }
        List<String> warnings = new ArrayList<>();
        NodeIdentity node;
        try {
            node = input.node(state, warnings);
        } catch (ManifestException e) {
            err.println("hotline: " + e.getMessage());
            return 2;
        }
        warnings.forEach(w -> err.println("warning: " + w));
        try {
            config = input.withNode(config, node);
        } catch (IllegalArgumentException e) {
            err.println("hotline: " + e.getMessage());
            return 2;
        }
        Plan plan = Planner.plan(state, node, Plan.EMPTY);
        plan.problems().forEach(p -> err.println("warning: " + p));
        boolean tty = System.console() != null;
        try (Dataplane dp = openDataplane(dataplane, config)) {
            ReplaySummary summary = Replay.run(plan, dp, in, out, trace, format, filter, n -> {
                if (tty) {
                    System.err.print("\rhotline: " + n + " frames replayed");
                    System.err.flush();
                }
            });
            if (tty) {
                System.err.print("\r");
            }
            out().print(summary.render());
            if (summary.cutShort() != null) {
                err.println("warning: " + summary.cutShort());
            }
            return 0;
        } catch (BpfUnavailableException e) {
            err.println("hotline: --dataplane bpf: " + e.getMessage());
            return 2;
        } catch (ReplayInputException e) {
            err.println("hotline: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("hotline: " + Main.describe(e));
            return 2;
        }
    }
}
