package dev.hotline.plan;

/**
 * An entry of the backend map: where to DNAT to, and whether it lives on this node (a NodePort
 * flow to a backend elsewhere is also SNATed to the node address).
 */
public record Backend(int id, BackendKey key, String nodeName, String podName, boolean local) {
}
