package dev.hotline.check;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.Pod;
import dev.hotline.cluster.Service;
import dev.hotline.cluster.ServicePort;
import dev.hotline.cluster.ServiceType;
import dev.hotline.cluster.Workload;
import dev.hotline.endpoints.EndpointsController;
import dev.hotline.endpoints.ResolvedEndpoint;
import dev.hotline.endpoints.ServiceEndpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The seed's "Tests & Verification Checklist" as code: does each Service have endpoints, do its
 * selector and the Pod labels agree (and which labels almost do), does its targetPort exist on
 * the Pods, do named ports resolve. Each finding says what to fix.
 */
public final class ServiceChecker {
    private ServiceChecker() {
    }

    /** The findings for one Service; empty when it is healthy. */
    public static List<Finding> check(Service svc, ServiceEndpoints eps, ClusterState state) {
        List<Finding> out = new ArrayList<>();
        if (svc.type() == ServiceType.ExternalName) {
            return out;
        }
        for (int i = 0; i < svc.ports().size(); i++) {
            ServicePort sp = svc.ports().get(i);
            if (sp.protocol() == dev.hotline.net.Protocol.SCTP) {
                out.add(new Finding(svc.source(), svc.ref(), "spec.ports[" + i + "].protocol",
                        "port " + sp.port() + "/SCTP is not served: hotline's dataplanes translate TCP and UDP only",
                        "use TCP or UDP for this port, or serve SCTP through kube-proxy on these nodes"));
            }
        }
        switch (eps.origin()) {
            case NONE -> {
                if (!unservedSlices(svc, state, out)) {
                    out.add(new Finding(svc.source(), svc.ref(), "spec.selector",
                            "no selector, and no EndpointSlice or Endpoints object names this Service: nothing receives its traffic",
                            "add a selector matching the backend Pods' labels, or EndpointSlices labelled "
                                    + "kubernetes.io/service-name=" + svc.name()));
                }
            }
            case SELECTOR -> checkSelector(svc, state, out);
            case ENDPOINT_SLICES -> checkSlices(svc, eps, state, out);
        }
        return out;
    }

    private static void checkSelector(Service svc, ClusterState state, List<Finding> out) {
        List<Pod> selected = state.pods().stream().filter(p -> EndpointsController.selects(svc, p)).toList();
        if (selected.isEmpty()) {
            out.add(noPodMatches(svc, state));
            return;
        }
        List<Pod> eligible = selected.stream().filter(EndpointsController::eligible).toList();
        if (eligible.isEmpty()) {
            String why = selected.stream().map(p -> p.name() + " is " + (p.isRunning() ? "Running without an IP" : (p.phase() == null ? "in no phase" : p.phase())))
                    .collect(Collectors.joining(", "));
            out.add(new Finding(svc.source(), svc.ref(), "spec.selector",
                    "selector " + labels(svc.selector()) + " matches " + selected.size() + " Pod(s) but none is Running with an IP (" + why + ")",
                    "wait for the Pods to start, or fix what keeps them from running (kubectl describe pod)"));
            return;
        }
        for (int i = 0; i < svc.ports().size(); i++) {
            checkTargetPort(svc, i, eligible, out);
        }
        if (eligible.stream().noneMatch(Pod::ready) && !svc.publishNotReadyAddresses()) {
            out.add(new Finding(svc.source(), svc.ref(), null,
                    "none of its " + eligible.size() + " Pod(s) is Ready (" + eligible.stream().map(Pod::name).collect(Collectors.joining(", ")) + ")",
                    "check the Pods' readiness probes; until one is Ready the Service rejects connections"));
        }
    }

    private static void checkTargetPort(Service svc, int index, List<Pod> pods, List<Finding> out) {
        ServicePort sp = svc.ports().get(index);
        String field = "spec.ports[" + index + "].targetPort";
        List<String> misses = new ArrayList<>();
        int declaring = 0;
        for (Pod p : pods) {
            if (sp.targetPort().isNamed()) {
                if (EndpointsController.targetPort(sp, p).isEmpty()) {
                    misses.add(p.name() + " has " + portList(p));
                }
            } else if (!p.containerPorts().isEmpty()) {
                declaring++;
                boolean exposed = p.containerPorts().stream()
                        .anyMatch(cp -> cp.port() == sp.targetPort().number() && cp.protocol() == sp.protocol());
                if (!exposed) {
                    misses.add(p.name() + " has " + portList(p));
                }
            }
        }
        if (misses.isEmpty()) {
            return;
        }
        if (sp.targetPort().isNamed()) {
            out.add(new Finding(svc.source(), svc.ref(), field,
                    "named port '" + sp.targetPort().name() + "' (" + sp.protocol() + ") does not resolve on " + misses.size()
                            + " of " + pods.size() + " Pod(s): " + String.join("; ", misses),
                    "name a containerPort '" + sp.targetPort().name() + "' in the Pod template, or set targetPort to a port the container has"));
        } else {
            out.add(new Finding(svc.source(), svc.ref(), field,
                    sp.targetPort().number() + "/" + sp.protocol() + " is not a containerPort of " + misses.size() + " of "
                            + declaring + " Pod(s) that declare ports: " + String.join("; ", misses),
                    "set targetPort to the port the application listens on"));
        }
    }

