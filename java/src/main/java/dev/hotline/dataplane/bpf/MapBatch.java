package dev.hotline.dataplane.bpf;

import dev.hotline.bpf.BpfProgram;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Collects writes to one map (upserts, or deletes) into direct buffers and sends them in one JNI
 * call. A change of map or of kind flushes first, so the order of a plan diff is kept.
 */
final class MapBatch {
    private final BpfProgram program;
    private ByteBuffer keys = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private ByteBuffer values = ByteBuffer.allocateDirect(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private int map = -1;
    private boolean delete;
    private int keySize;
    private int valueSize;
    private int count;

    MapBatch(BpfProgram program) {
        this.program = program;
    }

    /** Room for one more entry of the given map and kind; returns the byte offset of its key (and value). */
    int next(int map, boolean delete, int keySize, int valueSize) {
        if (map != this.map || delete != this.delete) {
            flush();
            this.map = map;
            this.delete = delete;
            this.keySize = keySize;
            this.valueSize = valueSize;
        }
        keys = ensure(keys, (count + 1) * keySize);
        values = ensure(values, (count + 1) * Math.max(valueSize, 1));
        return count++;
    }

    ByteBuffer keys() {
        return keys;
    }

    ByteBuffer values() {
        return values;
    }

    int keyOffset(int index) {
        return index * keySize;
    }

    int valueOffset(int index) {
        return index * valueSize;
    }

    private static ByteBuffer ensure(ByteBuffer b, int bytes) {
        if (b.capacity() >= bytes) {
            return b;
        }
        ByteBuffer n = ByteBuffer.allocateDirect(Math.max(bytes, b.capacity() * 2)).order(ByteOrder.LITTLE_ENDIAN);
        n.put(0, b, 0, b.capacity());
        return n;
    }

    /** Drops what is collected and not sent (after a failed write). */
    void discard() {
        count = 0;
        map = -1;
    }

    void flush() {
        if (count > 0) {
            if (delete) {
                program.delete(map, keys, count);
            } else {
                program.update(map, keys, values, count);
            }
        }
        count = 0;
        map = -1;
    }
}
