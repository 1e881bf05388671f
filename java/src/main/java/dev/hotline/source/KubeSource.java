package dev.hotline.source;

import dev.hotline.cluster.ClusterDelta;
import dev.hotline.cluster.ClusterStateBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The cluster from the API server, as kube-proxy reads it: informers on Services and
 * EndpointSlices in every namespace (and Nodes). The first change handed over is everything the
 * informers' initial lists hold, once all have synced, so the agent never loads half a cluster.
 * After that, each informer event becomes a change of that one object, converted on its own:
 * events are handed over at once when the agent is idle, and those that arrive while it applies
 * are coalesced into the next change (the last event on an object wins). Watch loss and
 * 410 Gone are fabric8's informers' to heal: they list again and report the differences as events,
 * while the last good state stays applied.
 */
public final class KubeSource implements ClusterSource {
    private final KubernetesClient client;
    private final Consumer<String> log;
    private final ScheduledExecutorService worker = Daemons.thread("kube-source");
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final List<SharedIndexInformer<? extends HasMetadata>> informers = new ArrayList<>();
    /** Objects changed since the last hand-over, by kind/namespace/name; value null when deleted. */
    private final Map<String, Event> pending = new LinkedHashMap<>();
    private volatile boolean synced;
    private Consumer<ClusterDelta> listener;

    /** An object that changed, and the informer whose store holds its latest version. */
    private record Event(HasMetadata object, SharedIndexInformer<? extends HasMetadata> informer) {
    }

    public KubeSource(KubernetesClient client, dev.hotline.cluster.NodePortRange range, Consumer<String> log) {
        this.client = client;
        this.log = log;
    }

    @Override
    public void start(Consumer<ClusterDelta> listener) {
        this.listener = listener;
        informers.add(watch(client.services().inAnyNamespace().runnableInformer(0)));
        informers.add(watch(client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0)));
        informers.add(watch(client.nodes().runnableInformer(0)));
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
                // every kind's initial list, before the first change: a partial view would delete Services
                java.util.concurrent.CompletableFuture.allOf(started.toArray(java.util.concurrent.CompletableFuture[]::new)).get();
            } catch (Exception e) {
                log.accept("API server: informers did not start: " + e.getMessage());
                return;
            }
            ClusterDelta.Builder all = new ClusterDelta.Builder();
            synchronized (pending) {
                // what the stores hold now includes every event so far
                pending.clear();
                for (SharedIndexInformer<? extends HasMetadata> i : informers) {
                    i.getStore().list().forEach(o -> ClusterStateBuilder.addTo(all, o, false, "api-server"));
                }
                synced = true;
            }
            log.accept("API server: informers synced (Services, EndpointSlices, Nodes)");
            hand(all.build());
            drain();
        });
    }

    private <T extends HasMetadata> SharedIndexInformer<T> watch(SharedIndexInformer<T> informer) {
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changed(obj, informer);
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                changed(newObj, informer);
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                changed(obj, informer);
            }
        });
        return informer;
    }

    private void changed(HasMetadata o, SharedIndexInformer<? extends HasMetadata> informer) {
        synchronized (pending) {
            String key = o.getKind() + "/" + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
            pending.remove(key); // a later event moves the object to the back, behind what changed before it
            pending.put(key, new Event(o, informer));
            if (!synced) {
                return;
            }
        }
        if (scheduled.compareAndSet(false, true)) {
            worker.execute(this::drain);
        }
    }

    /** Hands over everything pending as one change; runs on the worker, so one change at a time. */
    private void drain() {
        scheduled.set(false);
        ClusterDelta.Builder delta = new ClusterDelta.Builder();
        synchronized (pending) {
            if (pending.isEmpty()) {
                return;
            }
            // each object as the store holds it now, not as its event said: an event queued behind the
            // initial listing must not take an object back to an older version; gone from the store, deleted
            for (Event e : pending.values()) {
                HasMetadata now = e.informer().getStore().getByKey(
                        io.fabric8.kubernetes.client.informers.cache.Cache.metaNamespaceKeyFunc(e.object()));
                ClusterStateBuilder.addTo(delta, now != null ? now : e.object(), now == null, "api-server");
            }
            pending.clear();
        }
        if (!delta.isEmpty()) {
            hand(delta.build());
        }
    }

    private void hand(ClusterDelta delta) {
        try {
            listener.accept(delta);
        } catch (RuntimeException e) {
            log.accept("API server: applying a change failed: " + e);
        }
    }

    @Override
    public void close() {
        informers.forEach(SharedIndexInformer::close);
        Daemons.stop(worker);
    }
}
