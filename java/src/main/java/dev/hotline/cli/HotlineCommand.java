package dev.hotline.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every subcommand shares: where it prints (picocli's writers, so tests can capture them). */
abstract class HotlineCommand {
    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Opens the dataplane asked for and says on stderr which one runs (and why not BPF, for auto). */
    dev.hotline.dataplane.Dataplane openDataplane(dev.hotline.dataplane.DataplaneKind kind, dev.hotline.dataplane.DataplaneConfig config) {
        dev.hotline.dataplane.Dataplane dp = dev.hotline.dataplane.select.Dataplanes.open(kind, config, line -> err().println("hotline: " + line));
        err().flush();
        return dp;
    }
}
