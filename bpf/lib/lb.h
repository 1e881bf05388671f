/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Load balancing: frontends to Services, a Service's Maglev table to a backend, backends to
 * where they are. Tables are computed in user space; a new flow picks the slot its flow hash
 * (hl_flow_hash, the same in Java) lands on. Java: dev.hotline.dataplane.userspace.LoadBalancer.
 */
#ifndef HL_LB_H
#define HL_LB_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "hotline_abi.h"
#include "maps.h"
#include "parse.h"

static __always_inline struct hl_service *lb_lookup_service(const struct hl_packet *p, __u8 scope)
{
	struct hl_frontend_key key = {};

	key.addr = p->daddr;
	key.port = p->dport;
	key.proto = p->proto;
	key.scope = scope;
	return bpf_map_lookup_elem(&hl_services, &key);
}

/*
 * Whether addr lies in a range kept under this id (a Service's source ranges, or the cluster's own
 * under 0).
 */
static __always_inline int lb_source_in(__u32 service_id, __be32 addr)
{
	struct hl_source_range_key k = {.prefixlen = 64, .service_id = service_id, .addr = addr};

	return bpf_map_lookup_elem(&hl_source_ranges, &k) != NULL;
}

/* Whether the address is a ClusterIP (traffic to it that no frontend takes is refused). */
static __always_inline int lb_is_cluster_ip(__be32 addr)
{
	return bpf_map_lookup_elem(&hl_cluster_ips, &addr) != NULL;
}

static __always_inline struct hl_backend *lb_backend(__u32 backend_id)
{
	return bpf_map_lookup_elem(&hl_backends, &backend_id);
}

static __always_inline __u32 lb_flow_hash(const struct hl_packet *p)
{
	return hl_flow_hash(bpf_ntohl(p->saddr), bpf_ntohl(p->daddr), bpf_ntohs(p->sport), bpf_ntohs(p->dport), p->proto);
}

/* The backend of the Maglev slot this hash lands on, or NULL (a slot not yet written, a backend gone). */
static __always_inline struct hl_backend *lb_select_backend(const struct hl_service *svc, __u32 hash, __u32 *backend_id)
{
	__u32 idx = svc->table_offset + hash % svc->table_size;
	__u32 *slot = bpf_map_lookup_elem(&hl_maglev, &idx);

	*backend_id = slot ? *slot : 0;
	return *backend_id ? lb_backend(*backend_id) : NULL;
}

/*
 * sessionAffinity ClientIP: the backend this client had, while it opened a flow within the timeout
 * and the backend is still an active one of the Service; otherwise the Maglev slot's, remembered.
 * Either way the client's last use is now (kube-proxy's recent match: --rcheck --seconds, then --set).
 */
static __always_inline struct hl_backend *lb_select_affine(const struct hl_service *svc, __be32 client, __u32 hash,
							    __u64 now, __u32 *backend_id)
{
	struct hl_affinity_key ak = {.service_id = svc->service_id, .client = client};
	struct hl_affinity *a = bpf_map_lookup_elem(&hl_affinity, &ak);
	struct hl_backend *b;

	if (a && now < a->last_used + (__u64)svc->affinity_timeout * 1000000000ULL) {
		/* hl_affinity_match_key has hl_affinity_key's layout: the same stack slot asks it */
		__u32 kept = a->backend_id;

		ak.client = kept;
		if (bpf_map_lookup_elem(&hl_affinity_match, &ak)) {
			b = lb_backend(kept);
			if (b) {
				*backend_id = kept;
				a->last_used = now;
				return b;
			}
		}
		ak.client = client;
	}
	b = lb_select_backend(svc, hash, backend_id);
	if (b) {
		if (a) {
			/* the entry is there: rewritten in place (an LRU value is ours to write) */
			a->backend_id = *backend_id;
			a->last_used = now;
		} else {
			struct hl_affinity v = {.backend_id = *backend_id, .last_used = now};

			bpf_map_update_elem(&hl_affinity, &ak, &v, BPF_ANY);
		}
	}
	return b;
}

static __always_inline void lb_count_backend(__u32 backend_id)
{
	struct hl_backend *b = lb_backend(backend_id);

	if (b)
		__sync_fetch_and_add(&b->packets, 1);
}

#endif
