package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import dev.hotline.replay.PcapWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The captures people have, replayed: the same story (a new flow to a ClusterIP, its SYN-ACK from
 * the backend, a reject, a pass) as Ethernet, 802.1Q and 802.1ad-tagged Ethernet, Linux cooked SLL
 * and SLL2, and raw IPv4. Each gives the same verdicts and backends as the plain Ethernet capture;
 * each output keeps its own encapsulation byte for byte around network-layer bytes equal to the
 * Ethernet output's; tshark finds every checksum right; and both dataplanes write the same bytes.
 */
class CaptureLinkTypesTest {
    static final byte[] CLIENT_MAC = {2, 0, 0, 0, 0, 0x10};

    /** The story as Ethernet frames; the SYN-ACK answers from web-1 (where the flow hash sends port 40000). */
    static List<byte[]> story() {
        return List.of(
                FrameBuilder.tcp().from("10.1.1.10", 40000).to("10.96.0.10", 80).flags(Frame.TCP_SYN).seq(1).build(),
                FrameBuilder.udp().from("10.1.1.10", 5000).to("10.96.0.99", 53).payload("q").build(),
                FrameBuilder.tcp().from("10.1.1.10", 40002).to("10.1.1.5", 8080).flags(Frame.TCP_SYN).build());
    }

    interface Encapsulation {
        byte[] wrap(byte[] ethernet);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    static byte[] l3(byte[] eth) {
        return Arrays.copyOfRange(eth, 14, eth.length);
    }

    static byte[] tagged(byte[] eth, int... tpidAndTci) {
        byte[] tags = new byte[tpidAndTci.length * 2];
        for (int i = 0; i < tpidAndTci.length; i++) {
            tags[2 * i] = (byte) (tpidAndTci[i] >>> 8);
            tags[2 * i + 1] = (byte) tpidAndTci[i];
        }
        return concat(Arrays.copyOfRange(eth, 0, 12), tags, Arrays.copyOfRange(eth, 12, eth.length));
    }

    static byte[] sll(byte[] eth) {
        byte[] h = new byte[16];
        h[1] = 0;                          // packet type: to us
        h[3] = 1;                          // ARPHRD_ETHER
        h[5] = 6;                          // address length
        System.arraycopy(eth, 6, h, 6, 6); // source MAC
        h[14] = eth[12];
        h[15] = eth[13];
        return concat(h, l3(eth));
    }

    static byte[] sll2(byte[] eth) {
        byte[] h = new byte[20];
        h[0] = eth[12];
        h[1] = eth[13];
        h[7] = 7;                          // ifindex
        h[9] = 1;                          // ARPHRD_ETHER
        h[10] = 0;                         // packet type
        h[11] = 6;
        System.arraycopy(eth, 6, h, 12, 6);
        return concat(h, l3(eth));
    }

    static Path write(Path dir, String name, int linkType, List<byte[]> frames) throws Exception {
        Path in = dir.resolve(name);
        try (PcapWriter w = new PcapWriter(in, true, linkType)) {
            for (int i = 0; i < frames.size(); i++) {
                w.write(frames.get(i), frames.get(i).length, frames.get(i).length, 100 + i, 5_000);
            }
        }
        return in;
    }

    /** The records of a pcap file written by hotline (little-endian, 24-byte header). */
    static List<byte[]> records(Path pcap) throws Exception {
        byte[] b = Files.readAllBytes(pcap);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        List<byte[]> out = new ArrayList<>();
        int p = 24;
        while (p + 16 <= b.length) {
            int len = bb.getInt(p + 8);
            out.add(Arrays.copyOfRange(b, p + 16, p + 16 + len));
            p += 16 + len;
        }
        return out;
    }

