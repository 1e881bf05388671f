package dev.hotline.replay;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * pcap4j asks JNA for "pcap", which finds libpcap.so only where the -dev package put that link.
 * Point it at the runtime library (libpcap.so.0.8 on Debian and Ubuntu) when the link is absent.
 */
public final class LibpcapLocator {
    /** What to say when libpcap cannot be loaded (live capture, --filter, CaptureReader). */
    public static final String MISSING = "reading captures needs libpcap 1.5 or newer, which this machine lacks "
            + "(apt-get install libpcap0.8, or dnf install libpcap)";

    private static final String PROPERTY = "org.pcap4j.core.pcapLibName";
    private static final String[] CANDIDATES = {
        "/usr/lib/x86_64-linux-gnu/libpcap.so", "/usr/lib/x86_64-linux-gnu/libpcap.so.1", "/usr/lib/x86_64-linux-gnu/libpcap.so.0.8",
        "/usr/lib/aarch64-linux-gnu/libpcap.so.0.8", "/usr/lib64/libpcap.so.1", "/usr/lib/libpcap.so.1", "/usr/lib/libpcap.so.0.8",
    };

    private LibpcapLocator() {
    }

    public static void configure() {
        if (System.getProperty(PROPERTY) != null) {
            return;
        }
        for (String c : CANDIDATES) {
            if (Files.exists(Path.of(c))) {
                System.setProperty(PROPERTY, c);
                return;
            }
        }
    }
}
