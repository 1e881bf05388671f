package dev.hotline.bpf;

/** A failure reported by libbpf or the kernel, with errno and (for a rejected program) the verifier log. */
public final class BpfException extends RuntimeException {
    private final int errno;
    private final String log;

    public BpfException(String message, int errno, String log) {
        super(message);
        this.errno = errno;
        this.log = log == null ? "" : log;
    }

    public int errno() {
        return errno;
    }

    /** What libbpf printed during the call: for a verifier rejection, the verifier log. */
    public String log() {
        return log;
    }
}
