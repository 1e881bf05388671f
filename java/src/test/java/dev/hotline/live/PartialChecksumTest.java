package dev.hotline.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.packet.Bytes;
import dev.hotline.packet.Checksum;
import dev.hotline.packet.FrameBuilder;
import org.junit.jupiter.api.Test;

/** A checksum left for offload is recognised and finished; a finished one is left alone. */
class PartialChecksumTest {
    @Test
    void anUnfinishedTcpChecksumIsFoundAndFinishedToTheRightValue() {
        byte[] f = java.util.Arrays.copyOf(FrameBuilder.tcp().from("10.244.1.10", 40000).to("10.244.1.2", 8080)
                .payload("hello".getBytes()).build(), 128);
        int len = 14 + 20 + 20 + 5;
        int field = 14 + 20 + 16;
        int right = Bytes.be16(f, field);
        assertThat(PartialChecksum.unfinished(f, len)).as("a finished checksum").isEqualTo(-1);
        // what a sender's stack leaves for the NIC: the pseudo-header sum alone
        int pseudo = Checksum.pseudoHeader(Bytes.be32(f, 26), Bytes.be32(f, 30), 6, 25);
        f[field] = (byte) (pseudo >>> 8);
        f[field + 1] = (byte) pseudo;
        assertThat(PartialChecksum.unfinished(f, len)).isEqualTo(field);
        PartialChecksum.finish(f, len, field);
        assertThat(Bytes.be16(f, field)).isEqualTo(right);
    }

    @Test
    void udpWithoutChecksumAndFragmentsAreLeftAlone() {
        byte[] udp = java.util.Arrays.copyOf(FrameBuilder.udp().from("10.244.1.10", 40000).to("10.244.1.2", 53).build(), 128);
        udp[14 + 20 + 6] = 0;
        udp[14 + 20 + 7] = 0;
        assertThat(PartialChecksum.unfinished(udp, 42)).isEqualTo(-1);
        byte[] frag = java.util.Arrays.copyOf(FrameBuilder.tcp().from("10.244.1.10", 40000).to("10.244.1.2", 8080).build(), 128);
        frag[14 + 6] = 0x20; // more fragments
        assertThat(PartialChecksum.unfinished(frag, 54)).isEqualTo(-1);
    }
}
