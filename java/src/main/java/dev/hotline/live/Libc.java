package dev.hotline.live;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The few libc calls the user-space dataplane needs and Java lacks: a raw IPv4 socket (the
 * translated packet goes back to the kernel, which routes it, resolves the next hop and queues
 * behind ARP as for any packet it sends), its mark, and poll on the capture descriptors. Bound
 * directly through JNA (which pcap4j brings): no native library of hotline's own, so this runs
 * where the BPF one cannot load.
 */
final class Libc {
    static final int AF_INET = 2;
    static final int SOCK_RAW = 3;
    static final int IPPROTO_RAW = 255;
    static final int SOL_SOCKET = 1;
    static final int SO_MARK = 36;
    static final int SO_SNDBUF = 7;
    static final short POLLIN = 1;

    static {
        Native.register(Libc.class, NativeLibrary.getInstance("c"));
    }

    private Libc() {
    }

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int setsockopt(int fd, int level, int name, int[] value, int length) throws LastErrorException;

    /** buf: a direct buffer, sent from its start. */
    static native long sendto(int fd, java.nio.Buffer buf, long length, int flags, byte[] address, int addressLength)
            throws LastErrorException;

    static native int close(int fd);

    /** The interface's index, 0 when there is none (an interface without addresses too, which Java's NetworkInterface misses). */
    static native int if_nametoindex(String name);

    /** fds: struct pollfd as two ints each (fd; events in the low half, revents in the high half, little-endian). */
    static native int poll(int[] fds, long count, int timeoutMillis) throws LastErrorException;
}
