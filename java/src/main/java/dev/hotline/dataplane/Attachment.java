package dev.hotline.dataplane;

/**
 * Where a dataplane meets live traffic: the interfaces it serves (the kernel dataplane: its
 * program at tc ingress). Only hotline's own attachment is ever touched.
 */
public interface Attachment {
    /** Starts serving the interface; throws with the reason when it cannot. */
    void attach(String ifname);

    /** Stops serving the interface; false when nothing of ours was there. */
    boolean detach(String ifname);
}
