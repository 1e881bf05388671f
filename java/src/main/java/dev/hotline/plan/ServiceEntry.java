package dev.hotline.plan;

/**
 * The value of a frontend's service map entry: which Service (and so which Maglev table) it
 * uses, how many backends are active (0: reject), the table size, and how it was reached.
 */
public record ServiceEntry(int serviceId, int activeBackends, int tableSize, FrontendKind kind, ServiceScope scope) {

    static ServiceEntry of(ServicePlan s, Frontend f) {
        return new ServiceEntry(s.id(), (int) s.activeBackends(), s.table().size(), f.kind(), s.scope());
    }
}
