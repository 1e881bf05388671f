package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.dataplane.DataplaneConfig;
import dev.hotline.dataplane.DataplaneKind;
import dev.hotline.dataplane.Dataplane;
import dev.hotline.dataplane.select.Dataplanes;
import dev.hotline.demo.Demo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `hotline demo` tells the whole story with no surprise, on every dataplane, and its pcaps decode cleanly. */
class DemoTest {

    @Test
    void theStoryRunsOnEveryDataplaneWithoutSurprises(@TempDir Path dir) throws Exception {
        for (DataplaneKind kind : Scenario.dataplanes()) {
            StringWriter text = new StringWriter();
            Path pcaps = dir.resolve(kind.name());
            int surprises;
            try (Dataplane dp = Dataplanes.open(kind, DataplaneConfig.DEFAULT, l -> { })) {
                surprises = Demo.run(dp, new PrintWriter(text, true), pcaps);
            }
            String out = text.toString();
            assertThat(surprises).as(out).isZero();
            assertThat(out).contains("through the " + kind.name() + " dataplane")
                    .containsPattern("TCP 10\\.1\\.1\\.10:40000 -> 10\\.96\\.100\\.200:80 \\[SYN\\] +dnat +-> 10\\.1\\.1\\.10:40000 -> 10\\.1\\.1\\.[56]:8080 \\[SYN\\]")
                    .containsPattern("reverse +-> 10\\.96\\.100\\.200:80 -> 10\\.1\\.1\\.10:40000 \\[SYN,ACK\\]")
                    .contains("pod-2 goes on break and is replaced by pod-3")
                    .contains("-backend 10.1.1.6:8080 (pod-2)")
                    .contains("DNAT only, the pod sees the client's own address 203.0.113.50")
                    .contains("DNAT plus SNAT to the node address")
                    .contains("The hotline kept working through every change.");
            if (Tshark.available() || Privileges.underCi()) {
                int frames = Tshark.decode(pcaps.resolve("demo-out.pcap")).size();
                assertThat(frames).isGreaterThan(30);
                Tshark.assertChecksumsValid(pcaps.resolve("demo-out.pcap"), frames);
            }
        }
    }

    @Test
    void binHotlineDemoNeedsNoArguments() throws Exception {
        Process p = new ProcessBuilder(BpfProgramTest.javaBin(), "-jar", BpfProgramTest.shadedJar().toString(), "demo")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).containsPattern("hotline: dataplane: (bpf|userspace)").contains("The hotline kept working through every change.");
    }
}
