package dev.hotline.cluster;

import dev.hotline.net.Ipv4;
import java.util.List;
import java.util.Map;

/**
 * A Service as the dataplane needs it. clusterIP is null for headless and ExternalName Services;
 * selector is empty when the Service has none (its endpoints then come only from EndpointSlices
 * or Endpoints objects).
 */
public record Service(
        ObjectRef ref,
        String source,
        ServiceType type,
        Ipv4 clusterIP,
        boolean headless,
        Map<String, String> selector,
        List<ServicePort> ports,
        List<Ipv4> externalIPs,
        List<Ipv4> loadBalancerIngress,
        String externalName,
        boolean externalTrafficLocal,
        boolean internalTrafficLocal,
        boolean publishNotReadyAddresses,
        ServicePolicy policy) {

    public Service(ObjectRef ref, String source, ServiceType type, Ipv4 clusterIP, boolean headless, Map<String, String> selector,
                   List<ServicePort> ports, List<Ipv4> externalIPs, List<Ipv4> loadBalancerIngress, String externalName,
                   boolean externalTrafficLocal, boolean internalTrafficLocal, boolean publishNotReadyAddresses) {
        this(ref, source, type, clusterIP, headless, selector, ports, externalIPs, loadBalancerIngress, externalName,
                externalTrafficLocal, internalTrafficLocal, publishNotReadyAddresses, ServicePolicy.DEFAULT);
    }

    public Service {
        policy = policy == null ? ServicePolicy.DEFAULT : policy;
        selector = Map.copyOf(selector);
        ports = List.copyOf(ports);
        externalIPs = List.copyOf(externalIPs);
        loadBalancerIngress = List.copyOf(loadBalancerIngress);
    }

    public String namespace() {
        return ref.namespace();
    }

    public String name() {
        return ref.name();
    }

    /** True when each port gets a NodePort (allocated when missing): NodePort, and LoadBalancer unless it asks not to. */
    public boolean wantsNodePorts() {
        return type.hasNodePorts() && (type != ServiceType.LoadBalancer || policy.allocateNodePorts());
    }

    /**
     * The external frontends it claims, as "address:port/protocol": each externalIP, and each
     * LoadBalancer ingress IP, on every port. Two Services cannot both have one.
     */
    public List<String> externalAddresses() {
        List<String> out = new java.util.ArrayList<>();
        for (ServicePort sp : ports) {
            externalIPs.forEach(ip -> out.add(ip + ":" + sp.port() + "/" + sp.protocol()));
            if (type == ServiceType.LoadBalancer) {
                loadBalancerIngress.forEach(ip -> out.add(ip + ":" + sp.port() + "/" + sp.protocol()));
            }
        }
        return out;
    }

    /** True when the Service has addresses reached from outside the cluster (NodePorts, externalIPs, LoadBalancer ingress). */
    public boolean hasExternalFrontends() {
        return type.hasNodePorts() || !externalIPs.isEmpty() || (type == ServiceType.LoadBalancer && !loadBalancerIngress.isEmpty());
    }

    /** True when the dataplane has something to do for this Service (it has a virtual IP). */
    public boolean hasDataplaneEntry() {
        return type != ServiceType.ExternalName && !headless && clusterIP != null;
    }
}
