package dev.hotline.replay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A pcap or pcapng capture read straight from the file, record by record, out of one buffer that
 * is refilled as it goes: no per-frame allocation and no native call per frame (pcap4j's offline
 * reader costs both, and reading dominated replay). pcap in either byte order with microsecond or
 * nanosecond timestamps; pcapng with any number of sections and interfaces of any link types, each
 * interface's timestamp resolution honoured, Enhanced, Simple and obsolete Packet Blocks. A file
 * cut short in its last record (tcpdump killed, a download cut) ends after its last whole record,
 * and {@link #cutShort()} says where.
 */
public final class CaptureFile implements AutoCloseable {
    /** An interface of the capture (pcap has one): its link type and snap length. */
    public record Interface(int linkType, int snapLength) {
    }

    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    static final int PCAPNG_SHB = 0x0A0D0D0A;
    static final int PCAPNG_IDB = 1;
    static final int PCAPNG_PB = 2;
    static final int PCAPNG_SPB = 3;
    static final int PCAPNG_EPB = 6;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    static final int OPT_TSRESOL = 9;

    private final Path path;
    private final InputStream in;
    private byte[] buf = new byte[1 << 20];
    private int start;
    private int end;
    private long consumed; // file offset of buf[0]
    private boolean eof;

    private boolean pcapng;
    private boolean bigEndian;
    private boolean nanos;
    private final List<Interface> interfaces = new ArrayList<>();
    // per interface: timestamp units per second as 10^n (exponent >= 0) or 2^n (binary)
    private final List<long[]> resolutions = new ArrayList<>();
    private int sectionBase; // the current pcapng section's interface 0 is interfaces[sectionBase]

    private int frameOffset;
    private int capturedLength;
    private int wireLength;
    private long seconds;
    private int nanoOfSecond;
    private int interfaceId;
    private String cutShort;

    private CaptureFile(Path path, InputStream in) {
        this.path = path;
        this.in = in;
    }

    public static CaptureFile open(Path file) throws ReplayInputException {
        InputStream in;
        try {
            in = Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new ReplayInputException(file + ": no such file");
        } catch (IOException e) {
            throw new ReplayInputException(file + ": cannot read: " + e.getMessage());
        }
        CaptureFile c = new CaptureFile(file, in);
        try {
            c.readHeader();
            return c;
        } catch (ReplayInputException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** Makes at least n bytes available from start; false when the file ends first. */
    private boolean need(int n) throws ReplayInputException {
        while (end - start < n) {
            if (eof) {
                return false;
            }
            if (start > 0) {
                System.arraycopy(buf, start, buf, 0, end - start);
                consumed += start;
                end -= start;
                start = 0;
            }
            if (n > buf.length) {
                byte[] bigger = new byte[Math.max(n, buf.length * 2)];
                System.arraycopy(buf, 0, bigger, 0, end);
                buf = bigger;
            }
            try {
                int r = in.read(buf, end, buf.length - end);
                if (r < 0) {
                    eof = true;
                } else {
                    end += r;
                }
            } catch (IOException e) {
                throw new ReplayInputException(path + ": cannot read: " + e.getMessage());
            }
        }
        return true;
    }

    private int u16(int off) {
        int a = buf[off] & 0xff;
        int b = buf[off + 1] & 0xff;
        return bigEndian ? (a << 8) | b : (b << 8) | a;
    }

    private int u32(int off) {
        int v = (buf[off] & 0xff) | (buf[off + 1] & 0xff) << 8 | (buf[off + 2] & 0xff) << 16 | (buf[off + 3] & 0xff) << 24;
        return bigEndian ? Integer.reverseBytes(v) : v;
    }

    private int le32(int off) {
        return (buf[off] & 0xff) | (buf[off + 1] & 0xff) << 8 | (buf[off + 2] & 0xff) << 16 | (buf[off + 3] & 0xff) << 24;
    }

    private ReplayInputException bad(String what) {
        return new ReplayInputException(path + ": " + what);
    }

    private void readHeader() throws ReplayInputException {
        if (!need(4)) {
            throw bad("not a pcap or pcapng file (too short)");
        }
        int magic = le32(start);
        if (magic == PCAPNG_SHB) {
            pcapng = true;
            nanos = true;
            return; // sections and interfaces are read as blocks by next()
        }
        if (magic == MAGIC_MICROS || magic == MAGIC_NANOS) {
            bigEndian = false;
        } else if (Integer.reverseBytes(magic) == MAGIC_MICROS || Integer.reverseBytes(magic) == MAGIC_NANOS) {
            bigEndian = true;
        } else {
            throw bad(String.format("not a pcap or pcapng file (magic 0x%08x)", magic));
        }
        if (!need(24)) {
            throw bad("not a pcap file (its header is cut short)");
        }
        nanos = u32(start) == MAGIC_NANOS;
        // the link type is the low 16 bits; the rest may carry FCS information
        interfaces.add(new Interface(u32(start + 20) & 0xffff, u32(start + 16)));
        resolutions.add(new long[] {nanos ? 9 : 6, 0});
        start += 24;
    }

    /** Advances to the next frame; false at the end of the file (or of its last whole record). */
    public boolean next() throws ReplayInputException {
        return pcapng ? nextBlock() : nextRecord();
    }

    private void cut(long at, int have, long wanted) {
        cutShort = String.format("%s is cut short in its last record (at byte %d: %d of %d bytes); every whole record "
                + "before it was replayed", path, at, have, wanted);
    }

    private boolean nextRecord() throws ReplayInputException {
        if (!need(16)) {
            if (end > start) {
                cut(consumed + start, end - start, 16);
            }
            return false;
        }
        int caplen = u32(start + 8);
        if (caplen < 0 || caplen > 1 << 28) {
            throw bad(String.format("record at byte %d claims %d bytes: not a pcap record", consumed + start, caplen & 0xffffffffL));
        }
        if (!need(16 + caplen)) {
            cut(consumed + start, end - start, 16L + caplen);
            return false;
        }
        seconds = u32(start) & 0xffffffffL;
        int fraction = u32(start + 4);
        nanoOfSecond = nanos ? fraction : fraction * 1000;
        capturedLength = caplen;
        wireLength = Math.max(u32(start + 12), caplen);
        interfaceId = 0;
        frameOffset = start + 16;
        start += 16 + caplen;
        return true;
    }

    private boolean nextBlock() throws ReplayInputException {
        while (true) {
            if (!need(12)) {
                if (end > start) {
                    cut(consumed + start, end - start, 12);
                }
                return false;
            }
            int type = le32(start);
            if (type == PCAPNG_SHB) {
                // a new section: its byte order, and interfaces numbered from 0 again
                int bom = le32(start + 8);
                if (bom == BYTE_ORDER_MAGIC) {
                    bigEndian = false;
                } else if (Integer.reverseBytes(bom) == BYTE_ORDER_MAGIC) {
                    bigEndian = true;
                } else {
                    throw bad(String.format("section header at byte %d has no byte-order magic", consumed + start));
                }
                sectionBase = interfaces.size();
            } else {
                type = u32(start);
            }
            int length = u32(start + 4);
            if (length < 12 || (length & 3) != 0 || length > 1 << 28) {
                throw bad(String.format("block at byte %d has length %d: not a pcapng block", consumed + start, length & 0xffffffffL));
            }
            if (!need(length)) {
                cut(consumed + start, end - start, length);
                return false;
            }
            int body = start + 8;
            int bodyEnd = start + length - 4;
            start += length;
            switch (type) {
                case PCAPNG_IDB -> readInterface(body, bodyEnd);
                case PCAPNG_EPB -> {
                    frame(u32(body), ((long) u32(body + 4) << 32) | (u32(body + 8) & 0xffffffffL), u32(body + 12), u32(body + 16),
                            body + 20, bodyEnd);
                    return true;
                }
                case PCAPNG_PB -> {
                    frame(u16(body), ((long) u32(body + 4) << 32) | (u32(body + 8) & 0xffffffffL), u32(body + 12), u32(body + 16),
                            body + 20, bodyEnd);
                    return true;
                }
                case PCAPNG_SPB -> {
                    int wire = u32(body);
                    Interface first = iface(0);
                    int snap = first.snapLength() == 0 ? Integer.MAX_VALUE : first.snapLength();
                    frame(0, 0, Math.min(wire, Math.min(snap, bodyEnd - body - 4)), wire, body + 4, bodyEnd);
                    return true;
                }
                default -> {
                    // name resolution, statistics, custom blocks: nothing to replay
                }
            }
        }
    }

    private Interface iface(int id) throws ReplayInputException {
        int i = sectionBase + id;
        if (id < 0 || i >= interfaces.size()) {
            throw bad(String.format("a packet names interface %d, which its section does not describe", id));
        }
        return interfaces.get(i);
    }

    private void frame(int id, long units, int caplen, int wire, int data, int limit) throws ReplayInputException {
        iface(id);
        if (caplen < 0 || data + caplen > limit) {
            throw bad(String.format("a packet block before byte %d claims %d bytes, more than it holds", consumed + start, caplen));
        }
        interfaceId = sectionBase + id;
        long[] res = resolutions.get(interfaceId);
        if (res[1] == 0) {
            long perSecond = pow10((int) res[0]);
            seconds = Long.divideUnsigned(units, perSecond);
            long fraction = Long.remainderUnsigned(units, perSecond);
            nanoOfSecond = (int) (res[0] <= 9 ? fraction * pow10(9 - (int) res[0]) : fraction / pow10((int) res[0] - 9));
        } else {
            int shift = (int) res[0];
            seconds = units >>> shift;
            long fraction = units & ((1L << shift) - 1);
            nanoOfSecond = (int) (Math.multiplyHigh(fraction << (63 - shift), 2_000_000_000L) & 0x7fffffffL);
        }
        capturedLength = caplen;
        wireLength = Math.max(wire, caplen);
        frameOffset = data;
    }

    private static long pow10(int n) {
        long v = 1;
        for (int i = 0; i < n; i++) {
            v *= 10;
        }
        return v;
    }

    private void readInterface(int body, int bodyEnd) {
        int linkType = u16(body);
        int snap = u32(body + 4);
        long exponent = 6;
        long binary = 0;
        int opt = body + 8;
        while (opt + 4 <= bodyEnd) {
            int code = u16(opt);
            int len = u16(opt + 2);
            if (code == 0) {
                break;
            }
            if (code == OPT_TSRESOL && len >= 1) {
                int v = buf[opt + 4] & 0xff;
                binary = (v & 0x80) != 0 ? 1 : 0;
                exponent = v & 0x7f;
            }
            opt += 4 + ((len + 3) & ~3);
        }
        if (binary == 1 && exponent > 62) {
            exponent = 62;
        }
        if (binary == 0 && exponent > 18) {
            exponent = 18;
        }
        interfaces.add(new Interface(linkType, snap));
        resolutions.add(new long[] {exponent, binary});
    }

    public boolean pcapng() {
        return pcapng;
    }

    /** True when the input had nanosecond timestamps (pcapng: always kept in nanoseconds). */
    public boolean nanosecondFile() {
        return nanos;
    }

    /** The interfaces read so far (pcap: the one), by the index {@link #interfaceId()} gives. */
    public List<Interface> interfaces() {
        return interfaces;
    }

    /** The buffer the current frame lies in, at {@link #frameOffset()}; valid until the next call to next(). */
    public byte[] buffer() {
        return buf;
    }

    public int frameOffset() {
        return frameOffset;
    }

    public int capturedLength() {
        return capturedLength;
    }

    /** The frame's length on the wire (at least the captured length). */
    public int wireLength() {
        return wireLength;
    }

    public long seconds() {
        return seconds;
    }

    public int nanoOfSecond() {
        return nanoOfSecond;
    }

    /** Which interface the frame came from, an index into {@link #interfaces()}. */
    public int interfaceId() {
        return interfaceId;
    }

    public int linkType() {
        return interfaces.get(interfaceId).linkType();
    }

    /** Where the file was cut short, once next() has said false; null when it ended cleanly. */
    public String cutShort() {
        return cutShort;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // read-only: nothing to lose
        }
    }
}
