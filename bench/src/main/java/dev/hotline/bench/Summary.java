package dev.hotline.bench;

import dev.hotline.cluster.ClusterState;
import dev.hotline.plan.Plan;
import dev.hotline.plan.Planner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a JMH JSON result into what people read: bench/results/README.md (tables, the machine it
 * ran on) and two charts (per-frame cost by packet kind; cost against cluster size).
 * Usage: Summary RESULTS_DIR (reads RESULTS_DIR/jmh.json).
 */
public final class Summary {
    static final String[] KINDS = {"new_flow", "established", "reply", "nodeport_snat", "reject", "passthrough"};

    record Row(String benchmark, Map<String, String> params, double score, double error, String unit, Map<String, Double> secondary) {
        String param(String name) {
            return params.getOrDefault(name, "");
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "bench/results");
        List<Row> rows = read(dir.resolve("jmh.json"));
        StringBuilder md = new StringBuilder();
        md.append("# hotline benchmarks\n\n");
        md.append("Latest full run of `bench/run`, ").append(LocalDate.now()).append(". ").append(machine()).append("\n\n");
        md.append("Lower is better everywhere but in the replay table. `±` is JMH's 99.9% confidence interval. ")
                .append("All kernel numbers come from `BPF_PROG_TEST_RUN`: the program runs on a real kernel, fed one frame ")
                .append("at a time by a syscall, which live traffic at tc ingress does not pay.\n\n");

        md.append("## Per-frame cost by packet kind (ns per frame)\n\n");
        md.append("| kind | user space (Java) | kernel: JNI + test-run, 1 frame per call | kernel: 64 frames per call | kernel: program alone |\n");
        md.append("|---|---:|---:|---:|---:|\n");
        Map<String, double[]> perKind = new LinkedHashMap<>();
        for (String kind : KINDS) {
            Row user = find(rows, "PacketPathBenchmark.process", Map.of("dataplane", "userspace", "kind", kind));
            Row bpf = find(rows, "PacketPathBenchmark.process", Map.of("dataplane", "bpf", "kind", kind));
            Row batch = find(rows, "KernelBatchBenchmark.batch", Map.of("kind", kind));
            double kernel = kernelNanos(bpf);
            perKind.put(kind, new double[] {score(user), score(bpf), score(batch), kernel});
            md.append("| ").append(kind).append(" | ").append(cell(user)).append(" | ").append(cell(bpf)).append(" | ")
                    .append(cell(batch)).append(" | ").append(Double.isNaN(kernel) ? "-" : fmt(kernel)).append(" |\n");
        }
        Row floor = find(rows, "KernelFloorBenchmark.oneFrame", Map.of());
        Row floorBatch = find(rows, "KernelBatchBenchmark.batch", Map.of("kind", "floor"));
        md.append("| *floor: empty tc program* | - | ").append(cell(floor)).append(" | ").append(cell(floorBatch)).append(" | ")
                .append(Double.isNaN(kernelNanos(floor)) ? "-" : fmt(kernelNanos(floor))).append(" |\n\n");
        md.append("How to read it: the user-space column is the Java twin's `process()` on a buffer, no I/O. The kernel's ")
                .append("1-frame column is what one JNI call with one `BPF_PROG_TEST_RUN` costs; the floor row is the same ")
                .append("harness around an empty program, so the difference is our program. The 64-frame column amortises ")
                .append("the JNI crossing. \"Program alone\" is the run time the kernel measured around the program. ")
                .append("new_flow and nodeport_snat insert two conntrack entries per frame; established, reply and reject ")
                .append("do not.\n\n");

