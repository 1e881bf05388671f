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
}
