package dev.hotline.live;

import dev.hotline.packet.Bytes;
import dev.hotline.packet.Checksum;

/**
 * Frames a local pod sends arrive with their TCP or UDP checksum unfinished: the sender's stack
 * left the pseudo-header sum in the field for the (virtual) NIC to complete (checksum offload),
 * and a packet tap copies the frame before anyone does. The kernel dataplane carries the "partial"
 * state in the skb; a frame handed back through a raw socket has none, so the user-space
 * dataplane finishes such checksums itself, over the translated frame.
 *
 * A field that holds exactly the pseudo-header sum is taken as unfinished; a finished checksum
 * that happens to equal it (1 in 65 536) is computed again to the same value, so the test costs
 * nothing when it errs.
 */
final class PartialChecksum {
    private PartialChecksum() {
    }

    /** The offset of the TCP or UDP checksum of an unfragmented IPv4 frame whose field is unfinished, else -1. */
    static int unfinished(byte[] f, int len) {
        int l4 = l4(f, len);
        if (l4 < 0) {
            return -1;
        }
        int proto = f[14 + 9] & 0xff;
        int field = l4 + (proto == 6 ? 16 : 6);
        if (field + 2 > len) {
            return -1;
        }
        int l4Length = Bytes.be16(f, 14 + 2) - (l4 - 14);
        int pseudo = Checksum.pseudoHeader(Bytes.be32(f, 14 + 12), Bytes.be32(f, 14 + 16), proto, l4Length);
        int stored = Bytes.be16(f, field);
        return stored == pseudo && !(proto == 17 && stored == 0) ? field : -1;
    }

    /** Computes the checksum at field over the frame's TCP or UDP segment as it is now. */
    static void finish(byte[] f, int len, int field) {
        int l4 = l4(f, len);
        if (l4 < 0) {
            return;
        }
        int proto = f[14 + 9] & 0xff;
        int l4Length = Math.min(Bytes.be16(f, 14 + 2) - (l4 - 14), len - l4);
        f[field] = 0;
        f[field + 1] = 0;
        int sum = Checksum.sum(f, l4, l4Length, Checksum.pseudoHeader(Bytes.be32(f, 14 + 12), Bytes.be32(f, 14 + 16), proto, l4Length));
        int c = Checksum.finish(sum);
        if (c == 0 && proto == 17) {
            c = 0xffff; // UDP's zero means "no checksum"
        }
        f[field] = (byte) (c >>> 8);
        f[field + 1] = (byte) c;
    }

    /** Where the TCP or UDP header starts in an unfragmented IPv4-in-Ethernet frame, else -1. */
    private static int l4(byte[] f, int len) {
        if (len < 14 + 20 || Bytes.be16(f, 12) != 0x0800) {
            return -1;
        }
        int proto = f[14 + 9] & 0xff;
        if ((proto != 6 && proto != 17) || (Bytes.be16(f, 14 + 6) & 0x3fff) != 0) {
            return -1;
        }
        int l4 = 14 + (f[14] & 0xf) * 4;
        return l4 + 8 <= len ? l4 : -1;
    }
}
