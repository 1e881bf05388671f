package dev.hotline.cli;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.Service;
import dev.hotline.net.Ipv4;
import dev.hotline.plan.Frontend;
import dev.hotline.plan.Plan;
import dev.hotline.plan.ServiceBackend;
import dev.hotline.plan.ServicePlan;
import dev.hotline.plan.ServiceScope;
import java.util.stream.Collectors;

/** The human view of a plan: one block per Service port, frontends then backends. */
final class PlanText {
    private PlanText() {
    }

    static String render(Plan plan, ClusterState state) {
        StringBuilder b = new StringBuilder();
        String node = plan.node().name() == null ? "(unnamed)" : plan.node().name();
        String addrs = plan.node().addresses().isEmpty() ? "no addresses"
                : plan.node().addresses().stream().map(Ipv4::toString).collect(Collectors.joining(", "));
        b.append("Node ").append(node).append(" (").append(addrs).append(")\n");
        b.append(plan.services().size()).append(" service(s), ").append(plan.frontendCount()).append(" frontend(s), ")
                .append(plan.backends().size()).append(" backend(s)\n");
        for (ServicePlan s : plan.services()) {
            b.append('\n');
            b.append("Service ").append(s.displayName()).append("  id ").append(s.id()).append("  ").append(s.protocol());
            if (s.scope() == ServiceScope.NODE_LOCAL) {
                b.append("  traffic policy Local");
            }
            b.append("  Maglev table ").append(s.table().size() == 0 ? "empty" : s.table().size())
                    .append("  ").append(s.activeBackends()).append('/').append(s.backends().size()).append(" backends active\n");
            String options = options(s);
            if (!options.isEmpty()) {
                b.append("  ").append(options).append('\n');
            }
            b.append("  FRONTEND                 TYPE\n");
            for (Frontend f : s.frontends()) {
                b.append(String.format("  %-24s %s%n", f.address() + ":" + f.port() + "/" + f.protocol(),
                    f.kind().label() + (f.internal() ? " (as pods and the node reach it: every endpoint)" : "")));
            }
            if (s.backends().isEmpty()) {
                b.append(s.options().dropWhenEmpty() ? "  no backends on this node: connections are dropped\n"
                        : "  no backends: connections are rejected\n");
                continue;
            }
            b.append("  BACKEND     ADDRESS                STATE        ACTIVE  POD                    NODE\n");
            for (ServiceBackend sb : s.backends()) {
                String nodeName = sb.backend().nodeName() == null ? "-" : sb.backend().nodeName();
                if (sb.backend().local()) {
                    nodeName += " (this node)";
                }
                b.append(String.format("  #%-10d %-22s %-12s %-7s %-22s %s%n", sb.backend().id(),
                        sb.backend().key().address() + ":" + sb.backend().key().port(), sb.endpoint().state(),
                        sb.active() ? "yes" : "no", sb.backend().podName() == null ? "-" : sb.backend().podName(), nodeName));
            }
        }
        boolean header = false;
        var endpoints = dev.hotline.endpoints.EndpointResolver.resolve(state);
        for (Service svc : state.services()) {
            if (svc.hasDataplaneEntry()) {
                continue;
            }
            if (!header) {
                b.append("\nNot in the dataplane:\n");
                header = true;
            }
            b.append("  ").append(svc.ref().namespacedName()).append(": ").append(DnsOnly.describe(svc, endpoints)).append('\n');
        }
        return b.toString();
    }

    /** Session affinity, source ranges, what an empty scope does, the health check port, in words. */
    static String options(ServicePlan s) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        if (s.options().affinityTimeout() != 0) {
            parts.add("session affinity ClientIP " + s.options().affinityTimeout() + "s");
        }
        if (!s.checkedSourceRanges().isEmpty() || s.options().sourceRestricted()) {
            parts.add("LoadBalancer clients from " + (s.checkedSourceRanges().isEmpty() ? "nowhere (no valid range)"
                    : s.checkedSourceRanges().stream().map(Object::toString).collect(Collectors.joining(", "))));
        }
        if (s.options().dropWhenEmpty() && s.activeBackends() == 0) {
            parts.add("no local endpoint (some elsewhere): dropped");
        }
        if (s.options().healthCheckNodePort() != 0) {
            parts.add("healthCheckNodePort " + s.options().healthCheckNodePort());
        }
        return String.join("; ", parts);
    }
}
