package dev.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.TestManifests;
import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.NodePortRange;
import dev.hotline.net.Ipv4;
import dev.hotline.plan.NodeIdentity;
import dev.hotline.plan.Plan;
import dev.hotline.plan.Planner;
import dev.hotline.plan.ServicePlan;
import dev.hotline.source.ManifestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifests and the CLI as users meet them: valid input accepted, mistakes caught, one line each. */
class UserInputTest {
    static final Path KUBECTL = TestManifests.root().resolve("java/src/test/resources/kubectl/long-port-names-and-sidecar.yaml");
    static final NodeIdentity NODE_1 = new NodeIdentity("node-1", List.of(Ipv4.parse("192.168.49.2")));

    static Map<String, String> backendsByPort(Path... files) throws Exception {
        ClusterState state = ManifestFiles.load(List.of(files), NodePortRange.DEFAULT);
        assertThat(state.problems()).filteredOn(p -> p.isError()).isEmpty();
        Plan plan = Planner.plan(state, NODE_1, Plan.EMPTY);
        return plan.services().stream().collect(Collectors.toMap(s -> s.name().port(),
                s -> s.backends().stream().map(b -> b.backend().key().address() + ":" + b.backend().key().port())
                        .sorted().collect(Collectors.joining(","))));
    }

    @Test
    void servicePortNamesAreDnsLabelsLongOrAllDigits() throws Exception {
        // as kubectl prints them: managed fields, status; a 27-character name and a name of digits only
        assertThat(backendsByPort(KUBECTL)).containsKeys("metrics-port-for-prometheus", "8080", "proxy");
        CliRun bad = CliRun.of("check", "-f", write(TestManifests.service("s", "10.96.0.1", "app: a",
                "- {name: Not_A_Label, port: 80}")).toString());
        assertThat(bad.out()).contains("spec.ports[0].name: 'Not_A_Label' is not a valid Service port name (a DNS label");
    }

    @Test
    void namedPortsOnSidecarContainersResolveInKubernetesOrder() throws Exception {
        Map<String, String> byPort = backendsByPort(KUBECTL);
        // 'envoy' is on a plain init container (7000, never serving) and on a sidecar (15001): the sidecar's
        assertThat(byPort.get("proxy")).isEqualTo("10.244.1.7:15001");
        assertThat(byPort.get("metrics-port-for-prometheus")).isEqualTo("10.244.1.7:9102");
    }

    @Test
    void theSameObjectReadTwiceIsOneObject(@TempDir Path dir) throws Exception {
        Path seed = TestManifests.root().resolve("examples/seed");
        CliRun twice = CliRun.of("plan", "-f", seed.resolve("cluster.yaml").toString(), "-f", seed.toString(), "--node-name", "node-1");
        assertThat(twice.exitCode()).isZero();
        assertThat(twice.out()).contains("2/2 backends active").doesNotContain("4/4");
        assertThat(twice.err()).doesNotContain("clash").doesNotContain("warning");
        // the same Service with other content: one object, the later one, and a warning naming both places
        Path other = dir.resolve("other.yaml");
        Files.writeString(other, Files.readString(seed.resolve("cluster.yaml")).replace("targetPort: http", "targetPort: 8080"));
        CliRun differ = CliRun.of("plan", "-f", seed.resolve("cluster.yaml").toString(), "-f", other.toString(), "--node-name", "node-1");
        assertThat(differ.exitCode()).isZero();
        assertThat(differ.out()).contains("2/2 backends active");
        assertThat(differ.err()).contains("warning: " + other + ":").contains("also defined at " + seed.resolve("cluster.yaml") + ":")
                .contains("with different content; this one is used");
    }