    /** EndpointSlices that name the Service but are of an addressType hotline does not serve: a finding, and true. */
    private static boolean unservedSlices(Service svc, ClusterState state, List<Finding> out) {
        List<String> types = state.endpointSlices().stream()
                .filter(s -> s.namespace().equals(svc.namespace()) && s.serviceName().equals(svc.name()))
                .map(dev.hotline.cluster.EndpointSlice::addressType).distinct().sorted().toList();
        if (!types.isEmpty() && !types.contains(dev.hotline.cluster.EndpointSlice.IPV4)) {
            out.add(new Finding(svc.source(), svc.ref(), "spec",
                    "its EndpointSlices are of addressType " + String.join(", ", types) + ", which hotline does not serve "
                            + "(IPv4 addresses only; kube-proxy serves no FQDN slices either): nothing receives its traffic",
                    types.contains("FQDN") ? "list the backends' IPv4 addresses in an EndpointSlice with addressType: IPv4, "
                            + "or make it an ExternalName Service for a DNS name"
                            : "list the backends' IPv4 addresses in an EndpointSlice with addressType: IPv4"));
            return true;
        }
        return false;
    }

    private static void checkSlices(Service svc, ServiceEndpoints eps, ClusterState state, List<Finding> out) {
        for (int i = 0; i < svc.ports().size(); i++) {
            ServicePort sp = svc.ports().get(i);
            List<ResolvedEndpoint> list = eps.forPort(sp.name());
            String portLabel = sp.name().isEmpty() ? sp.port() + "/" + sp.protocol() : "'" + sp.name() + "'";
            if (list.isEmpty()) {
                out.add(new Finding(svc.source(), svc.ref(), "spec.ports[" + i + "]",
                        "its EndpointSlices list no endpoint for port " + portLabel,
                        "give the EndpointSlice a port named '" + sp.name() + "' (" + sp.protocol() + ") and endpoints"));
            } else if (list.stream().noneMatch(e -> e.ready() || (e.serving() && e.terminating()))) {
                out.add(new Finding(svc.source(), svc.ref(), "spec.ports[" + i + "]",
                        "none of its " + list.size() + " endpoint(s) for port " + portLabel + " is ready",
                        "check the backend Pods' readiness; until one is ready the Service rejects connections"));
            }
        }
    }

    /** The selector matches nothing: say so, and show the Pods and templates that almost match. */
    private static Finding noPodMatches(Service svc, ClusterState state) {
        List<String> hints = new ArrayList<>();
        for (Pod p : state.pods()) {
            if (!p.namespace().equals(svc.namespace())) {
                if (matches(svc.selector(), p.labels())) {
                    hints.add("Pod " + p.ref().namespacedName() + " matches but is in namespace " + p.namespace()
                            + " (a Service selects Pods of its own namespace)");
                }
                continue;
            }
            String miss = singleMismatch(svc.selector(), p.labels());
            if (miss != null) {
                hints.add("Pod " + p.name() + " " + miss);
            }
        }
        for (Workload w : state.workloads()) {
            if (w.ref().namespace().equals(svc.namespace()) && matches(svc.selector(), w.templateLabels())) {
                hints.add(w.ref() + "'s pod template matches, but none of its Pods is in the input (add them: kubectl get pods -o yaml)");
            }
        }
        String problem = "selector " + labels(svc.selector()) + " matches no Pod in namespace " + svc.namespace()
                + (hints.isEmpty() ? "" : "; " + String.join("; ", hints));
        return new Finding(svc.source(), svc.ref(), "spec.selector", problem,
                "make the selector and the Pod labels agree (kubectl get pods --show-labels)");
    }

    private static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    /** Describes the one selector term a Pod fails, or null when it fails none or more than one. */
    static String singleMismatch(Map<String, String> selector, Map<String, String> labels) {
        String miss = null;
        for (Map.Entry<String, String> e : selector.entrySet()) {
            String have = labels.get(e.getKey());
            if (e.getValue().equals(have)) {
                continue;
            }
            if (miss != null) {
                return null;
            }
            if (have != null) {
                miss = "has " + e.getKey() + "=" + have + ", the selector wants " + e.getKey() + "=" + e.getValue();
            } else {
                String similarKey = labels.entrySet().stream().filter(l -> l.getValue().equals(e.getValue()))
                        .map(Map.Entry::getKey).findFirst().orElse(null);
                miss = similarKey != null
                        ? "has " + similarKey + "=" + e.getValue() + ", the selector wants " + e.getKey() + "=" + e.getValue()
                        : "lacks label " + e.getKey() + "=" + e.getValue();
            }
        }
        return miss;
    }

    private static String labels(Map<String, String> m) {
        return m.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    private static String portList(Pod p) {
        if (p.containerPorts().isEmpty()) {
            return "no declared ports";
        }
        return p.containerPorts().stream()
                .map(cp -> (cp.name() == null ? "" : cp.name() + "=") + cp.port() + "/" + cp.protocol())
                .collect(Collectors.joining(","));
    }
}
