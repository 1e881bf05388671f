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
        Map<ServicePlan.ServiceKey, Draft> drafts = new TreeMap<>();
        java.util.SortedSet<Ipv4> virtualIps = new java.util.TreeSet<>();
        boolean nodePortsWithoutAddress = false;
        for (Service svc : state.services()) {
            if (!svc.hasDataplaneEntry()) {
                continue;
            }
            virtualIps.add(svc.clusterIP());
            nodePortsWithoutAddress |= lacksNodeAddress(svc, node);
            for (Draft d : drafts(svc, endpoints.get(svc.ref()), node, problems)) {
                drafts.put(d.key(), d);
            }
        }
        if (nodePortsWithoutAddress) {
            problems.add(NO_NODE_ADDRESS);
        }

        // IDs: stable for every key that was in the previous plan.
        List<BackendKey> backendKeys = new ArrayList<>();
        for (Draft d : drafts.values()) {
            backendKeys.addAll(d.backendKeys());
        }
        IdRegistry<ServicePlan.ServiceKey> serviceIds = previous.serviceIds().assign(drafts.keySet(), MAX_SERVICES);
        IdRegistry<BackendKey> backendIds = previous.backendIds().assign(backendKeys, MAX_BACKENDS);

        Map<ServicePlan.ServiceKey, ServicePlan> before = new HashMap<>();
        for (ServicePlan s : previous.services()) {
            before.put(s.key(), s);
        }
        Map<Integer, Backend> backends = new HashMap<>();
        List<ServicePlan> services = new ArrayList<>();
        for (Draft d : drafts.values()) {
            ServicePlan s = build(d, serviceIds.id(d.key()), backendIds::id, node, before.get(d.key()));
            for (ServiceBackend sb : s.backends()) {
                backends.merge(sb.backend().id(), sb.backend(), Backend::preferred);
            }
            services.add(s);
        }
        return new Plan(node, services, backends, virtualIps, serviceIds, backendIds, problems);
    }

    /** The order a Service plan lists its frontends in: ClusterIP first, then by address and port. */
    static final Comparator<Frontend> FRONTEND_ORDER = Comparator.comparing(Frontend::kind).thenComparing(Frontend.ORDER);

    static final Problem NO_NODE_ADDRESS = Problem.warning(null, null, null,
            "NodePort frontends are not planned: this node has no address (give --node-ip, or --node-name of a Node in the manifests)");

    /** One Service port in one scope before IDs are known: its frontends and the endpoints of that scope. */
    record Draft(ServicePlan.ServiceKey key, List<Frontend> frontends, List<ResolvedEndpoint> endpoints) {
        List<BackendKey> backendKeys() {
            List<BackendKey> out = new ArrayList<>(endpoints.size());
            for (ResolvedEndpoint e : endpoints) {
                out.add(new BackendKey(e.address(), e.port(), key.protocol()));
            }
            return out;
        }
    }

    /** True when the Service has NodePorts this node cannot serve for want of an address. */
    static boolean lacksNodeAddress(Service svc, NodeIdentity node) {
        return node.addresses().isEmpty() && svc.hasDataplaneEntry() && svc.type().hasNodePorts()
                && svc.ports().stream().anyMatch(sp -> sp.nodePort() != 0 && sp.protocol() != dev.hotline.net.Protocol.SCTP);
    }

    /**
     * What one Service (with a dataplane entry) becomes, in key order: per port and scope, the
     * ClusterIP frontend and a NodePort frontend on every node address. Ports not served are
     * reported in problems.
     */
    static List<Draft> drafts(Service svc, ServiceEndpoints eps, NodeIdentity node, List<Problem> problems) {
        Map<ServicePlan.ServiceKey, Draft> drafts = new TreeMap<>();
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
                for (Ipv4 addr : node.addresses()) {
                    Frontend np = new Frontend(addr, sp.nodePort(), sp.protocol(), FrontendKind.NODE_PORT);
                    drafts.computeIfAbsent(new ServicePlan.ServiceKey(name, sp.protocol(), nodePortScope),
                            k -> new Draft(k, new ArrayList<>(), scoped(all, k.scope(), node))).frontends().add(np);
                }
            }
        }
        return new ArrayList<>(drafts.values());
    }

    /**
     * A draft with its IDs: every backend with its state, and the Maglev table over the active ones.
     * A Service whose active backends are unchanged keeps its table (old): the table depends on
     * nothing else, and rebuilding thousands of them is most of what a one-endpoint change costs.
     */
    static ServicePlan build(Draft d, int id, java.util.function.ToIntFunction<BackendKey> backendIds, NodeIdentity node,
                             ServicePlan old) {
        List<ServiceBackend> sbs = new ArrayList<>(d.endpoints().size());
        boolean anyReady = d.endpoints().stream().anyMatch(ResolvedEndpoint::ready);
        List<Backend> active = new ArrayList<>();
        for (ResolvedEndpoint e : d.endpoints()) {
            BackendKey key = new BackendKey(e.address(), e.port(), d.key().protocol());
            Backend b = new Backend(backendIds.applyAsInt(key), key, e.nodeName(), e.podName(),
                    e.nodeName() != null && Objects.equals(e.nodeName(), node.name()));
            boolean isActive = anyReady ? e.ready() : (e.serving() && e.terminating());
            if (isActive) {
                active.add(b);
            }
            sbs.add(new ServiceBackend(b, e, isActive));
        }
        sbs.sort(Comparator.comparing(sb -> sb.backend().key()));
        List<Frontend> frontends = new ArrayList<>(d.frontends());
        frontends.sort(FRONTEND_ORDER);
        MaglevTable table = old != null && old.id() == id && !old.table().unknown() && sameActive(old, active) ? old.table()
                : Maglev.build(active);
        return new ServicePlan(id, d.key().name(), d.key().protocol(), d.key().scope(), frontends, sbs, table);
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
