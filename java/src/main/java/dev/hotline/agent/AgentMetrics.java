package dev.hotline.agent;

import dev.hotline.dataplane.Dataplane;
import dev.hotline.reconcile.Reconciler;
import dev.hotline.dataplane.DataplaneCounters;
import dev.hotline.dataplane.Reason;
import dev.hotline.dataplane.Verdict;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.function.Function;

/**
 * The agent's metrics for Prometheus, with kube-proxy's names where kube-proxy has the same
 * measure (so dashboards and alerts written for it read hotline too), and hotline's own for what
 * only it has: frames by verdict and reason, per Service, where translated frames went, conntrack,
 * how full each map is, Services not served. Dataplane counters are read from the maps at scrape
 * time (per-CPU values summed), never kept twice.
 */
public final class AgentMetrics implements AutoCloseable {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Histogram syncDuration;
    private final Histogram programmingDuration;
    private final Gauge lastSync;
    private final Counter serviceChanges;
    private final Counter endpointChanges;
    private final Counter applyFailures;
    private final Counter conntrackSwept;
    private HTTPServer server;
    private final Dataplane dataplane;
    private DataplaneCounters counters;
    private long countersAt;

    public AgentMetrics(Reconciler agent, Dataplane dataplane, Function<Integer, String> serviceName) {
        this.dataplane = dataplane;
        // seconds: the same buckets kube-proxy's sync histograms use (1 ms doubling to ~16 s)
        double[] buckets = {0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384};
        syncDuration = Histogram.builder().name("kubeproxy_sync_proxy_rules_duration_seconds")
                .help("How long one change took to plan, diff and write to the maps").classicUpperBounds(buckets).classicOnly()
                .register(registry);
        programmingDuration = Histogram.builder().name("kubeproxy_network_programming_duration_seconds")
                .help("From a cluster picture reaching the agent to its last map write (the source's coalescing of "
                        + "events before that, at most 100 ms, is not counted)").classicUpperBounds(buckets).classicOnly()
                .register(registry);
        lastSync = Gauge.builder().name("kubeproxy_sync_proxy_rules_last_timestamp_seconds")
                .help("When the maps were last brought in line with the cluster (Unix time)").register(registry);
        serviceChanges = Counter.builder().name("kubeproxy_sync_proxy_rules_service_changes_total")
                .help("Service ports added, removed or changed").register(registry);
        endpointChanges = Counter.builder().name("kubeproxy_sync_proxy_rules_endpoint_changes_total")
                .help("Backends added or removed").register(registry);
        applyFailures = Counter.builder().name("hotline_apply_failures_total")
                .help("Changes that could not be applied whole (some Service was left as it was, and retried)").register(registry);
        conntrackSwept = Counter.builder().name("hotline_conntrack_swept_total")
                .help("Expired flows removed from conntrack by the agent's sweep").register(registry);
        CounterWithCallback.builder().name("hotline_resync_repairs_total")
                .help("Resyncs that found the change-by-change plan different from one made from scratch (repaired)")
                .callback(cb -> cb.call(agent.resyncRepairs())).register(registry);
        GaugeWithCallback.builder().name("hotline_services_not_served")
                .help("Services whose latest change could not be applied").callback(cb -> cb.call(agent.status().notServed().size()))
                .register(registry);
        CounterWithCallback.builder().name("hotline_packets_total").help("Frames by verdict").labelNames("verdict")
                .callback(cb -> {
                    DataplaneCounters c = counters();
                    for (Verdict v : Verdict.values()) {
                        cb.call(c.byVerdict().getOrDefault(v, 0L), v.traceName()); // the trace's words
                    }
                }).register(registry);
        CounterWithCallback.builder().name("hotline_packets_by_reason_total").help("Frames by reason").labelNames("reason")
                .callback(cb -> {
                    DataplaneCounters c = counters();
                    for (Reason r : Reason.values()) {
                        cb.call(c.byReason().getOrDefault(r, 0L), r.name().toLowerCase(java.util.Locale.ROOT));
                    }
                }).register(registry);
        CounterWithCallback.builder().name("hotline_service_packets_total").help("Frames of each Service's flows")
                .labelNames("service").callback(cb -> counters().byService().forEach((id, n) -> {
                    String name = serviceName.apply(id);
                    if (name != null) {
                        cb.call(n, name);
                    }
                })).register(registry);
        CounterWithCallback.builder().name("hotline_translated_frames_total")
                .help("Translated frames by where they went: the host stack, into a pod (peer), out resolving the neighbour, out directly; "
                        + "user space: back through the raw socket, or forwarded unchanged")
                .labelNames("path").callback(cb -> dataplane.forwarded().forEach((path, n) -> cb.call(n, path))).register(registry);
        CounterWithCallback.builder().name("hotline_lost_frames_total")
                .help("Frames the user-space dataplane lost: its capture ring full, a send the kernel refused, a frame that failed")
                .labelNames("reason").callback(cb -> dataplane.lost().forEach((reason, n) -> cb.call(n, reason))).register(registry);
        GaugeWithCallback.builder().name("hotline_conntrack_entries").help("Flows in conntrack")
                .callback(cb -> cb.call(counters().conntrackEntries())).register(registry);
        GaugeWithCallback.builder().name("hotline_map_entries").help("Entries in each map").labelNames("map")
                .callback(cb -> dataplane.mapUsage().forEach((map, u) -> cb.call(u[0], map))).register(registry);
        GaugeWithCallback.builder().name("hotline_map_capacity").help("What each map holds at most now (grown maps grow this)")
                .labelNames("map").callback(cb -> dataplane.mapUsage().forEach((map, u) -> cb.call(u[1], map))).register(registry);
    }

    /** The dataplane's counters, read once per scrape (they walk maps), not once per metric. */
    private synchronized DataplaneCounters counters() {
        long now = System.nanoTime();
        if (counters == null || now - countersAt > 500_000_000L) {
            counters = dataplane.counters();
            countersAt = now;
        }
        return counters;
    }

    /** One applied change: how long it took from the picture's arrival, and what it changed. */
    public void applied(double seconds, int services, int endpoints, boolean failed) {
        syncDuration.observe(seconds);
        // the picture reaches the agent and is planned at once: the two measures start together here
        programmingDuration.observe(seconds);
        lastSync.set(System.currentTimeMillis() / 1000.0);
        serviceChanges.inc(services);
        endpointChanges.inc(endpoints);
        if (failed) {
            applyFailures.inc();
        }
    }

    public void swept(int flows) {
        conntrackSwept.inc(flows);
    }

    /** Serves /metrics on host:port (port 0: any free one). */
    public void serve(String host, int port) throws IOException {
        server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
    }

    public int port() {
        return server.getPort();
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
