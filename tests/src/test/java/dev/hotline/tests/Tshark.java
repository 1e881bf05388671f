package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The outside decoder: tshark reads a pcap we wrote and says, per frame, whether every IPv4, TCP,
 * UDP and ICMP checksum in it is right. Installed by tests/run; required under CI=true.
 */
public final class Tshark {
    static final Path TSHARK = Path.of("/usr/bin/tshark");

    private Tshark() {
    }

    public static boolean available() {
        return Files.isExecutable(TSHARK);
    }

    public static void require() {
        if (available()) {
            return;
        }
        if (Privileges.underCi()) {
            fail("CI=true but tshark is not installed (tests/run installs it as root)");
        }
        assumeTrue(false, "skipped: tshark is not installed (apt-get install tshark)");
    }

    /** One decoded frame: its fields as tshark printed them ("" when absent). */
    public record Decoded(int number, String protocols, String ipChecksum, String tcpChecksum, String udpChecksum,
                          String icmpChecksum, String summary) {
        /** tshark's checksum status: 0 bad, 1 good, 2 unverified; a frame may hold an inner header too (ICMP quotes). */
        boolean allChecksumsGood() {
            for (String field : List.of(ipChecksum, tcpChecksum, udpChecksum, icmpChecksum)) {
                for (String v : field.split(",")) {
                    if (v.equals("0")) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    public static List<Decoded> decode(Path pcap) throws IOException, InterruptedException {
        require();
        List<String> cmd = List.of(TSHARK.toString(), "-r", pcap.toString(), "-n",
                "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,",
                "-e", "frame.number", "-e", "frame.protocols", "-e", "ip.checksum.status", "-e", "tcp.checksum.status",
                "-e", "udp.checksum.status", "-e", "icmp.checksum.status", "-e", "_ws.col.Info");
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("tshark on %s", pcap).isZero();
        List<Decoded> frames = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\|", -1);
            frames.add(new Decoded(Integer.parseInt(f[0]), f[1], f[2], f[3], f[4], f[5], f.length > 6 ? f[6] : ""));
        }
        return frames;
    }

    /** Every frame of the capture decodes, and no checksum in it is wrong. */
    public static void assertChecksumsValid(Path pcap, int expectedFrames) throws IOException, InterruptedException {
        List<Decoded> frames = decode(pcap);
        assertThat(frames).hasSize(expectedFrames);
        for (Decoded d : frames) {
            assertThat(d.allChecksumsGood()).as("tshark finds a bad checksum in frame %d: %s", d.number(), d).isTrue();
        }
    }
}
