package dev.hotline.dataplane;

import dev.hotline.dataplane.bpf.BpfDataplane;
import dev.hotline.dataplane.bpf.BpfSizing;

/** Opens the kernel dataplane for BPF_PROG_TEST_RUN use (replay, demo, tests): private maps, the frame's clock. */
final class BpfDataplaneFactory {
    private BpfDataplaneFactory() {
    }

    static String unavailableReason() {
        return null;
    }

    static Dataplane open(DataplaneConfig config) {
        return new BpfDataplane(config, BpfSizing.DEFAULT, true, null);
    }
}
