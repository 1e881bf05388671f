package dev.hotline.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

/** Runs an nft script as one transaction (all of it or none). */
public final class Nft {
    private Nft() {
    }

    /** null when nft applied the script, else why not. */
    public static String run(String script) {
        java.nio.file.Path output = null;
        Process p;
        try {
            output = Files.createTempFile("hotline-nft", ".out");
            p = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).redirectOutput(output.toFile()).start();
        } catch (IOException e) {
            delete(output);
            return "nft is not installed (apt-get install nftables)";
        }
        try {
            try (var in = p.getOutputStream()) {
                in.write(script.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // nft ended before reading all of it: its exit and output say why
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "nft did not finish within 30 s";
            }
            String out = Files.readString(output).trim();
            return p.exitValue() == 0 ? null : "nft: " + out.replace('\n', ' ');
        } catch (IOException e) {
            return "nft: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } finally {
            delete(output);
        }
    }

    private static void delete(java.nio.file.Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temporary file left in /tmp
            }
        }
    }
}
