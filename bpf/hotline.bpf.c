// SPDX-License-Identifier: GPL-2.0
/*
 * hotline's tc ingress program: the entry and the order of the Service packet path's steps. Each
 * concern lives in its own header under lib/ (parse, conntrack, lb, nat, icmp, reject, csum,
 * result, maps); the Java twin (dev.hotline.dataplane.userspace) has one class per concern with
 * the same step names, and both must give the same bytes for the same frame. docs/design.md
 * walks through the steps with the names of both sides.
 *   1. parse Ethernet II, IPv4, TCP/UDP/ICMP; anything else or malformed passes (counted);
 *   2. a reply of a translated flow gets the Service address back (and the client after SNAT);
 *   3. a packet of a known flow keeps its backend while that backend exists;
 *   4. a new flow to a frontend (a client outside its source ranges dropped; a source inside the
 *      cluster at an externalTrafficPolicy Local frontend sent to its in-cluster view) takes a
 *      backend (its client's, under session affinity, else the Maglev slot of the flow hash), is
 *      recorded and DNATed (and SNATed when it came from outside to another node's backend);
 *   5. no backend, or a ClusterIP on an undefined port or protocol: reject (RST / ICMP); policy
 *      Local with endpoints only elsewhere: drop;
 *   6. everything else passes.
 * A translated frame then goes straight to its next hop when the agent turned redirect on
 * (lib/fwd.h). The socket-level programs at the end serve clients of the node's own network
 * namespace, whose packets never cross a pod's tc ingress (lib/sock.h).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "hotline_abi.h"
#include "lib/maps.h"
#include "lib/result.h"
#include "lib/parse.h"
#include "lib/conntrack.h"
#include "lib/lb.h"
#include "lib/nat.h"
#include "lib/frag.h"
#include "lib/icmp.h"
#include "lib/reject.h"
#include "lib/fwd.h"
#include "lib/sock.h"

/* The result counted and handed over; a translated frame on to its next hop. */
static __always_inline int finish(struct __sk_buff *skb, const struct hl_config *cfg, struct hl_result *r)
{
	int act = res_finish(skb, r);

	if (act == TC_ACT_UNSPEC && r->verdict != HL_VERDICT_PASS)
		return fwd_translated(skb, cfg);
	return act;
}

/* 2. A reply of a translated flow: the Service address back as its source. */
static __always_inline void step_reply(struct __sk_buff *skb, const struct hl_packet *p, const struct hl_config *cfg,
				       const struct hl_ct_key *fk, struct hl_ct_forward *fv, __u64 now, struct hl_result *r)
{
	__u32 flags = ct_refresh_reply(cfg, p, fv, now);
	__u32 backend_id = fv->backend_id, service_id = fv->service_id;
	__be32 baddr = fv->backend_addr;
	__be16 bport = fv->backend_port;

	if (nat_reverse(skb, p, fk, flags & HL_CT_SNAT)) {
		res_drop(r, HL_REASON_TRUNCATED);
		return;
	}
	lb_count_backend(backend_id);
	res_translated(r, HL_VERDICT_REVERSE, service_id, backend_id, baddr, bport);
}

/* 3. A packet of a known flow: to the backend it was given. */
static __always_inline void step_established(struct __sk_buff *skb, const struct hl_packet *p,
					     const struct hl_config *cfg, struct hl_ct_forward *fv, __u64 now,
					     struct hl_result *r)
{
	__u32 flags = ct_refresh_forward(cfg, p, fv, now);
	int snat = flags & HL_CT_SNAT;
	__u32 backend_id = fv->backend_id, service_id = fv->service_id;
	__be32 baddr = fv->backend_addr, saddr = fv->snat_addr;
	__be16 bport = fv->backend_port, sport = fv->snat_port;

	if (nat_forward(skb, p, baddr, bport, snat, saddr, sport)) {
		res_drop(r, HL_REASON_TRUNCATED);
		return;
	}
	lb_count_backend(backend_id);
	res_translated(r, snat ? HL_VERDICT_DNAT_SNAT : HL_VERDICT_DNAT, service_id, backend_id, baddr, bport);
}

/*
 * 4. A new flow to a frontend whose Maglev slot gave this backend: record it, then translate. An
 * expired flow of the same tuple, found by step 3, is removed here without being looked up again.
 */
