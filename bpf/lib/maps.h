/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The program's maps. Key and value types come from hotline_abi.h, the one layout shared with the
 * JNI library and Java; the sizes here are placeholders that the loader replaces before load.
 */
#ifndef HL_MAPS_H
#define HL_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hotline_abi.h"

/* a frontend (address, port, protocol) to its Service entry */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct hl_frontend_key);
	__type(value, struct hl_service);
} hl_services SEC(".maps");

/* every ClusterIP: traffic to one that matches no frontend is rejected, not passed */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __be32);
	__type(value, __u32);
} hl_cluster_ips SEC(".maps");

/* backend id to where it is */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct hl_backend);
} hl_backends SEC(".maps");

/*
 * every Service's Maglev table, one range each, slots holding backend ids; memory-mappable, so the
 * agent writes a whole table (a hundred million slots at 100 000 Services) as plain stores
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1 << 20);
	__type(key, __u32);
	__type(value, __u32);
} hl_maglev SEC(".maps");

/* frames per Service id */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} hl_service_stats SEC(".maps");

/*
 * Conntrack. Plain hashes, not LRU: an LRU could evict one half of a flow and keep the other, and
 * a reply whose reverse entry is gone would leave untranslated while its flow lives. Here both
 * halves are written and removed together; a full table refuses new flows (counted), and expired
 * flows are swept from user space (the agent's timer; the test-run harness when a flow is refused).
 */
/* conntrack: the client's tuple to its flow */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 262144);
	__type(key, struct hl_ct_key);
	__type(value, struct hl_ct_forward);
} hl_ct_forward SEC(".maps");

/* conntrack: the reply's tuple to the client's tuple */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 262144);
	__type(key, struct hl_ct_key);
	__type(value, struct hl_ct_reverse);
} hl_ct_reverse SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hl_config);
} hl_config SEC(".maps");

/* fragmented datagrams in flight (see hotline_abi.h) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, struct hl_frag_key);
	__type(value, struct hl_frag_ports);
} hl_fragments SEC(".maps");

/* what host-namespace sockets were translated from (lib/sock.h) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct hl_sock_key);
	__type(value, struct hl_sock_frontend);
} hl_sock_reverse SEC(".maps");

/* the interfaces the agent serves, by ifindex: which can take bpf_redirect_peer (lib/fwd.h) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u32);
} hl_ifaces SEC(".maps");

/* client ranges per Service, and the cluster's own (hotline_abi.h); no preallocation, so a large bound costs nothing */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1 << 20);
	__type(key, struct hl_source_range_key);
	__type(value, __u32);
} hl_source_ranges SEC(".maps");

/* sessionAffinity ClientIP: a client's backend per Service, least recently used forgotten first */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct hl_affinity_key);
	__type(value, struct hl_affinity);
} hl_affinity SEC(".maps");

/* the backends affinity may keep: a client's backend that left its Service (or stopped being ready) is not kept */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct hl_affinity_match_key);
	__type(value, __u32);
} hl_affinity_match SEC(".maps");

/* frames by verdict, then by reason, then by where translated frames went (HL_STAT_*) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HL_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} hl_stats SEC(".maps");

#endif
