package dev.hotline.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the rest of hotline asks of the kernel path: is it usable here, and if not, why. */
public final class Bpf {
    private Bpf() {
    }

    /** The libbpf version behind the JNI library. */
    public static String libbpfVersion() {
        NativeLibrary.require();
        return Native.libbpfVersion();
    }

    /**
     * Runs the program carried in the jar through the kernel verifier and releases it again.
     * Returns one line per program; throws {@link BpfException} (with the verifier log) or
     * {@link BpfUnavailableException}.
     */
    public static String verifyBundledProgram() {
        byte[] object = NativeLibrary.bpfObject();
        NativeLibrary.require();
        return Native.verify(object);
    }

    /** Runs any BPF object through the kernel verifier (for tests and diagnostics). */
    public static String verify(byte[] elfObject) {
        NativeLibrary.require();
        return Native.verify(elfObject);
    }

    /**
     * Checks everything the BPF dataplane needs, cheapest first, and returns null when all is
     * there or the first missing piece as one line.
     */
    public static String unavailableReason() {
        try {
            NativeLibrary.bpfObject();
            NativeLibrary.require();
        } catch (BpfUnavailableException e) {
            return e.getMessage();
        }
        if (!Files.isDirectory(Path.of("/sys/fs/bpf"))) {
            return "no /sys/fs/bpf: the kernel has no BPF filesystem";
        }
        if (!hasBpfCapability()) {
            return "not privileged: loading BPF programs needs root or CAP_BPF with CAP_NET_ADMIN";
        }
        return null;
    }

    /** CAP_SYS_ADMIN (21), or CAP_BPF (39) with CAP_NET_ADMIN (12), in the effective set. */
    static boolean hasBpfCapability() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/status"));
            for (String line : lines) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    boolean sysAdmin = (caps & (1L << 21)) != 0;
                    boolean bpf = (caps & (1L << 39)) != 0 && (caps & (1L << 12)) != 0;
                    return sysAdmin || bpf;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }
}
