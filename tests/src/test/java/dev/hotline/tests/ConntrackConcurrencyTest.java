package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.bpf.Abi;
import dev.hotline.bpf.BpfProgram;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.Reason;
import dev.hotline.dataplane.Verdict;
import dev.hotline.dataplane.bpf.BpfDataplane;
import dev.hotline.dataplane.bpf.BpfSizing;
import dev.hotline.net.Ipv4;
import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import dev.hotline.plan.Plan;
import dev.hotline.plan.PlanDiff;
import dev.hotline.plan.Planner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The kernel program driven from several threads at once (BPF_PROG_TEST_RUN runs on the calling
 * CPU), with flows that contend for a small SNAT port range and client tuples that reach two
 * Services sharing one backend. Afterwards the conntrack maps must be consistent: every flow's
 * reverse entry exists and names it, no two flows share a reply tuple (an SNAT port above all),
 * and every flow the program reported as translated is there.
 */
class ConntrackConcurrencyTest {
    static final int THREADS = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
    static final int FLOWS_PER_THREAD = 48;
    static final int SNAT_PORTS = 64;

    static String cluster() {
        return Cluster.node("node-1", "192.168.49.2") + Cluster.node("node-2", "192.168.49.3")
                + Cluster.pod("far", "10.1.2.5", "node-2", "app: far", "{name: http, containerPort: 8080}")
                + Cluster.pod("near", "10.1.1.5", "node-1", "app: shared", "{name: http, containerPort: 8080}")
                + Cluster.service("remote", "NodePort", "10.96.0.10", "app: far", "{name: http, port: 80, targetPort: 8080, nodePort: 30080}")
                + Cluster.service("one", "ClusterIP", "10.96.0.21", "app: shared", "{name: http, port: 80, targetPort: 8080}")
                + Cluster.service("two", "ClusterIP", "10.96.0.22", "app: shared", "{name: http, port: 80, targetPort: 8080}");
    }

    record Key(int saddr, int daddr, int sport, int dport, int proto) {
        static Key read(ByteBuffer b, int at) {
            return new Key(b.getInt(at + Abi.CT_KEY_SADDR), b.getInt(at + Abi.CT_KEY_DADDR),
                    Short.toUnsignedInt(b.getShort(at + Abi.CT_KEY_SPORT)), Short.toUnsignedInt(b.getShort(at + Abi.CT_KEY_DPORT)),
                    b.get(at + Abi.CT_KEY_PROTO) & 0xff);
        }
    }

