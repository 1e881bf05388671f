package dev.hotline.tests;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.bpf.Bpf;

/**
 * Tests that need root or BPF skip with a reason on a laptop, and fail instead under CI=true:
 * there the machine is set up by tests/run and a skip would hide a broken kernel path.
 */
public final class Privileges {
    private Privileges() {
    }

    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Skips (laptop) or fails (CI) unless the BPF dataplane can run here. */
    public static void requireBpf() {
        String reason = Bpf.unavailableReason();
        if (reason == null) {
            return;
        }
        if (underCi()) {
            fail("CI=true but the BPF path is unavailable: " + reason);
        }
        assumeTrue(false, "skipped, BPF unavailable: " + reason);
    }
}
