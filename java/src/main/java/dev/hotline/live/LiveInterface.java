package dev.hotline.live;

import com.sun.jna.Pointer;
import java.io.IOException;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;

/**
 * One interface opened for live capture through libpcap: what arrives on it (not what the node
 * sends, as tc ingress sees it), IPv4 only (filtered in the kernel, so ARP and IPv6 are not even
 * copied), delivered at once (immediate mode), and a way to put frames on the wire.
 *
 * Not thread-safe: one capture thread reads; sends may come from that thread only.
 */
public final class LiveInterface implements AutoCloseable {
    /** Large enough for the super-frames GRO builds on a node with offloads on. */
    public static final int SNAPLEN = 262_144;
    /** libpcap's read timeout (unused in immediate mode, which reads frames at once). */
    static final int TIMEOUT_MILLIS = 100;

    private final String name;
    private final PcapHandle handle;
    private final Pointer pcap;
    private final long[] header = new long[1];
    private final long[] data = new long[1];
    private final PcapNext.Cursor cursor = new PcapNext.Cursor();
    private volatile boolean closed;
    private long timestampMicros;

    private LiveInterface(String name, PcapHandle handle, Pointer pcap) {
        this.name = name;
        this.handle = handle;
        this.pcap = pcap;
    }

    /** What to say when libpcap cannot be loaded, with the package to install. */
    public static final String NO_LIBPCAP = "needs libpcap 1.5 or newer at run time, which this machine lacks "
            + "(apt-get install libpcap0.8, or dnf install libpcap)";

    /** Why live capture cannot work here (libpcap missing), or null. */
    public static String unavailableReason() {
        dev.hotline.replay.LibpcapLocator.configure();
        try {
            com.sun.jna.NativeLibrary.getInstance(System.getProperty("org.pcap4j.core.pcapLibName", "pcap"));
            return null;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return NO_LIBPCAP;
        }
    }

    /**
     * Opens the interface. ringBytes is libpcap's kernel buffer: frames that arrive while it is
     * full are lost (and counted, see {@link #dropped}).
     */
    public static LiveInterface open(String name, int ringBytes) throws IOException {
        dev.hotline.replay.LibpcapLocator.configure();
        PcapHandle h;
        try {
            h = new PcapHandle.Builder(name).snaplen(SNAPLEN).promiscuousMode(PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(TIMEOUT_MILLIS).immediateMode(true).bufferSize(ringBytes)
                    .direction(PcapHandle.PcapDirection.IN).build();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new IOException("live capture " + NO_LIBPCAP);
        } catch (PcapNativeException e) {
            throw new IOException(name + ": " + e.getMessage());
        }
        if (!org.pcap4j.packet.namednumber.DataLinkType.EN10MB.equals(h.getDlt())) {
            String type = h.getDlt().toString();
            h.close();
            throw new IOException(name + ": not an Ethernet interface (link type " + type + "); hotline serves Ethernet interfaces");
        }
        try {
            h.setFilter("ip", org.pcap4j.core.BpfProgram.BpfCompileMode.OPTIMIZE);
            // libpcap ignores the read timeout in immediate mode (a read of an idle interface would
            // block until a frame comes): reads return at once, and the caller decides how to wait
            h.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            return new LiveInterface(name, h, nativeHandle(h));
        } catch (PcapNativeException | NotOpenException | ReflectiveOperationException | RuntimeException e) {
            h.close();
            throw new IOException(name + ": " + e.getMessage());
        }
    }

    /**
     * libpcap's pcap_t behind pcap4j's handle. pcap4j (pinned at 1.8.2 in the build) keeps it in a
     * private field and offers no read that does not allocate; the test suite opens interfaces
     * through here, so a pcap4j that moved the field fails there, not on a node.
     */
    private static Pointer nativeHandle(PcapHandle h) throws ReflectiveOperationException {
        java.lang.reflect.Field f = PcapHandle.class.getDeclaredField("handle");
        f.setAccessible(true);
        return (Pointer) f.get(h);
    }

    /** A descriptor that polls readable when frames wait (pcap_get_selectable_fd). */
    public int descriptor() {
        return PcapNext.pcap_get_selectable_fd(pcap);
    }

    public String name() {
        return name;
    }

    /**
     * Copies the next frame into buf: its length, 0 when none is waiting (it does not wait), -1 once
     * closed. A frame longer than buf is cut to it (the snaplen keeps that from happening).
     */
    public int next(byte[] buf) throws IOException {
        if (closed) {
            return -1;
        }
        int rc = PcapNext.pcap_next_ex(pcap, header, data);
        if (rc == 1) {
            // struct pcap_pkthdr: struct timeval (16 bytes on LP64), then caplen, then len
            PcapNext.Cursor h = cursor.at(header[0]);
            timestampMicros = h.getLong(0) * 1_000_000L + h.getLong(8);
            int caplen = h.getInt(16);
            int n = Math.min(caplen, buf.length);
            cursor.at(data[0]).read(0, buf, 0, n);
            return n;
        }
        if (rc == 0) {
            return 0;
        }
        if (closed || rc == -2) {
            return -1;
        }
        throw new IOException(name + ": reading a frame failed (pcap_next_ex " + rc + "): the interface went away?");
    }

    /** When the kernel took the frame {@link #next} returned last, in microseconds since the epoch (wall clock). */
    public long timestampMicros() {
        return timestampMicros;
    }

    /** Puts a whole Ethernet frame on the wire of this interface. */
    public void send(byte[] frame, int length) throws IOException {
        try {
            handle.sendPacket(frame, length);
        } catch (PcapNativeException | NotOpenException e) {
            throw new IOException(name + ": sending a frame failed: " + e.getMessage());
        }
    }

    /** Frames the kernel dropped because the ring was full, since open. */
    public long dropped() {
        try {
            return handle.getStats().getNumPacketsDropped();
        } catch (PcapNativeException | NotOpenException e) {
            return -1;
        }
    }

    /** Wakes a blocked {@link #next}; call {@link #close} from the reading thread afterwards. */
    public void stop() {
        closed = true;
        PcapNext.pcap_breakloop(pcap);
    }

    @Override
    public void close() {
        closed = true;
        handle.close();
    }
}
