package dev.hotline.plan;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ObjectRef;
import dev.hotline.cluster.Problem;
import dev.hotline.cluster.Service;
import dev.hotline.cluster.ServicePort;
import dev.hotline.endpoints.EndpointResolver;
import dev.hotline.endpoints.ResolvedEndpoint;
import dev.hotline.endpoints.ServiceEndpoints;
import dev.hotline.net.Ipv4;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The plan as a pure function of the cluster picture, the node's identity and the previous plan
 * (only its ID assignments are used, so IDs stay stable while an object exists).
 *
 * Per Service port: the ClusterIP frontend, and a NodePort frontend on every node address. A
 * traffic policy of Local gives its frontends their own Service entry whose backends are this
 * node's only. Backends are active when ready; when none is, the serving terminating ones are.
 */
public final class Planner {
    /** IDs are 32-bit in the maps, 0 meaning none; these bounds keep every table reasonable. */
    public static final int MAX_SERVICES = (1 << 24) - 1;
    public static final int MAX_BACKENDS = 1 << 24;

    private Planner() {
    }

    public static Plan plan(ClusterState state, NodeIdentity node, Plan previous) {
        Map<ObjectRef, ServiceEndpoints> endpoints = EndpointResolver.resolve(state);
        List<Problem> problems = new ArrayList<>();

        // First pass: what each Service port becomes, before IDs are known.
        record Draft(ServicePlan.ServiceKey key, List<Frontend> frontends, List<ResolvedEndpoint> endpoints) {
        }
        Map<ServicePlan.ServiceKey, Draft> drafts = new TreeMap<>();
        java.util.SortedSet<Ipv4> virtualIps = new java.util.TreeSet<>();
        boolean nodePortsWithoutAddress = false;
        for (Service svc : state.services()) {
            if (!svc.hasDataplaneEntry()) {
                continue;
            }
            ServiceEndpoints eps = endpoints.get(svc.ref());
            virtualIps.add(svc.clusterIP());
            for (ServicePort sp : svc.ports()) {
                ServicePortName name = new ServicePortName(svc.namespace(), svc.name(), sp.name());
                if (sp.protocol() == dev.hotline.net.Protocol.SCTP) {
                    // planned, it would be a frontend the program never matches: say so instead
                    problems.add(Problem.warning(svc.source(), svc.ref(), null, "port " + sp.port() + "/SCTP is not served: "
                            + "hotline's dataplanes translate TCP and UDP only"));
                    continue;
                }
                List<ResolvedEndpoint> all = eps == null ? List.of() : eps.forPort(sp.name());
                ServiceScope clusterIpScope = svc.internalTrafficLocal() ? ServiceScope.NODE_LOCAL : ServiceScope.CLUSTER;
                ServiceScope nodePortScope = svc.externalTrafficLocal() ? ServiceScope.NODE_LOCAL : ServiceScope.CLUSTER;
                Frontend clusterIp = new Frontend(svc.clusterIP(), sp.port(), sp.protocol(), FrontendKind.CLUSTER_IP);
                drafts.computeIfAbsent(new ServicePlan.ServiceKey(name, sp.protocol(), clusterIpScope),
                        k -> new Draft(k, new ArrayList<>(), scoped(all, k.scope(), node))).frontends().add(clusterIp);
                if (svc.type().hasNodePorts() && sp.nodePort() != 0) {
                    if (node.addresses().isEmpty()) {
                        nodePortsWithoutAddress = true;
                    }
                    for (Ipv4 addr : node.addresses()) {
                        Frontend np = new Frontend(addr, sp.nodePort(), sp.protocol(), FrontendKind.NODE_PORT);
                        drafts.computeIfAbsent(new ServicePlan.ServiceKey(name, sp.protocol(), nodePortScope),
                                k -> new Draft(k, new ArrayList<>(), scoped(all, k.scope(), node))).frontends().add(np);
                    }
                }
            }
        }
        if (nodePortsWithoutAddress) {
            problems.add(Problem.warning(null, null, null,
                    "NodePort frontends are not planned: this node has no address (give --node-ip, or --node-name of a Node in the manifests)"));
        }

        // IDs: stable for every key that was in the previous plan.
        List<BackendKey> backendKeys = new ArrayList<>();
        for (Draft d : drafts.values()) {
            for (ResolvedEndpoint e : d.endpoints()) {
                backendKeys.add(new BackendKey(e.address(), e.port(), d.key().protocol()));
            }
        }
        IdRegistry<ServicePlan.ServiceKey> serviceIds = previous.serviceIds().assign(drafts.keySet(), MAX_SERVICES);
        IdRegistry<BackendKey> backendIds = previous.backendIds().assign(backendKeys, MAX_BACKENDS);

        // a Service whose active backends are unchanged keeps its Maglev table: the table depends on
        // nothing else, and rebuilding thousands of them is most of what a one-endpoint change costs
        Map<ServicePlan.ServiceKey, ServicePlan> before = new HashMap<>();
        for (ServicePlan s : previous.services()) {
            before.put(s.key(), s);
        }
        Map<Integer, Backend> backends = new HashMap<>();
        List<ServicePlan> services = new ArrayList<>();
        for (Draft d : drafts.values()) {
            List<ServiceBackend> sbs = new ArrayList<>();
            boolean anyReady = d.endpoints().stream().anyMatch(ResolvedEndpoint::ready);
            List<Backend> active = new ArrayList<>();
            for (ResolvedEndpoint e : d.endpoints()) {
                BackendKey key = new BackendKey(e.address(), e.port(), d.key().protocol());
                int id = backendIds.id(key);
                Backend b = new Backend(id, key, e.nodeName(), e.podName(),
                        e.nodeName() != null && Objects.equals(e.nodeName(), node.name()));
                backends.merge(id, b, (x, y) -> x.podName() != null ? x : y);
                boolean isActive = anyReady ? e.ready() : (e.serving() && e.terminating());
                if (isActive) {
                    active.add(b);
                }
                sbs.add(new ServiceBackend(b, e, isActive));
            }
            sbs.sort(Comparator.comparing(sb -> sb.backend().key()));
            List<Frontend> frontends = new ArrayList<>(d.frontends());
            frontends.sort(Comparator.comparing(Frontend::kind).thenComparing(Frontend.ORDER));
            int id = serviceIds.id(d.key());
            ServicePlan old = before.get(d.key());
            MaglevTable table = old != null && old.id() == id && !old.table().unknown() && sameActive(old, active) ? old.table()
                    : Maglev.build(active);
            services.add(new ServicePlan(id, d.key().name(), d.key().protocol(), d.key().scope(), frontends, sbs, table));
        }
        return new Plan(node, services, backends, virtualIps, serviceIds, backendIds, problems);
    }

    /** True when the old plan's active backends are exactly these (same IDs and addresses). */
    private static boolean sameActive(ServicePlan old, List<Backend> active) {
        int n = 0;
        for (ServiceBackend sb : old.backends()) {
            if (sb.active()) {
                n++;
            }
        }
        if (n != active.size()) {
            return false;
        }
        Map<Integer, BackendKey> keys = new HashMap<>(n * 2);
        for (ServiceBackend sb : old.backends()) {
            if (sb.active()) {
                keys.put(sb.backend().id(), sb.backend().key());
            }
        }
        for (Backend b : active) {
            if (!b.key().equals(keys.get(b.id()))) {
                return false;
            }
        }
        return true;
    }

    private static List<ResolvedEndpoint> scoped(List<ResolvedEndpoint> all, ServiceScope scope, NodeIdentity node) {
        if (scope == ServiceScope.CLUSTER) {
            return all;
        }
        return all.stream().filter(e -> e.nodeName() != null && e.nodeName().equals(node.name())).toList();
    }
}
