package dev.hotline.endpoints;

import dev.hotline.cluster.Service;
import java.util.List;
import java.util.Map;

/**
 * The endpoints of one Service, per port name, and where they came from: EndpointSlices (or v1
 * Endpoints) given in the input, or the selector matched against Pods by hotline itself.
 */
public record ServiceEndpoints(Service service, Origin origin, Map<String, List<ResolvedEndpoint>> byPortName) {

    public enum Origin { ENDPOINT_SLICES, SELECTOR, NONE }

    public ServiceEndpoints {
        byPortName = Map.copyOf(byPortName);
    }

    public List<ResolvedEndpoint> forPort(String portName) {
        return byPortName.getOrDefault(portName, List.of());
    }
}
