package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.tests.lab.Lab;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * `hotline watch` on node-1's interfaces while the BPF agent serves the lab: a client's connection
 * to the ClusterIP shows as dnat on the client's interface and as reverse, to the same backend, on
 * the backend's, in both output formats; the frames it captures still reach their pods (watch sends
 * nothing and changes nothing).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WatchEndToEndTest {
    AgentLab env;
    Lab lab;

    @BeforeAll
    void setUp() throws Exception {
        env = AgentLab.start();
        lab = env.lab;
    }

    @AfterAll
    void tearDown() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    private Lab.Running watch(String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(BpfProgramTest.javaBin(), "-Xmx128m", "-jar", BpfProgramTest.shadedJar().toString(),
                "watch", "-i", "vk", "-i", "va", "-i", "vb", "-f", env.manifests.toString(), "--node-name", "node-1"));
        cmd.addAll(List.of(extra));
        Lab.Running w = lab.startWithHostMounts(lab.node1, cmd);
        w.await("hotline: watch: capturing on vk, va, vb", 30_000);
        return w;
    }

    @Test
    void aClusterIpConnectionShowsAsDnatThenReverseToTheSameBackend() throws Exception {
        Lab.Running w = watch("-o", "jsonl");
        try {
            List<String> answers = lab.client(lab.client, "get", AgentLab.CLUSTER_IP, "80", "1");
            assertThat(answers).hasSize(1).allMatch(l -> l.startsWith("pod="), "the connection is answered while watched");
            String pod = AgentLab.field(answers.get(0), "pod");
            String backend = (pod.equals("pod-a") ? "10.244.1.2" : "10.244.1.3") + ":8080";
            String dnat = w.await("\"verdict\":\"dnat\"", 5_000);
            assertThat(dnat).startsWith("{\"index\":").contains("\"service\":\"default/web:http\"")
                    .contains("\"backend\":\"" + backend + "\"").contains("\"interface\":\"vk\"");
            String reverse = w.await("\"verdict\":\"reverse\"", 5_000);
            assertThat(reverse).contains("\"service\":\"default/web:http\"").contains("\"backend\":\"" + backend + "\"")
                    .contains("\"interface\":\"" + (pod.equals("pod-a") ? "va" : "vb") + "\"");
        } finally {
            // a signal, not Process.destroy (which also closes the pipe the summary comes through)
            new ProcessBuilder("kill", "-TERM", Long.toString(w.process.pid())).start().waitFor();
        }
        assertThat(w.waitForLines()).anySatisfy(l -> assertThat(l).contains("hotline: watch: ").contains("frame(s)"));
    }

    @Test
    void textLinesNameTheFrameBeforeAndAfter() throws Exception {
        java.nio.file.Path leaving = java.nio.file.Files.createTempFile("hotline-watch", ".pcap");
        Lab.Running w = watch("-c", "4", "--out", leaving.toString());
        lab.client(lab.client, "get", AgentLab.CLUSTER_IP, "80", "2");
        List<String> lines = w.waitForLines();
        assertThat(w.process.exitValue()).isZero();
        assertThat(lines).anySatisfy(l -> assertThat(l).matches(
                "\\d\\d:\\d\\d:\\d\\d\\.\\d{6} vk tcp 10\\.244\\.1\\.10:\\d+ > 10\\.96\\.0\\.10:80 \\[S\\] : dnat default/web:http "
                        + "backend 10\\.244\\.1\\.[23]:8080 => tcp 10\\.244\\.1\\.10:\\d+ > 10\\.244\\.1\\.[23]:8080 \\[S\\]"));
        assertThat(lines).anySatisfy(l -> assertThat(l).matches(
                ".* v[ab] tcp 10\\.244\\.1\\.[23]:8080 > 10\\.244\\.1\\.10:\\d+ \\[S\\.\\] : reverse default/web:http backend "
                        + "10\\.244\\.1\\.[23]:8080 => tcp 10\\.96\\.0\\.10:80 > 10\\.244\\.1\\.10:\\d+ \\[S\\.\\]"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("hotline: watch: 4 frame(s)"));
        // what would leave, read by an outside decoder: the four frames, translated. (Their TCP checksums are
        // what the pod's stack left for the veth's checksum offload to finish, in the capture as in tcpdump's.)
        try {
            Tshark.require();
            // the request as it leaves toward the pod's port, the reply as it leaves from the Service's
            assertThat(Tshark.decode(leaving)).hasSize(4).anySatisfy(d -> assertThat(d.summary()).contains(" → 8080 "))
                    .anySatisfy(d -> assertThat(d.summary()).startsWith("80 → "));
        } finally {
            java.nio.file.Files.deleteIfExists(leaving);
        }
    }

    @Test
    void badInterfaceAndFormatAreOneLineAndExit2() throws Exception {
        List<String> cmd = List.of(BpfProgramTest.javaBin(), "-jar", BpfProgramTest.shadedJar().toString(), "watch", "-i", "nope0",
                "-f", env.manifests.toString(), "--node-name", "node-1");
        Lab.Running w = lab.startWithHostMounts(lab.node1, cmd);
        List<String> lines = w.waitForLines();
        assertThat(w.process.exitValue()).isEqualTo(2);
        assertThat(lines).hasSize(1).allSatisfy(l -> assertThat(l).startsWith("hotline: watch: -i nope0: "));
        Lab.Running f = lab.startWithHostMounts(lab.node1, List.of(BpfProgramTest.javaBin(), "-jar",
                BpfProgramTest.shadedJar().toString(), "watch", "-i", "vk", "-o", "pcap", "-f", env.manifests.toString()));
        assertThat(f.waitForLines()).containsExactly("hotline: watch: -o pcap: text or jsonl");
        assertThat(f.process.exitValue()).isEqualTo(2);
    }
}
