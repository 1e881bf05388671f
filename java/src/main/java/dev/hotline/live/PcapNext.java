package dev.hotline.live;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * libpcap's pcap_next_ex, bound directly (JNA direct mapping: no proxy, no allocation per call).
 * pcap4j's own read calls return a fresh array per frame; a live dataplane reads millions of
 * frames, so frames are copied from libpcap's ring into the caller's one buffer instead.
 */
final class PcapNext {
    static {
        dev.hotline.replay.LibpcapLocator.configure();
        String lib = System.getProperty("org.pcap4j.core.pcapLibName", "pcap");
        Native.register(PcapNext.class, NativeLibrary.getInstance(lib));
    }

    private PcapNext() {
    }

    /** 1 a frame, 0 the timeout passed, -1 an error, -2 pcap_breakloop; header and data receive pointers. */
    static native int pcap_next_ex(Pointer pcap, long[] header, long[] data);

    /** The descriptor to poll for frames. */
    static native int pcap_get_selectable_fd(Pointer pcap);

    /** Makes a blocked pcap_next_ex return -2 (from another thread). */
    static native void pcap_breakloop(Pointer pcap);

    /** A pointer moved over libpcap's memory instead of made anew for every frame. */
    static final class Cursor extends Pointer {
        Cursor() {
            super(0);
        }

        Cursor at(long address) {
            this.peer = address;
            return this;
        }
    }
}
