package dev.hotline.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When the native part is missing from a build, the reason reaches the user in one line. */
class NativeLibraryTest {

    @Test
    void aBuildWithoutCmakeSaysSoAndWhatToInstall() {
        assertThat(NativeLibrary.buildStatus("/native-test/absent/", "bpf"))
                .startsWith("hotline was built without its native part (cmake was not found at build time;")
                .contains("apt-get install cmake clang llvm libbpf-dev");
    }

    @Test
    void aBuildWithoutClangCarriesCmakesReason() {
        assertThat(NativeLibrary.buildStatus("/native-test/no-clang/", "bpf"))
                .isEqualTo("not built: clang was not found at build time (apt-get install clang llvm)");
        assertThat(NativeLibrary.buildStatus("/native-test/no-clang/", "jni")).isEqualTo("built");
    }
}
