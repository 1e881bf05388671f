/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one definition of what the BPF program, the JNI library and Java agree on: map names, the
 * key and value layouts of every map, verdict and reason codes, the flow hash. Java mirrors this
 * file in dev.hotline.bpf.Abi, and a test holds the two together (sizes and offsets reported by
 * the native side, codes compared with the Java enums).
 *
 * Byte order: IPv4 addresses and ports are in network order, as in the packet (__be32, __be16);
 * every other number is in host order.
 */
#ifndef HOTLINE_ABI_H
#define HOTLINE_ABI_H

#include <linux/types.h>

/*
 * Bumped whenever a key or value layout, a map's meaning or a code below changes: pinned maps
 * of another version must never be read as if they were this one.
 */
#define HL_ABI_VERSION 5

#define HL_PROG_NAME "hotline_ingress"

/* the socket-level programs for clients of the node's own network namespace (lib/sock.h), in attach order */
#define HL_SOCK_PROG_COUNT 8
#define HL_SOCK_PROG_NAMES                                                                                  \
	{ "hotline_connect4", "hotline_sendmsg4", "hotline_recvmsg4", "hotline_getpeername4",                  \
	  "hotline_connect6", "hotline_sendmsg6", "hotline_recvmsg6", "hotline_getpeername6" }
/* their pinned links under the pin directory: a restarted agent swaps the program in place */
#define HL_SOCK_LINK_NAMES                                                                                  \
	{ "link_connect4", "link_sendmsg4", "link_recvmsg4", "link_getpeername4",                              \
	  "link_connect6", "link_sendmsg6", "link_recvmsg6", "link_getpeername6" }

/* ---- verdicts and reasons (dev.hotline.dataplane.Verdict, Reason) ---------------------------- */
enum hl_verdict {
	HL_VERDICT_PASS = 0,
	HL_VERDICT_DNAT = 1,
	HL_VERDICT_DNAT_SNAT = 2,
	HL_VERDICT_REVERSE = 3,
	HL_VERDICT_REJECT = 4,
	HL_VERDICT_DROP = 5,
	HL_VERDICT_MAX
};

enum hl_reason {
	HL_REASON_TRANSLATED = 0,
	HL_REASON_NOT_IPV4 = 1,
	HL_REASON_VLAN = 2,
	HL_REASON_TRUNCATED = 3,
	HL_REASON_BAD_IP_HEADER = 4,
	HL_REASON_BAD_TOTAL_LENGTH = 5,
	HL_REASON_FRAGMENT = 6,
	HL_REASON_BAD_L4_HEADER = 7,
	HL_REASON_OTHER_PROTOCOL = 8,
	HL_REASON_NO_SERVICE = 9,
	HL_REASON_CONNTRACK_FULL = 10,
	HL_REASON_SNAT_PORTS_EXHAUSTED = 11,
	HL_REASON_RST_TO_NO_BACKEND = 12,
	HL_REASON_ICMP_TO_CLUSTER_IP = 13,
	HL_REASON_CONNTRACK_CLASH = 14, /* the reply tuple is a live flow's: the backend could not tell them apart */
	HL_REASON_NO_LOCAL_ENDPOINT = 15, /* traffic policy Local, no usable endpoint here (some elsewhere): dropped */
	HL_REASON_SOURCE_RANGE = 16,      /* a client outside the Service's loadBalancerSourceRanges: dropped */
	HL_REASON_MAX
};

/*
 * Where a translated frame went next (the agent's live path only; replay and the tests run with
 * redirect off, so every translated frame counts as HL_FWD_STACK there).
 */
enum hl_forward {
	HL_FWD_STACK = 0,    /* up the host stack: redirect off, or the FIB could not say (marked for notrack) */
	HL_FWD_PEER = 1,     /* into a local pod: bpf_redirect_peer to the veth's other end */
	HL_FWD_NEIGH = 2,    /* out an interface, the neighbour resolved by the kernel: bpf_redirect_neigh */
	HL_FWD_DIRECT = 3,   /* out an interface, MACs from the FIB: bpf_redirect */
	HL_FWD_MAX
};

