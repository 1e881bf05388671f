package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.bpf.Abi;
import dev.hotline.bpf.BpfProgram;
import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.Endpoint;
import dev.hotline.cluster.EndpointPort;
import dev.hotline.cluster.EndpointSlice;
import dev.hotline.cluster.Node;
import dev.hotline.cluster.ObjectRef;
import dev.hotline.cluster.Service;
import dev.hotline.cluster.ServicePort;
import dev.hotline.cluster.ServiceType;
import dev.hotline.cluster.TargetPort;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Verdict;
import dev.hotline.dataplane.bpf.BpfDataplane;
import dev.hotline.dataplane.bpf.BpfSizing;
import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;
import dev.hotline.packet.Bytes;
import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import dev.hotline.plan.NodeIdentity;
import dev.hotline.plan.Plan;
import dev.hotline.plan.PlanDiff;
import dev.hotline.plan.Planner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * No capacity cliff: the kernel dataplane's maps start at their default sizes and grow with the
 * cluster (a new program generation with larger maps, the rest shared), through the real program
 * under BPF_PROG_TEST_RUN. Every Service translates at 10 001 Services with default sizes (the
 * Maglev array alone overflows its default there), and a cluster growing from 1 000 to 120 000
 * Services under traffic keeps every established flow on its backend.
 */
class CapacityGrowthTest {
    static final NodeIdentity NODE = new NodeIdentity("node-1", List.of(Ipv4.parse("192.168.49.2")));
    static final int CLUSTER_IP_BASE = Ipv4.parse("10.96.0.0").value();
    static final int BACKEND_BASE = Ipv4.parse("10.128.0.0").value();
    static final int CLIENT = Ipv4.parse("10.1.1.10").value();

    /** services Services, svc-i at 10.96.0.0 + i:80, each with two endpoints of its own on port 8080. */
    static ClusterState cluster(int services) {
        List<Service> svcs = new ArrayList<>(services);
        List<EndpointSlice> slices = new ArrayList<>(services);
        List<ServicePort> http = List.of(new ServicePort("http", Protocol.TCP, 80, TargetPort.numeric(8080), 0));
        for (int i = 0; i < services; i++) {
            svcs.add(new Service(new ObjectRef("Service", "grow", "svc-" + i), "test", ServiceType.ClusterIP,
                    new Ipv4(CLUSTER_IP_BASE + i), false, Map.of(), http, List.of(), List.of(), null, false, false, false));
            slices.add(new EndpointSlice(new ObjectRef("EndpointSlice", "grow", "svc-" + i + "-x"), "test", "svc-" + i,
                    List.of(new EndpointPort("http", 8080, Protocol.TCP)),
                    List.of(endpoint(i, 0), endpoint(i, 1))));
        }
        return new ClusterState(svcs, List.of(), slices, List.of(new Node("node-1", NODE.addresses())), List.of(), List.of());
    }

    static Endpoint endpoint(int service, int n) {
        return new Endpoint(new Ipv4(BACKEND_BASE + 2 * service + n), true, true, false, "node-2", "svc-" + service + "-" + n);
    }

    static byte[] tcp(int clientPort, int service, int flags) {
        byte[] f = FrameBuilder.tcp().from(CLIENT, clientPort).to(CLUSTER_IP_BASE + service, 80).flags(flags).seq(1000).build();
        return Arrays.copyOf(f, f.length + Dataplane.REPLY_ROOM);
    }

    /** The backend the frame was sent to, or fails when it was not DNATed to one of the Service's own. */
    static int dnat(BpfDataplane dp, int clientPort, int service, int flags, long now) {
        byte[] f = tcp(clientPort, service, flags);
        PacketResult r = new PacketResult();
        dp.process(f, f.length - Dataplane.REPLY_ROOM, now, r);
        assertThat(r.verdict).as("svc-%d from port %d", service, clientPort).isEqualTo(Verdict.DNAT);
        int backend = Bytes.be32(f, Frame.IP_DADDR);
        assertThat(backend).as("svc-%d's own backends", service).isIn(BACKEND_BASE + 2 * service, BACKEND_BASE + 2 * service + 1);
        return backend;
    }

