package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.bpf.BpfProgram;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent whose API server cannot be reached yet waits for its first cluster picture; a SIGTERM
 * in that state (a DaemonSet pod deleted, a rollout) stops it promptly with exit 0, rather than
 * leaving it for the kubelet's SIGKILL.
 */
class AgentStopBeforeSyncTest {

    @Test
    void sigtermBeforeTheFirstPictureStopsTheAgent(@TempDir Path dir) throws Exception {
        Privileges.requireBpf();
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: x, context: {cluster: c, user: u}}]
                current-context: x
                """);
        String pins = "/sys/fs/bpf/hotline-test-" + UUID.randomUUID().toString().substring(0, 8);
        Process agent = new ProcessBuilder(BpfProgramTest.javaBin(), "-Xmx256m", "-jar", BpfProgramTest.shadedJar().toString(),
                "agent", "--kube", "--kubeconfig", kubeconfig.toString(), "--node-name", "node-1", "--pin-dir", pins,
                "--cgroup", "none", "--health-address", "127.0.0.1:0", "--metrics-address", "127.0.0.1:0")
                .redirectErrorStream(true).start();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = in.readLine()) != null) {
                    lines.add(l);
                }
            } catch (Exception e) {
                // the process went away
            }
        });
        reader.start();
        try {
            // loaded, and waiting for an API server that does not answer
            long until = System.currentTimeMillis() + 30_000;
            while (lines.stream().noneMatch(l -> l.contains("waiting for the first cluster picture from the API server at "
                    + "https://127.0.0.1:1")) && System.currentTimeMillis() < until) {
                Thread.sleep(50);
            }
            assertThat(lines).as("the agent says where it waits").anyMatch(l -> l.contains("https://127.0.0.1:1"));
            Thread.sleep(500);
            assertThat(agent.isAlive()).as(String.join("\n", lines)).isTrue();
            assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(agent.pid())).start().waitFor()).isZero();
            assertThat(agent.waitFor(20, TimeUnit.SECONDS)).as("stopped after SIGTERM:\n" + String.join("\n", lines)).isTrue();
            reader.join(5_000);
            assertThat(agent.exitValue()).as(String.join("\n", lines)).isZero();
            assertThat(lines).anyMatch(l -> l.contains("stopping before the first cluster picture arrived"));
        } finally {
            agent.destroyForcibly();
            agent.waitFor(10, TimeUnit.SECONDS);
            BpfProgram.unpin(pins);
        }
    }
}
