package dev.hotline.plan;

import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;
import java.util.Comparator;

/** What identifies a backend across plans (and so keeps its ID): address, port, protocol. */
public record BackendKey(Ipv4 address, int port, Protocol protocol) implements Comparable<BackendKey> {
    private static final Comparator<BackendKey> ORDER = Comparator.comparing(BackendKey::address)
            .thenComparingInt(BackendKey::port).thenComparing(BackendKey::protocol);

    @Override
    public int compareTo(BackendKey o) {
        // ORDER, spelled out: a first plan sorts a million of these
        int c = address.compareTo(o.address);
        if (c != 0) {
            return c;
        }
        c = Integer.compare(port, o.port);
        return c != 0 ? c : protocol.compareTo(o.protocol);
    }

    @Override
    public String toString() {
        return address + ":" + port + "/" + protocol;
    }
}
