package dev.hotline.net;

/** Transport protocols a Service port can name, with their IP protocol numbers. */
public enum Protocol {
    TCP(6), UDP(17), SCTP(132);

    private final int number;

    Protocol(int number) {
        this.number = number;
    }

    /** The IP header's protocol number. */
    public int number() {
        return number;
    }

    /** Kubernetes spelling; null means the API default, TCP. Returns null for anything unknown. */
    public static Protocol fromKubernetes(String text) {
        if (text == null || text.isEmpty()) {
            return TCP;
        }
        for (Protocol p : values()) {
            if (p.name().equals(text)) {
                return p;
            }
        }
        return null;
    }
}
