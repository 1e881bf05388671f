package dev.hotline.plan;

import java.util.Arrays;

/**
 * One write to the dataplane's maps. A {@link PlanDiff} lists them in the order that never shows
 * a half-written Service: backends, then Maglev slots, then service entries; removals after.
 */
public sealed interface MapOp {

    /** Add or change a backend map entry. */
    record UpsertBackend(Backend backend) implements MapOp {
    }

    /** Write these slots of a Service's Maglev table (only the ones that change hands). */
    record UpsertMaglevSlots(int serviceId, int tableSize, int[] positions, int[] backendIds) implements MapOp {
        @Override
        public boolean equals(Object o) {
            return o instanceof UpsertMaglevSlots u && u.serviceId == serviceId && u.tableSize == tableSize
                    && Arrays.equals(u.positions, positions) && Arrays.equals(u.backendIds, backendIds);
        }

        @Override
        public int hashCode() {
            return serviceId * 31 + Arrays.hashCode(positions);
        }

        @Override
        public String toString() {
            return "UpsertMaglevSlots[service=" + serviceId + ", size=" + tableSize + ", slots=" + positions.length + "]";
        }
    }

    /** Add or change the service map entry of one frontend. */
    record UpsertService(Frontend frontend, ServiceEntry entry) implements MapOp {
    }

    /** Mark an address as a ClusterIP: traffic to it that matches no frontend is rejected. */
    record UpsertVirtualIp(dev.hotline.net.Ipv4 address) implements MapOp {
    }

    /** The address is no longer a ClusterIP. */
    record DeleteVirtualIp(dev.hotline.net.Ipv4 address) implements MapOp {
    }

    /** Remove the service map entry of a frontend that is gone. */
    record DeleteService(Frontend frontend) implements MapOp {
    }

    /** Remove slots [from, to) of a Service's table (it shrank, emptied or went away). */
    record DeleteMaglevSlots(int serviceId, int from, int to) implements MapOp {
    }

    /** Remove a backend no Service uses any more. */
    record DeleteBackend(int backendId) implements MapOp {
    }
}
