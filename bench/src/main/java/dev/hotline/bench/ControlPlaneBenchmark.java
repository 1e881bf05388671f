package dev.hotline.bench;

import dev.hotline.cluster.ClusterState;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.plan.MapOp;
import dev.hotline.plan.Plan;
import dev.hotline.plan.PlanDiff;
import dev.hotline.plan.Planner;
import java.util.List;
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
 * The control plane at 10 000 Services with 10 endpoints each: a full plan, a full diff, and one
 * endpoint change end to end (plan, diff, and apply to the maps), alternating between two
 * pictures that differ in one endpoint.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class ControlPlaneBenchmark {
    @Param({"10000"})
    public int services;

    @Param({"bpf", "userspace"})
    public String dataplane;

    ClusterState a;
    ClusterState b;
    Plan full;
    Plan loaded;
    Dataplane dp;
    boolean flip;

    @Setup(Level.Trial)
    public void setUp() {
        a = BenchCluster.build(services, 10, -1);
        b = BenchCluster.build(services, 10, 3);
        full = Planner.plan(a, BenchCluster.NODE, Plan.EMPTY);
        dp = BenchDataplanes.open(dataplane, full);
        loaded = full;
    }

    @Benchmark
    public Plan fullPlan() {
        return Planner.plan(a, BenchCluster.NODE, Plan.EMPTY);
    }

    @Benchmark
    public List<MapOp> fullDiff() {
        return PlanDiff.between(Plan.EMPTY, full);
    }

    @Benchmark
    public int endpointChange() {
        flip = !flip;
        Plan next = Planner.plan(flip ? b : a, BenchCluster.NODE, loaded);
        List<MapOp> ops = PlanDiff.between(loaded, next);
        dp.apply(ops);
        loaded = next;
        return ops.size();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dp.close();
    }
}
