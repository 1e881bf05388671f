package dev.hotline.cluster;

import dev.hotline.net.Ipv4;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks that need all Services at once, as the API server's allocators would make them: a
 * ClusterIP belongs to one Service, a NodePort to one Service and lies in the configured range; an
 * externalIP or LoadBalancer IP on a port and protocol belongs to one Service (the maps hold one
 * entry per frontend: two owners would leave which one serves it to chance).
 * The first Service (in input order) keeps a contested address; later ones are reported and skipped.
 */
public final class ServiceAddressCheck {
    private final NodePortRange range;

    public ServiceAddressCheck(NodePortRange range) {
        this.range = range;
    }

    public List<Service> apply(java.util.Collection<Service> services, List<Problem> problems) {
        Map<Ipv4, Service> clusterIPs = new HashMap<>();
        Map<Integer, Service> nodePorts = new HashMap<>();
        Map<String, Service> externals = new HashMap<>();
        List<Service> kept = new ArrayList<>();
        for (Service s : services) {
            ObjectProblems p = new ObjectProblems(s.source(), s.ref());
            if (s.clusterIP() != null) {
                Service owner = clusterIPs.get(s.clusterIP());
                if (owner != null) {
                    p.error("spec.clusterIP", s.clusterIP() + " is already the ClusterIP of " + owner.ref().namespacedName());
                }
            }
            for (int i = 0; i < s.ports().size(); i++) {
                int np = s.ports().get(i).nodePort();
                if (np == 0) {
                    continue;
                }
                String f = "spec.ports[" + i + "].nodePort";
                if (!range.contains(np)) {
                    p.error(f, np + " is outside the NodePort range " + range + "; choose a port in it, or widen it with --node-port-range");
                    continue;
                }
                Service owner = nodePorts.get(np);
                if (owner != null && owner != s) {
                    p.error(f, np + " is already the NodePort of " + owner.ref().namespacedName() + "; choose another, or leave nodePort out to have one allocated");
                }
            }
            for (String a : s.externalAddresses()) {
                Service owner = externals.get(a);
                if (owner != null && owner != s) {
                    p.error("spec.externalIPs", a + " is already an external address of " + owner.ref().namespacedName()
                            + " (an externalIP or LoadBalancer IP on that port); give each Service its own");
                    break;
                }
            }
            problems.addAll(p.problems());
            if (p.failed()) {
                continue;
            }
            s.externalAddresses().forEach(a -> externals.put(a, s));
            if (s.clusterIP() != null) {
                clusterIPs.put(s.clusterIP(), s);
            }
            for (ServicePort sp : s.ports()) {
                if (sp.nodePort() != 0) {
                    nodePorts.put(sp.nodePort(), s);
                }
            }
            kept.add(s);
        }
        List<Service> allocated = new ArrayList<>(kept.size());
        for (Service s : kept) {
            Service a = allocateMissingNodePorts(s, nodePorts, problems);
            if (a != null) {
                allocated.add(a);
            }
        }
        return allocated;
    }

    /**
     * A NodePort Service written by hand may leave nodePort out; the API server would pick one, so do
     * we: from a hash of the port's name, so the choice does not move when other Services change.
     */
    private Service allocateMissingNodePorts(Service s, Map<Integer, Service> nodePorts, List<Problem> problems) {
        if (!s.wantsNodePorts() || s.ports().stream().allMatch(sp -> sp.nodePort() != 0)) {
            return s;
        }
        List<ServicePort> ports = new ArrayList<>();
        int size = range.max() - range.min() + 1;
        for (int i = 0; i < s.ports().size(); i++) {
            ServicePort sp = s.ports().get(i);
            if (sp.nodePort() != 0) {
                ports.add(sp);
                continue;
            }
            String key = s.ref().namespacedName() + ":" + sp.name() + "/" + sp.protocol();
            int start = Math.floorMod(key.hashCode() * 0x9E3779B1, size);
            int chosen = 0;
            for (int k = 0; k < size && chosen == 0; k++) {
                int candidate = range.min() + (start + k) % size;
                if (!nodePorts.containsKey(candidate)) {
                    chosen = candidate;
                }
            }
            if (chosen == 0) {
                problems.add(Problem.error(s.source(), s.ref(), "spec.ports[" + i + "].nodePort",
                        "missing, and the NodePort range " + range + " has no free port left"));
                return null;
            }
            nodePorts.put(chosen, s);
            problems.add(Problem.warning(s.source(), s.ref(), "spec.ports[" + i + "].nodePort",
                    "missing; allocated " + chosen + " (the API server would have chosen one)"));
            ports.add(new ServicePort(sp.name(), sp.protocol(), sp.port(), sp.targetPort(), chosen));
        }
        return new Service(s.ref(), s.source(), s.type(), s.clusterIP(), s.headless(), s.selector(), ports,
                s.externalIPs(), s.loadBalancerIngress(), s.externalName(), s.externalTrafficLocal(),
                s.internalTrafficLocal(), s.publishNotReadyAddresses(), s.policy());
    }
}
