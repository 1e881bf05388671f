package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A machine without libpcap (simulated by pointing hotline at a library that is not there): watch
 * and the user-space agent say so in one line with the package to install, exit 2, and change nothing.
 */
class NoLibpcapTest {
    static List<String> run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(BpfProgramTest.javaBin(), "-Dorg.pcap4j.core.pcapLibName=/nonexistent/libpcap.so.9",
                "-jar", BpfProgramTest.shadedJar().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(2);
        return out.lines().toList();
    }

    @Test
    void watchAndTheUserspaceAgentNameThePackageToInstall() throws Exception {
        String manifests = java.nio.file.Path.of(System.getProperty("hotline.root", "..")).resolve("examples/seed").toString();
        assertThat(run("watch", "-i", "lo", "-f", manifests, "--node-name", "node-1")).containsExactly(
                "hotline: watch: live capture needs libpcap 1.5 or newer at run time, which this machine lacks "
                        + "(apt-get install libpcap0.8, or dnf install libpcap)");
        // (no --attach, so that nothing on this machine could be touched if the check ever came too late: the
        // agent warns about that first)
        assertThat(run("agent", "-f", manifests, "--node-name", "node-1", "--dataplane", "userspace", "--health-address", "none",
                "--metrics-address", "none")).last().isEqualTo(
                "hotline: agent: --dataplane userspace: the user-space dataplane needs libpcap 1.5 or newer at run time, which "
                        + "this machine lacks (apt-get install libpcap0.8, or dnf install libpcap)");
    }
}
