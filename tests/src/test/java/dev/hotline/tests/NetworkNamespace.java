package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace a test makes for itself, named uniquely per run, always removed (with every
 * link inside it) on close. Nothing is ever added to the root namespace.
 */
public final class NetworkNamespace implements AutoCloseable {
    private final String name;

    private NetworkNamespace(String name) {
        this.name = name;
    }

    public static NetworkNamespace create(String purpose) throws IOException, InterruptedException {
        String name = "hl-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8);
        run("ip", "netns", "add", name);
        NetworkNamespace ns = new NetworkNamespace(name);
        ns.exec("ip", "link", "set", "lo", "up");
        return ns;
    }

    public String name() {
        return name;
    }

    public String path() {
        return "/var/run/netns/" + name;
    }

    /** Runs a command inside the namespace; fails the test when it fails. Returns its output. */
    public String exec(String... cmd) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", name));
        all.addAll(List.of(cmd));
        return run(all.toArray(String[]::new));
    }

    /** Runs a command; fails the test when it fails. Returns its output. */
    public static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "del", name).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
    }
}
