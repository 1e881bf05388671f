package dev.hotline.tests;

import static dev.hotline.tests.AgentLab.CLUSTER_IP;
import static dev.hotline.tests.AgentLab.field;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.tests.lab.Lab;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The agent's process going away and coming back; each test has a lab and an agent of its own. */
class AgentLifecycleEndToEndTest {
    AgentLab env;

    @BeforeEach
    void setUp() throws Exception {
        env = AgentLab.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    @Test
    void killingAndRestartingTheAgentBreaksNoConnection() throws Exception {
        Lab lab = env.lab;
        Lab.Running hold = lab.clientProcess(lab.client, "hold", CLUSTER_IP, "80", "8", "100");
        String first = hold.await("pod=", 10_000);
        env.agent.process.destroyForcibly(); // SIGKILL: no cleanup at all
        assertThat(env.agent.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        // with the agent dead the program stays attached: new connections still work
        List<String> whileDead = lab.client(lab.client, "get", CLUSTER_IP, "80", "5");
        assertThat(whileDead).allMatch(l -> l.startsWith("pod="));
        env.agent = env.startAgent();
        assertThat(env.agent.lines()).anyMatch(l -> l.contains("found pinned state"));
        List<String> afterRestart = lab.client(lab.client, "get", CLUSTER_IP, "80", "10");
        assertThat(afterRestart).hasSize(10).allMatch(l -> l.startsWith("pod="));
        List<String> held = hold.waitForLines();
        assertThat(hold.process.exitValue()).as(String.join("\n", held)).isZero();
        assertThat(held).allSatisfy(l -> assertThat(field(l, "pod")).isEqualTo(field(first, "pod")));
    }

    @Test
    void sigtermDetachesAndKeepsThePinsAndCleanupRemovesThem() throws Exception {
        Lab lab = env.lab;
        Lab.Running agent = env.agent;
        assertThat(lab.in(lab.node1, "tc", "filter", "show", "dev", "va", "ingress")).contains("hotline_ingress");
        // SIGTERM (Process.destroy would also close our end of its output)
        assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(agent.process.pid())).start().waitFor()).isZero();
        assertThat(agent.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.process.exitValue()).isZero();
        assertThat(agent.waitForLines()).anyMatch(l -> l.contains("stopping: detached from 5 interface(s)"));
        for (String dev : List.of("va", "vb", "vk", "up0", "n12")) {
            assertThat(lab.in(lab.node1, "tc", "filter", "show", "dev", dev, "ingress")).as(dev).doesNotContain("hotline_ingress");
        }
        assertThat(Path.of(env.pins, "hl_ct_forward")).exists();
        // the socket-level links stay: the next agent reaches the API server through them
        assertThat(Path.of(env.pins, "link_connect4")).exists();
        assertThat(lab.clientInCgroup(lab.node1, env.cgroup, "get", AgentLab.CLUSTER_IP, "80", "2"))
                .allMatch(l -> l.startsWith("pod="));
        List<String> cleanup = lab.startWithHostMounts(lab.node1, List.of(BpfProgramTest.javaBin(), "-jar",
                BpfProgramTest.shadedJar().toString(), "agent", "-f", env.manifests.toString(), "--pin-dir", env.pins,
                "--cleanup")).waitForLines();
        assertThat(cleanup).anyMatch(l -> l.contains("cleanup: detached from 0 interface(s) and the socket-level programs, "
                + "removed the pins under " + env.pins));
        assertThat(Path.of(env.pins)).doesNotExist();
        env.agent = null;
    }
}
