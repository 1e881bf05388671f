package dev.hotline.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Properties;

/**
 * Finds the native half of hotline inside the jar: the JNI library, which it extracts and loads,
 * and the BPF object. When either is missing it knows why (build-info.properties is written by
 * CMake), so the BPF path can say exactly what is unavailable instead of failing later.
 */
public final class NativeLibrary {
    static final String RESOURCE_DIR = "/native/linux-x86_64/";
    static final String JNI_LIBRARY = "libhotline_jni.so";
    static final String BPF_OBJECT = "hotline.bpf.o";

    private static final Object LOCK = new Object();
    private static volatile String loadFailure;
    private static volatile boolean loaded;

    private NativeLibrary() {
    }

    /** Loads the JNI library if it is not loaded yet; throws {@link BpfUnavailableException} saying why it cannot be. */
    public static void require() {
        if (loaded) {
            return;
        }
        synchronized (LOCK) {
            if (loaded) {
                return;
            }
            if (loadFailure != null) {
                throw new BpfUnavailableException(loadFailure);
            }
            try {
                load();
                loaded = true;
            } catch (BpfUnavailableException e) {
                loadFailure = e.getMessage();
                throw e;
            }
        }
    }

    /** The compiled BPF object carried in the jar. */
    public static byte[] bpfObject() {
        return resource(BPF_OBJECT);
    }

    static byte[] resource(String name) {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new BpfUnavailableException("the BPF program is not in this build: " + buildStatus("bpf"));
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + name + " from the jar", e);
        }
    }

    /** What the native build recorded for "bpf" or "jni": "built", or "not built: why". */
    static String buildStatus(String part) {
        return buildStatus(RESOURCE_DIR, part);
    }

    static String buildStatus(String resourceDir, String part) {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resourceDir + "build-info.properties")) {
            if (in == null) {
                return "hotline was built without its native part (cmake was not found at build time; "
                        + "apt-get install cmake clang llvm libbpf-dev, then rebuild)";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty(part, "unknown");
        } catch (IOException e) {
            return "unreadable build-info.properties: " + e.getMessage();
        }
    }

    private static void load() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux")) {
            throw new BpfUnavailableException("BPF needs Linux; this is " + System.getProperty("os.name"));
        }
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            throw new BpfUnavailableException("the native library is built for x86_64; this machine is " + arch);
        }
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE_DIR + JNI_LIBRARY)) {
            if (in == null) {
                throw new BpfUnavailableException("the JNI library is not in this build: " + buildStatus("jni"));
            }
            Path dir = Files.createTempDirectory("hotline-native");
            Path lib = dir.resolve(JNI_LIBRARY);
            Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
            try {
                System.load(lib.toAbsolutePath().toString());
            } finally {
                // the loaded mapping stays valid after unlink; nothing is left behind in /tmp
                Files.deleteIfExists(lib);
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new BpfUnavailableException("cannot extract the JNI library: " + e.getMessage());
        } catch (UnsatisfiedLinkError e) {
            throw new BpfUnavailableException("cannot load the JNI library (is libbpf1 installed? "
                    + "apt-get install libbpf1 libelf1): " + e.getMessage());
        }
    }
}
