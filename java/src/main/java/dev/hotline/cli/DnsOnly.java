package dev.hotline.cli;

import dev.hotline.cluster.Service;
import dev.hotline.endpoints.ResolvedEndpoint;
import dev.hotline.endpoints.ServiceEndpoints;
import dev.hotline.net.Ipv4;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a Service with no dataplane entry is to its clients: an ExternalName is a CNAME to its
 * target; a headless Service is the set of ready endpoint addresses a cluster DNS server answers
 * with (publishNotReadyAddresses makes every selected pod ready). Shown by `plan` so that no
 * Service is skipped silently.
 */
final class DnsOnly {
    private DnsOnly() {
    }

    /** The addresses cluster DNS returns for a headless Service, in address order. */
    static List<Ipv4> headlessAnswers(Service svc, Map<dev.hotline.cluster.ObjectRef, ServiceEndpoints> endpoints) {
        TreeSet<Ipv4> out = new TreeSet<>();
        ServiceEndpoints eps = endpoints.get(svc.ref());
        if (eps != null) {
            for (List<ResolvedEndpoint> list : eps.byPortName().values()) {
                list.stream().filter(ResolvedEndpoint::ready).forEach(e -> out.add(e.address()));
            }
        }
        return List.copyOf(out);
    }

    /** One line: what the Service is instead of a dataplane entry. */
    static String describe(Service svc, Map<dev.hotline.cluster.ObjectRef, ServiceEndpoints> endpoints) {
        if (svc.type() == dev.hotline.cluster.ServiceType.ExternalName) {
            return "ExternalName: DNS answers with a CNAME to " + svc.externalName() + "; no dataplane entry";
        }
        List<Ipv4> answers = headlessAnswers(svc, endpoints);
        return "headless (clusterIP: None): DNS answers with the ready pods' addresses, reached directly: "
                + (answers.isEmpty() ? "none ready" : answers.stream().map(Ipv4::toString).collect(java.util.stream.Collectors.joining(", ")));
    }
}
