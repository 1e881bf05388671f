package dev.hotline.bpf;

import java.nio.ByteBuffer;

/**
 * The JNI entry points implemented in native/ (C over libbpf), in the style of Netty's native
 * transports: static methods taking ints, longs and direct buffers. Callers go through
 * {@link NativeLibrary#require()} first so the library is loaded. Every failure is a
 * {@link BpfException} carrying libbpf's message and errno (and the verifier log when it refused).
 */
final class Native {
    private Native() {
    }

    static native String libbpfVersion();

    static native int possibleCpus();

    /** Loads every program of the object through the verifier, then releases it: "name: N instructions" per line. */
    static native String verify(byte[] elfObject);

    /** Why pins under pinDir do not fit this object (one line per map), or "" when they do. */
    static native String pinProblems(byte[] elfObject, String pinDir, int[] maxEntries);

    /**
     * Opens and loads the object; maxEntries[map] (when positive) sizes each map first. With a pin
     * directory, maps are pinned there by name and existing pins of the same shape are reused.
     * Returns a handle for the other calls.
     */
    static native long open(byte[] elfObject, String pinDir, int[] maxEntries);

    static native void close(long handle);

    /** The maps pinned under pinDir, opened read-only in spirit: no program, no config write. */
    static native long openPinned(String pinDir);

    /**
     * The next generation of a loaded object: the maps whose bit is set in resized are made anew at
     * maxEntries (not pinned yet: see pinMaps), every other map is the old generation's own.
     */
    static native long openNext(byte[] elfObject, long oldHandle, String pinDir, int[] maxEntries, int resized);

    /** Pins the maps in mask under pinDir in place of what was pinned there. */
    static native void pinMaps(long handle, String pinDir, int mask);

    /** max_entries of each map pinned under pinDir, 0 where none is. */
    static native int[] pinnedSizes(String pinDir);

    /** A window of a memory-mappable map's values as a direct buffer, valid until the handle is closed. */
    static native java.nio.ByteBuffer mapMemory(long handle, int map, long offset, long length);

    /** Copies every entry of a map from one generation into the next; returns how many. */
    static native long copyMap(long from, long to, int map);

    /** Loads an object with a single program and none of hotline's maps (the benchmarks' empty floor program). */
    static native long openProgramOnly(byte[] elfObject);

    /** Removes every map pin under the directory, keeping the socket-level links. */
    static native void unpinMaps(String pinDir);

    /** The interfaces of the calling thread's network namespace, "ifindex:name" each. */
    static native String[] links();

    /** net.ipv4.conf.DEV.accept_local = 1 for the interface, through rtnetlink (CAP_NET_ADMIN; no /proc/sys write). */
    static native void setAcceptLocal(int ifindex);

    /** The calling thread's network namespace cookie, 0 when the kernel has none (before 5.14). */
    static native long netnsCookie();

    /** Removes every map and link pin under the directory, then the directory. */
    static native void unpin(String pinDir);

    /** Writes count entries: packed keys and values, as laid out in hotline_abi.h. */
    static native void update(long handle, int map, ByteBuffer keys, ByteBuffer values, int count);

    /** Deletes count packed keys (absent ones are fine). */
    static native void delete(long handle, int map, ByteBuffer keys, int count);

    /** Reads one entry; for per-CPU maps one value per possible CPU, each 8-byte aligned. False when absent. */
    static native boolean lookup(long handle, int map, ByteBuffer key, ByteBuffer value);

    static native boolean remove(long handle, int map, ByteBuffer key);

    /** The number of entries (walks the keys). */
    static native long count(long handle, int map);

    /** Copies up to max entries of a (not per-CPU) map into packed keys and values; returns how many. */
    static native int dump(long handle, int map, ByteBuffer keys, ByteBuffer values, int max);

    /** BPF_PROG_TEST_RUN over count frames laid out in slots of stride bytes (see native/test_run.c). */
    static native int testRun(long handle, ByteBuffer batch, int count, int stride);

    /** Sizes, offsets and constants of hotline_abi.h, in the order of {@link Abi#layout()}. */
    static native int[] layout();

    /** hl_flow_hash as compiled by C. */
    static native int flowHash(int saddr, int daddr, int sport, int dport, int proto);

    /**
     * Adds or replaces hotline's filter at tc ingress of the interface (inside netnsPath when not
     * null); returns its ifindex, with bit 32 set when it is a veth.
     */
    static native long attach(long handle, String netnsPath, String ifname);

    /** Attaches the socket-level programs to the cgroup through links pinned in pinDir; returns how many were made anew. */
    static native int attachCgroup(long handle, String cgroupPath, String pinDir);

    /** Removes the socket-level programs' link pins (which detaches them); returns how many there were. */
    static native int detachCgroup(String pinDir);

    /** An rtnetlink socket subscribed to link events of the caller's network namespace. */
    static native int linkEventsOpen();

    /** Waits for link events: how many came, 0 on timeout, -1 when some were lost. */
    static native int linkEventsWait(int fd, int timeoutMillis);

    static native void linkEventsClose(int fd);

    /** Removes hotline's filter; false when it was not there. */
    static native boolean detach(String netnsPath, String ifname);
}
