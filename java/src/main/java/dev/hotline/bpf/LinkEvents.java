package dev.hotline.bpf;

/**
 * Interfaces appearing, changing and going, as rtnetlink announces them (RTMGRP_LINK) in the
 * network namespace of the thread that opens it. Says only that something changed: the caller
 * rescans, so a lost event costs a poll period, never a wrong state.
 */
public final class LinkEvents implements AutoCloseable {
    private volatile int fd;

    private LinkEvents(int fd) {
        this.fd = fd;
    }

    public static LinkEvents open() {
        NativeLibrary.require();
        return new LinkEvents(Native.linkEventsOpen());
    }

    /** Waits up to timeoutMillis; true when links changed (or events were lost), false on timeout. */
    public boolean await(int timeoutMillis) {
        int f = fd;
        if (f < 0) {
            throw new IllegalStateException("link events closed");
        }
        return Native.linkEventsWait(f, timeoutMillis) != 0;
    }

    @Override
    public void close() {
        int f = fd;
        fd = -1;
        Native.linkEventsClose(f);
    }
}
