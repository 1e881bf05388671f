package dev.hotline.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.net.Ipv4;
import dev.hotline.plan.NodeIdentity;
import dev.hotline.plan.Plan;
import dev.hotline.plan.Planner;
import dev.hotline.plan.ServicePlan;
import dev.hotline.source.ManifestReader;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What `kubectl get svc,pods,endpointslices -o yaml` prints, managed fields and all, plans cleanly. */
class KubectlOutputTest {

    @Test
    void aRealKubectlListIsReadAndPlannedWithoutAProblem() throws Exception {
        String yaml;
        try (InputStream in = getClass().getResourceAsStream("/kubectl/get-svc-pods-endpointslices.yaml")) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ClusterState state = new ClusterStateBuilder(NodePortRange.DEFAULT).build(ManifestReader.parse("kubectl.yaml", yaml));
        assertThat(state.problems()).isEmpty();
        assertThat(state.services()).extracting(Service::name).containsExactly("nginx", "kubernetes");
        assertThat(state.pods()).singleElement().satisfies(p -> {
            assertThat(p.ready()).isTrue();
            assertThat(p.ip()).isEqualTo(Ipv4.parse("10.244.1.7"));
        });
        Plan plan = Planner.plan(state, new NodeIdentity("kind-worker", List.of()), Plan.EMPTY);
        assertThat(plan.services()).extracting(s -> s.name() + " -> " + s.backends().get(0).backend().key())
                .containsExactly("default/kubernetes:https -> 172.18.0.2:6443/TCP", "default/nginx: -> 10.244.1.7:80/TCP");
        ServicePlan nginx = plan.services().get(1);
        assertThat(nginx.backends().get(0).backend().local()).isTrue();
        assertThat(nginx.backends().get(0).backend().podName()).isEqualTo("nginx-7854ff8877-4xkqp");
    }
}
