package dev.hotline.bench;

import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.bpf.BpfDataplane;
import dev.hotline.plan.Plan;
import dev.hotline.plan.Planner;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-frame cost of each packet kind, one frame per call, on the same frames and plan for both
 * dataplanes: the Java twin's process() on a buffer (no I/O), and the kernel program through JNI
 * and BPF_PROG_TEST_RUN (wall time). For the kernel, the run time the kernel itself measured for
 * the program is reported alongside (kernelNanos / frames).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class PacketPathBenchmark {
    @Param({"userspace", "bpf"})
    public String dataplane;

    @Param({"new_flow", "established", "reply", "nodeport_snat", "reject", "passthrough"})
    public String kind;

    static final long START = 1_795_651_200_000_000_000L;

    Dataplane dp;
    FramePump pump;

    /** What the kernel reported for the program's own run time, summed; divided by frames in the summary. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class KernelTime {
        public long kernelNanos;
        public long frames;
    }

    @Setup(Level.Trial)
    public void setUp() {
        Plan plan = Planner.plan(BenchCluster.build(10, 10, -1), BenchCluster.NODE, Plan.EMPTY);
        dp = BenchDataplanes.open(dataplane, plan);
        pump = new FramePump(FrameKinds.frames(kind, dp, 10, START), START, FrameKinds.clockStep(kind));
    }

    @Benchmark
    public int process(KernelTime kernel) {
        int length = pump.process(dp);
        if (dp instanceof BpfDataplane b) {
            kernel.kernelNanos += b.lastRunNanos();
            kernel.frames++;
        }
        return length;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dp.close();
    }
}
