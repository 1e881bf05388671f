package dev.hotline.replay;

/** Replay input that cannot be used: the message is the one line the user sees. */
public final class ReplayInputException extends Exception {
    public ReplayInputException(String message) {
        super(message);
    }
}
