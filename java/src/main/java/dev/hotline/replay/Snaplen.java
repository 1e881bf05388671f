package dev.hotline.replay;

/**
 * Frames a capture cut at its snap length (tcpdump -s 96, say): the headers are whole, the payload
 * is not, so the IPv4 total length (and a UDP length) claim more than the frame holds, and a
 * dataplane would pass the frame as inconsistent. Translation never needs the payload (checksums
 * are adjusted, never recomputed), so the lengths are made to match what was captured for the
 * dataplane, and put back after: the frame leaves translated with its own lengths, and keeps its
 * wire length in the output. The checksums are not touched either way: the dataplanes only add
 * deltas to them, and the lengths come back as they were.
 *
 * One per replay: it keeps the current frame's lengths between {@link #shorten} and {@link #restore}.
 */
final class Snaplen {
    private int totalLength = -1;
    private int udpLengthAt = -1;
    private int udpLength;

    /** Shortens the length fields of the Ethernet frame in buf (length bytes); true when it did. */
    boolean shorten(byte[] buf, int length) {
        totalLength = -1;
        udpLengthAt = -1;
        if (length < 14 + 20 || (buf[12] & 0xff) != 0x08 || buf[13] != 0x00 || (buf[14] & 0xf0) != 0x40) {
            return false;
        }
        int l3 = length - 14;
        int tot = ((buf[16] & 0xff) << 8) | (buf[17] & 0xff);
        if (tot <= l3) {
            return false;
        }
        totalLength = tot;
        buf[16] = (byte) (l3 >>> 8);
        buf[17] = (byte) l3;
        int ihl = (buf[14] & 0x0f) * 4;
        boolean firstFragment = (((buf[20] & 0x1f) << 8) | (buf[21] & 0xff)) == 0;
        if (buf[23] == 17 && firstFragment && 14 + ihl + 8 <= length) {
            int at = 14 + ihl + 4;
            int udp = ((buf[at] & 0xff) << 8) | (buf[at + 1] & 0xff);
            int room = l3 - ihl;
            if (udp > room) {
                udpLengthAt = at;
                udpLength = udp;
                buf[at] = (byte) (room >>> 8);
                buf[at + 1] = (byte) room;
            }
        }
        return true;
    }

    /** Puts back the lengths {@link #shorten} changed (the headers stay where they were: translation moves none). */
    void restore(byte[] buf) {
        if (totalLength >= 0) {
            buf[16] = (byte) (totalLength >>> 8);
            buf[17] = (byte) totalLength;
        }
        if (udpLengthAt >= 0) {
            buf[udpLengthAt] = (byte) (udpLength >>> 8);
            buf[udpLengthAt + 1] = (byte) udpLength;
        }
    }
}
