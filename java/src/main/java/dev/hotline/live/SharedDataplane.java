package dev.hotline.live;

import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.DataplaneCounters;
import dev.hotline.dataplane.PacketResult;
import dev.hotline.plan.MapOp;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Java twin shared by several capture threads and the reconciler. The twin is not
 * thread-safe, and conntrack must stay one table (a flow's two directions arrive on different
 * interfaces), so every call holds one lock: a frame waits at most for one map update or for one
 * other frame, never for the planning of a change (the reconciler plans before it applies).
 */
public final class SharedDataplane implements Dataplane {
    private final Dataplane twin;
    private final ReentrantLock lock = new ReentrantLock();

    public SharedDataplane(Dataplane twin) {
        this.twin = twin;
    }

    /** Runs the action holding the dataplane's lock (no frame is processed meanwhile). */
    public <T> T locked(java.util.function.Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String name() {
        return twin.name();
    }

    @Override
    public void apply(List<MapOp> ops) {
        lock.lock();
        try {
            twin.apply(ops);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void process(byte[] frame, int length, long nowNanos, PacketResult result) {
        lock.lock();
        try {
            twin.process(frame, length, nowNanos, result);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int sweepConntrack(long nowNanos) {
        lock.lock();
        try {
            return twin.sweepConntrack(nowNanos);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public DataplaneCounters counters() {
        lock.lock();
        try {
            return twin.counters();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public java.util.Map<String, long[]> mapUsage() {
        lock.lock();
        try {
            return twin.mapUsage();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            twin.close();
        } finally {
            lock.unlock();
        }
    }
}
