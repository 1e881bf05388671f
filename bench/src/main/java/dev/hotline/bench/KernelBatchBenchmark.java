package dev.hotline.bench;

import dev.hotline.bpf.Abi;
import dev.hotline.bpf.BpfProgram;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.plan.Plan;
import dev.hotline.plan.Planner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The kernel path with the JNI crossing amortised: 64 frames per BPF_PROG_TEST_RUN JNI call
 * (reported per frame). kind "floor" runs an empty tc program through the same harness, which is
 * what the test-run machinery itself costs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class KernelBatchBenchmark {
    static final int BATCH = 64;

    @Param({"floor", "new_flow", "established", "reply", "nodeport_snat", "reject", "passthrough"})
    public String kind;

    Dataplane dp;
    BpfProgram empty;
    ByteBuffer emptySlots;
    byte[][] frames;
    FramePump pump;
    final byte[][] work = new byte[BATCH][4096];
    final int[] lengths = new int[BATCH];
    final long[] times = new long[BATCH];
    final PacketResult[] results = new PacketResult[BATCH];

    @Setup(Level.Trial)
    public void setUp() {
        for (int i = 0; i < BATCH; i++) {
            results[i] = new PacketResult();
        }
        Plan plan = Planner.plan(BenchCluster.build(10, 10, -1), BenchCluster.NODE, Plan.EMPTY);
        dp = BenchDataplanes.open("bpf", plan);
        frames = FrameKinds.frames(kind.equals("floor") ? "passthrough" : kind, dp, 10, PacketPathBenchmark.START);
        pump = new FramePump(frames, PacketPathBenchmark.START, FrameKinds.clockStep(kind));
        if (kind.equals("floor")) {
            empty = BpfProgram.loadEmpty();
            int stride = Abi.SLOT_HEADER + 4096;
            emptySlots = ByteBuffer.allocateDirect(stride * BATCH).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < BATCH; i++) {
                emptySlots.putInt(i * stride + Abi.SLOT_LENGTH, frames[i].length);
                emptySlots.put(i * stride + Abi.SLOT_HEADER, frames[i], 0, frames[i].length);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int batch() {
        if (empty != null) {
            int stride = Abi.SLOT_HEADER + 4096;
            for (int i = 0; i < BATCH; i++) {
                emptySlots.putInt(i * stride + Abi.SLOT_LENGTH, frames[i].length);
            }
            return empty.testRun(emptySlots, BATCH, stride);
        }
        for (int i = 0; i < BATCH; i++) {
            lengths[i] = pump.fill(work[i]);
            times[i] = pump.now();
        }
        dp.processBatch(work, lengths, times, results, BATCH);
        return results[BATCH - 1].length;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        dp.close();
        if (empty != null) {
            empty.close();
        }
    }
}
