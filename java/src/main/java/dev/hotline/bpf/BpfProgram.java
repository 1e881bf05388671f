package dev.hotline.bpf;

import java.nio.ByteBuffer;

/**
 * The loaded BPF object: the tc program and its maps, driven through the JNI library. Every
 * method is one JNI call, batch-sized where that matters. Closing it releases the program and
 * the maps' file descriptors (pinned maps stay pinned).
 *
 * Safe to use from several threads and to close while another thread is inside a call: calls
 * hold a read lock on the native handle, close takes the write lock, so the handle (and the file
 * descriptors behind it, which the kernel could hand out again) is never freed under a call.
 * Calls after close throw IllegalStateException.
 */
public final class BpfProgram implements AutoCloseable {
    private final java.util.concurrent.locks.ReentrantReadWriteLock lock = new java.util.concurrent.locks.ReentrantReadWriteLock();
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

    /**
     * Loads the next generation of this program: the maps whose bit (1 << Abi.MAP_*) is set in
     * resized are made anew at their new maxEntries and filled with this generation's entries;
     * every other map is shared. The new maps are not pinned ({@link #pinMaps} once attached).
     * This generation stays loaded (and attached) until closed.
     */
    public BpfProgram next(String pinDir, int[] maxEntries, int resized) {
        byte[] object = NativeLibrary.bpfObject();
        long h = h();
        try {
            BpfProgram next = new BpfProgram(Native.openNext(object, h, pinDir, maxEntries, resized));
            try {
                for (int map = 0; map < Abi.MAP_COUNT; map++) {
                    if ((resized & (1 << map)) != 0) {
                        Native.copyMap(h, next.handle, map);
                    }
                }
            } catch (RuntimeException e) {
                next.close();
                throw e;
            }
            return next;
        } finally {
            done();
        }
    }

    /** Pins this generation's maps in mask under pinDir, in place of what was pinned there. */
    public void pinMaps(String pinDir, int mask) {
        long h = h();
        try {
            Native.pinMaps(h, pinDir, mask);
        } finally {
            done();
        }
    }

    /** max_entries of each map pinned under pinDir (by Abi.MAP_*), 0 where none is. */
    public static int[] pinnedSizes(String pinDir) {
        NativeLibrary.require();
        return Native.pinnedSizes(pinDir);
    }

    /** The maps an agent pinned under pinDir, for reading them (hotline status); nothing is loaded or written. */
    public static BpfProgram openPinned(String pinDir) {
        NativeLibrary.require();
        return new BpfProgram(Native.openPinned(pinDir));
    }

    /** Loads the empty tc program carried in the jar: the floor the benchmarks measure the harness with. */
    public static BpfProgram loadEmpty() {
        byte[] object = NativeLibrary.resource("empty.bpf.o");
        NativeLibrary.require();
        return new BpfProgram(Native.openProgramOnly(object));
    }

    /**
     * Why the pins under pinDir cannot be reused by this program sized so: one line per map of
     * another shape, or written by an agent of another ABI version. Empty when they fit (or there
     * are none).
     */
    public static java.util.List<String> pinProblems(String pinDir, int[] maxEntries) {
        byte[] object = NativeLibrary.bpfObject();
        NativeLibrary.require();
        String s = Native.pinProblems(object, pinDir, maxEntries);
        return s == null || s.isEmpty() ? java.util.List.of() : java.util.List.of(s.split("\n"));
    }

    /** Removes the map pins under the directory and keeps the socket-level links (a restart swaps their program). */
    public static void unpinMaps(String pinDir) {
        NativeLibrary.require();
        Native.unpinMaps(pinDir);
    }

    /** The interfaces of this thread's network namespace by name, with their ifindex (addressless ones too). */
    public static java.util.Map<String, Integer> links() {
        NativeLibrary.require();
        java.util.Map<String, Integer> out = new java.util.TreeMap<>();
        for (String l : Native.links()) {
            int colon = l.indexOf(':');
            out.put(l.substring(colon + 1), Integer.parseInt(l.substring(0, colon)));
        }
        return out;
    }

    /** Turns accept_local on for the interface, through rtnetlink (needs CAP_NET_ADMIN only). */
    public static void setAcceptLocal(int ifindex) {
        NativeLibrary.require();
        Native.setAcceptLocal(ifindex);
    }

    /** This thread's network namespace cookie (SO_NETNS_COOKIE), 0 on kernels without one. */
    public static long netnsCookie() {
        NativeLibrary.require();
        return Native.netnsCookie();
    }

    /** Removes the map and link pins a load with this directory made. */
    public static void unpin(String pinDir) {
        NativeLibrary.require();
        Native.unpin(pinDir);
    }

