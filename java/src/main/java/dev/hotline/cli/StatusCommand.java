package dev.hotline.cli;

import dev.hotline.bpf.Abi;
import dev.hotline.dataplane.bpf.PinnedState;
import dev.hotline.dataplane.select.Dataplanes;
import dev.hotline.net.Ipv4;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `hotline status`: what a node has loaded right now, read from the pinned maps. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show what this node's dataplane holds right now, read from the maps the agent pinned: every "
                + "Service entry with its frontends and backends (and each backend's share of the Maglev table), the "
                + "conntrack flows (which backend each connection went to, and its SNAT), and the frame counters. "
                + "Nothing is loaded or changed; the agent may be running.",
            "%nIDs are the agent's Service IDs (the maps hold no names); `hotline plan` shows the same IDs by name."},
        footer = {"", "Examples:  hotline status", "           hotline status --address 10.244.1.10 -o json",
            "Exit codes: 0 shown, 2 nothing pinned there (or not readable).%n"})
final class StatusCommand extends HotlineCommand implements Callable<Integer> {
    @Option(names = "--pin-dir", paramLabel = "DIR", defaultValue = "/sys/fs/bpf/hotline",
            description = "Where the agent pinned its maps. Default: ${DEFAULT-VALUE}.")
    String pinDir;

    @Option(names = "--address", paramLabel = "IPV4",
            description = "Only conntrack flows with this address as client, frontend, backend or SNAT address.")
    String address;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text", description = "text or json.")
    String output;

    @Override
    public Integer call() {
        PrintWriter err = err();
        if (!output.equals("text") && !output.equals("json")) {
            err.println("hotline: status: -o " + output + ": text or json");
            return 2;
        }
        Integer filter = null;
        if (address != null) {
            try {
                filter = Ipv4.parse(address).value();
            } catch (IllegalArgumentException e) {
                err.println("hotline: status: --address " + address + ": not an IPv4 address");
                return 2;
            }
        }
        if (!java.nio.file.Files.isDirectory(java.nio.file.Path.of(pinDir))) {
            err.println("hotline: status: --pin-dir " + pinDir + ": nothing pinned there (is the agent running with this --pin-dir?)");
            return 2;
        }
        String why = Dataplanes.bpfUnavailable();
        if (why != null) {
            err.println("hotline: status: " + why);
            return 2;
        }
        PinnedState s;
        try {
            s = PinnedState.read(pinDir);
        } catch (RuntimeException e) {
            err.println("hotline: status: --pin-dir " + pinDir + ": " + e.getMessage());
            return 2;
        }
        List<PinnedState.Flow> flows = new ArrayList<>();
        for (PinnedState.Flow f : s.flows()) {
            if (filter == null || f.clientAddress() == filter || f.frontendAddress() == filter || f.backendAddress() == filter
                    || (f.snat() && f.snatAddress() == filter)) {
                flows.add(f);
            }
        }
        flows.sort((a, b) -> Long.compare(Integer.toUnsignedLong(a.clientAddress()) << 16 | a.clientPort(),
                Integer.toUnsignedLong(b.clientAddress()) << 16 | b.clientPort()));
        long now = System.nanoTime(); // the program's clock: CLOCK_MONOTONIC
        if (output.equals("json")) {
            out().println(json(s, flows, now));
        } else {
            text(out(), s, flows, now);
        }
        return 0;
    }

    static String endpoint(int address, int port) {
        return new Ipv4(address) + ":" + port;
    }

    static String proto(int p) {
        return p == 6 ? "TCP" : p == 17 ? "UDP" : Integer.toString(p);
    }

    static String state(PinnedState.Flow f, long now) {
        if (now >= f.expiresNanos()) {
            return "expired";
        }
        if ((f.flags() & Abi.CT_RST) != 0 || (f.flags() & (Abi.CT_FIN_FWD | Abi.CT_FIN_REV)) == (Abi.CT_FIN_FWD | Abi.CT_FIN_REV)) {
            return "closing";
        }
        if (f.protocol() != 6) {
            return "active";
        }
        return (f.flags() & Abi.CT_SEEN_REPLY) != 0 ? "established" : "opening";
    }

    static String duration(long nanos) {
        long s = Math.max(0, nanos / 1_000_000_000L);
        return s >= 3600 ? (s / 3600) + "h" + (s % 3600 / 60) + "m" : s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
    }

