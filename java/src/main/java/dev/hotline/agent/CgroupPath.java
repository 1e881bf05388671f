package dev.hotline.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the socket-level programs attach: a directory of the cgroup v2 hierarchy. The default is
 * the hierarchy's root, so every process of the node (the kubelet, hostNetwork pods, the agent)
 * is served; mounts are read from /proc/self/mountinfo (cgroup2 may sit at /sys/fs/cgroup, or at
 * /sys/fs/cgroup/unified on a hybrid host).
 */
public final class CgroupPath {
    private CgroupPath() {
    }

    /** The mount points of cgroup2 filesystems, as this process sees them. */
    public static List<Path> cgroup2Mounts() {
        List<Path> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                // "36 25 0:31 / /sys/fs/cgroup/unified rw,... - cgroup2 cgroup2 rw,..."
                int dash = line.indexOf(" - ");
                if (dash < 0) {
                    continue;
                }
                String[] after = line.substring(dash + 3).split(" ");
                String[] before = line.substring(0, dash).split(" ");
                if (after.length > 0 && after[0].equals("cgroup2") && before.length > 4) {
                    out.add(Path.of(before[4].replace("\\040", " ")));
                }
            }
        } catch (IOException e) {
            // no procfs: no hierarchy known
        }
        return out;
    }

    /** The root of the cgroup v2 hierarchy, or null when none is mounted. */
    public static Path defaultRoot() {
        List<Path> mounts = cgroup2Mounts();
        return mounts.isEmpty() ? null : mounts.get(0);
    }

    /** Why the path cannot take the socket-level programs, or null when it can. */
    public static String problemWith(Path dir) {
        List<Path> mounts = cgroup2Mounts();
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            return "no such directory";
        }
        if (!Files.isDirectory(real)) {
            return "not a directory";
        }
        boolean under = mounts.stream().anyMatch(real::startsWith);
        if (!under || !Files.exists(real.resolve("cgroup.procs"))) {
            return "not a cgroup v2 directory (" + (mounts.isEmpty() ? "no cgroup2 filesystem is mounted"
                    : "cgroup2 is mounted at " + mounts.get(0)) + "); give one, or none to serve no host sockets";
        }
        return null;
    }
}
