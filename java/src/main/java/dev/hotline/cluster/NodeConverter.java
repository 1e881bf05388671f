package dev.hotline.cluster;

import dev.hotline.net.Ipv4;
import io.fabric8.kubernetes.api.model.NodeAddress;
import java.util.ArrayList;
import java.util.List;

/** fabric8 Node to {@link Node}: its IPv4 InternalIP addresses first, then ExternalIP ones. */
final class NodeConverter {
    private NodeConverter() {
    }

    static Node convert(io.fabric8.kubernetes.api.model.Node n, ObjectProblems p) {
        List<Ipv4> internal = new ArrayList<>();
        List<Ipv4> external = new ArrayList<>();
        if (n.getStatus() != null && n.getStatus().getAddresses() != null) {
            List<NodeAddress> addresses = n.getStatus().getAddresses();
            for (int i = 0; i < addresses.size(); i++) {
                NodeAddress a = addresses.get(i);
                boolean isInternal = "InternalIP".equals(a.getType());
                if (!isInternal && !"ExternalIP".equals(a.getType())) {
                    continue;
                }
                Ipv4 ip = Fields.ipv4(p, "status.addresses[" + i + "].address", a.getAddress(), true);
                if (ip != null) {
                    (isInternal ? internal : external).add(ip);
                }
            }
        }
        if (p.failed()) {
            return null;
        }
        List<Ipv4> all = new ArrayList<>(internal);
        all.addAll(external);
        String zone = n.getMetadata().getLabels() == null ? null : Fields.nonEmpty(n.getMetadata().getLabels().get(Node.ZONE_LABEL));
        return new Node(p.ref().name(), all, zone);
    }
}
