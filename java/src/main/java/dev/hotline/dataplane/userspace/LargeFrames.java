package dev.hotline.dataplane.userspace;

import dev.hotline.dataplane.PacketResult;
import dev.hotline.dataplane.Verdict;
import dev.hotline.packet.Bytes;
import dev.hotline.packet.Frame;

/**
 * Frames longer than BPF_PROG_TEST_RUN takes (segmentation-offload frames in a capture: tens of
 * kilobytes) still go through the kernel program, shortened. Nothing the program decides or
 * writes depends on the payload: it reads headers, updates checksums by difference and keeps
 * conntrack by tuple and flags. So the program gets the first {@link #SHORTENED} bytes with the
 * IPv4 (and UDP) length fields shortened to match, which gives it the same verdict and the same
 * conntrack effect, and its rewritten headers are put back on the whole frame with the true
 * lengths. Checksums come out right for the whole frame because they were only ever adjusted.
 * Rejects are the exception (a RST's ack and an ICMP quote depend on the real lengths): their
 * reply is built here from the whole frame, by the same code that builds it in the twin.
 * Only well-formed frames are shortened (shortening would "repair" a bad length); the rest pass,
 * with the reason the packet path gives them, decided here by the twin's own parser.
 * One instance per dataplane; not thread-safe.
 */
public final class LargeFrames {
    /** Enough for every header the program reads: Ethernet, IPv4 with options, TCP with options, an ICMP quote. */
    public static final int SHORTENED = 1024;

    private final Packet packet = new Packet();

    /**
     * Copies the head of a well-formed frame into {@code into} (at least SHORTENED bytes) with
     * its lengths shortened to match. Returns the shortened length, or -1 when the frame passes
     * unchanged; r then holds that verdict and reason.
     */
    public int shorten(byte[] frame, int length, byte[] into, PacketResult r) {
        if (packet.parse(frame, length, r) == Packet.PASS) {
            r.verdict = Verdict.PASS;
            return -1;
        }
        // the datagram's length as parsed (a BIG TCP frame says 0 in its header)
        int n = Math.min(SHORTENED, packet.l4 + packet.l4Length);
        System.arraycopy(frame, 0, into, 0, n);
        Bytes.putBe16(into, Frame.IP_TOT_LEN, n - Frame.ETH_HLEN);
        if (packet.udp) {
            int udpLength = Bytes.be16(frame, packet.l4 + Frame.UDP_LEN);
            Bytes.putBe16(into, packet.l4 + Frame.UDP_LEN, Math.min(udpLength, n - packet.l4));
        }
        return n;
    }

    /**
     * The program's rewritten head (n bytes of {@code translated}) onto the whole frame, with the
     * frame's own length fields. Call right after {@link #shorten} of the same frame.
     */
    public void lengthen(byte[] translated, int n, byte[] frame) {
        int total = Bytes.be16(frame, Frame.IP_TOT_LEN);
        int udpLength = packet.udp ? Bytes.be16(frame, packet.l4 + Frame.UDP_LEN) : 0;
        System.arraycopy(translated, 0, frame, 0, n);
        Bytes.putBe16(frame, Frame.IP_TOT_LEN, total);
        if (packet.udp) {
            Bytes.putBe16(frame, packet.l4 + Frame.UDP_LEN, udpLength);
        }
    }

    /** The reject reply to the whole frame, written over it; r.length is the reply's length. */
    public void reject(byte[] frame, int length, PacketResult r) {
        packet.parse(frame, length, r);
        Reject.reply(frame, packet, r);
    }
}
