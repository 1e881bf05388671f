package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.tests.lab.Lab;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The agent with the user-space dataplane in the namespace lab, with netfilter conntrack on and
 * INVALID drops as on a real node, running with only NET_RAW and NET_ADMIN, so that no BPF program
 * could be loaded at all, and `--dataplane auto` finds so and takes the user-space dataplane: the
 * scenarios the BPF agent passes, and no BPF program or tc filter of ours anywhere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserspaceAgentEndToEndTest {
    static final String CLUSTER_IP = AgentLab.CLUSTER_IP;
    AgentLab env;
    Lab lab;
    java.nio.file.Path conntrackFile;

    @BeforeAll
    void setUp() throws Exception {
        conntrackFile = java.nio.file.Files.createTempDirectory("hotline-userspace").resolve("conntrack");
        // auto, on a node where BPF is out of reach (no CAP_BPF, no CAP_SYS_ADMIN): the user-space dataplane
        env = AgentLab.start("", "--dataplane", "auto", "--conntrack-file", conntrackFile.toString());
        lab = env.lab;
    }

    @AfterAll
    void tearDown() throws Exception {
        if (env != null) {
            env.close();
        }
        java.nio.file.Files.deleteIfExists(conntrackFile);
        java.nio.file.Files.deleteIfExists(conntrackFile.getParent());
    }

    @Test
    void aConnectionThroughTheClusterIpCarriesOnAcrossAnAgentRestart() throws Exception {
        // the user-space agent's restart leaves a gap of a few seconds (no one takes the frames over): TCP
        // retransmits through it, and the client's reads wait up to 15 s
        Lab.Running hold = lab.clientProcess(lab.client, "hold", CLUSTER_IP, "80", "12", "100", "15000");
        String first = hold.await("pod=", 10_000);
        new ProcessBuilder("kill", "-TERM", Long.toString(env.agent.process.pid())).start().waitFor();
        assertThat(env.agent.process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(java.nio.file.Files.exists(conntrackFile)).as("conntrack saved at stop").isTrue();
        env.agent = env.startAgent();
        assertThat(env.agent.lines()).anySatisfy(l -> assertThat(l).contains("conntrack of the previous agent restored: "));
        List<String> held = hold.waitForLines();
        assertThat(hold.process.exitValue()).as(String.join("\n", held) + "\nagent:\n" + String.join("\n", env.agent.lines())).isZero();
        assertThat(held).allSatisfy(l -> assertThat(AgentLab.field(l, "pod")).isEqualTo(AgentLab.field(first, "pod")));
    }

    @Test
    void noBpfProgramOrTcFilterOfOursIsAnywhere() throws Exception {
        assertThat(env.agent.lines()).anySatisfy(l -> assertThat(l).contains("--dataplane auto: the user-space dataplane, as the "
                + "BPF one cannot run here: not privileged"));
        assertThat(env.agent.lines()).anySatisfy(l -> assertThat(l).contains("ready").contains("user-space dataplane"));
        for (String dev : List.of("va", "vb", "vk", "up0", "n12")) {
            assertThat(lab.in(lab.node1, "tc", "filter", "show", "dev", dev, "ingress")).as(dev).isBlank();
        }
        assertThat(java.nio.file.Files.exists(java.nio.file.Path.of(env.pins))).as("no pins").isFalse();
        assertThat(lab.in(lab.node1, "nft", "list", "table", "netdev", "hotline")).contains("chain in_va").contains("10.96.0.10 . tcp . 80");
    }

    @Test
    void clusterIpConnectionsReachEveryBackend() throws Exception {
        LabScenarios.clusterIpReachesEveryBackend(lab, 20);
    }

    @Test
    void numericTargetPortsAndUdpThroughTheClusterIp() throws Exception {
        LabScenarios.numericTargetPortAndUdp(lab, 4, 10);
    }

    @Test
    void nodePortFromOutsideKeepsTheClientAddressForALocalBackend() throws Exception {
        LabScenarios.nodePortKeepsTheClientForALocalBackend(lab, 4);
    }

    @Test
    void nodePortToABackendOnTheOtherNodeIsSnatedAndItsRepliesComeBack() throws Exception {
        LabScenarios.nodePortToTheOtherNodeIsSnated(lab, 4);
    }

    @Test
    void aServiceWithoutEndpointsRefusesAtOnce() throws Exception {
        LabScenarios.aServiceWithoutEndpointsRefusesTcpAtOnce(lab, 2);
    }

    @Test
    void aRemovedPodGetsNoNewConnectionsPromptlyWhileALongConnectionToAnotherKeepsWorking() throws Exception {
        Lab.Running hold = lab.clientProcess(lab.client, "hold", CLUSTER_IP, "80", "6", "100");
        String survivor = AgentLab.field(hold.await("pod=", 10_000), "pod");
        boolean removeB = survivor.equals("pod-a");
        Lab.Running agent = env.agent;
        int seen = agent.lines().size();
        long edited = System.currentTimeMillis();
        java.nio.file.Files.writeString(env.cluster, AgentLab.manifest(removeB, !removeB));
        try {
            agent.awaitAfter(seen, "applied services", 5_000);
            assertThat(System.currentTimeMillis() - edited).isLessThan(AgentLab.CHANGE_LIMIT_MS);
            List<String> after = lab.client(lab.client, "get", CLUSTER_IP, "80", "12");
            assertThat(after).hasSize(12).allMatch(l -> l.startsWith("pod="));
            assertThat(AgentLab.pods(after)).doesNotContain(removeB ? "pod-b" : "pod-a");
            List<String> held = hold.waitForLines();
            assertThat(hold.process.exitValue()).as(String.join("\n", held)).isZero();
            assertThat(held).allSatisfy(l -> assertThat(AgentLab.field(l, "pod")).isEqualTo(survivor));
        } finally {
            int before = agent.lines().size();
            java.nio.file.Files.writeString(env.cluster, AgentLab.manifest(true, true));
            agent.awaitAfter(before, "applied services", 5_000);
        }
    }

    @Test
    void aKilledAgentLeavesTheKernelEverythingOnceItsLeaseRunsOutAndARestartServesAgain() throws Exception {
        env.agent.process.destroyForcibly(); // SIGKILL: the table stays, its lease runs out
        assertThat(env.agent.process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        Thread.sleep(6_000);
        assertThat(lab.in(lab.node1, "nft", "list", "table", "netdev", "hotline")).contains("chain in_va");
        // a client talking to a backend by its pod IP: the backend's replies are the kernel's again
        assertThat(lab.client(lab.client, "get", "10.244.1.2", "8080", "2")).hasSize(2).allMatch(l -> l.startsWith("pod=pod-a"));
        env.agent = env.startAgent();
        assertThat(lab.client(lab.client, "get", CLUSTER_IP, "80", "6")).hasSize(6).allMatch(l -> l.startsWith("pod="));
    }

    @Test
    void metricsCountWhatWentBackThroughTheRawSocketAndWhatWasLost() throws Exception {
        LabScenarios.clusterIpReachesEveryBackend(lab, 4);
        List<String> lines = lab.in(lab.node1, "curl", "-s", "http://127.0.0.1:10249/metrics").lines().toList();
        assertThat(lines).anySatisfy(l -> {
            assertThat(l).startsWith("hotline_translated_frames_total{path=\"raw_socket\"} ");
            assertThat(Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).isGreaterThanOrEqualTo(4 * 2);
        });
        assertThat(lines).contains("hotline_lost_frames_total{reason=\"capture_ring\"} 0.0");
    }

    @Test
    void versionSaysWhichDataplaneAutoWouldRun() throws Exception {
        String out = lab.in(lab.node1, BpfProgramTest.javaBin(), "-jar", BpfProgramTest.shadedJar().toString(), "version");
        assertThat(out).contains("userspace dataplane on live interfaces: available").contains("agent --dataplane auto would run: bpf");
    }

    @Test
    void trafficNotAddressedToAServiceIsUntouched() throws Exception {
        LabScenarios.trafficNotAddressedToAServiceIsUntouched(lab);
    }
}
