package dev.hotline.plan;

/**
 * The value of a frontend's service map entry: which Service (and so which Maglev table) it
 * uses, how many backends are active (0: reject, or drop), the table size, how it was reached, and
 * what a new flow to it must pass first.
 *
 * @param snatRemote      remote backends are SNATed (a frontend reached from outside, not its in-cluster view)
 * @param snatToNode      SNAT to the node's own address rather than the one reached (externalIPs, LoadBalancer IPs)
 * @param internalView    sources in the cluster use this frontend's in-cluster view instead
 * @param sourceRestricted new flows only from the Service's source ranges
 * @param dropWhenEmpty   with no active backend: drop rather than reject
 * @param affinityTimeout seconds a client keeps its backend; 0: none
 */
public record ServiceEntry(int serviceId, int activeBackends, int tableSize, FrontendKind kind, ServiceScope scope,
                           boolean snatRemote, boolean snatToNode, boolean internalView, boolean sourceRestricted,
                           boolean dropWhenEmpty, int affinityTimeout) {
    // the entry's flags as both dataplanes hold them (HL_SVC_* in hotline_abi.h; Abi mirrors these, AbiTest holds them to C)
    public static final int FLAG_NODE_PORT = 1;
    public static final int FLAG_LOCAL_SCOPE = 2;
    public static final int FLAG_DROP_EMPTY = 4;
    public static final int FLAG_INTERNAL_VIEW = 8;
    public static final int FLAG_SOURCE_RANGES = 16;
    public static final int FLAG_SNAT_NODE = 32;

    /** The flags word of the entry. */
    public int flags() {
        return (snatRemote ? FLAG_NODE_PORT : 0) | (scope == ServiceScope.NODE_LOCAL ? FLAG_LOCAL_SCOPE : 0)
                | (dropWhenEmpty ? FLAG_DROP_EMPTY : 0) | (internalView ? FLAG_INTERNAL_VIEW : 0)
                | (sourceRestricted ? FLAG_SOURCE_RANGES : 0) | (snatToNode ? FLAG_SNAT_NODE : 0);
    }

    static ServiceEntry of(ServicePlan s, Frontend f) {
        boolean outside = f.kind().external() && !f.internal();
        return new ServiceEntry(s.id(), (int) s.activeBackends(), s.table().size(), f.kind(), s.scope(), outside,
                outside && (f.kind() == FrontendKind.EXTERNAL_IP || f.kind() == FrontendKind.LOAD_BALANCER),
                outside && s.scope() == ServiceScope.NODE_LOCAL,
                outside && f.kind() == FrontendKind.LOAD_BALANCER && s.options().sourceRestricted(),
                s.options().dropWhenEmpty(), s.options().affinityTimeout());
    }
}
