package dev.hotline.source;

import dev.hotline.cluster.ClusterState;
import dev.hotline.cluster.ClusterStateBuilder;
import dev.hotline.cluster.ManifestException;
import dev.hotline.cluster.NodePortRange;
import java.nio.file.Path;
import java.util.List;

/** Manifest files and directories to a cluster picture: what `-f` means for every command and the agent. */
public final class ManifestFiles {
    private ManifestFiles() {
    }

    /** Reads and checks the manifests; throws for input that cannot be read at all (or none given). */
    public static ClusterState load(List<Path> paths, NodePortRange range) throws ManifestException {
        if (paths.isEmpty()) {
            throw new ManifestException("no manifests: give -f FILE or -f DIR (what kubectl get -o yaml prints)");
        }
        return new ClusterStateBuilder(range).build(ManifestReader.read(paths));
    }
}