    @Test
    void concurrentNewFlowsNeverShareAReplyTupleAndEveryFlowHasBothHalves() throws Exception {
        Privileges.requireBpf();
        DataplaneConfig config = new DataplaneConfig(1 << 16, Duration.ofHours(6), Duration.ofSeconds(60),
                Duration.ofSeconds(10), Duration.ofSeconds(60), 61000, 61000 + SNAT_PORTS - 1);
        try (BpfDataplane dp = new BpfDataplane(config, BpfSizing.DEFAULT, true, null)) {
            dp.apply(PlanDiff.between(Plan.EMPTY, Planner.plan(Scenario.state(cluster()), Scenario.NODE_1, Plan.EMPTY)));
            BpfProgram program = dp.program();
            CyclicBarrier start = new CyclicBarrier(THREADS);
            Map<Reason, AtomicInteger> reasons = new ConcurrentHashMap<>();
            AtomicInteger translated = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                Thread th = new Thread(() -> {
                    try {
                        List<byte[]> frames = new ArrayList<>();
                        for (int i = 0; i < FLOWS_PER_THREAD; i++) {
                            // NodePort to the other node's pod: every flow needs one of 64 SNAT ports
                            frames.add(FrameBuilder.tcp().from("203.0.113." + (1 + id), 20000 + i).to("192.168.49.2", 30080)
                                    .flags(Frame.TCP_SYN).build());
                            // one client tuple, two Services, one backend: one flow per tuple at most
                            String svc = id % 2 == 0 ? "10.96.0.21" : "10.96.0.22";
                            frames.add(FrameBuilder.tcp().from("10.1.1.77", 30000 + (id / 2) * 1000 + i).to(svc, 80)
                                    .flags(Frame.TCP_SYN).build());
                        }
                        int stride = Abi.SLOT_HEADER + 4096;
                        ByteBuffer slots = ByteBuffer.allocateDirect(stride * 8).order(ByteOrder.LITTLE_ENDIAN);
                        start.await();
                        for (int at = 0; at < frames.size(); at += 8) {
                            int n = Math.min(8, frames.size() - at);
                            for (int j = 0; j < n; j++) {
                                byte[] f = frames.get(at + j);
                                slots.putInt(j * stride + Abi.SLOT_LENGTH, f.length);
                                slots.putLong(j * stride + Abi.SLOT_TSTAMP, Scenario.T0);
                                slots.put(j * stride + Abi.SLOT_HEADER, f);
                            }
                            program.testRun(slots, n, stride);
                            for (int j = 0; j < n; j++) {
                                int result = slots.getInt(j * stride + Abi.SLOT_CB);
                                Verdict v = Verdict.ofCode(result & 0xff);
                                if (v == Verdict.DNAT || v == Verdict.DNAT_SNAT) {
                                    translated.incrementAndGet();
                                } else {
                                    reasons.computeIfAbsent(Reason.ofCode((result >>> 8) & 0xff), r -> new AtomicInteger()).incrementAndGet();
                                }
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join(60_000);
            }
            assertThat(failures).isEmpty();

            int max = 1 << 14;
            ByteBuffer fk = ByteBuffer.allocateDirect(max * Abi.CT_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer fv = ByteBuffer.allocateDirect(max * Abi.CT_FORWARD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            int forwards = program.dump(Abi.MAP_CT_FORWARD, fk, fv, max);
            ByteBuffer rk = ByteBuffer.allocateDirect(max * Abi.CT_KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer rv = ByteBuffer.allocateDirect(max * Abi.CT_REVERSE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            int reverses = program.dump(Abi.MAP_CT_REVERSE, rk, rv, max);
            Map<Key, Key> reverseToForward = new HashMap<>();
            for (int i = 0; i < reverses; i++) {
                reverseToForward.put(Key.read(rk, i * Abi.CT_KEY_SIZE), Key.read(rv, i * Abi.CT_REVERSE_SIZE));
            }
            Set<Key> replyTuples = new HashSet<>();
            Set<Key> flows = new HashSet<>();
            for (int i = 0; i < forwards; i++) {
                Key f = Key.read(fk, i * Abi.CT_KEY_SIZE);
                int v = i * Abi.CT_FORWARD_SIZE;
                boolean snat = (fv.getInt(v + Abi.CT_FORWARD_FLAGS) & Abi.CT_SNAT) != 0;
                Key reply = new Key(fv.getInt(v + Abi.CT_FORWARD_BACKEND_ADDR), snat ? fv.getInt(v + Abi.CT_FORWARD_SNAT_ADDR) : f.saddr(),
                        Short.toUnsignedInt(fv.getShort(v + Abi.CT_FORWARD_BACKEND_PORT)),
                        snat ? Short.toUnsignedInt(fv.getShort(v + Abi.CT_FORWARD_SNAT_PORT)) : f.sport(), f.proto());
                assertThat(replyTuples.add(reply)).as("reply tuple %s of flow %s is one flow's only", reply, f).isTrue();
                assertThat(reverseToForward.get(reply)).as("the reverse entry of flow %s names it", f).isEqualTo(f);
                flows.add(f);
            }
            assertThat(reverseToForward.values()).as("no reverse entry without its flow").allMatch(flows::contains);
            assertThat(forwards).as("every flow reported translated is recorded").isEqualTo(translated.get());
            // the contention was real: the SNAT range ran out, and tuples clashed
            int snatFlows = (int) flows.stream().filter(f -> f.daddr() == Integer.reverseBytes(Ipv4.parse("192.168.49.2").value())).count();
            assertThat(snatFlows).isEqualTo(SNAT_PORTS);
            assertThat(reasons.get(Reason.SNAT_PORTS_EXHAUSTED)).hasValue(THREADS * FLOWS_PER_THREAD - SNAT_PORTS);
            assertThat(reasons.get(Reason.CONNTRACK_CLASH)).hasValue(THREADS / 2 * FLOWS_PER_THREAD);
        }
    }
}