/* hl_stats (per-CPU array of __u64): frames by verdict, then by reason, then translated frames by where they went */
#define HL_STAT_VERDICT(v) (v)
#define HL_STAT_REASON(r) (HL_VERDICT_MAX + (r))
#define HL_STAT_FORWARD(f) (HL_VERDICT_MAX + HL_REASON_MAX + (f))
#define HL_STAT_MAX (HL_VERDICT_MAX + HL_REASON_MAX + HL_FWD_MAX)

/*
 * What the program leaves in skb->cb[] for its caller (BPF_PROG_TEST_RUN hands the context back):
 * cb[0] = verdict | reason << 8, cb[1] = service id, cb[2] = backend id,
 * cb[3] = backend address (network order), cb[4] = backend port (network order, low 16 bits).
 */
#define HL_CB_RESULT 0
#define HL_CB_SERVICE 1
#define HL_CB_BACKEND 2
#define HL_CB_BACKEND_ADDR 3
#define HL_CB_BACKEND_PORT 4

/* ---- maps --------------------------------------------------------------------------------- */

/*
 * hl_services: HASH, a frontend to its Service entry. An externalTrafficPolicy Local frontend has
 * two entries: what clients from outside see (scope EXTERNAL: this node's endpoints only), and
 * what sources inside the cluster see (scope INTERNAL: every endpoint, as kube-proxy sends pod and
 * node traffic to such an address down the Cluster path).
 */
#define HL_SCOPE_EXTERNAL 0
#define HL_SCOPE_INTERNAL 1

struct hl_frontend_key {
	__be32 addr;
	__be16 port;
	__u8 proto;
	__u8 scope;
};

#define HL_SVC_NODE_PORT (1 << 0)     /* reached from outside the cluster: remote backends are SNATed */
#define HL_SVC_LOCAL_SCOPE (1 << 1)   /* traffic policy Local: this node's endpoints only */
#define HL_SVC_DROP_EMPTY (1 << 2)    /* no active backend here but some elsewhere: drop, not reject */
#define HL_SVC_INTERNAL_VIEW (1 << 3) /* sources in hl_source_ranges under HL_CLUSTER_SOURCES use the INTERNAL entry */
#define HL_SVC_SOURCE_RANGES (1 << 4) /* new flows only from sources in hl_source_ranges under this service id */
#define HL_SVC_SNAT_NODE (1 << 5)     /* SNAT to hl_config.node_addr, not the address reached (externalIPs, LB IPs) */

struct hl_service {
	__u32 service_id;
	__u32 active_backends;  /* 0: reject (or drop, HL_SVC_DROP_EMPTY) */
	__u32 table_size;       /* Maglev slots of this Service */
	__u32 table_offset;     /* where they start in hl_maglev */
	__u32 flags;
	__u32 affinity_timeout; /* sessionAffinity ClientIP: seconds a client keeps its backend; 0: none */
};

/*
 * hl_source_ranges: LPM_TRIE, the client ranges a Service takes (loadBalancerSourceRanges), keyed
 * by service id then address, so prefixlen counts the id's 32 bits too. Under HL_CLUSTER_SOURCES
 * (id 0, never a Service's): the cluster's own source ranges (--cluster-cidr).
 */
#define HL_CLUSTER_SOURCES 0
struct hl_source_range_key {
	__u32 prefixlen;
	__u32 service_id;
	__be32 addr;
};

/*
 * hl_affinity: LRU_HASH, sessionAffinity ClientIP: which backend a client of a Service had, and
 * when it last opened a flow (the conntrack clock). A forgotten entry only means a fresh choice.
 */
struct hl_affinity_key {
	__u32 service_id;
	__be32 client;
};

struct hl_affinity {
	__u32 backend_id;
	__u32 pad;
	__u64 last_used;
};

/*
 * hl_affinity_match: HASH, (service id, backend id) of every active backend of a Service with
 * affinity: value __u32 1. Its key has hl_affinity_key's layout (the program asks with one slot).
 */
struct hl_affinity_match_key {
	__u32 service_id;
	__u32 backend_id;
};

/* hl_cluster_ips: HASH, every ClusterIP (key: __be32 address, value: __u32 1) */

/* hl_backends: HASH, backend id (__u32) to where it is */
#define HL_BACKEND_LOCAL (1 << 0) /* on this node */

