package dev.hotline.check;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.Node;
import dev.hotline.cluster.Service;
import dev.hotline.cluster.ServicePort;
import dev.hotline.endpoints.ResolvedEndpoint;
import dev.hotline.endpoints.ServiceEndpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The mistakes the richer parts of the Service spec invite: externalTrafficPolicy Local where no
 * node can answer, a healthCheckNodePort two things claim, source ranges that let nobody in, and
 * topology hints that leave a zone without its own endpoints. (An affinity timeout out of range
 * and an unparseable range are refused where the Service is read.) Each finding says what to fix.
 */
public final class SpecChecker {
    private SpecChecker() {
    }

    public static List<Finding> check(Service svc, ServiceEndpoints eps, ClusterState state) {
        List<Finding> out = new ArrayList<>();
        if (!svc.hasDataplaneEntry()) {
            return out;
        }
        List<ResolvedEndpoint> all = new ArrayList<>();
        if (eps != null) {
            eps.byPortName().values().forEach(all::addAll);
        }
        if (svc.externalTrafficLocal() && svc.hasExternalFrontends() && !all.isEmpty()
                && all.stream().noneMatch(e -> e.ready() && e.nodeName() != null)) {
            out.add(new Finding(svc.source(), svc.ref(), "spec.externalTrafficPolicy",
                    "Local, but no ready endpoint is on any node: every node drops traffic from outside the cluster",
                    "wait for a Pod to be Ready, give endpoints their nodeName, or use externalTrafficPolicy Cluster"));
        }
        int hc = svc.policy().healthCheckNodePort();
        if (hc != 0) {
            for (Service other : state.services()) {
                if (other != svc && other.policy().healthCheckNodePort() == hc) {
                    out.add(new Finding(svc.source(), svc.ref(), "spec.healthCheckNodePort",
                            hc + " is also the healthCheckNodePort of " + other.ref().namespacedName() + ": one node port answers for one Service",
                            "give each Service its own healthCheckNodePort (the API server allocates them uniquely)"));
                }
                for (ServicePort sp : other.ports()) {
                    if (sp.nodePort() == hc) {
                        out.add(new Finding(svc.source(), svc.ref(), "spec.healthCheckNodePort",
                                hc + " is a NodePort of " + other.ref().namespacedName() + ": the health check and the NodePort clash",
                                "choose a healthCheckNodePort no Service uses as a NodePort"));
                    }
                }
            }
        }
        if (svc.policy().sourceRestricted() && svc.policy().sourceRanges().isEmpty()) {
            out.add(new Finding(svc.source(), svc.ref(), "spec.loadBalancerSourceRanges",
                    "no valid IPv4 range: no client reaches the LoadBalancer addresses",
                    "write ranges as a.b.c.d/n, or remove the field to let every client in"));
        }
        hintGaps(svc, all, state, out);
        return out;
    }

    /** Every ready endpoint hinted, and a zone with Nodes that no hint names: those nodes ignore the hints. */
    private static void hintGaps(Service svc, List<ResolvedEndpoint> all, ClusterState state, List<Finding> out) {
        List<ResolvedEndpoint> ready = all.stream().filter(ResolvedEndpoint::ready).toList();
        if (ready.isEmpty() || ready.stream().anyMatch(e -> e.zoneHints().isEmpty())) {
            return;
        }
        TreeSet<String> hinted = new TreeSet<>();
        ready.forEach(e -> hinted.addAll(e.zoneHints()));
        TreeSet<String> zones = new TreeSet<>();
        for (Node n : state.nodes()) {
            if (n.zone() != null) {
                zones.add(n.zone());
            }
        }
        zones.removeAll(hinted);
        if (!zones.isEmpty()) {
            out.add(new Finding(svc.source(), svc.ref(), "endpoints hints.forZones",
                    "no endpoint is hinted for zone(s) " + String.join(", ", zones) + ": nodes there ignore the hints and "
                            + "send traffic to every zone",
                    "add endpoints in those zones, or hint some endpoints for them"));
        }
    }
}
