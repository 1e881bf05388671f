package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.bpf.Abi;
import dev.hotline.dataplane.Reason;
import dev.hotline.dataplane.Verdict;
import dev.hotline.packet.FlowHash;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The map layout is defined once, in bpf/hotline_abi.h; Java's mirror must agree number for number. */
class AbiTest {

    @Test
    void everySizeOffsetAndConstantMatchesWhatCReports() {
        Privileges.requireBpf();
        int[] c = Abi.nativeLayout();
        int[] java = Abi.layout();
        assertThat(Abi.LAYOUT_NAMES).hasSize(java.length);
        assertThat(c).as("native layout length").hasSize(java.length);
        for (int i = 0; i < java.length; i++) {
            assertThat(java[i]).as(Abi.LAYOUT_NAMES[i]).isEqualTo(c[i]);
        }
    }

    @Test
    void verdictAndReasonCodesAreTheHeadersEnums() {
        assertThat(Verdict.values()).hasSize(Abi.VERDICT_MAX);
        for (Verdict v : Verdict.values()) {
            assertThat(v.code()).isEqualTo(v.ordinal());
            assertThat(Verdict.ofCode(v.code())).isEqualTo(v);
        }
        assertThat(Reason.KERNEL_REASONS).isEqualTo(Abi.REASON_MAX);
        for (Reason r : Reason.values()) {
            assertThat(r.code()).isEqualTo(r.ordinal());
        }
        assertThat(Abi.MAP_NAMES).hasSize(Abi.MAP_COUNT);
        assertThat(Abi.HASH_SEED).isEqualTo(FlowHash.SEED);
        // the twin's tables are as large as the kernel's, so the two agree until they fill
        assertThat(dev.hotline.dataplane.userspace.Fragments.CAPACITY).isEqualTo(Abi.FRAGMENTS);
    }

    @Test
    void theFlowHashIsTheSameInCAndJava() {
        Privileges.requireBpf();
        Random rnd = new Random(2016);
        for (int i = 0; i < 100_000; i++) {
            int s = rnd.nextInt();
            int d = rnd.nextInt();
            int sp = rnd.nextInt(65536);
            int dp = rnd.nextInt(65536);
            int proto = rnd.nextBoolean() ? 6 : 17;
            assertThat(Abi.nativeFlowHash(s, d, sp, dp, proto)).as("case %d", i).isEqualTo(FlowHash.tuple(s, d, sp, dp, proto));
        }
    }
}