struct hl_backend {
	__be32 addr;
	__be16 port;
	__u8 proto;
	__u8 flags;
	__u64 packets; /* frames sent to or received from it (atomic adds) */
};

/* hl_maglev: ARRAY of __u32 backend ids; each Service owns [table_offset, table_offset + table_size) */

/* hl_service_stats: PERCPU_ARRAY of __u64 indexed by service id: frames attributed to the Service */

/* hl_ct_forward and hl_ct_reverse: LRU_HASH keyed by a flow's tuple as seen at ingress */
struct hl_ct_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 pad[3];
};

#define HL_CT_SNAT (1 << 0)
#define HL_CT_SEEN_REPLY (1 << 1)
#define HL_CT_FIN_FWD (1 << 2)
#define HL_CT_FIN_REV (1 << 3)
#define HL_CT_RST (1 << 4)

/* hl_ct_forward value: the client's flow, pinned to a backend */
struct hl_ct_forward {
	__u32 backend_id;
	__u32 service_id;
	__be32 backend_addr;
	__be32 snat_addr;
	__be16 backend_port;
	__be16 snat_port;
	__u32 flags;
	__u64 expires; /* ns on the conntrack clock */
};

/* hl_ct_reverse value: the forward key of the flow a reply belongs to */
struct hl_ct_reverse {
	struct hl_ct_key forward;
};

/*
 * hl_fragments: HASH, the ports of a fragmented datagram, recorded from its first fragment so that
 * the later ones (which carry no L4 header) are translated as their flow is; removed with the last
 * fragment, ignored (and removed) when older than HL_FRAG_TIMEOUT_NS, as the kernel's own
 * reassembly gives up after 30 s; full, new datagrams are not recorded (never evicted, so the
 * twin's table holds exactly the same records)
 */
#define HL_FRAG_TIMEOUT_NS 30000000000ULL
struct hl_frag_key {
	__be32 saddr;
	__be32 daddr;
	__be16 id;
	__u8 proto;
	__u8 pad;
};

struct hl_frag_ports {
	__be16 sport;
	__be16 dport;
	__u32 pad;
	__u64 seen; /* the first fragment's time, on the conntrack clock */
};

/*
 * hl_sock_reverse: LRU_HASH, what a socket-level translation replaced, so that recvmsg and
 * getpeername report the Service rather than the backend. Losing an entry to the LRU only
 * changes what such a call reports, never where traffic goes.
 */
struct hl_sock_key {
	__u64 cookie;  /* the socket's (bpf_get_socket_cookie) */
	__be32 addr;   /* the backend */
	__be16 port;
	__u16 pad;
};

struct hl_sock_frontend {
	__be32 addr;   /* the frontend the socket asked for */
	__be16 port;
	__u16 pad;
};

/* hl_ifaces: HASH, ifindex (__u32) of an interface the agent serves to what it is (__u32 flags) */
#define HL_IF_VETH (1 << 0) /* a veth: a frame for its other end can be handed over with bpf_redirect_peer */

/* hl_config: ARRAY with one entry */
#define HL_CFG_CLOCK_FROM_SKB (1 << 0) /* conntrack clock = skb->tstamp (replay), else bpf_ktime_get_ns() */
#define HL_CFG_REDIRECT (1 << 1)       /* deliver translated frames straight to their next hop (lib/fwd.h) */

struct hl_config {
	__u32 flags;
	__u32 snat_port_min;
	__u32 snat_port_max;
	__u32 abi_version; /* HL_ABI_VERSION of the agent that wrote it: pinned maps say which layout they hold */
	__u64 tcp_established_ns;
	__u64 tcp_opening_ns;
	__u64 tcp_closing_ns;
	__u64 udp_ns;
	__be32 hairpin_addr; /* the source of a pod's flow that lands on the pod itself */
	__u32 notrack_mark;  /* OR-ed into skb->mark of translated frames left to the stack; 0: none */
	__u64 host_netns_cookie; /* the socket-level programs serve this network namespace only; 0: every one */
	__u32 service_id_cursor; /* the last Service and backend IDs handed out: a restarted agent goes on */
	__u32 backend_id_cursor; /* from there, never reissuing an ID that conntrack may still name */
	__be32 node_addr;        /* where flows to externalIPs and LoadBalancer IPs are SNATed to (HL_SVC_SNAT_NODE) */
	__u32 pad;
};

