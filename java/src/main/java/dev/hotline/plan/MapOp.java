package dev.hotline.plan;

import java.util.Arrays;

/**
 * One write to the dataplane's maps. A {@link PlanDiff} lists them in the order that never shows
 * a half-written Service: backends, then Maglev slots, then service entries; removals after.
 * A dataplane handles them through {@link Handler}: a new kind of write is a new method there, so
 * every dataplane that does not handle it fails to compile rather than at run time.
 */
public sealed interface MapOp {

    /** Calls the handler's method for this kind of write. */
    void applyTo(Handler handler);

    /**
     * A write that belongs to one Service's entries alone (its table, its source ranges, its affinity
     * backends): a reconciler applying Service by Service sends it with that Service's other writes.
     */
    interface OfService {
        int serviceId();
    }

    /** One method per kind of write. */
    interface Handler {
        void upsertBackend(UpsertBackend op);

        void upsertMaglevSlots(UpsertMaglevSlots op);

        void upsertService(UpsertService op);

        void upsertVirtualIp(UpsertVirtualIp op);

        void deleteVirtualIp(DeleteVirtualIp op);

        void deleteService(DeleteService op);

        void deleteMaglevSlots(DeleteMaglevSlots op);

        void deleteBackend(DeleteBackend op);

        void upsertSourceRange(UpsertSourceRange op);

        void deleteSourceRange(DeleteSourceRange op);

        void upsertAffinityMatch(UpsertAffinityMatch op);

        void deleteAffinityMatch(DeleteAffinityMatch op);
    }

    /** A client range a Service's LoadBalancer frontends take (loadBalancerSourceRanges). */
    record UpsertSourceRange(int serviceId, dev.hotline.net.Cidr range) implements MapOp, OfService {
        @Override
        public void applyTo(Handler handler) {
            handler.upsertSourceRange(this);
        }
    }

    /** A range no longer taken. */
    record DeleteSourceRange(int serviceId, dev.hotline.net.Cidr range) implements MapOp, OfService {
        @Override
        public void applyTo(Handler handler) {
            handler.deleteSourceRange(this);
        }
    }

    /** A backend that a client's session affinity to this Service may keep (an active one). */
    record UpsertAffinityMatch(int serviceId, int backendId) implements MapOp, OfService {
        @Override
        public void applyTo(Handler handler) {
            handler.upsertAffinityMatch(this);
        }
    }

    /** A backend affinity may no longer keep: a client that had it is balanced afresh. */
    record DeleteAffinityMatch(int serviceId, int backendId) implements MapOp, OfService {
        @Override
        public void applyTo(Handler handler) {
            handler.deleteAffinityMatch(this);
        }
    }

    /** Add or change a backend map entry. */
    record UpsertBackend(Backend backend) implements MapOp {
        @Override
        public void applyTo(Handler handler) {
            handler.upsertBackend(this);
        }
    }

    /**
     * Write these slots of a Service's Maglev table (only the ones that change hands), their values
     * read from the new table itself: a first sync writes ten million slots, and expanding them into
     * arrays first would double the heap it needs. positions null means every slot.
     */
    record UpsertMaglevSlots(int serviceId, MaglevTable table, int[] positions) implements MapOp, OfService {
        /** Every slot of the table. */
        public UpsertMaglevSlots(int serviceId, MaglevTable table) {
            this(serviceId, table, null);
        }

        public int tableSize() {
            return table.size();
        }

        /** How many slots this writes. */
        public int count() {
            return positions == null ? table.size() : positions.length;
        }

        /** The slot of the i-th write. */
        public int position(int i) {
            return positions == null ? i : positions[i];
        }

        /** The backend ID the i-th write puts in its slot. */
        public int backendId(int i) {
            return table.backendAt(position(i));
        }

        @Override
        public void applyTo(Handler handler) {
            handler.upsertMaglevSlots(this);
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof UpsertMaglevSlots u) || u.serviceId != serviceId || u.tableSize() != tableSize() || u.count() != count()) {
                return false;
            }
            for (int i = 0; i < count(); i++) {
                if (u.position(i) != position(i) || u.backendId(i) != backendId(i)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return (serviceId * 31 + tableSize()) * 31 + count();
        }

        @Override
        public String toString() {
            return "UpsertMaglevSlots[service=" + serviceId + ", size=" + tableSize() + ", slots=" + count() + "]";
        }
    }

    /** Add or change the service map entry of one frontend. */
    record UpsertService(Frontend frontend, ServiceEntry entry) implements MapOp {
        @Override
        public void applyTo(Handler handler) {
            handler.upsertService(this);
        }
    }

    /** Mark an address as a ClusterIP: traffic to it that matches no frontend is rejected. */
    record UpsertVirtualIp(dev.hotline.net.Ipv4 address) implements MapOp {
        @Override
        public void applyTo(Handler handler) {
            handler.upsertVirtualIp(this);
        }
    }

    /** The address is no longer a ClusterIP. */
    record DeleteVirtualIp(dev.hotline.net.Ipv4 address) implements MapOp {
        @Override
        public void applyTo(Handler handler) {
            handler.deleteVirtualIp(this);
        }
    }

    /** Remove the service map entry of a frontend that is gone. */
    record DeleteService(Frontend frontend) implements MapOp {
        @Override
        public void applyTo(Handler handler) {
            handler.deleteService(this);
        }
    }

    /** Remove slots [from, to) of a Service's table (it shrank, emptied or went away). */
    record DeleteMaglevSlots(int serviceId, int from, int to) implements MapOp, OfService {
        @Override
        public void applyTo(Handler handler) {
            handler.deleteMaglevSlots(this);
        }
    }

    /** Remove a backend no Service uses any more. */
    record DeleteBackend(int backendId) implements MapOp {
        @Override
        public void applyTo(Handler handler) {
            handler.deleteBackend(this);
        }
    }
}
