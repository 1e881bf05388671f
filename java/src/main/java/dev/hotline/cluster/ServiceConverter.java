package dev.hotline.cluster;

import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** fabric8 Service to {@link Service}, checking each field the dataplane relies on. */
final class ServiceConverter {
    private ServiceConverter() {
    }

    static Service convert(io.fabric8.kubernetes.api.model.Service s, ObjectProblems p) {
        ServiceSpec spec = s.getSpec();
        if (spec == null) {
            p.error("spec", "missing");
            return null;
        }
        ServiceType type = ServiceType.fromKubernetes(spec.getType());
        if (type == null) {
            p.error("spec.type", "'" + spec.getType() + "' is not one of ClusterIP, NodePort, LoadBalancer, ExternalName");
            return null;
        }
        String externalName = Fields.nonEmpty(spec.getExternalName());
        if (type == ServiceType.ExternalName && externalName == null) {
            p.error("spec.externalName", "missing (an ExternalName Service needs the DNS name it aliases)");
        }

        boolean headless = "None".equals(spec.getClusterIP());
        Ipv4 clusterIP = null;
        if (type != ServiceType.ExternalName && !headless) {
            clusterIP = clusterIP(spec, p);
        }
        if (headless && type != ServiceType.ClusterIP && type != ServiceType.ExternalName) {
            p.error("spec.clusterIP", "None (headless) is only valid for type ClusterIP, not " + type);
        }

        List<ServicePort> ports = ports(spec, type, headless, p);
        Map<String, String> selector = spec.getSelector() == null ? Map.of() : new LinkedHashMap<>(spec.getSelector());

        List<Ipv4> externalIPs = new ArrayList<>();
        if (spec.getExternalIPs() != null) {
            for (int i = 0; i < spec.getExternalIPs().size(); i++) {
                Ipv4 ip = Fields.ipv4(p, "spec.externalIPs[" + i + "]", spec.getExternalIPs().get(i), true);
                if (ip != null) {
                    externalIPs.add(ip);
                }
            }
        }
        List<Ipv4> lbIngress = new ArrayList<>();
        if (s.getStatus() != null && s.getStatus().getLoadBalancer() != null && s.getStatus().getLoadBalancer().getIngress() != null) {
            List<LoadBalancerIngress> ingress = s.getStatus().getLoadBalancer().getIngress();
            for (int i = 0; i < ingress.size(); i++) {
                // ipMode Proxy: the balancer proxies to the node itself, so kube-proxy leaves the address alone
                if ("Proxy".equals(ingress.get(i).getIpMode())) {
                    continue;
                }
                Ipv4 ip = Fields.ipv4(p, "status.loadBalancer.ingress[" + i + "].ip", ingress.get(i).getIp(), false);
                if (ip != null) {
                    lbIngress.add(ip);
                }
            }
        }
        boolean eTPLocal = trafficPolicy(p, "spec.externalTrafficPolicy", spec.getExternalTrafficPolicy());
        boolean iTPLocal = trafficPolicy(p, "spec.internalTrafficPolicy", spec.getInternalTrafficPolicy());
        ServicePolicy policy = policy(s, spec, type, eTPLocal, p);
        if (p.failed()) {
            return null;
        }
        return new Service(p.ref(), p.source(), type, clusterIP, headless, selector, ports, externalIPs, lbIngress,
                externalName, eTPLocal, iTPLocal, Boolean.TRUE.equals(spec.getPublishNotReadyAddresses()), policy);
    }

    /** The annotation older clusters ask for topology-aware routing with (trafficDistribution's forerunner). */
    static final String TOPOLOGY_MODE = "service.kubernetes.io/topology-mode";

