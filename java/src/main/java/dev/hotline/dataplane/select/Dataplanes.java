package dev.hotline.dataplane.select;

import dev.hotline.bpf.Bpf;
import dev.hotline.bpf.BpfUnavailableException;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.DataplaneKind;
import dev.hotline.dataplane.bpf.BpfDataplane;
import dev.hotline.dataplane.bpf.BpfSizing;
import dev.hotline.dataplane.userspace.UserspaceDataplane;
import java.util.function.Consumer;

/**
 * Opens the dataplane a command asked for, and says which one it is and why. It sits above both
 * implementations so that the dataplane package itself never depends on them.
 */
public final class Dataplanes {
    private Dataplanes() {
    }

    /**
     * Opens a dataplane for buffers and captures (replay, demo, tests): private maps, each frame's
     * timestamp as the conntrack clock.
     *
     * @param notice receives one line saying which dataplane runs (and, for auto, why not BPF)
     * @throws BpfUnavailableException when bpf was asked for and cannot run here
     */
    public static Dataplane open(DataplaneKind kind, DataplaneConfig config, Consumer<String> notice) {
        switch (kind) {
            case userspace -> {
                notice.accept("dataplane: userspace");
                return new UserspaceDataplane(config);
            }
            case bpf -> {
                String reason = bpfUnavailable();
                if (reason != null) {
                    throw new BpfUnavailableException(reason);
                }
                return openBpf(config, notice);
            }
            default -> {
                String reason = bpfUnavailable();
                if (reason == null) {
                    return openBpf(config, notice);
                }
                notice.accept("dataplane: userspace (bpf unavailable: " + reason + ")");
                return new UserspaceDataplane(config);
            }
        }
    }

    /** Why the BPF dataplane cannot process frames here, or null when it can. */
    public static String bpfUnavailable() {
        return Bpf.unavailableReason();
    }

    private static Dataplane openBpf(DataplaneConfig config, Consumer<String> notice) {
        Dataplane d = new BpfDataplane(config, BpfSizing.DEFAULT, true, null);
        notice.accept("dataplane: bpf (libbpf " + Bpf.libbpfVersion() + ", BPF_PROG_TEST_RUN)");
        return d;
    }
}