    @Test
    void tenThousandAndOneServicesWithDefaultSizesAllTranslate() {
        Privileges.requireBpf();
        Plan plan = Planner.plan(cluster(10_001), NODE, Plan.EMPTY);
        try (BpfDataplane dp = new BpfDataplane(DataplaneConfig.DEFAULT, BpfSizing.DEFAULT, true, null)) {
            List<String> grown = new ArrayList<>();
            dp.onEvent(grown::add);
            dp.apply(PlanDiff.between(Plan.EMPTY, plan));
            assertThat(grown).singleElement().asString().contains("hl_maglev 2097152 -> ");
            assertThat(dp.mapSizes()[Abi.MAP_MAGLEV]).isGreaterThanOrEqualTo(10_001 * 251);
            for (int i = 0; i < 10_001; i++) {
                dnat(dp, 20000 + i % 40000, i, Frame.TCP_SYN, Scenario.T0);
            }
        }
    }

    @Test
    void aClusterGrowingTo120000ServicesUnderTrafficKeepsEveryEstablishedFlow() {
        Privileges.requireBpf();
        Plan plan = Planner.plan(cluster(1_000), NODE, Plan.EMPTY);
        try (BpfDataplane dp = new BpfDataplane(DataplaneConfig.DEFAULT, BpfSizing.DEFAULT, true, null)) {
            List<String> grown = new ArrayList<>();
            dp.onEvent(grown::add);
            dp.apply(PlanDiff.between(Plan.EMPTY, plan));
            // 500 flows over the first 1 000 Services, each pinned to the backend it got
            int[] backend = new int[500];
            long now = Scenario.T0;
            for (int i = 0; i < 500; i++) {
                backend[i] = dnat(dp, 30000 + i, i * 2, Frame.TCP_SYN, now);
            }
            for (int services : new int[] {10_000, 60_000, 120_000}) {
                Plan next = Planner.plan(cluster(services), NODE, plan);
                dp.apply(PlanDiff.between(plan, next));
                plan = next;
                now += 1_000_000_000L;
                for (int i = 0; i < 500; i++) {
                    assertThat(dnat(dp, 30000 + i, i * 2, Frame.TCP_ACK_FLAG, now)).as("flow %d after growing to %d", i, services)
                            .isEqualTo(backend[i]);
                }
                // and the newest Service translates
                dnat(dp, 50000, services - 1, Frame.TCP_SYN, now);
            }
            assertThat(grown).as("generations").hasSizeGreaterThanOrEqualTo(2)
                    .anyMatch(l -> l.contains("hl_services")).anyMatch(l -> l.contains("hl_backends"));
            assertThat(dp.mapSizes()[Abi.MAP_SERVICES]).isGreaterThanOrEqualTo(120_000);
            assertThat(dp.mapSizes()[Abi.MAP_BACKENDS]).isGreaterThanOrEqualTo(240_000);
        }
    }

    /** Pinned maps a previous agent grew are taken at their grown size by the next one, state and all. */
    @Test
    void grownPinnedMapsAreTakenOverAtTheirSizeAfterARestart() {
        Privileges.requireBpf();
        String pins = "/sys/fs/bpf/hotline-grow-" + UUID.randomUUID().toString().substring(0, 8);
        BpfSizing small = new BpfSizing(1024, 1024, 1 << 16, 65536);
        Plan plan = Planner.plan(cluster(2_000), NODE, Plan.EMPTY);
        try {
            int[] grownSizes;
            try (BpfDataplane dp = new BpfDataplane(DataplaneConfig.DEFAULT, small, false, pins)) {
                dp.apply(PlanDiff.between(Plan.EMPTY, plan));
                grownSizes = dp.mapSizes();
                assertThat(grownSizes[Abi.MAP_SERVICES]).isGreaterThan(1024);
            }
            try (BpfDataplane again = new BpfDataplane(DataplaneConfig.DEFAULT, small, false, pins)) {
                assertThat(again.recreatedPins()).isEmpty();
                assertThat(again.mapSizes()[Abi.MAP_SERVICES]).isEqualTo(grownSizes[Abi.MAP_SERVICES]);
                assertThat(again.mapSizes()[Abi.MAP_MAGLEV]).isEqualTo(grownSizes[Abi.MAP_MAGLEV]);
                assertThat(again.adopt().serviceIds()).hasSize(2_000);
            }
        } finally {
            BpfProgram.unpin(pins);
        }
    }
}
