package dev.hotline.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.net.Ipv4;
import dev.hotline.packet.FrameBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Java words of the take-over rules, and the nft words they are written in. */
class TakeOverTest {
    static final int CLUSTER_IP = Ipv4.parse("10.96.0.10").value();
    static final int POD = Ipv4.parse("10.244.1.2").value();
    static final int NODE = Ipv4.parse("192.168.77.1").value();

    static TakeOver served() {
        TakeOver t = new TakeOver(61000, 65535);
        TakeOver.Changes c = new TakeOver.Changes();
        t.addFrontend(CLUSTER_IP, 6, 80, c);
        t.putBackend(7, POD, 6, 8080, c);
        t.setLocals(Set.of(NODE));
        t.heartbeat(System.nanoTime());
        assertThat(c.script()).isEqualTo("add element netdev hotline frontends { 10.96.0.10 . tcp . 80 }\n"
                + "add element netdev hotline backends { 10.244.1.2 . tcp . 8080 }\n");
        // not taken before nft has the elements (the kernel's copy would go on as well)
        assertThat(t.takes(FrameBuilder.tcp().from("10.244.1.10", 40000).to("10.96.0.10", 80).build(), 54)).isFalse();
        t.committed(c);
        return t;
    }

    @Test
    void framesToAFrontendAndRepliesFromABackendAreTakenOthersAreNot() {
        TakeOver t = served();
        assertThat(t.takes(FrameBuilder.tcp().from("10.244.1.10", 40000).to("10.96.0.10", 80).build(), 54)).isTrue();
        assertThat(t.takes(FrameBuilder.tcp().from("10.244.1.10", 40000).to("10.96.0.10", 443).build(), 54)).isFalse();
        assertThat(t.takes(FrameBuilder.udp().from("10.244.1.10", 40000).to("10.96.0.10", 80).build(), 42)).isFalse();
        // a reply from the backend's port, to a pod: taken; to the node itself: the kernel's, but for the SNAT range
        assertThat(t.takes(FrameBuilder.tcp().from("10.244.1.2", 8080).to("10.244.1.10", 40000).build(), 54)).isTrue();
        assertThat(t.takes(FrameBuilder.tcp().from("10.244.1.2", 8080).to("192.168.77.1", 40000).build(), 54)).isFalse();
        assertThat(t.takes(FrameBuilder.tcp().from("10.244.1.2", 8080).to("192.168.77.1", 61000).build(), 54)).isTrue();
        assertThat(t.takes(FrameBuilder.tcp().from("10.244.1.2", 9090).to("10.244.1.10", 40000).build(), 54)).isFalse();
        // TTL 1: the kernel's, to answer with Time Exceeded
        assertThat(t.takes(FrameBuilder.tcp().from("10.244.1.10", 40000).to("10.96.0.10", 80).ttl(1).build(), 54)).isFalse();
    }

    @Test
    void withoutARecentHeartbeatNothingIsTakenAsTheRulesNoLongerHold() {
        TakeOver t = served();
        t.heartbeat(System.nanoTime() - (TakeOver.ALIVE_SECONDS + 1) * 1_000_000_000L);
        assertThat(t.takes(FrameBuilder.tcp().from("10.244.1.10", 40000).to("10.96.0.10", 80).build(), 54)).isFalse();
        assertThat(TakeOver.heartbeatScript()).isEqualTo("flush set netdev hotline alive\n"
                + "add element netdev hotline alive { ip timeout 5s }\n");
        assertThat(new TakeOver(61000, 65535).chainScript("va")).contains("meta protocol @alive ether type ip ip ttl > 1 ip daddr");
    }

