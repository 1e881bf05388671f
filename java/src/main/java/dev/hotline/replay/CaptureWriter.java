package dev.hotline.replay;

import java.io.IOException;

/** Where replayed frames go: classic pcap ({@link PcapWriter}) or pcapng ({@link PcapngWriter}). */
public interface CaptureWriter extends AutoCloseable {
    /**
     * One record: length bytes of frame from offset, its length on the wire, the time, and the input
     * interface it belongs with (an index into the reader's interfaces).
     */
    void write(int interfaceId, byte[] frame, int offset, int length, int wireLength, long seconds, int nanoOfSecond)
            throws IOException;

    @Override
    void close() throws IOException;
}