static __always_inline void step_new_flow(struct __sk_buff *skb, const struct hl_packet *p, const struct hl_config *cfg,
					  const struct hl_ct_key *k, const struct hl_ct_forward *expired, __u32 hash,
					  const struct hl_service *svc, __u32 backend_id, const struct hl_backend *b, __u64 now,
					  struct hl_result *r)
{
	__be32 baddr = b->addr;
	__be16 bport = b->port;
	/*
	 * A pod that reaches its own Service and lands on itself (hairpin) would get a packet from its
	 * own address, which its stack drops as martian: its source becomes the hairpin address.
	 */
	int hairpin = baddr == p->saddr;
	int snat = hairpin || ((svc->flags & HL_SVC_NODE_PORT) && !(b->flags & HL_BACKEND_LOCAL));
	/* to a NodePort, the node address the client reached; to an externalIP or LB IP, the node's own */
	__be32 node_addr = (svc->flags & HL_SVC_SNAT_NODE) && cfg->node_addr ? cfg->node_addr : p->daddr;
	__u32 service_id = svc->service_id;
	__be32 snat_addr = 0;
	__be16 snat_port = 0;
	struct hl_ct_key rk = {};
	struct hl_ct_forward fv = {};
	__u32 refused;

	if (expired)
		ct_remove_flow(k, expired);
	rk.saddr = baddr;
	rk.sport = bport;
	rk.proto = p->proto;
	if (snat) {
		snat_addr = hairpin ? cfg->hairpin_addr : node_addr;
		rk.daddr = snat_addr;
		snat_port = nat_snat_claim(cfg, k, &rk, hash, now, &refused);
		if (!snat_port) {
			res_drop(r, refused);
			return;
		}
	} else {
		rk.daddr = p->saddr;
		rk.dport = p->sport;
		refused = ct_claim_reply(&rk, k, now, ct_opening(p));
		if (refused) {
			res_drop(r, refused);
			return;
		}
	}
	fv.backend_id = backend_id;
	fv.service_id = service_id;
	fv.backend_addr = baddr;
	fv.backend_port = bport;
	fv.snat_addr = snat_addr;
	fv.snat_port = snat_port;
	fv.flags = (snat ? HL_CT_SNAT : 0) | ct_forward_flags(p->tcp_flags);
	fv.expires = now + ct_timeout(cfg, p->proto, fv.flags);
	refused = ct_create(k, &rk, &fv);
	if (refused) {
		res_drop(r, refused);
		return;
	}
	if (nat_forward(skb, p, baddr, bport, snat, snat_addr, snat_port)) {
		res_drop(r, HL_REASON_TRUNCATED);
		return;
	}
	lb_count_backend(backend_id);
	res_translated(r, snat ? HL_VERDICT_DNAT_SNAT : HL_VERDICT_DNAT, service_id, backend_id, baddr, bport);
}

