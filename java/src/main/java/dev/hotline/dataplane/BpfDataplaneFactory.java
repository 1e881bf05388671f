package dev.hotline.dataplane;

import dev.hotline.bpf.BpfUnavailableException;

/** Where the kernel dataplane plugs in. Its packet path lands with the kernel dataplane issue. */
final class BpfDataplaneFactory {
    private BpfDataplaneFactory() {
    }

    static String unavailableReason() {
        return "the BPF program's Service path is not in this build yet (it passes every frame)";
    }

    static Dataplane open(DataplaneConfig config) {
        throw new BpfUnavailableException(unavailableReason());
    }
}
