package dev.hotline.bench;

import dev.hotline.cluster.ClusterDelta;
import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.EndpointSlice;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.plan.Plan;
import dev.hotline.plan.Planner;
import dev.hotline.reconcile.Reconciler;
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
 * The control plane at 10 000 and 100 000 Services of 10 endpoints each, through the one
 * reconciler the agent runs:
 * <ul>
 *   <li>endpointSliceChange (sampled, so p50 and p99 are reported): one EndpointSlice event, an
 *   endpoint replaced, from the change handed over to the last map write, walking over the
 *   Services so that no single table stays in cache;</li>
 *   <li>wholePlan: the whole-picture plan, the oracle and what each change cost before changes
 *   were planned one Service at a time.</li>
 * </ul>
 * Initial sync time and heap are measured by {@link ControlPlaneSync}.
 */
@State(Scope.Thread)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-Xmx6g")
public class ControlPlaneBenchmark {
    static final int ROTATION = 1000;

    @Param({"10000", "100000"})
    public int services;

    @Param({"bpf", "userspace"})
    public String dataplane;

    ClusterState cluster;
    Dataplane dp;
    Reconciler reconciler;
    ClusterDelta[] changed;
    ClusterDelta[] restored;
    boolean[] isChanged;
    int next;
    int rotation;

    @Setup(Level.Trial)
    public void setUp() {
        cluster = BenchCluster.build(services, 10, -1);
        Plan whole = Planner.plan(cluster, BenchCluster.NODE, Plan.EMPTY);
        dp = BenchDataplanes.sizedFor(dataplane, whole);
        reconciler = new Reconciler(dp, BenchCluster.NODE, line -> { });
        reconciler.onChange(cluster);
        rotation = Math.min(ROTATION, services);
        changed = new ClusterDelta[rotation];
        restored = new ClusterDelta[rotation];
        isChanged = new boolean[rotation];
        int step = services / rotation;
        for (int k = 0; k < rotation; k++) {
            int i = k * step;
            changed[k] = delta(BenchCluster.slice(i, 10, k % 10, services));
            restored[k] = delta(BenchCluster.slice(i, 10, -1, services));
        }
    }

    private static ClusterDelta delta(EndpointSlice s) {
        return new ClusterDelta.Builder().slices(s.ref(), List.of(s)).build();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void endpointSliceChange() {
        int k = next;
        next = (next + 1) % rotation;
        reconciler.onDelta(isChanged[k] ? restored[k] : changed[k]);
        isChanged[k] = !isChanged[k];
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Plan wholePlan() {
        return Planner.plan(cluster, BenchCluster.NODE, Plan.EMPTY);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dp.close();
    }
}
