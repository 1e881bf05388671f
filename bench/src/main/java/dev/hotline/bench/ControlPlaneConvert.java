package dev.hotline.bench;

import dev.hotline.cluster.ClusterDelta;
import dev.hotline.cluster.ClusterStateBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * What the initial sync figure of {@link ControlPlaneSync} leaves out: turning the informers'
 * objects (fabric8's model) into hotline's records, one object at a time as {@code KubeSource}
 * does, for N Services and their EndpointSlices of 10 endpoints. First run in the JVM and best of
 * three.
 *
 * Run: java -cp bench/target/benchmarks.jar dev.hotline.bench.ControlPlaneConvert [10000,100000]
 */
public final class ControlPlaneConvert {
    private ControlPlaneConvert() {
    }

    public static void main(String[] args) {
        int[] sizes = args.length > 0 ? java.util.Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {10_000, 100_000};
        System.out.println("| Services | objects | conversion, first | best of three |");
        System.out.println("|---|---|---|---|");
        for (int services : sizes) {
            List<HasMetadata> objects = objects(services);
            long first = 0;
            long best = Long.MAX_VALUE;
            for (int run = 0; run < 3; run++) {
                long t0 = System.nanoTime();
                ClusterDelta.Builder delta = new ClusterDelta.Builder();
                for (HasMetadata o : objects) {
                    ClusterStateBuilder.addTo(delta, o, false, "api-server");
                }
                ClusterDelta d = delta.build();
                long took = System.nanoTime() - t0;
                if (d.services().size() != services || d.slices().size() != services) {
                    throw new AssertionError("converted " + d.services().size() + " Services, " + d.slices().size() + " slices");
                }
                first = first == 0 ? took : first;
                best = Math.min(best, took);
            }
            System.out.printf("| %,d | %,d | %.2f s | %.2f s |%n", services, objects.size(), first / 1e9, best / 1e9);
        }
    }

    static List<HasMetadata> objects(int services) {
        List<HasMetadata> out = new ArrayList<>(services * 2);
        for (int i = 0; i < services; i++) {
            String name = "svc-" + i;
            out.add(new ServiceBuilder().withNewMetadata().withName(name).withNamespace("bench").endMetadata().withNewSpec()
                    .withClusterIP(new dev.hotline.net.Ipv4(BenchCluster.CLUSTER_IP_BASE + i).toString()).withType("ClusterIP")
                    .addNewPort().withName("http").withPort(80).withProtocol("TCP").withNewTargetPort(8080).endPort().endSpec().build());
            EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withName(name + "-x").withNamespace("bench")
                    .addToLabels("kubernetes.io/service-name", name).endMetadata().withAddressType("IPv4")
                    .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
            for (int e = 0; e < 10; e++) {
                b.addNewEndpoint().withAddresses(new dev.hotline.net.Ipv4(BenchCluster.backendIp(i, e)).toString())
                        .withNodeName(e % 2 == 0 ? "node-1" : "node-2").withNewConditions().withReady(true).endConditions().endEndpoint();
            }
            out.add(b.build());
        }
        return out;
    }
}
