package dev.hotline.replay;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.Timestamp;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * Reads a pcap or pcapng capture of Ethernet frames through pcap4j (libpcap), with nanosecond
 * timestamps whatever the file holds. Replay reads with {@link CaptureFile} now; this reader stays
 * as libpcap's own view of a file, which the tests use to read what replay wrote with a decoder
 * that is not hotline's. Problems come out as {@link ReplayInputException}, one line each.
 */
public final class CaptureReader implements AutoCloseable {
    static final String NO_LIBPCAP = LibpcapLocator.MISSING;

    private final PcapHandle handle;
    private final boolean nanosecondFile;
    private byte[] frame;
    private long seconds;
    private int nanoOfSecond;
    private int originalLength;

    private CaptureReader(PcapHandle handle, boolean nanosecondFile) {
        this.handle = handle;
        this.nanosecondFile = nanosecondFile;
    }

    public static CaptureReader open(Path file) throws ReplayInputException {
        boolean nanos;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            if (magic.length < 4) {
                throw new ReplayInputException(file + ": not a pcap or pcapng file (too short)");
            }
            int le = (magic[0] & 0xff) | (magic[1] & 0xff) << 8 | (magic[2] & 0xff) << 16 | (magic[3] & 0xff) << 24;
            int be = Integer.reverseBytes(le);
            nanos = le == PcapWriter.MAGIC_NANOS || be == PcapWriter.MAGIC_NANOS || le == 0x0a0d0d0a;
        } catch (NoSuchFileException e) {
            throw new ReplayInputException(file + ": no such file");
        } catch (IOException e) {
            throw new ReplayInputException(file + ": cannot read: " + e.getMessage());
        }
        LibpcapLocator.configure();
        PcapHandle h;
        try {
            h = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
        } catch (PcapNativeException e) {
            String message = e.getMessage() == null ? "" : e.getMessage().replaceAll("\\s+", " ").trim();
            // pcap4j's words when libpcap could not be loaded at all: a function name, not a reason
            if (message.contains("is not supported by the pcap library")) {
                throw new ReplayInputException(NO_LIBPCAP);
            }
            throw new ReplayInputException(file + ": " + message);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new ReplayInputException(NO_LIBPCAP);
        }
        if (!DataLinkType.EN10MB.equals(h.getDlt())) {
            String dlt = h.getDlt().toString();
            h.close();
            throw new ReplayInputException(file + ": link type " + dlt + " is not supported; hotline replays Ethernet captures");
        }
        return new CaptureReader(h, nanos);
    }

    /** True when the input had nanosecond timestamps, so the output should too. */
    public boolean nanosecondFile() {
        return nanosecondFile;
    }

    /** Advances to the next frame; false at the end of the file. */
    public boolean next() throws ReplayInputException {
        try {
            frame = handle.getNextRawPacketEx();
            Timestamp ts = handle.getTimestamp();
            seconds = Math.floorDiv(ts.getTime(), 1000);
            nanoOfSecond = ts.getNanos();
            Integer orig = handle.getOriginalLength();
            originalLength = orig == null ? frame.length : orig;
            return true;
        } catch (EOFException e) {
            return false;
        } catch (PcapNativeException e) {
            throw new ReplayInputException("reading the capture: " + e.getMessage().replaceAll("\\s+", " ").trim());
        } catch (java.util.concurrent.TimeoutException | NotOpenException e) {
            throw new ReplayInputException("reading the capture: " + e);
        }
    }

    public byte[] frame() {
        return frame;
    }

    public long seconds() {
        return seconds;
    }

    public int nanoOfSecond() {
        return nanoOfSecond;
    }

    public int originalLength() {
        return originalLength;
    }

    @Override
    public void close() {
        handle.close();
    }
}
