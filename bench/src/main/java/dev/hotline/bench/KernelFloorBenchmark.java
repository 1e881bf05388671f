package dev.hotline.bench;

import dev.hotline.bpf.Abi;
import dev.hotline.bpf.BpfProgram;
import dev.hotline.packet.FrameBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/** The floor of the one-frame kernel path: an empty tc program, one frame per JNI call, as PacketPathBenchmark calls it. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class KernelFloorBenchmark {
    BpfProgram empty;
    ByteBuffer slot;
    byte[] frame;
    int stride = Abi.SLOT_HEADER + 4096;

    @Setup(Level.Trial)
    public void setUp() {
        empty = BpfProgram.loadEmpty();
        slot = ByteBuffer.allocateDirect(stride).order(ByteOrder.LITTLE_ENDIAN);
        frame = FrameBuilder.tcp().from("10.200.0.1", 10000).to("10.128.0.1", 8080).build();
    }

    @Benchmark
    public int oneFrame(PacketPathBenchmark.KernelTime kernel) {
        slot.putInt(Abi.SLOT_LENGTH, frame.length);
        slot.put(Abi.SLOT_HEADER, frame, 0, frame.length);
        int n = empty.testRun(slot, 1, stride);
        kernel.kernelNanos += slot.getInt(Abi.SLOT_DURATION);
        kernel.frames++;
        return n;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        empty.close();
    }
}