        md.append("## Cost against cluster size (new flows over every Service, 10 backends each; ns per frame)\n\n");
        md.append("| Services | user space | kernel (1 frame per call) |\n|---:|---:|---:|\n");
        String[] sizes = {"10", "1000", "10000", "100000"};
        Map<String, double[]> scale = new LinkedHashMap<>();
        for (String n : sizes) {
            Row u = find(rows, "ScaleBenchmark.newFlow", Map.of("services", n, "dataplane", "userspace"));
            Row k = find(rows, "ScaleBenchmark.newFlow", Map.of("services", n, "dataplane", "bpf"));
            scale.put(n, new double[] {score(u), score(k)});
            md.append("| ").append(n).append(" | ").append(cell(u)).append(" | ").append(cell(k)).append(" |\n");
        }
        md.append("| **ratio 100 000 : 10** | ").append(ratio(scale, 0)).append(" | ").append(ratio(scale, 1)).append(" |\n\n");

        md.append("## Control plane (10 000 Services, 10 endpoints each; ms)\n\n");
        md.append("| operation | with the kernel maps | with the Java twin |\n|---|---:|---:|\n");
        for (String op : List.of("fullPlan", "fullDiff", "endpointChange")) {
            md.append("| ").append(switch (op) {
                case "fullPlan" -> "full plan (Maglev tables included)";
                case "fullDiff" -> "full diff (empty to everything)";
                default -> "one endpoint change: plan, diff, apply";
            }).append(" | ").append(cell(find(rows, "ControlPlaneBenchmark." + op, Map.of("dataplane", "bpf"))))
                    .append(" | ").append(cell(find(rows, "ControlPlaneBenchmark." + op, Map.of("dataplane", "userspace")))).append(" |\n");
        }
        md.append("\nMemory held by the plan of 10 000 Services: ").append(planMegabytes()).append(" MB (heap after GC).\n\n");

        md.append("## Replay of a pcap file (1 000 000 frames: read, process, write)\n\n");
        md.append("| dataplane | seconds | frames per second |\n|---|---:|---:|\n");
        for (String d : List.of("userspace", "bpf")) {
            Row r = find(rows, "ReplayBenchmark.replay", Map.of("dataplane", d));
            double s = score(r) / 1000.0;
            double frames = r == null ? Double.NaN : Double.parseDouble(r.param("frames"));
            md.append("| ").append(d).append(" | ").append(Double.isNaN(s) ? "-" : String.format(Locale.ROOT, "%.2f", s))
                    .append(" | ").append(Double.isNaN(s) ? "-" : String.format(Locale.ROOT, "%,.0f", frames / s)).append(" |\n");
        }
        md.append("\n![per-frame cost](per-frame.png)\n\n![scale](scale.png)\n\n");
        md.append("Run it again with `bench/run` (as root for the kernel path); the raw JMH output is `jmh.json`.\n");
        Files.writeString(dir.resolve("README.md"), md.toString());
        charts(dir, perKind, scale);
        System.out.println("wrote " + dir.resolve("README.md") + ", per-frame.png, scale.png");
    }

