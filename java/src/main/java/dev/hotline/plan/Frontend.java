package dev.hotline.plan;

import dev.hotline.net.Ipv4;
import dev.hotline.net.Protocol;
import java.util.Comparator;

/**
 * An address:port/protocol that the dataplane answers for a Service; the key of the service map.
 * internal: the second entry an externalTrafficPolicy Local frontend has, the one sources inside
 * the cluster (pods, the node itself) use, which keeps the Cluster policy as kube-proxy does.
 */
public record Frontend(Ipv4 address, int port, Protocol protocol, FrontendKind kind, boolean internal) implements Comparable<Frontend> {
    /** The scope byte of the service map key (HL_SCOPE_* in hotline_abi.h): what everyone sees, and the in-cluster view. */
    public static final int SCOPE_EXTERNAL = 0;
    public static final int SCOPE_INTERNAL = 1;

    static final Comparator<Frontend> ORDER = Comparator.comparing(Frontend::address)
            .thenComparingInt(Frontend::port).thenComparing(Frontend::protocol).thenComparing(Frontend::internal);

    public Frontend(Ipv4 address, int port, Protocol protocol, FrontendKind kind) {
        this(address, port, protocol, kind, false);
    }

    @Override
    public int compareTo(Frontend o) {
        return ORDER.compare(this, o);
    }

    /** The scope byte of its map key. */
    public int scope() {
        return internal ? SCOPE_INTERNAL : SCOPE_EXTERNAL;
    }

    public FrontendKey key() {
        return new FrontendKey(address, port, protocol, internal);
    }

    /** Two frontends are the same map key when address, port, protocol and view match. */
    public boolean sameKey(Frontend o) {
        return address.equals(o.address) && port == o.port && protocol == o.protocol && internal == o.internal;
    }

    /** The in-cluster view of this (external) frontend. */
    Frontend internalView() {
        return new Frontend(address, port, protocol, kind, true);
    }

    @Override
    public String toString() {
        return address + ":" + port + "/" + protocol + (internal ? " (in-cluster view)" : "");
    }
}
