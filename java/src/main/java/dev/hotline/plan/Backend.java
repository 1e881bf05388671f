package dev.hotline.plan;

import java.util.Comparator;

/**
 * An entry of the backend map: where to DNAT to, and whether it lives on this node (a NodePort
 * flow to a backend elsewhere is also SNATed to the node address).
 */
public record Backend(int id, BackendKey key, String nodeName, String podName, boolean local) {
    private static final Comparator<String> NAMES = Comparator.nullsLast(Comparator.naturalOrder());
    private static final Comparator<Backend> PREFERENCE = Comparator.comparing(Backend::podName, NAMES)
            .thenComparing(Backend::nodeName, NAMES).thenComparing(Backend::local);

    /**
     * Of two descriptions of one backend (two Services, or two slices, naming the same address and
     * port), the one the map holds: the one naming a pod, then the lesser by pod and node name. It
     * depends on neither order nor history, so planning one Service at a time gives what planning
     * all of them at once gives.
     */
    public static Backend preferred(Backend a, Backend b) {
        return PREFERENCE.compare(a, b) <= 0 ? a : b;
    }
}
