package dev.hotline.bench;

import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.bpf.BpfDataplane;
import dev.hotline.dataplane.bpf.BpfSizing;
import dev.hotline.dataplane.userspace.UserspaceDataplane;
import dev.hotline.net.Ipv4;
import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import dev.hotline.plan.Plan;
import dev.hotline.plan.Planner;
import dev.hotline.replay.PcapWriter;
import dev.hotline.replay.Replay;
import dev.hotline.replay.ReplaySummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Replay of a pcap file end to end (read by hotline's own reader, process, write): connections of SYN, SYN-ACK,
 * FIN, FIN over the seed-like bench cluster. One shot per measurement; the summary turns the time
 * into frames per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class ReplayBenchmark {
    @Param({"1000000"})
    public int frames;

    @Param({"userspace", "bpf"})
    public String dataplane;

    Path dir;
    Path in;
    Plan plan;
    Dataplane dp;

    @Setup(Level.Trial)
    public void writeCapture() throws IOException {
        dir = Files.createTempDirectory("hotline-bench");
        in = dir.resolve("in.pcap");
        plan = Planner.plan(BenchCluster.build(10, 10, -1), BenchCluster.NODE, Plan.EMPTY);
        try (PcapWriter w = new PcapWriter(in, true)) {
            for (int c = 0; c < frames / 4; c++) {
                int client = Ipv4.parse("10.200.0.0").value() + (c >>> 14);
                int port = 1024 + (c & 0x3fff);
                int vip = BenchCluster.CLUSTER_IP_BASE + (c % 10);
                // every Service of the bench cluster has its backends at known addresses: answer from the first
                int backend = Ipv4.parse("10.128.0.0").value() + (c % 10) * 16;
                byte[][] conn = {
                    FrameBuilder.tcp().from(client, port).to(vip, 80).flags(Frame.TCP_SYN).build(),
                    FrameBuilder.tcp().from(backend, 8080).to(client, port).flags(Frame.TCP_SYN | Frame.TCP_ACK_FLAG).build(),
                    FrameBuilder.tcp().from(client, port).to(vip, 80).flags(Frame.TCP_FIN | Frame.TCP_ACK_FLAG).build(),
                    FrameBuilder.tcp().from(backend, 8080).to(client, port).flags(Frame.TCP_FIN | Frame.TCP_ACK_FLAG).build(),
                };
                for (int k = 0; k < 4; k++) {
                    long ns = (c * 4L + k) * 100_000L;
                    w.write(conn[k], conn[k].length, conn[k].length, 1_000_000 + ns / 1_000_000_000L, (int) (ns % 1_000_000_000L));
                }
            }
        }
    }

    @Setup(Level.Invocation)
    public void openDataplane() {
        dp = dataplane.equals("bpf") ? new BpfDataplane(BenchDataplanes.CONFIG, BpfSizing.DEFAULT, true, null)
                : new UserspaceDataplane(BenchDataplanes.CONFIG);
    }

    @Benchmark
    public long replay() throws Exception {
        ReplaySummary s = Replay.run(plan, dp, in, dir.resolve("out.pcap"), null, n -> { });
        return s.framesOut();
    }

    @TearDown(Level.Invocation)
    public void closeDataplane() {
        dp.close();
    }

    @TearDown(Level.Trial)
    public void removeFiles() throws IOException {
        Files.deleteIfExists(dir.resolve("out.pcap"));
        Files.deleteIfExists(in);
        Files.deleteIfExists(dir);
    }
}
