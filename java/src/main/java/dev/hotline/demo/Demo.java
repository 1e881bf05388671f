package dev.hotline.demo;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ClusterStateBuilder;
import dev.hotline.cluster.ManifestException;
import dev.hotline.source.ManifestReader;
import dev.hotline.cluster.NodePortRange;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Verdict;
import dev.hotline.net.Ipv4;
import dev.hotline.packet.Bytes;
import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import dev.hotline.packet.FrameSummary;
import dev.hotline.plan.Backend;
import dev.hotline.plan.MapOp;
import dev.hotline.plan.NodeIdentity;
import dev.hotline.plan.Plan;
import dev.hotline.plan.ServiceBackend;
import dev.hotline.plan.ServicePlan;
import dev.hotline.reconcile.Reconciler;
import dev.hotline.replay.AtomicFile;
import dev.hotline.replay.PcapWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The seed's "Concrete Trace" told with real frames through a real dataplane: curl from
 * frontend-pod to my-api-service, the SYN DNATed to a pod and the reply translated back; more
 * connections spread over both pods; a pod goes on break and is replaced while the hotline keeps
 * working; then the same Service reached through a NodePort from outside the cluster.
 */
public final class Demo {
    static final String CLIENT = "10.1.1.10";
    static final String CLUSTER_IP = "10.96.100.200";
    static final String EXTERNAL_CLIENT = "203.0.113.50";
    static final int NODE_PORT = 30080;
    static final long START_SECONDS = 1_795_651_200L; // 2026-11-26T00:00:00Z

    private final Dataplane dataplane;
    private final PrintWriter out;
    private final AtomicFile inFile;
    private final AtomicFile outFile;
    private final PcapWriter inPcap;
    private final PcapWriter outPcap;
    private final PacketResult result = new PacketResult();
    private final NodeIdentity node;
    private Plan plan = Plan.EMPTY;
    private Reconciler reconciler;
    private long frames;
    private int nextClientPort = 40000;

    private Demo(Dataplane dataplane, PrintWriter out, Path pcapDir, NodeIdentity node) throws IOException {
        this.dataplane = dataplane;
        this.out = out;
        this.node = node;
        if (pcapDir != null) {
            Files.createDirectories(pcapDir);
            inFile = AtomicFile.create(pcapDir.resolve("demo-in.pcap"));
            outFile = AtomicFile.create(pcapDir.resolve("demo-out.pcap"));
            inPcap = new PcapWriter(inFile.temp(), false);
            outPcap = new PcapWriter(outFile.temp(), false);
        } else {
            inFile = null;
            outFile = null;
            inPcap = null;
            outPcap = null;
        }
    }

