package dev.hotline.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hotline.dataplane.select.Dataplanes;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * One short iteration of every benchmark, in this JVM, so that benchmarks cannot rot. It asserts
 * that they run and produce a number, never how fast (speed is measured by bench/run).
 */
class BenchmarkSmokeTest {

    static boolean bpf() {
        if (Dataplanes.bpfUnavailable() == null) {
            return true;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("CI=true but the BPF dataplane is unavailable: " + Dataplanes.bpfUnavailable());
        }
        return false;
    }

    @Test
    void everyBenchmarkRunsOnce() throws Exception {
        boolean bpf = bpf();
        String[] dataplanes = bpf ? new String[] {"userspace", "bpf"} : new String[] {"userspace"};
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include(PacketPathBenchmark.class.getSimpleName())
                .include(ScaleBenchmark.class.getSimpleName())
                .include(ControlPlaneBenchmark.class.getSimpleName())
                .include(ReplayBenchmark.class.getSimpleName())
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .param("dataplane", dataplanes)
                .param("services", "10")
                .param("frames", "20000")
                .shouldFailOnError(true);
        if (bpf) {
            o.include(KernelBatchBenchmark.class.getSimpleName()).include(KernelFloorBenchmark.class.getSimpleName());
        }
        Collection<RunResult> results = new Runner(o.build()).run();
        List<String> ran = results.stream().map(r -> r.getParams().getBenchmark() + r.getParams().getParamsKeys().stream()
                .map(k -> " " + k + "=" + r.getParams().getParam(k)).reduce("", String::concat)).toList();
        int kinds = Summary.KINDS.length;
        int expected = kinds * dataplanes.length + dataplanes.length + 2 * dataplanes.length + dataplanes.length
                + (bpf ? kinds + 1 + 1 : 0);
        assertThat(ran).as("benchmarks run").hasSize(expected);
        for (RunResult r : results) {
            double score = r.getPrimaryResult().getScore();
            assertThat(score).as(r.getParams().getBenchmark()).isPositive().isFinite();
        }
    }
}
