package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.bpf.Abi;
import dev.hotline.bpf.BpfProgram;
import dev.hotline.packet.FrameBuilder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A program closed while other threads are inside calls on it: they stop with a clear exception, nothing crashes. */
class BpfProgramConcurrencyTest {

    @Test
    void closingWhileOtherThreadsRunTheProgramIsSafe() throws Exception {
        Privileges.requireBpf();
        int[] sizes = new int[Abi.MAP_COUNT];
        sizes[Abi.MAP_CT_FORWARD] = 1024;
        sizes[Abi.MAP_CT_REVERSE] = 1024;
        BpfProgram program = BpfProgram.load(null, sizes);
        int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
        CountDownLatch running = new CountDownLatch(threads);
        AtomicLong runs = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> endings = new ConcurrentLinkedQueue<>();
        List<Thread> all = new ArrayList<>();
        byte[] frame = FrameBuilder.udp().from("10.1.1.10", 5000).to("10.96.0.53", 53).payload("q").build();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                int stride = Abi.SLOT_HEADER + 4096;
                ByteBuffer slots = ByteBuffer.allocateDirect(stride * 8).order(ByteOrder.LITTLE_ENDIAN);
                running.countDown();
                try {
                    while (true) {
                        for (int i = 0; i < 8; i++) {
                            slots.putInt(i * stride + Abi.SLOT_LENGTH, frame.length);
                            slots.put(i * stride + Abi.SLOT_HEADER, frame);
                        }
                        program.testRun(slots, 8, stride);
                        program.count(Abi.MAP_CT_FORWARD);
                        runs.incrementAndGet();
                    }
                } catch (Throwable e) {
                    endings.add(e);
                }
            });
            all.add(th);
            th.start();
        }
        running.await();
        while (runs.get() < 1000) {
            Thread.sleep(5);
        }
        program.close();
        for (Thread th : all) {
            th.join(10_000);
            assertThat(th.isAlive()).isFalse();
        }
        assertThat(endings).hasSize(threads).allSatisfy(e -> assertThat(e)
                .isInstanceOf(IllegalStateException.class).hasMessage("the BPF program is closed"));
        program.close(); // twice is fine
    }
}
