package dev.hotline.cli;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ManifestException;
import dev.hotline.cluster.Problem;
import dev.hotline.plan.NodeIdentity;
import dev.hotline.plan.Plan;
import dev.hotline.plan.Planner;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `hotline plan`: what would be loaded, like `cilium service list` with `kubectl get endpoints`. */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = {
            "Print what the dataplane would load for these manifests.",
            "%nEvery frontend (ClusterIP:port, NodePort on each node address), its backends with their state "
                + "(ready, terminating, not-ready; active ones are in the Maglev table) and the table size. "
                + "Objects with errors are reported on stderr and skipped; the rest is planned."},
        footer = {"", "Example:  hotline plan -f examples/seed/ --node-name node-1 --output json%n"})
final class PlanCommand extends HotlineCommand implements Callable<Integer> {
    enum Output { text, json }

    @Mixin
    ClusterInput input;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (for people) or json (for machines). Default: ${DEFAULT-VALUE}.")
    Output output;

    @Override
    public Integer call() {
        ClusterState state;
        try {
            state = input.load();
        } catch (ManifestException e) {
            err().println("hotline: " + e.getMessage());
            return 2;
        }
        List<String> warnings = new ArrayList<>();
        NodeIdentity node;
        try {
            node = input.node(state, warnings);
        } catch (ManifestException e) {
            err().println("hotline: " + e.getMessage());
            return 2;
        }
        Plan plan = Planner.plan(state, node, Plan.EMPTY);
        PrintWriter err = err();
        for (Problem p : state.problems()) {
            err.println((p.isError() ? "error: " : "warning: ") + p);
        }
        for (Problem p : plan.problems()) {
            err.println("warning: " + p);
        }
        warnings.forEach(w -> err.println("warning: " + w));
        if (output == Output.json) {
            out().println(PlanJson.render(plan, state));
        } else {
            out().print(PlanText.render(plan, state));
        }
        return 0;
    }
}
