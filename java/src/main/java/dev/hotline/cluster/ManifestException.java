package dev.hotline.cluster;

/** Input that cannot be read at all (missing file, invalid YAML); the message is one line naming the file. */
public final class ManifestException extends Exception {
    public ManifestException(String message) {
        super(message);
    }

    /** A parser's message on one line, for one-line errors. */
    public static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\n\\s*", " ").trim();
    }
}
