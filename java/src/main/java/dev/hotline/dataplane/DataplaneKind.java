package dev.hotline.dataplane;

/** --dataplane: auto picks BPF when it can run here, else user-space. */
public enum DataplaneKind {
    auto, bpf, userspace
}
