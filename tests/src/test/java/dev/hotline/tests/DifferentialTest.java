package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Verdict;
import dev.hotline.dataplane.bpf.BpfDataplane;
import dev.hotline.dataplane.bpf.BpfSizing;
import dev.hotline.dataplane.userspace.UserspaceDataplane;
import dev.hotline.net.Ipv4;
import dev.hotline.packet.Bytes;
import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import dev.hotline.cluster.ClusterState;
import dev.hotline.plan.Plan;
import dev.hotline.reconcile.Reconciler;
import dev.hotline.plan.PlanDiff;
import dev.hotline.plan.Planner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The two dataplanes against each other on frames generated from a seed: new and continuing flows
 * to every kind of frontend, replies to what was translated, unrelated traffic, rejects, every
 * malformed class by mutation, random bytes, time jumps that expire flows, and plan changes
 * applied between frames (backends added and removed, Services removed and restored). Every frame
 * must give the same verdict, the same reason, the same flow and the same bytes.
 *
 * 200 000 frames by default; more with -Dhotline.differential.frames=N or HOTLINE_DIFFERENTIAL_FRAMES.
 * -Dhotline.differential.seed=N replays one seed (a mismatch prints it, with the frame in hex; the
 * frame then joins {@link #REGRESSIONS}).
 */
class DifferentialTest {
    static final int SERVICES = 40;
    static final int BATCH = 128;

    /** Frames that once told the dataplanes apart, as hex; each runs on both before the random ones. */
    static final List<String> REGRESSIONS = List.of();

    static int frameCount() {
        String p = System.getProperty("hotline.differential.frames", System.getenv("HOTLINE_DIFFERENTIAL_FRAMES"));
        return p == null ? 200_000 : Integer.parseInt(p.trim());
    }

    static long seed() {
        String p = System.getProperty("hotline.differential.seed", System.getenv("HOTLINE_DIFFERENTIAL_SEED"));
        return p == null ? 20261126L : Long.parseLong(p.trim());
    }

    /** A cluster of many Services: ClusterIP TCP and UDP, NodePort (local and remote backends), Local policy, no endpoints. */
    static String cluster(boolean[] podsPresent, boolean[] servicesPresent) {
        StringBuilder b = new StringBuilder(Cluster.node("node-1", "192.168.49.2")).append(Cluster.node("node-2", "192.168.49.3"));
        for (int i = 0; i < SERVICES; i++) {
            if (!servicesPresent[i]) {
                continue;
            }
            boolean nodePort = i % 4 == 0;
            String ports = "{name: http, port: 80, targetPort: 8080" + (nodePort ? ", nodePort: " + (30000 + 2 * i) : "")
                    + "}, {name: dns, port: 53, protocol: UDP, targetPort: 5353" + (nodePort ? ", nodePort: " + (30001 + 2 * i) : "") + "}";
            String svc = Cluster.service("svc-" + i, nodePort ? "NodePort" : "ClusterIP", "10.96.1." + i,
                    i % 10 == 9 ? "app: nobody" : "app: svc-" + i, ports);
            if (i % 8 == 0) {
                svc = svc.replace("spec:\n", "spec:\n  externalTrafficPolicy: Local\n");
            }
            b.append(svc);
            for (int p = 0; p < 4; p++) {
                if (podsPresent[i * 4 + p]) {
                    b.append(Cluster.pod("svc-" + i + "-" + p, "10.2." + i + "." + (p + 1), p % 2 == 0 ? "node-1" : "node-2",
                            "app: svc-" + i, ""));
                }
            }
        }
        return b.toString();
    }

    static final class Generator {
        final Random rnd;
        final List<byte[]> translated = new ArrayList<>();
        final List<byte[]> replies = new ArrayList<>();

        Generator(long seed) {
            rnd = new Random(seed);
        }

        int clientIp() {
            return Ipv4.parse("10.3.0.0").value() + rnd.nextInt(64);
        }

        int port() {
            return 1000 + rnd.nextInt(200);
        }

        int tcpFlags() {
            return switch (rnd.nextInt(8)) {
                case 0, 1, 2 -> Frame.TCP_SYN;
                case 3 -> Frame.TCP_SYN | Frame.TCP_ACK_FLAG;
                case 4 -> Frame.TCP_FIN | Frame.TCP_ACK_FLAG;
                case 5 -> Frame.TCP_RST;
                default -> Frame.TCP_ACK_FLAG | Frame.TCP_PSH;
            };
        }

        byte[] payload() {
            byte[] p = new byte[rnd.nextInt(5) == 0 ? rnd.nextInt(200) : rnd.nextInt(24)];
            rnd.nextBytes(p);
            return p;
        }

        FrameBuilder l4(boolean tcp) {
            FrameBuilder b = tcp ? FrameBuilder.tcp().flags(tcpFlags()).seq(rnd.nextInt()).ack(rnd.nextInt()) : FrameBuilder.udp();
            if (!tcp && rnd.nextInt(10) == 0) {
                b.withoutUdpChecksum();
            }
            return b.payload(payload()).ttl(1 + rnd.nextInt(255)).id(rnd.nextInt(65536));
        }

        /** A frame to some frontend, or near one. */
        byte[] toService() {
            int svc = rnd.nextInt(SERVICES);
            boolean tcp = rnd.nextBoolean();
            int dst;
            int dport;
            switch (rnd.nextInt(6)) {
                case 0 -> { // NodePort on the node address (or a port that is no NodePort)
                    dst = Ipv4.parse("192.168.49.2").value();
                    dport = 30000 + 2 * (svc & ~3) + (tcp ? 0 : 1) + (rnd.nextInt(8) == 0 ? 1 : 0);
                }
                case 1 -> { // a ClusterIP on a port or protocol no Service defines
                    dst = Ipv4.parse("10.96.1.0").value() + svc;
                    dport = rnd.nextBoolean() ? 443 : (tcp ? 53 : 80);
                }
                default -> {
                    dst = Ipv4.parse("10.96.1.0").value() + svc;
                    dport = tcp ? 80 : 53;
                }
            }
            FrameBuilder b = l4(tcp).from(clientIp(), port()).to(dst, dport);
            if (rnd.nextInt(20) == 0) {
                b.ipOptions(new byte[] {(byte) 0x94, 4, 0, 0});
            }
            return b.build();
        }

        /** A reply from the backend (or node SNAT tuple) of something translated before. */
        byte[] reply() {
            byte[] t = translated.get(rnd.nextInt(translated.size()));
            int ihl = (t[Frame.IP_VIHL] & 0xf) * 4;
            int l4 = 14 + ihl;
            boolean tcp = t[Frame.IP_PROTO] == Frame.PROTO_TCP;
            return l4(tcp).from(Bytes.be32(t, Frame.IP_DADDR), Bytes.be16(t, l4 + 2))
                    .to(Bytes.be32(t, Frame.IP_SADDR), Bytes.be16(t, l4)).build();
        }

        byte[] unrelated() {
            boolean tcp = rnd.nextBoolean();
            return switch (rnd.nextInt(3)) {
                case 0 -> l4(tcp).from(clientIp(), port()).to(rnd.nextInt(), rnd.nextInt(65536)).build();
                case 1 -> l4(tcp).from(clientIp(), port()).to(Ipv4.parse("192.168.49.2").value(), 22).build();
                default -> l4(tcp).from(Ipv4.parse("10.2.0.1").value() + rnd.nextInt(40) * 256, 8080)
                        .to(clientIp(), port()).build();
            };
        }

        /**
         * An ICMP error quoting something translated before, from its backend or from a router; or,
         * quoting a reply as the client's side saw it, to the Service address from the client or a router.
         */
        byte[] icmpError() {
            if (!replies.isEmpty() && rnd.nextBoolean()) {
                byte[] t = replies.get(rnd.nextInt(replies.size()));
                String from = rnd.nextBoolean() ? new Ipv4(Bytes.be32(t, Frame.IP_DADDR)).toString() : "10.9.8." + rnd.nextInt(250);
                int[][] kinds = {{3, 3}, {3, 4}, {11, 0}, {12, 0}};
                int[] k = kinds[rnd.nextInt(kinds.length)];
                byte[] f = ServiceScenariosTest.icmpError(from, new Ipv4(Bytes.be32(t, Frame.IP_SADDR)).toString(), k[0], k[1], t);
                if (rnd.nextInt(10) == 0) {
                    f[rnd.nextInt(f.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return f;
            }
            byte[] t = translated.get(rnd.nextInt(translated.size()));
            String from = rnd.nextBoolean() ? new Ipv4(Bytes.be32(t, Frame.IP_DADDR)).toString() : "10.9.9." + rnd.nextInt(250);
            int[][] kinds = {{3, 3}, {3, 4}, {11, 0}, {12, 0}, {3, 1}, {0, 0}, {8, 0}};
            int[] k = kinds[rnd.nextInt(kinds.length)];
            byte[] f = ServiceScenariosTest.icmpError(from, new Ipv4(Bytes.be32(t, Frame.IP_SADDR)).toString(), k[0], k[1], t);
            if (rnd.nextInt(10) == 0) {
                f[rnd.nextInt(f.length)] ^= (byte) (1 << rnd.nextInt(8));
            }
            return f;
        }

        byte[] icmp() {
            byte[] f = FrameBuilder.udp().from(clientIp(), 0).to(Ipv4.parse("10.96.1.0").value() + rnd.nextInt(SERVICES * 2), 0)
                    .payload(payload()).build();
            f[Frame.IP_PROTO] = Frame.PROTO_ICMP;
            return f;
        }

        byte[] mutate(byte[] f) {
            byte[] g = f.clone();
            switch (rnd.nextInt(7)) {
                case 0 -> g = Arrays.copyOf(g, rnd.nextInt(g.length + 1));
                case 1 -> g[rnd.nextInt(g.length)] ^= (byte) (1 << rnd.nextInt(8));
                case 2 -> g[Frame.IP_VIHL] = (byte) (0x40 | rnd.nextInt(16));
                case 3 -> Bytes.putBe16(g, Frame.IP_TOT_LEN, rnd.nextInt(g.length + 40));
                case 4 -> Bytes.putBe16(g, Frame.IP_FRAG, rnd.nextBoolean() ? 0x2000 : 1 + rnd.nextInt(0x1fff));
                case 5 -> {
                    int at = 14 + 20 + (rnd.nextBoolean() ? 4 : 12);
                    if (at < g.length) {
                        g[at] = (byte) rnd.nextInt(256);
                    }
                }
                default -> {
                    byte[] v = new byte[g.length + 4];
                    System.arraycopy(g, 0, v, 0, 12);
                    Bytes.putBe16(v, 12, 0x8100);
                    System.arraycopy(g, 12, v, 16, g.length - 12);
                    g = v;
                }
            }
            return g;
        }

        byte[] randomBytes() {
            byte[] f = new byte[rnd.nextInt(100)];
            rnd.nextBytes(f);
            if (f.length > 15 && rnd.nextBoolean()) {
                Bytes.putBe16(f, 12, 0x0800);
                f[14] = 0x45;
            }
            return f;
        }

        byte[] next() {
            int k = rnd.nextInt(100);
            if (k < 35) {
                return toService();
            }
            if (k < 60 && !translated.isEmpty()) {
                return reply();
            }
            if (k < 70) {
                return unrelated();
            }
            if (k < 71) {
                return icmp();
            }
            if (k < 75 && !translated.isEmpty()) {
                return icmpError();
            }
            if (k < 93) {
                return mutate(rnd.nextBoolean() ? toService() : translated.isEmpty() ? unrelated() : reply());
            }
            return randomBytes();
        }

        void sawReply(byte[] out) {
            if (replies.size() < 4096) {
                replies.add(out);
            } else {
                replies.set(rnd.nextInt(replies.size()), out);
            }
        }

        void sawTranslated(byte[] out) {
            if (translated.size() < 4096) {
                translated.add(out);
            } else {
                translated.set(rnd.nextInt(translated.size()), out);
            }
        }
    }

    @Test
    void bothDataplanesAgreeFrameByFrameIncludingUpdatesUnderTraffic() throws Exception {
        run(seed(), frameCount(), 1 << 20);
    }

    /** The same with a conntrack far too small: full tables, refusals and sweeps must agree too. */
    @Test
    void bothDataplanesAgreeWhenConntrackIsFull() throws Exception {
        run(seed() + 1, Math.min(frameCount(), 50_000), 32);
    }

    void run(long seed, int total, int conntrackMax) throws Exception {
        Privileges.requireBpf();
        boolean[] pods = new boolean[SERVICES * 4];
        boolean[] services = new boolean[SERVICES];
        Arrays.fill(pods, true);
        Arrays.fill(pods, 3, pods.length, true);
        for (int i = 0; i < pods.length; i++) {
            pods[i] = i % 4 != 3; // three pods each to start with, a fourth to add later
        }
        Arrays.fill(services, true);
        DataplaneConfig config = DataplaneConfig.DEFAULT.withConntrackMax(conntrackMax);
        try (UserspaceDataplane user = new UserspaceDataplane(config);
             BpfDataplane kernel = new BpfDataplane(config, BpfSizing.DEFAULT, true, null)) {
            // one reconciler per dataplane: planning is deterministic, so both are given the same writes
            Reconciler toUser = new Reconciler(user, Scenario.NODE_1, line -> { });
            Reconciler toKernel = new Reconciler(kernel, Scenario.NODE_1, line -> { });
            toUser.onChange(Scenario.state(cluster(pods, services)));
            toKernel.onChange(Scenario.state(cluster(pods, services)));
            Generator gen = new Generator(seed);
            long now = Scenario.T0;

            byte[][] userFrames = new byte[BATCH][];
            byte[][] kernelFrames = new byte[BATCH][];
            byte[][] inputs = new byte[BATCH][];
            int[] lengths = new int[BATCH];
            long[] times = new long[BATCH];
            PacketResult[] userResults = new PacketResult[BATCH];
            PacketResult[] kernelResults = new PacketResult[BATCH];
            for (int i = 0; i < BATCH; i++) {
                userResults[i] = new PacketResult();
                kernelResults[i] = new PacketResult();
            }
            long index = 0;
            // the fixed regressions first, then the random ones
            List<byte[]> regressions = new ArrayList<>();
            for (String hex : REGRESSIONS) {
                regressions.add(HexFormat.of().parseHex(hex));
            }
            regressions.add(zeroChecksumAfterNat(toUser.loaded()));
            int changes = 0;
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            while (index < total + regressions.size()) {
                int n = 0;
                while (n < BATCH && index + n < total + regressions.size()) {
                    byte[] f = index + n < regressions.size() ? regressions.get((int) (index + n)) : gen.next();
                    int pick = gen.rnd.nextInt(1000);
                    now += pick < 990 ? gen.rnd.nextInt(50_000_000) : (pick < 998 ? 30_000_000_000L : 7 * 3_600_000_000_000L);
                    inputs[n] = f;
                    userFrames[n] = Arrays.copyOf(f, f.length + Dataplane.REPLY_ROOM);
                    kernelFrames[n] = Arrays.copyOf(f, f.length + Dataplane.REPLY_ROOM);
                    lengths[n] = f.length;
                    times[n] = now;
                    n++;
                }
                user.processBatch(userFrames, lengths, times, userResults, n);
                kernel.processBatch(kernelFrames, lengths, times, kernelResults, n);
                for (int i = 0; i < n; i++) {
                    compare(seed, index + i, inputs[i], userFrames[i], userResults[i], kernelFrames[i], kernelResults[i]);
                    digest(digest, userFrames[i], userResults[i]);
                    Verdict v = userResults[i].verdict;
                    if (v == Verdict.DNAT || v == Verdict.DNAT_SNAT) {
                        gen.sawTranslated(Arrays.copyOf(userFrames[i], userResults[i].length));
                    } else if (v == Verdict.REVERSE && userFrames[i][Frame.IP_PROTO] != Frame.PROTO_ICMP) {
                        gen.sawReply(Arrays.copyOf(userFrames[i], userResults[i].length));
                    }
                }
                index += n;
                // the cluster changes under traffic, between batches
                if (index / 5000 > changes) {
                    changes++;
                    int target = gen.rnd.nextInt(SERVICES);
                    switch (gen.rnd.nextInt(4)) {
                        case 0 -> pods[target * 4 + gen.rnd.nextInt(4)] ^= true;
                        case 1 -> services[target] ^= true;
                        case 2 -> pods[target * 4 + 3] = true;
                        default -> {
                            for (int p = 0; p < 4; p++) {
                                pods[target * 4 + p] = gen.rnd.nextBoolean();
                            }
                        }
                    }
                    ClusterState next = Scenario.state(cluster(pods, services));
                    toUser.onChange(next);
                    toKernel.onChange(next);
                }
            }
            assertThat(index).isEqualTo(total + regressions.size());
            // one line that pins down every output of this seed: compare it before and after a refactoring
            System.out.println("differential digest (seed " + seed + ", " + total + " frames, conntrack " + conntrackMax + "): "
                    + HexFormat.of().formatHex(digest.digest()));
            assertThat(changes).isGreaterThan(total / 5000 - 2);
            var counters = user.counters();
            // the mix really exercised every verdict
            for (Verdict v : Verdict.values()) {
                assertThat(counters.byVerdict().get(v)).as("frames with verdict %s", v).isPositive();
            }
            if (conntrackMax < 1024) {
                assertThat(counters.byReason().get(dev.hotline.dataplane.Reason.CONNTRACK_FULL)).as("flows refused by a full table")
                        .isPositive();
            }
            assertThat(kernel.counters().byVerdict()).isEqualTo(counters.byVerdict());
            assertThat(kernel.counters().byReason()).isEqualTo(counters.byReason());
        }
    }

    private static void digest(java.security.MessageDigest d, byte[] frame, PacketResult r) {
        d.update(new byte[] {(byte) r.verdict.code(), (byte) r.reason.code()});
        d.update(java.nio.ByteBuffer.allocate(20).putInt(r.serviceId).putInt(r.backendId).putInt(r.backendIp)
                .putInt(r.backendPort).putInt(r.length).array());
        d.update(frame, 0, r.length);
    }

    private static void compare(long seed, long index, byte[] in, byte[] userFrame, PacketResult u, byte[] kernelFrame, PacketResult k) {
        boolean same = u.verdict == k.verdict && u.reason == k.reason && u.length == k.length && u.serviceId == k.serviceId
                && u.backendId == k.backendId && u.backendIp == k.backendIp && u.backendPort == k.backendPort
                && Arrays.equals(userFrame, 0, u.length, kernelFrame, 0, k.length);
        if (!same) {
            HexFormat hex = HexFormat.of();
            fail("the dataplanes disagree on frame " + index + " of seed " + seed
                    + " (rerun: -Dhotline.differential.seed=" + seed + "; add the input to DifferentialTest.REGRESSIONS)\n"
                    + "  in:        " + hex.formatHex(in) + "\n"
                    + "  userspace: " + describe(u) + " " + hex.formatHex(userFrame, 0, u.length) + "\n"
                    + "  bpf:       " + describe(k) + " " + hex.formatHex(kernelFrame, 0, k.length));
        }
    }

    private static String describe(PacketResult r) {
        return r.verdict.traceName() + "/" + r.reason.name().toLowerCase() + " service " + r.serviceId + " backend " + r.backendId
                + " " + new Ipv4(r.backendIp) + ":" + r.backendPort + " length " + r.length;
    }

    /** A UDP datagram whose checksum comes out of DNAT as zero, which must be written as 0xffff (never "no checksum"). */
    static byte[] zeroChecksumAfterNat(Plan plan) {
        UserspaceDataplane probe = new UserspaceDataplane(DataplaneConfig.DEFAULT);
        probe.apply(PlanDiff.between(Plan.EMPTY, plan));
        PacketResult r = new PacketResult();
        for (int w = 0; w < 65536; w++) {
            byte[] f = FrameBuilder.udp().from("10.3.0.77", 4242).to("10.96.1.1", 53)
                    .payload(new byte[] {(byte) (w >>> 8), (byte) w}).build();
            byte[] b = Arrays.copyOf(f, f.length + Dataplane.REPLY_ROOM);
            probe.process(b, f.length, Scenario.T0 + w, r);
            if (r.verdict == Verdict.DNAT && Bytes.be16(b, 14 + 20 + 6) == 0xffff) {
                return f;
            }
        }
        throw new AssertionError("no datagram with a checksum that NAT turns to zero");
    }
}
