/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Socket-level load balancing for clients whose packets never cross a pod's tc ingress: the
 * kubelet, hostNetwork pods, the agent itself (its API client dials the kubernetes Service). As
 * Cilium and Calico do, cgroup v2 hooks translate the address a socket asks for before any packet
 * exists: connect() (TCP and connected UDP) and sendmsg() (unconnected UDP) to a frontend go to a
 * backend chosen from the same Maglev table, and recvmsg() and getpeername() report the frontend
 * again, from what hl_sock_reverse recorded. No packet is rewritten, so nothing needs conntrack.
 *
 * The Maglev slot comes from the socket cookie rather than the flow hash (the source port is not
 * known at connect time): every socket keeps one backend, and sockets spread over the table as
 * flows do. A Service without backends, or a ClusterIP on a port no Service defines, refuses the
 * call with ECONNREFUSED, which is what a client of the tc path learns from the RST or ICMP.
 * The node's own sockets are inside the cluster: an externalTrafficPolicy Local frontend gives them
 * its in-cluster view (every endpoint), as kube-proxy does for traffic from the node. The client
 * a Service sees from here is the node's own address (hl_config.node_addr), as kube-proxy's rules
 * see it: a LoadBalancer address whose source ranges leave it out refuses the node, and session
 * affinity keeps the node's connections on one backend.
 * Kernel only: the twin has no sockets.
 */
#ifndef HL_SOCK_H
#define HL_SOCK_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "hotline_abi.h"
#include "maps.h"
#include "lb.h"
#include "conntrack.h"

#define SOCK_ECONNREFUSED 111
#define SOCK_ALLOW 1

/*
 * Refused: ECONNREFUSED, what a client of the tc path learns from the RST. bpf_set_retval exists for
 * these hooks since Linux 6.1; on an older kernel the loader leaves the socket-level programs out
 * (and says so) rather than the whole object failing.
 */
static __always_inline int sock_refuse(void)
{
	bpf_set_retval(-SOCK_ECONNREFUSED);
	return 0;
}

/*
 * Only sockets of the node's own network namespace (the agent writes its cookie into hl_config):
 * a pod's cgroup sits under the root a DaemonSet attaches to, but pods are served at tc ingress,
 * where hairpin, redirect and a mesh sidecar's view of the Service address all stay as they are.
 */
static __always_inline int sock_in_host_netns(struct bpf_sock_addr *ctx)
{
	const struct hl_config *cfg = ct_config();

	return cfg && (!cfg->host_netns_cookie || bpf_get_netns_cookie(ctx) == cfg->host_netns_cookie);
}

/*
 * An IPv6 socket reaching an IPv4 address uses its v4-mapped form (::ffff:a.b.c.d): connect()
 * then runs the IPv6 hook only (sendmsg() runs the IPv4 one). Java's sockets are dual-stack by
 * default (the agent's own API client among them), so the *6 programs serve v4-mapped addresses
 * the same way and leave real IPv6 alone.
 */
static __always_inline int sock_v4_mapped(const struct bpf_sock_addr *ctx)
{
	return ctx->user_ip6[0] == 0 && ctx->user_ip6[1] == 0 && ctx->user_ip6[2] == bpf_htonl(0x0000ffff);
}

/* The IPv4 address the socket asked for, from either family's hook. */
static __always_inline __be32 sock_addr(const struct bpf_sock_addr *ctx, int v6)
{
	return v6 ? ctx->user_ip6[3] : ctx->user_ip4;
}

static __always_inline void sock_set_addr(struct bpf_sock_addr *ctx, int v6, __be32 addr)
{
	if (v6)
		ctx->user_ip6[3] = addr;
	else
		ctx->user_ip4 = addr;
}

/* connect and sendmsg: a frontend becomes one of its backends before the socket uses it. */
static __always_inline int sock_forward(struct bpf_sock_addr *ctx, int v6)
{
	struct hl_frontend_key key = {};
	struct hl_sock_key rk = {};
	struct hl_sock_frontend fe = {};
	struct hl_service *svc;
	struct hl_backend *b;
	__u32 backend_id, hash;
	__u64 cookie;

	if (ctx->protocol != IPPROTO_TCP && ctx->protocol != IPPROTO_UDP)
		return SOCK_ALLOW;
	if (v6 && !sock_v4_mapped(ctx))
		return SOCK_ALLOW;
	if (!sock_in_host_netns(ctx))
		return SOCK_ALLOW;
	key.addr = sock_addr(ctx, v6);
	key.port = (__be16)ctx->user_port;
	key.proto = (__u8)ctx->protocol;
	svc = bpf_map_lookup_elem(&hl_services, &key);
	if (!svc)
		return lb_is_cluster_ip(key.addr) ? sock_refuse() : SOCK_ALLOW;
	const struct hl_config *cfg = ct_config();
	__be32 node = cfg ? cfg->node_addr : 0;

	if ((svc->flags & HL_SVC_SOURCE_RANGES) && !lb_source_in(svc->service_id, node))
		return sock_refuse();
	/* the node itself is inside the cluster: an externalTrafficPolicy Local frontend's in-cluster view */
	if (svc->flags & HL_SVC_INTERNAL_VIEW) {
		key.scope = HL_SCOPE_INTERNAL;
		svc = bpf_map_lookup_elem(&hl_services, &key);
		key.scope = HL_SCOPE_EXTERNAL;
		if (!svc)
			return sock_refuse();
	}
	/* one consistent copy: the agent may rewrite the entry meanwhile */
	struct hl_service s = *svc;
	if (s.active_backends == 0 || s.table_size == 0)
		return sock_refuse();
	cookie = bpf_get_socket_cookie(ctx);
	hash = hl_mix((__u32)cookie ^ hl_mix((__u32)(cookie >> 32) ^ HL_SOCK_SEED));
	if (s.affinity_timeout)
		b = lb_select_affine(&s, node, hash, bpf_ktime_get_ns(), &backend_id);
	else
		b = lb_select_backend(&s, hash, &backend_id);
	if (!b)
		return sock_refuse();
	rk.cookie = cookie;
	rk.addr = b->addr;
	rk.port = b->port;
	fe.addr = key.addr;
	fe.port = key.port;
	bpf_map_update_elem(&hl_sock_reverse, &rk, &fe, BPF_ANY);
	sock_set_addr(ctx, v6, b->addr);
	ctx->user_port = b->port;
	__sync_fetch_and_add(&b->packets, 1);
	return SOCK_ALLOW;
}

/* recvmsg and getpeername: the backend a socket was given is reported as the frontend it asked for. */
static __always_inline int sock_reverse(struct bpf_sock_addr *ctx, int v6)
{
	struct hl_sock_key k = {};
	struct hl_sock_frontend *fe;

	if (v6 && !sock_v4_mapped(ctx))
		return SOCK_ALLOW;
	k.cookie = bpf_get_socket_cookie(ctx);
	k.addr = sock_addr(ctx, v6);
	k.port = (__be16)ctx->user_port;
	fe = bpf_map_lookup_elem(&hl_sock_reverse, &k);
	if (fe) {
		sock_set_addr(ctx, v6, fe->addr);
		ctx->user_port = fe->port;
	}
	return SOCK_ALLOW;
}

#endif
