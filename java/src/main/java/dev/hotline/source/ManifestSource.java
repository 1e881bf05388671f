package dev.hotline.source;

import dev.hotline.cluster.ClusterDelta;
import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ManifestException;
import dev.hotline.cluster.NodePortRange;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Manifest files and directories, watched by polling their names, sizes and modification times
 * (a quarter second by default, so an edit, a new file or a removed one is seen well within a
 * second; polling also sees edits made by renaming a file into place). Each read is handed on as
 * the objects that differ from the last one read. A file that does not parse mid-edit is reported
 * and the last good picture stays in force.
 */
public final class ManifestSource implements ClusterSource {
    private final List<Path> paths;
    private final NodePortRange range;
    private final Duration interval;
    private final Consumer<String> log;
    private final ScheduledExecutorService poller = Daemons.thread("manifest-watch");
    private String lastFingerprint;
    private String lastError;
    private ClusterState last = ClusterState.empty();

    public ManifestSource(List<Path> paths, NodePortRange range, Duration interval, Consumer<String> log) {
        this.paths = List.copyOf(paths);
        this.range = range;
        this.interval = interval;
        this.log = log;
    }

    @Override
    public void start(Consumer<ClusterDelta> listener) {
        poller.scheduleWithFixedDelay(() -> poll(listener), 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void poll(Consumer<ClusterDelta> listener) {
        try {
            String fp = fingerprint();
            if (fp.equals(lastFingerprint)) {
                return;
            }
            ClusterState state;
            try {
                state = ManifestFiles.load(paths, range);
            } catch (ManifestException e) {
                if (!e.getMessage().equals(lastError)) {
                    log.accept("manifests not applied, keeping the last good ones: " + e.getMessage());
                    lastError = e.getMessage();
                }
                return;
            }
            lastFingerprint = fp;
            lastError = null;
            ClusterDelta delta = ClusterDelta.between(last, state);
            last = state;
            listener.accept(delta);
        } catch (RuntimeException e) {
            log.accept("manifest watch: " + e);
        }
    }

    /** Every manifest file with its size and modification time, so any change shows. */
    String fingerprint() {
        StringBuilder b = new StringBuilder();
        for (Path p : paths) {
            List<Path> files = new ArrayList<>();
            if (Files.isDirectory(p)) {
                try {
                    files.addAll(ManifestReader.manifestFilesOf(p));
                } catch (ManifestException e) {
                    b.append(p).append(":unlistable;");
                    continue;
                }
            } else {
                files.add(p);
            }
            for (Path f : files) {
                try {
                    BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                    b.append(f).append(':').append(a.size()).append(':').append(a.lastModifiedTime().toMillis())
                            .append(':').append(a.fileKey()).append(';');
                } catch (IOException e) {
                    b.append(f).append(":missing;");
                }
            }
        }
        return b.toString();
    }

    @Override
    public void close() {
        Daemons.stop(poller);
    }
}