    /** The handle, with the read lock held: release it with done(). */
    private long h() {
        lock.readLock().lock();
        if (handle == 0) {
            lock.readLock().unlock();
            throw new IllegalStateException("the BPF program is closed");
        }
        return handle;
    }

    private void done() {
        lock.readLock().unlock();
    }

    public int possibleCpus() {
        return cpus;
    }

    /**
     * A memory-mappable array map's values (Abi.MAP_MAGLEV) in windows of at most 1 GiB (one Java
     * buffer holds at most 2 GiB), native byte order, value i at i * round_up(value size, 8) from
     * the start of the first. Stores into them are map writes the program sees at once; use them
     * only inside {@link #whileOpen}, since closing the program unmaps them.
     */
    public ByteBuffer[] memory(int map, long bytes) {
        long h = h();
        try {
            int n = (int) ((bytes + WINDOW - 1) / WINDOW);
            ByteBuffer[] out = new ByteBuffer[Math.max(1, n)];
            for (int i = 0; i < out.length; i++) {
                out[i] = Native.mapMemory(h, map, (long) i * WINDOW, WINDOW).order(java.nio.ByteOrder.nativeOrder());
            }
            return out;
        } finally {
            done();
        }
    }

    /** Bytes per window of {@link #memory}. */
    public static final long WINDOW = 1L << 30;

    /** Runs work while this program cannot be closed (its mappings stay); throws if it is closed already. */
    public void whileOpen(Runnable work) {
        h();
        try {
            work.run();
        } finally {
            done();
        }
    }

    public void update(int map, ByteBuffer keys, ByteBuffer values, int count) {
        long h = h();
        try {
            Native.update(h, map, keys, values, count);
        } finally {
            done();
        }
    }

    public void delete(int map, ByteBuffer keys, int count) {
        long h = h();
        try {
            Native.delete(h, map, keys, count);
        } finally {
            done();
        }
    }

    public boolean lookup(int map, ByteBuffer key, ByteBuffer value) {
        long h = h();
        try {
            return Native.lookup(h, map, key, value);
        } finally {
            done();
        }
    }

    /** Deletes one key; true when this call removed it, false when it was not there. */
    public boolean remove(int map, ByteBuffer key) {
        long h = h();
        try {
            return Native.remove(h, map, key);
        } finally {
            done();
        }
    }

    public long count(int map) {
        long h = h();
        try {
            return Native.count(h, map);
        } finally {
            done();
        }
    }

    /** Copies up to max entries of a map into packed keys and values; returns how many. */
    public int dump(int map, ByteBuffer keys, ByteBuffer values, int max) {
        long h = h();
        try {
            return Native.dump(h, map, keys, values, max);
        } finally {
            done();
        }
    }

    /** Runs the program on count frames in a batch buffer of stride-byte slots (Abi.SLOT_*). */
    public int testRun(ByteBuffer batch, int count, int stride) {
        long h = h();
        try {
            return Native.testRun(h, batch, count, stride);
        } finally {
            done();
        }
    }

    /**
     * Adds or replaces hotline's filter at tc ingress of the interface, inside netnsPath when not
     * null. An interface that is not Ethernet (an L3 tunnel) is refused with
     * IllegalArgumentException, before anything is attached.
     */
    public Attached attach(String netnsPath, String ifname) {
        long h = h();
        try {
            long r = Native.attach(h, netnsPath, ifname);
            return new Attached((int) r, (r >>> 32) != 0);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ifname + ": " + e.getMessage(), e);
        } finally {
            done();
        }
    }

    /** An interface the filter is on: its index, and whether it is a veth. */
    public record Attached(int ifindex, boolean veth) {
    }

    /**
     * Attaches the socket-level programs to a cgroup v2 directory through links pinned in pinDir
     * (a pinned link of the same cgroup gets this program instead); returns how many were made anew.
     */
    public int attachCgroup(String cgroupDir, String pinDir) {
        long h = h();
        try {
            return Native.attachCgroup(h, cgroupDir, pinDir);
        } finally {
            done();
        }
    }

    /** Detaches the socket-level programs pinned in pinDir; returns how many were attached. */
    public static int detachCgroup(String pinDir) {
        NativeLibrary.require();
        return Native.detachCgroup(pinDir);
    }

    /** Removes hotline's filter from the interface; false when it was not there. */
    public static boolean detach(String netnsPath, String ifname) {
        NativeLibrary.require();
        return Native.detach(netnsPath, ifname);
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (handle != 0) {
                Native.close(handle);
                handle = 0;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
