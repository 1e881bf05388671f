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

static __always_inline struct hl_service *lb_lookup_service(const struct hl_packet *p)
{
	struct hl_frontend_key key = {};

	key.addr = p->daddr;
	key.port = p->dport;
	key.proto = p->proto;
	return bpf_map_lookup_elem(&hl_services, &key);
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

static __always_inline void lb_count_backend(__u32 backend_id)
{
	struct hl_backend *b = lb_backend(backend_id);

	if (b)
		__sync_fetch_and_add(&b->packets, 1);
}

#endif
