package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.net.Ipv4;
import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import dev.hotline.replay.PcapWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replay of a million frames, run as the real command in its own JVM with a small heap: a leak
 * per frame or per flow (conntrack that never forgets, buffers kept) runs it out of memory. Not
 * timed; speed is measured in bench/. Then the same capture cut short in its last record.
 */
class MillionFrameReplayTest {
    static final int CONNECTIONS = 250_000;

    @Test
    void aMillionFramesReplayInABoundedHeap(@TempDir Path dir) throws Exception {
        Path jar = BpfProgramTest.shadedJar();
        assertThat(jar).exists();
        Path manifest = dir.resolve("cluster.yaml");
        Files.writeString(manifest, Cluster.pod("one", "10.1.1.5", "node-1", "app: one", "")
                + Cluster.service("one", "ClusterIP", "10.96.0.30", "app: one", "{name: http, port: 80, targetPort: 8080}"));
        Path in = dir.resolve("in.pcap");
        // SYN, SYN-ACK, FIN, FIN per connection, 100 µs apart: flows open and close over 100 s of capture time
        byte[][] templates = new byte[4][];
        long frame = 0;
        try (PcapWriter w = new PcapWriter(in, true)) {
            for (int c = 0; c < CONNECTIONS; c++) {
                int client = Ipv4.parse("10.2.0.0").value() + (c >>> 14);
                int port = 1024 + (c & 0x3fff);
                templates[0] = FrameBuilder.tcp().from(client, port).to("10.96.0.30", 80).flags(Frame.TCP_SYN).seq(c).build();
                templates[1] = FrameBuilder.tcp().from("10.1.1.5", 8080).to(client, port).flags(Frame.TCP_SYN | Frame.TCP_ACK_FLAG).build();
                templates[2] = FrameBuilder.tcp().from(client, port).to("10.96.0.30", 80).flags(Frame.TCP_FIN | Frame.TCP_ACK_FLAG).build();
                templates[3] = FrameBuilder.tcp().from("10.1.1.5", 8080).to(client, port).flags(Frame.TCP_FIN | Frame.TCP_ACK_FLAG).build();
                for (byte[] t : templates) {
                    long ns = frame * 100_000L;
                    w.write(t, t.length, t.length, 1_000_000 + ns / 1_000_000_000L, (int) (ns % 1_000_000_000L));
                    frame++;
                }
            }
        }
        Path out = dir.resolve("out.pcap");
        Process p = new ProcessBuilder(BpfProgramTest.javaBin(), "-Xmx192m", "-jar", jar.toString(), "replay",
                "-f", manifest.toString(), "--node-name", "node-1", "--in", in.toString(), "--out", out.toString(),
                "--dataplane", "userspace").redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(600, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        assertThat(log).contains("replayed 1000000 frame(s) through the userspace dataplane, wrote 1000000");
        List<String> lines = log.lines().map(String::trim).toList();
        assertThat(lines).contains("dnat       500000", "reverse    500000");
        assertThat(Files.size(out)).isEqualTo(Files.size(in));

        // the same capture cut in its last record (tcpdump killed): 999 999 frames, one warning, exit 0
        Path cut = dir.resolve("cut.pcap");
        try (var src = java.nio.channels.FileChannel.open(in); var dst = java.nio.channels.FileChannel.open(cut,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            src.transferTo(0, Files.size(in) - 7, dst);
        }
        Process q = new ProcessBuilder(BpfProgramTest.javaBin(), "-Xmx192m", "-jar", jar.toString(), "replay",
                "-f", manifest.toString(), "--node-name", "node-1", "--in", cut.toString(), "--out", dir.resolve("cut-out.pcap").toString(),
                "--dataplane", "userspace").redirectErrorStream(true).start();
        String cutLog = new String(q.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(q.waitFor(600, TimeUnit.SECONDS)).isTrue();
        assertThat(q.exitValue()).as(cutLog).isZero();
        assertThat(cutLog).contains("replayed 999999 frame(s) through the userspace dataplane");
        assertThat(cutLog.lines().filter(l -> l.startsWith("warning: ") && l.contains("cut short"))).singleElement().asString()
                .contains("cut.pcap is cut short in its last record");
    }
}
