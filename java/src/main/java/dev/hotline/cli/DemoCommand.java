package dev.hotline.cli;

import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.DataplaneKind;
import dev.hotline.demo.Demo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `hotline demo`: the seed's story with real frames, no arguments needed. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {
            "Tell the seed's Concrete Trace with real frames through the best dataplane available.",
            "%ncurl http://my-api-service/data from frontend-pod: the SYN DNATed to a pod and the reply translated back; "
                + "more connections spread over both pods; a pod goes on break and is replaced while the hotline keeps "
                + "working; then the same Service reached through a NodePort from outside the cluster."},
        footer = {"", "Example:  hotline demo --pcap-out /tmp/demo   (then open /tmp/demo/demo-out.pcap in Wireshark)%n"})
final class DemoCommand extends HotlineCommand implements Callable<Integer> {
    @Option(names = "--pcap-out", paramLabel = "DIR", description = "Also write the frames in (demo-in.pcap) and out (demo-out.pcap).")
    Path pcapOut;

    @Option(names = "--dataplane", paramLabel = "KIND", defaultValue = "auto",
            description = "auto, bpf or userspace. Default: ${DEFAULT-VALUE}.")
    DataplaneKind dataplane;

    @Override
    public Integer call() {
        var err = err();
        if (pcapOut != null && java.nio.file.Files.exists(pcapOut) && !java.nio.file.Files.isDirectory(pcapOut)) {
            err.println("hotline: --pcap-out " + pcapOut + ": exists and is not a directory (the demo writes demo-in.pcap "
                    + "and demo-out.pcap into a directory)");
            return 2;
        }
        try (Dataplane dp = openDataplane(dataplane, DataplaneConfig.DEFAULT)) {
            int surprises = Demo.run(dp, out(), pcapOut);
            return surprises == 0 ? 0 : 1;
        } catch (dev.hotline.bpf.BpfUnavailableException e) {
            err.println("hotline: --dataplane bpf: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("hotline: " + Main.describe(e));
            return 2;
        }
    }
}
