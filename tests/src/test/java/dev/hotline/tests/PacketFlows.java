package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.net.Ipv4;
import dev.hotline.packet.Bytes;
import dev.hotline.packet.Frame;
import dev.hotline.packet.FrameBuilder;
import dev.hotline.plan.NodeIdentity;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Packet-flow tables in the shape of kube-proxy's runPacketFlowTests: each row names a source, a
 * protocol and a destination, and lists every outcome it accepts ("dnat 10.1.1.5:8080",
 * "dnat+snat 10.1.1.6:8080", "reject", "drop", "pass"). Each row sends {@link #FLOWS_PER_ROW} new
 * flows (one source port each) through every dataplane, with parity checked by {@link Scenario};
 * every flow must end in one of the listed outcomes, and every listed outcome must be reached by
 * some flow, so a row cannot list a backend the Service never uses.
 */
final class PacketFlows {
    static final int FLOWS_PER_ROW = 16;
    static final int SNAT_MIN = 61000;

    record Row(String name, String source, String protocol, String destination, List<String> outputs) {
    }

    private PacketFlows() {
    }

    /** A row: "TCP" or "UDP", destination "ip:port", the accepted outcomes. */
    static Row flow(String name, String source, String protocol, String destination, String... outputs) {
        return new Row(name, source, protocol, destination, List.of(outputs));
    }

    static void run(String cluster, List<Row> rows) throws Exception {
        run(cluster, Scenario.NODE_1, rows);
    }

    static void run(String cluster, NodeIdentity node, List<Row> rows) throws Exception {
        run(cluster, node, dev.hotline.dataplane.DataplaneConfig.DEFAULT, rows);
    }

    static void run(String cluster, NodeIdentity node, dev.hotline.dataplane.DataplaneConfig config, List<Row> rows) throws Exception {
        Scenario s = new Scenario(cluster, node).config(config);
        List<byte[]> inputs = new ArrayList<>();
        int t = 0;
        for (int r = 0; r < rows.size(); r++) {
            for (int i = 0; i < FLOWS_PER_ROW; i++) {
                byte[] f = frame(rows.get(r), 20000 + r * 100 + i);
                inputs.add(f);
                s.frame(t++, f);
            }
        }
        List<Scenario.Out> outs = s.run();
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            Set<String> reached = new LinkedHashSet<>();
            for (int i = 0; i < FLOWS_PER_ROW; i++) {
                int k = r * FLOWS_PER_ROW + i;
                String outcome = outcome(row, inputs.get(k), outs.get(k));
                assertThat(row.outputs()).as("%s: flow %d from %s:%d ended as %s", row.name(), i, row.source(),
                        20000 + r * 100 + i, outcome).contains(outcome);
                reached.add(outcome);
            }
            assertThat(reached).as("%s: every listed outcome is reached by one of %d flows", row.name(), FLOWS_PER_ROW)
                    .containsExactlyInAnyOrderElementsOf(row.outputs());
        }
    }

    static byte[] frame(Row row, int sourcePort) {
        String[] dst = row.destination().split(":");
        FrameBuilder b = row.protocol().equals("TCP") ? FrameBuilder.tcp().flags(Frame.TCP_SYN).seq(1000)
                : FrameBuilder.udp().payload("query");
        return b.from(row.source(), sourcePort).to(dst[0], Integer.parseInt(dst[1])).build();
    }

    /**
     * What happened to one frame, in the table's words, after checking that the frame that left
     * is what that outcome means: the backend as destination and the source kept (dnat) or the
     * node's address and a port from the SNAT range as source (dnat+snat), the refusal going back
     * to the client from the address it tried (reject), nothing (drop), every byte kept (pass).
     */
    static String outcome(Row row, byte[] in, Scenario.Out out) {
        String verdict = out.verdict();
        byte[] f = out.frame();
        switch (verdict) {
            case "dnat", "dnat+snat" -> {
                int l4 = Frame.ETH_HLEN + (f[Frame.IP_VIHL] & 0xf) * 4;
                String dst = new Ipv4(Bytes.be32(f, Frame.IP_DADDR)) + ":" + Bytes.be16(f, l4 + Frame.L4_DPORT);
                int srcIp = Bytes.be32(f, Frame.IP_SADDR);
                int srcPort = Bytes.be16(f, l4 + Frame.L4_SPORT);
                if (verdict.equals("dnat")) {
                    assertThat(srcIp).as("%s: source kept", row.name()).isEqualTo(Bytes.be32(in, Frame.IP_SADDR));
                    assertThat(srcPort).as("%s: source port kept", row.name()).isEqualTo(Bytes.be16(in, l4 + Frame.L4_SPORT));
                } else {
                    // a NodePort: the node address the client reached; an externalIP or LoadBalancer IP: the node's own
                    assertThat(srcIp).as("%s: SNAT to the node address the client reached, or the node's own", row.name())
                            .isIn(Bytes.be32(in, Frame.IP_DADDR), Scenario.NODE_1.addresses().get(0).value());
                    assertThat(srcPort).as("%s: SNAT port", row.name()).isBetween(SNAT_MIN, 65535);
                }
                return verdict + " " + dst;
            }
            case "reject" -> {
                assertThat(Bytes.be32(f, Frame.IP_SADDR)).as("%s: refused by the address tried", row.name())
                        .isEqualTo(Bytes.be32(in, Frame.IP_DADDR));
                assertThat(Bytes.be32(f, Frame.IP_DADDR)).as("%s: refusal to the client", row.name())
                        .isEqualTo(Bytes.be32(in, Frame.IP_SADDR));
                int l4 = Frame.ETH_HLEN + 20;
                if (row.protocol().equals("TCP")) {
                    assertThat(Bytes.u8(f, l4 + Frame.TCP_FLAGS) & Frame.TCP_RST).as("%s: a RST", row.name()).isNotZero();
                } else {
                    assertThat(Bytes.u8(f, Frame.IP_PROTO)).as("%s: ICMP", row.name()).isEqualTo(Frame.PROTO_ICMP);
                    assertThat(new int[] {Bytes.u8(f, l4), Bytes.u8(f, l4 + 1)}).as("%s: port unreachable", row.name())
                            .containsExactly(Frame.ICMP_DEST_UNREACH, Frame.ICMP_PORT_UNREACH);
                }
                return verdict;
            }
            case "drop" -> {
                assertThat(f).as("%s: nothing leaves", row.name()).isEmpty();
                return verdict;
            }
            default -> {
                assertThat(Arrays.equals(f, in)).as("%s: %s leaves byte for byte", row.name(), verdict).isTrue();
                return verdict;
            }
        }
    }
}
