package dev.hotline.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * The node's health endpoint, as kube-proxy serves it on port 10256: /healthz answers 503 until
 * the first cluster picture is applied and 200 after, with the Services not served as planned
 * named in "notServed" (one failing Service must not make cloud load balancers drain the node for
 * every other one, as kube-proxy's answer would not either); /livez answers 200 while the agent
 * runs. Answers come from the agent's last published status, never waiting for an apply, on a
 * thread pool of their own. The body carries kube-proxy's fields (lastUpdated, currentTime, nodeEligible), so a load
 * balancer or a probe written for kube-proxy reads it the same way.
 */
public final class HealthServer implements AutoCloseable {
    private final HttpServer server;

    private HealthServer(HttpServer server) {
        this.server = server;
    }

    /** Serves on host:port (port 0: any free one); throws with the reason when it cannot bind. */
    public static HealthServer start(String host, int port, Supplier<dev.hotline.reconcile.Reconciler.Status> status) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/healthz", ex -> answer(ex, status.get(), true));
        server.createContext("/livez", ex -> answer(ex, status.get(), false));
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "health-server");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return new HealthServer(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange ex, dev.hotline.reconcile.Reconciler.Status s, boolean health) throws IOException {
        boolean ok = !health || s.applied();
        StringBuilder body = new StringBuilder("{\"lastUpdated\": \"").append(s.lastApplied() == null ? "" : s.lastApplied())
                .append("\", \"currentTime\": \"").append(Instant.now()).append("\", \"nodeEligible\": true");
        if (health) {
            body.append(", \"applied\": ").append(s.applied()).append(", \"notServed\": [");
            int i = 0;
            for (String name : s.notServed()) {
                body.append(i++ == 0 ? "" : ", ").append('"').append(name.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            body.append(']');
        }
        body.append("}\n");
        reply(ex, ok ? 200 : 503, body.toString());
    }

    /** A JSON answer with kube-proxy's headers: what every health endpoint of the agent sends. */
    static void reply(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
