package dev.hotline.bpf;

import java.nio.ByteBuffer;

/**
 * Java's mirror of bpf/hotline_abi.h: map identities, struct sizes and field offsets, codes and
 * flags, and encoders that write map keys and values exactly as C lays them out. AbiTest holds
 * every number here to what the native side reports. Addresses and ports are written in network
 * order, everything else in host order (little-endian buffers).
 */
public final class Abi {
    private Abi() {
    }

    public static final int MAP_SERVICES = 0;
    public static final int MAP_CLUSTER_IPS = 1;
    public static final int MAP_BACKENDS = 2;
    public static final int MAP_MAGLEV = 3;
    public static final int MAP_SERVICE_STATS = 4;
    public static final int MAP_CT_FORWARD = 5;
    public static final int MAP_CT_REVERSE = 6;
    public static final int MAP_CONFIG = 7;
    public static final int MAP_STATS = 8;
    public static final int MAP_FRAGMENTS = 9;
    public static final int MAP_SOCK_REVERSE = 10;
    public static final int MAP_IFACES = 11;
    public static final int MAP_SOURCE_RANGES = 12;
    public static final int MAP_AFFINITY = 13;
    public static final int MAP_AFFINITY_MATCH = 14;
    public static final int MAP_COUNT = 15;
    public static final String[] MAP_NAMES = {"hl_services", "hl_cluster_ips", "hl_backends", "hl_maglev",
        "hl_service_stats", "hl_ct_forward", "hl_ct_reverse", "hl_config", "hl_stats", "hl_fragments", "hl_sock_reverse",
        "hl_ifaces", "hl_source_ranges", "hl_affinity", "hl_affinity_match"};
    // struct hl_source_range_key, hl_affinity_key, hl_affinity, hl_affinity_match_key
    public static final int SOURCE_RANGE_KEY_SIZE = 12;
    public static final int AFFINITY_KEY_SIZE = 8;
    public static final int AFFINITY_SIZE = 16;
    public static final int AFFINITY_LAST_USED = 8;
    public static final int AFFINITY_MATCH_KEY_SIZE = 8;
    public static final int AFFINITY_ENTRIES = dev.hotline.dataplane.DataplaneConfig.AFFINITY_ENTRIES;
    public static final int CLUSTER_SOURCES = dev.hotline.dataplane.DataplaneConfig.CLUSTER_SOURCES;
    public static final int SOCK_KEY_SIZE = 16;
    public static final int SOCK_FRONTEND_SIZE = 8;
    /** hl_ifaces value: the interface is a veth (bpf_redirect_peer reaches its other end). */
    public static final int IF_VETH = 1;
    public static final int FRAG_KEY_SIZE = 12;
    public static final int FRAG_PORTS_SIZE = 16;
    public static final int FRAG_PORTS_SEEN = 8;
    /** hl_fragments' size: fragmented datagrams in flight (the twin's table has the same size). */
    public static final int FRAGMENTS = 8192;

    // struct hl_frontend_key
    public static final int FRONTEND_KEY_SIZE = 8;
    public static final int FRONTEND_KEY_ADDR = 0;
    public static final int FRONTEND_KEY_PORT = 4;
    public static final int FRONTEND_KEY_PROTO = 6;
    public static final int FRONTEND_KEY_SCOPE = 7;
    public static final int SCOPE_INTERNAL = dev.hotline.plan.Frontend.SCOPE_INTERNAL;
    // struct hl_service
    public static final int SERVICE_SIZE = 24;
    public static final int SERVICE_ID = 0;
    public static final int SERVICE_ACTIVE = 4;
    public static final int SERVICE_TABLE_SIZE = 8;
    public static final int SERVICE_TABLE_OFFSET = 12;
    public static final int SERVICE_FLAGS = 16;
    public static final int SERVICE_AFFINITY_TIMEOUT = 20;
    // struct hl_backend
    public static final int BACKEND_SIZE = 16;
    public static final int BACKEND_ADDR = 0;
    public static final int BACKEND_PORT = 4;
    public static final int BACKEND_PROTO = 6;
    public static final int BACKEND_FLAGS = 7;
    public static final int BACKEND_PACKETS = 8;
    // struct hl_ct_key
    public static final int CT_KEY_SIZE = 16;
    public static final int CT_KEY_SADDR = 0;
    public static final int CT_KEY_DADDR = 4;
    public static final int CT_KEY_SPORT = 8;
    public static final int CT_KEY_DPORT = 10;
    public static final int CT_KEY_PROTO = 12;
    // struct hl_ct_forward
    public static final int CT_FORWARD_SIZE = 32;
    public static final int CT_FORWARD_BACKEND_ID = 0;
    public static final int CT_FORWARD_SERVICE_ID = 4;
    public static final int CT_FORWARD_BACKEND_ADDR = 8;
    public static final int CT_FORWARD_SNAT_ADDR = 12;
    public static final int CT_FORWARD_BACKEND_PORT = 16;
    public static final int CT_FORWARD_SNAT_PORT = 18;
    public static final int CT_FORWARD_FLAGS = 20;
    public static final int CT_FORWARD_EXPIRES = 24;
    public static final int CT_REVERSE_SIZE = 16;
    // struct hl_config
    public static final int CONFIG_SIZE = 80;
    public static final int CONFIG_FLAGS = 0;
    public static final int CONFIG_SNAT_MIN = 4;
    public static final int CONFIG_SNAT_MAX = 8;
    public static final int CONFIG_ABI_VERSION = 12;
    public static final int CONFIG_TCP_ESTABLISHED = 16;
    public static final int CONFIG_TCP_OPENING = 24;
    public static final int CONFIG_TCP_CLOSING = 32;
    public static final int CONFIG_UDP = 40;
    public static final int CONFIG_HAIRPIN_ADDR = 48;
    public static final int CONFIG_NOTRACK_MARK = 52;
    public static final int CONFIG_HOST_NETNS_COOKIE = 56;
    public static final int CONFIG_SERVICE_CURSOR = 64;
    public static final int CONFIG_BACKEND_CURSOR = 68;
    public static final int CONFIG_NODE_ADDR = 72;

