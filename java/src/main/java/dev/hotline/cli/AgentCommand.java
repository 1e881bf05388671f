package dev.hotline.cli;

import dev.hotline.reconcile.Reconciler;
import dev.hotline.source.ClusterSource;
import dev.hotline.source.KubeSource;
import dev.hotline.agent.InterfaceWatcher;
import dev.hotline.source.ManifestSource;
import dev.hotline.bpf.BpfException;
import dev.hotline.bpf.BpfProgram;
import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ManifestException;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.select.Dataplanes;
import dev.hotline.dataplane.bpf.BpfDataplane;
import dev.hotline.dataplane.bpf.BpfSizing;
import dev.hotline.plan.NodeIdentity;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `hotline agent`: the long-running process of a node. */
@Command(name = "agent", mixinStandardHelpOptions = true,
        description = {
            "Run the node's dataplane: watch manifests or the API server, keep the BPF maps in step, stay attached at tc ingress.",
            "%nEvery change to the manifests (a file edited, added or removed) is planned, diffed against what is "
                + "loaded and applied within a second, with one log line per change. The program is attached at tc "
                + "ingress of the interfaces named by --attach (names or globs such as veth*), and of new matching "
                + "interfaces as they appear. Maps are pinned under --pin-dir: a restarted agent picks up the same "
                + "Services and conntrack, so established connections survive. SIGTERM detaches our filters and exits; "
                + "the maps and the socket-level links stay pinned. --cleanup removes filters, links, pins and the "
                + "nftables table."},
        footer = {"", "Examples:  hotline agent -f /etc/hotline/manifests/ --attach 'veth*' --attach eth0 --node-name node-1",
            "           hotline agent --kube --attach 'veth*' --attach eth0     (in a DaemonSet: NODE_NAME from spec.nodeName)",
            "Exit codes: 0 stopped cleanly, 2 cannot start (one line says why).%n"})
final class AgentCommand extends HotlineCommand implements Callable<Integer> {
    @Mixin
    ClusterInput input;

    @Mixin
    DataplaneOptions dataplaneOptions;

    @Option(names = "--attach", paramLabel = "PATTERN",
            description = "Interface name or glob to attach at tc ingress (repeatable), e.g. 'veth*', eth0.")
    List<String> attach = new ArrayList<>();

    @Option(names = "--pin-dir", paramLabel = "DIR", defaultValue = "/sys/fs/bpf/hotline",
            description = "Where maps are pinned and reused from. Default: ${DEFAULT-VALUE}.")
    String pinDir;

    @Option(names = "--dataplane", paramLabel = "KIND", defaultValue = "bpf",
            description = "bpf (the program at tc ingress), userspace (for nodes where BPF cannot load: frames captured "
                    + "with libpcap, translated by the Java dataplane, handed back to the kernel through a raw socket; "
                    + "hotline's nftables table netdev hotline drops the kernel's copy of exactly those), or auto (bpf when "
                    + "the program can load here, else userspace; the log says which and why). Default: ${DEFAULT-VALUE}.")
    String dataplane;

    @Option(names = "--ring-size", paramLabel = "BYTES", defaultValue = "4194304",
            description = "userspace: libpcap's kernel buffer per interface; frames arriving while it is full are lost "
                    + "(and retransmitted by TCP). Default: ${DEFAULT-VALUE}.")
    int ringSize;

    @Option(names = "--conntrack-file", paramLabel = "FILE", defaultValue = "/run/hotline/userspace-conntrack",
            description = "userspace: where conntrack is saved when the agent stops and read back when it starts, so "
                    + "connections through a Service survive a restart (the BPF dataplane keeps conntrack in its pinned "
                    + "maps). none: not kept. Default: ${DEFAULT-VALUE}.")
    String conntrackFile;

    @Mixin
    KubeOptions kubeOptions;

    @Option(names = "--cleanup", description = "Detach hotline's filter from every interface and remove the pinned maps, then exit.")
    boolean cleanup;

