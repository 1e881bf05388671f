package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import dev.hotline.replay.PcapWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outside decoder must be able to say no: a frame with a broken checksum fails the check. */
class TsharkTest {

    @Test
    void aBrokenTcpChecksumIsCaught(@TempDir Path dir) throws Exception {
        Tshark.require();
        byte[] good = FrameBuilder.tcp().from("10.1.1.10", 1).to("10.1.1.5", 2).flags(Frame.TCP_SYN).build();
        byte[] bad = good.clone();
        bad[14 + 20 + 16] ^= 0x5a;
        Path ok = dir.resolve("ok.pcap");
        Path broken = dir.resolve("broken.pcap");
        try (PcapWriter w = new PcapWriter(ok, false)) {
            w.write(good, good.length, good.length, 1, 0);
        }
        try (PcapWriter w = new PcapWriter(broken, false)) {
            w.write(good, good.length, good.length, 1, 0);
            w.write(bad, bad.length, bad.length, 2, 0);
        }
        Tshark.assertChecksumsValid(ok, 1);
        assertThat(Tshark.decode(broken).get(1).tcpChecksum()).isEqualTo("0");
        assertThatThrownBy(() -> Tshark.assertChecksumsValid(broken, 2)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("bad checksum in frame 2");
    }
}
