package dev.hotline.cluster;

import dev.hotline.net.Ipv4;
import java.util.List;
import java.util.Map;

/**
 * A Pod as the endpoints controller sees it: labels to match, phase and IP to decide whether it
 * can serve, the Ready condition, and the container ports that named targetPorts resolve through.
 */
public record Pod(
        ObjectRef ref,
        String source,
        Map<String, String> labels,
        String phase,
        Ipv4 ip,
        String nodeName,
        boolean ready,
        boolean terminating,
        List<ContainerPort> containerPorts) {

    public Pod {
        labels = Map.copyOf(labels);
        containerPorts = List.copyOf(containerPorts);
    }

    public String namespace() {
        return ref.namespace();
    }

    public String name() {
        return ref.name();
    }

    public boolean isRunning() {
        return "Running".equals(phase);
    }
}
