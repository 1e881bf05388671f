package dev.hotline.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine without clang or libbpf still builds: CMake's configure and build succeed and
 * build-info.properties says which part was not built and what to install. The missing tools
 * are simulated by telling CMake to ignore the directories that hold them.
 */
class NativeBuildWithoutToolsTest {
    static final Path ROOT = Path.of(System.getProperty("hotline.root", ".."));

    static boolean haveCmake() {
        return Files.isExecutable(Path.of("/usr/bin/cmake")) && Files.isExecutable(Path.of("/usr/bin/make"));
    }

    private static String buildWithIgnoredPaths(Path dir, String ignored) throws Exception {
        Path out = dir.resolve("out");
        List<String> configure = new ArrayList<>(List.of("cmake", "-S", ROOT.toString(), "-B", dir.resolve("build").toString(),
                "-DCMAKE_C_COMPILER=/usr/bin/gcc", "-DCMAKE_MAKE_PROGRAM=/usr/bin/make", "-DHOTLINE_OUTPUT_DIR=" + out, "-DCMAKE_IGNORE_PATH=" + ignored,
                "-DJAVA_HOME=" + System.getProperty("java.home")));
        run(configure);
        run(List.of("cmake", "--build", dir.resolve("build").toString()));
        return Files.readString(out.resolve("build-info.properties"));
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + log).isZero();
    }

    @Test
    void withoutClangTheJniLibraryStillBuildsAndTheReasonIsRecorded(@TempDir Path dir) throws Exception {
        assumeTrue(haveCmake() || Privileges.underCi(), "skipped: cmake and make are not installed");
        String info = buildWithIgnoredPaths(dir, "/usr/bin;/bin;/usr/local/bin");
        assertThat(info).contains("bpf=not built: clang was not found at build time (apt-get install clang llvm)");
        assertThat(Files.exists(dir.resolve("out/hotline.bpf.o"))).isFalse();
        assertThat(info).contains("jni=built");
        assertThat(Files.exists(dir.resolve("out/libhotline_jni.so"))).isTrue();
    }

    @Test
    void withoutLibbpfNothingNativeBuildsAndTheBuildStillSucceeds(@TempDir Path dir) throws Exception {
        assumeTrue(haveCmake() || Privileges.underCi(), "skipped: cmake and make are not installed");
        String info = buildWithIgnoredPaths(dir, "/usr/include;/usr/include/x86_64-linux-gnu;/usr/lib/x86_64-linux-gnu;/usr/lib");
        assertThat(info).contains("bpf=not built: bpf/bpf_helpers.h was not found at build time (apt-get install libbpf-dev)");
        assertThat(info).contains("jni=not built: libbpf was not found at build time (apt-get install libbpf-dev libelf-dev zlib1g-dev)");
        assertThat(Files.exists(dir.resolve("out/libhotline_jni.so"))).isFalse();
    }

    @Test
    void withoutACCompilerTheBpfObjectStillBuildsAndTheReasonIsRecorded(@TempDir Path dir) throws Exception {
        assumeTrue(haveCmake() || Privileges.underCi(), "skipped: cmake and make are not installed");
        Path out = dir.resolve("out");
        ProcessBuilder configure = new ProcessBuilder("cmake", "-S", ROOT.toString(), "-B", dir.resolve("build").toString(),
                "-DCMAKE_MAKE_PROGRAM=/usr/bin/make", "-DHOTLINE_OUTPUT_DIR=" + out).redirectErrorStream(true);
        configure.environment().put("CC", "/nonexistent/cc");
        Process p = configure.start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
        run(List.of("cmake", "--build", dir.resolve("build").toString()));
        String info = Files.readString(out.resolve("build-info.properties"));
        assertThat(info).contains("jni=not built: no C compiler was found at build time (apt-get install gcc make)");
        assertThat(info).contains("bpf=built");
    }
}