/* ---- map identities for user space (dev.hotline.bpf.Abi.MAP_*), in this order ---------------- */
enum hl_map_id {
	HL_MAP_SERVICES = 0,
	HL_MAP_CLUSTER_IPS,
	HL_MAP_BACKENDS,
	HL_MAP_MAGLEV,
	HL_MAP_SERVICE_STATS,
	HL_MAP_CT_FORWARD,
	HL_MAP_CT_REVERSE,
	HL_MAP_CONFIG,
	HL_MAP_STATS,
	HL_MAP_FRAGMENTS,
	HL_MAP_SOCK_REVERSE,
	HL_MAP_IFACES,
	HL_MAP_SOURCE_RANGES,
	HL_MAP_AFFINITY,
	HL_MAP_AFFINITY_MATCH,
	HL_MAP_COUNT
};

#define HL_MAP_NAMES                                                                                   \
	{ "hl_services", "hl_cluster_ips", "hl_backends", "hl_maglev", "hl_service_stats", "hl_ct_forward", \
	  "hl_ct_reverse", "hl_config", "hl_stats", "hl_fragments", "hl_sock_reverse", "hl_ifaces",             \
	  "hl_source_ranges", "hl_affinity", "hl_affinity_match" }

/* our tc filter at ingress: this handle and priority are hotline's; nothing else is touched */
#define HL_TC_HANDLE 0x484c
#define HL_TC_PRIORITY 0x4c48

/* Sizes are part of the ABI: a change here must be a deliberate change of HL_ABI_VERSION. */
_Static_assert(sizeof(struct hl_frontend_key) == 8, "hl_frontend_key layout changed");
_Static_assert(sizeof(struct hl_service) == 24, "hl_service layout changed");
_Static_assert(sizeof(struct hl_backend) == 16, "hl_backend layout changed");
_Static_assert(sizeof(struct hl_ct_key) == 16, "hl_ct_key layout changed");
_Static_assert(sizeof(struct hl_ct_forward) == 32, "hl_ct_forward layout changed");
_Static_assert(sizeof(struct hl_ct_reverse) == 16, "hl_ct_reverse layout changed");
_Static_assert(sizeof(struct hl_config) == 80, "hl_config layout changed");
_Static_assert(sizeof(struct hl_source_range_key) == 12, "hl_source_range_key layout changed");
_Static_assert(sizeof(struct hl_affinity_key) == 8, "hl_affinity_key layout changed");
_Static_assert(sizeof(struct hl_affinity) == 16, "hl_affinity layout changed");
_Static_assert(sizeof(struct hl_affinity_match_key) == 8, "hl_affinity_match_key layout changed");
_Static_assert(sizeof(struct hl_sock_key) == 16, "hl_sock_key layout changed");
_Static_assert(sizeof(struct hl_sock_frontend) == 8, "hl_sock_frontend layout changed");
_Static_assert(sizeof(struct hl_frag_key) == 12, "hl_frag_key layout changed");
_Static_assert(sizeof(struct hl_frag_ports) == 16, "hl_frag_ports layout changed");
_Static_assert(HL_REASON_MAX < 256 && HL_VERDICT_MAX < 256, "verdict and reason share one cb word, a byte each");

/* ---- the flow hash (dev.hotline.packet.FlowHash): inputs are host-order numbers ------------ */
#define HL_HASH_SEED 0x9e3779b9u
#define HL_SNAT_SEED 0x5bd1e995u
#define HL_SNAT_TRIES 32
#define HL_SOCK_SEED 0x27d4eb2fu

static inline __u32 hl_mix(__u32 x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static inline __u32 hl_flow_hash(__u32 saddr, __u32 daddr, __u16 sport, __u16 dport, __u8 proto)
{
	__u32 h = HL_HASH_SEED;

	h = hl_mix(h ^ saddr);
	h = hl_mix(h ^ daddr);
	h = hl_mix(h ^ (((__u32)sport << 16) | dport));
	h = hl_mix(h ^ proto);
	return h;
}

#endif
