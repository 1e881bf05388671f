package dev.hotline.packet;

/**
 * Internet checksum updates exactly as the kernel makes them for bpf_l3_csum_replace and
 * bpf_l4_csum_replace (csum_replace4 / inet_proto_csum_replace4 on a frame that is not
 * CHECKSUM_PARTIAL), on raw little-endian values. Mirroring the kernel's arithmetic step by step,
 * rather than only its mathematics, is what lets both dataplanes agree bit for bit, including
 * which of the two one's-complement zeros a result ends up as.
 */
public final class Checksum {
    /** What BPF_F_MARK_MANGLED_0 writes instead of a computed 0, so a UDP checksum never turns into "none". */
    static final int CSUM_MANGLED_0 = 0xffff;

    private Checksum() {
    }

    static int csumAdd(int csum, int addend) {
        int res = csum + addend;
        return res + (Integer.compareUnsigned(res, addend) < 0 ? 1 : 0);
    }

    static int csumSub(int csum, int addend) {
        return csumAdd(csum, ~addend);
    }

    static int csumFold(int sum) {
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        return ~sum & 0xffff;
    }

    /** csum_replace4: the 16-bit raw checksum at off, updated for a 32-bit raw field changing from -> to. */
    static void replace4(byte[] frame, int off, int fromRaw, int toRaw) {
        int sum = Bytes.raw16(frame, off);
        int tmp = csumSub(~sum, fromRaw);
        Bytes.putRaw16(frame, off, csumFold(csumAdd(tmp, toRaw)));
    }

    /** bpf_l3_csum_replace(skb, off, from, to, 4). */
    public static void l3Replace4(byte[] frame, int csumOff, int fromRaw, int toRaw) {
        replace4(frame, csumOff, fromRaw, toRaw);
    }

    /**
     * bpf_l4_csum_replace(skb, off, from, to, size | flags): size 2 or 4 (a 2-byte field is widened,
     * as inet_proto_csum_replace2 does); with markMangledZero (UDP) a zero checksum is left alone
     * and a computed zero becomes 0xffff.
     */
    public static void l4Replace(byte[] frame, int csumOff, int fromRaw, int toRaw, boolean markMangledZero) {
        if (markMangledZero && Bytes.raw16(frame, csumOff) == 0) {
            return;
        }
        replace4(frame, csumOff, fromRaw, toRaw);
        if (markMangledZero && Bytes.raw16(frame, csumOff) == 0) {
            Bytes.putRaw16(frame, csumOff, CSUM_MANGLED_0);
        }
    }

    /**
     * The one's-complement sum of len bytes as big-endian 16-bit words (an odd last byte is padded
     * with zero), added to initial; not folded. Used to build checksums of frames we generate.
     */
    public static int sum(byte[] b, int off, int len, int initial) {
        long s = initial & 0xffffffffL;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            s += Bytes.be16(b, off + i);
        }
        if (i < len) {
            s += (b[off + i] & 0xff) << 8;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** The folded one's-complement sum of a TCP/UDP pseudo header (host-order addresses). */
    public static int pseudoHeader(int saddr, int daddr, int proto, int l4Length) {
        long s = (saddr >>> 16) + (saddr & 0xffff) + (daddr >>> 16) + (daddr & 0xffff) + proto + l4Length;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** The checksum field value (host order) for a folded sum. */
    public static int finish(int folded) {
        return ~folded & 0xffff;
    }
}
