package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.tests.lab.Lab;
import java.util.List;

/**
 * The lab scenarios every agent passes, whichever dataplane it runs (the kernel's, the user-space
 * one): each test class calls them on its own lab and adds what is particular to its dataplane.
 */
final class LabScenarios {
    static final String CLUSTER_IP = AgentLab.CLUSTER_IP;

    private LabScenarios() {
    }

    /** n connections from the client pod spread over both pods, which see the client itself on the named target port. */
    static List<String> clusterIpReachesEveryBackend(Lab lab, int n) throws Exception {
        List<String> answers = lab.client(lab.client, "get", CLUSTER_IP, "80", Integer.toString(n));
        assertThat(answers).hasSize(n).allMatch(l -> l.startsWith("pod="), "every connection answered");
        assertThat(AgentLab.pods(answers)).containsExactly("pod-a", "pod-b");
        // the server saw the client pod itself (no SNAT on ClusterIP), on the named target port
        assertThat(answers).allSatisfy(l -> {
            assertThat(AgentLab.field(l, "client")).startsWith("10.244.1.10:");
            assertThat(AgentLab.field(l, "local")).isEqualTo("8080");
        });
        return answers;
    }

    /** A numeric target port, and UDP answered from the ClusterIP and port the client sent to. */
    static List<String> numericTargetPortAndUdp(Lab lab, int tcp, int udp) throws Exception {
        List<String> alt = lab.client(lab.client, "get", CLUSTER_IP, "8081", Integer.toString(tcp));
        assertThat(alt).hasSize(tcp).allSatisfy(l -> assertThat(AgentLab.field(l, "local")).isEqualTo("8081"));
        List<String> answers = lab.client(lab.client, "udp", CLUSTER_IP, "53", Integer.toString(udp));
        assertThat(answers).hasSize(udp).allSatisfy(l -> {
            assertThat(l).startsWith("pod=");
            assertThat(AgentLab.field(l, "local")).isEqualTo("5353");
            assertThat(AgentLab.field(l, "from")).isEqualTo(CLUSTER_IP + ":53");
        });
        return answers;
    }

    /** A NodePort from outside whose only backend is local: the pod sees the outside client's address. */
    static void nodePortKeepsTheClientForALocalBackend(Lab lab, int n) throws Exception {
        List<String> answers = lab.client(lab.ext, "get", "192.168.77.1", "30081", Integer.toString(n));
        assertThat(answers).hasSize(n).allSatisfy(l -> {
            assertThat(AgentLab.field(l, "pod")).isEqualTo("pod-a");
            assertThat(AgentLab.field(l, "client")).startsWith("192.168.77.100:");
        });
    }

    /** A NodePort whose backend is on node-2: SNATed to node-1's address, from the SNAT range, and its replies come back. */
    static void nodePortToTheOtherNodeIsSnated(Lab lab, int n) throws Exception {
        List<String> answers = lab.client(lab.ext, "get", "192.168.77.1", "30082", Integer.toString(n));
        assertThat(answers).hasSize(n).allSatisfy(l -> {
            assertThat(AgentLab.field(l, "pod")).isEqualTo("pod-c");
            // node-2's pod saw node-1's address: the reply had to come back through node-1
            String client = AgentLab.field(l, "client");
            assertThat(client).startsWith("192.168.77.1:");
            assertThat(Integer.parseInt(client.split(":")[1])).isBetween(61000, 65535);
        });
    }

    /** TCP to a Service without endpoints is refused, not left to time out. */
    static void aServiceWithoutEndpointsRefusesTcpAtOnce(Lab lab, int n) throws Exception {
        List<String> tcp = lab.client(lab.client, "get", "10.96.0.99", "80", Integer.toString(n));
        assertThat(tcp).hasSize(n).allSatisfy(l -> {
            assertThat(l).startsWith("error refused after ");
            assertThat(Long.parseLong(l.split(" ")[3])).as("refused, not timed out").isLessThan(AgentLab.ANSWER_LIMIT_MS);
        });
    }

    /** A pod reached by its own address, from a pod and from outside: untouched. */
    static void trafficNotAddressedToAServiceIsUntouched(Lab lab) throws Exception {
        List<String> direct = lab.client(lab.client, "get", "10.244.1.2", "8080", "3");
        assertThat(direct).hasSize(3).allSatisfy(l -> {
            assertThat(AgentLab.field(l, "pod")).isEqualTo("pod-a");
            assertThat(AgentLab.field(l, "client")).startsWith("10.244.1.10:");
        });
        assertThat(lab.client(lab.ext, "get", "10.244.2.2", "8080", "1")).singleElement().asString().startsWith("pod=pod-c");
    }
}
