package dev.hotline.bpf;

import java.nio.ByteBuffer;

/**
 * The loaded BPF object: the tc program and its maps, driven through the JNI library. Every
 * method is one JNI call, batch-sized where that matters. Closing it releases the program and
 * the maps' file descriptors (pinned maps stay pinned).
 */
public final class BpfProgram implements AutoCloseable {
    private long handle;
    private final int cpus;

    private BpfProgram(long handle) {
        this.handle = handle;
        this.cpus = Native.possibleCpus();
    }

    /**
     * Loads the program carried in the jar through the verifier.
     *
     * @param pinDir     where maps are pinned and reused from (e.g. /sys/fs/bpf/hotline), or null for private maps
     * @param maxEntries per map (Abi.MAP_*), 0 to keep the object's default
     */
    public static BpfProgram load(String pinDir, int[] maxEntries) {
        byte[] object = NativeLibrary.bpfObject();
        NativeLibrary.require();
        return new BpfProgram(Native.open(object, pinDir, maxEntries));
    }

    /** Loads the empty tc program carried in the jar: the floor the benchmarks measure the harness with. */
    public static BpfProgram loadEmpty() {
        byte[] object = NativeLibrary.resource("empty.bpf.o");
        NativeLibrary.require();
        return new BpfProgram(Native.openProgramOnly(object));
    }

    /** Removes the map pins a load with this directory made. */
    public static void unpin(String pinDir) {
        NativeLibrary.require();
        Native.unpin(pinDir);
    }

    private long h() {
        if (handle == 0) {
            throw new IllegalStateException("the BPF program is closed");
        }
        return handle;
    }

    public int possibleCpus() {
        return cpus;
    }

    public void update(int map, ByteBuffer keys, ByteBuffer values, int count) {
        Native.update(h(), map, keys, values, count);
    }

    public void delete(int map, ByteBuffer keys, int count) {
        Native.delete(h(), map, keys, count);
    }

    public boolean lookup(int map, ByteBuffer key, ByteBuffer value) {
        return Native.lookup(h(), map, key, value);
    }

    public long count(int map) {
        return Native.count(h(), map);
    }

    /** Copies up to max entries of a map into packed keys and values; returns how many. */
    public int dump(int map, ByteBuffer keys, ByteBuffer values, int max) {
        return Native.dump(h(), map, keys, values, max);
    }

    /** Runs the program on count frames in a batch buffer of stride-byte slots (Abi.SLOT_*). */
    public int testRun(ByteBuffer batch, int count, int stride) {
        return Native.testRun(h(), batch, count, stride);
    }

    /** Adds or replaces hotline's filter at tc ingress of the interface, inside netnsPath when not null. */
    public void attach(String netnsPath, String ifname) {
        Native.attach(h(), netnsPath, ifname);
    }

    /** Removes hotline's filter from the interface; false when it was not there. */
    public static boolean detach(String netnsPath, String ifname) {
        NativeLibrary.require();
        return Native.detach(netnsPath, ifname);
    }

    @Override
    public void close() {
        if (handle != 0) {
            Native.close(handle);
            handle = 0;
        }
    }
}
