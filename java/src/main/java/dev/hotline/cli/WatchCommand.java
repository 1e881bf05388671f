package dev.hotline.cli;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ManifestException;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.live.LiveInterface;
import dev.hotline.live.SharedDataplane;
import dev.hotline.live.Watch;
import dev.hotline.plan.NodeIdentity;
import dev.hotline.reconcile.Reconciler;
import dev.hotline.replay.PcapWriter;
import dev.hotline.source.ManifestSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `hotline watch`: tcpdump for Services. What the dataplane does with each frame arriving live, changing nothing. */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = {
            "Capture live traffic on the node's interfaces and print, for each IPv4 frame that arrives, what hotline's "
                + "dataplane does with it: pass, dnat, dnat+snat, reverse, reject or drop, the Service, the backend, why, "
                + "and the frame as it would leave. Nothing is sent and nothing on the node changes: the frames go through "
                + "the Java twin (the user-space dataplane, the same one `replay` runs), whose conntrack follows the flows "
                + "it sees, so a reply shows as reverse when its request was captured first.",
            "%nFrames are taken as tc ingress sees them: arriving on the interface, before any translation the node's own "
                + "dataplane makes. Watch the client's and the backend's interfaces to see both directions of a connection.",
            "%nThe manifests, or with --kube the API server's Services and EndpointSlices, are followed as the agent follows "
                + "them: a change shows from the next frame on."},
        footer = {"", "Example:  hotline watch -i veth-client -i veth-web -f examples/seed/ --node-name node-1",
            "          hotline watch -i eth0 -f cluster/ -o jsonl -c 100 --out leaving.pcap",
            "          hotline watch -i eth0 --kube --node-name \"$(hostname)\"      (the cluster's Services, from the API server)",
            "Needs libpcap at run time (apt-get install libpcap0.8) and CAP_NET_RAW.",
            "Exit codes: 0 done (count reached, or SIGINT/SIGTERM), 2 bad input or usage.%n"})
final class WatchCommand extends HotlineCommand implements Callable<Integer> {
    @Mixin
    ClusterInput input;

    @Option(names = {"-i", "--interface"}, required = true, paramLabel = "IFACE",
            description = "An interface to capture on (repeat for several).")
    List<String> interfaces;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (one readable line per frame) or jsonl (the replay trace's fields, plus \"interface\" and "
                    + "\"time\"). Default: ${DEFAULT-VALUE}.")
    String output;

    @Option(names = "--out", paramLabel = "FILE.pcap", description = "Also write the frames that would leave (Ethernet pcap).")
    Path pcapOut;

    @Option(names = {"-c", "--count"}, paramLabel = "N", defaultValue = "0",
            description = "Stop after N frames (0: until SIGINT or SIGTERM). Default: ${DEFAULT-VALUE}.")
    long count;

    @Option(names = "--ring-size", paramLabel = "BYTES", defaultValue = "4194304",
            description = "libpcap's kernel buffer per interface; frames arriving while it is full are lost and counted "
                    + "in the summary. Default: ${DEFAULT-VALUE}.")
    int ringSize;

    @Option(names = "--poll-interval", paramLabel = "DURATION", defaultValue = "250ms",
            converter = DataplaneOptions.DurationConverter.class,
            description = "How often the manifests are read for changes. Default: ${DEFAULT-VALUE}.")
    Duration pollInterval;

    @Mixin
    KubeOptions kubeOptions;

