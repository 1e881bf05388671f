package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.bpf.Abi;
import dev.hotline.bpf.BpfProgram;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.bpf.BpfDataplane;
import dev.hotline.dataplane.bpf.BpfSizing;
import dev.hotline.net.Ipv4;
import dev.hotline.plan.NodeIdentity;
import dev.hotline.plan.Plan;
import dev.hotline.plan.PlanDiff;
import dev.hotline.plan.Planner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attaching at tc ingress, pinned maps, and what an unprivileged user is told. */
class KernelAttachTest {

    static String filters(NetworkNamespace ns, String dev) throws Exception {
        return ns.exec("tc", "filter", "show", "dev", dev, "ingress");
    }

    @Test
    void anL3DeviceIsRefusedAtAttachWithTheReasonAndNothingIsAttached() throws Exception {
        Privileges.requireBpf();
        try (NetworkNamespace ns = NetworkNamespace.create("l3dev");
             BpfDataplane dp = new BpfDataplane(DataplaneConfig.DEFAULT.withConntrackMax(1024), BpfSizing.DEFAULT, false, null)) {
            // a tun device carries bare IPv4 at tc ingress, as WireGuard and IPIP do
            ns.exec("ip", "tuntap", "add", "hl-tun", "mode", "tun");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> dp.program().attach(ns.path(), "hl-tun"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("hl-tun: not an Ethernet device (link type 65534): hotline's program parses Ethernet frames");
            assertThat(ns.exec("tc", "qdisc", "show", "dev", "hl-tun")).doesNotContain("clsact");
            // loopback frames carry an Ethernet header: allowed
            dp.program().attach(ns.path(), "lo");
            assertThat(filters(ns, "lo")).contains("hotline_ingress");
        }
    }

    @Test
    void attachAddsOurFilterDetachRemovesItAndOtherFiltersStay() throws Exception {
        Privileges.requireBpf();
        try (NetworkNamespace ns = NetworkNamespace.create("attach");
             BpfDataplane dp = new BpfDataplane(DataplaneConfig.DEFAULT.withConntrackMax(1024), BpfSizing.DEFAULT, false, null)) {
            ns.exec("ip", "link", "add", "hl-a", "type", "veth", "peer", "name", "hl-b");
            ns.exec("ip", "link", "set", "hl-a", "up");
            // somebody else's filter, which we must never touch
            ns.exec("tc", "qdisc", "add", "dev", "hl-a", "clsact");
            // (a classic-BPF cls_bpf filter: this kernel may have no other classifier built in)
            ns.exec("tc", "filter", "add", "dev", "hl-a", "ingress", "prio", "7", "handle", "7", "bpf", "bytecode", "1,6 0 0 0,");
            String others = "bytecode '1,6 0 0 0'";
            assertThat(filters(ns, "hl-a")).contains(others).doesNotContain("hotline_ingress");

            String before = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
            dp.program().attach(ns.path(), "hl-a");
            // the namespace was entered by a thread of its own: the caller's never changed
            assertThat(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"))).hasToString(before);
            String attached = filters(ns, "hl-a");
            assertThat(attached).contains(others).contains("hotline_ingress").contains("direct-action");
            assertThat(attached).contains("handle 0x" + Integer.toHexString(Abi.TC_HANDLE));
            // attaching again replaces ours: still one
            dp.program().attach(ns.path(), "hl-a");
            assertThat(filters(ns, "hl-a").lines().filter(l -> l.contains("handle 0x484c"))).hasSize(1);

            assertThat(BpfProgram.detach(ns.path(), "hl-a")).isTrue();
            String detached = filters(ns, "hl-a");
            assertThat(detached).contains(others).doesNotContain("hotline_ingress");
            assertThat(BpfProgram.detach(ns.path(), "hl-a")).isFalse();
        }
    }

    /** Loads the program with maps pinned at pins (conntrack 1024) and applies the base cluster; returns its plan. */
    static Plan pinBaseCluster(String pins) {
        Plan plan = Planner.plan(Scenario.state(Cluster.base()), Scenario.NODE_1, Plan.EMPTY);
        try (BpfDataplane first = new BpfDataplane(DataplaneConfig.DEFAULT.withConntrackMax(1024), BpfSizing.DEFAULT, false, pins)) {
            first.apply(PlanDiff.between(Plan.EMPTY, plan));
        }
        return plan;
    }

    @Test
    void aSecondLoadReusesThePinnedMaps() throws Exception {
        Privileges.requireBpf();
        String pins = "/sys/fs/bpf/hotline-test-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            Plan plan = pinBaseCluster(pins);
            assertThat(Path.of(pins, "hl_services")).exists();
            assertThat(Path.of(pins, "hl_ct_forward")).exists();
            try (BpfDataplane second = new BpfDataplane(DataplaneConfig.DEFAULT.withConntrackMax(1024), BpfSizing.DEFAULT, false, pins)) {
                assertThat(second.recreatedPins()).isEmpty();
                // the second load wrote nothing, yet sees the first one's Services and backends
                assertThat(second.program().count(Abi.MAP_SERVICES)).isEqualTo(plan.frontendCount());
                ByteBuffer key = ByteBuffer.allocateDirect(Abi.FRONTEND_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer value = ByteBuffer.allocateDirect(Abi.SERVICE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
                Abi.frontendKey(key, 0, Ipv4.parse("10.96.0.10").value(), 80, 6, 0);
                assertThat(second.program().lookup(Abi.MAP_SERVICES, key, value)).isTrue();
                assertThat(value.getInt(Abi.SERVICE_ACTIVE)).isEqualTo(2);
                assertThat(second.program().count(Abi.MAP_BACKENDS)).isEqualTo(plan.backends().size());
            }
        } finally {
            BpfProgram.unpin(pins);
        }
        assertThat(Path.of(pins)).doesNotExist();
    }

    @Test
    void pinsOfAnotherShapeOrVersionAreMadeAnewAllOfThemAndSaySo() throws Exception {
        Privileges.requireBpf();
        String pins = "/sys/fs/bpf/hotline-test-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            Plan plan = pinBaseCluster(pins);
            // another conntrack size: those maps cannot be reused, and then none is (they name each other's ids)
            try (BpfDataplane second = new BpfDataplane(DataplaneConfig.DEFAULT.withConntrackMax(2048), BpfSizing.DEFAULT, false, pins)) {
                assertThat(second.recreatedPins()).containsExactly(
                        "hl_ct_forward: pinned as type 1, key 16, value 32, 1024 entries; this version needs type 1, key 16, value 32, 2048 entries",
                        "hl_ct_reverse: pinned as type 1, key 16, value 16, 1024 entries; this version needs type 1, key 16, value 16, 2048 entries");
                assertThat(second.program().count(Abi.MAP_SERVICES)).isZero();
            }
            // pins written by an agent of another ABI version (here: version 1's hl_config)
            try (BpfDataplane third = new BpfDataplane(DataplaneConfig.DEFAULT.withConntrackMax(2048), BpfSizing.DEFAULT, false, pins)) {
                assertThat(third.recreatedPins()).isEmpty();
                ByteBuffer key = ByteBuffer.allocateDirect(4).order(ByteOrder.LITTLE_ENDIAN);
                ByteBuffer value = ByteBuffer.allocateDirect(Abi.CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
                assertThat(third.program().lookup(Abi.MAP_CONFIG, key, value)).isTrue();
                assertThat(value.getInt(Abi.CONFIG_ABI_VERSION)).isEqualTo(Abi.VERSION);
                value.putInt(Abi.CONFIG_ABI_VERSION, 1);
                third.program().update(Abi.MAP_CONFIG, key, value, 1);
            }
            try (BpfDataplane fourth = new BpfDataplane(DataplaneConfig.DEFAULT.withConntrackMax(2048), BpfSizing.DEFAULT, false, pins)) {
                assertThat(fourth.recreatedPins()).containsExactly(
                        "hl_config: written by an agent of ABI version 1; this one is version " + Abi.VERSION);
            }
        } finally {
            BpfProgram.unpin(pins);
        }
        assertThat(Path.of(pins)).doesNotExist();
    }

    @Test
    void withoutPrivilegesTheBpfPathSaysWhatIsMissingInOneLine(@TempDir Path dir) throws Exception {
        Privileges.requireBpf();
        // a user without privileges: the JVM runs as nobody, on copies it can read
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path jar = Files.copy(BpfProgramTest.shadedJar(), dir.resolve("hotline.jar"));
        Path manifest = Files.writeString(dir.resolve("cluster.yaml"), Cluster.base());
        Path in = ReplayCommandTest.writeInput(dir, ReplayCommandTest.storyFrames());
        for (Path p : List.of(jar, manifest, in)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        }
        Process p = new ProcessBuilder("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--",
                BpfProgramTest.javaBin(), "-jar", jar.toString(), "replay", "-f", manifest.toString(), "--in", in.toString(),
                "--out", "/tmp/hotline-unprivileged-" + UUID.randomUUID() + ".pcap", "--dataplane", "bpf")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isEqualTo(2);
        assertThat(out.lines().filter(l -> !l.startsWith("warning"))).singleElement().asString()
                .isEqualTo("hotline: --dataplane bpf: not privileged: loading BPF programs needs root or CAP_BPF with CAP_NET_ADMIN");
    }
}
