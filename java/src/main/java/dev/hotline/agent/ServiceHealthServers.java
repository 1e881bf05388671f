package dev.hotline.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.hotline.plan.IncrementalPlanner;
import dev.hotline.plan.ServicePlan;
import dev.hotline.plan.ServiceScope;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * kube-proxy's service health servers: for every LoadBalancer Service with externalTrafficPolicy
 * Local, an HTTP server on its healthCheckNodePort that a cloud load balancer probes to learn
 * whether this node has a local endpoint. 200 when it has (and the dataplane is healthy), 503
 * otherwise, with kube-proxy's body ({"service": {"namespace", "name"}, "localEndpoints",
 * "serviceProxyHealthy"}) and its X-Load-Balancing-Endpoint-Weight header. Kept in step with each
 * applied change; a port that cannot be bound is logged and tried again with the next change.
 */
public final class ServiceHealthServers implements AutoCloseable {
    private record Entry(String namespace, String name, int port, int localEndpoints) {
    }

    private final String host;
    private final BooleanSupplier proxyHealthy;
    private final Consumer<String> log;
    /** by Service (namespace/name): what it should serve */
    private final Map<String, Entry> wanted = new HashMap<>();
    /** by port: the server and the Service it answers for */
    private final Map<Integer, HttpServer> servers = new HashMap<>();
    private final Map<Integer, Entry> serving = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "service-health");
        t.setDaemon(true);
        return t;
    });

    public ServiceHealthServers(String host, BooleanSupplier proxyHealthy, Consumer<String> log) {
        this.host = host;
        this.proxyHealthy = proxyHealthy;
        this.log = log;
    }

    /** Takes in an applied change: the touched Services' health check ports and local endpoint counts. */
    public synchronized void applied(IncrementalPlanner.Change change) {
        Set<String> touched = new HashSet<>();
        change.before().services().forEach(s -> touched.add(s.name().namespace() + "/" + s.name().name()));
        change.after().services().forEach(s -> touched.add(s.name().namespace() + "/" + s.name().name()));
        touched.forEach(wanted::remove);
        for (ServicePlan s : change.after().services()) {
            int port = s.options().healthCheckNodePort();
            if (port == 0 || s.scope() != ServiceScope.NODE_LOCAL) {
                continue;
            }
            // kube-proxy counts this node's ready endpoints over every port of the Service
            int local = (int) s.backends().stream().filter(b -> b.backend().local() && b.endpoint().ready()).count();
            wanted.merge(s.name().namespace() + "/" + s.name().name(),
                    new Entry(s.name().namespace(), s.name().name(), port, local),
                    (a, b) -> new Entry(a.namespace(), a.name(), a.port(), a.localEndpoints() + b.localEndpoints()));
        }
        sync();
    }

    private void sync() {
        Map<Integer, Entry> byPort = new HashMap<>();
        for (Entry e : wanted.values()) {
            Entry other = byPort.putIfAbsent(e.port(), e);
            if (other != null) {
                log.accept("warning: healthCheckNodePort " + e.port() + " is claimed by " + other.namespace() + "/" + other.name()
                        + " and " + e.namespace() + "/" + e.name() + "; it answers for the first");
            }
        }
        for (Integer port : new HashSet<>(servers.keySet())) {
            if (!byPort.containsKey(port)) {
                servers.remove(port).stop(0);
                serving.remove(port);
            }
        }
        byPort.forEach((port, e) -> {
            serving.put(port, e);
            if (!servers.containsKey(port)) {
                try {
                    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
                    server.createContext("/", ex -> answer(ex, port));
                    server.setExecutor(pool);
                    server.start();
                    servers.put(port, server);
                } catch (IOException | RuntimeException x) {
                    log.accept("warning: healthCheckNodePort " + port + " of " + e.namespace() + "/" + e.name()
                            + " cannot be served: " + x.getMessage() + " (tried again with the next change)");
                }
            }
        });
    }

    /** Ports served now, for tests and the log. */
    public synchronized Set<Integer> ports() {
        return new HashSet<>(servers.keySet());
    }

    private void answer(HttpExchange ex, int port) throws IOException {
        Entry e = serving.get(port);
        boolean healthy = proxyHealthy.getAsBoolean();
        int count = e == null ? 0 : e.localEndpoints();
        String body = "{\n\t\"service\": {\n\t\t\"namespace\": \"" + (e == null ? "" : e.namespace()) + "\",\n\t\t\"name\": \""
                + (e == null ? "" : e.name()) + "\"\n\t},\n\t\"localEndpoints\": " + count + ",\n\t\"serviceProxyHealthy\": " + healthy
                + "\n}";
        ex.getResponseHeaders().set("X-Load-Balancing-Endpoint-Weight", Integer.toString(count));
        HealthServer.reply(ex, count > 0 && healthy ? 200 : 503, body);
    }

    @Override
    public synchronized void close() {
        servers.values().forEach(s -> s.stop(0));
        servers.clear();
        pool.shutdownNow();
    }
}