    public static final int VERDICT_MAX = 6;
    public static final int REASON_MAX = 17;
    /** enum hl_forward: where translated frames went (stack, peer, neigh, direct). */
    public static final int FWD_MAX = 4;
    public static final int STAT_MAX = VERDICT_MAX + REASON_MAX + FWD_MAX;
    public static final int STAT_FORWARD = VERDICT_MAX + REASON_MAX;

    // hl_service flags: defined once in ServiceEntry, which both dataplanes write
    public static final int SVC_NODE_PORT = dev.hotline.plan.ServiceEntry.FLAG_NODE_PORT;
    public static final int SVC_LOCAL_SCOPE = dev.hotline.plan.ServiceEntry.FLAG_LOCAL_SCOPE;
    public static final int SVC_DROP_EMPTY = dev.hotline.plan.ServiceEntry.FLAG_DROP_EMPTY;
    public static final int SVC_INTERNAL_VIEW = dev.hotline.plan.ServiceEntry.FLAG_INTERNAL_VIEW;
    public static final int SVC_SOURCE_RANGES = dev.hotline.plan.ServiceEntry.FLAG_SOURCE_RANGES;
    public static final int SVC_SNAT_NODE = dev.hotline.plan.ServiceEntry.FLAG_SNAT_NODE;
    public static final int BACKEND_LOCAL = 1;
    public static final int CFG_CLOCK_FROM_SKB = 1;
    public static final int CFG_REDIRECT = 2;
    public static final int SOCK_SEED = 0x27d4eb2f;
    public static final int CT_SNAT = 1;
    public static final int CT_SEEN_REPLY = 2;
    public static final int CT_FIN_FWD = 4;
    public static final int CT_FIN_REV = 8;
    public static final int CT_RST = 16;
    public static final int HASH_SEED = 0x9e3779b9;
    public static final int SNAT_SEED = 0x5bd1e995;
    public static final int SNAT_TRIES = 32;
    public static final int TC_HANDLE = 0x484c;
    public static final int TC_PRIORITY = 0x4c48;

    // the test-run batch slot (native/test_run.c)
    /** HL_ABI_VERSION: the layout generation of the maps and codes below. */
    public static final int VERSION = 5;

    public static final int SLOT_HEADER = 64;
    public static final int SLOT_LENGTH = 0;
    public static final int SLOT_RETVAL = 4;
    public static final int SLOT_TSTAMP = 8;
    public static final int SLOT_CB = 16;
    public static final int SLOT_DURATION = 36;