    @Test
    void sharedEntriesAreCountedAndWrittenOnceAndGoWithTheLast() {
        TakeOver t = served();
        TakeOver.Changes c = new TakeOver.Changes();
        t.addFrontend(CLUSTER_IP, 6, 80, c);
        t.putBackend(8, POD, 6, 8080, c); // a second ID for the same address (another protocol view)
        assertThat(c.isEmpty()).isTrue();
        t.removeFrontend(CLUSTER_IP, 6, 80, c);
        t.removeBackend(7, c);
        assertThat(c.isEmpty()).isTrue();
        t.removeFrontend(CLUSTER_IP, 6, 80, c);
        t.removeBackend(8, c);
        assertThat(c.script()).isEqualTo("delete element netdev hotline frontends { 10.96.0.10 . tcp . 80 }\n"
                + "delete element netdev hotline backends { 10.244.1.2 . tcp . 8080 }\n");
        assertThat(t.takes(FrameBuilder.tcp().from("10.244.1.10", 40000).to("10.96.0.10", 80).build(), 54)).isFalse();
        assertThat(t.sizes()).containsExactly(0, 0, 1);
    }

    @Test
    void anElementRemovedAndAddedInOneChangeIsNotTouchedAndOneAddedAndRemovedIsNeverWritten() {
        TakeOver t = served();
        TakeOver.Changes c = new TakeOver.Changes();
        t.removeFrontend(CLUSTER_IP, 6, 80, c);
        t.addFrontend(CLUSTER_IP, 6, 80, c);
        t.addFrontend(CLUSTER_IP, 6, 443, c);
        t.removeFrontend(CLUSTER_IP, 6, 443, c);
        assertThat(c.isEmpty()).isTrue();
        assertThat(c.script()).isEmpty();
        t.committed(c);
        assertThat(t.takes(FrameBuilder.tcp().from("10.244.1.10", 40000).to("10.96.0.10", 80).build(), 54)).isTrue();
    }

    @Test
    void malformedHeadersAreNotTakenAsNftablesWouldNotMatchThem() {
        TakeOver t = served();
        byte[] f = FrameBuilder.tcp().from("10.244.1.10", 40000).to("10.96.0.10", 80).build();
        byte[] badVersion = f.clone();
        badVersion[14] = 0x65;
        assertThat(t.takes(badVersion, 54)).isFalse();
        byte[] longer = f.clone();
        longer[14 + 2] = 0x05; // a total length past the frame
        assertThat(t.takes(longer, 54)).isFalse();
    }

    @Test
    void theChainSaysWhatTakesSays() {
        String chain = new TakeOver(61000, 65535).chainScript("veth-1.2");
        assertThat(chain).contains("add chain netdev hotline in_veth_1.2 { type filter hook ingress device \"veth-1.2\"")
                .contains("meta protocol @alive ether type ip ip ttl > 1 ip daddr . ip protocol . th dport @frontends drop")
                .contains("ip ttl > 1 ip saddr . ip protocol . th sport @backends ip daddr != @locals drop")
                .contains("ip ttl > 1 ip saddr . ip protocol . th sport @backends th dport 61000-65535 drop");
    }

    @Test
    void longCountsAgreeWithAMapOnRandomChanges() {
        Random rnd = new Random(20261128);
        LongCounts counts = new LongCounts();
        Map<Long, Integer> model = new HashMap<>();
        for (int i = 0; i < 200_000; i++) {
            long key = rnd.nextInt(500) * 0x10001L;
            int delta = rnd.nextBoolean() ? 1 : -1;
            int now = model.getOrDefault(key, 0);
            int expected = delta > 0 ? now + 1 : Math.max(0, now - 1);
            if (now == 0 && delta < 0) {
                expected = 0;
            }
            assertThat(counts.add(key, delta)).isEqualTo(expected);
            if (expected == 0) {
                model.remove(key);
            } else {
                model.put(key, expected);
            }
            long probe = rnd.nextInt(500) * 0x10001L;
            assertThat(counts.contains(probe)).isEqualTo(model.containsKey(probe));
        }
        assertThat(counts.size()).isEqualTo(model.size());
    }
}
