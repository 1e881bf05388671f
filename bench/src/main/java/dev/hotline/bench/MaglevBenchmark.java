package dev.hotline.bench;

import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;
import dev.hotline.plan.Backend;
import dev.hotline.plan.BackendKey;
import dev.hotline.plan.Maglev;
import dev.hotline.plan.MaglevTable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Control-plane cost of one Maglev table, by backend count (the table grows with it, 100 slots per backend). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MaglevBenchmark {
    @Param({"2", "10", "100", "1000"})
    int backends;

    List<Backend> list;

    @Setup
    public void setup() {
        list = new ArrayList<>();
        for (int i = 0; i < backends; i++) {
            list.add(new Backend(i + 1, new BackendKey(new Ipv4(0x0a000000 + i), 8080, Protocol.TCP), null, null, false));
        }
    }

    @Benchmark
    public MaglevTable build() {
        return Maglev.build(list);
    }
}
