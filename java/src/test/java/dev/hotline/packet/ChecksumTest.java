package dev.hotline.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumTest {

    /** A frame's TCP or UDP checksum verifies when the one's-complement sum over pseudo-header and segment is 0xffff. */
    static boolean l4Valid(byte[] f) {
        int ihl = (f[Frame.IP_VIHL] & 0xf) * 4;
        int total = Bytes.be16(f, Frame.IP_TOT_LEN);
        int l4 = Frame.ETH_HLEN + ihl;
        int proto = Bytes.u8(f, Frame.IP_PROTO);
        int saddr = Bytes.be32(f, Frame.IP_SADDR);
        int daddr = Bytes.be32(f, Frame.IP_DADDR);
        return Checksum.sum(f, l4, total - ihl, Checksum.pseudoHeader(saddr, daddr, proto, total - ihl)) == 0xffff;
    }

    static boolean ipValid(byte[] f) {
        int ihl = (f[Frame.IP_VIHL] & 0xf) * 4;
        return Checksum.sum(f, Frame.IP, ihl, 0) == 0xffff;
    }

    @Test
    void builtFramesHaveValidChecksums() {
        byte[] t = FrameBuilder.tcp().from("10.1.1.10", 40000).to("10.96.100.200", 80).flags(Frame.TCP_SYN).seq(7).build();
        byte[] u = FrameBuilder.udp().from("10.1.1.10", 5353).to("10.96.0.10", 53).payload("query").build();
        assertThat(ipValid(t)).isTrue();
        assertThat(l4Valid(t)).isTrue();
        assertThat(ipValid(u)).isTrue();
        assertThat(l4Valid(u)).isTrue();
    }

    @Test
    void kernelStyleIncrementalUpdatesKeepChecksumsValid() {
        Random rnd = new Random(1624);
        for (int i = 0; i < 20_000; i++) {
            boolean tcp = rnd.nextBoolean();
            FrameBuilder b = (tcp ? FrameBuilder.tcp() : FrameBuilder.udp())
                    .from(rnd.nextInt(), rnd.nextInt(65536)).to(rnd.nextInt(), rnd.nextInt(65536))
                    .seq(rnd.nextInt()).ack(rnd.nextInt()).id(rnd.nextInt(65536)).ttl(1 + rnd.nextInt(255));
            byte[] payload = new byte[rnd.nextInt(40)];
            rnd.nextBytes(payload);
            byte[] f = b.payload(payload).build();
            int l4 = Frame.ETH_HLEN + Frame.IP_MIN_HLEN;
            int csum = l4 + (tcp ? Frame.TCP_CSUM : Frame.UDP_CSUM);
            int newIp = rnd.nextInt();
            int newPort = rnd.nextInt(65536);
            int from = Bytes.raw32(f, Frame.IP_DADDR);
            int to = Bytes.rawOfBe32(newIp);
            Checksum.l3Replace4(f, Frame.IP_CSUM, from, to);
            Checksum.l4Replace(f, csum, from, to, !tcp);
            Bytes.putBe32(f, Frame.IP_DADDR, newIp);
            int pf = Bytes.raw16(f, l4 + Frame.L4_DPORT);
            Checksum.l4Replace(f, csum, pf, Bytes.rawOfBe16(newPort), !tcp);
            Bytes.putBe16(f, l4 + Frame.L4_DPORT, newPort);
            assertThat(ipValid(f)).as("IP checksum, case %d", i).isTrue();
            assertThat(l4Valid(f)).as("L4 checksum, case %d", i).isTrue();
        }
    }

    @Test
    void aZeroUdpChecksumStaysZero() {
        byte[] f = FrameBuilder.udp().from("10.1.1.10", 5353).to("10.96.0.10", 53).withoutUdpChecksum().build();
        int csum = Frame.ETH_HLEN + Frame.IP_MIN_HLEN + Frame.UDP_CSUM;
        Checksum.l4Replace(f, csum, Bytes.raw32(f, Frame.IP_DADDR), Bytes.rawOfBe32(0x0a010105), true);
        assertThat(Bytes.be16(f, csum)).isZero();
    }
}
