package dev.hotline.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.TestManifests;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.DataplaneCounters;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Verdict;
import dev.hotline.dataplane.userspace.UserspaceDataplane;
import dev.hotline.net.Ipv4;
import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import dev.hotline.plan.MapOp;
import dev.hotline.plan.NodeIdentity;
import dev.hotline.reconcile.Reconciler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The agent's loop over the Java twin: a Service that cannot be applied never takes the others down. */
class AgentTest {
    static final NodeIdentity NODE = new NodeIdentity("n1", List.of(Ipv4.parse("192.168.0.1")));
    static final String CLUSTER = TestManifests.service("a", "10.96.0.1", "app: a", "- {port: 80, targetPort: 8080}")
            + TestManifests.service("bad", "10.96.0.2", "app: b", "- {port: 666, targetPort: 8080}")
            + TestManifests.service("c", "10.96.0.3", "app: c", "- {port: 81, targetPort: 8080}")
            + TestManifests.pod("pa", "10.1.0.1", "n1", "app: a", true, "")
            + TestManifests.pod("pb", "10.1.0.2", "n1", "app: b", true, "")
            + TestManifests.pod("pc", "10.1.0.3", "n1", "app: c", true, "");

    /** The twin, with writes for port 666 failing while poisoned (as a map write can fail: ENOMEM, a bad entry). */
    static final class FailingDataplane implements Dataplane {
        final UserspaceDataplane inner = new UserspaceDataplane(DataplaneConfig.DEFAULT);
        volatile boolean poisoned = true;
        /** A batch holding the poisoned write fails before any of it is written (else the writes before it get in). */
        volatile boolean failWhole;

        @Override
        public String name() {
            return "failing";
        }

        @Override
        public void apply(List<MapOp> ops) {
            List<MapOp> done = new ArrayList<>();
            for (MapOp op : ops) {
                if (poisoned && op instanceof MapOp.UpsertService u && u.frontend().port() == 666) {
                    if (!failWhole) {
                        inner.apply(done); // what came before the failing write got in
                    }
                    throw new IllegalStateException("injected: cannot write the frontend " + u.frontend());
                }
                done.add(op);
            }
            inner.apply(done);
        }

        @Override
        public void process(byte[] frame, int length, long nowNanos, PacketResult result) {
            inner.process(frame, length, nowNanos, result);
        }

        @Override
        public int sweepConntrack(long nowNanos) {
            return inner.sweepConntrack(nowNanos);
        }

