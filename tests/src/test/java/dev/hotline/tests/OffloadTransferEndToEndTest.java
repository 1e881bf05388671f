package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.tests.lab.Lab;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real skb states, not only test-run's: 50 MB each way through a ClusterIP and through a NodePort
 * SNATed to the other node, over veths with segmentation and checksum offload on (TSO, GSO, GRO:
 * segments of up to 64 KB with partial checksums cross tc ingress) and again with all of it off.
 * What arrives must be exactly what was sent (SHA-256 both ways).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OffloadTransferEndToEndTest {
    static final long BYTES = 50L << 20;
    AgentLab env;

    @BeforeAll
    void setUp() throws Exception {
        env = AgentLab.start(Cluster.service("bulk", "ClusterIP", "10.96.0.16", "tier: a", "{name: xfer, port: 9000, targetPort: 9000}")
                + Cluster.service("bulk-remote", "NodePort", "10.96.0.17", "app: remote",
                        "{name: xfer, port: 9000, targetPort: 9000, nodePort: 30091}"), agentArgs());
    }

    /** The agent's dataplane arguments (the kernel dataplane here; a subclass runs the same transfers on another). */
    String[] agentArgs() {
        return new String[0];
    }

    @AfterAll
    void tearDown() throws Exception {
        if (env != null) {
            env.close();
        }
    }

    /** Every veth end of the lab, in the namespace that holds it. */
    void offloads(boolean on) throws Exception {
        Lab lab = env.lab;
        String v = on ? "on" : "off";
        List<String[]> ends = List.of(new String[] {lab.node1, "va"}, new String[] {lab.node1, "vb"}, new String[] {lab.node1, "vk"},
                new String[] {lab.node1, "up0"}, new String[] {lab.node1, "n12"}, new String[] {lab.node2, "n21"},
                new String[] {lab.node2, "vc"}, new String[] {lab.podA, "eth0"}, new String[] {lab.podB, "eth0"},
                new String[] {lab.podC, "eth0"}, new String[] {lab.client, "eth0"}, new String[] {lab.ext, "eth0"});
        for (String[] e : ends) {
            lab.in(e[0], "ethtool", "-K", e[1], "tso", v, "gso", v, "gro", v, "tx", v, "rx", v);
        }
        assertThat(lab.in(lab.node1, "ethtool", "-k", "vk")).contains("tcp-segmentation-offload: " + v);
    }

    @ParameterizedTest(name = "offloads {0}")
    @ValueSource(booleans = {true, false})
    void fiftyMegabytesEachWayArriveIntact(boolean on) throws Exception {
        offloads(on);
        Lab lab = env.lab;
        List<String> clusterIp = lab.client(lab.client, "xfer", "10.96.0.16", "9000", Long.toString(BYTES));
        assertThat(clusterIp).singleElement().asString().startsWith("xfer up=ok down=ok bytes=" + BYTES);
        List<String> snat = lab.client(lab.ext, "xfer", "192.168.77.1", "30091", Long.toString(BYTES));
        assertThat(snat).singleElement().asString().startsWith("xfer up=ok down=ok bytes=" + BYTES);
        System.out.println("e2e: offloads " + (on ? "on" : "off") + ": ClusterIP " + clusterIp.get(0) + "; NodePort+SNAT " + snat.get(0));
        // rejects reuse the request's skb, whatever its checksum state: they must still be answers
        assertThat(lab.client(lab.client, "get", "10.96.0.99", "80", "2")).hasSize(2)
                .allSatisfy(l -> assertThat(l).startsWith("error refused"));
        assertThat(lab.client(lab.client, "udp", "10.96.0.99", "53", "2")).hasSize(2)
                .allSatisfy(l -> assertThat(l).startsWith("error unreachable"));
    }
}
