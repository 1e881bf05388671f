package dev.hotline.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** bin/hotline: the entry point of every command. */
@Command(name = "hotline",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = {
            "A Kubernetes Service dataplane: ClusterIP and NodePort DNAT in eBPF at tc ingress, with a "
                + "user-space twin in Java. It reads Services, Pods and EndpointSlices, plans per-Service "
                + "backend maps (Maglev tables) and loads them.",
            ""},
        subcommands = {DemoCommand.class, PlanCommand.class, CheckCommand.class, ReplayCommand.class, AgentCommand.class, WatchCommand.class, StatusCommand.class, VersionCommand.class, CommandLine.HelpCommand.class},
        footer = {"",
            "Start with:%n  hotline check -f examples/seed/%n  hotline plan -f examples/seed/ --node-name node-1",
            "Exit codes: 0 ok, 1 problems found (check), 2 bad input or usage.%n"})
public final class Main implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setUsageHelpAutoWidth(true);
        // one clear line for bad options, not a stack trace; picocli's own exit code for usage errors is 2
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("hotline: " + ex.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more.");
            return 2;
        });
        // whatever escapes a command is still one line: the message, not a stack trace
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            if (ex instanceof IllegalArgumentException) {
                c.getErr().println("hotline: " + message);
                return 2;
            }
            c.getErr().println("hotline: unexpected error: " + message
                    + (System.getenv("HOTLINE_DEBUG") == null ? " (HOTLINE_DEBUG=1 shows where)" : ""));
            if (System.getenv("HOTLINE_DEBUG") != null) {
                ex.printStackTrace(c.getErr());
            }
            return 1;
        });
        return cl;
    }

    /** One line for an I/O failure, naming the file. */
    static String describe(java.io.IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return n.getFile() + ": no such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException f) {
            return f.getFile() + ": already exists";
        }
        if (e instanceof java.nio.file.NotDirectoryException f) {
            return f.getFile() + ": not a directory";
        }
        if (e instanceof java.nio.file.FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() == null ? "cannot be used" : f.getReason());
        }
        return e.getMessage() == null ? "I/O error" : e.getMessage();
    }

    public static void main(String[] args) {
        CommandLine cl = commandLine();
        int code = cl.execute(args);
        cl.getOut().flush();
        cl.getErr().flush();
        System.exit(code);
    }
}
