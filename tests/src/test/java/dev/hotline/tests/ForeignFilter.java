package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Another vendor's tc program, as a CNI or a monitor would add after ours: it drops UDP datagrams
 * whose payload starts with "DROPME" and lets everything else through.
 */
final class ForeignFilter {
    private ForeignFilter() {
    }

    /** Compiles it into dir; returns the object for `tc filter add ... bpf da obj X sec tc`. */
    static Path compile(Path dir) throws Exception {
        Path src = dir.resolve("foreign.bpf.c");
        Files.writeString(src, """
                #include <linux/bpf.h>
                #include <linux/pkt_cls.h>
                #include <bpf/bpf_helpers.h>
                SEC("tc")
                int foreign(struct __sk_buff *skb)
                {
                	char word[6];
                	unsigned char proto;
                	if (bpf_skb_load_bytes(skb, 14 + 9, &proto, 1) || proto != 17)
                		return TC_ACT_OK;
                	if (bpf_skb_load_bytes(skb, 14 + 20 + 8, word, 6))
                		return TC_ACT_OK;
                	return word[0] == 'D' && word[1] == 'R' && word[2] == 'O' && word[3] == 'P' && word[4] == 'M'
                			&& word[5] == 'E' ? TC_ACT_SHOT : TC_ACT_OK;
                }
                char LICENSE[] SEC("license") = "GPL";
                """);
        Path obj = dir.resolve("foreign.bpf.o");
        Process cc = new ProcessBuilder("clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c",
                src.toString(), "-o", obj.toString()).redirectErrorStream(true).start();
        String ccLog = new String(cc.getInputStream().readAllBytes());
        assertThat(cc.waitFor()).as(ccLog).isZero();
        return obj;
    }
}
