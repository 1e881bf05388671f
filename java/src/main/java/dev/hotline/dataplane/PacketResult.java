package dev.hotline.dataplane;

/**
 * The outcome of one frame, filled in by {@link Dataplane#process}; one instance is reused for
 * every frame so the packet path does not allocate. backendIp/backendPort name the backend of the
 * flow (for dnat, dnat+snat and reverse), serviceId its Service (0: none).
 */
public final class PacketResult {
    public Verdict verdict = Verdict.PASS;
    public Reason reason = Reason.NO_SERVICE;
    /** Length of the frame that leaves (0 when dropped); the frame buffer holds it. */
    public int length;
    public int serviceId;
    public int backendId;
    public int backendIp;
    public int backendPort;

    public void reset() {
        verdict = Verdict.PASS;
        reason = Reason.NO_SERVICE;
        length = 0;
        serviceId = 0;
        backendId = 0;
        backendIp = 0;
        backendPort = 0;
    }
}