    @Test
    void everyEncapsulationGivesTheEthernetVerdictsAndKeepsItsOwnHeader(@TempDir Path dir) throws Exception {
        Path manifest = ReplayCommandTest.manifest(dir);
        List<byte[]> eth = story();
        record Case(String name, int linkType, Encapsulation enc, int headerBytes) {
        }
        List<Case> cases = List.of(
                new Case("vlan", 1, e -> tagged(e, 0x8100, 0x0064), 18),
                new Case("qinq-outer", 1, e -> tagged(e, 0x88a8, 0x00c8), 18),
                new Case("sll", 113, CaptureLinkTypesTest::sll, 16),
                new Case("sll2", 276, CaptureLinkTypesTest::sll2, 20),
                new Case("raw", 101, CaptureLinkTypesTest::l3, 0));
        List<String> dataplanes = Scenario.dataplanes().stream().map(k -> k.name().toLowerCase(java.util.Locale.ROOT)).toList();
        // the Ethernet baseline, on the twin
        Path ethIn = write(dir, "eth.pcap", 1, eth);
        Path ethOut = dir.resolve("eth-out.pcap");
        Path ethTrace = dir.resolve("eth-trace.jsonl");
        assertThat(ReplayCommandTest.replay("-f", manifest.toString(), "--node-name", "node-1", "--in", ethIn.toString(),
                "--out", ethOut.toString(), "--trace", ethTrace.toString(), "--dataplane", "userspace").exit()).isZero();
        List<String> ethVerdicts = Files.readAllLines(ethTrace);
        assertThat(ethVerdicts.get(0)).contains("\"verdict\":\"dnat\"");
        List<byte[]> ethFrames = records(ethOut);
        for (Case c : cases) {
            List<byte[]> frames = eth.stream().map(c.enc()::wrap).toList();
            Path in = write(dir, c.name() + ".pcap", c.linkType(), frames);
            byte[] first = null;
            for (String dp : dataplanes) {
                Path out = dir.resolve(c.name() + "-" + dp + ".pcap");
                Path trace = dir.resolve(c.name() + "-" + dp + ".jsonl");
                ReplayCommandTest.Run r = ReplayCommandTest.replay("-f", manifest.toString(), "--node-name", "node-1", "--in",
                        in.toString(), "--out", out.toString(), "--trace", trace.toString(), "--dataplane", dp);
                assertThat(r.exit()).as(c.name() + " " + dp + ": " + r.err()).isZero();
                assertThat(Files.readAllLines(trace)).as("%s on %s: the Ethernet capture's verdicts and backends", c.name(), dp)
                        .isEqualTo(ethVerdicts);
                byte[] bytes = Files.readAllBytes(out);
                if (first == null) {
                    first = bytes;
                } else {
                    assertThat(bytes).as("%s: both dataplanes write the same bytes", c.name()).isEqualTo(first);
                }
                List<byte[]> written = records(out);
                assertThat(written).hasSameSizeAs(ethFrames);
                for (int i = 0; i < written.size(); i++) {
                    byte[] w = written.get(i);
                    byte[] e = ethFrames.get(i);
                    // the network layer as the Ethernet replay wrote it
                    assertThat(Arrays.copyOfRange(w, c.headerBytes(), w.length)).as("%s frame %d", c.name(), i)
                            .isEqualTo(Arrays.copyOfRange(e, 14, e.length));
                }
                // the encapsulation of translated and passed frames, byte for byte as it came
                assertThat(Arrays.copyOfRange(written.get(0), 0, c.headerBytes()))
                        .isEqualTo(Arrays.copyOfRange(frames.get(0), 0, c.headerBytes()));
                Tshark.assertChecksumsValid(out, written.size());
            }
        }
    }

