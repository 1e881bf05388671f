package dev.hotline.replay;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes pcapng: one section, the input's interfaces in their order (link type and snap length
 * kept; timestamps in nanoseconds, said by if_tsresol), and an Enhanced Packet Block per frame on
 * the interface it came from. An interface's description is written before its first packet, as
 * the reader meets them. Little-endian, nothing allocated per frame.
 */
public final class PcapngWriter implements CaptureWriter {
    private final OutputStream out;
    private final List<CaptureFile.Interface> interfaces;
    private int described;
    private final byte[] block = new byte[28];
    private static final byte[] PAD = new byte[4];

    /** interfaces: the reader's live list, which grows as it reads. */
    public PcapngWriter(Path file, List<CaptureFile.Interface> interfaces) throws IOException {
        this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        this.interfaces = interfaces;
        byte[] shb = new byte[28];
        dev.hotline.packet.Bytes.putLe32(shb, 0, CaptureFile.PCAPNG_SHB);
        dev.hotline.packet.Bytes.putLe32(shb, 4, 28);
        dev.hotline.packet.Bytes.putLe32(shb, 8, CaptureFile.BYTE_ORDER_MAGIC);
        dev.hotline.packet.Bytes.putLe16(shb, 12, 1);
        dev.hotline.packet.Bytes.putLe16(shb, 14, 0);
        dev.hotline.packet.Bytes.putLe32(shb, 16, -1); // section length not given
        dev.hotline.packet.Bytes.putLe32(shb, 20, -1);
        dev.hotline.packet.Bytes.putLe32(shb, 24, 28);
        out.write(shb);
    }

    private void describeUpTo(int interfaceId) throws IOException {
        while (described <= interfaceId) {
            CaptureFile.Interface i = interfaces.get(described++);
            byte[] idb = new byte[32];
            dev.hotline.packet.Bytes.putLe32(idb, 0, CaptureFile.PCAPNG_IDB);
            dev.hotline.packet.Bytes.putLe32(idb, 4, 32);
            dev.hotline.packet.Bytes.putLe16(idb, 8, i.linkType());
            dev.hotline.packet.Bytes.putLe32(idb, 12, i.snapLength());
            dev.hotline.packet.Bytes.putLe16(idb, 16, CaptureFile.OPT_TSRESOL);
            dev.hotline.packet.Bytes.putLe16(idb, 18, 1);
            idb[20] = 9; // nanoseconds
            // 3 bytes of padding, then opt_endofopt (4 zero bytes), then the trailing length
            dev.hotline.packet.Bytes.putLe32(idb, 28, 32);
            out.write(idb);
        }
    }

    @Override
    public void write(int interfaceId, byte[] frame, int offset, int length, int wireLength, long seconds, int nanoOfSecond)
            throws IOException {
        describeUpTo(interfaceId);
        int padded = (length + 3) & ~3;
        int total = 32 + padded;
        long units = seconds * 1_000_000_000L + nanoOfSecond;
        dev.hotline.packet.Bytes.putLe32(block, 0, CaptureFile.PCAPNG_EPB);
        dev.hotline.packet.Bytes.putLe32(block, 4, total);
        dev.hotline.packet.Bytes.putLe32(block, 8, interfaceId);
        dev.hotline.packet.Bytes.putLe32(block, 12, (int) (units >>> 32));
        dev.hotline.packet.Bytes.putLe32(block, 16, (int) units);
        dev.hotline.packet.Bytes.putLe32(block, 20, length);
        dev.hotline.packet.Bytes.putLe32(block, 24, Math.max(length, wireLength));
        out.write(block, 0, 28);
        out.write(frame, offset, length);
        out.write(PAD, 0, padded - length);
        dev.hotline.packet.Bytes.putLe32(block, 0, total);
        out.write(block, 0, 4);
    }



    @Override
    public void close() throws IOException {
        out.close();
    }
}
