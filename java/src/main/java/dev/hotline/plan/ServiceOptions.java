package dev.hotline.plan;

import dev.hotline.net.Cidr;
import java.util.List;

/**
 * How a Service entry treats new flows beyond picking a backend.
 *
 * @param affinityTimeout  sessionAffinity ClientIP in seconds (0: none): a client's new flows keep its backend
 * @param sourceRanges     the clients its LoadBalancer frontends take, when sourceRestricted
 * @param sourceRestricted clients outside sourceRanges are dropped at its LoadBalancer frontends
 * @param dropWhenEmpty    no usable endpoint in this scope but some elsewhere: drop, not reject (kube-proxy's
 *                         "has no local endpoints")
 * @param healthCheckNodePort the port the agent answers "how many local endpoints" on for this Service (the
 *                         node-local scope of a LoadBalancer with externalTrafficPolicy Local); 0: none
 */
public record ServiceOptions(int affinityTimeout, List<Cidr> sourceRanges, boolean sourceRestricted, boolean dropWhenEmpty,
                             int healthCheckNodePort) {
    public static final ServiceOptions NONE = new ServiceOptions(0, List.of(), false, false, 0);

    public ServiceOptions {
        sourceRanges = List.copyOf(sourceRanges);
    }
}
