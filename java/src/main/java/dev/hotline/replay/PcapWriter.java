package dev.hotline.replay;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes classic pcap of one link type, microsecond or nanosecond timestamps. Written here
 * rather than through libpcap's dumper because that one needs a fresh array and Timestamp per frame;
 * this one writes a record straight from the frame buffer, so replay allocates nothing per frame.
 */
public final class PcapWriter implements CaptureWriter {
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    static final int LINKTYPE_ETHERNET = 1;
    static final int SNAPLEN = 262144;

    private final OutputStream out;
    private final boolean nanos;
    private final byte[] header = new byte[16];

    public PcapWriter(Path file, boolean nanos) throws IOException {
        this(file, nanos, LINKTYPE_ETHERNET);
    }

    public PcapWriter(Path file, boolean nanos, int linkType) throws IOException {
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        this.nanos = nanos;
        byte[] h = new byte[24];
        dev.hotline.packet.Bytes.putLe32(h, 0, nanos ? MAGIC_NANOS : MAGIC_MICROS);
        dev.hotline.packet.Bytes.putLe16(h, 4, 2);
        dev.hotline.packet.Bytes.putLe16(h, 6, 4);
        dev.hotline.packet.Bytes.putLe32(h, 16, SNAPLEN);
        dev.hotline.packet.Bytes.putLe32(h, 20, linkType);
        out.write(h);
    }

    /** One record: length bytes of frame, the original on-the-wire length, at the given time. */
    public void write(byte[] frame, int length, int originalLength, long seconds, int nanoOfSecond) throws IOException {
        write(0, frame, 0, length, originalLength, seconds, nanoOfSecond);
    }

    @Override
    public void write(int interfaceId, byte[] frame, int offset, int length, int wireLength, long seconds, int nanoOfSecond)
            throws IOException {
        dev.hotline.packet.Bytes.putLe32(header, 0, (int) seconds);
        dev.hotline.packet.Bytes.putLe32(header, 4, nanos ? nanoOfSecond : nanoOfSecond / 1000);
        dev.hotline.packet.Bytes.putLe32(header, 8, length);
        dev.hotline.packet.Bytes.putLe32(header, 12, Math.max(length, wireLength));
        out.write(header);
        out.write(frame, offset, length);
    }



    @Override
    public void close() throws IOException {
        out.close();
    }
}
