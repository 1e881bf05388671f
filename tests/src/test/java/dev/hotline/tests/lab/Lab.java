package dev.hotline.tests.lab;

import static org.assertj.core.api.Assertions.assertThat;


import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The test cluster, made of network namespaces and veth pairs this run creates and always removes:
 * <pre>
 *   ext (192.168.77.100) ── up0 [node-1] n12 ── n21 [node-2] ── vc ── pod-c (10.244.2.2)
 *                             │   │   │
 *                            va  vb  vk
 *                             │   │   │
 *                  pod-a 10.244.1.2  pod-b 10.244.1.3  client 10.244.1.10
 * </pre>
 * node-1 is 192.168.77.1 on the uplink and 10.10.0.1 towards node-2 (10.10.0.2). Pods have /32
 * addresses and a default route to 169.254.1.1, which every node-side veth owns; nodes route to
 * pods by host routes. Every name carries this run's id, so runs never collide.
 */
public final class Lab implements AutoCloseable {
    public final String id = UUID.randomUUID().toString().substring(0, 6);
    public final String node1 = "hl-" + id + "-node1";
    public final String node2 = "hl-" + id + "-node2";
    public final String podA = "hl-" + id + "-a";
    public final String podB = "hl-" + id + "-b";
    public final String podC = "hl-" + id + "-c";
    public final String client = "hl-" + id + "-cli";
    public final String ext = "hl-" + id + "-ext";
    private final List<String> namespaces = List.of(node1, node2, podA, podB, podC, client, ext);
    private final List<Process> processes = new ArrayList<>();

    public static Lab build() throws Exception {
        Lab lab = new Lab();
        try {
            lab.create();
        } catch (Exception | AssertionError e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    private void create() throws Exception {
        for (String ns : namespaces) {
            run("ip", "netns", "add", ns);
            in(ns, "ip", "link", "set", "lo", "up");
        }
        for (String node : List.of(node1, node2)) {
            in(node, "sysctl", "-qw", "net.ipv4.ip_forward=1");
            in(node, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0");
            in(node, "sysctl", "-qw", "net.ipv4.conf.default.rp_filter=0");
        }
        pod(node1, "va", podA, "10.244.1.2");
        pod(node1, "vb", podB, "10.244.1.3");
        pod(node1, "vk", client, "10.244.1.10");
        pod(node2, "vc", podC, "10.244.2.2");
        // the uplink to the outside world
        in(node1, "ip", "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", ext);
        in(node1, "ip", "addr", "add", "192.168.77.1/24", "dev", "up0");
        in(node1, "ip", "link", "set", "up0", "up");
        in(ext, "ip", "addr", "add", "192.168.77.100/24", "dev", "eth0");
        in(ext, "ip", "link", "set", "eth0", "up");
        in(ext, "ip", "route", "add", "default", "via", "192.168.77.1");
        // node-1 to node-2
        in(node1, "ip", "link", "add", "n12", "type", "veth", "peer", "name", "n21", "netns", node2);
        in(node1, "ip", "addr", "add", "10.10.0.1/30", "dev", "n12");
        in(node1, "ip", "link", "set", "n12", "up");
        in(node2, "ip", "addr", "add", "10.10.0.2/30", "dev", "n21");
        in(node2, "ip", "link", "set", "n21", "up");
        in(node1, "ip", "route", "add", "10.244.2.0/24", "via", "10.10.0.2");
        in(node2, "ip", "route", "add", "default", "via", "10.10.0.1");
    }

    private void pod(String node, String hostSide, String pod, String ip) throws Exception {
        in(node, "ip", "link", "add", hostSide, "type", "veth", "peer", "name", "eth0", "netns", pod);
        in(node, "ip", "addr", "add", "169.254.1.1/32", "dev", hostSide);
        in(node, "ip", "link", "set", hostSide, "up");
        in(node, "ip", "route", "add", ip + "/32", "dev", hostSide);
        in(pod, "ip", "addr", "add", ip + "/32", "dev", "eth0");
        in(pod, "ip", "link", "set", "eth0", "up");
        in(pod, "ip", "route", "add", "169.254.1.1", "dev", "eth0", "scope", "link");
        in(pod, "ip", "route", "add", "default", "via", "169.254.1.1", "dev", "eth0");
    }

    public String in(String ns, String... cmd) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(cmd));
        return run(all.toArray(String[]::new));
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        return dev.hotline.tests.NetworkNamespace.run(cmd);
    }

    static String testClasses() throws Exception {
        return Path.of(LabServer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    /** Starts a pod's server process; waits until it listens. */
    public void startServer(String ns, String name, String... ports) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-cp", testClasses(),
                LabServer.class.getName(), name));
        cmd.addAll(List.of(ports));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        String first = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertThat(first).as("server %s", name).isEqualTo("listening");
    }

