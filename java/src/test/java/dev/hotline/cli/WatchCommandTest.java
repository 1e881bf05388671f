package dev.hotline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.TestManifests;
import org.junit.jupiter.api.Test;

/** watch's arguments are checked, one line each, before anything is captured. */
class WatchCommandTest {
    static final String SEED = TestManifests.root().resolve("examples/seed").toString();

    @Test
    void badArgumentsAreOneLineAndExit2() {
        CliRun both = CliRun.of("watch", "-i", "lo", "-f", SEED, "--kube");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).isEqualTo("hotline: watch: give either -f manifests or --kube, one of the two\n");
        CliRun config = CliRun.of("watch", "-i", "lo", "--kube", "--kubeconfig", "/nonexistent/kubeconfig");
        assertThat(config.exitCode()).isEqualTo(2);
        assertThat(config.err()).isEqualTo("hotline: watch: --kubeconfig /nonexistent/kubeconfig: no such file\n");
        CliRun url = CliRun.of("watch", "-i", "lo", "--kube", "--kube-apiserver", "apiserver:6443");
        assertThat(url.err()).isEqualTo("hotline: watch: --kube-apiserver apiserver:6443: not an API server URL like https://192.0.2.10:6443\n");
        CliRun format = CliRun.of("watch", "-i", "lo", "-f", SEED, "-o", "yaml");
        assertThat(format.err()).isEqualTo("hotline: watch: -o yaml: text or jsonl\n");
        CliRun count = CliRun.of("watch", "-i", "lo", "-f", SEED, "-c", "-1");
        assertThat(count.err()).isEqualTo("hotline: watch: --count -1: 0 or more\n");
    }

    @Test
    void helpExplainsWhatIsPrintedAndThatNothingChanges() {
        CliRun r = CliRun.of("watch", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--interface=IFACE", "--kube", "Nothing is sent and nothing on the node changes", "jsonl");
    }
}
