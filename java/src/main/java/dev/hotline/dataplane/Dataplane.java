package dev.hotline.dataplane;

import dev.hotline.plan.MapOp;
import dev.hotline.plan.Plan;
import java.util.List;

/**
 * The one interface both dataplanes implement: the BPF program driven through libbpf, and its
 * user-space twin. Both must give the same bytes and verdicts for the same input.
 */
public interface Dataplane extends AutoCloseable {
    /** Bytes a frame buffer needs beyond the frame itself, room for a generated reply (RST or ICMP). */
    int REPLY_ROOM = 128;

    /** "userspace" or "bpf". */
    String name();

    /** Applies a plan diff, in the order given (see {@link dev.hotline.plan.PlanDiff}). */
    void apply(List<MapOp> ops);

    /**
     * Processes one frame as it arrives at tc ingress on the node. The frame is rewritten in
     * place, or replaced by the generated reply; result.length says how long the frame that leaves
     * is (0 when dropped). frame must have at least length + REPLY_ROOM bytes.
     *
     * @param nowNanos the conntrack clock: the capture timestamp in replay, the monotonic clock live
     */
    void process(byte[] frame, int length, long nowNanos, PacketResult result);

    /**
     * Processes count frames in order, as {@link #process} would one by one; frames[i] holds
     * lengths[i] bytes (and room for a reply) and is rewritten in place. The kernel dataplane does
     * the whole batch in one JNI call.
     */
    default void processBatch(byte[][] frames, int[] lengths, long[] nowNanos, PacketResult[] results, int count) {
        for (int i = 0; i < count; i++) {
            process(frames[i], lengths[i], nowNanos[i], results[i]);
        }
    }

    /**
     * What the maps already hold (pinned maps an agent restarts on), to plan the first picture
     * with the same IDs. Call once, before the first apply. A fresh dataplane holds nothing.
     */
    default LoadedState adopt() {
        return LoadedState.EMPTY;
    }

    /**
     * After the first apply on adopted state: removes what the maps held that the plan no longer
     * has (deleted while no agent ran). Returns how many entries went.
     */
    default int removeStale(Plan plan) {
        return 0;
    }

    /** Keeps the last Service and backend IDs handed out with the (pinned) state, for {@link #adopt()} after a restart. */
    default void recordIdCursors(int serviceCursor, int backendCursor) {
    }

    /** The interfaces this dataplane serves live traffic on; buffer-only dataplanes say why they have none. */
    default Attachment attachment() {
        throw new UnsupportedOperationException("the " + name() + " dataplane processes buffers and captures only; "
                + "it does not attach to interfaces");
    }

    /**
     * Removes every flow expired at nowNanos (on the conntrack clock) from conntrack, both halves;
     * returns how many. Conntrack is bounded and never evicts a live flow: a node's agent sweeps
     * it on a timer.
     */
    int sweepConntrack(long nowNanos);

    /** Each map's entries and capacity now, by name ({entries, capacity}); empty where the dataplane has no maps. */
    default java.util.Map<String, long[]> mapUsage() {
        return java.util.Map.of();
    }

    /**
     * Frames by where they went after translation (the kernel dataplane: stack, peer, neigh, direct;
     * the user-space one on live interfaces: raw_socket, unchanged); empty where nothing is sent.
     */
    default java.util.Map<String, Long> forwarded() {
        return java.util.Map.of();
    }

    /** Frames a dataplane on live interfaces lost, by why (capture_ring, send_failed, failed); empty elsewhere. */
    default java.util.Map<String, Long> lost() {
        return java.util.Map.of();
    }

    /** Frame, frontend and backend counters since the dataplane was created. */
    DataplaneCounters counters();

    @Override
    void close();
}
