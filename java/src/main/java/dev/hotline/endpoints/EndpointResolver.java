package dev.hotline.endpoints;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.Endpoint;
import dev.hotline.cluster.EndpointPort;
import dev.hotline.cluster.EndpointSlice;
import dev.hotline.cluster.ObjectRef;
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
        Map<ObjectRef, ServiceEndpoints> out = new LinkedHashMap<>();
        for (Service svc : state.services()) {
            List<EndpointSlice> slices = slicesByService.get(svc.ref().namespacedName());
            if (slices != null) {
                out.put(svc.ref(), fromSlices(svc, slices));
            } else if (!svc.selector().isEmpty()) {
                out.put(svc.ref(), EndpointsController.endpoints(svc, state.pods()));
            } else {
                out.put(svc.ref(), new ServiceEndpoints(svc, ServiceEndpoints.Origin.NONE, Map.of()));
            }
        }
        return out;
    }

    static ServiceEndpoints fromSlices(Service svc, List<EndpointSlice> slices) {
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
                                e.terminating(), e.nodeName(), e.podName());
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
