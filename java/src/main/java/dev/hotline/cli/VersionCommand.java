package dev.hotline.cli;

import dev.hotline.bpf.Bpf;
import dev.hotline.bpf.BpfException;
import dev.hotline.bpf.BpfUnavailableException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;

/** Prints hotline's version and what the kernel path can do on this machine, and why not when it cannot. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version, the libbpf version, and whether the BPF dataplane can run here (and why not).")
final class VersionCommand extends HotlineCommand implements Callable<Integer> {
    @Option(names = "--verify", description = "Also load the BPF program through the kernel verifier (needs root).")
    boolean verify;

    static String version() {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    @Override
    public Integer call() {
        out().println("hotline " + version());
        String reason = Bpf.unavailableReason();
        try {
            out().println("libbpf " + Bpf.libbpfVersion());
        } catch (BpfUnavailableException e) {
            out().println("libbpf: unavailable");
        }
        out().println("bpf dataplane: " + (reason == null ? "available" : "unavailable: " + reason));
        String live = dev.hotline.live.LiveInterface.unavailableReason();
        out().println("userspace dataplane on live interfaces: " + (live == null ? "available" : "unavailable: " + live));
        out().println("agent --dataplane auto would run: " + (reason == null ? "bpf" : live == null ? "userspace (no BPF here)"
                : "nothing (neither BPF nor libpcap here)"));
        if (verify) {
            try {
                out().println("verifier: accepted\n  " + Bpf.verifyBundledProgram().replace("\n", "\n  "));
            } catch (BpfUnavailableException e) {
                out().println("verifier: not run: " + e.getMessage());
                return 1;
            } catch (BpfException e) {
                out().println("verifier: rejected: " + e.getMessage());
                out().println(e.log());
                return 1;
            }
        }
        return 0;
    }

    static final class Provider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"hotline " + version()};
        }
    }
}