    private static ServicePolicy policy(io.fabric8.kubernetes.api.model.Service s, ServiceSpec spec, ServiceType type, boolean eTPLocal,
                                        ObjectProblems p) {
        int timeout = 0;
        String affinity = spec.getSessionAffinity();
        if ("ClientIP".equals(affinity)) {
            timeout = ServicePolicy.DEFAULT_AFFINITY_TIMEOUT;
            var cfg = spec.getSessionAffinityConfig();
            Integer t = cfg == null || cfg.getClientIP() == null ? null : cfg.getClientIP().getTimeoutSeconds();
            if (t != null) {
                if (t < 1 || t > ServicePolicy.MAX_AFFINITY_TIMEOUT) {
                    p.error("spec.sessionAffinityConfig.clientIP.timeoutSeconds", t + " is not within 1-"
                            + ServicePolicy.MAX_AFFINITY_TIMEOUT + " (seconds; the API's bound)");
                } else {
                    timeout = t;
                }
            }
        } else if (affinity != null && !affinity.isEmpty() && !"None".equals(affinity)) {
            p.error("spec.sessionAffinity", "'" + affinity + "' is not one of None, ClientIP");
        }
        List<dev.hotline.net.Cidr> ranges = new ArrayList<>();
        boolean restricted = false;
        List<String> given = spec.getLoadBalancerSourceRanges() == null ? List.of() : spec.getLoadBalancerSourceRanges();
        for (int i = 0; i < given.size(); i++) {
            String r = given.get(i);
            if (Ipv4.looksLikeIpv6(r)) {
                continue; // another family's: kube-proxy filters ranges by family, and so does hotline
            }
            restricted = true;
            try {
                ranges.add(dev.hotline.net.Cidr.parse(r));
            } catch (IllegalArgumentException e) {
                // the Service stays, its LoadBalancer addresses closed to what the bad range meant to let in
                p.warning("spec.loadBalancerSourceRanges[" + i + "]", e.getMessage() + "; ignored, the other ranges still restrict "
                        + "who reaches the LoadBalancer addresses");
            }
        }
        if (restricted && type != ServiceType.LoadBalancer) {
            p.warning("spec.loadBalancerSourceRanges", "set on a " + type + " Service: only LoadBalancer addresses are restricted");
        }
        int hc = spec.getHealthCheckNodePort() == null ? 0 : spec.getHealthCheckNodePort();
        if (hc != 0) {
            if (!eTPLocal || type != ServiceType.LoadBalancer) {
                p.warning("spec.healthCheckNodePort", hc + " is ignored: only a LoadBalancer Service with externalTrafficPolicy Local "
                        + "has one");
                hc = 0;
            } else if (hc < 1 || hc > 65535) {
                p.error("spec.healthCheckNodePort", hc + " is not a port (1-65535)");
                hc = 0;
            }
        }
        boolean allocate = !Boolean.FALSE.equals(spec.getAllocateLoadBalancerNodePorts());
        String annotation = s.getMetadata().getAnnotations() == null ? null : s.getMetadata().getAnnotations().get(TOPOLOGY_MODE);
        boolean preferClose = "PreferClose".equals(spec.getTrafficDistribution()) || "Auto".equalsIgnoreCase(annotation);
        return new ServicePolicy(timeout, ranges, restricted, hc, allocate, preferClose);
    }

    private static boolean trafficPolicy(ObjectProblems p, String field, String value) {
        if (value == null || value.isEmpty() || value.equals("Cluster")) {
            return false;
        }
        if (value.equals("Local")) {
            return true;
        }
        p.error(field, "'" + value + "' is not one of Cluster, Local");
        return false;
    }

    /** spec.clusterIPs is authoritative when present (dual-stack); the first IPv4 one is ours. */
    private static Ipv4 clusterIP(ServiceSpec spec, ObjectProblems p) {
        List<String> candidates = new ArrayList<>();
        if (spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty()) {
            candidates.addAll(spec.getClusterIPs());
        } else if (spec.getClusterIP() != null && !spec.getClusterIP().isEmpty()) {
            candidates.add(spec.getClusterIP());
        }
        if (candidates.isEmpty()) {
            p.error("spec.clusterIP", "missing (hotline does not allocate ClusterIPs: give the one the API server "
                    + "assigned, as kubectl get -o yaml shows it)");
            return null;
        }
        Ipv4 chosen = null;
        for (int i = 0; i < candidates.size(); i++) {
            String c = candidates.get(i);
            if (Ipv4.looksLikeIpv6(c)) {
                if (candidates.stream().anyMatch(x -> !Ipv4.looksLikeIpv6(x))) {
                    // the same warning an IPv6 Node address gets: what is not served is said
                    p.warning(spec.getClusterIPs() != null && !spec.getClusterIPs().isEmpty() ? "spec.clusterIPs[" + i + "]"
                            : "spec.clusterIP", c + " is IPv6; hotline's dataplane is IPv4 only, ignored");
                }
                continue;
            }
            if (chosen != null) {
                continue;
            }
            try {
                chosen = Ipv4.parse(c);
            } catch (IllegalArgumentException e) {
                p.error("spec.clusterIP", "'" + c + "' is not an IPv4 address");
                return null;
            }
        }
        if (chosen != null) {
            return chosen;
        }
        p.error("spec.clusterIP", String.join(",", candidates) + " has no IPv4 address; hotline's dataplane is IPv4 only");
        return null;
    }

