package dev.hotline.bench;

import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.PacketResult;

/**
 * Feeds a pool of frames to a dataplane round and round, copying each into a work buffer (the
 * dataplane rewrites in place) and moving the frame clock by a fixed step, as every per-frame
 * benchmark does.
 */
final class FramePump {
    private final byte[][] frames;
    private final long step;
    private final byte[] work = new byte[4096];
    final PacketResult result = new PacketResult();
    private int next;
    private long now;

    FramePump(byte[][] frames, long startNanos, long step) {
        this.frames = frames;
        this.now = startNanos;
        this.step = step;
    }

    /** Copies the next frame into buffer; returns its length. */
    int fill(byte[] buffer) {
        byte[] f = frames[next];
        if (++next == frames.length) {
            next = 0;
        }
        System.arraycopy(f, 0, buffer, 0, f.length);
        now += step;
        return f.length;
    }

    long now() {
        return now;
    }

    /** One frame through the dataplane; returns the length of what left. */
    int process(Dataplane dp) {
        int length = fill(work);
        dp.process(work, length, now, result);
        return result.length;
    }
}
