package dev.hotline.endpoints;

import dev.hotline.cluster.ContainerPort;
import dev.hotline.cluster.Pod;
import dev.hotline.cluster.Service;
import dev.hotline.cluster.ServicePort;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * What Kubernetes' endpoints controller does, for manifests that carry Pods but no EndpointSlices:
 * a Service's selector matched against the labels of Pods in its namespace; only Running Pods
 * with an IP; ready from the Pod's Ready condition; a named targetPort resolved per Pod through
 * its container ports (a Pod without that name is no endpoint for that port).
 */
public final class EndpointsController {
    private EndpointsController() {
    }

    /** True when the Service selects the Pod: same namespace, every selector label present with the same value. */
    public static boolean selects(Service service, Pod pod) {
        if (service.selector().isEmpty() || !service.namespace().equals(pod.namespace())) {
            return false;
        }
        for (Map.Entry<String, String> e : service.selector().entrySet()) {
            if (!e.getValue().equals(pod.labels().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** True when a selected Pod can be an endpoint at all: Running, with an IPv4 address. */
    public static boolean eligible(Pod pod) {
        return pod.isRunning() && pod.ip() != null;
    }

    /** The Pod port a Service port sends to, or empty when a named targetPort has no matching container port. */
    public static OptionalInt targetPort(ServicePort sp, Pod pod) {
        if (!sp.targetPort().isNamed()) {
            return OptionalInt.of(sp.targetPort().number());
        }
        for (ContainerPort cp : pod.containerPorts()) {
            if (sp.targetPort().name().equals(cp.name()) && cp.protocol() == sp.protocol()) {
                return OptionalInt.of(cp.port());
            }
        }
        return OptionalInt.empty();
    }

    public static ServiceEndpoints endpoints(Service service, List<Pod> pods) {
        Map<String, List<ResolvedEndpoint>> byPort = new LinkedHashMap<>();
        for (ServicePort sp : service.ports()) {
            List<ResolvedEndpoint> list = new ArrayList<>();
            for (Pod pod : pods) {
                if (!selects(service, pod) || !eligible(pod)) {
                    continue;
                }
                OptionalInt port = targetPort(sp, pod);
                if (port.isEmpty()) {
                    continue;
                }
                // as the EndpointSlice controller writes them: publishNotReadyAddresses makes every such pod ready,
                // terminating or not; serving stays the pod's own readiness
                boolean serving = pod.ready();
                boolean ready = service.publishNotReadyAddresses() || (pod.ready() && !pod.terminating());
                list.add(new ResolvedEndpoint(pod.ip(), port.getAsInt(), ready, serving, pod.terminating(),
                        pod.nodeName(), pod.name()));
            }
            byPort.put(sp.name(), list);
        }
        return new ServiceEndpoints(service, ServiceEndpoints.Origin.SELECTOR, byPort);
    }
}