    private static List<ServicePort> ports(ServiceSpec spec, ServiceType type, boolean headless, ObjectProblems p) {
        List<io.fabric8.kubernetes.api.model.ServicePort> in = spec.getPorts() == null ? List.of() : spec.getPorts();
        if (in.isEmpty() && type != ServiceType.ExternalName && !headless) {
            p.error("spec.ports", "missing (a Service with a ClusterIP needs at least one port)");
            return List.of();
        }
        List<ServicePort> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> portProtos = new HashSet<>();
        for (int i = 0; i < in.size(); i++) {
            io.fabric8.kubernetes.api.model.ServicePort sp = in.get(i);
            String f = "spec.ports[" + i + "]";
            String name = sp.getName() == null ? "" : sp.getName();
            if (in.size() > 1 && name.isEmpty()) {
                p.error(f + ".name", "missing (every port of a multi-port Service needs a name)");
            } else if (!name.isEmpty() && !Fields.validServicePortName(name)) {
                p.error(f + ".name", "'" + name + "' is not a valid Service port name (a DNS label: lowercase letters, "
                        + "digits and '-', at most 63, starting and ending with a letter or digit)");
            } else if (!names.add(name)) {
                p.error(f + ".name", "'" + name + "' is used by another port of this Service");
            }
            Integer port = Fields.port(p, f + ".port", sp.getPort(), true);
            Protocol proto = Fields.protocol(p, f + ".protocol", sp.getProtocol());
            if (port != null && proto != null && !portProtos.add(port + "/" + proto)) {
                p.error(f + ".port", port + "/" + proto + " appears twice in this Service");
            }
            TargetPort target = targetPort(p, f + ".targetPort", sp.getTargetPort(), port);
            int nodePort = 0;
            if (sp.getNodePort() != null && sp.getNodePort() != 0) {
                if (!type.hasNodePorts()) {
                    p.warning(f + ".nodePort", sp.getNodePort() + " is ignored: a " + type + " Service has no NodePorts");
                } else {
                    Integer np = Fields.port(p, f + ".nodePort", sp.getNodePort(), false);
                    nodePort = np == null ? 0 : np;
                }
            }
            if (port != null && proto != null && target != null) {
                out.add(new ServicePort(name, proto, port, target, nodePort));
            }
        }
        return out;
    }

    private static TargetPort targetPort(ObjectProblems p, String field, IntOrString t, Integer port) {
        if (t == null || (t.getIntVal() == null && t.getStrVal() == null)) {
            return port == null ? null : TargetPort.numeric(port); // the API default: same as port
        }
        if (t.getIntVal() != null) {
            Integer n = Fields.port(p, field, t.getIntVal(), true);
            return n == null ? null : TargetPort.numeric(n);
        }
        String s = t.getStrVal();
        if (s.chars().allMatch(Character::isDigit) && !s.isEmpty()) {
            p.error(field, "'" + s + "' is a quoted number; write it unquoted, or name a container port");
            return null;
        }
        if (!Fields.validPortName(s)) {
            p.error(field, "'" + s + "' is not a valid container port name (lowercase letters, digits and '-', at most 15, "
                    + "at least one letter)");
            return null;
        }
        return TargetPort.named(s);
    }
}
