package dev.hotline.tests;

import static dev.hotline.tests.ReplayCommandTest.manifest;
import static dev.hotline.tests.ReplayCommandTest.replay;
import static dev.hotline.tests.ReplayCommandTest.storyFrames;
import static dev.hotline.tests.ReplayCommandTest.writeInput;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What replay writes: never over an input, never half a file, a summary that adds up, one-line errors. */
class ReplayOutputsTest {

    @Test
    void anOutputNamingAnInputIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
        Path in = writeInput(dir, storyFrames());
        Path m = manifest(dir);
        byte[] manifestBefore = Files.readAllBytes(m);
        byte[] inBefore = Files.readAllBytes(in);
        ReplayCommandTest.Run traceOverManifest = replay("-f", m.toString(), "--node-name", "node-1", "--in", in.toString(),
                "--out", dir.resolve("out.pcap").toString(), "--trace", m.toString(), "--dataplane", "userspace");
        assertThat(traceOverManifest.exit()).isEqualTo(2);
        assertThat(traceOverManifest.err()).isEqualTo("hotline: --trace " + m + " is also an input (-f); write the output to another file\n");
        // a manifest inside a directory given with -f counts too, and so does the capture
        ReplayCommandTest.Run outOverIn = replay("-f", dir.toString(), "--node-name", "node-1", "--in", in.toString(),
                "--out", dir.resolve(".").resolve("in.pcap").toString(), "--dataplane", "userspace");
        assertThat(outOverIn.exit()).isEqualTo(2);
        assertThat(outOverIn.err()).contains("is also an input (--in)");
        ReplayCommandTest.Run outIsTrace = replay("-f", m.toString(), "--node-name", "node-1", "--in", in.toString(),
                "--out", dir.resolve("x").toString(), "--trace", dir.resolve("x").toString(), "--dataplane", "userspace");
        assertThat(outIsTrace.exit()).isEqualTo(2);
        assertThat(outIsTrace.err()).isEqualTo("hotline: --out and --trace name the same file, " + dir.resolve("x") + "\n");
        assertThat(Files.readAllBytes(m)).isEqualTo(manifestBefore);
        assertThat(Files.readAllBytes(in)).isEqualTo(inBefore);
        assertThat(dir.resolve("out.pcap")).doesNotExist();
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void aReplayThatFailsLeavesTheOldOutputsAndNoPartOfNewOnes(@TempDir Path dir) throws Exception {
        Path in = writeInput(dir, storyFrames());
        byte[] whole = Files.readAllBytes(in);
        // the second record claims more bytes than a capture holds: bad input, found halfway through
        Path broken = dir.resolve("broken.pcap");
        byte[] b = whole.clone();
        int second = 24 + 16 + (int) Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(whole, 24 + 8, 4)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
        java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(second + 8, 0x7fffffff);
        Files.write(broken, b);
        Path out = Files.writeString(dir.resolve("out.pcap"), "the old output");
        Path trace = Files.writeString(dir.resolve("trace.jsonl"), "the old trace");
        ReplayCommandTest.Run r = replay("-f", manifest(dir).toString(), "--node-name", "node-1", "--in", broken.toString(),
                "--out", out.toString(), "--trace", trace.toString(), "--dataplane", "userspace");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(Files.readString(out)).isEqualTo("the old output");
        assertThat(Files.readString(trace)).isEqualTo("the old trace");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
        }
        // and a replay that succeeds replaces them whole
        ReplayCommandTest.Run ok = replay("-f", manifest(dir).toString(), "--node-name", "node-1", "--in", in.toString(),
                "--out", out.toString(), "--trace", trace.toString(), "--dataplane", "userspace");
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(Files.readAllLines(trace)).hasSize(4);
    }

    @Test
    void theSummarysReasonsAddUpToWhatPassedOrWasDropped(@TempDir Path dir) throws Exception {
        Path in = writeInput(dir, storyFrames());
        ReplayCommandTest.Run r = replay("-f", manifest(dir).toString(), "--node-name", "node-1", "--in", in.toString(),
                "--out", dir.resolve("out.pcap").toString(), "--dataplane", "userspace");
        assertThat(r.exit()).isZero();
        String out = r.out();
        long passed = count(out, "pass");
        long dropped = count(out, "drop");
        String reasons = out.substring(out.indexOf("passed or dropped because:"), out.indexOf("by service:"));
        long sum = 0;
        Matcher m = Pattern.compile("\\s(\\d+)\\n").matcher(reasons);
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        assertThat(reasons).contains("not addressed to a Service");
        assertThat(sum).isEqualTo(passed + dropped).isPositive();
        // an unnamed port in the summary is "ns/name:port"
        assertThat(out).doesNotContain(": \n").doesNotContain(":  ");
    }

    private static long count(String summary, String verdict) {
        Matcher m = Pattern.compile("\\n  " + Pattern.quote(verdict) + "\\s+(\\d+)\\n").matcher(summary);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void replayReadsAndWritesCapturesWithoutLibpcap(@TempDir Path dir) throws Exception {
        Path in = writeInput(dir, storyFrames());
        Process p = new ProcessBuilder(BpfProgramTest.javaBin(), "-Dorg.pcap4j.core.pcapLibName=" + dir.resolve("no-libpcap.so"),
                "-jar", BpfProgramTest.shadedJar().toString(), "replay", "-f", manifest(dir).toString(), "--node-name", "node-1",
                "--in", in.toString(), "--out", dir.resolve("out.pcap").toString(), "--dataplane", "userspace")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        // files are read and written by hotline's own pcap/pcapng code: libpcap is for live interfaces only
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("replayed 4 frame(s) through the userspace dataplane, wrote 3");
    }

    /**
     * A capture cut short in its last record (tcpdump killed): every whole record is replayed and
     * written, one warning says where the file was cut, exit 0.
     */
    @Test
    void aCaptureCutShortInItsLastRecordReplaysEveryWholeOneAndWarnsOnce(@TempDir Path dir) throws Exception {
        Path in = writeInput(dir, storyFrames());
        byte[] whole = Files.readAllBytes(in);
        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 5));
        Path out = dir.resolve("out.pcap");
        Path trace = dir.resolve("trace.jsonl");
        ReplayCommandTest.Run r = replay("-f", manifest(dir).toString(), "--node-name", "node-1", "--in", cut.toString(),
                "--out", out.toString(), "--trace", trace.toString(), "--dataplane", "userspace");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("replayed 3 frame(s)");
        assertThat(Files.readAllLines(trace)).hasSize(3);
        assertThat(r.err().lines().filter(l -> l.startsWith("warning: "))).singleElement().asString()
                .contains("cut.pcap is cut short in its last record (at byte ").contains("every whole record before it was replayed");
        // and tshark reads what was written, every checksum right
        java.util.regex.Matcher wrote = java.util.regex.Pattern.compile("wrote ([0-9]+)").matcher(r.out());
        assertThat(wrote.find()).isTrue();
        Tshark.assertChecksumsValid(out, Integer.parseInt(wrote.group(1)));
    }
}
