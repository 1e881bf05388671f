package dev.hotline.cluster;

import dev.hotline.net.Protocol;

/** A port a container declares; name is null when it has none. */
public record ContainerPort(String container, String name, int port, Protocol protocol) {
}