    static List<Row> read(Path json) throws IOException {
        JsonNode root = JsonMapper.builder().build().readTree(Files.readString(json));
        List<Row> rows = new ArrayList<>();
        for (JsonNode n : root) {
            Map<String, String> params = new LinkedHashMap<>();
            JsonNode p = n.get("params");
            if (p != null) {
                p.properties().forEach(e -> params.put(e.getKey(), e.getValue().asString()));
            }
            Map<String, Double> secondary = new LinkedHashMap<>();
            JsonNode s = n.get("secondaryMetrics");
            if (s != null) {
                s.properties().forEach(e -> secondary.put(e.getKey(), e.getValue().get("score").asDouble()));
            }
            JsonNode pm = n.get("primaryMetric");
            String name = n.get("benchmark").asString();
            rows.add(new Row(name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1), params,
                    pm.get("score").asDouble(), pm.get("scoreError").asDouble(Double.NaN), pm.get("scoreUnit").asString(), secondary));
        }
        return rows;
    }

    static Row find(List<Row> rows, String benchmark, Map<String, String> params) {
        for (Row r : rows) {
            if (r.benchmark().equals(benchmark) && params.entrySet().stream().allMatch(e -> e.getValue().equals(r.param(e.getKey())))) {
                return r;
            }
        }
        return null;
    }

    static double score(Row r) {
        return r == null ? Double.NaN : r.score();
    }

    static double kernelNanos(Row r) {
        if (r == null || !r.secondary().containsKey("frames") || r.secondary().get("frames") == 0) {
            return Double.NaN;
        }
        return r.secondary().get("kernelNanos") / r.secondary().get("frames");
    }

    static String fmt(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    static String cell(Row r) {
        if (r == null) {
            return "-";
        }
        return fmt(r.score()) + (Double.isNaN(r.error()) ? "" : " ± " + fmt(r.error()));
    }

    static String ratio(Map<String, double[]> scale, int column) {
        double big = scale.get("100000")[column];
        double small = scale.get("10")[column];
        return Double.isNaN(big) || Double.isNaN(small) ? "-" : String.format(Locale.ROOT, "%.2f", big / small);
    }

    static String machine() {
        String cpu = "unknown CPU";
        String mem = "";
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    cpu = l.substring(l.indexOf(':') + 1).trim();
                    break;
                }
            }
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal")) {
                    mem = ", " + Long.parseLong(l.replaceAll("\\D", "")) / (1024 * 1024) + " GiB";
                }
            }
        } catch (IOException | RuntimeException e) {
            // keep what we have
        }
        return "Machine: " + cpu + ", " + Runtime.getRuntime().availableProcessors() + " cores" + mem + ", Linux "
                + System.getProperty("os.version") + ", " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ".";
    }

    static String planMegabytes() {
        ClusterState state = BenchCluster.build(10_000, 10, -1);
        long before = used();
        Plan plan = Planner.plan(state, BenchCluster.NODE, Plan.EMPTY);
        long after = used();
        String mb = String.format(Locale.ROOT, "%.1f", (after - before) / 1048576.0);
        if (plan.services().isEmpty()) {
            throw new IllegalStateException("empty plan");
        }
        return mb;
    }

    static long used() {
        for (int i = 0; i < 4; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    static void charts(Path dir, Map<String, double[]> perKind, Map<String, double[]> scale) throws IOException {
        CategoryChart bars = new CategoryChartBuilder().width(1000).height(520).title("Per-frame cost by packet kind")
                .xAxisTitle("packet kind").yAxisTitle("ns per frame").build();
        List<String> kinds = new ArrayList<>(perKind.keySet());
        String[] series = {"user space (Java)", "kernel, 1 frame per JNI call", "kernel, 64 frames per call", "kernel program alone"};
        for (int s = 0; s < series.length; s++) {
            List<Double> ys = new ArrayList<>();
            for (String k : kinds) {
                double v = perKind.get(k)[s];
                ys.add(Double.isNaN(v) ? 0.0 : v);
            }
            bars.addSeries(series[s], kinds, ys);
        }
        BitmapEncoder.saveBitmap(bars, dir.resolve("per-frame").toString(), BitmapEncoder.BitmapFormat.PNG);

        XYChart lines = new XYChartBuilder().width(1000).height(520).title("New-flow cost against cluster size (10 backends per Service)")
                .xAxisTitle("Services").yAxisTitle("ns per frame").build();
        lines.getStyler().setXAxisLogarithmic(true);
        String[] names = {"user space (Java)", "kernel, 1 frame per JNI call"};
        for (int s = 0; s < names.length; s++) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (Map.Entry<String, double[]> e : scale.entrySet()) {
                if (!Double.isNaN(e.getValue()[s])) {
                    xs.add(Double.parseDouble(e.getKey()));
                    ys.add(e.getValue()[s]);
                }
            }
            if (!xs.isEmpty()) {
                lines.addSeries(names[s], xs, ys);
            }
        }
        BitmapEncoder.saveBitmap(lines, dir.resolve("scale").toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
