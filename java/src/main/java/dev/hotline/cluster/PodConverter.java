package dev.hotline.cluster;

import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** fabric8 Pod to {@link Pod}: labels, phase, IPv4 address, node, Ready condition, container ports. */
final class PodConverter {
    private PodConverter() {
    }

    static Pod convert(io.fabric8.kubernetes.api.model.Pod pod, ObjectProblems p) {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        PodStatus status = pod.getStatus();
        String phase = status == null ? null : status.getPhase();
        Ipv4 ip = null;
        boolean ready = false;
        if (status != null) {
            List<String> candidates = new ArrayList<>();
            if (status.getPodIPs() != null) {
                for (PodIP pip : status.getPodIPs()) {
                    candidates.add(pip.getIp());
                }
            }
            if (candidates.isEmpty() && status.getPodIP() != null) {
                candidates.add(status.getPodIP());
            }
            for (String c : candidates) {
                if (c != null && !Ipv4.looksLikeIpv6(c)) {
                    ip = Fields.ipv4(p, "status.podIP", c, true);
                    break;
                }
            }
            if (status.getConditions() != null) {
                for (PodCondition c : status.getConditions()) {
                    if ("Ready".equals(c.getType())) {
                        ready = "True".equals(c.getStatus());
                    }
                }
            }
        }
        String nodeName = pod.getSpec() == null ? null : Fields.nonEmpty(pod.getSpec().getNodeName());
        List<ContainerPort> ports = new ArrayList<>();
        if (pod.getSpec() != null) {
            // Kubernetes' own lookup order for a named port: the containers, then the sidecars
            // (init containers with restartPolicy Always); plain init containers never serve
            ports(pod.getSpec().getContainers(), "spec.containers", false, p, ports);
            ports(pod.getSpec().getInitContainers(), "spec.initContainers", true, p, ports);
        }
        if (p.failed()) {
            return null;
        }
        boolean terminating = pod.getMetadata().getDeletionTimestamp() != null;
        return new Pod(p.ref(), p.source(), labels, phase, ip, nodeName, ready, terminating, ports);
    }

    private static void ports(List<Container> containers, String field, boolean sidecarsOnly, ObjectProblems p,
                              List<ContainerPort> out) {
        if (containers == null) {
            return;
        }
        for (int ci = 0; ci < containers.size(); ci++) {
            Container c = containers.get(ci);
            if (c.getPorts() == null || (sidecarsOnly && !"Always".equals(c.getRestartPolicy()))) {
                continue;
            }
            for (int pi = 0; pi < c.getPorts().size(); pi++) {
                io.fabric8.kubernetes.api.model.ContainerPort cp = c.getPorts().get(pi);
                String f = field + "[" + ci + "].ports[" + pi + "]";
                Integer port = Fields.port(p, f + ".containerPort", cp.getContainerPort(), true);
                Protocol proto = Fields.protocol(p, f + ".protocol", cp.getProtocol());
                if (port != null && proto != null) {
                    out.add(new ContainerPort(c.getName(), Fields.nonEmpty(cp.getName()), port, proto));
                }
            }
        }
    }
}
