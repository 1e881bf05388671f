package dev.hotline.live;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Hands translated IPv4 packets back to the kernel through a raw socket (IP_HDRINCL): the kernel
 * routes each by its new destination, resolves the next hop (queueing behind ARP), and sends it,
 * as a router would after its own rewrite. The packets carry the notrack mark, so netfilter's
 * conntrack does not see each translated flow as two unrelated halves (hotline's "ip hotline"
 * table clears the mark and exempts them, in its output chain).
 * One per sending thread: the buffers are reused.
 */
final class RawSender implements AutoCloseable {
    private final int fd;
    private final ByteBuffer packet = ByteBuffer.allocateDirect(LiveInterface.SNAPLEN);
    private final byte[] address = new byte[16];

    RawSender(int mark) throws IOException {
        try {
            fd = Libc.socket(Libc.AF_INET, Libc.SOCK_RAW, Libc.IPPROTO_RAW);
        } catch (LastErrorException e) {
            throw new IOException("cannot open a raw IPv4 socket (needs CAP_NET_RAW): errno " + e.getErrorCode());
        }
        if (mark != 0) {
            try {
                Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_MARK, new int[] {mark}, 4);
            } catch (LastErrorException e) {
                Libc.close(fd);
                throw new IOException("cannot mark the raw socket's packets (SO_MARK needs CAP_NET_ADMIN): errno " + e.getErrorCode());
            }
        }
        address[0] = (byte) Libc.AF_INET; // sa_family, little-endian
    }

    /**
     * Sends the IPv4 packet at offset in frame (length bytes). Returns 0, or the errno the kernel
     * gave (EMSGSIZE for a packet larger than the route's MTU with DF set, ENETUNREACH, ...).
     */
    int send(byte[] frame, int offset, int length) {
        packet.clear();
        packet.put(frame, offset, length);
        packet.flip();
        // sockaddr_in: family, port 0, the destination (network order, as in the header)
        System.arraycopy(frame, offset + 16, address, 4, 4);
        try {
            Libc.sendto(fd, packet, length, 0, address, 16);
            return 0;
        } catch (LastErrorException e) {
            return e.getErrorCode();
        }
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