    @Option(names = "--poll-interval", paramLabel = "DURATION", defaultValue = "250ms",
            converter = DataplaneOptions.DurationConverter.class,
            description = "How often manifests are checked for changes. Default: ${DEFAULT-VALUE}.")
    Duration pollInterval;

    @Option(names = "--rescan-interval", paramLabel = "DURATION", defaultValue = "1s",
            converter = DataplaneOptions.DurationConverter.class,
            description = "How often interfaces are rescanned for new matches. Default: ${DEFAULT-VALUE}.")
    Duration rescanInterval;

    @Option(names = "--resync-interval", paramLabel = "DURATION", defaultValue = "1h",
            converter = DataplaneOptions.DurationConverter.class,
            description = "How often the whole cluster is planned again from scratch and compared with what changes "
                    + "planned one at a time left in the maps; any difference is repaired, logged and counted "
                    + "(hotline_resync_repairs_total). Default: ${DEFAULT-VALUE}.")
    Duration resyncInterval;

    @Option(names = "--conntrack-sweep-interval", paramLabel = "DURATION", defaultValue = "10s",
            converter = DataplaneOptions.DurationConverter.class,
            description = "How often expired flows are swept from conntrack. Conntrack never evicts a live flow: when it is "
                    + "full, new flows are refused (counted) until a sweep makes room. Default: ${DEFAULT-VALUE}.")
    Duration sweepInterval;

    @Option(names = "--cgroup", paramLabel = "DIR|none",
            description = "The cgroup v2 directory whose processes get socket-level load balancing (connect, sendmsg, "
                    + "recvmsg and getpeername translated): the clients of the node's own network namespace (kubelet, "
                    + "hostNetwork pods, this agent), whose packets never cross a pod's tc ingress. Default: the root of "
                    + "the cgroup v2 hierarchy (every process of the node). none: no socket-level programs.")
    String cgroup;

    @Option(names = "--redirect", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Deliver translated frames straight to their next hop from tc (bpf_fib_lookup, then "
                    + "bpf_redirect_peer into a local pod, bpf_redirect_neigh or bpf_redirect out), bypassing the host "
                    + "stack and its netfilter both ways. --no-redirect leaves every translated frame to the stack. "
                    + "Default: on.")
    boolean redirect;

    @Option(names = "--notrack-mark", paramLabel = "MARK", defaultValue = "0x2000",
            description = "The skb mark bit(s) given to translated frames left to the host stack; hotline's own nftables "
                    + "table (ip hotline) clears it and exempts those frames from netfilter conntrack, which would see "
                    + "two unrelated halves (INVALID) otherwise. 0: no mark, no table. Default: ${DEFAULT-VALUE}.")
    String notrackMark;

    @Option(names = "--health-address", paramLabel = "HOST:PORT|none", defaultValue = "0.0.0.0:10256",
            description = "Where /healthz and /livez are served, as kube-proxy's health server: /healthz is 503 until the "
                    + "first cluster picture is applied and 200 after, naming any Service not served as planned. "
                    + "none: not served. Default: ${DEFAULT-VALUE}.")
    String healthAddress;

    @Option(names = "--metrics-address", paramLabel = "HOST:PORT|none", defaultValue = "0.0.0.0:10249",
            description = "Where Prometheus metrics are served (/metrics), as kube-proxy's: kube-proxy's names for sync "
                    + "durations and change counts, hotline's for frames by verdict, reason and Service, conntrack, map "
                    + "fill. none: not served. Default: ${DEFAULT-VALUE}.")
    String metricsAddress;

    /** How long a stopped user-space agent's rules wait for its successor (a restart here takes 2-4 s). */
    static final int USERSPACE_RESTART_GRACE_SECONDS = 15;

    private PrintWriter out;

    private void log(String line) {
        synchronized (this) {
            out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " hotline agent: " + line);
            out.flush();
        }
    }