    /** The numbers native/object.c reports, in its order, with their names. */
    public static int[] layout() {
        return new int[] {
            FRONTEND_KEY_SIZE, FRONTEND_KEY_ADDR, FRONTEND_KEY_PORT, FRONTEND_KEY_PROTO,
            SERVICE_SIZE, SERVICE_ID, SERVICE_ACTIVE, SERVICE_TABLE_SIZE, SERVICE_TABLE_OFFSET, SERVICE_FLAGS,
            BACKEND_SIZE, BACKEND_ADDR, BACKEND_PORT, BACKEND_PROTO, BACKEND_FLAGS, BACKEND_PACKETS,
            CT_KEY_SIZE, CT_KEY_SADDR, CT_KEY_DADDR, CT_KEY_SPORT, CT_KEY_DPORT, CT_KEY_PROTO,
            CT_FORWARD_SIZE, CT_FORWARD_BACKEND_ID, CT_FORWARD_SERVICE_ID, CT_FORWARD_BACKEND_ADDR, CT_FORWARD_SNAT_ADDR,
            CT_FORWARD_BACKEND_PORT, CT_FORWARD_SNAT_PORT, CT_FORWARD_FLAGS, CT_FORWARD_EXPIRES,
            CT_REVERSE_SIZE,
            CONFIG_SIZE, CONFIG_FLAGS, CONFIG_SNAT_MIN, CONFIG_SNAT_MAX, CONFIG_ABI_VERSION, CONFIG_TCP_ESTABLISHED, CONFIG_TCP_OPENING,
            CONFIG_TCP_CLOSING, CONFIG_UDP,
            VERDICT_MAX, REASON_MAX, STAT_MAX, MAP_COUNT,
            SVC_NODE_PORT, SVC_LOCAL_SCOPE, BACKEND_LOCAL, CFG_CLOCK_FROM_SKB,
            CT_SNAT, CT_SEEN_REPLY, CT_FIN_FWD, CT_FIN_REV, CT_RST,
            HASH_SEED, SNAT_SEED, SNAT_TRIES, TC_HANDLE, TC_PRIORITY, VERSION,
            FRAG_KEY_SIZE, FRAG_PORTS_SIZE,
            CONFIG_HAIRPIN_ADDR, CONFIG_NOTRACK_MARK, CFG_REDIRECT,
            SOCK_KEY_SIZE, SOCK_FRONTEND_SIZE, IF_VETH, FWD_MAX, SOCK_SEED, CONFIG_HOST_NETNS_COOKIE,
            CONFIG_SERVICE_CURSOR, CONFIG_BACKEND_CURSOR,
            FRONTEND_KEY_SCOPE, SERVICE_AFFINITY_TIMEOUT, CONFIG_NODE_ADDR, SCOPE_INTERNAL, SVC_DROP_EMPTY, SVC_INTERNAL_VIEW,
            SVC_SOURCE_RANGES, SVC_SNAT_NODE, CLUSTER_SOURCES,
            SOURCE_RANGE_KEY_SIZE, AFFINITY_KEY_SIZE, AFFINITY_SIZE, AFFINITY_LAST_USED, AFFINITY_MATCH_KEY_SIZE,
        };
    }

    public static final String[] LAYOUT_NAMES = {
        "sizeof hl_frontend_key", "hl_frontend_key.addr", "hl_frontend_key.port", "hl_frontend_key.proto",
        "sizeof hl_service", "hl_service.service_id", "hl_service.active_backends", "hl_service.table_size",
        "hl_service.table_offset", "hl_service.flags",
        "sizeof hl_backend", "hl_backend.addr", "hl_backend.port", "hl_backend.proto", "hl_backend.flags", "hl_backend.packets",
        "sizeof hl_ct_key", "hl_ct_key.saddr", "hl_ct_key.daddr", "hl_ct_key.sport", "hl_ct_key.dport", "hl_ct_key.proto",
        "sizeof hl_ct_forward", "hl_ct_forward.backend_id", "hl_ct_forward.service_id", "hl_ct_forward.backend_addr",
        "hl_ct_forward.snat_addr", "hl_ct_forward.backend_port", "hl_ct_forward.snat_port", "hl_ct_forward.flags",
        "hl_ct_forward.expires",
        "sizeof hl_ct_reverse",
        "sizeof hl_config", "hl_config.flags", "hl_config.snat_port_min", "hl_config.snat_port_max", "hl_config.abi_version",
        "hl_config.tcp_established_ns", "hl_config.tcp_opening_ns", "hl_config.tcp_closing_ns", "hl_config.udp_ns",
        "HL_VERDICT_MAX", "HL_REASON_MAX", "HL_STAT_MAX", "HL_MAP_COUNT",
        "HL_SVC_NODE_PORT", "HL_SVC_LOCAL_SCOPE", "HL_BACKEND_LOCAL", "HL_CFG_CLOCK_FROM_SKB",
        "HL_CT_SNAT", "HL_CT_SEEN_REPLY", "HL_CT_FIN_FWD", "HL_CT_FIN_REV", "HL_CT_RST",
        "HL_HASH_SEED", "HL_SNAT_SEED", "HL_SNAT_TRIES", "HL_TC_HANDLE", "HL_TC_PRIORITY", "HL_ABI_VERSION",
        "sizeof hl_frag_key", "sizeof hl_frag_ports",
        "hl_config.hairpin_addr", "hl_config.notrack_mark", "HL_CFG_REDIRECT",
        "sizeof hl_sock_key", "sizeof hl_sock_frontend", "HL_IF_VETH", "HL_FWD_MAX", "HL_SOCK_SEED",
        "hl_config.host_netns_cookie", "hl_config.service_id_cursor", "hl_config.backend_id_cursor",
        "hl_frontend_key.scope", "hl_service.affinity_timeout", "hl_config.node_addr", "HL_SCOPE_INTERNAL",
        "HL_SVC_DROP_EMPTY", "HL_SVC_INTERNAL_VIEW", "HL_SVC_SOURCE_RANGES", "HL_SVC_SNAT_NODE", "HL_CLUSTER_SOURCES",
        "sizeof hl_source_range_key", "sizeof hl_affinity_key", "sizeof hl_affinity", "hl_affinity.last_used",
        "sizeof hl_affinity_match_key",
    };

