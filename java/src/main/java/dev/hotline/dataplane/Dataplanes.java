package dev.hotline.dataplane;

import dev.hotline.bpf.Bpf;
import dev.hotline.bpf.BpfUnavailableException;
import dev.hotline.dataplane.userspace.UserspaceDataplane;
import java.util.function.Consumer;

/** Opens the dataplane a command asked for, and says which one it is and why. */
public final class Dataplanes {
    private Dataplanes() {
    }

    /**
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
        String reason = Bpf.unavailableReason();
        if (reason != null) {
            return reason;
        }
        return BpfDataplaneFactory.unavailableReason();
    }

    private static Dataplane openBpf(DataplaneConfig config, Consumer<String> notice) {
        Dataplane d = BpfDataplaneFactory.open(config);
        notice.accept("dataplane: bpf (libbpf " + Bpf.libbpfVersion() + ", BPF_PROG_TEST_RUN)");
        return d;
    }
}
