package dev.hotline.source;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ClusterStateBuilder;
import dev.hotline.cluster.NodePortRange;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The cluster picture from the API server, as kube-proxy reads it: informers on Services,
 * EndpointSlices and Nodes in every namespace. Events are coalesced (a burst of changes becomes
 * one picture after a short quiet period) and the first picture is handed over once every
 * informer has synced, so the agent never loads half a cluster.
 */
public final class KubeSource implements ClusterSource {
    static final long COALESCE_MILLIS = 100;

    private final KubernetesClient client;
    private final ClusterStateBuilder builder;
    private final Consumer<String> log;
    private final ScheduledExecutorService worker = Daemons.thread("kube-source");
    private final AtomicBoolean pending = new AtomicBoolean();
    private final List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();
    private volatile boolean synced;

    public KubeSource(KubernetesClient client, NodePortRange range, Consumer<String> log) {
        this.client = client;
        this.builder = new ClusterStateBuilder(range);
        this.log = log;
    }

    @Override
    public void start(Consumer<ClusterState> listener) {
        informers.add(watch(client.services().inAnyNamespace().runnableInformer(0), listener));
        informers.add(watch(client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0), listener));
        informers.add(watch(client.nodes().runnableInformer(0), listener));
        // an API server that cannot be reached (yet) is said once per kind and retried with the
        // informers' backoff, never given up on: a node's agent must come up when the API server does
        java.util.Set<String> said = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (SharedIndexInformer<? extends HasMetadata> i : informers) {
            i.exceptionHandler((started, t) -> {
                String kind = i.getApiTypeClass().getSimpleName();
                if (said.add(kind + t.getClass())) {
                    log.accept("API server " + client.getMasterUrl() + ": listing or watching " + kind + "s failed ("
                            + t.getMessage() + "); retrying with backoff");
                }
                return true;
            });
        }
        List<java.util.concurrent.CompletableFuture<Void>> started = new ArrayList<>();
        for (SharedIndexInformer<? extends HasMetadata> i : informers) {
            started.add(i.start().toCompletableFuture());
        }
        worker.execute(() -> {
            try {
                // every kind's initial list, before the first picture: a partial view would delete Services
                java.util.concurrent.CompletableFuture.allOf(started.toArray(java.util.concurrent.CompletableFuture[]::new)).get();
                synced = true;
                log.accept("API server: informers synced (Services, EndpointSlices, Nodes)");
                publish(listener);
            } catch (Exception e) {
                log.accept("API server: informers did not start: " + e.getMessage());
            }
        });
    }

    private <T extends HasMetadata> SharedIndexInformer<T> watch(SharedIndexInformer<T> informer, Consumer<ClusterState> listener) {
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changed(listener);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                changed(listener);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                changed(listener);
            }
        });
        return informer;
    }

    private void changed(Consumer<ClusterState> listener) {
        if (synced && pending.compareAndSet(false, true)) {
            worker.schedule(() -> {
                pending.set(false);
                publish(listener);
            }, COALESCE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void publish(Consumer<ClusterState> listener) {
        List<HasMetadata> objects = new ArrayList<>();
        for (SharedIndexInformer<? extends HasMetadata> i : informers) {
            objects.addAll(i.getStore().list());
        }
        try {
            listener.accept(builder.buildFromObjects(objects, "api-server"));
        } catch (RuntimeException e) {
            log.accept("API server: building the cluster picture failed: " + e);
        }
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        Daemons.stop(worker);
    }
}