        @Override
        public DataplaneCounters counters() {
            return inner.counters();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    static Verdict syn(Dataplane dp, String ip, int port, int clientPort) {
        byte[] f = FrameBuilder.tcp().from("10.2.0.9", clientPort).to(ip, port).flags(Frame.TCP_SYN).build();
        byte[] buf = Arrays.copyOf(f, f.length + Dataplane.REPLY_ROOM);
        PacketResult r = new PacketResult();
        dp.process(buf, f.length, 1_000, r);
        return r.verdict;
    }

    @Test
    void oneServiceThatCannotBeAppliedLeavesTheOthersServedAndIsRetried() {
        FailingDataplane dp = new FailingDataplane();
        List<String> log = new ArrayList<>();
        Reconciler agent = new Reconciler(dp, NODE, log::add);
        agent.onChange(TestManifests.state(CLUSTER));

        assertThat(syn(dp, "10.96.0.1", 80, 40000)).isEqualTo(Verdict.DNAT);
        assertThat(syn(dp, "10.96.0.3", 81, 40001)).isEqualTo(Verdict.DNAT);
        assertThat(syn(dp, "10.96.0.2", 666, 40002)).isNotEqualTo(Verdict.DNAT);
        assertThat(agent.status().notServed()).containsExactly("default/bad:666");
        assertThat(agent.status().healthy()).isFalse();
        assertThat(log).anyMatch(l -> l.startsWith("cannot apply Service default/bad:666: injected"))
                .anyMatch(l -> l.equals("not served as planned (tried again shortly): default/bad:666"));

        // still failing: a retry changes nothing, and the others stay served
        assertThat(agent.retry()).isTrue();
        assertThat(agent.status().notServed()).containsExactly("default/bad:666");
        assertThat(syn(dp, "10.96.0.1", 80, 40003)).isEqualTo(Verdict.DNAT);

        dp.poisoned = false;
        assertThat(agent.retry()).isTrue();
        assertThat(agent.status().healthy()).isTrue();
        assertThat(syn(dp, "10.96.0.2", 666, 40004)).isEqualTo(Verdict.DNAT);
        assertThat(log).anyMatch(l -> l.equals("now served as planned: default/bad:666"));
        assertThat(agent.retry()).as("nothing left to retry").isFalse();
    }

    /**
     * When a change falls back to one Service at a time, every Service's own writes go with it: a
     * fenced LoadBalancer's source ranges too (lost, they would drop every client of it).
     */
    @Test
    void theServiceByServiceFallbackWritesSourceRangesAndAffinityBackends() {
        String fenced = """
                apiVersion: v1
                kind: Service
                metadata: {name: fenced, namespace: default}
                spec:
                  type: LoadBalancer
                  clusterIP: 10.96.0.9
                  selector: {app: a}
                  sessionAffinity: ClientIP
                  loadBalancerSourceRanges: [10.2.0.0/16]
                  ports: [{port: 443, targetPort: 8080, nodePort: 30443}]
                status: {loadBalancer: {ingress: [{ip: 198.51.100.20}]}}
                ---
                """;
        FailingDataplane dp = new FailingDataplane();
        dp.failWhole = true;
        Reconciler agent = new Reconciler(dp, NODE, line -> { });
        agent.onChange(TestManifests.state(CLUSTER + fenced));
        assertThat(agent.status().notServed()).as("the fallback ran").containsExactly("default/bad:666");
        assertThat(syn(dp, "198.51.100.20", 443, 40010)).as("a client in the source range").isEqualTo(Verdict.DNAT);
        assertThat(syn(dp, "198.51.100.20", 443, 40011)).as("affinity kept the backend (its match written)").isEqualTo(Verdict.DNAT);
    }

    /**
     * A frontend that moves from one Service to another in one change ties the two: when the new
     * one cannot be written, the old one stays whole and keeps serving the frontend.
     */
    @Test
    void aFrontendMovingToAServiceThatFailsStaysWithTheServiceItHad() {
        FailingDataplane dp = new FailingDataplane();
        dp.poisoned = false;
        Reconciler agent = new Reconciler(dp, NODE, l -> { });
        String pods = TestManifests.pod("pa", "10.1.0.1", "n1", "app: a", true, "")
                + TestManifests.pod("pb", "10.1.0.2", "n1", "app: b", true, "");
        agent.onChange(TestManifests.state(TestManifests.service("old", "10.96.0.5", "app: a", "- {port: 666, targetPort: 8080}") + pods));
        assertThat(syn(dp, "10.96.0.5", 666, 42000)).isEqualTo(Verdict.DNAT);
        dp.poisoned = true;
        // renamed: the same ClusterIP and port, now Service "new" selecting other pods; its write fails
        agent.onChange(TestManifests.state(TestManifests.service("new", "10.96.0.5", "app: b", "- {port: 666, targetPort: 8080}") + pods));
        assertThat(agent.status().notServed()).contains("default/new:666", "default/old:666");
        byte[] f = FrameBuilder.tcp().from("10.2.0.9", 42001).to("10.96.0.5", 666).flags(Frame.TCP_SYN).build();
        byte[] buf = Arrays.copyOf(f, f.length + Dataplane.REPLY_ROOM);
        PacketResult r = new PacketResult();
        dp.process(buf, f.length, 1_000, r);
        assertThat(r.verdict).isEqualTo(Verdict.DNAT);
        assertThat(new Ipv4(r.backendIp).toString()).as("still the old Service's backend").isEqualTo("10.1.0.1");
        dp.poisoned = false;
        agent.retry();
        dp.process(buf = Arrays.copyOf(f, f.length + Dataplane.REPLY_ROOM), f.length, 2_000, r);
        assertThat(agent.status().healthy()).isTrue();
    }

    /**
     * A Service whose change failed after some of its Maglev slots were written: when the picture
     * returns to its old table, the whole table is written again, so no slot names a backend the
     * failed change brought (and the next change removed).
     */
    @Test
    void aTableWrittenInPartByAFailedChangeIsWrittenWholeNextTime() {
        FailingDataplane dp = new FailingDataplane();
        dp.poisoned = false;
        Reconciler agent = new Reconciler(dp, NODE, l -> { });
        String svc = TestManifests.service("bad", "10.96.0.2", "tier: x", "- {port: 666, targetPort: 8080}");
        String one = TestManifests.pod("pb", "10.1.0.2", "n1", "tier: x", true, "");
        String two = one + TestManifests.pod("pc", "10.1.0.3", "n1", "tier: x", true, "");
        agent.onChange(TestManifests.state(svc + one));
        dp.poisoned = true;
        agent.onChange(TestManifests.state(svc + two)); // slots for pc written, then the entry's write fails
        dp.poisoned = false;
        agent.onChange(TestManifests.state(svc + one)); // back to pb alone; pc's backend removed
        for (int port = 43000; port < 43040; port++) {
            byte[] f = FrameBuilder.tcp().from("10.2.0.9", port).to("10.96.0.2", 666).flags(Frame.TCP_SYN).build();
            byte[] buf = Arrays.copyOf(f, f.length + Dataplane.REPLY_ROOM);
            PacketResult r = new PacketResult();
            dp.process(buf, f.length, 1_000, r);
            assertThat(r.verdict).as("port %d", port).isEqualTo(Verdict.DNAT);
            assertThat(new Ipv4(r.backendIp).toString()).isEqualTo("10.1.0.2");
        }
    }

    /** The metrics a scrape sees: kube-proxy's sync metrics and hotline's frame counters, read at scrape time. */
    @Test
    void metricsFollowTheAppliedChangesAndTheFrames() throws Exception {
        FailingDataplane dp = new FailingDataplane();
        Reconciler agent = new Reconciler(dp, NODE, l -> { });
        try (AgentMetrics metrics = new AgentMetrics(agent, dp, agent::serviceName)) {
            agent.onApplied((seconds, services, endpoints, failed) -> metrics.applied(seconds, services, endpoints, failed));
            metrics.serve("127.0.0.1", 0);
            agent.onChange(TestManifests.state(CLUSTER));
            syn(dp, "10.96.0.1", 80, 41000);
            syn(dp, "10.96.0.1", 80, 41001);
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + metrics.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            List<String> lines = r.body().lines().toList();
            assertThat(lines).contains("kubeproxy_sync_proxy_rules_duration_seconds_count 1",
                    "kubeproxy_network_programming_duration_seconds_count 1",
                    "hotline_apply_failures_total 1.0", "hotline_services_not_served 1.0",
                    "hotline_packets_total{verdict=\"dnat\"} 2.0",
                    "hotline_service_packets_total{service=\"default/a:80\"} 2.0");
            // three Service ports and three backends, though one Service was kept out
            assertThat(lines).contains("kubeproxy_sync_proxy_rules_service_changes_total 2.0",
                    "kubeproxy_sync_proxy_rules_endpoint_changes_total 3.0");
            assertThat(lines).anyMatch(l -> l.startsWith("kubeproxy_sync_proxy_rules_last_timestamp_seconds 1.7"));
        }
    }

    @Test
    void healthzIs503UntilAppliedAndNamesTheServicesNotServed() throws Exception {
        FailingDataplane dp = new FailingDataplane();
        Reconciler agent = new Reconciler(dp, NODE, l -> { });
        try (HealthServer server = HealthServer.start("127.0.0.1", 0, agent::status)) {
            HttpClient http = HttpClient.newHttpClient();
            URI healthz = URI.create("http://127.0.0.1:" + server.port() + "/healthz");
            URI livez = URI.create("http://127.0.0.1:" + server.port() + "/livez");
            HttpResponse<String> before = http.send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(before.statusCode()).isEqualTo(503);
            assertThat(before.body()).contains("\"applied\": false");
            assertThat(http.send(HttpRequest.newBuilder(livez).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            agent.onChange(TestManifests.state(CLUSTER));
            HttpResponse<String> failing = http.send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.ofString());
            // applied: 200, so load balancers keep the node for the Services it does serve; the one it does not is named
            assertThat(failing.statusCode()).isEqualTo(200);
            assertThat(failing.body()).contains("\"notServed\": [\"default/bad:666\"]").contains("\"nodeEligible\": true");

            dp.poisoned = false;
            agent.retry();
            HttpResponse<String> healthy = http.send(HttpRequest.newBuilder(healthz).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(healthy.statusCode()).isEqualTo(200);
            assertThat(healthy.body()).contains("\"notServed\": []").contains("\"lastUpdated\": \"20");
        }
    }

    /**
     * The resync: after a run of changes planned one at a time, planning everything from scratch
     * finds nothing to write (a difference would be an incremental-planning bug, repaired and counted).
     */
    @Test
    void aResyncAfterManyChangesFindsNothingToRepair() {
        UserspaceDataplane dp = new UserspaceDataplane(DataplaneConfig.DEFAULT);
        List<String> log = new ArrayList<>();
        Reconciler agent = new Reconciler(dp, NODE, log::add);
        agent.onChange(TestManifests.state(CLUSTER));
        agent.onChange(TestManifests.state(CLUSTER.replace("10.1.0.2", "10.1.0.9")));
        agent.onChange(TestManifests.state(CLUSTER));
        assertThat(agent.resync()).isZero();
        assertThat(agent.resyncRepairs()).isZero();
        assertThat(log).noneMatch(l -> l.startsWith("resync"));
        dp.close();
    }
}
