package dev.hotline.plan;

import static dev.hotline.TestManifests.pod;
import static dev.hotline.TestManifests.service;
import static dev.hotline.TestManifests.state;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.cluster.ClusterState;
import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PlannerTest {
    static final NodeIdentity NODE1 = new NodeIdentity("n1", List.of(Ipv4.parse("192.168.0.1"), Ipv4.parse("172.16.0.1")));

    static final String TWO_PODS = pod("a", "10.1.0.1", "n1", "app: web", true, "{name: http, containerPort: 8080}")
            + pod("b", "10.1.0.2", "n2", "app: web", true, "{name: http, containerPort: 8080}");

    private static ServicePlan only(Plan p, String name) {
        List<ServicePlan> l = p.services().stream().filter(s -> s.name().toString().equals(name)).toList();
        assertThat(l).as(name).hasSize(1);
        return l.get(0);
    }

    @Test
    void clusterIpFrontendWithItsBackendsAndTable() {
        Plan p = Planner.plan(state(service("web", "10.96.0.1", "app: web", "- {name: http, port: 80, targetPort: http}") + TWO_PODS),
                NODE1, Plan.EMPTY);
        ServicePlan web = only(p, "default/web:http");
        assertThat(web.frontends()).extracting(Frontend::toString).containsExactly("10.96.0.1:80/TCP");
        assertThat(web.backends()).extracting(b -> b.backend().key().toString() + " local=" + b.backend().local())
                .containsExactly("10.1.0.1:8080/TCP local=true", "10.1.0.2:8080/TCP local=false");
        assertThat(web.table().size()).isEqualTo(251);
        assertThat(p.backends()).hasSize(2);
    }

    @Test
    void sameNumberOnTcpAndUdpIsTwoFrontendsWithTheirOwnBackends() {
        Plan p = Planner.plan(state(service("dns", "10.96.0.10", "app: web",
                "- {name: dns-tcp, port: 53, protocol: TCP}\n- {name: dns, port: 53, protocol: UDP}") + TWO_PODS), NODE1, Plan.EMPTY);
        assertThat(p.services()).hasSize(2);
        assertThat(only(p, "default/dns:dns").frontends()).extracting(Frontend::toString).containsExactly("10.96.0.10:53/UDP");
        assertThat(only(p, "default/dns:dns-tcp").frontends()).extracting(Frontend::toString).containsExactly("10.96.0.10:53/TCP");
        assertThat(only(p, "default/dns:dns").backends()).allMatch(b -> b.backend().key().protocol() == Protocol.UDP);
        // a backend address:port on two protocols is two backends
        assertThat(p.backends()).hasSize(4);
    }

    @Test
    void nodePortListensOnEveryNodeAddress() {
        Plan p = Planner.plan(state(service("web", "10.96.0.1", "app: web", "- {name: http, port: 80, nodePort: 30080}")
                .replace("spec:\n", "spec:\n  type: NodePort\n") + TWO_PODS), NODE1, Plan.EMPTY);
        ServicePlan web = only(p, "default/web:http");
        assertThat(web.frontends()).extracting(f -> f + " " + f.kind().label())
                .containsExactly("10.96.0.1:80/TCP ClusterIP", "172.16.0.1:30080/TCP NodePort", "192.168.0.1:30080/TCP NodePort");
    }

    @Test
    void externalTrafficPolicyLocalGivesNodePortsTheirOwnLocalOnlyService() {
        Plan p = Planner.plan(state(service("web", "10.96.0.1", "app: web", "- {name: http, port: 80, nodePort: 30080}")
                .replace("spec:\n", "spec:\n  type: NodePort\n  externalTrafficPolicy: Local\n") + TWO_PODS), NODE1, Plan.EMPTY);
        Map<ServiceScope, ServicePlan> byScope = p.services().stream().collect(Collectors.toMap(ServicePlan::scope, s -> s));
        // the Cluster scope: the ClusterIP, and the NodePorts as sources inside the cluster see them (every endpoint)
        assertThat(byScope.get(ServiceScope.CLUSTER).frontends()).extracting(f -> f + " " + f.kind().label())
                .containsExactly("10.96.0.1:80/TCP ClusterIP", "172.16.0.1:30080/TCP (in-cluster view) NodePort",
                        "192.168.0.1:30080/TCP (in-cluster view) NodePort");
        assertThat(byScope.get(ServiceScope.CLUSTER).backends()).hasSize(2);
        assertThat(byScope.get(ServiceScope.NODE_LOCAL).frontends()).extracting(f -> f.kind() + " " + f.internal())
                .containsOnly("NODE_PORT false");
        assertThat(byScope.get(ServiceScope.NODE_LOCAL).backends()).extracting(b -> b.backend().podName()).containsExactly("a");
        ServicePlan local = byScope.get(ServiceScope.NODE_LOCAL);
        ServiceEntry e = ServiceEntry.of(local, local.frontends().get(0));
        assertThat(e.internalView()).as("pods and the node go to the in-cluster view").isTrue();
        assertThat(e.snatRemote()).isTrue();
        assertThat(e.dropWhenEmpty()).as("endpoints exist on another node: an empty local scope drops").isTrue();
        ServicePlan cluster = byScope.get(ServiceScope.CLUSTER);
        ServiceEntry inCluster = ServiceEntry.of(cluster, cluster.frontends().get(1));
        assertThat(inCluster.internalView() || inCluster.snatRemote() || inCluster.dropWhenEmpty()).isFalse();
    }

    @Test
    void preferCloseWithoutSlicesSaysItHasNoEffect() {
        Plan p = Planner.plan(state(service("web", "10.96.0.1", "app: web", "- {name: http, port: 80}")
                .replace("spec:\n", "spec:\n  trafficDistribution: PreferClose\n") + TWO_PODS), NODE1, Plan.EMPTY);
        assertThat(p.problems()).singleElement().asString().contains("spec.trafficDistribution: PreferClose has no effect here");
    }

    @Test
    void terminatingServingBackendsAreUsedOnlyWhenNoneIsReady() {
        String yaml = service("web", "10.96.0.1", "", "- {name: http, port: 80}") + """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: web-1, namespace: default, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                ports: [{name: http, port: 80}]
                endpoints:
                - {addresses: [10.1.0.1], conditions: {ready: %s}}
                - {addresses: [10.1.0.2], conditions: {ready: false, serving: true, terminating: true}}
                - {addresses: [10.1.0.3], conditions: {ready: false, serving: false, terminating: true}}
                """;
        ServicePlan withReady = only(Planner.plan(state(yaml.formatted("true")), NODE1, Plan.EMPTY), "default/web:http");
        assertThat(withReady.backends()).extracting(ServiceBackend::active).containsExactly(true, false, false);
        ServicePlan noneReady = only(Planner.plan(state(yaml.formatted("false")), NODE1, Plan.EMPTY), "default/web:http");
        assertThat(noneReady.backends()).extracting(ServiceBackend::active).containsExactly(false, true, false);
        assertThat(noneReady.activeBackends()).isEqualTo(1);
    }

    @Test
    void noEndpointsGiveAnEmptyTable() {
        Plan p = Planner.plan(state(service("web", "10.96.0.1", "app: nothing", "- {name: http, port: 80}")), NODE1, Plan.EMPTY);
        assertThat(only(p, "default/web:http").table().size()).isZero();
    }

    @Test
    void headlessAndExternalNameServicesHaveNoEntry() {
        Plan p = Planner.plan(state(service("h", "None", "app: web", "- {name: http, port: 80}")
                + "apiVersion: v1\nkind: Service\nmetadata: {name: e}\nspec: {type: ExternalName, externalName: x.example}\n---\n"
                + TWO_PODS), NODE1, Plan.EMPTY);
        assertThat(p.services()).isEmpty();
    }

    @Test
    void idsStayStableWhileObjectsExist() {
        String web = service("web", "10.96.0.1", "app: web", "- {name: http, port: 80}");
        String api = service("api", "10.96.0.2", "app: web", "- {name: http, port: 81}");
        String zzz = service("zzz", "10.96.0.3", "app: web", "- {name: http, port: 82}");
        ClusterState s1 = state(web + api + zzz + TWO_PODS);
        Plan p1 = Planner.plan(s1, NODE1, Plan.EMPTY);
        // "api" goes away, a new "aaa" arrives and a backend is added: survivors keep their IDs
        ClusterState s2 = state(web + zzz + service("aaa", "10.96.0.4", "app: web", "- {name: http, port: 83}")
                + TWO_PODS + pod("c", "10.1.0.3", "n1", "app: web", true, ""));
        Plan p2 = Planner.plan(s2, NODE1, p1);
        assertThat(only(p2, "default/web:http").id()).isEqualTo(only(p1, "default/web:http").id());
        assertThat(only(p2, "default/zzz:http").id()).isEqualTo(only(p1, "default/zzz:http").id());
        assertThat(only(p2, "default/aaa:http").id()).isNotIn(p1.services().stream().map(ServicePlan::id).toList());
        Map<String, Integer> b1 = p1.backends().values().stream().collect(Collectors.toMap(b -> b.key().toString(), Backend::id, (a, b) -> a));
        Map<String, Integer> b2 = p2.backends().values().stream().collect(Collectors.toMap(b -> b.key().toString(), Backend::id, (a, b) -> a));
        b1.forEach((k, id) -> {
            if (b2.containsKey(k)) {
                assertThat(b2.get(k)).as(k).isEqualTo(id);
            }
        });
        // and the same input planned from scratch gives the same IDs
        assertThat(Planner.plan(s1, NODE1, Plan.EMPTY).services()).isEqualTo(p1.services());
    }

    @Test
    void aServiceWhoseBackendsDidNotChangeKeepsItsTableAndAChangedOneGetsTheSameTableAFreshPlanWould() {
        String web = service("web", "10.96.0.1", "app: web", "- {name: http, port: 80}");
        String api = service("api", "10.96.0.2", "app: api", "- {name: http, port: 80}");
        String apiPods = pod("x", "10.2.0.1", "n1", "app: api", true, "") + pod("y", "10.2.0.2", "n1", "app: api", true, "");
        Plan p1 = Planner.plan(state(web + api + TWO_PODS + apiPods), NODE1, Plan.EMPTY);
        Plan p2 = Planner.plan(state(web + api + TWO_PODS + apiPods + pod("z", "10.2.0.3", "n1", "app: api", true, "")), NODE1, p1);
        assertThat(only(p2, "default/web:http").table()).isSameAs(only(p1, "default/web:http").table());
        assertThat(only(p2, "default/api:http").table()).isNotSameAs(only(p1, "default/api:http").table());
        // reuse never changes the result: the same as building every table afresh with these IDs
        java.util.List<Backend> active = only(p2, "default/api:http").backends().stream().filter(ServiceBackend::active)
                .map(ServiceBackend::backend).toList();
        assertThat(only(p2, "default/api:http").table()).isEqualTo(Maglev.build(active));
    }
}
