package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.tests.lab.Lab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The proof: `hotline agent` running in a node namespace as its own process, real servers and
 * clients in pod namespaces speaking TCP (HTTP) and UDP, ClusterIP and NodePort, one node and two.
 * Every assertion is about what a client actually received. The tests share one lab and agent and
 * run in any order: a test that changes the cluster puts it back, also when it fails. Killing and
 * stopping the agent have their own lab ({@link AgentLifecycleEndToEndTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentEndToEndTest {
    static final String CLUSTER_IP = AgentLab.CLUSTER_IP;
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

    static Set<String> pods(List<String> answers) {
        return AgentLab.pods(answers);
    }

    static String field(String answer, String name) {
        return AgentLab.field(answer, name);
    }

    @Test
    void clusterIpConnectionsReachEveryBackend() throws Exception {
        LabScenarios.clusterIpReachesEveryBackend(lab, 30);
    }

    @Test
    void numericTargetPortsMultiportAndUdpThroughTheClusterIp() throws Exception {
        List<String> udp = LabScenarios.numericTargetPortAndUdp(lab, 6, 20);
        assertThat(pods(udp)).containsExactly("pod-a", "pod-b");
    }

    @Test
    void nodePortFromOutsideKeepsTheClientAddressForALocalBackend() throws Exception {
        LabScenarios.nodePortKeepsTheClientForALocalBackend(lab, 5);
        List<String> spread = lab.client(lab.ext, "get", "192.168.77.1", "30080", "20");
        assertThat(pods(spread)).containsExactly("pod-a", "pod-b");
        List<String> udp = lab.client(lab.ext, "udp", "192.168.77.1", "30053", "4");
        assertThat(udp).allSatisfy(l -> assertThat(field(l, "from")).isEqualTo("192.168.77.1:30053"));
    }

    @Test
    void nodePortToABackendOnTheOtherNodeIsSnatedAndItsRepliesComeBack() throws Exception {
        LabScenarios.nodePortToTheOtherNodeIsSnated(lab, 5);
    }

    @Test
    void aRemovedPodGetsNoNewConnectionsPromptlyWhileALongConnectionToAnotherKeepsWorking() throws Exception {
        Lab.Running hold = lab.clientProcess(lab.client, "hold", CLUSTER_IP, "80", "6", "100");
        String first = hold.await("pod=", 10_000);
        String survivor = field(first, "pod");
        boolean removeB = survivor.equals("pod-a");
        Lab.Running agent = env.agent;
        int seen = agent.lines().size();
        long edited = System.currentTimeMillis();
        Files.writeString(env.cluster, AgentLab.manifest(removeB, !removeB));
        try {
            String applied = agent.awaitAfter(seen, "applied services", 5_000);
            long picked = System.currentTimeMillis() - edited;
            System.out.println("e2e: manifest edit applied after " + picked + " ms");
            // pod-b backs three ports; pod-a those three and the dead-port Service's too
            String backends = removeB ? "3" : "4";
            assertThat(applied).contains("backends +0 -" + backends);
            assertThat(picked).as("ms from the edit to the applied change").isLessThan(AgentLab.CHANGE_LIMIT_MS);
            String gone = removeB ? "pod-b" : "pod-a";
            List<String> after = lab.client(lab.client, "get", CLUSTER_IP, "80", "20");
            assertThat(after).hasSize(20).allMatch(l -> l.startsWith("pod="));
            assertThat(pods(after)).doesNotContain(gone);
            List<String> held = hold.waitForLines();
            assertThat(hold.process.exitValue()).as(String.join("\n", held)).isZero();
            assertThat(held.size()).isGreaterThan(20);
            assertThat(held).allSatisfy(l -> assertThat(field(l, "pod")).isEqualTo(survivor));
        } finally {
            // put it back for the other tests
            int before = agent.lines().size();
            Files.writeString(env.cluster, AgentLab.manifest(true, true));
            assertThat(agent.awaitAfter(before, "applied services", 5_000)).contains("backends +" + (removeB ? "3" : "4") + " -0");
        }
    }

    @Test
    void aServiceWithoutEndpointsRefusesAtOnce() throws Exception {
        LabScenarios.aServiceWithoutEndpointsRefusesTcpAtOnce(lab, 3);
        List<String> udp = lab.client(lab.client, "udp", "10.96.0.99", "53", "2");
        assertThat(udp).hasSize(2).allMatch(l -> l.startsWith("error unreachable after "));
        // and a ClusterIP on a port no Service defines
        assertThat(lab.client(lab.client, "get", CLUSTER_IP, "443", "1")).singleElement().asString().startsWith("error refused");
        // a backend whose port is closed answers ICMP port unreachable about the translated datagram:
        // translated back, it reaches the client's socket, which fails at once instead of timing out
        List<String> dead = lab.client(lab.client, "udp", "10.96.0.15", "53", "2");
        assertThat(dead).hasSize(2).allSatisfy(l -> {
            assertThat(l).startsWith("error unreachable after ");
            assertThat(Long.parseLong(l.split(" ")[3])).isLessThan(AgentLab.ANSWER_LIMIT_MS);
        });
    }

    @Test
    void trafficNotAddressedToAServiceIsUntouched() throws Exception {
        LabScenarios.trafficNotAddressedToAServiceIsUntouched(lab);
    }

    @Test
    void aManifestFileAddedOrRemovedIsPickedUpPromptly() throws Exception {
        Path extra = env.manifests.resolve("extra.yaml");
        Lab.Running agent = env.agent;
        int seen = agent.lines().size();
        long t0 = System.currentTimeMillis();
        Files.writeString(extra, Cluster.service("extra", "ClusterIP", "10.96.0.13", "tier: b", "{name: http, port: 80, targetPort: 8080}"));
        try {
            assertThat(agent.awaitAfter(seen, "applied services +1 -0", 5_000)).isNotNull();
            System.out.println("e2e: manifest file added, applied after " + (System.currentTimeMillis() - t0) + " ms");
            assertThat(System.currentTimeMillis() - t0).isLessThan(AgentLab.CHANGE_LIMIT_MS);
            assertThat(lab.client(lab.client, "get", "10.96.0.13", "80", "2"))
                    .allSatisfy(l -> assertThat(field(l, "pod")).isEqualTo("pod-b"));
        } finally {
            seen = agent.lines().size();
            t0 = System.currentTimeMillis();
            Files.delete(extra);
        }
        assertThat(agent.awaitAfter(seen, "applied services +0 -1", 5_000)).isNotNull();
        System.out.println("e2e: manifest file removed, applied after " + (System.currentTimeMillis() - t0) + " ms");
        assertThat(System.currentTimeMillis() - t0).isLessThan(AgentLab.CHANGE_LIMIT_MS);
    }

    /**
     * Clients of the node's own network namespace (the kubelet, hostNetwork pods) never cross a
     * pod's tc ingress: the socket-level programs serve them, here for a client in the lab's own
     * cgroup. The same client outside that cgroup has no route to a ClusterIP at all.
     */
    @Test
    void hostClientsReachServicesThroughTheSocketLevelPrograms() throws Exception {
        List<String> tcp = lab.clientInCgroup(lab.node1, env.cgroup, "get", CLUSTER_IP, "80", "20");
        assertThat(tcp).hasSize(20).allMatch(l -> l.startsWith("pod="), "every connection answered");
        assertThat(pods(tcp)).containsExactly("pod-a", "pod-b");
        assertThat(tcp).allSatisfy(l -> assertThat(field(l, "local")).isEqualTo("8080"));
        // a NodePort on the node's own address: a local backend, and one on the other node
        List<String> local = lab.clientInCgroup(lab.node1, env.cgroup, "get", "192.168.77.1", "30081", "3");
        assertThat(local).hasSize(3).allSatisfy(l -> assertThat(field(l, "pod")).isEqualTo("pod-a"));
        List<String> remote = lab.clientInCgroup(lab.node1, env.cgroup, "get", "192.168.77.1", "30082", "3");
        assertThat(remote).hasSize(3).allSatisfy(l -> assertThat(field(l, "pod")).isEqualTo("pod-c"));
        // UDP, connected (connect4, recvmsg4) and not (sendmsg4, recvmsg4): answers come from the Service
        List<String> connected = lab.clientInCgroup(lab.node1, env.cgroup, "udp", CLUSTER_IP, "53", "6");
        assertThat(connected).hasSize(6).allSatisfy(l -> assertThat(field(l, "from")).isEqualTo(CLUSTER_IP + ":53"));
        List<String> unconnected = lab.clientInCgroup(lab.node1, env.cgroup, "udpto", CLUSTER_IP, "53", "6");
        assertThat(unconnected).hasSize(6).allSatisfy(l -> {
            assertThat(l).startsWith("pod=");
            assertThat(field(l, "from")).isEqualTo(CLUSTER_IP + ":53");
        });
        // getpeername() of a TCP socket names the Service, not the backend (Java caches the address
        // it connected to, so the kernel is asked by a tiny Python client)
        List<String> peer = lab.inCgroup(lab.node1, env.cgroup, List.of("/usr/bin/python3", "-c",
                "import socket; s = socket.create_connection(('" + CLUSTER_IP + "', 80), 3); "
                        + "print('peer=%s:%d' % s.getpeername()); s.close()"));
        assertThat(peer).containsExactly("peer=" + CLUSTER_IP + ":80");
        // a Service without endpoints refuses at once, as the tc path's RST says
        assertThat(lab.clientInCgroup(lab.node1, env.cgroup, "get", "10.96.0.99", "80", "1"))
                .singleElement().satisfies(l -> assertThat(l).startsWith("error refused"));
        // outside the cgroup: nothing translates, and the node has no route to a ClusterIP
        assertThat(lab.client(lab.node1, "get", CLUSTER_IP, "80", "1")).singleElement()
                .satisfies(l -> assertThat(l).startsWith("error"));
        // a pod's process in the cgroup is left to tc ingress (the programs serve the node's own
        // namespace only): landing on itself, it is hairpin-SNATed there, not connected straight to itself
        List<String> fromPod = lab.clientInCgroup(lab.podA, env.cgroup, "get", CLUSTER_IP, "80", "20");
        assertThat(fromPod).hasSize(20).filteredOn(l -> "pod-a".equals(field(l, "pod"))).isNotEmpty()
                .allSatisfy(l -> assertThat(field(l, "client")).startsWith("169.254.42.1:"));
    }

    /** A restarted pod's interface is attached again, and translated frames are redirected into it. */
    @Test
    void aPodInterfaceMadeAnewIsAttachedAgainAndRedirectedInto() throws Exception {
        env.recreatePodBInterfaceAndAwaitAttach();
        List<String> answers = lab.client(lab.client, "get", CLUSTER_IP, "80", "20");
        assertThat(answers).hasSize(20).allMatch(l -> l.startsWith("pod="));
        assertThat(pods(answers)).containsExactly("pod-a", "pod-b");
        assertThat(lab.client(lab.podB, "udp", CLUSTER_IP, "53", "6")).hasSize(6).allMatch(l -> l.startsWith("pod="));
    }

    /**
     * A pod reaching its own Service: the flows that land on the pod itself are SNATed to the
     * hairpin address (its own source would be dropped as martian) and answered.
     */
    @Test
    void aPodReachingItsOwnServiceIsAnsweredAlsoWhenItLandsOnItself() throws Exception {
        List<String> tcp = lab.client(lab.podA, "get", CLUSTER_IP, "80", "50");
        assertThat(tcp).hasSize(50).allMatch(l -> l.startsWith("pod="), "every request answered");
        assertThat(pods(tcp)).containsExactly("pod-a", "pod-b");
        assertThat(tcp).filteredOn(l -> field(l, "pod").equals("pod-a"))
                .allSatisfy(l -> assertThat(field(l, "client")).startsWith("169.254.42.1:"));
        assertThat(tcp).filteredOn(l -> field(l, "pod").equals("pod-b"))
                .allSatisfy(l -> assertThat(field(l, "client")).startsWith("10.244.1.2:"));
        List<String> udp = lab.client(lab.podA, "udp", CLUSTER_IP, "53", "20");
        assertThat(udp).hasSize(20).allSatisfy(l -> {
            assertThat(l).startsWith("pod=");
            assertThat(field(l, "from")).isEqualTo(CLUSTER_IP + ":53");
        });
        assertThat(pods(udp)).contains("pod-a");
    }

    /**
     * Translated frames go straight to their next hop from tc: node-1's IP stack forwards none of
     * them (its ForwDatagrams counter stays put), its netfilter, which drops INVALID packets here,
     * never sees them, and its conntrack holds no half-flow of theirs.
     */
    @Test
    void translatedFlowsBypassTheNodeStackAndItsConntrack() throws Exception {
        lab.in(lab.node1, "conntrack", "-F");
        long before = env.forwardedByNodeStack();
        List<String> answers = lab.client(lab.client, "get", CLUSTER_IP, "80", "20");
        List<String> remote = lab.client(lab.ext, "get", "192.168.77.1", "30082", "5");
        long forwarded = env.forwardedByNodeStack() - before;
        assertThat(answers).hasSize(20).allMatch(l -> l.startsWith("pod="));
        assertThat(remote).hasSize(5).allMatch(l -> l.startsWith("pod=pod-c"));
        // 25 connections are some 250 frames both ways; a few may be the lab's own (ARP is not IP)
        assertThat(forwarded).as("datagrams node-1's stack forwarded").isLessThan(10);
        assertThat(env.nodeConntrack()).as("node-1 conntrack").filteredOn(l -> l.contains("dport=8080"))
                .noneMatch(l -> l.contains("UNREPLIED"));
    }

    /** kube-proxy's health server, on the node: 200 with every Service applied. */
    @Test
    void healthzSaysTheLatestPictureIsApplied() throws Exception {
        String answer = lab.in(lab.node1, "curl", "-s", "-w", " %{http_code}", "http://127.0.0.1:10256/healthz");
        assertThat(answer).contains("\"notServed\": []").contains("\"nodeEligible\": true").endsWith(" 200");
        assertThat(lab.in(lab.node1, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:10256/livez"))
                .isEqualTo("200");
    }

    /**
     * Prometheus metrics on the node, scraped over HTTP and read by Prometheus's own text parser
     * (python3-prometheus-client): kube-proxy's sync metrics, and frames counted by the kernel.
     */
    @Test
    void metricsAreScrapedAndParsedByPrometheusOwnParser() throws Exception {
        lab.client(lab.client, "get", CLUSTER_IP, "80", "5");
        String script = String.join("\n",
                "import urllib.request",
                "from prometheus_client.parser import text_string_to_metric_families",
                "text = urllib.request.urlopen('http://127.0.0.1:10249/metrics').read().decode()",
                "for family in text_string_to_metric_families(text):",
                "    for s in family.samples:",
                "        labels = ','.join(k + '=' + v for k, v in sorted(s.labels.items()))",
                "        print(s.name + '{' + labels + '} ' + repr(s.value))");
        List<String> samples = List.of(lab.in(lab.node1, "/usr/bin/python3", "-c", script).split("\n"));
        java.util.function.Function<String, Double> value = name -> samples.stream().filter(l -> l.startsWith(name + " "))
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + name + " in\n" + String.join("\n", samples)));
        assertThat(value.apply("kubeproxy_sync_proxy_rules_duration_seconds_count{}")).isGreaterThanOrEqualTo(1.0);
        assertThat(value.apply("kubeproxy_sync_proxy_rules_last_timestamp_seconds{}"))
                .isGreaterThan(System.currentTimeMillis() / 1000.0 - 3600);
        assertThat(value.apply("kubeproxy_sync_proxy_rules_service_changes_total{}")).isGreaterThanOrEqualTo(8.0);
        assertThat(value.apply("hotline_packets_total{verdict=dnat}")).isGreaterThanOrEqualTo(5.0);
        assertThat(value.apply("hotline_translated_frames_total{path=peer}")).isGreaterThanOrEqualTo(5.0);
        assertThat(value.apply("hotline_services_not_served{}")).isZero();
        assertThat(value.apply("hotline_map_capacity{map=hl_maglev}")).isGreaterThan(value.apply("hotline_map_entries{map=hl_maglev}"));
        assertThat(samples).anyMatch(l -> l.startsWith("hotline_service_packets_total{service=default/web:http} "));
    }

    /**
     * `hotline status` on the node: an open connection is found in conntrack with the backend that
     * answered it, and the Service with its frontends and backends, read from the pinned maps.
     */
    @Test
    void statusShowsWhereAConnectionWentFromThePinnedMaps() throws Exception {
        Lab.Running hold = lab.clientProcess(lab.client, "hold", CLUSTER_IP, "80", "6", "300");
        String first = hold.await("pod=", 5_000);
        String backend = field(first, "pod").equals("pod-a") ? "10.244.1.2:8080" : "10.244.1.3:8080";
        String clientPort = field(first, "client").split(":")[1];
        List<String> json = lab.startWithHostMounts(lab.node1, List.of(BpfProgramTest.javaBin(), "-jar",
                BpfProgramTest.shadedJar().toString(), "status", "--pin-dir", env.pins, "--address", "10.244.1.10", "-o", "json"))
                .waitForLines();
        String doc = String.join("\n", json);
        // well-formed, by an outside parser
        Path file = Files.createTempFile("hotline-status", ".json");
        try {
            Files.writeString(file, doc);
            assertThat(lab.in(lab.node1, "/usr/bin/python3", "-c", "import json,sys; d = json.load(open(sys.argv[1])); "
                    + "print(len(d['services']), len(d['conntrack']), d['frames']['byVerdict']['dnat'] > 0)", file.toString()).trim())
                    .matches("[1-9][0-9]* [1-9][0-9]* True");
        } finally {
            Files.deleteIfExists(file);
        }
        assertThat(doc).containsPattern("\\{\"client\": \"10\\.244\\.1\\.10:" + clientPort + "\", \"frontend\": \""
                + java.util.regex.Pattern.quote(CLUSTER_IP) + ":80\", \"protocol\": \"TCP\", \"serviceId\": [0-9]+, \"backendId\": [0-9]+, "
                + "\"backend\": \"" + java.util.regex.Pattern.quote(backend) + "\", \"state\": \"established\"");
        assertThat(doc).contains("\"address\": \"10.244.1.2\", \"port\": 8080").contains("\"address\": \"10.244.1.3\", \"port\": 8080");
        List<String> text = lab.startWithHostMounts(lab.node1, List.of(BpfProgramTest.javaBin(), "-jar",
                BpfProgramTest.shadedJar().toString(), "status", "--pin-dir", env.pins)).waitForLines();
        assertThat(text).anyMatch(l -> l.startsWith("Services: ")).anyMatch(l -> l.contains(CLUSTER_IP + ":80/TCP"))
                .anyMatch(l -> l.startsWith("10.244.1.10:" + clientPort) && l.contains(backend) && l.contains("established"));
        hold.process.destroyForcibly();
    }

    /**
     * Captures made by tcpdump as people make them, during one connection through the ClusterIP:
     * `-i any` (Linux cooked SLL2), `-i any -y LINUX_SLL`, and the pod's eth0 (Ethernet). Replayed
     * offline with the same manifests, each shows the connection's SYN DNATed to the backend that
     * answered it live.
     */
    @Test
    void tcpdumpCapturesOfAnyKindReplayToTheBackendThatAnsweredLive(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Map<String, List<String>> captures = new java.util.LinkedHashMap<>();
        captures.put("sll2", List.of("-i", "any"));
        captures.put("sll", List.of("-i", "any", "-y", "LINUX_SLL"));
        captures.put("ethernet", List.of("-i", "eth0"));
        List<Process> dumps = new java.util.ArrayList<>();
        for (var c : captures.entrySet()) {
            List<String> cmd = new java.util.ArrayList<>(List.of("ip", "netns", "exec", lab.client, "tcpdump", "-n", "-U", "--immediate-mode", "-w",
                    dir.resolve(c.getKey() + ".pcap").toString()));
            cmd.addAll(c.getValue());
            cmd.addAll(List.of("tcp", "port", "80"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            dumps.add(p);
            // tcpdump says "listening on ..." once its capture is open
            java.io.BufferedReader err = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
            String line;
            while ((line = err.readLine()) != null && !line.contains("listening on")) {
                // its other chatter
            }
            assertThat(line).as("tcpdump %s started", c.getKey()).isNotNull();
        }
        String answer;
        try {
            answer = lab.client(lab.client, "get", CLUSTER_IP, "80", "1").get(0);
            Thread.sleep(300);
        } finally {
            for (Process p : dumps) {
                new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            }
            for (Process p : dumps) {
                assertThat(p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        }
        String live = field(answer, "pod").equals("pod-a") ? "10.244.1.2:8080" : "10.244.1.3:8080";
        Map<String, Integer> linkTypes = Map.of("sll2", 276, "sll", 113, "ethernet", 1);
        for (String kind : captures.keySet()) {
            byte[] header = java.util.Arrays.copyOf(Files.readAllBytes(dir.resolve(kind + ".pcap")), 24);
            assertThat(java.nio.ByteBuffer.wrap(header).order(java.nio.ByteOrder.nativeOrder()).getInt(20))
                    .as("tcpdump wrote %s", kind).isEqualTo(linkTypes.get(kind));
            Path trace = dir.resolve(kind + ".jsonl");
            ReplayCommandTest.Run r = ReplayCommandTest.replay("-f", env.cluster.toString(), "--node-name", "node-1", "--node-ip",
                    "192.168.77.1", "--in", dir.resolve(kind + ".pcap").toString(), "--out", dir.resolve(kind + "-out.pcap").toString(),
                    "--trace", trace.toString(), "--dataplane", "userspace");
            assertThat(r.exit()).as(kind + ": " + r.err()).isZero();
            assertThat(Files.readAllLines(trace)).as("the %s capture's trace", kind)
                    .anyMatch(l -> l.contains("\"verdict\":\"dnat\"") && l.contains("\"backend\":\"" + live + "\""))
                    .noneMatch(l -> l.contains("\"verdict\":\"dnat\"") && !l.contains(live));
        }
    }

    @Test
    void aNewPodInterfaceIsAttachedByTheRescan() throws Exception {
        int seen = env.agent.lines().size();
        lab.in(lab.node1, "ip", "link", "add", "vnew", "type", "veth", "peer", "name", "vnew-peer");
        try {
            lab.in(lab.node1, "ip", "link", "set", "vnew", "up");
            assertThat(env.agent.awaitAfter(seen, "attached at tc ingress of vnew", 5_000)).isNotNull();
            assertThat(lab.in(lab.node1, "tc", "filter", "show", "dev", "vnew", "ingress")).contains("hotline_ingress");
        } finally {
            lab.in(lab.node1, "ip", "link", "del", "vnew");
        }
    }

    @Test
    void aUdpDatagramLargerThanTheMtuCrossesAClusterIpInFragmentsAndIsAnswered() throws Exception {
        // 4 000 bytes over veths with a 1500-byte MTU: the client's kernel sends three fragments
        List<String> answers = lab.client(lab.client, "udpbig", CLUSTER_IP, "53", "5", "4000");
        assertThat(answers).hasSize(5).allSatisfy(l -> {
            assertThat(l).startsWith("pod=");
            assertThat(field(l, "got")).as("the whole datagram reassembled at the pod").isEqualTo("4000");
            assertThat(field(l, "from")).isEqualTo(CLUSTER_IP + ":53");
        });
    }

    /**
     * Another tc program after ours on a pod's interface (a CNI's, a monitor's) still sees every
     * packet hotline neither redirects nor drops: ours does not end the filter chain. The foreign program
     * here drops UDP datagrams that start with "DROPME" and lets the rest through.
     */
    @Test
    void aForeignFilterAfterOursStillSeesWhatWePass(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path obj = ForeignFilter.compile(dir);
        // a later priority than ours (0x4c48) on the client's interface
        lab.in(lab.node1, "tc", "filter", "add", "dev", "vk", "ingress", "prio", "20000", "handle", "0x77", "bpf", "da", "obj",
                obj.toString(), "sec", "tc");
        try {
            assertThat(lab.in(lab.node1, "tc", "filter", "show", "dev", "vk", "ingress")).contains("hotline_ingress").contains("foreign");
            // translated by us and redirected to the pod straight away: the chain ends with our
            // redirect, so it never sees them (StackPathEndToEndTest: without redirect, it does)
            assertThat(lab.client(lab.client, "udpmsg", CLUSTER_IP, "53", "2", "hello")).allMatch(l -> l.startsWith("pod="));
            assertThat(lab.client(lab.client, "udpmsg", CLUSTER_IP, "53", "1", "DROPME")).allMatch(l -> l.startsWith("pod="));
            // passed by us (not a Service), then seen by it
            assertThat(lab.client(lab.client, "udpmsg", "10.244.1.2", "5353", "2", "hello")).allMatch(l -> l.startsWith("pod="));
            assertThat(lab.client(lab.client, "udpmsg", "10.244.1.2", "5353", "1", "DROPME")).allMatch(l -> l.startsWith("error timeout"));
        } finally {
            lab.in(lab.node1, "tc", "filter", "del", "dev", "vk", "ingress", "prio", "20000", "handle", "0x77", "bpf");
        }
        assertThat(lab.in(lab.node1, "tc", "filter", "show", "dev", "vk", "ingress")).contains("hotline_ingress").doesNotContain("foreign");
    }
}
