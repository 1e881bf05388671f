package dev.hotline.cluster;

import dev.hotline.net.Cidr;
import java.util.List;

/**
 * The parts of a Service's spec that shape how its frontends behave rather than what they are.
 *
 * @param affinityTimeout         sessionAffinity ClientIP: seconds a client keeps its backend; 0: no affinity
 * @param sourceRanges            loadBalancerSourceRanges (IPv4 ones): the clients its LoadBalancer addresses take
 * @param sourceRestricted        true when clients outside sourceRanges are dropped at those addresses (some range was
 *                                given; an invalid one restricts rather than opens: what is left may be empty)
 * @param healthCheckNodePort     the port a cloud load balancer probes this node's local endpoints on; 0: none
 * @param allocateNodePorts       allocateLoadBalancerNodePorts (a LoadBalancer without NodePorts is not a mistake)
 * @param preferClose             trafficDistribution PreferClose (or the topology-mode annotation): an endpoints
 *                                controller gives each endpoint its zone as a hint
 */
public record ServicePolicy(int affinityTimeout, List<Cidr> sourceRanges, boolean sourceRestricted, int healthCheckNodePort,
                            boolean allocateNodePorts, boolean preferClose) {
    /** kube-proxy's default for sessionAffinityConfig.clientIP.timeoutSeconds: three hours. */
    public static final int DEFAULT_AFFINITY_TIMEOUT = 10800;
    /** The API's bound for timeoutSeconds: one day. */
    public static final int MAX_AFFINITY_TIMEOUT = 86400;

    public static final ServicePolicy DEFAULT = new ServicePolicy(0, List.of(), false, 0, true, false);

    public ServicePolicy {
        sourceRanges = List.copyOf(sourceRanges);
    }
}
