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
 * The node's health endpoint, as kube-proxy serves it on port 10256: /healthz answers 200 when the
 * latest cluster picture is applied, every Service of it, and 503 before the first apply or while
 * some Service is not served as planned (named in "notServed"); /livez answers 200 while the agent
 * runs. The body carries kube-proxy's fields (lastUpdated, currentTime, nodeEligible), so a load
 * balancer or a probe written for kube-proxy reads it the same way.
 */
public final class HealthServer implements AutoCloseable {
    private final HttpServer server;

    private HealthServer(HttpServer server) {
        this.server = server;
    }

    /** Serves on host:port (port 0: any free one); throws with the reason when it cannot bind. */
    public static HealthServer start(String host, int port, Supplier<Agent.Status> status) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.createContext("/healthz", ex -> answer(ex, status.get(), true));
        server.createContext("/livez", ex -> answer(ex, status.get(), false));
        server.setExecutor(null);
        server.start();
        return new HealthServer(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void answer(HttpExchange ex, Agent.Status s, boolean health) throws IOException {
        boolean ok = !health || s.healthy();
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
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(ok ? 200 : 503, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
