package dev.hotline.live;

import dev.hotline.dataplane.userspace.UserspaceDataplane;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.function.Consumer;

/**
 * The user-space dataplane's conntrack, kept across an agent restart in a file (the kernel
 * dataplane keeps its own in pinned maps): written when the agent stops, read back by the next
 * one, so connections through a Service carry on. Expiry times are CLOCK_MONOTONIC, which a
 * reboot starts again: the file names the boot it was written in, and a file of another boot is
 * not read. Read once, then deleted (a later crash must not bring back flows long gone).
 */
final class ConntrackFile {
    private static final String MAGIC = "hotline userspace conntrack 1";

    private ConntrackFile() {
    }

    /** The saved flows (to restore once the plan is applied), or null: none, another boot, unreadable (logged). */
    static byte[] read(Path file, Consumer<String> log) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            byte[] all = Files.readAllBytes(file);
            Files.delete(file);
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(all));
            if (!in.readUTF().equals(MAGIC)) {
                log.accept(file + ": not a conntrack file of this hotline; conntrack starts empty");
                return null;
            }
            String boot = in.readUTF();
            if (!boot.equals(bootId())) {
                log.accept(file + ": written before the machine last booted; conntrack starts empty");
                return null;
            }
            return in.readAllBytes();
        } catch (IOException e) {
            log.accept("reading " + file + " failed (" + e.getMessage() + "); conntrack starts empty");
            return null;
        }
    }

    /** Restores flows read before into the twin (under the shared lock). Returns {restored, left out}. */
    static int[] restore(byte[] saved, SharedDataplane lock, UserspaceDataplane twin) {
        return lock.locked(() -> {
            try {
                return twin.restoreConntrack(new DataInputStream(new ByteArrayInputStream(saved)), System.nanoTime());
            } catch (IOException e) {
                return new int[] {0, 0};
            }
        });
    }

    /** Writes the twin's flows (under the shared lock), atomically: a reader sees the old file or the whole new one. */
    static void write(Path file, SharedDataplane lock, UserspaceDataplane twin, Consumer<String> log) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, ".conntrack", ".tmp");
            try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(temp)))) {
                out.writeUTF(MAGIC);
                out.writeUTF(bootId());
                IOException failed = lock.locked(() -> {
                    try {
                        twin.saveConntrack(out);
                        return null;
                    } catch (IOException e) {
                        return e;
                    }
                });
                if (failed != null) {
                    throw failed;
                }
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.accept("saving conntrack to " + file + " failed (" + e.getMessage() + "): the next agent starts without it");
        }
    }

    private static String bootId() throws IOException {
        return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
    }
}