    /** Runs a client process in a namespace and returns its lines. */
    public List<String> client(String ns, String... args) throws Exception {
        return clientProcess(ns, args).waitForLines();
    }

    /**
     * Runs a client process in a namespace as a member of a cgroup (a test's own): the shell joins
     * the cgroup, then becomes the client, so every socket the client opens is the cgroup's.
     */
    public List<String> clientInCgroup(String ns, Path cgroup, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", testClasses(), LabClient.class.getName()));
        cmd.addAll(List.of(args));
        return inCgroup(ns, cgroup, cmd);
    }

    /** Runs a command in the namespace's network as a member of the cgroup; returns its output lines. */
    public List<String> inCgroup(String ns, Path cgroup, List<String> command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "echo $$ > \"$0\"/cgroup.procs && ns=\"$1\" && shift && exec nsenter --net=/var/run/netns/\"$ns\" -- \"$@\"",
                cgroup.toString(), ns));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        return new Running(p).waitForLines();
    }

    public Running clientProcess(String ns, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-cp", testClasses(),
                LabClient.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        return new Running(p);
    }

    /** A process whose output is collected as it runs. */
    public static final class Running {
        public final Process process;
        private final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Thread reader;

        Running(Process p) {
            this.process = p;
            reader = new Thread(() -> {
                try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = in.readLine()) != null) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // process gone
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        public List<String> lines() {
            synchronized (lines) {
                return new ArrayList<>(lines);
            }
        }

        public List<String> waitForLines() throws InterruptedException {
            assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
            reader.join(5000);
            return lines();
        }

        /** Waits until a line containing the text appears after the first `from` lines; returns it. */
        public String awaitAfter(int from, String text, long timeoutMillis) throws InterruptedException {
            long end = System.currentTimeMillis() + timeoutMillis;
            while (System.currentTimeMillis() < end) {
                List<String> now = lines();
                for (int i = from; i < now.size(); i++) {
                    if (now.get(i).contains(text)) {
                        return now.get(i);
                    }
                }
                Thread.sleep(10);
            }
            throw new AssertionError("no new line with '" + text + "' within " + timeoutMillis + " ms; got:\n" + String.join("\n", lines()));
        }

        /** Waits until a line containing the text appears; returns it. */
        public String await(String text, long timeoutMillis) throws InterruptedException {
            long end = System.currentTimeMillis() + timeoutMillis;
            while (System.currentTimeMillis() < end) {
                for (String l : lines()) {
                    if (l.contains(text)) {
                        return l;
                    }
                }
                Thread.sleep(20);
            }
            throw new AssertionError("no line with '" + text + "' within " + timeoutMillis + " ms; got:\n" + String.join("\n", lines()));
        }
    }

    /**
     * Starts a process in the namespace's network only (nsenter), keeping the host's mounts, so it
     * sees /sys/fs/bpf the way a DaemonSet pod with host paths does (ip netns exec remounts /sys).
     */
    public Running startWithHostMounts(String ns, List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + ns, "--"));
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        return new Running(p);
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (String ns : namespaces) {
            try {
                Process p = new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                // keep removing the others
            }
        }
    }
}