    /**
     * A pcapng with interfaces of different link types (mergecap joins a cooked and an Ethernet
     * capture, as tshark on several interfaces writes): replayed whole, written as pcapng with the
     * interfaces kept, each frame on its own, read back by tshark with every checksum right.
     */
    @Test
    void aPcapngOfSeveralInterfacesAndLinkTypesIsReplayedWhole(@TempDir Path dir) throws Exception {
        Tshark.require();
        Path manifest = ReplayCommandTest.manifest(dir);
        List<byte[]> eth = story();
        Path a = write(dir, "a.pcap", 1, eth);
        Path b = write(dir, "b.pcap", 276, eth.stream().map(CaptureLinkTypesTest::sll2).toList());
        Path merged = dir.resolve("merged.pcapng");
        Process p = new ProcessBuilder("mergecap", "-F", "pcapng", "-w", merged.toString(), a.toString(), b.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(log).isZero();
        Path out = dir.resolve("out.pcapng");
        Path trace = dir.resolve("trace.jsonl");
        ReplayCommandTest.Run r = ReplayCommandTest.replay("-f", manifest.toString(), "--node-name", "node-1", "--in", merged.toString(),
                "--out", out.toString(), "--trace", trace.toString(), "--dataplane", "userspace");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(Files.readAllLines(trace)).hasSize(6).filteredOn(l -> l.contains("\"verdict\":\"dnat\"")).hasSize(2);
        byte[] written = Files.readAllBytes(out);
        assertThat(java.nio.ByteBuffer.wrap(written).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0)).isEqualTo(0x0A0D0D0A);
        Tshark.assertChecksumsValid(out, 6);
        // both interfaces kept, each frame on the one it came from
        Process t = new ProcessBuilder(Tshark.TSHARK.toString(), "-r", out.toString(), "-T", "fields", "-e", "frame.interface_id",
                "-e", "frame.encap_type").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<String> lines = new String(t.getInputStream().readAllBytes()).lines().toList();
        assertThat(t.waitFor()).isZero();
        assertThat(lines).hasSize(6).extracting(l -> l.split("\t")[0]).containsOnly("0", "1");
        assertThat(lines.stream().map(l -> l.split("\t")[1]).distinct().count()).as("two encapsulations").isEqualTo(2);
        // and a pcap output cannot hold two link types: said in one line
        ReplayCommandTest.Run pcap = ReplayCommandTest.replay("-f", manifest.toString(), "--in", merged.toString(), "--out",
                dir.resolve("out.pcap").toString(), "--out-format", "pcap", "--dataplane", "userspace");
        assertThat(pcap.exit()).isEqualTo(2);
        assertThat(pcap.err()).contains("which one pcap file cannot hold: give --out-format pcapng");
    }

    /**
     * Frames cut at a snap length (headers whole, payload not): translated all the same, their
     * captured bytes exactly the head of what the whole frame gives, their wire length kept.
     */
    @Test
    void framesCutAtTheSnapLengthAreTranslatedAndKeepTheirWireLength(@TempDir Path dir) throws Exception {
        Path manifest = ReplayCommandTest.manifest(dir);
        byte[] payload = new byte[1200];
        Arrays.fill(payload, (byte) 'x');
        List<byte[]> whole = List.of(
                FrameBuilder.tcp().from("10.1.1.10", 41000).to("10.96.0.10", 80).flags(Frame.TCP_ACK_FLAG | Frame.TCP_PSH).seq(7)
                        .payload(payload).build(),
                FrameBuilder.udp().from("10.1.1.10", 5353).to("10.96.0.53", 53).payload(payload).build());
        int snap = 96;
        Path full = write(dir, "full.pcap", 1, whole);
        Path cut = dir.resolve("cut.pcap");
        try (PcapWriter w = new PcapWriter(cut, true, 1)) {
            for (int i = 0; i < whole.size(); i++) {
                w.write(whole.get(i), snap, whole.get(i).length, 100 + i, 5_000);
            }
        }
        for (String dp : Scenario.dataplanes().stream().map(k -> k.name().toLowerCase(java.util.Locale.ROOT)).toList()) {
            Path fullOut = dir.resolve("full-" + dp + ".pcap");
            Path cutOut = dir.resolve("cut-" + dp + ".pcap");
            Path cutTrace = dir.resolve("cut-" + dp + ".jsonl");
            assertThat(ReplayCommandTest.replay("-f", manifest.toString(), "--node-name", "node-1", "--in", full.toString(),
                    "--out", fullOut.toString(), "--dataplane", dp).exit()).isZero();
            assertThat(ReplayCommandTest.replay("-f", manifest.toString(), "--node-name", "node-1", "--in", cut.toString(),
                    "--out", cutOut.toString(), "--trace", cutTrace.toString(), "--dataplane", dp).exit()).isZero();
            assertThat(Files.readAllLines(cutTrace)).allSatisfy(l -> assertThat(l).contains("\"verdict\":\"dnat\""));
            List<byte[]> fullFrames = records(fullOut);
            List<byte[]> cutFrames = records(cutOut);
            byte[] raw = Files.readAllBytes(cutOut);
            java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int p = 24;
            for (int i = 0; i < cutFrames.size(); i++) {
                assertThat(cutFrames.get(i)).as("%s frame %d: the head of the whole frame's translation", dp, i)
                        .isEqualTo(Arrays.copyOf(fullFrames.get(i), snap));
                assertThat(bb.getInt(p + 12)).as("wire length kept").isEqualTo(whole.get(i).length);
                p += 16 + bb.getInt(p + 8);
            }
        }
    }

