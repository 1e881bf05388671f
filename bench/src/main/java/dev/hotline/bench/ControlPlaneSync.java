package dev.hotline.bench;

import dev.hotline.cluster.ClusterDelta;
import dev.hotline.cluster.ClusterState;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.plan.MapOp;
import dev.hotline.reconcile.Reconciler;
import java.util.List;

/**
 * Initial sync and the reconciler's heap at 10 000 and 100 000 Services of 10 endpoints, what a
 * single shot measures better than JMH's loops: the whole cluster handed over as the first change
 * (as KubeSource does once the informers have synced), planned and written to the kernel maps; then
 * the heap the reconciler keeps, after a full GC, against a dataplane that keeps nothing in the
 * Java heap (writes discarded), so the figure is the agent's own. The first run in a fresh JVM (what a
 * starting agent sees: nothing compiled yet) and the best of three.
 *
 * Run: java -cp bench/target/benchmarks.jar dev.hotline.bench.ControlPlaneSync [bpf|none] [10000,100000]
 * with the heap the agent's image gives under the container limit for that size (deploy/README):
 * -Xms256m -Xmx384m for 10 000 (512 MiB), -Xms2g -Xmx3g for 100 000 (4 GiB).
 */
public final class ControlPlaneSync {
    private ControlPlaneSync() {
    }

    public static void main(String[] args) throws Exception {
        String kind = args.length > 0 ? args[0] : "bpf";
        int[] sizes = args.length > 1 ? java.util.Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {10_000, 100_000};
        System.out.println("| Services | endpoints | initial sync (" + kind + "), first in the JVM | best of three | reconciler heap after GC |");
        System.out.println("|---|---|---|---|---|");
        for (int services : sizes) {
            long best = Long.MAX_VALUE;
            long first = 0;
            long heap = Long.MAX_VALUE;
            for (int run = 0; run < 3; run++) {
                System.gc();
                long before = used();
                // built inside the measured heap: the reconciler keeps the converted objects, as the agent does
                ClusterState cluster = BenchCluster.build(services, 10, -1);
                ClusterDelta all = ClusterDelta.of(cluster);
                Dataplane dp = kind.equals("none") ? new Discarding()
                        : BenchDataplanes.sizedFor(kind, dev.hotline.plan.Planner.plan(cluster, BenchCluster.NODE, dev.hotline.plan.Plan.EMPTY));
                try {
                    Reconciler r = new Reconciler(dp, BenchCluster.NODE, line -> { });
                    long t0 = System.nanoTime();
                    r.onDelta(all);
                    long took = System.nanoTime() - t0;
                    best = Math.min(best, took);
                    first = first == 0 ? took : first;
                    if (!r.status().notServed().isEmpty()) {
                        throw new AssertionError("not served: " + r.status().notServed());
                    }
                    cluster = null;
                    all = null;
                    System.gc();
                    heap = Math.min(heap, used() - before);
                    java.lang.ref.Reference.reachabilityFence(r);
                } finally {
                    dp.close();
                }
            }
            System.out.printf("| %,d | %,d | %.2f s | %.2f s | %d MB |%n", services, services * 10, first / 1e9, best / 1e9, heap >> 20);
        }
    }

    private static long used() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    /** Keeps nothing: the heap measured is the reconciler's. */
    private static final class Discarding implements Dataplane {
        @Override
        public String name() {
            return "none";
        }

        @Override
        public void apply(List<MapOp> ops) {
        }

        @Override
        public void process(byte[] frame, int length, long nowNanos, dev.hotline.dataplane.PacketResult result) {
        }

        @Override
        public int sweepConntrack(long nowNanos) {
            return 0;
        }

        @Override
        public dev.hotline.dataplane.DataplaneCounters counters() {
            return null;
        }

        @Override
        public void close() {
        }
    }
}
