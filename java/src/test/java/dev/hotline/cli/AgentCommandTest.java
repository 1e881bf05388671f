package dev.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.TestManifests;
import org.junit.jupiter.api.Test;

class AgentCommandTest {

    @Test
    void anUnknownDataplaneOrATinyRingIsOneLineBeforeAnythingRuns() {
        CliRun r = CliRun.of("agent", "-f", TestManifests.root().resolve("examples/seed").toString(), "--dataplane", "xdp");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("hotline: agent: --dataplane xdp: bpf, userspace or auto\n");
        CliRun ring = CliRun.of("agent", "-f", TestManifests.root().resolve("examples/seed").toString(), "--dataplane", "userspace",
                "--ring-size", "100");
        assertThat(ring.exitCode()).isEqualTo(2);
        assertThat(ring.err()).isEqualTo("hotline: agent: --ring-size 100: at least 65536 bytes\n");
    }

    @Test
    void aPinDirectoryOffBpffsIsRefusedWithTheReason() {
        String why = BpfFilesystem.problemWith("/tmp/not-bpffs/hotline");
        assertThat(why).startsWith("not on a BPF filesystem").contains("mount -t bpf bpf /sys/fs/bpf");
    }

    @Test
    void helpExplainsTheAgent() {
        CliRun r = CliRun.of("agent", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--attach=PATTERN", "--pin-dir=DIR", "--cleanup", "SIGTERM");
    }

    @Test
    void manifestsOrTheApiServerOneOfTheTwoCheckedBeforeAnythingAboutTheMachine() {
        CliRun both = CliRun.of("agent", "--kube", "-f", TestManifests.root().resolve("examples/seed").toString(), "--pin-dir", "/sys/fs/bpf/x");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).isEqualTo("hotline: agent: give either -f manifests or --kube, one of the two\n");
        CliRun neither = CliRun.of("agent", "--pin-dir", "/sys/fs/bpf/x");
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).isEqualTo("hotline: agent: give either -f manifests or --kube, one of the two\n");
    }

    @Test
    void planWithoutManifestsSaysWhatToGive() {
        CliRun r = CliRun.of("plan");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("hotline: no manifests: give -f FILE or -f DIR (what kubectl get -o yaml prints)\n");
    }
}
