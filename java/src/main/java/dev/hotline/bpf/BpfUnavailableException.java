package dev.hotline.bpf;

/** The BPF path cannot be used on this machine or with this build; the message says why, in one line. */
public final class BpfUnavailableException extends RuntimeException {
    public BpfUnavailableException(String reason) {
        super(reason);
    }
}
