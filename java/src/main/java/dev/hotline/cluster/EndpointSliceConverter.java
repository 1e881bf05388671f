package dev.hotline.cluster;

import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import java.util.ArrayList;
import java.util.List;

/**
 * EndpointSlices and v1 Endpoints to {@link EndpointSlice}. Conditions are read the way kube-proxy
 * reads them: ready nil means true, serving nil means true, terminating nil means false.
 */
final class EndpointSliceConverter {
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private EndpointSliceConverter() {
    }

    static EndpointSlice convert(io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice s, ObjectProblems p) {
        String addressType = s.getAddressType();
        String service = s.getMetadata().getLabels() == null ? null : s.getMetadata().getLabels().get(SERVICE_NAME_LABEL);
        if (addressType != null && !addressType.equals(EndpointSlice.IPV4)) {
            p.warning("addressType", addressType + " slices are not served; hotline's dataplane takes IPv4 addresses only");
            return service == null || service.isEmpty() ? null
                    : new EndpointSlice(p.ref(), p.source(), service, List.of(), List.of(), addressType);
        }
        if (service == null || service.isEmpty()) {
            p.error("metadata.labels[" + SERVICE_NAME_LABEL + "]", "missing: the slice belongs to no Service");
            return null;
        }
        List<EndpointPort> ports = new ArrayList<>();
        if (s.getPorts() != null) {
            for (int i = 0; i < s.getPorts().size(); i++) {
                var port = s.getPorts().get(i);
                String f = "ports[" + i + "]";
                Integer n = Fields.port(p, f + ".port", port.getPort(), false);
                Protocol proto = Fields.protocol(p, f + ".protocol", port.getProtocol());
                if (n != null && proto != null) {
                    ports.add(new EndpointPort(port.getName(), n, proto));
                }
            }
        }
        List<Endpoint> endpoints = new ArrayList<>();
        if (s.getEndpoints() != null) {
            for (int i = 0; i < s.getEndpoints().size(); i++) {
                var e = s.getEndpoints().get(i);
                String f = "endpoints[" + i + "]";
                if (e.getAddresses() == null || e.getAddresses().isEmpty()) {
                    p.error(f + ".addresses", "missing");
                    continue;
                }
                // like kube-proxy, only the first address of an endpoint is used
                Ipv4 ip = Fields.ipv4(p, f + ".addresses[0]", e.getAddresses().get(0), true);
                if (ip == null) {
                    continue;
                }
                EndpointConditions c = e.getConditions();
                boolean ready = c == null || c.getReady() == null || c.getReady();
                boolean serving = c == null || c.getServing() == null || c.getServing();
                boolean terminating = c != null && c.getTerminating() != null && c.getTerminating();
                String pod = e.getTargetRef() != null && (e.getTargetRef().getKind() == null || "Pod".equals(e.getTargetRef().getKind()))
                        ? e.getTargetRef().getName() : null;
                List<String> zones = new ArrayList<>();
                if (e.getHints() != null && e.getHints().getForZones() != null) {
                    for (var z : e.getHints().getForZones()) {
                        if (z != null && Fields.nonEmpty(z.getName()) != null) {
                            zones.add(z.getName());
                        }
                    }
                }
                endpoints.add(new Endpoint(ip, ready, serving, terminating, Fields.nonEmpty(e.getNodeName()), pod, zones));
            }
        }
        if (p.failed()) {
            return null;
        }
        return new EndpointSlice(p.ref(), p.source(), service, ports, endpoints);
    }

    /** A v1 Endpoints object becomes one slice per subset; notReadyAddresses are neither ready nor serving. */
    static List<EndpointSlice> convert(Endpoints ep, ObjectProblems p) {
        List<EndpointSlice> out = new ArrayList<>();
        List<EndpointSubset> subsets = ep.getSubsets() == null ? List.of() : ep.getSubsets();
        for (int si = 0; si < subsets.size(); si++) {
            EndpointSubset subset = subsets.get(si);
            String f = "subsets[" + si + "]";
            List<EndpointPort> ports = new ArrayList<>();
            if (subset.getPorts() != null) {
                for (int i = 0; i < subset.getPorts().size(); i++) {
                    var port = subset.getPorts().get(i);
                    Integer n = Fields.port(p, f + ".ports[" + i + "].port", port.getPort(), true);
                    Protocol proto = Fields.protocol(p, f + ".ports[" + i + "].protocol", port.getProtocol());
                    if (n != null && proto != null) {
                        ports.add(new EndpointPort(port.getName(), n, proto));
                    }
                }
            }
            List<Endpoint> endpoints = new ArrayList<>();
            addAddresses(p, f + ".addresses", subset.getAddresses(), true, endpoints);
            addAddresses(p, f + ".notReadyAddresses", subset.getNotReadyAddresses(), false, endpoints);
            out.add(new EndpointSlice(p.ref(), p.source(), ep.getMetadata().getName(), ports, endpoints));
        }
        return p.failed() ? List.of() : out;
    }

    private static void addAddresses(ObjectProblems p, String field, List<EndpointAddress> in, boolean ready, List<Endpoint> out) {
        if (in == null) {
            return;
        }
        for (int i = 0; i < in.size(); i++) {
            EndpointAddress a = in.get(i);
            Ipv4 ip = Fields.ipv4(p, field + "[" + i + "].ip", a.getIp(), true);
            if (ip == null) {
                continue;
            }
            String pod = a.getTargetRef() != null ? a.getTargetRef().getName() : null;
            out.add(new Endpoint(ip, ready, ready, false, Fields.nonEmpty(a.getNodeName()), pod));
        }
    }
}
