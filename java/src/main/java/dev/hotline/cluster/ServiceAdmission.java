package dev.hotline.cluster;

import dev.hotline.net.Ipv4;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * {@link ServiceAddressCheck} kept up to date one Service at a time. Services are held in the
 * order they arrived; the admitted ones are what the check over all of them in that order gives.
 * While no Service is refused or given an allocated NodePort (always, with an API server, whose
 * allocators forbid clashes), a change is checked against the current owners of its addresses
 * alone; a change that clashes, or any change while something is refused, checks them all again,
 * so that a refused Service takes its address over when the owner goes.
 */
public final class ServiceAdmission {
    private final ServiceAddressCheck check;
    private final NodePortRange range;
    private final LinkedHashMap<ObjectRef, Service> given = new LinkedHashMap<>();
    private Map<ObjectRef, Service> admitted = new HashMap<>();
    private final Map<Ipv4, ObjectRef> clusterIPs = new HashMap<>();
    private final Map<Integer, ObjectRef> nodePorts = new HashMap<>();
    private final Map<String, ObjectRef> externals = new HashMap<>();
    /** True when every Service given is admitted as it is. */
    private boolean clean = true;

    public ServiceAdmission(NodePortRange range) {
        this.range = range;
        this.check = new ServiceAddressCheck(range);
    }

    /** Every Service given (admitted or not), in arrival order. */
    public List<Service> given() {
        return new ArrayList<>(given.values());
    }

    public Service admitted(ObjectRef ref) {
        return admitted.get(ref);
    }

    /**
     * Applies changes (null: removed); returns the Services whose admitted version changed (added,
     * changed or gone), and adds the check's findings to problems when every Service was checked.
     */
    public Set<ObjectRef> update(Map<ObjectRef, Service> changes, List<Problem> problems) {
        boolean fast = clean;
        for (Map.Entry<ObjectRef, Service> c : changes.entrySet()) {
            Service s = c.getValue();
            if (s == null) {
                given.remove(c.getKey());
            } else {
                given.put(c.getKey(), s);
            }
        }
        Set<ObjectRef> changed = new HashSet<>();
        if (fast) {
            for (Map.Entry<ObjectRef, Service> c : changes.entrySet()) {
                release(admitted.get(c.getKey()));
            }
            for (Map.Entry<ObjectRef, Service> c : changes.entrySet()) {
                Service s = c.getValue();
                if (s != null && !claimable(s)) {
                    fast = false;
                    break;
                }
                claim(s);
            }
        }
        if (fast) {
            for (Map.Entry<ObjectRef, Service> c : changes.entrySet()) {
                Service old = c.getValue() == null ? admitted.remove(c.getKey()) : admitted.put(c.getKey(), c.getValue());
                if (!Objects.equals(old, c.getValue())) {
                    changed.add(c.getKey());
                }
            }
            return changed;
        }
        // everything again, in arrival order
        List<Problem> found = new ArrayList<>();
        List<Service> kept = check.apply(given.values(), found);
        problems.addAll(found);
        Map<ObjectRef, Service> next = new HashMap<>(kept.size() * 2);
        kept.forEach(s -> next.put(s.ref(), s));
        for (ObjectRef ref : union(admitted.keySet(), next.keySet())) {
            if (!Objects.equals(admitted.get(ref), next.get(ref))) {
                changed.add(ref);
            }
        }
        admitted = next;
        clusterIPs.clear();
        nodePorts.clear();
        externals.clear();
        kept.forEach(this::claim);
        clean = kept.size() == given.size() && kept.stream().allMatch(s -> s == given.get(s.ref()));
        return changed;
    }

    private static Set<ObjectRef> union(Set<ObjectRef> a, Set<ObjectRef> b) {
        Set<ObjectRef> out = new HashSet<>(a);
        out.addAll(b);
        return out;
    }

    /** True when the Service's addresses are free (or its own) and its NodePorts all given and in range. */
    private boolean claimable(Service s) {
        if (s.clusterIP() != null && clusterIPs.containsKey(s.clusterIP())) {
            return false;
        }
        for (dev.hotline.cluster.ServicePort sp : s.ports()) {
            if (sp.nodePort() == 0 ? s.wantsNodePorts() : (!range.contains(sp.nodePort()) || nodePorts.containsKey(sp.nodePort()))) {
                return false;
            }
        }
        for (String a : s.externalAddresses()) {
            if (externals.containsKey(a)) {
                return false;
            }
        }
        return true;
    }

    private void claim(Service s) {
        if (s == null) {
            return;
        }
        if (s.clusterIP() != null) {
            clusterIPs.put(s.clusterIP(), s.ref());
        }
        s.ports().forEach(sp -> {
            if (sp.nodePort() != 0) {
                nodePorts.put(sp.nodePort(), s.ref());
            }
        });
        s.externalAddresses().forEach(a -> externals.put(a, s.ref()));
    }

    private void release(Service s) {
        if (s == null) {
            return;
        }
        if (s.clusterIP() != null) {
            clusterIPs.remove(s.clusterIP(), s.ref());
        }
        s.ports().forEach(sp -> nodePorts.remove(sp.nodePort(), s.ref()));
        s.externalAddresses().forEach(a -> externals.remove(a, s.ref()));
    }
}