    @Override
    public Integer call() throws Exception {
        out = out();
        PrintWriter err = err();
        if (!List.of("bpf", "userspace", "auto").contains(dataplane)) {
            err.println("hotline: agent: --dataplane " + dataplane + ": bpf, userspace or auto");
            return 2;
        }
        if (ringSize < 65536) {
            err.println("hotline: agent: --ring-size " + ringSize + ": at least 65536 bytes");
            return 2;
        }
        // what the user typed is checked before anything about this machine
        if (!cleanup && kubeOptions.kube == !input.files.isEmpty()) {
            err.println("hotline: agent: give either -f manifests or --kube, one of the two");
            return 2;
        }
        DataplaneConfig config;
        try {
            config = dataplaneOptions.config();
            input.checkNodeOptions();
        } catch (IllegalArgumentException e) {
            err.println("hotline: agent: " + e.getMessage());
            return 2;
        }
        String ports = dev.hotline.agent.EphemeralPorts.conflict(config.snatPortMin(), config.snatPortMax());
        if (ports != null && !cleanup) {
            err.println("hotline: agent: " + ports);
            return 2;
        }
        String kubeProblem = kubeOptions.problem();
        if (kubeProblem != null) {
            err.println("hotline: agent: " + kubeProblem);
            return 2;
        }
        int mark;
        try {
            mark = parseMark(notrackMark);
        } catch (IllegalArgumentException e) {
            err.println("hotline: agent: --notrack-mark " + notrackMark + ": " + e.getMessage());
            return 2;
        }
        String[] health;
        String[] metricsAt;
        try {
            health = hostPort("--health-address", healthAddress, "0.0.0.0:10256");
            metricsAt = hostPort("--metrics-address", metricsAddress, "0.0.0.0:10249");
        } catch (IllegalArgumentException e) {
            err.println("hotline: agent: " + e.getMessage());
            return 2;
        }
        Path cgroupDir = null;
        if (cgroup != null && !cgroup.equals("none")) {
            String why = dev.hotline.agent.CgroupPath.problemWith(Path.of(cgroup));
            if (why != null) {
                err.println("hotline: agent: --cgroup " + cgroup + ": " + why);
                return 2;
            }
            cgroupDir = Path.of(cgroup);
        } else if (cgroup == null) {
            cgroupDir = dev.hotline.agent.CgroupPath.defaultRoot();
        }
        if (attach.isEmpty() && !cleanup) {
            err.println("hotline: agent: warning: no --attach: the maps are kept up to date, but no interface is served "
                    + "(give --attach 'veth*' --attach eth0, say)");
            err.flush();
        }
        // SIGTERM and SIGINT stop the agent in order and exit 0, in every state from here on (also
        // while the program loads or the API server is not reachable yet)
        CountDownLatch stopRequested = new CountDownLatch(1);
        for (String sig : List.of("TERM", "INT")) {
            sun.misc.Signal.handle(new sun.misc.Signal(sig), s -> stopRequested.countDown());
        }
        String reason = Dataplanes.bpfUnavailable();
        boolean userspace = dataplane.equals("userspace") || (dataplane.equals("auto") && reason != null);
        if (dataplane.equals("auto")) {
            log("--dataplane auto: " + (userspace ? "the user-space dataplane, as the BPF one cannot run here: " + reason
                    : "the BPF dataplane (the program loads here)"));
        }
        if (reason != null && !userspace && !cleanup) {
            err.println("hotline: agent: " + reason);
            return 2;
        }
        String noPcap = userspace && !cleanup ? dev.hotline.live.LiveInterface.unavailableReason() : null;
        if (noPcap != null) {
            err.println("hotline: agent: --dataplane " + dataplane + ": the user-space dataplane " + noPcap
                    + (reason != null && dataplane.equals("auto") ? "; and the BPF one cannot run either: " + reason : ""));
            return 2;
        }
        if (cleanup && reason != null) {
            String why = dev.hotline.live.LiveDataplane.removeTable();
            dev.hotline.agent.StackNotrack.remove(this::log);
            log("cleanup: removed the nftables tables netdev " + dev.hotline.live.TakeOver.TABLE + " and ip "
                    + dev.hotline.agent.StackNotrack.TABLE + (why == null ? "" : " (" + why + ")") + "; no BPF here (" + reason + ")");
            return 0;
        }
        if (cleanup) {
            int n = 0;
            for (String ifname : InterfaceWatcher.interfaces()) {
                if (BpfProgram.detach(null, ifname)) {
                    n++;
                }
            }
            int links = BpfDataplane.detachSockets(pinDir);
            BpfProgram.unpin(pinDir);
            dev.hotline.agent.StackNotrack.remove(this::log);
            dev.hotline.live.LiveDataplane.removeTable();
            log("cleanup: detached from " + n + " interface(s)" + (links > 0 ? " and the socket-level programs" : "")
                    + ", removed the pins under " + pinDir + " and the nftables table ip " + dev.hotline.agent.StackNotrack.TABLE);
            return 0;
        }
        String bpffs = userspace ? null : BpfFilesystem.problemWith(pinDir);
        if (bpffs != null) {
            err.println("hotline: agent: --pin-dir " + pinDir + ": " + bpffs);
            return 2;
        }
        ClusterState first = ClusterState.empty();
        if (!kubeOptions.kube) {
            try {
                first = input.load();
            } catch (ManifestException e) {
                err.println("hotline: " + e.getMessage());
                return 2;
            }
        }
        List<String> warnings = new ArrayList<>();
        NodeIdentity node;
        try {
            node = input.nodeOfThisMachine(first, warnings);
        } catch (ManifestException e) {
            err.println("hotline: agent: " + e.getMessage());
            return 2;
        }
        warnings.forEach(w -> log("warning: " + w));
        try {
            config = input.withNode(config, node);
        } catch (IllegalArgumentException e) {
            err.println("hotline: agent: " + e.getMessage());
            return 2;
        }
        BpfDataplane kernel = null;
        Dataplane dp;
        if (userspace) {
            try {
                dp = new dev.hotline.live.LiveDataplane(config, mark, ringSize,
                        conntrackFile.equals("none") ? null : Path.of(conntrackFile), this::log);
            } catch (java.io.IOException e) {
                err.println("hotline: agent: --dataplane " + dataplane + ": " + e.getMessage());
                return 2;
            }
        } else {
            try {
                kernel = new BpfDataplane(config, BpfSizing.DEFAULT, false, pinDir);
            } catch (BpfException e) {
                err.println("hotline: agent: loading the program with maps pinned at " + pinDir + ": " + e.getMessage());
                return 2;
            }
            if (!kernel.recreatedPins().isEmpty()) {
                log("the maps pinned at " + pinDir + " could not be reused, so all were made anew (conntrack starts empty: "
                        + "connections through hotline are balanced again): " + String.join("; ", kernel.recreatedPins()));
            }
            kernel.onEvent(this::log);
            dp = kernel;
        }
        Reconciler agent = new Reconciler(dp, node, input.nodePortRange, this::log);
        agent.adopt();
        dev.hotline.agent.HealthServer healthServer = null;
        if (health != null) {
            try {
                healthServer = dev.hotline.agent.HealthServer.start(health[0], Integer.parseInt(health[1]), agent::status);
            } catch (java.io.IOException e) {
                err.println("hotline: agent: --health-address " + healthAddress + ": cannot listen: " + e.getMessage());
                dp.close();
                return 2;
            }
        }
        final dev.hotline.agent.HealthServer healthz = healthServer;
        dev.hotline.agent.AgentMetrics metrics = new dev.hotline.agent.AgentMetrics(agent, dp, agent::serviceName);
        agent.onApplied((seconds, services, endpoints, failed) -> metrics.applied(seconds, services, endpoints, failed));
        // kube-proxy's healthCheckNodePort servers, on every address as NodePorts are
        dev.hotline.agent.ServiceHealthServers serviceHealth = new dev.hotline.agent.ServiceHealthServers("0.0.0.0",
                () -> agent.status().applied(), this::log);
        agent.onChange(serviceHealth::applied);
        if (metricsAt != null) {
            try {
                metrics.serve(metricsAt[0], Integer.parseInt(metricsAt[1]));
            } catch (java.io.IOException e) {
                err.println("hotline: agent: --metrics-address " + metricsAddress + ": cannot listen: " + e.getMessage());
                if (healthz != null) {
                    healthz.close();
                }
                dp.close();
                return 2;
            }
        }
        io.fabric8.kubernetes.client.KubernetesClient client = kubeOptions.kube ? kubeOptions.client() : null;
        ClusterSource source = kubeOptions.kube ? new KubeSource(client, input.nodePortRange, this::log)
                : new ManifestSource(input.files, input.nodePortRange, pollInterval, this::log);
        InterfaceWatcher interfaces = new InterfaceWatcher(dp.attachment(), attach, this::log);
        java.util.concurrent.ScheduledExecutorService sweeper = dev.hotline.source.Daemons.thread("conntrack-sweep");
        CountDownLatch firstApplied = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean notrackInstalled = new java.util.concurrent.atomic.AtomicBoolean();
        Runnable stop = () -> {
            if (!stopped.compareAndSet(false, true)) {
                return;
            }
            source.close();
            dev.hotline.source.Daemons.stop(sweeper);
            if (healthz != null) {
                healthz.close();
            }
            metrics.close();
            serviceHealth.close();
            if (dp instanceof dev.hotline.live.LiveDataplane live) {
                live.handOver(USERSPACE_RESTART_GRACE_SECONDS);
            }
            interfaces.close();
            int n = interfaces.detachAll();
            synchronized (agent) {
                dp.close();
            }
            if (notrackInstalled.get()) {
                dev.hotline.agent.StackNotrack.remove(this::log);
            }
            // the socket-level links stay: without kube-proxy, the next agent reaches the API server
            // through the kubernetes Service they translate (--cleanup removes them)
            log(userspace ? "stopping: detached from " + n + " interface(s); conntrack saved for the next agent, the nftables "
                    + "table netdev " + dev.hotline.live.TakeOver.TABLE + " kept in force for " + USERSPACE_RESTART_GRACE_SECONDS
                    + " s for it to take over (then every frame is the kernel's; --cleanup removes the table)"
                    : "stopping: detached from " + n + " interface(s); maps and socket-level links stay pinned at " + pinDir);
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stop, "hotline-shutdown"));
        if (stopRequested.getCount() == 0) { // asked to stop while loading
            log("stopping before the first cluster picture arrived");
            stop.run();
            return 0;
        }
        if (client != null) {
            log("waiting for the first cluster picture from the API server at " + client.getMasterUrl());
        }
        source.start(delta -> {
            try {
                agent.onDelta(delta);
            } catch (RuntimeException e) {
                log("applying the change failed: " + e.getMessage());
            }
            firstApplied.countDown();
        });
        // a signal before the first picture (an API server not reachable yet) stops the agent too
        while (!firstApplied.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            if (stopRequested.getCount() == 0) {
                log("stopping before the first cluster picture arrived");
                stop.run();
                return 0;
            }
        }
        // translated frames left to the stack are exempt from netfilter conntrack by hotline's own rule
        int effectiveMark = 0;
        if (mark == 0) {
            dev.hotline.agent.StackNotrack.remove(this::log); // one a previous run left (SIGKILL)
        } else {
            String why = dev.hotline.agent.StackNotrack.install(mark, userspace);
            if (why == null) {
                notrackInstalled.set(true);
                effectiveMark = mark;
            } else {
                log("warning: cannot install the notrack rule (" + why + "): translated frames the program leaves to the "
                        + "host stack are tracked by netfilter, and a --ctstate INVALID drop rule would break them");
            }
        }
        if (kernel != null) {
            kernel.livePath(redirect, effectiveMark, dev.hotline.bpf.BpfProgram.netnsCookie());
        }
        log(userspace ? "translated frames: handed back to the kernel through a raw socket, which routes them"
                + (effectiveMark != 0 ? String.format(" (marked 0x%x and untracked by nftables table ip %s)", effectiveMark,
                dev.hotline.agent.StackNotrack.TABLE) : "") : "translated frames: " + (redirect ? "redirected to their next hop from tc, the stack when it cannot be resolved"
                : "left to the host stack (--no-redirect)") + (effectiveMark != 0 ? String.format(
                ", those in the stack marked 0x%x and untracked (nftables table ip %s)", effectiveMark,
                dev.hotline.agent.StackNotrack.TABLE) : ""));
        interfaces.scan();
        interfaces.start(rescanInterval.toMillis());
        if (kernel == null) {
            log("clients in the node's own network namespace are not served by the user-space dataplane (their packets "
                    + "never arrive on an interface it captures)");
        } else if (cgroupDir != null) {
            try {
                int made = kernel.attachSockets(cgroupDir.toString(), pinDir);
                log("socket-level load balancing on cgroup " + cgroupDir + " (connect, sendmsg, recvmsg, getpeername; IPv4 and v4-mapped; "
                        + (made == 0 ? "taken over from the pinned links" : made + " link(s) made") + ")");
            } catch (BpfException e) {
                log("cannot attach the socket-level programs to cgroup " + cgroupDir + ": " + e.getMessage()
                        + " (clients in the node's own network namespace are not served)");
            }
        } else {
            int gone = BpfDataplane.detachSockets(pinDir);
            log(cgroup == null ? "warning: no cgroup v2 hierarchy is mounted: clients in the node's own network namespace "
                    + "are not served (mount cgroup2, or give --cgroup)" : "no socket-level load balancing (--cgroup none)"
                    + (gone > 0 ? "; detached the programs a previous run left" : ""));
        }
        // the program's clock is CLOCK_MONOTONIC (bpf_ktime_get_ns), which System.nanoTime reads on Linux
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                metrics.swept(agent.sweepConntrack(System.nanoTime()));
            } catch (RuntimeException e) {
                log("conntrack sweep failed: " + e.getMessage());
            }
        }, sweepInterval.toMillis(), sweepInterval.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                agent.resync();
            } catch (RuntimeException e) {
                log("resync failed: " + e.getMessage());
            }
        }, resyncInterval.toMillis(), resyncInterval.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        // Services that could not be applied are tried again until they are
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                agent.retry();
            } catch (RuntimeException e) {
                log("retrying the Services not served failed: " + e.getMessage());
            }
        }, 5, 5, java.util.concurrent.TimeUnit.SECONDS);
        dev.hotline.reconcile.Reconciler.Status st = agent.status();
        log("ready: node " + node.name() + " " + node.addresses() + ", attached to " + interfaces.attached()
                + (kernel == null ? ", user-space dataplane" : ", maps pinned at " + pinDir) + (st.notServed().isEmpty() ? "" : "; not served yet: " + String.join(", ", st.notServed()))
                + (healthz != null ? "; health at " + health[0] + ":" + healthz.port() + "/healthz" : "")
                + (metricsAt != null ? "; metrics at " + metricsAt[0] + ":" + metrics.port() + "/metrics" : ""));
        stopRequested.await();
        stop.run();
        return 0;
    }

    /** {host, port} of "HOST:PORT", null for "none"; a bad value says which option and what it should look like. */
    static String[] hostPort(String option, String value, String example) {
        if (value.equals("none")) {
            return null;
        }
        int colon = value.lastIndexOf(':');
        boolean ok = colon > 0;
        if (ok) {
            try {
                int port = Integer.parseInt(value.substring(colon + 1));
                ok = port >= 0 && port <= 65535;
            } catch (NumberFormatException e) {
                ok = false;
            }
        }
        if (!ok) {
            throw new IllegalArgumentException(option + " " + value + ": not HOST:PORT like " + example + " (or none)");
        }
        return new String[] {value.substring(0, colon), value.substring(colon + 1)};
    }

    /** "0x2000", "8192" or "0": a 32-bit mark mask. */
    static int parseMark(String text) {
        String t = text.trim().toLowerCase(java.util.Locale.ROOT);
        long v;
        try {
            v = t.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a mark like 0x2000 (or 0 for none)");
        }
        if (v < 0 || v > 0xffffffffL) {
            throw new IllegalArgumentException("a mark is 32 bits (0 to 0xffffffff)");
        }
        return (int) v;
    }

}
