package dev.hotline.dataplane;

/**
 * Where a dataplane meets live traffic: the interfaces it serves (the kernel dataplane: its
 * program at tc ingress). Only hotline's own attachment is ever touched.
 */
public interface Attachment {
    /** Starts serving the interface; returns its ifindex. Throws with the reason when it cannot. */
    int attach(String ifname);

    /** Stops serving the interface; false when nothing of ours was there. */
    boolean detach(String ifname);

    /** An interface served before is gone (or was made anew under its name): forgets what was kept for its index. */
    default void forget(int ifindex) {
    }

    /**
     * The interfaces of the calling thread's network namespace with their ifindex, every one
     * (addressless ones too), or null when this attachment cannot list them.
     */
    default java.util.Map<String, Integer> links() {
        return null;
    }

    /**
     * Announcements that links changed (appeared, changed, went) in the calling thread's network
     * namespace, or null when this attachment has none and the caller must poll.
     */
    default LinkChanges linkChanges() {
        return null;
    }

    /** A source of "links changed" announcements; one thread waits on it. */
    interface LinkChanges extends AutoCloseable {
        /** Waits up to timeoutMillis; true when links changed (or announcements were lost), false on timeout. */
        boolean await(int timeoutMillis);

        @Override
        void close();
    }
}
