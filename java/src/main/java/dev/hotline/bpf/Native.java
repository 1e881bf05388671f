package dev.hotline.bpf;

/**
 * The JNI entry points implemented in native/hotline_jni.c. Callers go through
 * {@link NativeLibrary#require()} first so that the library is loaded.
 */
final class Native {
    private Native() {
    }

    /** The libbpf version the JNI library runs against, "major.minor". */
    static native String libbpfVersion();

    /**
     * Loads every program of the ELF object through the kernel verifier, then releases it.
     * Returns one line per program ("name: N instructions"); throws {@link BpfException} with the
     * verifier log when the kernel refuses.
     */
    static native String verify(byte[] elfObject);
}
