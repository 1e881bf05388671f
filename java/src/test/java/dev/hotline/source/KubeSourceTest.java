package dev.hotline.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.cluster.ClusterDelta;
import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.NodePortRange;
import dev.hotline.endpoints.EndpointResolver;
import dev.hotline.endpoints.ResolvedEndpoint;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The API-server source against fabric8's mock API server in CRUD mode (the one mock the project
 * allows, since no real API server can be had here): informers see objects created, changed and
 * deleted, and the agent gets the initial lists whole, then each change object by object.
 */
@EnableKubernetesMockClient(crud = true)
class KubeSourceTest {
    KubernetesClient client;

    static io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice slice(String... ips) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withName("web-abc").withNamespace("default")
                .addToLabels("kubernetes.io/service-name", "web").endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort();
        for (String ip : ips) {
            b.addNewEndpoint().withAddresses(ip).withNodeName("node-1").withNewConditions().withReady(true).endConditions().endEndpoint();
        }
        return b.build();
    }

    /** The cluster as the changes handed over so far leave it. */
    static final class Picture {
        final java.util.LinkedHashMap<dev.hotline.cluster.ObjectRef, dev.hotline.cluster.Service> services = new java.util.LinkedHashMap<>();
        final java.util.LinkedHashMap<dev.hotline.cluster.ObjectRef, List<dev.hotline.cluster.EndpointSlice>> slices = new java.util.LinkedHashMap<>();
        int changes;

        synchronized ClusterState add(ClusterDelta d) {
            changes++;
            d.services().forEach((r, v) -> {
                if (v == null) {
                    services.remove(r);
                } else {
                    services.put(r, v);
                }
            });
            d.slices().forEach((r, v) -> {
                if (v == null) {
                    slices.remove(r);
                } else {
                    slices.put(r, v);
                }
            });
            List<dev.hotline.cluster.EndpointSlice> all = new java.util.ArrayList<>();
            slices.values().forEach(all::addAll);
            return new ClusterState(new java.util.ArrayList<>(services.values()), List.of(), all, List.of(), List.of(), List.of());
        }
    }

    static ClusterState await(BlockingQueue<ClusterState> q, Predicate<ClusterState> what) throws InterruptedException {
        long end = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < end) {
            ClusterState s = q.poll(200, TimeUnit.MILLISECONDS);
            if (s != null && what.test(s)) {
                return s;
            }
        }
        throw new AssertionError("no such cluster picture within 10 s");
    }

    static List<String> endpoints(ClusterState s) {
        return EndpointResolver.resolve(s).values().stream().flatMap(e -> e.forPort("http").stream())
                .map(ResolvedEndpoint::address).map(Object::toString).sorted().toList();
    }

    @Test
    void servicesEndpointSlicesAndNodesFollowTheApiServer() throws Exception {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata().withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress("192.168.49.2").endAddress().endStatus().build()).create();
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("web").withNamespace("default")
                .endMetadata().withNewSpec().withClusterIP("10.96.0.10").withType("ClusterIP").addNewPort().withName("http").withPort(80)
                .withProtocol("TCP").withNewTargetPort(8080).endPort().endSpec().build()).create();
        client.discovery().v1().endpointSlices().inNamespace("default").resource(slice("10.1.1.5")).create();

        BlockingQueue<ClusterState> pictures = new LinkedBlockingQueue<>();
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (KubeSource source = new KubeSource(client, NodePortRange.DEFAULT, log::add)) {
            Picture picture = new Picture();
            source.start(d -> pictures.add(picture.add(d)));
            ClusterState first = await(pictures, s -> !s.services().isEmpty());
            assertThat(first.services()).extracting(dev.hotline.cluster.Service::name).containsExactly("web");
            assertThat(endpoints(first)).containsExactly("10.1.1.5");
            assertThat(log).anyMatch(l -> l.contains("informers synced"));

            client.discovery().v1().endpointSlices().inNamespace("default").resource(slice("10.1.1.5", "10.1.1.6")).update();
            assertThat(endpoints(await(pictures, s -> endpoints(s).size() == 2))).containsExactly("10.1.1.5", "10.1.1.6");

            client.services().inNamespace("default").withName("web").delete();
            assertThat(await(pictures, s -> s.services().isEmpty()).services()).isEmpty();
        }
    }

    /**
     * An API server that cannot be reached: said with its address and the error, retried, and no
     * picture at all meanwhile (never an empty one, which would remove every Service).
     */
    @Test
    void anUnreachableApiServerIsSaidAndRetriedAndNoPartialPictureIsGiven() throws Exception {
        io.fabric8.kubernetes.client.Config config = new io.fabric8.kubernetes.client.ConfigBuilder()
                .withMasterUrl("https://127.0.0.1:1").withRequestTimeout(500).withConnectionTimeout(500)
                .withRequestRetryBackoffLimit(0).build();
        BlockingQueue<ClusterState> pictures = new LinkedBlockingQueue<>();
        List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (KubernetesClient unreachable = new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build();
             KubeSource source = new KubeSource(unreachable, NodePortRange.DEFAULT, log::add)) {
            source.start(d -> pictures.add(new Picture().add(d)));
            long end = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < end && log.stream().noneMatch(l -> l.contains("retrying with backoff"))) {
                Thread.sleep(50);
            }
            assertThat(log).anyMatch(l -> l.startsWith("API server https://127.0.0.1:1/: listing or watching ")
                    && l.endsWith("; retrying with backoff"));
            assertThat(pictures.poll(1, TimeUnit.SECONDS)).as("no picture without the initial lists").isNull();
            assertThat(log).noneMatch(l -> l.contains("informers synced"));
        }
    }
}