    /** The seed's cluster, as shipped in examples/seed/cluster.yaml. */
    static String seedManifest() {
        try (InputStream in = Demo.class.getResourceAsStream("/demo/cluster.yaml")) {
            if (in == null) {
                throw new IllegalStateException("the demo's cluster manifest is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ClusterState cluster(String yaml) {
        try {
            return new ClusterStateBuilder(NodePortRange.DEFAULT).build(ManifestReader.parse("demo cluster", yaml));
        } catch (ManifestException e) {
            throw new IllegalStateException(e.getMessage());
        }
    }

    /** Runs the whole story; returns the number of frames that behaved other than the story expects (0 when all is well). */
    public static int run(Dataplane dataplane, PrintWriter out, Path pcapDir) throws IOException {
        String seed = seedManifest();
        ClusterState first = cluster(seed);
        NodeIdentity node = new NodeIdentity("node-1", List.of(Ipv4.parse("192.168.49.2")));
        Demo d = new Demo(dataplane, out, pcapDir, node);
        if (d.inPcap == null) {
            return d.story(seed, first);
        }
        // the capture files appear only once the whole story is written
        try (AtomicFile in = d.inFile; AtomicFile outFile = d.outFile) {
            int surprises;
            try (PcapWriter a = d.inPcap; PcapWriter b = d.outPcap) {
                surprises = d.story(seed, first);
            }
            in.commit();
            outFile.commit();
            out.println();
            out.println("frames written to " + pcapDir.resolve("demo-in.pcap") + " and " + pcapDir.resolve("demo-out.pcap")
                    + " (open them in Wireshark)");
            return surprises;
        }
    }

    private int story(String seed, ClusterState first) throws IOException {
        int surprises = 0;
        out.println("hotline demo: the seed's Concrete Trace, with real frames through the " + dataplane.name() + " dataplane");
        out.println();
        load(first);
        out.println("The cluster (examples/seed/cluster.yaml): Service my-api-service, ClusterIP " + CLUSTER_IP
                + ", selector app=my-api, port 80 -> targetPort http (8080)");
        printBackends();
        out.println();

        out.println("1. From frontend-pod (" + CLIENT + "): curl http://my-api-service/data");
        out.println("   DNS answers my-api-service.default.svc.cluster.local = " + CLUSTER_IP + "; the pod sends to the ClusterIP.");
        Connection c1 = connect(CLIENT, CLUSTER_IP, 80, true);
        surprises += c1.ok ? 0 : 1;
        surprises += exchange(c1, "GET /data HTTP/1.1\r\nHost: my-api-service\r\n\r\n", "HTTP/1.1 200 OK\r\n\r\n{\"data\":42}", true);
        out.println("   frontend-pod only ever saw " + CLUSTER_IP + ":80; the pod it reached was " + c1.podName + ".");
        out.println();

        out.println("2. More connections: Maglev spreads new flows over both pods by a hash of each flow");
        List<Connection> open = new ArrayList<>();
        open.add(c1);
        for (int i = 0; i < 8; i++) {
            Connection c = connect(CLIENT, CLUSTER_IP, 80, false);
            surprises += c.ok ? 0 : 1;
            open.add(c);
        }
        out.println("   " + tally(open));
        out.println();

        out.println("3. pod-2 goes on break and is replaced by pod-3 (10.1.1.7, on node-2): a new plan is applied");
        String replaced = seed.replace("name: pod-2", "name: pod-3").replace("10.1.1.6", "10.1.1.7");
        load(cluster(replaced));
        printBackends();
        Connection stay = open.stream().filter(c -> c.podName.equals("pod-1")).findFirst().orElse(null);
        Connection moved = open.stream().filter(c -> c.podName.equals("pod-2")).findFirst().orElse(null);
        if (stay != null) {
            out.println("   An open connection to pod-1 keeps its backend:");
            surprises += expect(stay.send("more data"), Verdict.DNAT, "pod-1");
        }
        if (moved != null) {
            out.println("   An open connection to pod-2 finds its backend gone and is rebalanced (the client sees a reset or a retry):");
            String pod = podOf(moved.send("more data"));
            out.println("      now with " + pod);
            surprises += pod.equals("pod-2") ? 1 : 0;
        }
        out.println("   New connections spread over the new set:");
        List<Connection> fresh = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Connection c = connect(CLIENT, CLUSTER_IP, 80, false);
            surprises += c.ok && !c.podName.equals("pod-2") ? 0 : 1;
            fresh.add(c);
        }
        out.println("   " + tally(fresh));
        out.println();

        out.println("4. The same Service as a NodePort (kubectl patch svc my-api-service -p '{\"spec\":{\"type\":\"NodePort\"}}'), "
                + "reached from outside at node-1 " + node.addresses().get(0) + ":" + NODE_PORT);
        String nodePort = replaced.replace("  type: ClusterIP\n", "  type: NodePort\n")
                .replace("    targetPort: http\n", "    targetPort: http\n    nodePort: " + NODE_PORT + "\n");
        load(cluster(nodePort));
        boolean sawLocal = false;
        boolean sawRemote = false;
        for (int i = 0; i < 12 && !(sawLocal && sawRemote); i++) {
            Connection c = connect(EXTERNAL_CLIENT, node.addresses().get(0).toString(), NODE_PORT, !(c1 == null));
            surprises += c.ok ? 0 : 1;
            boolean local = c.podName.equals("pod-1");
            if ((local && sawLocal) || (!local && sawRemote)) {
                continue;
            }
            out.println(local
                    ? "   -> pod-1 runs on this node: DNAT only, the pod sees the client's own address " + EXTERNAL_CLIENT
                    : "   -> " + c.podName + " runs on node-2: DNAT plus SNAT to the node address, so its reply comes back through here");
            sawLocal |= local;
            sawRemote |= !local;
        }
        out.println();
        out.println(surprises == 0 ? "The hotline kept working through every change." : surprises + " frame(s) did not behave as the story expects.");
        return surprises;
    }

    private void load(ClusterState state) {
        if (reconciler == null) {
            reconciler = new Reconciler(dataplane, node, line -> { });
            reconciler.onChange(c -> {
                if (plan != Plan.EMPTY) {
                    out.println("   applied " + c.ops().size() + " map update(s): " + describe(c.ops(), c.before(), c.after()));
                }
            });
        }
        reconciler.onChange(state);
        plan = reconciler.loaded();
    }

    private static String describe(List<MapOp> ops, Plan before, Plan after) {
        List<String> parts = new ArrayList<>();
        int slots = 0;
        for (MapOp op : ops) {
            if (op instanceof MapOp.UpsertBackend u && !before.backends().containsKey(u.backend().id())) {
                parts.add("+backend " + u.backend().key().address() + ":" + u.backend().key().port() + " (" + u.backend().podName() + ")");
            } else if (op instanceof MapOp.DeleteBackend d) {
                Backend b = before.backends().get(d.backendId());
                parts.add("-backend " + b.key().address() + ":" + b.key().port() + " (" + b.podName() + ")");
            } else if (op instanceof MapOp.UpsertMaglevSlots u) {
                slots += u.count();
            } else if (op instanceof MapOp.UpsertService u && u.frontend().kind() == dev.hotline.plan.FrontendKind.NODE_PORT) {
                parts.add("+frontend " + u.frontend() + " (NodePort)");
            }
        }
        if (slots > 0) {
            parts.add(slots + " Maglev slot(s) rewritten");
        }
        return String.join(", ", parts);
    }

    private void printBackends() {
        for (ServicePlan s : plan.services()) {
            StringBuilder b = new StringBuilder("   backends of " + s.name() + ":");
            for (ServiceBackend sb : s.backends()) {
                b.append(' ').append(sb.backend().podName()).append('=').append(sb.backend().key().address()).append(':')
                        .append(sb.backend().key().port());
            }
            b.append("  (Maglev table of ").append(s.table().size()).append(" slots)");
            out.println(b);
        }
    }

    private String tally(List<Connection> conns) {
        Map<String, Integer> byPod = new TreeMap<>();
        conns.forEach(c -> byPod.merge(c.podName, 1, Integer::sum));
        StringBuilder b = new StringBuilder(conns.size() + " connection(s):");
        byPod.forEach((pod, n) -> b.append(' ').append(pod).append(" ").append(n));
        return b.toString();
    }

    private String podOf(byte[] frameAfter) {
        int ip = Bytes.be32(frameAfter, Frame.IP_DADDR);
        for (Backend b : plan.backends().values()) {
            if (b.key().address().value() == ip) {
                return b.podName();
            }
        }
        return new Ipv4(ip).toString();
    }

    private int expect(byte[] frameAfter, Verdict verdict, String pod) {
        return result.verdict == verdict && podOf(frameAfter).equals(pod) ? 0 : 1;
    }

    /** Sends one frame through the dataplane, prints it before and after, and returns the frame that left. */
    private byte[] send(byte[] frame, boolean print) throws IOException {
        byte[] buf = java.util.Arrays.copyOf(frame, frame.length + Dataplane.REPLY_ROOM);
        long seconds = START_SECONDS + frames / 1000;
        int nanos = (int) (frames % 1000) * 1_000_000;
        dataplane.process(buf, frame.length, seconds * 1_000_000_000L + nanos, result);
        frames++;
        if (inPcap != null) {
            inPcap.write(frame, frame.length, frame.length, seconds, nanos);
            if (result.length > 0) {
                outPcap.write(buf, result.length, result.length, seconds, nanos);
            }
        }
        byte[] after = java.util.Arrays.copyOf(buf, result.length);
        if (print) {
            String before = FrameSummary.describe(frame, frame.length);
            String now = result.length == 0 ? "(dropped)" : FrameSummary.describe(after, after.length);
            out.printf("   %-52s %-9s -> %s%n", before, result.verdict.traceName(), now.substring(now.indexOf(' ') + 1));
        }
        return after;
    }

    private Connection connect(String client, String service, int port, boolean print) throws IOException {
        Connection c = new Connection(client, nextClientPort++, service, port);
        byte[] syn = FrameBuilder.tcp().from(client, c.clientPort).to(service, port).flags(Frame.TCP_SYN).seq(c.seq).build();
        byte[] out1 = send(syn, print);
        Verdict v = result.verdict;
        c.ok = v == Verdict.DNAT || v == Verdict.DNAT_SNAT;
        if (!c.ok) {
            c.podName = "(" + v.traceName() + ")";
            return c;
        }
        c.backendIp = Bytes.be32(out1, Frame.IP_DADDR);
        c.backendPort = Bytes.be16(out1, Frame.ETH_HLEN + 20 + Frame.L4_DPORT);
        c.replyToIp = Bytes.be32(out1, Frame.IP_SADDR);
        c.replyToPort = Bytes.be16(out1, Frame.ETH_HLEN + 20 + Frame.L4_SPORT);
        c.podName = podOf(out1);
        if (!print) {
            out.printf("   %-52s %-9s -> %s (%s)%n", FrameSummary.describe(syn, syn.length), v.traceName(),
                    new Ipv4(c.backendIp) + ":" + c.backendPort, c.podName);
        }
        byte[] synAck = FrameBuilder.tcp().from(c.backendIp, c.backendPort).to(c.replyToIp, c.replyToPort)
                .flags(Frame.TCP_SYN | Frame.TCP_ACK_FLAG).seq(7000).ack(c.seq + 1).build();
        byte[] back = send(synAck, print);
        c.ok &= result.verdict == Verdict.REVERSE && Bytes.be32(back, Frame.IP_SADDR) == Ipv4.parse(service).value()
                && Bytes.be32(back, Frame.IP_DADDR) == Ipv4.parse(client).value();
        c.seq++;
        return c;
    }

    private int exchange(Connection c, String request, String response, boolean print) throws IOException {
        byte[] req = FrameBuilder.tcp().from(c.client, c.clientPort).to(c.service, c.port)
                .flags(Frame.TCP_ACK_FLAG | Frame.TCP_PSH).seq(c.seq).ack(7001).payload(request).build();
        send(req, print);
        int bad = result.verdict == Verdict.DNAT || result.verdict == Verdict.DNAT_SNAT ? 0 : 1;
        byte[] resp = FrameBuilder.tcp().from(c.backendIp, c.backendPort).to(c.replyToIp, c.replyToPort)
                .flags(Frame.TCP_ACK_FLAG | Frame.TCP_PSH).seq(7001).ack(c.seq + request.length()).payload(response).build();
        send(resp, print);
        return bad + (result.verdict == Verdict.REVERSE ? 0 : 1);
    }

    /** One TCP connection of the story, as the client sees it and as the dataplane turned it. */
    private final class Connection {
        final String client;
        final int clientPort;
        final String service;
        final int port;
        int seq = 1000;
        boolean ok;
        int backendIp;
        int backendPort;
        int replyToIp;
        int replyToPort;
        String podName = "?";

        Connection(String client, int clientPort, String service, int port) {
            this.client = client;
            this.clientPort = clientPort;
            this.service = service;
            this.port = port;
        }

        byte[] send(String data) throws IOException {
            byte[] f = FrameBuilder.tcp().from(client, clientPort).to(service, port).flags(Frame.TCP_ACK_FLAG | Frame.TCP_PSH)
                    .seq(seq).ack(7001).payload(data).build();
            return Demo.this.send(f, true);
        }
    }

}
