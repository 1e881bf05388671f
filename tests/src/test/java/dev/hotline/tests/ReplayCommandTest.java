package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.cli.Main;
import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import dev.hotline.replay.CaptureReader;
import dev.hotline.replay.PcapWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The replay contract (docs/design.md, "Contracts"): OUT in input order with input timestamps, drops absent, the trace format, exit codes. */
class ReplayCommandTest {

    record Run(int exit, String out, String err) {
    }

    static Run replay(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("replay"));
        all.addAll(List.of(args));
        int code = cl.execute(all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    static Path manifest(Path dir) throws Exception {
        Path m = dir.resolve("cluster.yaml");
        Files.writeString(m, Cluster.base());
        return m;
    }

    /** Frames of the story, each at second 100 + i and 1234 µs. */
    static List<byte[]> storyFrames() {
        return List.of(
                FrameBuilder.tcp().from("10.1.1.10", 40000).to("10.96.0.10", 80).flags(Frame.TCP_SYN).seq(1).build(),  // dnat
                FrameBuilder.tcp().from("10.1.1.10", 40001).to("10.96.0.99", 80).flags(Frame.TCP_RST).build(),         // drop
                FrameBuilder.udp().from("10.1.1.10", 5000).to("10.96.0.99", 53).payload("q").build(),                   // reject
                FrameBuilder.tcp().from("10.1.1.10", 40002).to("10.1.1.5", 8080).flags(Frame.TCP_SYN).build());         // pass
    }

    static Path writeInput(Path dir, List<byte[]> frames) throws Exception {
        Path in = dir.resolve("in.pcap");
        try (PcapWriter w = new PcapWriter(in, false)) {
            for (int i = 0; i < frames.size(); i++) {
                w.write(frames.get(i), frames.get(i).length, frames.get(i).length, 100 + i, 1_234_000);
            }
        }
        return in;
    }

    @Test
    void outHoldsWhatLeavesInInputOrderWithInputTimestampsAndTheTraceOneLinePerFrame(@TempDir Path dir) throws Exception {
        Path in = writeInput(dir, storyFrames());
        Path out = dir.resolve("out.pcap");
        Path trace = dir.resolve("trace.jsonl");
        Run r = replay("-f", manifest(dir).toString(), "--node-name", "node-1", "--in", in.toString(), "--out", out.toString(),
                "--trace", trace.toString(), "--dataplane", "userspace");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("dataplane: userspace");
        assertThat(r.out()).contains("replayed 4 frame(s) through the userspace dataplane, wrote 3")
                .contains("by verdict:").contains("by service:").contains("default/web:http").contains("by backend:");

        List<String> lines = Files.readAllLines(trace);
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).matches("\\{\"index\":0,\"verdict\":\"dnat\",\"service\":\"default/web:http\",\"backend\":\"10\\.1\\.1\\.[56]:8080\",.*\\}");
        assertThat(lines.get(1)).startsWith("{\"index\":1,\"verdict\":\"drop\",\"service\":\"default/empty:http\",\"backend\":null,");
        assertThat(lines.get(2)).startsWith("{\"index\":2,\"verdict\":\"reject\",\"service\":\"default/empty:dns\",\"backend\":null,");
        assertThat(lines.get(3)).startsWith("{\"index\":3,\"verdict\":\"pass\",\"service\":null,\"backend\":null,");

        List<long[]> times = new ArrayList<>();
        List<byte[]> frames = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(out)) {
            while (reader.next()) {
                times.add(new long[] {reader.seconds(), reader.nanoOfSecond()});
                frames.add(reader.frame());
            }
        }
        assertThat(times).extracting(t -> t[0] + "." + t[1]).containsExactly("100.1234000", "102.1234000", "103.1234000");
        assertThat(frames.get(1)[Frame.IP_PROTO]).isEqualTo((byte) Frame.PROTO_ICMP);
        assertThat(frames.get(2)).isEqualTo(storyFrames().get(3));
        if (Tshark.available() || Privileges.underCi()) {
            Tshark.assertChecksumsValid(out, 3);
        }
    }

    @Test
    void pcapngInputGivesTheSameFrames(@TempDir Path dir) throws Exception {
        Tshark.require();
        Path in = writeInput(dir, storyFrames());
        Path ng = dir.resolve("in.pcapng");
        Process p = new ProcessBuilder("editcap", "-F", "pcapng", in.toString(), ng.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readAllBytes(ng)).startsWith(0x0a, 0x0d, 0x0d, 0x0a);
        Path out1 = dir.resolve("a.pcap");
        Path out2 = dir.resolve("b.pcap");
        Path m = manifest(dir);
        assertThat(replay("-f", m.toString(), "--in", in.toString(), "--out", out1.toString(), "--dataplane", "userspace").exit()).isZero();
        assertThat(replay("-f", m.toString(), "--in", ng.toString(), "--out", out2.toString(), "--dataplane", "userspace").exit()).isZero();
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        try (CaptureReader r1 = CaptureReader.open(out1); CaptureReader r2 = CaptureReader.open(out2)) {
            while (r1.next()) {
                a.add(r1.seconds() + "." + r1.nanoOfSecond() + " " + java.util.HexFormat.of().formatHex(r1.frame()));
            }
            while (r2.next()) {
                b.add(r2.seconds() + "." + r2.nanoOfSecond() + " " + java.util.HexFormat.of().formatHex(r2.frame()));
            }
        }
        assertThat(b).isEqualTo(a).hasSize(3);
    }

    @Test
    void badInputExitsTwoWithOneLine(@TempDir Path dir) throws Exception {
        Path m = manifest(dir);
        Path out = dir.resolve("out.pcap");
        Run missing = replay("-f", m.toString(), "--in", dir.resolve("nope.pcap").toString(), "--out", out.toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err().lines().filter(l -> l.startsWith("hotline: ") && !l.contains("dataplane:")))
                .singleElement().asString().endsWith("nope.pcap: no such file");

        Path garbage = dir.resolve("garbage.pcap");
        Files.writeString(garbage, "this is not a capture at all");
        Run g = replay("-f", m.toString(), "--in", garbage.toString(), "--out", out.toString(), "--dataplane", "userspace");
        assertThat(g.exit()).isEqualTo(2);
        assertThat(g.err()).contains("garbage.pcap: ");

        // a record that claims more bytes than any capture holds: not a pcap record
        Path corrupt = dir.resolve("corrupt.pcap");
        java.nio.ByteBuffer bad = java.nio.ByteBuffer.allocate(40).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        bad.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        bad.putInt(0).putInt(0).putInt(0x7fffffff).putInt(0x7fffffff);
        Files.write(corrupt, bad.array());
        Run c = replay("-f", m.toString(), "--in", corrupt.toString(), "--out", out.toString(), "--dataplane", "userspace");
        assertThat(c.exit()).isEqualTo(2);
        assertThat(c.err()).contains("corrupt.pcap: record at byte 24 claims 2147483647 bytes: not a pcap record");
        Run format = replay("-f", m.toString(), "--in", corrupt.toString(), "--out", out.toString(), "--out-format", "csv");
        assertThat(format.exit()).isEqualTo(2);
        assertThat(format.err()).isEqualTo("hotline: --out-format csv: same, pcap or pcapng\n");

        Path in = writeInput(dir, storyFrames());
        Run badManifest = replay("-f", dir.resolve("none.yaml").toString(), "--in", in.toString(), "--out", out.toString());
        assertThat(badManifest.exit()).isEqualTo(2);
        assertThat(badManifest.err()).isEqualTo("hotline: " + dir.resolve("none.yaml") + ": no such file\n");

        Run badOut = replay("-f", m.toString(), "--in", in.toString(), "--out", "/nonexistent-dir/out.pcap", "--dataplane", "userspace");
        assertThat(badOut.exit()).isEqualTo(2);
        assertThat(badOut.err()).contains("/nonexistent-dir/out.pcap: no such file or directory");

        Run badKind = replay("-f", m.toString(), "--in", in.toString(), "--out", out.toString(), "--dataplane", "gpu");
        assertThat(badKind.exit()).isEqualTo(2);
        assertThat(badKind.err()).startsWith("hotline: ").contains("gpu");
    }

    @Test
    void autoSaysWhichDataplaneItPicked(@TempDir Path dir) throws Exception {
        Path in = writeInput(dir, storyFrames());
        Run r = replay("-f", manifest(dir).toString(), "--in", in.toString(), "--out", dir.resolve("o.pcap").toString());
        assertThat(r.exit()).isZero();
        assertThat(r.err()).containsPattern("hotline: dataplane: (bpf|userspace)");
        int written = 0;
        try (CaptureReader reader = CaptureReader.open(dir.resolve("o.pcap"))) {
            while (reader.next()) {
                written++;
            }
        }
        assertThat(written).isEqualTo(3); // the RST to the empty Service was dropped
    }

    @Test
    void replayThroughTheKernelWritesTheSameFilesAsTheJavaTwin(@TempDir Path dir) throws Exception {
        Privileges.requireBpf();
        List<byte[]> frames = new ArrayList<>(storyFrames());
        frames.add(FrameBuilder.tcp().from("203.0.113.50", 45001).to("192.168.49.2", 30080).flags(Frame.TCP_SYN).build());
        frames.add(FrameBuilder.udp().from("10.1.1.10", 5000).to("10.96.0.53", 53).payload("q").build());
        Path in = writeInput(dir, frames);
        Path m = manifest(dir);
        for (String kind : List.of("userspace", "bpf")) {
            Run r = replay("-f", m.toString(), "--node-name", "node-1", "--in", in.toString(), "--out", dir.resolve(kind + ".pcap").toString(),
                    "--trace", dir.resolve(kind + ".jsonl").toString(), "--dataplane", kind);
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.err()).contains("dataplane: " + kind);
        }
        assertThat(Files.readAllBytes(dir.resolve("bpf.pcap"))).isEqualTo(Files.readAllBytes(dir.resolve("userspace.pcap")));
        assertThat(Files.readAllLines(dir.resolve("bpf.jsonl"))).isEqualTo(Files.readAllLines(dir.resolve("userspace.jsonl")));
    }
}