    @Mixin
    DataplaneOptions dataplaneOptions;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = err();
        Watch.Format format;
        switch (output) {
            case "text" -> format = Watch.Format.TEXT;
            case "jsonl" -> format = Watch.Format.JSONL;
            default -> {
                err.println("hotline: watch: -o " + output + ": text or jsonl");
                return 2;
            }
        }
        if (count < 0) {
            err.println("hotline: watch: --count " + count + ": 0 or more");
            return 2;
        }
        if (ringSize < 65536) {
            err.println("hotline: watch: --ring-size " + ringSize + ": at least 65536 bytes");
            return 2;
        }
        if (kubeOptions.kube == !input.files.isEmpty()) {
            err.println("hotline: watch: give either -f manifests or --kube, one of the two");
            return 2;
        }
        String kubeProblem = kubeOptions.problem();
        if (kubeProblem != null) {
            err.println("hotline: watch: " + kubeProblem);
            return 2;
        }
        DataplaneConfig config;
        ClusterState state;
        List<String> warnings = new ArrayList<>();
        NodeIdentity node;
        try {
            config = dataplaneOptions.config();
            input.checkNodeOptions();
            state = kubeOptions.kube ? ClusterState.empty() : input.load();
            node = input.nodeOfThisMachine(state, warnings);
            config = input.withNode(config, node);
        } catch (IllegalArgumentException | ManifestException | java.net.SocketException e) {
            err.println("hotline: watch: " + e.getMessage());
            return 2;
        }
        warnings.forEach(w -> err.println("warning: " + w));
        String noPcap = LiveInterface.unavailableReason();
        if (noPcap != null) {
            err.println("hotline: watch: live capture " + noPcap);
            return 2;
        }
        List<LiveInterface> open = new ArrayList<>();
        try {
            for (String name : interfaces) {
                open.add(LiveInterface.open(name, ringSize));
            }
        } catch (IOException e) {
            open.forEach(LiveInterface::close);
            err.println("hotline: watch: -i " + e.getMessage());
            return 2;
        }
        PcapWriter pcap = null;
        if (pcapOut != null) {
            try {
                pcap = new PcapWriter(pcapOut, true);
            } catch (IOException e) {
                open.forEach(LiveInterface::close);
                err.println("hotline: watch: --out " + pcapOut + ": " + Main.describe(e));
                return 2;
            }
        }
        SharedDataplane dp = new SharedDataplane(new dev.hotline.dataplane.userspace.UserspaceDataplane(config));
        Reconciler reconciler = new Reconciler(dp, node, input.nodePortRange, line -> {
            err.println("hotline: watch: " + line);
            err.flush();
        });
        java.util.function.Consumer<String> log = line -> {
            err.println("hotline: watch: " + line);
            err.flush();
        };
        dev.hotline.source.ClusterSource source = kubeOptions.kube
                ? new dev.hotline.source.KubeSource(kubeOptions.client(), input.nodePortRange, log)
                : new ManifestSource(input.files, input.nodePortRange, pollInterval, log);
        CountDownLatch first = new CountDownLatch(1);
        source.start(delta -> {
            reconciler.onDelta(delta);
            first.countDown();
        });
        if (!first.await(kubeOptions.kube ? 60 : 30, TimeUnit.SECONDS)) {
            err.println("hotline: watch: no cluster picture within " + (kubeOptions.kube ? "60 s from the API server" : "30 s")
                    + "; watching with what there is");
        }
        CountDownLatch stop = new CountDownLatch(1);
        for (String sig : List.of("TERM", "INT")) {
            sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> stop.countDown());
        }
        Watch watch = new Watch(dp, reconciler::serviceName, format, out(), pcap, count);
        err.println("hotline: watch: capturing on " + String.join(", ", interfaces) + " (IPv4 arriving; nothing is sent)");
        err.flush();
        watch.start(open);
        Thread waiter = new Thread(() -> {
            try {
                watch.await();
            } catch (InterruptedException | IOException e) {
                // the main thread reports a capture failure through await below
            }
            stop.countDown();
        }, "watch-wait");
        waiter.setDaemon(true);
        waiter.start();
        stop.await();
        int rc = 0;
        try {
            watch.throwIfFailed();
        } catch (IOException e) {
            err.println("hotline: watch: " + e.getMessage());
            rc = 2;
        }
        source.close();
        watch.close();
        dp.close();
        err.println("hotline: watch: " + watch.summary());
        err.flush();
        return rc;
    }
}
