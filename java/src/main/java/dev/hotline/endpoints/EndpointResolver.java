package dev.hotline.endpoints;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.Endpoint;
import dev.hotline.cluster.EndpointPort;
import dev.hotline.cluster.EndpointSlice;
import dev.hotline.cluster.ObjectRef;
import dev.hotline.cluster.Pod;
import dev.hotline.cluster.Service;
import dev.hotline.cluster.ServicePort;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The endpoints of every Service: from its EndpointSlices (or v1 Endpoints) when the input has
 * any for it, as a cluster's kube-proxy would read them; otherwise from its selector, acting as
 * the endpoints controller. A Service with neither has no endpoints.
 */
public final class EndpointResolver {
    private EndpointResolver() {
    }

    public static Map<ObjectRef, ServiceEndpoints> resolve(ClusterState state) {
        Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
        for (EndpointSlice s : state.endpointSlices()) {
            if (!EndpointSlice.IPV4.equals(s.addressType())) {
                continue; // FQDN and IPv6 slices feed nothing here (the checker says so)
            }
            slicesByService.computeIfAbsent(s.namespace() + "/" + s.serviceName(), k -> new ArrayList<>()).add(s);
        }
        Map<String, List<Pod>> podsByNamespace = new HashMap<>();
        for (Pod p : state.pods()) {
            podsByNamespace.computeIfAbsent(p.namespace(), k -> new ArrayList<>()).add(p);
        }
        Map<ObjectRef, ServiceEndpoints> out = new LinkedHashMap<>();
        for (Service svc : state.services()) {
            out.put(svc.ref(), resolve(svc, slicesByService.get(svc.ref().namespacedName()),
                    podsByNamespace.getOrDefault(svc.namespace(), List.of())));
        }
        return out;
    }

    /**
     * One Service's endpoints from its IPv4 slices (null when it has none) or else the Pods of its
     * namespace: what {@link #resolve(ClusterState)} gives it, for planning one Service at a time.
     */
    public static ServiceEndpoints resolve(Service svc, java.util.Collection<EndpointSlice> ipv4Slices, List<Pod> podsInNamespace) {
        if (ipv4Slices != null && !ipv4Slices.isEmpty()) {
            return fromSlices(svc, ipv4Slices);
        }
        if (!svc.selector().isEmpty()) {
            return EndpointsController.endpoints(svc, podsInNamespace);
        }
        return new ServiceEndpoints(svc, ServiceEndpoints.Origin.NONE, Map.of());
    }

    static ServiceEndpoints fromSlices(Service svc, java.util.Collection<EndpointSlice> given) {
        // in name order, so that the copy kept of an address two slices list does not depend on
        // the order they arrived in
        List<EndpointSlice> slices = new ArrayList<>(given);
        slices.sort(java.util.Comparator.comparing((EndpointSlice s) -> s.ref().kind()).thenComparing(s -> s.ref().name()));
        Map<String, List<ResolvedEndpoint>> byPort = new LinkedHashMap<>();
        for (ServicePort sp : svc.ports()) {
            // the same address can be listed by two slices while they are rebalanced; keep the better copy
            Map<Long, ResolvedEndpoint> unique = new LinkedHashMap<>();
            for (EndpointSlice slice : slices) {
                for (EndpointPort ep : slice.ports()) {
                    if (!ep.name().equals(sp.name()) || ep.protocol() != sp.protocol()) {
                        continue;
                    }
                    for (Endpoint e : slice.endpoints()) {
                        ResolvedEndpoint r = new ResolvedEndpoint(e.address(), ep.port(), e.ready(), e.serving(),
                                e.terminating(), e.nodeName(), e.podName(), e.zoneHints());
                        long key = ((e.address().value() & 0xffffffffL) << 16) | ep.port();
                        unique.merge(key, r, (a, b) -> !a.ready() && b.ready() ? b : a);
                    }
                }
            }
            byPort.put(sp.name(), new ArrayList<>(unique.values()));
        }
        return new ServiceEndpoints(svc, ServiceEndpoints.Origin.ENDPOINT_SLICES, byPort);
    }
}
