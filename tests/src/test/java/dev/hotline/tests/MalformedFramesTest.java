package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.dataplane.Reason;
import dev.hotline.packet.Bytes;
import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every malformed class passes unchanged (or drops) with its reason counted, on every dataplane,
 * never an exception: truncation at every byte, bad IHL, total length beyond the frame, fragments,
 * VLAN, ARP, IPv6, inconsistent TCP and UDP headers. All of them are addressed to a real frontend,
 * so a parser that read past a check would translate them.
 */
class MalformedFramesTest {
    static final byte[] SYN = FrameBuilder.tcp().from("10.1.1.10", 40000).to("10.96.0.10", 80).flags(Frame.TCP_SYN).build();
    static final byte[] UDP = FrameBuilder.udp().from("10.1.1.10", 5000).to("10.96.0.53", 53).payload("query").build();

    record Case(String name, byte[] frame, Reason reason) {
    }

    static byte[] with(byte[] f, int off, int value) {
        byte[] g = f.clone();
        g[off] = (byte) value;
        return g;
    }

    static byte[] withBe16(byte[] f, int off, int value) {
        byte[] g = f.clone();
        Bytes.putBe16(g, off, value);
        return g;
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (int len = 0; len < SYN.length; len++) {
            Reason expected = len < 14 + 20 ? Reason.TRUNCATED : Reason.BAD_TOTAL_LENGTH;
            cases.add(new Case("SYN truncated to " + len, Arrays.copyOf(SYN, len), expected));
        }
        for (int len = 34; len < UDP.length; len++) {
            cases.add(new Case("UDP truncated to " + len, Arrays.copyOf(UDP, len), Reason.BAD_TOTAL_LENGTH));
        }
        // headers that claim less than they need, with the total length telling the truth about the frame
        cases.add(new Case("TCP header shorter than 20", withBe16(Arrays.copyOf(SYN, 14 + 20 + 12), Frame.IP_TOT_LEN, 32), Reason.TRUNCATED));
        cases.add(new Case("UDP header shorter than 8", withBe16(Arrays.copyOf(UDP, 14 + 20 + 4), Frame.IP_TOT_LEN, 24), Reason.TRUNCATED));
        cases.add(new Case("IHL 4", with(SYN, Frame.IP_VIHL, 0x44), Reason.BAD_IP_HEADER));
        cases.add(new Case("IHL 0", with(SYN, Frame.IP_VIHL, 0x40), Reason.BAD_IP_HEADER));
        cases.add(new Case("IPv6 version nibble in an IPv4 EtherType", with(SYN, Frame.IP_VIHL, 0x65), Reason.BAD_IP_HEADER));
        cases.add(new Case("IHL 15 beyond the frame", with(SYN, Frame.IP_VIHL, 0x4f), Reason.TRUNCATED));
        cases.add(new Case("IHL 15 above the total length", with(Arrays.copyOf(SYN, 100), Frame.IP_VIHL, 0x4f), Reason.BAD_TOTAL_LENGTH));
        cases.add(new Case("total length beyond the frame", withBe16(SYN, Frame.IP_TOT_LEN, 41), Reason.BAD_TOTAL_LENGTH));
        cases.add(new Case("total length below the header", withBe16(SYN, Frame.IP_TOT_LEN, 19), Reason.BAD_TOTAL_LENGTH));
        // (a first fragment is translated like any packet: ServiceScenariosTest)
        cases.add(new Case("non-first fragment before its first", withBe16(SYN, Frame.IP_FRAG, 0x0010), Reason.FRAGMENT));
        cases.add(new Case("fragment of ICMP", withBe16(with(SYN, Frame.IP_PROTO, 1), Frame.IP_FRAG, 0x2000), Reason.FRAGMENT));
        cases.add(new Case("TCP data offset 4", with(SYN, 14 + 20 + 12, 0x40), Reason.BAD_L4_HEADER));
        cases.add(new Case("TCP data offset beyond the segment", with(SYN, 14 + 20 + 12, 0xf0), Reason.BAD_L4_HEADER));
        cases.add(new Case("UDP length 7", withBe16(UDP, 14 + 20 + 4, 7), Reason.BAD_L4_HEADER));
        cases.add(new Case("UDP length beyond the datagram", withBe16(UDP, 14 + 20 + 4, 200), Reason.BAD_L4_HEADER));
        byte[] vlan = new byte[SYN.length + 4];
        System.arraycopy(SYN, 0, vlan, 0, 12);
        Bytes.putBe16(vlan, 12, 0x8100);
        Bytes.putBe16(vlan, 14, 100);
        System.arraycopy(SYN, 12, vlan, 16, SYN.length - 12);
        cases.add(new Case("VLAN-tagged", vlan, Reason.VLAN));
        byte[] arp = new byte[42];
        Bytes.putBe16(arp, 12, 0x0806);
        cases.add(new Case("ARP", arp, Reason.NOT_IPV4));
        byte[] ipv6 = new byte[14 + 40 + 20];
        Bytes.putBe16(ipv6, 12, 0x86dd);
        ipv6[14] = 0x60;
        cases.add(new Case("IPv6", ipv6, Reason.NOT_IPV4));
        byte[] sctp = with(SYN, Frame.IP_PROTO, 132);
        cases.add(new Case("SCTP (not TCP, UDP or ICMP)", sctp, Reason.OTHER_PROTOCOL));
        return cases;
    }

    @Test
    void everyMalformedClassPassesUnchangedWithItsReason() throws Exception {
        List<Case> cases = cases();
        Scenario s = new Scenario(Cluster.base());
        for (int i = 0; i < cases.size(); i++) {
            s.frame(i, cases.get(i).frame());
        }
        List<Scenario.Out> out = s.run();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            assertThat(out.get(i).verdict()).as(c.name()).isEqualTo("pass");
            assertThat(out.get(i).result().reason).as(c.name()).isEqualTo(c.reason());
            assertThat(out.get(i).frame()).as(c.name()).isEqualTo(c.frame());
        }
    }

    @Test
    void randomBytesNeverThrow() throws Exception {
        java.util.Random rnd = new java.util.Random(7);
        Scenario s = new Scenario(Cluster.base());
        for (int i = 0; i < 2000; i++) {
            byte[] f = new byte[rnd.nextInt(120)];
            rnd.nextBytes(f);
            if (f.length > 14 && rnd.nextBoolean()) {
                Bytes.putBe16(f, 12, 0x0800);
                f[14] = (byte) (0x45 + rnd.nextInt(3));
            }
            s.frame(i, f);
        }
        List<Scenario.Out> out = s.run();
        assertThat(out).hasSize(2000);
    }
}
