package dev.hotline.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Pins only outlive the agent on the host's BPF filesystem. Finds the mount that holds the pin
 * directory (from /proc/self/mountinfo) and says what is wrong when it is not a bpffs.
 */
final class BpfFilesystem {
    private BpfFilesystem() {
    }

    /** Null when the directory is (or would be created) on a bpf filesystem; otherwise why not, in one line. */
    static String problemWith(String pinDir) {
        Path dir = Path.of(pinDir).toAbsolutePath().normalize();
        String bestMount = null;
        String bestType = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                // id parent major:minor root mountpoint options [optional...] - fstype source superoptions
                String[] f = line.split(" ");
                int dash = java.util.Arrays.asList(f).indexOf("-");
                if (f.length < 5 || dash < 0 || dash + 1 >= f.length) {
                    continue;
                }
                String mount = f[4].replace("\\040", " ");
                if (dir.startsWith(Path.of(mount)) && (bestMount == null || mount.length() >= bestMount.length())) {
                    bestMount = mount;
                    bestType = f[dash + 1];
                }
            }
        } catch (IOException e) {
            return null; // cannot tell; let the load say what happens
        }
        if ("bpf".equals(bestType)) {
            return null;
        }
        return "not on a BPF filesystem (it is on " + bestType + " mounted at " + bestMount
                + "); mount one first (mount -t bpf bpf /sys/fs/bpf), and run the agent with the host's mounts "
                + "(nsenter --net=..., not ip netns exec, which mounts a fresh /sys)";
    }
}
