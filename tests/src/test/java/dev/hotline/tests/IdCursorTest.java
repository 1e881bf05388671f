package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.reconcile.Reconciler;
import dev.hotline.bpf.BpfProgram;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.bpf.BpfDataplane;
import dev.hotline.dataplane.bpf.BpfSizing;
import dev.hotline.net.Ipv4;
import dev.hotline.plan.Backend;
import dev.hotline.plan.NodeIdentity;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A restarted agent never hands out an ID that conntrack may still name: the last IDs issued are
 * kept with the pinned maps, and the next agent goes on after them. Without that, a backend
 * removed just before a crash (its ID above every live one) would see its ID given to the next
 * new backend, and flows conntrack still pins to the removed pod would silently reach another.
 */
class IdCursorTest {
    static final NodeIdentity NODE = new NodeIdentity("node-1", List.of(Ipv4.parse("192.168.49.2")));
    static final String PORTS = "{name: http, containerPort: 8080}";

    static String cluster(String... pods) {
        StringBuilder b = new StringBuilder(Cluster.node("node-1", "192.168.49.2"))
                .append(Cluster.service("web", "ClusterIP", "10.96.0.10", "app: web", "{name: http, port: 80, targetPort: 8080}"));
        for (String p : pods) {
            String[] nameIp = p.split("=");
            b.append(Cluster.pod(nameIp[0], nameIp[1], "node-1", "app: web", PORTS));
        }
        return b.toString();
    }

    static int idOf(Reconciler agent, String ip) {
        return agent.loaded().backends().values().stream().filter(b -> b.key().address().equals(Ipv4.parse(ip)))
                .mapToInt(Backend::id).findFirst().orElseThrow();
    }

    @Test
    void aBackendIdFreedBeforeARestartIsNotHandedOutAgain() {
        Privileges.requireBpf();
        String pins = "/sys/fs/bpf/hotline-ids-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            int freed;
            try (BpfDataplane dp = new BpfDataplane(DataplaneConfig.DEFAULT, BpfSizing.DEFAULT, false, pins)) {
                Reconciler agent = new Reconciler(dp, NODE, l -> { });
                agent.adopt();
                agent.onChange(Scenario.state(cluster("a=10.1.1.1", "b=10.1.1.2", "c=10.1.1.3")));
                freed = idOf(agent, "10.1.1.3");
                // c goes (its flows may live on in conntrack), then the agent dies
                agent.onChange(Scenario.state(cluster("a=10.1.1.1", "b=10.1.1.2")));
                assertThat(freed).isGreaterThan(Math.max(idOf(agent, "10.1.1.1"), idOf(agent, "10.1.1.2")));
            }
            try (BpfDataplane dp = new BpfDataplane(DataplaneConfig.DEFAULT, BpfSizing.DEFAULT, false, pins)) {
                Reconciler agent = new Reconciler(dp, NODE, l -> { });
                agent.adopt();
                agent.onChange(Scenario.state(cluster("a=10.1.1.1", "b=10.1.1.2", "d=10.1.1.4")));
                assertThat(idOf(agent, "10.1.1.4")).as("the new backend's ID").isNotEqualTo(freed).isGreaterThan(freed);
                assertThat(idOf(agent, "10.1.1.1")).as("a kept its ID").isLessThan(freed);
            }
        } finally {
            BpfProgram.unpin(pins);
        }
    }
}
