package dev.hotline.cli;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.Problem;
import dev.hotline.cluster.Service;
import dev.hotline.net.Ipv4;
import dev.hotline.plan.Frontend;
import dev.hotline.plan.Plan;
import dev.hotline.plan.ServiceBackend;
import dev.hotline.plan.ServicePlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The machine view of a plan (`hotline plan -o json`): stable field names, one object per Service port. */
final class PlanJson {
    private static final JsonMapper MAPPER = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private PlanJson() {
    }

    static String render(Plan plan, ClusterState state) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("name", plan.node().name());
        node.put("addresses", plan.node().addresses().stream().map(Ipv4::toString).toList());
        root.put("node", node);
        List<Object> services = new ArrayList<>();
        for (ServicePlan s : plan.services()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("id", s.id());
            o.put("name", s.name().toString());
            o.put("namespace", s.name().namespace());
            o.put("service", s.name().name());
            o.put("port", s.name().port());
            o.put("protocol", s.protocol().name());
            o.put("scope", s.scope().name());
            o.put("tableSize", s.table().size());
            o.put("activeBackends", s.activeBackends());
            List<Object> frontends = new ArrayList<>();
            for (Frontend f : s.frontends()) {
                Map<String, Object> fo = new LinkedHashMap<>();
                fo.put("address", f.address().toString());
                fo.put("port", f.port());
                fo.put("protocol", f.protocol().name());
                fo.put("type", f.kind().label());
                fo.put("inClusterView", f.internal());
                frontends.add(fo);
            }
            o.put("frontends", frontends);
            o.put("sessionAffinityTimeoutSeconds", s.options().affinityTimeout());
            o.put("sourceRanges", s.options().sourceRestricted() ? s.checkedSourceRanges().stream().map(Object::toString).toList() : null);
            o.put("dropWhenNoLocalEndpoint", s.options().dropWhenEmpty());
            o.put("healthCheckNodePort", s.options().healthCheckNodePort());
            List<Object> backends = new ArrayList<>();
            for (ServiceBackend sb : s.backends()) {
                Map<String, Object> bo = new LinkedHashMap<>();
                bo.put("id", sb.backend().id());
                bo.put("address", sb.backend().key().address().toString());
                bo.put("port", sb.backend().key().port());
                bo.put("state", sb.endpoint().state());
                bo.put("ready", sb.endpoint().ready());
                bo.put("serving", sb.endpoint().serving());
                bo.put("terminating", sb.endpoint().terminating());
                bo.put("active", sb.active());
                bo.put("pod", sb.backend().podName());
                bo.put("node", sb.backend().nodeName());
                bo.put("local", sb.backend().local());
                backends.add(bo);
            }
            o.put("backends", backends);
            services.add(o);
        }
        root.put("services", services);
        List<Object> skipped = new ArrayList<>();
        var endpoints = dev.hotline.endpoints.EndpointResolver.resolve(state);
        for (Service svc : state.services()) {
            if (!svc.hasDataplaneEntry()) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("service", svc.ref().namespacedName());
                o.put("reason", svc.headless() ? "headless" : svc.type().name());
                if (svc.type() == dev.hotline.cluster.ServiceType.ExternalName) {
                    o.put("cname", svc.externalName());
                } else if (svc.headless()) {
                    o.put("addresses", DnsOnly.headlessAnswers(svc, endpoints).stream().map(Ipv4::toString).toList());
                }
                skipped.add(o);
            }
        }
        root.put("notInDataplane", skipped);
        List<Object> problems = new ArrayList<>();
        for (Problem p : concat(state.problems(), plan.problems())) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("severity", p.severity().name().toLowerCase());
            o.put("message", p.toString());
            problems.add(o);
        }
        root.put("problems", problems);
        return MAPPER.writeValueAsString(root);
    }

    private static List<Problem> concat(List<Problem> a, List<Problem> b) {
        List<Problem> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
