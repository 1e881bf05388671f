package dev.hotline.live;

import dev.hotline.packet.Bytes;
import dev.hotline.packet.Checksum;

/**
 * Segmentation offload done in software. With TSO, GSO or GRO on, a TCP "frame" a tap copies can
 * be a super-segment of up to 64 KB that the NIC (or the stack, later) would have cut to the MTU;
 * a raw socket refuses anything past the route's MTU. So a TCP datagram longer than the MTU is cut
 * here, as the NIC would: the same headers on each piece, sequence numbers advanced, IP IDs counted
 * up, FIN and PSH on the last piece only, CWR on the first only, each checksum computed whole.
 * One per sending thread: the piece buffer is reused.
 */
final class Segmenter {
    private final byte[] piece = new byte[65_535];

    /** How many pieces the datagram at 14 in frame (datagram bytes long) went out as; errno of the first failed send in failed[0]. */
    int send(byte[] frame, int datagram, int mtu, RawSender sender, int[] failed) {
        int ihl = (frame[14] & 0xf) * 4;
        int l4 = 14 + ihl;
        int thl = ((frame[l4 + 12] & 0xff) >>> 4) * 4;
        int headers = ihl + thl;
        int payload = datagram - headers;
        int mss = mtu - headers;
        if (mss <= 0 || payload <= 0) {
            failed[0] = sender.send(frame, 14, datagram);
            return 1;
        }
        long seq = Bytes.be32(frame, l4 + 4) & 0xffffffffL;
        int id = Bytes.be16(frame, 14 + 4);
        int flags = frame[l4 + 13] & 0xff;
        int saddr = Bytes.be32(frame, 14 + 12);
        int daddr = Bytes.be32(frame, 14 + 16);
        int pieces = 0;
        failed[0] = 0;
        for (int off = 0; off < payload; off += mss) {
            int n = Math.min(mss, payload - off);
            boolean last = off + n >= payload;
            System.arraycopy(frame, 14, piece, 0, headers);
            System.arraycopy(frame, 14 + headers + off, piece, headers, n);
            putBe16(piece, 2, headers + n);
            putBe16(piece, 4, (id + pieces) & 0xffff);
            long s = (seq + off) & 0xffffffffL;
            piece[ihl + 4] = (byte) (s >>> 24);
            piece[ihl + 5] = (byte) (s >>> 16);
            piece[ihl + 6] = (byte) (s >>> 8);
            piece[ihl + 7] = (byte) s;
            int f = flags;
            if (!last) {
                f &= ~0x09; // FIN, PSH: the last piece's
            }
            if (off > 0) {
                f &= ~0x80; // CWR: the first piece's
            }
            piece[ihl + 13] = (byte) f;
            piece[ihl + 16] = 0;
            piece[ihl + 17] = 0;
            int sum = Checksum.sum(piece, ihl, thl + n, Checksum.pseudoHeader(saddr, daddr, 6, thl + n));
            putBe16(piece, ihl + 16, Checksum.finish(sum));
            int errno = sender.send(piece, 0, headers + n);
            if (errno != 0 && failed[0] == 0) {
                failed[0] = errno;
            }
            pieces++;
        }
        return pieces;
    }

    private static void putBe16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }
}
