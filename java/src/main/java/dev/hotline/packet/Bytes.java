package dev.hotline.packet;

/**
 * Reads and writes of frame bytes. Big-endian ("network order") for header fields; little-endian
 * "raw" loads for checksum arithmetic, which emulates exactly what the kernel's helpers compute on
 * an x86 host, so the Java twin and the BPF program produce the same bits.
 */
public final class Bytes {
    private Bytes() {
    }

    public static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    public static int be16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    public static int be32(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }

    /** Little-endian, as capture files written on this machine store their headers. */
    public static void putLe16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    public static void putLe32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    public static void putBe16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    public static void putBe32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }

    /** The 16 bits at off as an x86 load sees them. */
    public static int raw16(byte[] b, int off) {
        return (b[off] & 0xff) | ((b[off + 1] & 0xff) << 8);
    }

    /** The 32 bits at off as an x86 load sees them. */
    public static int raw32(byte[] b, int off) {
        return (b[off] & 0xff) | ((b[off + 1] & 0xff) << 8) | ((b[off + 2] & 0xff) << 16) | ((b[off + 3] & 0xff) << 24);
    }

    public static void putRaw16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    /** A big-endian (host-order) 32-bit value as the raw bits an x86 load of its network-order bytes gives. */
    public static int rawOfBe32(int v) {
        return Integer.reverseBytes(v);
    }

    /** A 16-bit host-order value as the raw bits an x86 load of its network-order bytes gives. */
    public static int rawOfBe16(int v) {
        return ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
    }
}
