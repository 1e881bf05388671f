package dev.hotline.dataplane.bpf;

/**
 * How large the BPF maps are made at load: frontends (service map entries and ClusterIPs), backends,
 * Maglev slots (the sum of all Services' tables), and Service IDs counted per Service.
 */
public record BpfSizing(int frontends, int backends, int maglevSlots, int serviceIds) {
    public static final BpfSizing DEFAULT = new BpfSizing(65536, 65536, 1 << 21, 65536);
}
