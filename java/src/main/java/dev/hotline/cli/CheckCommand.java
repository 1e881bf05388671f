package dev.hotline.cli;

import dev.hotline.check.Finding;
import dev.hotline.check.ServiceChecker;
import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ManifestException;
import dev.hotline.cluster.Problem;
import dev.hotline.cluster.Service;
import dev.hotline.cluster.ServicePort;
import dev.hotline.endpoints.EndpointResolver;
import dev.hotline.endpoints.ResolvedEndpoint;
import dev.hotline.endpoints.ServiceEndpoints;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `hotline check`: the seed's verification checklist, with a line per finding that says what to fix. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {
            "Find what keeps Services from working: no endpoints, wrong selectors, wrong targetPorts.",
            "%nThe Services troubleshooting checklist as a command: does each Service have endpoints, do its "
                + "selector and the Pod labels agree (and which labels almost do), does its targetPort exist on the "
                + "Pods, do named ports resolve, are NodePorts in range and unique. Prints a line per finding with "
                + "what to fix; exits 1 when there is any finding, 0 when all is well, 2 when the input cannot be read."},
        footer = {"", "Example:  hotline check -f examples/seed/%n"})
final class CheckCommand extends HotlineCommand implements Callable<Integer> {
    @Mixin
    ClusterInput input;

    @Override
    public Integer call() {
        ClusterState state;
        try {
            state = input.load();
        } catch (ManifestException e) {
            err().println("hotline: " + e.getMessage());
            return 2;
        }
        int problems = 0;
        for (Problem p : state.problems()) {
            if (p.isError()) {
                out().println("PROBLEM " + p + " (skipped)");
                problems++;
            } else {
                out().println("warning " + p);
            }
        }
        Map<dev.hotline.cluster.ObjectRef, ServiceEndpoints> endpoints = EndpointResolver.resolve(state);
        for (Service svc : state.services()) {
            List<Finding> findings = new java.util.ArrayList<>(ServiceChecker.check(svc, endpoints.get(svc.ref()), state));
            findings.addAll(dev.hotline.check.SpecChecker.check(svc, endpoints.get(svc.ref()), state));
            for (Finding f : findings) {
                out().println("PROBLEM " + f);
            }
            problems += findings.size();
            if (findings.isEmpty()) {
                out().println("ok      " + svc.ref() + ": " + summary(svc, endpoints.get(svc.ref())));
            }
        }
        out().println(state.services().size() + " Service(s) checked, " + problems + " problem(s)");
        return problems == 0 ? 0 : 1;
    }

    /** Ready endpoints as the dataplane counts them: one per address, port and protocol. */
    private static String summary(Service svc, ServiceEndpoints eps) {
        if (!svc.hasDataplaneEntry() && !svc.headless()) {
            return svc.type() + " " + svc.externalName();
        }
        boolean protocols = svc.ports().stream().map(ServicePort::protocol).distinct().count() > 1;
        java.util.Set<String> ready = new java.util.LinkedHashSet<>();
        for (ServicePort sp : svc.ports()) {
            for (ResolvedEndpoint e : eps.forPort(sp.name())) {
                if (e.ready()) {
                    ready.add(e.address() + ":" + e.port() + (protocols ? "/" + sp.protocol() : ""));
                }
            }
        }
        return ready.size() + " ready endpoint(s)" + (ready.isEmpty() ? "" : " (" + String.join(", ", ready) + ")");
    }
}
