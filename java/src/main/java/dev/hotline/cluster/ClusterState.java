package dev.hotline.cluster;

import java.util.List;

/**
 * The cluster picture: plain immutable records, no fabric8 types. Objects that could not be read
 * are absent and described in problems; everything else is usable as it is.
 */
public record ClusterState(
        List<Service> services,
        List<Pod> pods,
        List<EndpointSlice> endpointSlices,
        List<Node> nodes,
        List<Workload> workloads,
        List<Problem> problems) {

    public ClusterState {
        services = List.copyOf(services);
        pods = List.copyOf(pods);
        endpointSlices = List.copyOf(endpointSlices);
        nodes = List.copyOf(nodes);
        workloads = List.copyOf(workloads);
        problems = List.copyOf(problems);
    }

    public static ClusterState empty() {
        return new ClusterState(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    }
}
