package dev.hotline.cluster;

/** Input that cannot be read at all (missing file, invalid YAML); the message is one line naming the file. */
public final class ManifestException extends Exception {
    public ManifestException(String message) {
        super(message);
    }
}
