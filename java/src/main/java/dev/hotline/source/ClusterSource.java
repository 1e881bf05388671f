package dev.hotline.source;

import dev.hotline.cluster.ClusterDelta;
import java.util.function.Consumer;

/**
 * Where the agent's cluster picture comes from: manifest files, or the API server (fabric8
 * informers). A source hands the listener changes, always from one thread: first everything
 * there is (a change from nothing), then what changed, object by object.
 */
public interface ClusterSource extends AutoCloseable {
    void start(Consumer<ClusterDelta> listener);

    @Override
    void close();
}
