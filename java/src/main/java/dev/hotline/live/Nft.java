package dev.hotline.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Runs an nft script as one transaction (all of it or none). */
public final class Nft {
    private Nft() {
    }

    /** null when nft applied the script, else why not. */
    public static String run(String script) {
        try {
            Process p = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
            p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "nft did not finish within 30 s";
            }
            return p.exitValue() == 0 ? null : "nft: " + out.replace('\n', ' ');
        } catch (IOException e) {
            return "nft is not installed (apt-get install nftables)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