    /** --filter narrows a capture: only matching frames go through the dataplane, the rest are written as captured. */
    @Test
    void aFilterReplaysOnlyTheFramesItMatches(@TempDir Path dir) throws Exception {
        Path manifest = ReplayCommandTest.manifest(dir);
        List<byte[]> eth = story();
        Path ethIn = write(dir, "eth.pcap", 1, eth);
        Path sllIn = write(dir, "sll.pcap", 113, eth.stream().map(CaptureLinkTypesTest::sll).toList());
        for (Path in : List.of(ethIn, sllIn)) {
            Path out = dir.resolve("out.pcap");
            Path trace = dir.resolve("trace.jsonl");
            ReplayCommandTest.Run r = ReplayCommandTest.replay("-f", manifest.toString(), "--node-name", "node-1", "--in",
                    in.toString(), "--out", out.toString(), "--trace", trace.toString(), "--filter", "udp", "--dataplane", "userspace");
            assertThat(r.exit()).as(r.err()).isZero();
            List<String> lines = Files.readAllLines(trace);
            assertThat(lines.get(0)).contains("\"verdict\":\"pass\"").contains("\"reason\":\"filtered\"");
            assertThat(lines.get(1)).contains("\"verdict\":\"reject\"");
            assertThat(lines.get(2)).contains("\"reason\":\"filtered\"");
            // the filtered TCP SYN to the ClusterIP left untouched
            assertThat(records(out).get(0)).isEqualTo(Files.readAllBytes(in).length > 0 ? records(in).get(0) : null);
        }
        ReplayCommandTest.Run bad = ReplayCommandTest.replay("-f", manifest.toString(), "--in", ethIn.toString(), "--out",
                dir.resolve("o.pcap").toString(), "--filter", "port port port", "--dataplane", "userspace");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err().lines().filter(l -> l.startsWith("hotline: --filter "))).singleElement().asString()
                .startsWith("hotline: --filter 'port port port': ");
    }

    /** QinQ: the kernel takes the outer tag off before tc; the inner one stays, and the frame passes (reason vlan). */
    @Test
    void anInnerQinqTagStaysAndTheFramePassesAsOnANode(@TempDir Path dir) throws Exception {
        Path manifest = ReplayCommandTest.manifest(dir);
        List<byte[]> frames = story().stream().map(e -> tagged(e, 0x88a8, 0x00c8, 0x8100, 0x0064)).toList();
        Path in = write(dir, "qinq.pcap", 1, frames);
        Path out = dir.resolve("out.pcap");
        Path trace = dir.resolve("trace.jsonl");
        assertThat(ReplayCommandTest.replay("-f", manifest.toString(), "--node-name", "node-1", "--in", in.toString(), "--out",
                out.toString(), "--trace", trace.toString(), "--dataplane", "userspace").exit()).isZero();
        assertThat(Files.readAllLines(trace)).allSatisfy(l -> assertThat(l).contains("\"verdict\":\"pass\"")
                .contains("\"reason\":\"vlan\""));
        assertThat(records(out)).usingRecursiveFieldByFieldElementComparator().isEqualTo(frames);
    }

    @Test
    void framesOfOtherLinkTypesAreWrittenAsCapturedAndCounted(@TempDir Path dir) throws Exception {
        Path manifest = ReplayCommandTest.manifest(dir);
        byte[] opaque = "a frame of a link type hotline does not know".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Path in = write(dir, "user0.pcap", 147, List.of(opaque, opaque));
        Path out = dir.resolve("out.pcap");
        Path trace = dir.resolve("trace.jsonl");
        ReplayCommandTest.Run r = ReplayCommandTest.replay("-f", manifest.toString(), "--in", in.toString(), "--out",
                out.toString(), "--trace", trace.toString(), "--dataplane", "userspace");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("of link types hotline does not translate").containsPattern("link type 147 +2");
        assertThat(Files.readAllLines(trace)).allSatisfy(l -> assertThat(l).contains("\"verdict\":\"pass\"")
                .contains("\"reason\":\"link_type\""));
        assertThat(records(out)).hasSize(2).allSatisfy(f -> assertThat(f).isEqualTo(opaque));
    }
}
