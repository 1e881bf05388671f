package dev.hotline.bench;

import dev.hotline.dataplane.Dataplane;
import dev.hotline.plan.Plan;
import dev.hotline.plan.Planner;
import java.util.concurrent.TimeUnit;
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
 * How per-frame cost grows with the cluster: new flows spread over every Service of clusters of
 * 10 to 100 000 Services with 10 backends each. Lookups are O(1), so the cost should stay flat;
 * the summary reports the ratio of 100 000 to 10.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx12g")
public class ScaleBenchmark {
    @Param({"10", "1000", "10000", "100000"})
    public int services;

    @Param({"userspace", "bpf"})
    public String dataplane;

    Dataplane dp;
    FramePump pump;

    @Setup(Level.Trial)
    public void setUp() {
        Plan plan = Planner.plan(BenchCluster.build(services, 10, -1), BenchCluster.NODE, Plan.EMPTY);
        dp = BenchDataplanes.open(dataplane, plan);
        byte[][] frames = new byte[FrameKinds.NEW_FLOWS][];
        java.util.Random rnd = new java.util.Random(services);
        for (int i = 0; i < frames.length; i++) {
            frames[i] = FrameKinds.syn(FrameKinds.clientIp(i), FrameKinds.clientPort(i),
                    BenchCluster.CLUSTER_IP_BASE + rnd.nextInt(services), 80);
        }
        pump = new FramePump(frames, PacketPathBenchmark.START, FrameKinds.clockStep("new_flow"));
    }

    @Benchmark
    public int newFlow() {
        return pump.process(dp);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dp.close();
    }
}
