package dev.hotline.source;

import dev.hotline.cluster.ClusterState;
import java.util.function.Consumer;

/**
 * Where the agent's cluster picture comes from: manifest files now, the API server (fabric8
 * informers) next. A source calls the listener with the whole picture, once at start and again
 * on every change, always from one thread.
 */
public interface ClusterSource extends AutoCloseable {
    void start(Consumer<ClusterState> listener);

    @Override
    void close();
}
