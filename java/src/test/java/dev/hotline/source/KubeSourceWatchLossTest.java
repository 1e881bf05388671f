package dev.hotline.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.cluster.ClusterDelta;
import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.NodePortRange;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API server misbehaving, with fabric8's CRUD mock behind a dispatcher that answers Service
 * watches with 410 Gone (the resourceVersion expired: the informer must list again) or 503 (a
 * dropped watch) while told to. The last good state stays, nothing is handed over empty, and the
 * changes made meanwhile arrive once the informer has listed again. And events arriving while the
 * agent applies a change are coalesced into the next one.
 */
class KubeSourceWatchLossTest {
    private static final String GONE = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
            + "\"message\":\"too old resource version\",\"reason\":\"Expired\",\"code\":410}";

    private KubernetesMockServer server;
    private KubernetesClient client;
    private volatile int failWatchesWith;
    private final AtomicInteger failedWatches = new AtomicInteger();
    private final AtomicInteger listsOfServices = new AtomicInteger();

    @BeforeEach
    void start() {
        KubernetesMixedDispatcher crud = new KubernetesMixedDispatcher(new HashMap<>());
        Dispatcher d = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest r) {
                int code = failWatchesWith;
                if (r.getPath().startsWith("/api/v1/services") && !r.getPath().contains("watch=true") && "GET".equals(r.getMethod())) {
                    listsOfServices.incrementAndGet();
                }
                if (code != 0 && r.getPath().startsWith("/api/v1/services?") && r.getPath().contains("watch=true")) {
                    failedWatches.incrementAndGet();
                    return new MockResponse().setResponseCode(code).setBody(code == 410 ? GONE : "unavailable");
                }
                return crud.dispatch(r);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), d, false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stop() {
        client.close();
        server.destroy();
    }

    private void createService(String name, String ip) {
        client.services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName(name).withNamespace("default")
                .endMetadata().withNewSpec().withClusterIP(ip).withType("ClusterIP").addNewPort().withName("http").withPort(80)
                .withProtocol("TCP").withNewTargetPort(8080).endPort().endSpec().build()).create();
    }

    private static List<String> names(ClusterState s) {
        return s.services().stream().map(dev.hotline.cluster.Service::name).sorted().toList();
    }

    /**
     * Watches that expire (410): the informer lists again each time, and a Service created while
     * no watch holds is seen through that list; once a watch holds, changes flow as events.
     */
    @Test
    void gone410MakesTheInformerListAgainAndWhatChangedMeanwhileArrives() throws Exception {
        createService("web", "10.96.0.10");
        failWatchesWith = 410;
        KubeSourceTest.Picture picture = new KubeSourceTest.Picture();
        BlockingQueue<ClusterState> pictures = new LinkedBlockingQueue<>();
        try (KubeSource source = new KubeSource(client, NodePortRange.DEFAULT, l -> { })) {
            source.start(d -> pictures.add(picture.add(d)));
            awaitFailedWatches(1);
            createService("api", "10.96.0.11"); // while the Service watch is gone
            awaitFailedWatches(2);
            failWatchesWith = 0;
            assertThat(names(KubeSourceTest.await(pictures, s -> names(s).contains("api")))).containsExactly("api", "web");
            assertThat(listsOfServices.get()).as("lists after 410").isGreaterThan(1);
            createService("db", "10.96.0.12");
            assertThat(names(KubeSourceTest.await(pictures, s -> names(s).contains("db")))).containsExactly("api", "db", "web");
            for (ClusterState s : pictures) {
                assertThat(s.services()).as("never handed over empty").isNotEmpty();
            }
        }
    }

    /** Watches dropped (503) a few times: retried, and once one holds, changes flow. */
    @Test
    void droppedWatchesAreRetriedAndChangesFlowOnceOneHolds() throws Exception {
        createService("web", "10.96.0.10");
        failWatchesWith = 503;
        KubeSourceTest.Picture picture = new KubeSourceTest.Picture();
        BlockingQueue<ClusterState> pictures = new LinkedBlockingQueue<>();
        try (KubeSource source = new KubeSource(client, NodePortRange.DEFAULT, l -> { })) {
            source.start(d -> pictures.add(picture.add(d)));
            awaitFailedWatches(2);
            failWatchesWith = 0;
            assertThat(names(KubeSourceTest.await(pictures, s -> !s.services().isEmpty()))).containsExactly("web");
            client.services().inNamespace("default").withName("web").delete();
            createService("api", "10.96.0.11");
            assertThat(names(KubeSourceTest.await(pictures, s -> names(s).equals(List.of("api"))))).containsExactly("api");
        }
    }

    private void awaitFailedWatches(int n) throws InterruptedException {
        long end = System.currentTimeMillis() + 15_000;
        while (failedWatches.get() < n && System.currentTimeMillis() < end) {
            Thread.sleep(20);
        }
        assertThat(failedWatches.get()).as("Service watches refused").isGreaterThanOrEqualTo(n);
    }

    @Test
    void eventsDuringAnApplyAreCoalescedIntoTheNextChange() throws Exception {
        createService("web", "10.96.0.10");
        KubeSourceTest.Picture picture = new KubeSourceTest.Picture();
        BlockingQueue<ClusterState> pictures = new LinkedBlockingQueue<>();
        CountDownLatch applying = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<ClusterDelta> deltas = new CopyOnWriteArrayList<>();
        try (KubeSource source = new KubeSource(client, NodePortRange.DEFAULT, l -> { })) {
            source.start(d -> {
                deltas.add(d);
                if (deltas.size() == 2) { // the first change after the initial lists: a slow apply
                    applying.countDown();
                    try {
                        release.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                pictures.add(picture.add(d));
            });
            KubeSourceTest.await(pictures, s -> !s.services().isEmpty());
            createService("a", "10.96.0.20");
            assertThat(applying.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 5; i++) {
                createService("b" + i, "10.96.0." + (30 + i));
            }
            Thread.sleep(500); // the five events arrive while the apply is held
            release.countDown();
            ClusterState all = KubeSourceTest.await(pictures, s -> s.services().size() == 7);
            assertThat(names(all)).containsExactly("a", "b0", "b1", "b2", "b3", "b4", "web");
            assertThat(deltas).as("initial lists, a, then b0..b4 together").hasSize(3);
            assertThat(deltas.get(2).services()).hasSize(5);
        }
    }
}
