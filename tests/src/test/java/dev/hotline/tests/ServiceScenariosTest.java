package dev.hotline.tests;

import static dev.hotline.packet.Frame.TCP_ACK_FLAG;
import static dev.hotline.packet.Frame.TCP_PSH;
import static dev.hotline.packet.Frame.TCP_SYN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.dataplane.Verdict;
import dev.hotline.net.Ipv4;
import dev.hotline.packet.Bytes;
import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Service behaviours of the packet path that take more than one frame (replies, flows across
 * changes, closing and expiry, ICMP errors) or a look at every field (rejects), each on every
 * dataplane that runs here. Where single new flows go is in {@link PacketFlowTest}.
 */
class ServiceScenariosTest {
    static final int L4 = Frame.ETH_HLEN + 20;

    static byte[] syn(String client, int port, String dst, int dport) {
        return FrameBuilder.tcp().from(client, port).to(dst, dport).flags(TCP_SYN).seq(1000).build();
    }

    static String dst(byte[] f) {
        return new Ipv4(Bytes.be32(f, Frame.IP_DADDR)) + ":" + Bytes.be16(f, L4 + 2);
    }

    static String src(byte[] f) {
        return new Ipv4(Bytes.be32(f, Frame.IP_SADDR)) + ":" + Bytes.be16(f, L4);
    }

    /** A TCP segment answering a translated one: from where it went to where it came from. */
    static FrameBuilder fromBackend(Scenario.Out translated) {
        byte[] t = translated.frame();
        return FrameBuilder.tcp().from(Bytes.be32(t, Frame.IP_DADDR), Bytes.be16(t, L4 + 2)).to(Bytes.be32(t, Frame.IP_SADDR), Bytes.be16(t, L4));
    }

    static FrameBuilder udpFromBackend(Scenario.Out translated) {
        byte[] t = translated.frame();
        return FrameBuilder.udp().from(Bytes.be32(t, Frame.IP_DADDR), Bytes.be16(t, L4 + 2)).to(Bytes.be32(t, Frame.IP_SADDR), Bytes.be16(t, L4));
    }

    static Scenario.Out firstOf(List<Scenario.Out> outs, String verdict) {
        return outs.stream().filter(o -> o.verdict().equals(verdict)).findFirst()
                .orElseThrow(() -> new AssertionError("no frame came out as " + verdict));
    }