    /** What the C side reports, for the layout test. */
    public static int[] nativeLayout() {
        NativeLibrary.require();
        return Native.layout();
    }

    /** hl_flow_hash as C computes it, for the hash test. */
    public static int nativeFlowHash(int saddr, int daddr, int sport, int dport, int proto) {
        NativeLibrary.require();
        return Native.flowHash(saddr, daddr, sport, dport, proto);
    }

    static void putNetwork32(ByteBuffer b, int off, int hostValue) {
        b.putInt(off, Integer.reverseBytes(hostValue));
    }

    static void putNetwork16(ByteBuffer b, int off, int hostValue) {
        b.putShort(off, Short.reverseBytes((short) hostValue));
    }

    public static void frontendKey(ByteBuffer b, int off, int addr, int port, int proto, int scope) {
        putNetwork32(b, off + FRONTEND_KEY_ADDR, addr);
        putNetwork16(b, off + FRONTEND_KEY_PORT, port);
        b.put(off + FRONTEND_KEY_PROTO, (byte) proto);
        b.put(off + FRONTEND_KEY_SCOPE, (byte) scope);
    }

    public static void service(ByteBuffer b, int off, int id, int active, int tableSize, int tableOffset, int flags,
                               int affinityTimeout) {
        b.putInt(off + SERVICE_ID, id);
        b.putInt(off + SERVICE_ACTIVE, active);
        b.putInt(off + SERVICE_TABLE_SIZE, tableSize);
        b.putInt(off + SERVICE_TABLE_OFFSET, tableOffset);
        b.putInt(off + SERVICE_FLAGS, flags);
        b.putInt(off + SERVICE_AFFINITY_TIMEOUT, affinityTimeout);
    }

    /** hl_source_range_key: the prefix covers the service id's 32 bits, then the range's own. */
    public static void sourceRangeKey(ByteBuffer b, int off, int serviceId, int addr, int prefix) {
        b.putInt(off, 32 + prefix);
        b.putInt(off + 4, serviceId);
        putNetwork32(b, off + 8, addr);
    }


    public static void backend(ByteBuffer b, int off, int addr, int port, int proto, int flags) {
        putNetwork32(b, off + BACKEND_ADDR, addr);
        putNetwork16(b, off + BACKEND_PORT, port);
        b.put(off + BACKEND_PROTO, (byte) proto);
        b.put(off + BACKEND_FLAGS, (byte) flags);
        b.putLong(off + BACKEND_PACKETS, 0);
    }

    public static void config(ByteBuffer b, int flags, int snatMin, int snatMax, long established, long opening, long closing, long udp,
                              int hairpinAddr, int notrackMark, long hostNetnsCookie, int serviceCursor, int backendCursor,
                              int nodeAddr) {
        b.putInt(CONFIG_FLAGS, flags);
        b.putInt(CONFIG_SNAT_MIN, snatMin);
        b.putInt(CONFIG_SNAT_MAX, snatMax);
        b.putInt(CONFIG_ABI_VERSION, VERSION);
        b.putLong(CONFIG_TCP_ESTABLISHED, established);
        b.putLong(CONFIG_TCP_OPENING, opening);
        b.putLong(CONFIG_TCP_CLOSING, closing);
        b.putLong(CONFIG_UDP, udp);
        putNetwork32(b, CONFIG_HAIRPIN_ADDR, hairpinAddr);
        b.putInt(CONFIG_NOTRACK_MARK, notrackMark);
        b.putLong(CONFIG_HOST_NETNS_COOKIE, hostNetnsCookie);
        b.putInt(CONFIG_SERVICE_CURSOR, serviceCursor);
        b.putInt(CONFIG_BACKEND_CURSOR, backendCursor);
        putNetwork32(b, CONFIG_NODE_ADDR, nodeAddr);
        b.putInt(CONFIG_NODE_ADDR + 4, 0);
    }
}