SEC("tc")
int hotline_ingress(struct __sk_buff *skb)
{
	struct hl_result r = {.verdict = HL_VERDICT_PASS, .reason = HL_REASON_NO_SERVICE};
	struct hl_packet p = {};
	const struct hl_config *cfg = ct_config();
	struct hl_ct_forward *fv;
	struct hl_ct_key k, fk;
	struct hl_service *svc;

	if (!cfg)
		return TC_ACT_UNSPEC;
	__u64 now = ct_clock(skb, cfg);

	/* 1. parse; a later fragment takes its datagram's ports from the first fragment's record */
	int parsed = packet_parse(skb, &p, &r);
	if (parsed == PACKET_PASS)
		return res_finish(skb, &r);
	if (parsed == PACKET_FRAGMENT && frag_ports(&p, now))
		return res_finish(skb, &r);
	if (p.frag == FRAG_FIRST)
		frag_record(&p, now);
	if (parsed == PACKET_ICMP) {
		/* nothing answers pings to a virtual address; say so with a counter */
		if (!icmp_reverse_error(skb, &p, now, &r) && lb_is_cluster_ip(p.daddr))
			res_drop(&r, HL_REASON_ICMP_TO_CLUSTER_IP);
		/* an error about a translated flow goes where its flow's replies go */
		return finish(skb, cfg, &r);
	}
	ct_key_of(&p, &k);

	/* 2. a reply of a translated flow */
	fv = ct_find_reply(&k, now, &fk);
	if (fv) {
		step_reply(skb, &p, cfg, &fk, fv, now, &r);
		return finish(skb, cfg, &r);
	}

	/* 3. a packet of a known flow, unless its port was reused after a close or its backend is gone */
	fv = ct_lookup_forward(&k);
	if (fv && now < fv->expires) {
		if (!ct_reopened(&p, fv) && lb_backend(fv->backend_id)) {
			step_established(skb, &p, cfg, fv, now, &r);
			return finish(skb, cfg, &r);
		}
		ct_remove_flow(&k, fv);
		fv = NULL;
	}
	/* fv is now NULL, or this tuple's expired flow, which a new flow removes first */

	/* a later fragment never starts a flow, nor is refused: it passes, counted */
	if (p.frag >= FRAG_LATER)
		return res_finish(skb, &r);

	/* 4. a new flow to a frontend; 5. rejected when the Service has no backend */
	svc = lb_lookup_service(&p, HL_SCOPE_EXTERNAL);
	if (svc) {
		struct hl_service s = *svc;
		struct hl_backend *b;
		__u32 backend_id, hash;

		r.service_id = s.service_id;
		if ((s.flags & HL_SVC_SOURCE_RANGES) && !lb_source_in(s.service_id, p.saddr)) {
			res_drop(&r, HL_REASON_SOURCE_RANGE);
			return res_finish(skb, &r);
		}
		if ((s.flags & HL_SVC_INTERNAL_VIEW) && lb_source_in(HL_CLUSTER_SOURCES, p.saddr)) {
			svc = lb_lookup_service(&p, HL_SCOPE_INTERNAL);
			if (svc) {
				s = *svc;
				r.service_id = s.service_id;
			}
		}
		if (s.active_backends == 0 || s.table_size == 0) {
			if (s.flags & HL_SVC_DROP_EMPTY)
				res_drop(&r, HL_REASON_NO_LOCAL_ENDPOINT);
			else
				rej_reply(skb, &p, &r);
			return res_finish(skb, &r);
		}
		hash = lb_flow_hash(&p);
		if (s.affinity_timeout)
			b = lb_select_affine(&s, p.saddr, hash, now, &backend_id);
		else
			b = lb_select_backend(&s, hash, &backend_id);
		if (!b) {
			rej_reply(skb, &p, &r);
			return res_finish(skb, &r);
		}
		/*
		 * b points into hl_backends: an ID names one address and port for its whole life (the agent
		 * numbers backends by address), so reading it in place needs no copy on the scarce stack
		 */
		step_new_flow(skb, &p, cfg, &k, fv, hash, &s, backend_id, b, now, &r);
		return finish(skb, cfg, &r);
	}

	/* 5. a ClusterIP on a port or protocol no Service defines */
	if (lb_is_cluster_ip(p.daddr)) {
		rej_reply(skb, &p, &r);
		return res_finish(skb, &r);
	}
	/* 6. not ours */
	return res_finish(skb, &r);
}

/* Socket-level load balancing (lib/sock.h), attached to the agent's --cgroup: IPv4 sockets, and
 * IPv6 sockets reaching IPv4 addresses (v4-mapped). */
SEC("cgroup/connect4")
int hotline_connect4(struct bpf_sock_addr *ctx)
{
	return sock_forward(ctx, 0);
}

SEC("cgroup/sendmsg4")
int hotline_sendmsg4(struct bpf_sock_addr *ctx)
{
	return sock_forward(ctx, 0);
}

SEC("cgroup/recvmsg4")
int hotline_recvmsg4(struct bpf_sock_addr *ctx)
{
	return sock_reverse(ctx, 0);
}

SEC("cgroup/getpeername4")
int hotline_getpeername4(struct bpf_sock_addr *ctx)
{
	return sock_reverse(ctx, 0);
}

SEC("cgroup/connect6")
int hotline_connect6(struct bpf_sock_addr *ctx)
{
	return sock_forward(ctx, 1);
}

SEC("cgroup/sendmsg6")
int hotline_sendmsg6(struct bpf_sock_addr *ctx)
{
	return sock_forward(ctx, 1);
}

SEC("cgroup/recvmsg6")
int hotline_recvmsg6(struct bpf_sock_addr *ctx)
{
	return sock_reverse(ctx, 1);
}

SEC("cgroup/getpeername6")
int hotline_getpeername6(struct bpf_sock_addr *ctx)
{
	return sock_reverse(ctx, 1);
}

char LICENSE[] SEC("license") = "GPL";
