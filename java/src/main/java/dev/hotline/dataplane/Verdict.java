package dev.hotline.dataplane;

/**
 * What the dataplane did with a frame. The codes are shared with the BPF program
 * (HL_VERDICT_* in bpf/hotline_abi.h); the names are the trace format's.
 */
public enum Verdict {
    PASS(0, "pass"),
    DNAT(1, "dnat"),
    DNAT_SNAT(2, "dnat+snat"),
    REVERSE(3, "reverse"),
    REJECT(4, "reject"),
    DROP(5, "drop");

    private static final Verdict[] BY_CODE = values();
    private final int code;
    private final String traceName;

    Verdict(int code, String traceName) {
        this.code = code;
        this.traceName = traceName;
    }

    public int code() {
        return code;
    }

    public String traceName() {
        return traceName;
    }

    public static Verdict ofCode(int code) {
        return BY_CODE[code];
    }
}