    @Test
    void aNodeNameThatIsNoNodeOfTheInputIsRefusedWithTheNodesThereAre() throws Exception {
        String seed = TestManifests.root().resolve("examples/seed").toString();
        CliRun typo = CliRun.of("plan", "-f", seed, "--node-name", "node-9");
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.err()).isEqualTo("hotline: --node-name node-9: no Node of that name in the input; its Nodes are node-1, node-2\n");
        CliRun unnamed = CliRun.of("plan", "-f", seed);
        assertThat(unnamed.exitCode()).isZero();
        assertThat(unnamed.err()).contains("the input has 2 Nodes (node-1, node-2) and no --node-name says which one this is")
                .contains("give --node-name NAME");
        Path noNodes = write(TestManifests.service("s", "10.96.0.1", "app: a", "- {name: http, port: 80}"));
        CliRun assumed = CliRun.of("plan", "-f", noNodes.toString(), "--node-name", "node-9");
        assertThat(assumed.exitCode()).isZero();
        assertThat(assumed.err()).contains("the input has no Node objects: node-9 is taken as this node's name");
    }

    @Test
    void badValuesAreOneLineWithoutJavaInIt(@TempDir Path dir) throws Exception {
        String seed = TestManifests.root().resolve("examples/seed").toString();
        CliRun ip = CliRun.of("plan", "-f", seed, "--node-ip", "999.1.1.1");
        assertThat(ip.exitCode()).isEqualTo(2);
        assertThat(ip.err()).startsWith("hotline: Invalid value for option '--node-ip' (IP): '999.1.1.1' is not an IPv4 address\n")
                .doesNotContain("java.");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        CliRun demo = CliRun.of("demo", "--pcap-out", file.toString(), "--dataplane", "userspace");
        assertThat(demo.exitCode()).isEqualTo(2);
        assertThat(demo.err()).isEqualTo("hotline: --pcap-out " + file + ": exists and is not a directory (the demo writes "
                + "demo-in.pcap and demo-out.pcap into a directory)\n");
        CliRun ct = CliRun.of("agent", "-f", seed, "--conntrack-max", "8");
        assertThat(ct.exitCode()).isEqualTo(2);
        assertThat(ct.err()).isEqualTo("hotline: agent: conntrack size 8 is below 16\n");
        CliRun kubeconfig = CliRun.of("agent", "--kube", "--kubeconfig", dir.resolve("missing").toString());
        assertThat(kubeconfig.exitCode()).isEqualTo(2);
        assertThat(kubeconfig.err()).isEqualTo("hotline: agent: --kubeconfig " + dir.resolve("missing") + ": no such file\n");
    }

    /** The real-node settings: each refused in one line naming the option, before anything is loaded or attached. */
    @Test
    void realNodeSettingsAreCheckedBeforeAnythingIsAttached(@TempDir Path dir) throws Exception {
        String seed = TestManifests.root().resolve("examples/seed").toString();
        // a directory, but not of the cgroup v2 hierarchy
        CliRun notCgroup = CliRun.of("agent", "-f", seed, "--attach", "veth*", "--cgroup", dir.toString());
        assertThat(notCgroup.exitCode()).isEqualTo(2);
        assertThat(notCgroup.err()).startsWith("hotline: agent: --cgroup " + dir + ": not a cgroup v2 directory (")
                .endsWith("give one, or none to serve no host sockets\n").doesNotContain("java.");
        assertThat(notCgroup.err().lines()).hasSize(1);
        CliRun missing = CliRun.of("agent", "-f", seed, "--attach", "veth*", "--cgroup", dir.resolve("nope").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).isEqualTo("hotline: agent: --cgroup " + dir.resolve("nope") + ": no such directory\n");
        Path file = Files.writeString(dir.resolve("file"), "x");
        CliRun aFile = CliRun.of("agent", "-f", seed, "--attach", "veth*", "--cgroup", file.toString());
        assertThat(aFile.err()).isEqualTo("hotline: agent: --cgroup " + file + ": not a directory\n");
        CliRun mark = CliRun.of("agent", "-f", seed, "--attach", "veth*", "--notrack-mark", "0x1ffffffff");
        assertThat(mark.exitCode()).isEqualTo(2);
        assertThat(mark.err()).isEqualTo("hotline: agent: --notrack-mark 0x1ffffffff: a mark is 32 bits (0 to 0xffffffff)\n");
        CliRun word = CliRun.of("agent", "-f", seed, "--attach", "veth*", "--notrack-mark", "lots");
        assertThat(word.err()).isEqualTo("hotline: agent: --notrack-mark lots: not a mark like 0x2000 (or 0 for none)\n");
        CliRun healthz = CliRun.of("agent", "-f", seed, "--attach", "veth*", "--health-address", "10256");
        assertThat(healthz.exitCode()).isEqualTo(2);
        assertThat(healthz.err()).isEqualTo("hotline: agent: --health-address 10256: not HOST:PORT like 0.0.0.0:10256 (or none)\n");
        CliRun apiserver = CliRun.of("agent", "--kube", "--attach", "veth*", "--kube-apiserver", "10.0.0.1:6443");
        assertThat(apiserver.exitCode()).isEqualTo(2);
        assertThat(apiserver.err()).isEqualTo("hotline: agent: --kube-apiserver 10.0.0.1:6443: not an API server URL like "
                + "https://192.0.2.10:6443\n");
        CliRun status = CliRun.of("status", "--pin-dir", dir.resolve("none").toString());
        assertThat(status.exitCode()).isEqualTo(2);
        assertThat(status.err()).isEqualTo("hotline: status: --pin-dir " + dir.resolve("none")
                + ": nothing pinned there (is the agent running with this --pin-dir?)\n");
        CliRun yaml = CliRun.of("status", "-o", "yaml");
        assertThat(yaml.err()).isEqualTo("hotline: status: -o yaml: text or json\n");
        CliRun hairpin = CliRun.of("agent", "-f", seed, "--attach", "veth*", "--hairpin-address", "127.0.0.9");
        assertThat(hairpin.exitCode()).isEqualTo(2);
        assertThat(hairpin.err()).isEqualTo("hotline: agent: --hairpin-address 127.0.0.9: must be a unicast address outside "
                + "127.0.0.0/8 (pods answer it), such as 169.254.42.1\n");
        CliRun notIp = CliRun.of("replay", "-f", seed, "--hairpin-address", "169.254.42", "--in", file.toString(), "--out",
                dir.resolve("out.pcap").toString());
        assertThat(notIp.exitCode()).isEqualTo(2);
        assertThat(notIp.err()).isEqualTo("hotline: --hairpin-address 169.254.42: not an IPv4 address like 169.254.42.1\n");
    }

    @Test
    void anUnnamedPortIsShownWithItsNumber() throws Exception {
        Path f = write(TestManifests.pod("p", "10.1.1.5", "node-1", "app: a", true, "{containerPort: 80}")
                + TestManifests.service("s", "10.96.0.1", "app: a", "- {port: 80}"));
        CliRun plan = CliRun.of("plan", "-f", f.toString(), "--node-name", "node-1", "--node-ip", "192.168.49.2");
        assertThat(plan.out()).contains("Service default/s:80  id 1").doesNotContain("default/s: ");
    }

    @Test
    void sctpPortsAreShownAsNotServed() throws Exception {
        Path f = write(TestManifests.pod("p", "10.1.1.5", "node-1", "app: a", true, "{containerPort: 80}")
                + TestManifests.service("s", "10.96.0.1", "app: a", "- {name: http, port: 80}\n- {name: sig, port: 3868, protocol: SCTP}"));
        CliRun plan = CliRun.of("plan", "-f", f.toString(), "--node-name", "node-1", "--node-ip", "192.168.49.2");
        assertThat(plan.out()).contains("default/s:http").doesNotContain("SCTP");
        assertThat(plan.err()).contains("port 3868/SCTP is not served: hotline's dataplanes translate TCP and UDP only");
        CliRun check = CliRun.of("check", "-f", f.toString());
        assertThat(check.exitCode()).isEqualTo(1);
        assertThat(check.out()).contains("spec.ports[1].protocol: port 3868/SCTP is not served");
    }

    @Test
    void checkCountsEndpointsPerProtocolAsItListsThem() throws Exception {
        Path f = write(TestManifests.pod("p", "10.1.1.5", "node-1", "app: a", true,
                "{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53}")
                + TestManifests.service("s", "10.96.0.1", "app: a",
                        "- {name: dns, port: 53, protocol: UDP, targetPort: dns}\n- {name: dns-tcp, port: 53, targetPort: dns-tcp}"));
        CliRun check = CliRun.of("check", "-f", f.toString());
        assertThat(check.out()).contains("2 ready endpoint(s) (10.1.1.5:53/UDP, 10.1.1.5:53/TCP)");
    }

    @Test
    void anFqdnEndpointSliceIsNamedAsSuch() throws Exception {
        Path f = write("""
                apiVersion: v1
                kind: Service
                metadata: {name: ext, namespace: default}
                spec:
                  clusterIP: 10.96.0.7
                  ports: [{name: http, port: 80}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: ext-abc, namespace: default, labels: {kubernetes.io/service-name: ext}}
                addressType: FQDN
                ports: [{name: http, port: 80, protocol: TCP}]
                endpoints: [{addresses: [api.example.com]}]
                ---
                """);
        CliRun check = CliRun.of("check", "-f", f.toString());
        assertThat(check.exitCode()).isEqualTo(1);
        assertThat(check.out()).contains("its EndpointSlices are of addressType FQDN, which hotline does not serve")
                .contains("make it an ExternalName Service").doesNotContain("no EndpointSlice or Endpoints object names this Service");
    }

    @Test
    void anIpv6ClusterIpOfADualStackServiceIsSaidToBeIgnored() throws Exception {
        Path f = write(TestManifests.service("s", "10.96.0.1", "app: a", "- {name: http, port: 80}")
                .replace("clusterIP: 10.96.0.1", "clusterIP: 10.96.0.1\n  clusterIPs: [10.96.0.1, 'fd00::1']"));
        CliRun plan = CliRun.of("plan", "-f", f.toString(), "--node-name", "node-1", "--node-ip", "192.168.49.2");
        assertThat(plan.exitCode()).isZero();
        assertThat(plan.err()).contains("spec.clusterIPs[1]: fd00::1 is IPv6; hotline's dataplane is IPv4 only, ignored");
    }

    @Test
    void anAgentWithoutAttachSaysItServesNoInterface() {
        // said with the usage checks, before anything about the machine (here the pin dir is refused after it)
        String seed = TestManifests.root().resolve("examples/seed").toString();
        CliRun none = CliRun.of("agent", "-f", seed, "--node-name", "node-1", "--pin-dir", "/tmp/not-bpffs/hotline");
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).startsWith("hotline: agent: warning: no --attach: the maps are kept up to date, but no "
                + "interface is served");
        CliRun some = CliRun.of("agent", "-f", seed, "--node-name", "node-1", "--attach", "veth*", "--pin-dir", "/tmp/not-bpffs/hotline");
        assertThat(some.err()).doesNotContain("no --attach");
    }

    private static Path write(String yaml) throws Exception {
        Path f = Files.createTempFile("hotline-input", ".yaml");
        f.toFile().deleteOnExit();
        Files.writeString(f, yaml);
        return f;
    }
}