    @Test
    void repliesGetTheServiceAddressBack() throws Exception {
        byte[] udpQuery = FrameBuilder.udp().from("10.1.1.10", 5000).to("10.96.0.53", 53).payload("q").build();
        String body = "HTTP/1.1 200 OK\r\n\r\n";
        List<Scenario.Out> out = new Scenario(Cluster.base())
                .frame(0, syn("10.1.1.10", 40000, "10.96.0.10", 80))
                .frameFrom(1, o -> fromBackend(o.get(0)).flags(TCP_SYN | TCP_ACK_FLAG).seq(5000).ack(1001).build())
                .frameFrom(2, o -> fromBackend(o.get(0)).flags(TCP_ACK_FLAG | TCP_PSH).seq(5001).ack(1001).payload(body).build())
                .frame(3, udpQuery)
                .frameFrom(4, o -> udpFromBackend(o.get(3)).payload("answer").build())
                .run();
        assertThat(out.get(1).verdict()).isEqualTo("reverse");
        assertThat(src(out.get(1).frame())).isEqualTo("10.96.0.10:80");
        assertThat(dst(out.get(1).frame())).isEqualTo("10.1.1.10:40000");
        assertThat(out.get(2).verdict()).isEqualTo("reverse");
        assertThat(src(out.get(2).frame())).isEqualTo("10.96.0.10:80");
        // payload untouched
        assertThat(Arrays.copyOfRange(out.get(2).frame(), L4 + 20, out.get(2).frame().length))
                .isEqualTo(body.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(out.get(4).verdict()).isEqualTo("reverse");
        assertThat(src(out.get(4).frame())).isEqualTo("10.96.0.53:53");
        assertThat(dst(out.get(4).frame())).isEqualTo("10.1.1.10:5000");
    }
    @Test
    void flowsStayOnTheirBackendWhileTheSetChanges() throws Exception {
        String withThird = Cluster.base() + Cluster.pod("web-3", "10.1.1.7", "node-2", "app: web", Cluster.WEB_PORTS);
        Scenario s = new Scenario(Cluster.base());
        for (int i = 0; i < 30; i++) {
            s.frame(i, syn("10.1.1.10", 42000 + i, "10.96.0.10", 80));
        }
        s.cluster(withThird);
        for (int i = 0; i < 30; i++) {
            s.frame(100 + i, FrameBuilder.tcp().from("10.1.1.10", 42000 + i).to("10.96.0.10", 80)
                    .flags(TCP_ACK_FLAG).seq(1001).ack(1).build());
        }
        for (int i = 0; i < 30; i++) {
            s.frame(200 + i, syn("10.1.1.10", 43000 + i, "10.96.0.10", 80));
        }
        List<Scenario.Out> out = s.run();
        for (int i = 0; i < 30; i++) {
            assertThat(dst(out.get(30 + i).frame())).as("flow %d keeps its backend", i).isEqualTo(dst(out.get(i).frame()));
        }
        assertThat(out.subList(60, 90)).extracting(o -> dst(o.frame())).contains("10.1.1.7:8080");
    }

    @Test
    void aFlowWhoseBackendIsRemovedIsRebalancedAndTheOthersStay() throws Exception {
        String withoutWeb2 = Cluster.base().replace(Cluster.pod("web-2", "10.1.1.6", "node-2", "app: web", Cluster.WEB_PORTS), "");
        assertThat(withoutWeb2).doesNotContain("web-2");
        Scenario s = new Scenario(Cluster.base());
        for (int i = 0; i < 20; i++) {
            s.frame(i, syn("10.1.1.10", 44000 + i, "10.96.0.10", 80));
        }
        s.cluster(withoutWeb2);
        for (int i = 0; i < 20; i++) {
            s.frame(100 + i, FrameBuilder.tcp().from("10.1.1.10", 44000 + i).to("10.96.0.10", 80).flags(TCP_ACK_FLAG).seq(1001).build());
        }
        List<Scenario.Out> out = s.run();
        int moved = 0;
        for (int i = 0; i < 20; i++) {
            String before = dst(out.get(i).frame());
            String after = dst(out.get(20 + i).frame());
            assertThat(after).isEqualTo("10.1.1.5:8080");
            if (before.equals("10.1.1.6:8080")) {
                moved++;
            }
        }
        assertThat(moved).as("some flows were on web-2").isPositive();
    }

    @Test
    void aSnatedNodePortFlowsReplyGoesBackToTheClientFromTheNodePort() throws Exception {
        Scenario s = new Scenario(Cluster.base());
        for (int i = 0; i < 16; i++) {
            s.frame(i, syn("203.0.113.50", 45000 + i, "192.168.49.2", 30080));
        }
        // the remote pod answers the node's SNAT port
        s.frameFrom(100, o -> fromBackend(firstOf(o, "dnat+snat")).flags(TCP_SYN | TCP_ACK_FLAG).seq(9000).ack(1001).build());
        List<Scenario.Out> out = s.run();
        Scenario.Out snated = firstOf(out.subList(0, 16), "dnat+snat");
        int clientPort = 45000 + out.indexOf(snated);
        Scenario.Out back = out.get(16);
        assertThat(back.verdict()).isEqualTo("reverse");
        assertThat(src(back.frame())).isEqualTo("192.168.49.2:30080");
        assertThat(dst(back.frame())).isEqualTo("203.0.113.50:" + clientPort);
    }
    /**
     * Hairpin: a backend's own flows to its Service that land on itself leave from the hairpin
     * address (its own address as the source would be dropped as martian), with a port claimed
     * like SNAT's; the reply to that address gets the Service back as its source and the pod as
     * its destination. Flows landing on the other backend keep the client's address.
     */
    @Test
    void aPodLandingOnItselfThroughItsServiceIsSnatedToTheHairpinAddress() throws Exception {
        Scenario s = new Scenario(Cluster.base());
        for (int i = 0; i < 16; i++) {
            s.frame(i, syn("10.1.1.5", 46000 + i, "10.96.0.10", 80));
        }
        s.frameFrom(100, o -> fromBackend(firstOf(o, "dnat+snat")).flags(TCP_SYN | TCP_ACK_FLAG).seq(7000).ack(1001).build());
        List<Scenario.Out> out = s.run();
        Scenario.Out hairpin = firstOf(out.subList(0, 16), "dnat+snat");
        int clientPort = 46000 + out.indexOf(hairpin);
        assertThat(dst(hairpin.frame())).isEqualTo("10.1.1.5:8080");
        assertThat(src(hairpin.frame())).startsWith("169.254.42.1:");
        assertThat(Integer.parseInt(src(hairpin.frame()).split(":")[1])).isBetween(61000, 65535);
        // the others went to web-2 with the client's own address
        assertThat(out.subList(0, 16)).filteredOn(o -> o.verdict().equals("dnat")).isNotEmpty()
                .allSatisfy(o -> {
                    assertThat(dst(o.frame())).isEqualTo("10.1.1.6:8080");
                    assertThat(src(o.frame())).startsWith("10.1.1.5:");
                });
        Scenario.Out back = out.get(16);
        assertThat(back.verdict()).isEqualTo("reverse");
        assertThat(src(back.frame())).isEqualTo("10.96.0.10:80");
        assertThat(dst(back.frame())).isEqualTo("10.1.1.5:" + clientPort);
    }

    @Test
    void aTcpSynToAServiceWithoutEndpointsIsAnsweredWithARst() throws Exception {
        byte[] syn = FrameBuilder.tcp().from("10.1.1.10", 40000).to("10.96.0.99", 80).flags(TCP_SYN).seq(123456).build();
        byte[] ackData = FrameBuilder.tcp().from("10.1.1.10", 40001).to("10.96.0.99", 80).flags(TCP_ACK_FLAG | TCP_PSH)
                .seq(5000).ack(777777).payload("GET /").build();
        byte[] rst = FrameBuilder.tcp().from("10.1.1.10", 40002).to("10.96.0.99", 80).flags(Frame.TCP_RST).seq(1).build();
        List<Scenario.Out> out = new Scenario(Cluster.base()).frame(0, syn).frame(1, ackData).frame(2, rst).run();

        Scenario.Out r = out.get(0);
        assertThat(r.verdict()).isEqualTo("reject");
        byte[] f = r.frame();
        assertThat(f).hasSize(54);
        assertThat(Arrays.copyOfRange(f, 0, 6)).isEqualTo(Arrays.copyOfRange(syn, 6, 12));
        assertThat(Arrays.copyOfRange(f, 6, 12)).isEqualTo(Arrays.copyOfRange(syn, 0, 6));
        assertThat(src(f)).isEqualTo("10.96.0.99:80");
        assertThat(dst(f)).isEqualTo("10.1.1.10:40000");
        assertThat(Bytes.u8(f, Frame.IP_TTL)).isEqualTo(64);
        assertThat(Bytes.be16(f, Frame.IP_TOT_LEN)).isEqualTo(40);
        assertThat(Bytes.u8(f, L4 + Frame.TCP_FLAGS)).isEqualTo(Frame.TCP_RST | TCP_ACK_FLAG);
        assertThat(Bytes.be32(f, L4 + Frame.TCP_SEQ)).isZero();
        assertThat(Bytes.be32(f, L4 + Frame.TCP_ACK)).isEqualTo(123457); // SYN counts one

        byte[] g = out.get(1).frame();
        assertThat(out.get(1).verdict()).isEqualTo("reject");
        assertThat(Bytes.u8(g, L4 + Frame.TCP_FLAGS)).isEqualTo(Frame.TCP_RST);
        assertThat(Bytes.be32(g, L4 + Frame.TCP_SEQ)).isEqualTo(777777); // seq = the segment's ack
        assertThat(out.get(1).result().serviceId).isPositive();

        // a RST is never answered
        assertThat(out.get(2).verdict()).isEqualTo("drop");
        assertThat(out.get(2).frame()).isEmpty();
    }

    @Test
    void udpToAServiceWithoutEndpointsGetsPortUnreachableQuotingTheDatagram() throws Exception {
        byte[] q = FrameBuilder.udp().from("10.1.1.10", 5000).to("10.96.0.99", 53).payload("0123456789abcdef").build();
        List<Scenario.Out> out = new Scenario(Cluster.base()).frame(0, q).run();
        assertThat(out.get(0).verdict()).isEqualTo("reject");
        byte[] f = out.get(0).frame();
        assertThat(f).hasSize(14 + 20 + 8 + 20 + 8);
        assertThat(Bytes.u8(f, Frame.IP_PROTO)).isEqualTo(Frame.PROTO_ICMP);
        assertThat(new Ipv4(Bytes.be32(f, Frame.IP_SADDR))).hasToString("10.96.0.99");
        assertThat(new Ipv4(Bytes.be32(f, Frame.IP_DADDR))).hasToString("10.1.1.10");
        assertThat(Bytes.u8(f, L4)).isEqualTo(3);
        assertThat(Bytes.u8(f, L4 + 1)).isEqualTo(3);
        // the quote is the original IPv4 header and the first 8 bytes after it, unchanged
        assertThat(Arrays.copyOfRange(f, L4 + 8, f.length)).isEqualTo(Arrays.copyOfRange(q, 14, 14 + 28));
    }

    @Test
    void unrelatedTrafficPassesByteForByte() throws Exception {
        List<byte[]> frames = List.of(
                syn("10.1.1.10", 40000, "10.1.1.5", 8080),
                FrameBuilder.udp().from("10.1.1.10", 5000).to("8.8.8.8", 53).payload("q").build(),
                FrameBuilder.tcp().from("10.1.1.5", 8080).to("10.1.1.10", 40000).flags(TCP_SYN | TCP_ACK_FLAG).build(),
                syn("203.0.113.50", 40000, "192.168.49.2", 30081));
        Scenario s = new Scenario(Cluster.base());
        for (int i = 0; i < frames.size(); i++) {
            s.frame(i, frames.get(i));
        }
        List<Scenario.Out> out = s.run();
        for (int i = 0; i < frames.size(); i++) {
            assertThat(out.get(i).verdict()).isEqualTo("pass");
            assertThat(out.get(i).frame()).isEqualTo(frames.get(i));
        }
    }

    @Test
    void aZeroUdpChecksumStaysZeroBothWays() throws Exception {
        byte[] q = FrameBuilder.udp().from("10.1.1.10", 5000).to("10.96.0.53", 53).payload("q").withoutUdpChecksum().build();
        List<Scenario.Out> out = new Scenario(Cluster.base())
                .frame(0, q)
                .frameFrom(1, o -> udpFromBackend(o.get(0)).payload("a").withoutUdpChecksum().build())
                .run();
        assertThat(Bytes.be16(out.get(0).frame(), L4 + Frame.UDP_CSUM)).isZero();
        assertThat(out.get(1).verdict()).isEqualTo("reverse");
        assertThat(Bytes.be16(out.get(1).frame(), L4 + Frame.UDP_CSUM)).isZero();
    }
    @Test
    void ipOptionsAreHonouredAndKept() throws Exception {
        byte[] options = {(byte) 0x94, 4, 0, 0}; // router alert
        byte[] f = FrameBuilder.tcp().from("10.1.1.10", 40000).to("10.96.0.10", 80).flags(TCP_SYN).ipOptions(options).build();
        List<Scenario.Out> out = new Scenario(Cluster.base()).frame(0, f).run();
        assertThat(out.get(0).verdict()).isEqualTo("dnat");
        byte[] g = out.get(0).frame();
        assertThat(Arrays.copyOfRange(g, 34, 38)).isEqualTo(options);
        assertThat(Bytes.be16(g, 14 + 24 + 2)).isEqualTo(8080);
    }

    @Test
    void aSynReusingAClosedFlowsPortStartsANewFlow() throws Exception {
        byte[] fin = FrameBuilder.tcp().from("10.1.1.10", 40000).to("10.96.0.10", 80).flags(Frame.TCP_FIN | TCP_ACK_FLAG).seq(2000).build();
        java.util.function.Function<List<Scenario.Out>, byte[]> finBack =
                o -> fromBackend(o.get(0)).flags(Frame.TCP_FIN | TCP_ACK_FLAG).seq(9000).build();
        List<Scenario.Out> out = new Scenario(Cluster.base())
                .frame(0, syn("10.1.1.10", 40000, "10.96.0.10", 80))
                .frame(1, fin)
                .frameFrom(2, finBack)
                .frame(3, syn("10.1.1.10", 40000, "10.96.0.10", 80))
                // 10 s after the last FIN the closed flow is gone
                .frameFrom(20_000, o -> fromBackend(o.get(3)).flags(Frame.TCP_FIN | TCP_ACK_FLAG).seq(9000).build())
                .run();
        assertThat(out).extracting(Scenario.Out::verdict).containsExactly("dnat", "dnat", "reverse", "dnat", "reverse");
        List<Scenario.Out> expired = new Scenario(Cluster.base())
                .frame(0, syn("10.1.1.10", 40000, "10.96.0.10", 80))
                .frame(1, fin)
                .frameFrom(2, finBack)
                .frameFrom(13_000, finBack)
                .run();
        assertThat(expired.get(3).verdict()).isEqualTo("pass");
        assertThat(out.get(3).result().verdict).isEqualTo(Verdict.DNAT);
    }
    /** An ICMP error from `from` to `to` quoting the datagram (its IPv4 header and first 8 bytes). */
    static byte[] icmpError(String from, String to, int type, int code, byte[] quotedFrame) {
        byte[] quote = Arrays.copyOfRange(quotedFrame, 14, 14 + 20 + 8);
        byte[] f = FrameBuilder.udp().from(from, 0).to(to, 0).payload(new byte[quote.length]).build();
        // turn the UDP datagram into ICMP: same sizes (8-byte header), then fill in the ICMP message
        f[Frame.IP_PROTO] = Frame.PROTO_ICMP;
        Bytes.putBe16(f, Frame.IP_CSUM, 0);
        Bytes.putBe16(f, Frame.IP_CSUM, dev.hotline.packet.Checksum.finish(dev.hotline.packet.Checksum.sum(f, 14, 20, 0)));
        int icmp = 14 + 20;
        java.util.Arrays.fill(f, icmp, f.length, (byte) 0);
        f[icmp] = (byte) type;
        f[icmp + 1] = (byte) code;
        System.arraycopy(quote, 0, f, icmp + 8, quote.length);
        Bytes.putBe16(f, icmp + 2, dev.hotline.packet.Checksum.finish(dev.hotline.packet.Checksum.sum(f, icmp, f.length - icmp, 0)));
        return f;
    }

    @Test
    void anIcmpErrorAboutATranslatedFlowReachesTheClientAsIfFromTheService() throws Exception {
        byte[] query = FrameBuilder.udp().from("10.1.1.10", 5000).to("10.96.0.53", 53).payload("query").build();
        List<Scenario.Out> out = new Scenario(Cluster.base())
                .frame(0, query)
                // the backend's port is closed: its kernel answers with port unreachable quoting what it got
                .frameFrom(1, o -> icmpError(dst(o.get(0).frame()).split(":")[0], "10.1.1.10", 3, 3, o.get(0).frame()))
                .frame(2, syn("10.1.1.10", 40000, "10.96.0.10", 80))
                // a router on the way says the next hop needs smaller packets (quoting a TCP segment)
                .frameFrom(3, o -> icmpError("10.9.9.9", "10.1.1.10", 3, 4, o.get(2).frame()))
                .run();
        Scenario.Out u = out.get(1);
        assertThat(u.verdict()).isEqualTo("reverse");
        byte[] g = u.frame();
        assertThat(new Ipv4(Bytes.be32(g, Frame.IP_SADDR))).hasToString("10.96.0.53");
        assertThat(new Ipv4(Bytes.be32(g, Frame.IP_DADDR))).hasToString("10.1.1.10");
        int inner = 14 + 20 + 8;
        assertThat(new Ipv4(Bytes.be32(g, inner + 16))).as("quoted destination").hasToString("10.96.0.53");
        assertThat(Bytes.be16(g, inner + 20 + 2)).as("quoted destination port").isEqualTo(53);
        assertThat(new Ipv4(Bytes.be32(g, inner + 12))).hasToString("10.1.1.10");

        Scenario.Out t = out.get(3);
        assertThat(t.verdict()).isEqualTo("reverse");
        byte[] h = t.frame();
        assertThat(new Ipv4(Bytes.be32(h, Frame.IP_SADDR))).as("a router's own address stays").hasToString("10.9.9.9");
        assertThat(new Ipv4(Bytes.be32(h, inner + 16))).hasToString("10.96.0.10");
        assertThat(Bytes.be16(h, inner + 20 + 2)).isEqualTo(80);
    }
    @Test
    void anIcmpErrorAboutASnatedNodePortFlowGoesBackToTheClient() throws Exception {
        Scenario s = new Scenario(Cluster.base());
        for (int i = 0; i < 16; i++) {
            s.frame(i, syn("203.0.113.50", 46000 + i, "192.168.49.2", 30080));
        }
        s.frameFrom(100, o -> icmpError("10.1.1.6", "192.168.49.2", 3, 3, firstOf(o, "dnat+snat").frame()));
        List<Scenario.Out> out = s.run();
        int index = out.indexOf(firstOf(out.subList(0, 16), "dnat+snat"));
        Scenario.Out back = out.get(16);
        byte[] g = back.frame();
        assertThat(back.verdict()).isEqualTo("reverse");
        int inner = 14 + 20 + 8;
        assertThat(new Ipv4(Bytes.be32(g, Frame.IP_DADDR))).hasToString("203.0.113.50");
        assertThat(new Ipv4(Bytes.be32(g, Frame.IP_SADDR))).hasToString("192.168.49.2");
        assertThat(new Ipv4(Bytes.be32(g, inner + 12))).hasToString("203.0.113.50");
        assertThat(Bytes.be16(g, inner + 20)).isEqualTo(46000 + index);
        assertThat(new Ipv4(Bytes.be32(g, inner + 16))).hasToString("192.168.49.2");
        assertThat(Bytes.be16(g, inner + 22)).isEqualTo(30080);
    }

    /**
     * Segmentation-offload frames (a capture on a veth holds TCP segments of tens of KB) are
     * translated like any other on both dataplanes, although BPF_PROG_TEST_RUN takes about a page:
     * data both ways, a NodePort SNAT, a reject of a big datagram (quoting the real lengths), and a
     * big frame whose length fields lie, which must still pass untouched.
     */
    @Test
    void framesLargerThanAPageAreTranslatedWholeOnEveryDataplane() throws Exception {
        byte[] big = new byte[23_000];
        new java.util.Random(7).nextBytes(big);
        byte[] data = FrameBuilder.tcp().from("10.1.1.10", 40000).to("10.96.0.10", 80).flags(TCP_ACK_FLAG | TCP_PSH)
                .seq(1001).ack(1).payload(big).build();
        byte[] udpToNothing = FrameBuilder.udp().from("10.1.1.10", 5000).to("10.96.0.99", 53).payload(big).build();
        byte[] lying = data.clone();
        Bytes.putBe16(lying, Frame.IP_TOT_LEN, 65535); // longer than the frame: malformed
        Scenario s = new Scenario(Cluster.base())
                .frame(0, syn("10.1.1.10", 40000, "10.96.0.10", 80))
                .frame(1, data)
                .frameFrom(2, o -> fromBackend(o.get(0)).flags(TCP_ACK_FLAG | TCP_PSH).seq(5001).ack(24001).payload(big).build())
                .frame(3, udpToNothing)
                .frame(4, lying);
        for (int i = 0; i < 16; i++) {
            s.frame(10 + i, FrameBuilder.udp().from("203.0.113.50", 47000 + i).to("192.168.49.2", 30080).payload(big).build());
        }
        s.cluster(Cluster.base().replace("nodePort: 30080}", "nodePort: 30080}, {name: big, port: 81, protocol: UDP, "
                + "targetPort: 8080, nodePort: 30080}"));
        for (int i = 0; i < 16; i++) {
            s.frame(30 + i, FrameBuilder.udp().from("203.0.113.50", 47000 + i).to("192.168.49.2", 30080).payload(big).build());
        }
        List<Scenario.Out> out = s.run();
        assertThat(out.get(1).verdict()).isEqualTo("dnat");
        assertThat(out.get(1).frame()).hasSize(data.length);
        assertThat(dst(out.get(1).frame())).isEqualTo(dst(out.get(0).frame()));
        assertThat(Bytes.be16(out.get(1).frame(), Frame.IP_TOT_LEN)).isEqualTo(Bytes.be16(data, Frame.IP_TOT_LEN));
        assertThat(Arrays.copyOfRange(out.get(1).frame(), L4 + 20, data.length)).isEqualTo(big);
        assertThat(out.get(2).verdict()).isEqualTo("reverse");
        assertThat(src(out.get(2).frame())).isEqualTo("10.96.0.10:80");
        assertThat(out.get(3).verdict()).isEqualTo("reject");
        byte[] icmp = out.get(3).frame();
        // the quote carries the datagram's real total length
        assertThat(Bytes.be16(icmp, L4 + 8 + 2)).isEqualTo(Bytes.be16(udpToNothing, Frame.IP_TOT_LEN));
        assertThat(out.get(4).verdict()).isEqualTo("pass");
        assertThat(out.get(4).result().reason).isEqualTo(dev.hotline.dataplane.Reason.BAD_TOTAL_LENGTH);
        assertThat(out.get(4).frame()).isEqualTo(lying);
        assertThat(out.subList(5, 21)).extracting(Scenario.Out::verdict).containsOnly("pass");
        assertThat(out.subList(21, 37)).extracting(Scenario.Out::verdict).contains("dnat", "dnat+snat");
        assertThat(out.subList(21, 37)).allSatisfy(o -> assertThat(o.frame()).hasSize(14 + 20 + 8 + big.length));
    }

    /**
     * One client port to two Services that share their only pod: the backend would see both as
     * the same connection, so the second is dropped (counted) and the first keeps its replies.
     */
    @Test
    void aSecondFlowWithTheSameReplyTupleIsDroppedAndTheFirstKeepsItsReplies() throws Exception {
        String cluster = Cluster.pod("shared", "10.1.1.5", "node-1", "app: shared", "{name: http, containerPort: 8080}")
                + Cluster.service("one", "ClusterIP", "10.96.0.21", "app: shared", "{name: http, port: 80, targetPort: 8080}")
                + Cluster.service("two", "ClusterIP", "10.96.0.22", "app: shared", "{name: http, port: 80, targetPort: 8080}");
        List<Scenario.Out> out = new Scenario(cluster)
                .frame(0, syn("10.1.1.10", 40000, "10.96.0.21", 80))
                .frame(1, syn("10.1.1.10", 40000, "10.96.0.22", 80))
                .frameFrom(2, o -> fromBackend(o.get(0)).flags(TCP_SYN | TCP_ACK_FLAG).seq(9000).ack(1001).build())
                .run();
        assertThat(out.get(0).verdict()).isEqualTo("dnat");
        assertThat(out.get(1).verdict()).isEqualTo("drop");
        assertThat(out.get(1).result().reason).isEqualTo(dev.hotline.dataplane.Reason.CONNTRACK_CLASH);
        assertThat(out.get(2).verdict()).isEqualTo("reverse");
        assertThat(src(out.get(2).frame())).isEqualTo("10.96.0.21:80");
    }

    /**
     * A client that reuses its port toward another Service reaching the same backend, once the first
     * connection is closed (both FINs), gets its new connection: the closed flow's reply tuple is
     * taken over, as a SYN on the closed flow's own tuple would start a new flow. Its replies then
     * come from the second Service.
     */
    @Test
    void aSynMayTakeOverTheReplyTupleOfAClosedFlow() throws Exception {
        String cluster = Cluster.pod("shared", "10.1.1.5", "node-1", "app: shared", "{name: http, containerPort: 8080}")
                + Cluster.service("one", "ClusterIP", "10.96.0.21", "app: shared", "{name: http, port: 80, targetPort: 8080}")
                + Cluster.service("two", "ClusterIP", "10.96.0.22", "app: shared", "{name: http, port: 80, targetPort: 8080}");
        List<Scenario.Out> out = new Scenario(cluster)
                .frame(0, syn("10.1.1.10", 40000, "10.96.0.21", 80))
                .frame(1, FrameBuilder.tcp().from("10.1.1.10", 40000).to("10.96.0.21", 80).flags(Frame.TCP_FIN | TCP_ACK_FLAG).seq(2000).build())
                .frameFrom(2, o -> fromBackend(o.get(0)).flags(Frame.TCP_FIN | TCP_ACK_FLAG).seq(9000).build())
                .frame(3, syn("10.1.1.10", 40000, "10.96.0.22", 80))
                .frameFrom(4, o -> fromBackend(o.get(3)).flags(TCP_SYN | TCP_ACK_FLAG).seq(7000).ack(1001).build())
                .run();
        assertThat(out).extracting(Scenario.Out::verdict).containsExactly("dnat", "dnat", "reverse", "dnat", "reverse");
        assertThat(src(out.get(4).frame())).isEqualTo("10.96.0.22:80");
    }

    /**
     * A full conntrack on both dataplanes: new flows beyond the size are refused and counted, every
     * recorded flow keeps both halves (all its replies are translated), and once the flows have
     * expired a new flow sweeps them and is recorded. (The kernel's maps used to be LRUs, which
     * evicted instead, and could evict one half of a flow.)
     */
    @Test
    void aFullConntrackRefusesNewFlowsKeepsEveryRecordedOneWholeAndSweepsExpiredOnes() throws Exception {
        Scenario s = new Scenario(Cluster.base()).config(dev.hotline.dataplane.DataplaneConfig.DEFAULT.withConntrackMax(16));
        for (int i = 0; i < 20; i++) {
            s.frame(i, FrameBuilder.udp().from("10.1.1.10", 6000 + i).to("10.96.0.53", 53).payload("q").build());
        }
        for (int i = 0; i < 20; i++) {
            int flow = i;
            s.frameFrom(100 + i, o -> o.get(flow).frame().length == 0
                    ? FrameBuilder.udp().from("10.1.1.5", 5353).to("10.1.1.10", 6000 + flow).payload("a").build()
                    : udpFromBackend(o.get(flow)).payload("a").build());
        }
        // 61 s later every flow has expired (UDP: 60 s): the next new flow sweeps them away
        for (int i = 0; i < 4; i++) {
            s.frame(61_000 + i, FrameBuilder.udp().from("10.1.1.11", 7000 + i).to("10.96.0.53", 53).payload("q").build());
        }
        List<Scenario.Out> out = s.run();
        assertThat(out.subList(0, 16)).extracting(Scenario.Out::verdict).containsOnly("dnat");
        assertThat(out.subList(16, 20)).allSatisfy(o -> {
            assertThat(o.verdict()).isEqualTo("drop");
            assertThat(o.result().reason).isEqualTo(dev.hotline.dataplane.Reason.CONNTRACK_FULL);
        });
        assertThat(out.subList(20, 36)).as("every recorded flow's reply").extracting(Scenario.Out::verdict).containsOnly("reverse");
        assertThat(out.subList(36, 40)).as("replies of refused flows").extracting(Scenario.Out::verdict).containsOnly("pass");
        assertThat(out.subList(40, 44)).extracting(Scenario.Out::verdict).containsOnly("dnat");
    }

    /**
     * BIG TCP: a GSO packet over 64 KB carries IPv4 total length 0 and takes its length from the
     * skb (the frame); it is translated like any other segment, not passed as malformed.
     */
    @Test
    void aBigTcpSegmentWithTotalLengthZeroIsTranslated() throws Exception {
        byte[] payload = new byte[70_000];
        new java.util.Random(3).nextBytes(payload);
        byte[] big = FrameBuilder.tcp().from("10.1.1.10", 40000).to("10.96.0.10", 80).flags(TCP_ACK_FLAG | TCP_PSH)
                .seq(1001).ack(1).payload(payload).build();
        Bytes.putBe16(big, Frame.IP_TOT_LEN, 0);
        Bytes.putBe16(big, Frame.IP_CSUM, 0);
        Bytes.putBe16(big, Frame.IP_CSUM, dev.hotline.packet.Checksum.finish(dev.hotline.packet.Checksum.sum(big, 14, 20, 0)));
        List<Scenario.Out> out = new Scenario(Cluster.base())
                .frame(0, syn("10.1.1.10", 40000, "10.96.0.10", 80))
                .frame(1, big)
                .run();
        assertThat(out.get(1).verdict()).isEqualTo("dnat");
        assertThat(out.get(1).frame()).hasSize(big.length);
        assertThat(dst(out.get(1).frame())).isEqualTo(dst(out.get(0).frame()));
        assertThat(Bytes.be16(out.get(1).frame(), Frame.IP_TOT_LEN)).isZero();
        assertThat(Arrays.copyOfRange(out.get(1).frame(), L4 + 20, big.length)).isEqualTo(payload);
    }


    /**
     * ICMP errors about the reply direction: a router on the way to the client needs smaller
     * packets (the download side of path MTU discovery), or the client's own port is closed. The
     * error quotes the reply as the client's side saw it (from the Service address) and is sent to
     * the Service address; it goes on to the backend with the quote put back as the backend sent it.
     */
    @Test
    void anIcmpErrorAboutAReplyGoesOnToTheBackend() throws Exception {
        Scenario s = new Scenario(Cluster.base())
                .frame(0, syn("10.1.1.10", 40000, "10.96.0.10", 80))
                .frameFrom(1, o -> fromBackend(o.get(0)).flags(TCP_SYN | TCP_ACK_FLAG).seq(5000).ack(1001).build())
                // a router between the node and the client: fragmentation needed, about the reply
                .frameFrom(2, o -> icmpError("10.9.9.9", "10.96.0.10", 3, 4, o.get(1).frame()));
        for (int i = 0; i < 16; i++) {
            s.frame(10 + i, syn("203.0.113.50", 48000 + i, "192.168.49.2", 30080));
        }
        // the outside client's own port unreachable, about the first SNATed flow's reply
        s.frameFrom(30, o -> fromBackend(firstOf(o.subList(3, 19), "dnat+snat")).flags(TCP_SYN | TCP_ACK_FLAG).seq(7000).ack(1001).build());
        s.frameFrom(31, o -> icmpError("203.0.113.50", "192.168.49.2", 3, 3, o.get(19).frame()));
        List<Scenario.Out> out = s.run();
        String backend = dst(out.get(0).frame());
        Scenario.Out mtu = out.get(2);
        assertThat(mtu.verdict()).isEqualTo("dnat");
        byte[] g = mtu.frame();
        int inner = 14 + 20 + 8;
        assertThat(new Ipv4(Bytes.be32(g, Frame.IP_DADDR)) + ":" + Bytes.be16(g, inner + 20)).as("to the backend, its port quoted")
                .isEqualTo(backend);
        assertThat(new Ipv4(Bytes.be32(g, Frame.IP_SADDR))).as("the router's address stays").hasToString("10.9.9.9");
        assertThat(new Ipv4(Bytes.be32(g, inner + 12))).as("quoted source: the backend").hasToString(backend.split(":")[0]);
        assertThat(new Ipv4(Bytes.be32(g, inner + 16))).as("quoted destination: the client").hasToString("10.1.1.10");

        assertThat(out.get(19).verdict()).isEqualTo("reverse");
        Scenario.Out snated = firstOf(out.subList(3, 19), "dnat+snat");
        Scenario.Out unreachable = out.get(20);
        assertThat(unreachable.verdict()).isEqualTo("dnat+snat");
        byte[] h = unreachable.frame();
        assertThat(new Ipv4(Bytes.be32(h, Frame.IP_DADDR))).as("to the remote backend").hasToString("10.1.1.6");
        assertThat(new Ipv4(Bytes.be32(h, Frame.IP_SADDR))).as("from the node, as the flow's packets are").hasToString("192.168.49.2");
        assertThat(src(snated.frame()).split(":")[1]).as("the quoted destination port is the SNAT port")
                .isEqualTo(Integer.toString(Bytes.be16(h, inner + 22)));
        assertThat(Bytes.be16(h, inner + 20)).as("quoted source port: the backend's").isEqualTo(8080);
    }

    /** The datagram of a frame cut into IPv4 fragments of these payload sizes (multiples of 8 but the last). */
    static List<byte[]> fragments(byte[] frame, int id, int... sizes) {
        int ihl = (frame[Frame.IP_VIHL] & 0xf) * 4;
        byte[] payload = Arrays.copyOfRange(frame, 14 + ihl, frame.length);
        List<byte[]> out = new java.util.ArrayList<>();
        int at = 0;
        for (int i = 0; i < sizes.length; i++) {
            int n = i == sizes.length - 1 ? payload.length - at : sizes[i];
            byte[] f = new byte[14 + ihl + n];
            System.arraycopy(frame, 0, f, 0, 14 + ihl);
            System.arraycopy(payload, at, f, 14 + ihl, n);
            Bytes.putBe16(f, Frame.IP_TOT_LEN, ihl + n);
            Bytes.putBe16(f, Frame.IP_ID, id);
            Bytes.putBe16(f, Frame.IP_FRAG, (i == sizes.length - 1 ? 0 : 0x2000) | (at / 8));
            Bytes.putBe16(f, Frame.IP_CSUM, 0);
            Bytes.putBe16(f, Frame.IP_CSUM, dev.hotline.packet.Checksum.finish(dev.hotline.packet.Checksum.sum(f, 14, ihl, 0)));
            out.add(f);
            at += n;
        }
        return out;
    }

    /**
     * A UDP datagram larger than the MTU arrives as IPv4 fragments: the first (with the ports) is
     * translated and its ports remembered, the later ones follow their flow with their addresses
     * rewritten; the reply's fragments come back the same way. A later fragment whose first one
     * was never seen passes, counted.
     */
    @Test
    void fragmentsOfATranslatedFlowAreTranslatedAsTheirFlow() throws Exception {
        byte[] big = new byte[4000];
        new java.util.Random(5).nextBytes(big);
        byte[] query = FrameBuilder.udp().from("10.1.1.10", 5000).to("10.96.0.53", 53).payload(big).build();
        List<byte[]> request = fragments(query, 4242, 1480, 1480, 0);
        Scenario s = new Scenario(Cluster.base());
        for (int i = 0; i < request.size(); i++) {
            s.frame(i, request.get(i));
        }
        // the answer, as large, from the backend the first fragment went to
        s.frameFrom(10, o -> {
            byte[] t = o.get(0).frame();
            return fragments(FrameBuilder.udp().from(Bytes.be32(t, Frame.IP_DADDR), Bytes.be16(t, L4 + 2))
                    .to("10.1.1.10", 5000).payload(big).build(), 777, 1480, 1480, 0).get(0);
        });
        s.frameFrom(11, o -> {
            byte[] t = o.get(0).frame();
            return fragments(FrameBuilder.udp().from(Bytes.be32(t, Frame.IP_DADDR), Bytes.be16(t, L4 + 2))
                    .to("10.1.1.10", 5000).payload(big).build(), 777, 1480, 1480, 0).get(2);
        });
        // a later fragment of another datagram, whose first fragment never came
        s.frame(12, fragments(FrameBuilder.udp().from("10.1.1.10", 5001).to("10.96.0.53", 53).payload(big).build(), 4243,
                1480, 1480, 0).get(1));
        // the request's last fragment again: the last one took the record with it
        s.frame(13, request.get(2));
        // a datagram whose later fragment comes 31 s after its first: the record has timed out
        List<byte[]> slow = fragments(FrameBuilder.udp().from("10.1.1.10", 5002).to("10.96.0.53", 53).payload(big).build(), 4244,
                1480, 1480, 0);
        s.frame(14, slow.get(0));
        s.frame(31_014, slow.get(1));
        List<Scenario.Out> out = s.run();
        String backend = dst(out.get(0).frame());
        assertThat(out.subList(0, 3)).extracting(Scenario.Out::verdict).containsOnly("dnat");
        for (int i = 0; i < 3; i++) {
            byte[] g = out.get(i).frame();
            assertThat(new Ipv4(Bytes.be32(g, Frame.IP_DADDR)).toString()).as("fragment %d", i).isEqualTo(backend.split(":")[0]);
            assertThat(g).as("fragment %d keeps its length", i).hasSize(request.get(i).length);
        }
        assertThat(Bytes.be16(out.get(0).frame(), L4 + 2)).as("the first fragment's port").isEqualTo(Integer.parseInt(backend.split(":")[1]));
        assertThat(Arrays.copyOfRange(out.get(1).frame(), 34, out.get(1).frame().length)).as("a later fragment's payload")
                .isEqualTo(Arrays.copyOfRange(request.get(1), 34, request.get(1).length));
        assertThat(out.get(3).verdict()).isEqualTo("reverse");
        assertThat(src(out.get(3).frame())).isEqualTo("10.96.0.53:53");
        assertThat(out.get(4).verdict()).isEqualTo("reverse");
        assertThat(new Ipv4(Bytes.be32(out.get(4).frame(), Frame.IP_SADDR))).hasToString("10.96.0.53");
        assertThat(out.get(5).verdict()).isEqualTo("pass");
        assertThat(out.get(5).result().reason).isEqualTo(dev.hotline.dataplane.Reason.FRAGMENT);
        assertThat(out.get(6).verdict()).as("after the last fragment").isEqualTo("pass");
        assertThat(out.get(7).verdict()).isEqualTo("dnat");
        assertThat(out.get(8).verdict()).as("31 s after its first fragment").isEqualTo("pass");
    }
}
