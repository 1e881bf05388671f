package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.bpf.BpfProgram;
import dev.hotline.tests.lab.Lab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The proof: `hotline agent` running in a node namespace as its own process, real servers and
 * clients in pod namespaces speaking TCP (HTTP) and UDP, ClusterIP and NodePort, one node and two.
 * Every assertion is about what a client actually received.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentEndToEndTest {
    static final String CLUSTER_IP = "10.96.0.10";
    Lab lab;
    Path manifests;
    Path cluster;
    String pins;
    Lab.Running agent;

    static String manifest(boolean withPodB) {
        String ports = "{name: http, containerPort: 8080}, {name: alt, containerPort: 8081}, {name: dns, containerPort: 5353, protocol: UDP}";
        return Cluster.node("node-1", "192.168.77.1") + Cluster.node("node-2", "10.10.0.2")
                + Cluster.pod("pod-a", "10.244.1.2", "node-1", "app: web, tier: a", ports)
                + (withPodB ? Cluster.pod("pod-b", "10.244.1.3", "node-1", "app: web, tier: b", ports) : "")
                + Cluster.pod("pod-c", "10.244.2.2", "node-2", "app: remote", ports)
                + Cluster.service("web", "NodePort", CLUSTER_IP, "app: web",
                        "{name: http, port: 80, targetPort: http, nodePort: 30080}, {name: alt, port: 8081, targetPort: 8081, nodePort: 30083}, "
                                + "{name: dns, port: 53, protocol: UDP, targetPort: dns, nodePort: 30053}")
                + Cluster.service("only-a", "NodePort", "10.96.0.11", "tier: a", "{name: http, port: 80, targetPort: 8080, nodePort: 30081}")
                + Cluster.service("remote", "NodePort", "10.96.0.12", "app: remote", "{name: http, port: 80, targetPort: 8080, nodePort: 30082}")
                + Cluster.service("empty", "ClusterIP", "10.96.0.99", "app: nothing", "{name: http, port: 80}, {name: dns, port: 53, protocol: UDP}")
                + Cluster.service("dead-port", "ClusterIP", "10.96.0.15", "tier: a", "{name: dns, port: 53, protocol: UDP, targetPort: 5999}");
    }

    Lab.Running startAgent() throws Exception {
        Lab.Running a = lab.startWithHostMounts(lab.node1, List.of(BpfProgramTest.javaBin(), "-Xmx256m", "-jar", BpfProgramTest.shadedJar().toString(),
                "agent", "-f", manifests.toString(), "--attach", "v*", "--attach", "up0", "--attach", "n12",
                "--node-name", "node-1", "--pin-dir", pins, "--conntrack-max", "65536"));
        a.await("hotline agent: ready", 60_000);
        return a;
    }

    @BeforeAll
    void setUp() throws Exception {
        Privileges.requireBpf();
        lab = Lab.build();
        pins = "/sys/fs/bpf/hotline-e2e-" + lab.id;
        manifests = Files.createTempDirectory("hotline-e2e");
        cluster = manifests.resolve("cluster.yaml");
        Files.writeString(cluster, manifest(true));
        lab.startServer(lab.podA, "pod-a", "tcp=8080,8081", "udp=5353");
        lab.startServer(lab.podB, "pod-b", "tcp=8080,8081", "udp=5353");
        lab.startServer(lab.podC, "pod-c", "tcp=8080,8081", "udp=5353");
        agent = startAgent();
    }

    @AfterAll
    void tearDown() throws Exception {
        if (agent != null) {
            agent.process.destroyForcibly();
            agent.process.waitFor(10, TimeUnit.SECONDS);
        }
        if (lab != null) {
            lab.close();
        }
        if (pins != null) {
            BpfProgram.unpin(pins);
        }
        if (manifests != null) {
            try (var s = Files.list(manifests)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(manifests);
        }
    }

    static Set<String> pods(List<String> answers) {
        return answers.stream().filter(l -> l.startsWith("pod=")).map(l -> l.split(" ")[0].substring(4)).collect(Collectors.toCollection(TreeSet::new));
    }

    static String field(String answer, String name) {
        for (String part : answer.split(" ")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        return null;
    }

    @Test
    @Order(1)
    void clusterIpConnectionsReachEveryBackend() throws Exception {
        List<String> answers = lab.client(lab.client, "get", CLUSTER_IP, "80", "30");
        assertThat(answers).hasSize(30).allMatch(l -> l.startsWith("pod="), "every connection answered");
        assertThat(pods(answers)).containsExactly("pod-a", "pod-b");
        // the server saw the client pod itself (no SNAT on ClusterIP), on the named target port
        assertThat(answers).allSatisfy(l -> {
            assertThat(field(l, "client")).startsWith("10.244.1.10:");
            assertThat(field(l, "local")).isEqualTo("8080");
        });
    }

    @Test
    @Order(2)
    void numericTargetPortsMultiportAndUdpThroughTheClusterIp() throws Exception {
        List<String> alt = lab.client(lab.client, "get", CLUSTER_IP, "8081", "6");
        assertThat(alt).hasSize(6).allSatisfy(l -> assertThat(field(l, "local")).isEqualTo("8081"));
        List<String> udp = lab.client(lab.client, "udp", CLUSTER_IP, "53", "20");
        assertThat(udp).hasSize(20).allSatisfy(l -> {
            assertThat(l).startsWith("pod=");
            assertThat(field(l, "local")).isEqualTo("5353");
            // the reply came from the ClusterIP and port the client sent to
            assertThat(field(l, "from")).isEqualTo(CLUSTER_IP + ":53");
        });
        assertThat(pods(udp)).containsExactly("pod-a", "pod-b");
    }

    @Test
    @Order(3)
    void nodePortFromOutsideKeepsTheClientAddressForALocalBackend() throws Exception {
        List<String> answers = lab.client(lab.ext, "get", "192.168.77.1", "30081", "5");
        assertThat(answers).hasSize(5).allSatisfy(l -> {
            assertThat(field(l, "pod")).isEqualTo("pod-a");
            assertThat(field(l, "client")).startsWith("192.168.77.100:");
        });
        List<String> spread = lab.client(lab.ext, "get", "192.168.77.1", "30080", "20");
        assertThat(pods(spread)).containsExactly("pod-a", "pod-b");
        List<String> udp = lab.client(lab.ext, "udp", "192.168.77.1", "30053", "4");
        assertThat(udp).allSatisfy(l -> assertThat(field(l, "from")).isEqualTo("192.168.77.1:30053"));
    }

    @Test
    @Order(4)
    void nodePortToABackendOnTheOtherNodeIsSnatedAndItsRepliesComeBack() throws Exception {
        List<String> answers = lab.client(lab.ext, "get", "192.168.77.1", "30082", "5");
        assertThat(answers).hasSize(5).allSatisfy(l -> {
            assertThat(field(l, "pod")).isEqualTo("pod-c");
            // node-2's pod saw node-1's address: the reply had to come back through node-1
            String client = field(l, "client");
            assertThat(client).startsWith("192.168.77.1:");
            assertThat(Integer.parseInt(client.split(":")[1])).isBetween(61000, 65535);
        });
    }

    @Test
    @Order(5)
    void aRemovedPodGetsNoNewConnectionsWithinASecondWhileALongConnectionToAnotherKeepsWorking() throws Exception {
        Lab.Running hold = lab.clientProcess(lab.client, "hold", CLUSTER_IP, "80", "6", "100");
        String first = hold.await("pod=", 10_000);
        String survivor = field(first, "pod");
        boolean removeB = survivor.equals("pod-a");
        int seen = agent.lines().size();
        long edited = System.currentTimeMillis();
        String text = manifest(true);
        if (removeB) {
            Files.writeString(cluster, manifest(false));
        } else {
            Files.writeString(cluster, text.replace(Cluster.pod("pod-a", "10.244.1.2", "node-1", "app: web, tier: a",
                    "{name: http, containerPort: 8080}, {name: alt, containerPort: 8081}, {name: dns, containerPort: 5353, protocol: UDP}"), ""));
        }
        String applied = agent.awaitAfter(seen, "applied services", 5_000);
        long picked = System.currentTimeMillis() - edited;
        // pod-b backs three ports; pod-a those three and the dead-port Service's too
        String backends = removeB ? "3" : "4";
        assertThat(applied).contains("backends +0 -" + backends);
        assertThat(picked).as("ms from the edit to the applied change").isLessThan(1000);
        String gone = removeB ? "pod-b" : "pod-a";
        List<String> after = lab.client(lab.client, "get", CLUSTER_IP, "80", "20");
        assertThat(after).hasSize(20).allMatch(l -> l.startsWith("pod="));
        assertThat(pods(after)).doesNotContain(gone);
        List<String> held = hold.waitForLines();
        assertThat(hold.process.exitValue()).as(String.join("\n", held)).isZero();
        assertThat(held.size()).isGreaterThan(20);
        assertThat(held).allSatisfy(l -> assertThat(field(l, "pod")).isEqualTo(survivor));
        // put it back for what follows
        int before = agent.lines().size();
        Files.writeString(cluster, text);
        assertThat(agent.awaitAfter(before, "applied services", 5_000)).contains("backends +" + backends + " -0");
    }

    @Test
    @Order(6)
    void aServiceWithoutEndpointsRefusesAtOnce() throws Exception {
        List<String> tcp = lab.client(lab.client, "get", "10.96.0.99", "80", "3");
        assertThat(tcp).hasSize(3).allSatisfy(l -> {
            assertThat(l).startsWith("error refused after ");
            assertThat(Long.parseLong(l.split(" ")[3])).as("refused, not timed out").isLessThan(500);
        });
        List<String> udp = lab.client(lab.client, "udp", "10.96.0.99", "53", "2");
        assertThat(udp).hasSize(2).allMatch(l -> l.startsWith("error unreachable after "));
        // and a ClusterIP on a port no Service defines
        assertThat(lab.client(lab.client, "get", CLUSTER_IP, "443", "1")).singleElement().asString().startsWith("error refused");
        // a backend whose port is closed answers ICMP port unreachable about the translated datagram:
        // translated back, it reaches the client's socket, which fails at once instead of timing out
        List<String> dead = lab.client(lab.client, "udp", "10.96.0.15", "53", "2");
        assertThat(dead).hasSize(2).allSatisfy(l -> {
            assertThat(l).startsWith("error unreachable after ");
            assertThat(Long.parseLong(l.split(" ")[3])).isLessThan(1000);
        });
    }

    @Test
    @Order(7)
    void trafficNotAddressedToAServiceIsUntouched() throws Exception {
        List<String> direct = lab.client(lab.client, "get", "10.244.1.2", "8080", "3");
        assertThat(direct).hasSize(3).allSatisfy(l -> {
            assertThat(field(l, "pod")).isEqualTo("pod-a");
            assertThat(field(l, "client")).startsWith("10.244.1.10:");
        });
        assertThat(lab.client(lab.ext, "get", "10.244.2.2", "8080", "1")).singleElement().asString().startsWith("pod=pod-c");
    }

    @Test
    @Order(8)
    void aManifestFileAddedOrRemovedIsPickedUpWithinASecond() throws Exception {
        Path extra = manifests.resolve("extra.yaml");
        int seen = agent.lines().size();
        long t0 = System.currentTimeMillis();
        Files.writeString(extra, Cluster.service("extra", "ClusterIP", "10.96.0.13", "tier: b", "{name: http, port: 80, targetPort: 8080}"));
        assertThat(agent.awaitAfter(seen, "applied services +1 -0", 5_000)).isNotNull();
        assertThat(System.currentTimeMillis() - t0).isLessThan(1000);
        assertThat(lab.client(lab.client, "get", "10.96.0.13", "80", "2")).allSatisfy(l -> assertThat(field(l, "pod")).isEqualTo("pod-b"));
        seen = agent.lines().size();
        t0 = System.currentTimeMillis();
        Files.delete(extra);
        assertThat(agent.awaitAfter(seen, "applied services +0 -1", 5_000)).isNotNull();
        assertThat(System.currentTimeMillis() - t0).isLessThan(1000);
    }

    @Test
    @Order(9)
    void aNewPodInterfaceIsAttachedByTheRescan() throws Exception {
        int seen = agent.lines().size();
        lab.in(lab.node1, "ip", "link", "add", "vnew", "type", "veth", "peer", "name", "vnew-peer");
        lab.in(lab.node1, "ip", "link", "set", "vnew", "up");
        assertThat(agent.awaitAfter(seen, "attached at tc ingress of vnew", 5_000)).isNotNull();
        assertThat(lab.in(lab.node1, "tc", "filter", "show", "dev", "vnew", "ingress")).contains("hotline_ingress");
        lab.in(lab.node1, "ip", "link", "del", "vnew");
    }

    @Test
    @Order(10)
    void killingAndRestartingTheAgentBreaksNoConnection() throws Exception {
        Lab.Running hold = lab.clientProcess(lab.client, "hold", CLUSTER_IP, "80", "8", "100");
        String first = hold.await("pod=", 10_000);
        agent.process.destroyForcibly(); // SIGKILL: no cleanup at all
        assertThat(agent.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        // with the agent dead the program stays attached: new connections still work
        List<String> whileDead = lab.client(lab.client, "get", CLUSTER_IP, "80", "5");
        assertThat(whileDead).allMatch(l -> l.startsWith("pod="));
        agent = startAgent();
        assertThat(agent.lines()).anyMatch(l -> l.contains("found pinned state"));
        List<String> afterRestart = lab.client(lab.client, "get", CLUSTER_IP, "80", "10");
        assertThat(afterRestart).hasSize(10).allMatch(l -> l.startsWith("pod="));
        List<String> held = hold.waitForLines();
        assertThat(hold.process.exitValue()).as(String.join("\n", held)).isZero();
        assertThat(held).allSatisfy(l -> assertThat(field(l, "pod")).isEqualTo(field(first, "pod")));
    }

    @Test
    @Order(11)
    void sigtermDetachesAndKeepsThePinsAndCleanupRemovesThem() throws Exception {
        assertThat(lab.in(lab.node1, "tc", "filter", "show", "dev", "va", "ingress")).contains("hotline_ingress");
        // SIGTERM (Process.destroy would also close our end of its output)
        assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(agent.process.pid())).start().waitFor()).isZero();
        assertThat(agent.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.process.exitValue()).isZero();
        assertThat(agent.waitForLines()).anyMatch(l -> l.contains("stopping: detached from 5 interface(s)"));
        for (String dev : List.of("va", "vb", "vk", "up0", "n12")) {
            assertThat(lab.in(lab.node1, "tc", "filter", "show", "dev", dev, "ingress")).as(dev).doesNotContain("hotline_ingress");
        }
        assertThat(Path.of(pins, "hl_ct_forward")).exists();
        List<String> cleanup = lab.startWithHostMounts(lab.node1, List.of(BpfProgramTest.javaBin(), "-jar", BpfProgramTest.shadedJar().toString(),
                "agent", "-f", manifests.toString(), "--pin-dir", pins, "--cleanup")).waitForLines();
        assertThat(cleanup).anyMatch(l -> l.contains("cleanup: detached from 0 interface(s), removed the pins under " + pins));
        assertThat(Path.of(pins)).doesNotExist();
        agent = null;
    }
}
