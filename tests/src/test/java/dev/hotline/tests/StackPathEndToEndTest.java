package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.tests.lab.Lab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The agent with --no-redirect: every translated frame goes up node-1's stack, where netfilter
 * conntrack is on and INVALID packets are dropped (iptables and nftables, as real nodes have
 * them). The notrack mark and hotline's own nftables rule keep both halves out of conntrack, so
 * translated connections work and leave no half-flow; without them (--notrack-mark 0) the same
 * connection is broken by the INVALID rule, which shows the rule really bites. Also: a pod's
 * interface made anew under its name is attached again within a second, and the socket-level
 * links pinned by one agent are taken over by the next.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StackPathEndToEndTest {
    static final String CLUSTER_IP = AgentLab.CLUSTER_IP;
    AgentLab env;
    Lab lab;

    @BeforeAll
    void setUp() throws Exception {
        // rescans only every minute: an interface made anew must be found by its link event
        env = AgentLab.start("", "--no-redirect", "--rescan-interval", "60s");
        lab = env.lab;
    }

    @AfterAll
    void tearDown() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    static String field(String answer, String name) {
        return AgentLab.field(answer, name);
    }

    @Test
    void translatedFlowsThroughTheStackAreUntrackedAndSurviveAnInvalidDropRule() throws Exception {
        assertThat(env.agent.lines()).anyMatch(l -> l.contains("left to the host stack (--no-redirect), those in the stack marked 0x2000 and untracked"));
        assertThat(lab.in(lab.node1, "nft", "list", "table", "ip", "hotline")).contains("notrack").contains("0x00002000");
        lab.in(lab.node1, "conntrack", "-F");
        long before = env.forwardedByNodeStack();
        List<String> tcp = lab.client(lab.client, "get", CLUSTER_IP, "80", "20");
        assertThat(tcp).hasSize(20).allMatch(l -> l.startsWith("pod="), "every connection answered");
        assertThat(AgentLab.pods(tcp)).containsExactly("pod-a", "pod-b");
        List<String> udp = lab.client(lab.client, "udp", CLUSTER_IP, "53", "10");
        assertThat(udp).hasSize(10).allSatisfy(l -> assertThat(field(l, "from")).isEqualTo(CLUSTER_IP + ":53"));
        List<String> remote = lab.client(lab.ext, "get", "192.168.77.1", "30082", "5");
        assertThat(remote).hasSize(5).allMatch(l -> l.startsWith("pod=pod-c"));
        List<String> hairpin = lab.client(lab.podA, "get", CLUSTER_IP, "80", "20");
        assertThat(hairpin).hasSize(20).allMatch(l -> l.startsWith("pod="));
        // through the stack this time: it forwarded them (the redirect lab's counter stays put)
        assertThat(env.forwardedByNodeStack() - before).as("datagrams node-1's stack forwarded").isGreaterThan(100);
        // untracked: no entry at all for the Service flows, so none UNREPLIED
        assertThat(env.nodeConntrack()).as("node-1 conntrack").filteredOn(l -> l.contains("dport=8080") || l.contains("dport=5353"))
                .isEmpty();
    }

    /** A restarted pod: its interface deleted and made again under the same name, new ifindex. */
    @Test
    void aPodInterfaceMadeAnewIsAttachedAgainWithinASecond() throws Exception {
        env.recreatePodBInterfaceAndAwaitAttach();
        // and it serves: pod-b's own connections to the Service are translated at its new interface
        List<String> answers = lab.client(lab.podB, "get", CLUSTER_IP, "80", "10");
        assertThat(answers).hasSize(10).allMatch(l -> l.startsWith("pod="));
    }

    /**
     * Another tc program after ours still sees what we translate when we leave it to the stack
     * (AgentEndToEndTest: with redirect, it sees what we pass).
     */
    @Test
    void aForeignFilterAfterOursSeesTranslatedFramesWithoutRedirect(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path obj = ForeignFilter.compile(dir);
        lab.in(lab.node1, "tc", "filter", "add", "dev", "vk", "ingress", "prio", "20000", "handle", "0x77", "bpf", "da", "obj",
                obj.toString(), "sec", "tc");
        try {
            assertThat(lab.client(lab.client, "udpmsg", CLUSTER_IP, "53", "2", "hello")).allMatch(l -> l.startsWith("pod="));
            assertThat(lab.client(lab.client, "udpmsg", CLUSTER_IP, "53", "1", "DROPME")).allMatch(l -> l.startsWith("error timeout"));
        } finally {
            lab.in(lab.node1, "tc", "filter", "del", "dev", "vk", "ingress", "prio", "20000", "handle", "0x77", "bpf");
        }
    }

    /**
     * The control: the same agent without the notrack mark. netfilter now sees the two halves of a
     * translated connection as unrelated flows, the SYN-ACK opens one and is INVALID, and the drop
     * rule breaks the connection. Then the notrack mark again, and the agent takes over the
     * socket-level links the previous one left pinned (SIGKILL leaves them attached).
     */
    @Test
    void withoutTheNotrackRuleTheInvalidDropBreaksTranslatedConnections() throws Exception {
        restartAgent("--no-redirect", "--notrack-mark", "0");
        try {
            assertThat(lab.in(lab.node1, "nft", "list", "tables")).doesNotContain("table ip hotline");
            long invalidBefore = invalidDrops();
            List<String> broken = lab.client(lab.client, "get", CLUSTER_IP, "80", "1");
            // the SYN-ACK, reverse-translated, opened a flow of its own: INVALID, dropped, and the
            // client waited for it in vain
            assertThat(broken).singleElement().satisfies(l -> assertThat(l).startsWith("error timeout"));
            assertThat(invalidDrops()).as("packets the INVALID rule dropped").isGreaterThan(invalidBefore);
        } finally {
            restartAgent("--no-redirect");
        }
        assertThat(env.agent.lines()).anyMatch(l -> l.contains("socket-level load balancing on cgroup " + env.cgroup
                + " (connect, sendmsg, recvmsg, getpeername; IPv4 and v4-mapped; taken over from the pinned links)"));
        assertThat(lab.clientInCgroup(lab.node1, env.cgroup, "get", CLUSTER_IP, "80", "3")).hasSize(3)
                .allMatch(l -> l.startsWith("pod="));
        assertThat(lab.client(lab.client, "get", CLUSTER_IP, "80", "3")).hasSize(3).allMatch(l -> l.startsWith("pod="));
    }

    /** Packets node-1's iptables "FORWARD -m conntrack --ctstate INVALID -j DROP" rule has dropped. */
    private long invalidDrops() throws Exception {
        for (String line : lab.in(lab.node1, "iptables", "-L", "FORWARD", "-v", "-x", "-n").split("\n")) {
            if (line.contains("INVALID") && line.contains("DROP")) {
                return Long.parseLong(line.trim().split("\\s+")[0]);
            }
        }
        throw new AssertionError("no INVALID rule in node-1's FORWARD chain");
    }

    private void restartAgent(String... args) throws Exception {
        env.agent.process.destroyForcibly();
        assertThat(env.agent.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        List<String> cmd = new java.util.ArrayList<>(List.of(BpfProgramTest.javaBin(), "-Xmx256m", "-jar",
                BpfProgramTest.shadedJar().toString(), "agent", "-f", env.manifests.toString(), "--attach", "v*", "--attach",
                "up0", "--attach", "n12", "--node-name", "node-1", "--pin-dir", env.pins, "--conntrack-max", "65536",
                "--cgroup", env.cgroup.toString()));
        cmd.addAll(List.of(args));
        env.agent = lab.startWithHostMounts(lab.node1, cmd);
        env.agent.await("hotline agent: ready", 60_000);
        assertThat(Files.exists(Path.of(env.pins, "link_connect4"))).isTrue();
    }
}
