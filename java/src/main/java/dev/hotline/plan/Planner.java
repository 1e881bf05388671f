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

    /** One Service port in one scope before IDs are known: its frontends, the endpoints of that scope, its options. */
    record Draft(ServicePlan.ServiceKey key, List<Frontend> frontends, List<ResolvedEndpoint> endpoints, ServiceOptions options,
                 boolean topology) {
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
     * ClusterIP frontend, a NodePort frontend on every node address, the externalIPs and the
     * LoadBalancer ingress IPs. externalTrafficPolicy Local puts the external frontends in the
     * node-local scope and gives each an in-cluster view in the Cluster scope (kube-proxy sends
     * traffic from pods and from the node itself to such an address to every endpoint).
     * internalTrafficPolicy Local does the same for the ClusterIP, without a second view. Ports not
     * served are reported in problems.
     */
    static List<Draft> drafts(Service svc, ServiceEndpoints eps, NodeIdentity node, List<Problem> problems) {
        Map<ServicePlan.ServiceKey, Draft> drafts = new TreeMap<>();
        dev.hotline.cluster.ServicePolicy policy = svc.policy();
        if (policy.preferClose() && eps != null && eps.origin() == ServiceEndpoints.Origin.SELECTOR) {
            // the hints are the EndpointSlice controller's to write; endpoints made here from a selector have none
            problems.add(Problem.warning(svc.source(), svc.ref(), "spec.trafficDistribution", "PreferClose has no effect here: "
                    + "zone hints come from EndpointSlices, and this Service's endpoints come from its selector (give its "
                    + "EndpointSlices, as kubectl get endpointslices -o yaml shows them, to use the hints)"));
        }
        for (ServicePort sp : svc.ports()) {
            ServicePortName name = new ServicePortName(svc.namespace(), svc.name(), sp.name());
            if (sp.protocol() == dev.hotline.net.Protocol.SCTP) {
                // planned, it would be a frontend the program never matches: say so instead
                problems.add(Problem.warning(svc.source(), svc.ref(), null, "port " + sp.port() + "/SCTP is not served: "
                        + "hotline's dataplanes translate TCP and UDP only"));
                continue;
            }
            List<ResolvedEndpoint> all = eps == null ? List.of() : eps.forPort(sp.name());
            // kube-proxy: a policy Local scope without a usable endpoint drops when some exist elsewhere, rejects when none do
            boolean anyUsable = all.stream().anyMatch(e -> e.ready() || (e.serving() && e.terminating()));
            ServiceScope clusterIpScope = svc.internalTrafficLocal() ? ServiceScope.NODE_LOCAL : ServiceScope.CLUSTER;
            ServiceScope externalScope = svc.externalTrafficLocal() ? ServiceScope.NODE_LOCAL : ServiceScope.CLUSTER;
            List<Frontend> external = new ArrayList<>();
            if (svc.type().hasNodePorts() && sp.nodePort() != 0) {
                for (Ipv4 addr : node.addresses()) {
                    external.add(new Frontend(addr, sp.nodePort(), sp.protocol(), FrontendKind.NODE_PORT));
                }
            }
            for (Ipv4 ip : svc.externalIPs()) {
                external.add(new Frontend(ip, sp.port(), sp.protocol(), FrontendKind.EXTERNAL_IP));
            }
            if (svc.type() == dev.hotline.cluster.ServiceType.LoadBalancer) {
                for (Ipv4 ip : svc.loadBalancerIngress()) {
                    external.add(new Frontend(ip, sp.port(), sp.protocol(), FrontendKind.LOAD_BALANCER));
                }
            }
            // the source ranges and the health check belong to the scope the external frontends are in
            boolean restricted = policy.sourceRestricted() && external.stream().anyMatch(f -> f.kind() == FrontendKind.LOAD_BALANCER);
            List<dev.hotline.net.Cidr> ranges = restricted ? sourceRanges(svc, node) : List.of();
            int healthCheck = externalScope == ServiceScope.NODE_LOCAL && !external.isEmpty() ? policy.healthCheckNodePort() : 0;
            java.util.function.Function<ServiceScope, Draft> draft = scope -> drafts.computeIfAbsent(
                    new ServicePlan.ServiceKey(name, sp.protocol(), scope),
                    k -> new Draft(k, new ArrayList<>(), scoped(all, scope, node), scope != externalScope
                            ? new ServiceOptions(policy.affinityTimeout(), List.of(), false, scope == ServiceScope.NODE_LOCAL && anyUsable, 0)
                            : new ServiceOptions(policy.affinityTimeout(), ranges, restricted, scope == ServiceScope.NODE_LOCAL && anyUsable,
                                    healthCheck), scope == ServiceScope.CLUSTER));
            draft.apply(clusterIpScope).frontends().add(new Frontend(svc.clusterIP(), sp.port(), sp.protocol(), FrontendKind.CLUSTER_IP));
            if (!external.isEmpty()) {
                draft.apply(externalScope).frontends().addAll(external);
                if (externalScope == ServiceScope.NODE_LOCAL) {
                    Draft inCluster = draft.apply(ServiceScope.CLUSTER);
                    external.forEach(f -> inCluster.frontends().add(f.internalView()));
                }
            }
        }
        return new ArrayList<>(drafts.values());
    }

    /**
     * The clients a LoadBalancer with source ranges takes: the ranges, and (as kube-proxy does when
     * a range holds the node's address) the LoadBalancer addresses themselves, which a VIP-style
     * balancer's requests from the node come from.
     */
    private static List<dev.hotline.net.Cidr> sourceRanges(Service svc, NodeIdentity node) {
        java.util.TreeSet<dev.hotline.net.Cidr> out = new java.util.TreeSet<>(svc.policy().sourceRanges());
        boolean fromNode = node.primary() != null && svc.policy().sourceRanges().stream().anyMatch(c -> c.contains(node.primary()));
        if (fromNode) {
            svc.loadBalancerIngress().forEach(ip -> out.add(new dev.hotline.net.Cidr(ip, 32)));
        }
        return new ArrayList<>(out);
    }

    /**
     * A draft with its IDs: every backend with its state, and the Maglev table over the active ones.
     * A Service whose active backends are unchanged keeps its table (old): the table depends on
     * nothing else, and rebuilding thousands of them is most of what a one-endpoint change costs.
     */
    static ServicePlan build(Draft d, int id, java.util.function.ToIntFunction<BackendKey> backendIds, NodeIdentity node,
                             ServicePlan old) {
        List<ServiceBackend> sbs = new ArrayList<>(d.endpoints().size());
        String zone = d.topology() ? topologyZone(d.endpoints(), node) : null;
        boolean anyReady = d.endpoints().stream().anyMatch(e -> e.ready() && (zone == null || e.zoneHints().contains(zone)));
        List<Backend> active = new ArrayList<>();
        for (ResolvedEndpoint e : d.endpoints()) {
            BackendKey key = new BackendKey(e.address(), e.port(), d.key().protocol());
            Backend b = new Backend(backendIds.applyAsInt(key), key, e.nodeName(), e.podName(),
                    e.nodeName() != null && Objects.equals(e.nodeName(), node.name()));
            boolean isActive = anyReady ? e.ready() && (zone == null || e.zoneHints().contains(zone)) : (e.serving() && e.terminating());
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
        return new ServicePlan(id, d.key().name(), d.key().protocol(), d.key().scope(), frontends, sbs, table, d.options());
    }

    /**
     * The zone whose hinted endpoints this node uses, or null when topology does not apply: as
     * kube-proxy's canUseTopology, only when the node has a zone, every ready endpoint has a hint, and
     * some hint names this node's zone.
     */
    static String topologyZone(List<ResolvedEndpoint> endpoints, NodeIdentity node) {
        String zone = node.zone();
        if (zone == null || zone.isEmpty()) {
            return null;
        }
        boolean forZone = false;
        for (ResolvedEndpoint e : endpoints) {
            if (!e.ready()) {
                continue;
            }
            if (e.zoneHints().isEmpty()) {
                return null;
            }
            forZone |= e.zoneHints().contains(zone);
        }
        return forZone ? zone : null;
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