    private static void text(PrintWriter out, PinnedState s, List<PinnedState.Flow> flows, long now) {
        Map<Integer, List<PinnedState.FrontendEntry>> byService = new LinkedHashMap<>();
        s.frontends().forEach(f -> byService.computeIfAbsent(f.serviceId(), k -> new ArrayList<>()).add(f));
        out.printf("Services: %d, frontends %d, backends %d; redirect %s%n", byService.size(), s.frontends().size(),
                s.backends().size(), (s.configFlags() & Abi.CFG_REDIRECT) != 0 ? "on" : "off");
        out.printf("%-5s %-24s %-9s %-8s %s%n", "ID", "FRONTEND", "KIND", "FRAMES", "BACKENDS (Maglev slots)");
        byService.forEach((id, fs) -> {
            Map<Integer, Integer> shares = s.slotsByService().getOrDefault(id, Map.of());
            List<String> backends = new ArrayList<>();
            shares.forEach((backend, n) -> {
                PinnedState.BackendEntry b = s.backends().get(backend);
                backends.add((b == null ? "#" + backend : endpoint(b.address(), b.port()) + (b.local() ? " local" : "")) + " (" + n + ")");
            });
            for (int i = 0; i < fs.size(); i++) {
                PinnedState.FrontendEntry f = fs.get(i);
                out.printf("%-5s %-24s %-9s %-8s %s%n", i == 0 ? Integer.toString(id) : "", endpoint(f.address(), f.port()) + "/"
                        + proto(f.protocol()), f.label(), i == 0 ? s.framesByService().getOrDefault(id, 0L) : "",
                        i > 0 ? "" : f.activeBackends() == 0 ? "none: refused" : String.join(", ", backends));
            }
        });
        out.printf("%nConntrack: %d flow(s)%s%n", flows.size(), flows.size() == s.flows().size() ? "" : " of " + s.flows().size());
        if (!flows.isEmpty()) {
            out.printf("%-22s %-22s %-4s %-22s %-22s %-12s %s%n", "CLIENT", "FRONTEND", "PROTO", "BACKEND", "SNAT", "STATE", "EXPIRES IN");
            for (PinnedState.Flow f : flows) {
                out.printf("%-22s %-22s %-4s %-22s %-22s %-12s %s%n", endpoint(f.clientAddress(), f.clientPort()),
                        endpoint(f.frontendAddress(), f.frontendPort()), proto(f.protocol()), endpoint(f.backendAddress(), f.backendPort()),
                        f.snat() ? endpoint(f.snatAddress(), f.snatPort()) : "-", state(f, now), duration(f.expiresNanos() - now));
            }
        }
        out.printf("%nFrames by verdict:");
        s.byVerdict().forEach((v, n) -> out.printf(" %s %d", v, n));
        out.printf("%nBy reason (non-zero):");
        s.byReason().forEach((r, n) -> {
            if (n > 0) {
                out.printf(" %s %d", r, n);
            }
        });
        out.println();
    }

    private static String json(PinnedState s, List<PinnedState.Flow> flows, long now) {
        StringBuilder b = new StringBuilder("{\"services\": [");
        Map<Integer, List<PinnedState.FrontendEntry>> byService = new LinkedHashMap<>();
        s.frontends().forEach(f -> byService.computeIfAbsent(f.serviceId(), k -> new ArrayList<>()).add(f));
        int i = 0;
        for (var e : byService.entrySet()) {
            b.append(i++ == 0 ? "" : ", ").append("{\"id\": ").append(e.getKey()).append(", \"frames\": ")
                    .append(s.framesByService().getOrDefault(e.getKey(), 0L)).append(", \"frontends\": [");
            int j = 0;
            for (PinnedState.FrontendEntry f : e.getValue()) {
                b.append(j++ == 0 ? "" : ", ").append("{\"address\": \"").append(new Ipv4(f.address())).append("\", \"port\": ")
                        .append(f.port()).append(", \"protocol\": \"").append(proto(f.protocol())).append("\", \"kind\": \"")
                        .append(f.label()).append("\"}");
            }
            b.append("], \"backends\": [");
            j = 0;
            for (var sh : s.slotsByService().getOrDefault(e.getKey(), Map.of()).entrySet()) {
                PinnedState.BackendEntry be = s.backends().get(sh.getKey());
                b.append(j++ == 0 ? "" : ", ").append("{\"id\": ").append(sh.getKey());
                if (be != null) {
                    b.append(", \"address\": \"").append(new Ipv4(be.address())).append("\", \"port\": ").append(be.port())
                            .append(", \"local\": ").append(be.local()).append(", \"packets\": ").append(be.packets());
                }
                b.append(", \"slots\": ").append(sh.getValue()).append('}');
            }
            b.append("]}");
        }
        b.append("], \"conntrack\": [");
        i = 0;
        for (PinnedState.Flow f : flows) {
            b.append(i++ == 0 ? "" : ", ").append("{\"client\": \"").append(endpoint(f.clientAddress(), f.clientPort()))
                    .append("\", \"frontend\": \"").append(endpoint(f.frontendAddress(), f.frontendPort())).append("\", \"protocol\": \"")
                    .append(proto(f.protocol())).append("\", \"serviceId\": ").append(f.serviceId()).append(", \"backendId\": ")
                    .append(f.backendId()).append(", \"backend\": \"").append(endpoint(f.backendAddress(), f.backendPort())).append('"');
            if (f.snat()) {
                b.append(", \"snat\": \"").append(endpoint(f.snatAddress(), f.snatPort())).append('"');
            }
            b.append(", \"state\": \"").append(state(f, now)).append("\", \"expiresInSeconds\": ")
                    .append(Math.max(0, (f.expiresNanos() - now) / 1_000_000_000L)).append('}');
        }
        b.append("], \"frames\": {\"byVerdict\": {");
        i = 0;
        for (var e : s.byVerdict().entrySet()) {
            b.append(i++ == 0 ? "" : ", ").append('"').append(e.getKey()).append("\": ").append(e.getValue());
        }
        b.append("}, \"byReason\": {");
        i = 0;
        for (var e : s.byReason().entrySet()) {
            b.append(i++ == 0 ? "" : ", ").append('"').append(e.getKey()).append("\": ").append(e.getValue());
        }
        return b.append("}}}").toString();
    }
}
