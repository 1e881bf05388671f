package dev.hotline.plan;

import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;
import java.util.Comparator;

/** An address:port/protocol that the dataplane answers for a Service; the key of the service map. */
public record Frontend(Ipv4 address, int port, Protocol protocol, FrontendKind kind) implements Comparable<Frontend> {
    static final Comparator<Frontend> ORDER = Comparator.comparing(Frontend::address)
            .thenComparingInt(Frontend::port).thenComparing(Frontend::protocol);

    @Override
    public int compareTo(Frontend o) {
        return ORDER.compare(this, o);
    }

    public FrontendKey key() {
        return new FrontendKey(address, port, protocol);
    }

    /** Two frontends are the same map key when address, port and protocol match. */
    public boolean sameKey(Frontend o) {
        return address.equals(o.address) && port == o.port && protocol == o.protocol;
    }

    @Override
    public String toString() {
        return address + ":" + port + "/" + protocol;
    }
}
