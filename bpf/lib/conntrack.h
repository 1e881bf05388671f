/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Connection tracking of translated flows, in two LRU maps:
 *   hl_ct_forward  the client's tuple (client -> frontend) -> backend, Service, SNAT, flags, expiry
 *   hl_ct_reverse  the reply's tuple (backend -> client, or -> node:SNAT port) -> the client's tuple
 * The forward entry alone says whether a flow lives; a reverse entry without a live forward entry
 * is stale and removed when found. Expiry is checked on lookup, against the frame's timestamp in
 * replay and the monotonic clock live. Java: dev.hotline.dataplane.userspace.Conntrack.
 */
#ifndef HL_CONNTRACK_H
#define HL_CONNTRACK_H

#include <linux/bpf.h>
#include <linux/errno.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

#include "hotline_abi.h"
#include "maps.h"
#include "parse.h"

static __always_inline const struct hl_config *ct_config(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&hl_config, &zero);
}

/* The conntrack clock: the frame's own timestamp in replay, the kernel's monotonic clock live. */
static __always_inline __u64 ct_clock(const struct __sk_buff *skb, const struct hl_config *cfg)
{
	return (cfg->flags & HL_CFG_CLOCK_FROM_SKB) ? skb->tstamp : bpf_ktime_get_ns();
}

static __always_inline void ct_key_of(const struct hl_packet *p, struct hl_ct_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->saddr = p->saddr;
	k->daddr = p->daddr;
	k->sport = p->sport;
	k->dport = p->dport;
	k->proto = p->proto;
}

/* Both FINs seen, or a RST: the flow is going away. */
static __always_inline int ct_closing(__u32 flags)
{
	return (flags & HL_CT_RST) || (flags & (HL_CT_FIN_FWD | HL_CT_FIN_REV)) == (HL_CT_FIN_FWD | HL_CT_FIN_REV);
}

static __always_inline __u64 ct_timeout(const struct hl_config *cfg, __u8 proto, __u32 flags)
{
	if (proto != IPPROTO_TCP)
		return cfg->udp_ns;
	if (ct_closing(flags))
		return cfg->tcp_closing_ns;
	return (flags & HL_CT_SEEN_REPLY) ? cfg->tcp_established_ns : cfg->tcp_opening_ns;
}

/* The reply tuple a forward entry owns: from the backend, to the client or to the SNAT address. */
static __always_inline void ct_reverse_key(const struct hl_ct_key *fk, const struct hl_ct_forward *fv, struct hl_ct_key *rk)
{
	__builtin_memset(rk, 0, sizeof(*rk));
	rk->saddr = fv->backend_addr;
	rk->sport = fv->backend_port;
	rk->proto = fk->proto;
	if (fv->flags & HL_CT_SNAT) {
		rk->daddr = fv->snat_addr;
		rk->dport = fv->snat_port;
	} else {
		rk->daddr = fk->saddr;
		rk->dport = fk->sport;
	}
}

static __always_inline int ct_key_equal(const struct hl_ct_key *a, const struct hl_ct_key *b)
{
	return a->saddr == b->saddr && a->daddr == b->daddr && a->sport == b->sport && a->dport == b->dport &&
	       a->proto == b->proto;
}

/*
 * Ownership between CPUs, without locks:
 *  - whoever deletes a flow's forward entry (the delete that returns 0) owns the removal of the
 *    reverse entry that names it; nobody else deletes that reverse entry;
 *  - a reverse entry whose forward entry is missing is a flow being made (claimed, not yet
 *    recorded) or being removed: it counts as taken, and a bystander leaves it alone;
 *  - a reverse entry held by an expired flow is taken over by deleting that flow's forward entry
 *    first: of several CPUs trying, one wins.
 */

/* Whether k is the reply tuple this flow owns (ct_reverse_key, without a copy on the stack). */
static __always_inline int ct_owns_reply(const struct hl_ct_key *k, const struct hl_ct_key *fk,
					 const struct hl_ct_forward *fv)
{
	if (k->saddr != fv->backend_addr || k->sport != fv->backend_port || k->proto != fk->proto)
		return 0;
	if (fv->flags & HL_CT_SNAT)
		return k->daddr == fv->snat_addr && k->dport == fv->snat_port;
	return k->daddr == fk->saddr && k->dport == fk->sport;
}

/* Removes a flow: its forward entry, and, if this CPU was the one to remove it, its reverse entry. */
static __always_inline void ct_remove_flow(const struct hl_ct_key *fk, const struct hl_ct_forward *fv)
{
	struct hl_ct_key rk;
	struct hl_ct_reverse *rv;

	ct_reverse_key(fk, fv, &rk);
	if (bpf_map_delete_elem(&hl_ct_forward, fk))
		return;
	rv = bpf_map_lookup_elem(&hl_ct_reverse, &rk);
	if (rv && ct_key_equal(&rv->forward, fk))
		bpf_map_delete_elem(&hl_ct_reverse, &rk);
}

/* The live forward entry of a client tuple, or NULL (an expired one is removed). */
static __always_inline struct hl_ct_forward *ct_find_forward(const struct hl_ct_key *k, __u64 now)
{
	struct hl_ct_forward *fv = bpf_map_lookup_elem(&hl_ct_forward, k);

	if (fv && now >= fv->expires) {
		ct_remove_flow(k, fv);
		return NULL;
	}
	return fv;
}

/*
 * The live flow a reply tuple belongs to, with its client tuple in fk; NULL when there is none: no
 * reverse entry, a flow still being made, an expired flow (removed), or a reverse entry its flow
 * does not own.
 */
static __always_inline struct hl_ct_forward *ct_find_reply(const struct hl_ct_key *k, __u64 now, struct hl_ct_key *fk)
{
	struct hl_ct_reverse *rv = bpf_map_lookup_elem(&hl_ct_reverse, k);
	struct hl_ct_forward *fv;

	if (!rv)
		return NULL;
	*fk = rv->forward;
	fv = bpf_map_lookup_elem(&hl_ct_forward, fk);
	if (!fv)
		return NULL;
	if (now >= fv->expires) {
		ct_remove_flow(fk, fv);
		return NULL;
	}
	return ct_owns_reply(k, fk, fv) ? fv : NULL;
}

/* The flags a client's segment adds to its flow. */
static __always_inline __u32 ct_forward_flags(__u8 tcp_flags)
{
	__u32 flags = 0;

	if (tcp_flags & TCPF_FIN)
		flags |= HL_CT_FIN_FWD;
	if (tcp_flags & TCPF_RST)
		flags |= HL_CT_RST;
	return flags;
}

/*
 * A client's packet on a known flow: its flags, and a new expiry from them. Returns the flags.
 * Flags are OR-ed in atomically: two CPUs with packets of one flow (RSS spreads a flow's two
 * directions) must not lose each other's FIN or SEEN_REPLY, or an idle connection would keep the
 * wrong timeout. The expiry is a plain store computed from the flags as they are after the OR.
 */
static __always_inline __u32 ct_refresh_forward(const struct hl_config *cfg, const struct hl_packet *p,
						struct hl_ct_forward *fv, __u64 now)
{
	__u32 add = ct_forward_flags(p->tcp_flags);
	__u32 flags;

	if (add & ~fv->flags)
		__sync_fetch_and_or(&fv->flags, add);
	flags = fv->flags | add;
	fv->expires = now + ct_timeout(cfg, p->proto, flags);
	return flags;
}

/* A reply on a known flow: the flow has seen a reply (and the reply's FIN or RST). Returns the flags. */
static __always_inline __u32 ct_refresh_reply(const struct hl_config *cfg, const struct hl_packet *p,
					      struct hl_ct_forward *fv, __u64 now)
{
	__u32 add = HL_CT_SEEN_REPLY;
	__u32 flags;

	if (p->tcp_flags & TCPF_FIN)
		add |= HL_CT_FIN_REV;
	if (p->tcp_flags & TCPF_RST)
		add |= HL_CT_RST;
	if (add & ~fv->flags)
		__sync_fetch_and_or(&fv->flags, add);
	flags = fv->flags | add;
	fv->expires = now + ct_timeout(cfg, p->proto, flags);
	return flags;
}

/* A SYN without ACK: a connection being opened. */
static __always_inline int ct_opening(const struct hl_packet *p)
{
	return (p->tcp_flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN;
}

/* A SYN on a flow that was closing: the client reused its port, and this is a new connection. */
static __always_inline int ct_reopened(const struct hl_packet *p, const struct hl_ct_forward *fv)
{
	return ct_opening(p) && ct_closing(fv->flags);
}

/* The forward entry of a client tuple, live or expired (the caller tells them apart). */
static __always_inline struct hl_ct_forward *ct_lookup_forward(const struct hl_ct_key *k)
{
	return bpf_map_lookup_elem(&hl_ct_forward, k);
}

/*
 * Claims a reply tuple for the flow fk: inserted only if absent (BPF_NOEXIST), so two CPUs can
 * never both think they own it. One held by an expired flow is taken over (its forward entry
 * deleted first, see above); so is one held by a closed TCP flow (both FINs, or a RST) when
 * take_closed says the new flow opens with a SYN: a client that reuses its port toward another
 * Service reaching the same backend, as ct_reopened lets it do toward the same one. One held by a
 * live flow, or by one being made, is a clash (the backend would see two connections with the
 * same addresses and ports). Returns 0 or the reason to drop the new flow.
 */
static __always_inline __u32 ct_claim_reply(const struct hl_ct_key *rk, const struct hl_ct_key *fk, __u64 now,
					    int take_closed)
{
	struct hl_ct_reverse rv = {};
	struct hl_ct_reverse *held;
	struct hl_ct_forward *holder;
	long err;

	rv.forward = *fk;
	err = bpf_map_update_elem(&hl_ct_reverse, rk, &rv, BPF_NOEXIST);
	if (!err)
		return 0;
	if (err != -EEXIST)
		return HL_REASON_CONNTRACK_FULL;
	held = bpf_map_lookup_elem(&hl_ct_reverse, rk);
	if (!held)
		return HL_REASON_CONNTRACK_CLASH; /* removed meanwhile: another CPU is on it */
	/* the holder's key, copied: the entry's memory can be reused once another CPU replaces it */
	rv.forward = held->forward;
	holder = bpf_map_lookup_elem(&hl_ct_forward, &rv.forward);
	if (!holder || (now < holder->expires && !(take_closed && ct_closing(holder->flags))))
		return HL_REASON_CONNTRACK_CLASH;
	if (bpf_map_delete_elem(&hl_ct_forward, &rv.forward))
		return HL_REASON_CONNTRACK_CLASH; /* another CPU took it over first */
	bpf_map_delete_elem(&hl_ct_reverse, rk);
	rv.forward = *fk;
	return bpf_map_update_elem(&hl_ct_reverse, rk, &rv, BPF_NOEXIST) ? HL_REASON_CONNTRACK_CLASH : 0;
}

/* Gives a claimed reply tuple back, unless another flow owns it by now. */
static __always_inline void ct_release_reply(const struct hl_ct_key *rk, const struct hl_ct_key *fk)
{
	struct hl_ct_reverse *rv = bpf_map_lookup_elem(&hl_ct_reverse, rk);

	if (rv && ct_key_equal(&rv->forward, fk))
		bpf_map_delete_elem(&hl_ct_reverse, rk);
}

/*
 * Records the flow under its client tuple, its reply tuple rk already claimed. Only if the tuple
 * has no flow (BPF_NOEXIST): two CPUs with the first packets of one flow make it once. If the
 * forward entry cannot be written the claim is given back: no reverse entry is left without its
 * flow. Returns 0 or the reason to drop the packet.
 */
static __always_inline __u32 ct_create(const struct hl_ct_key *fk, const struct hl_ct_key *rk,
				       const struct hl_ct_forward *fv)
{
	long err = bpf_map_update_elem(&hl_ct_forward, fk, fv, BPF_NOEXIST);

	if (err) {
		ct_release_reply(rk, fk);
		return err == -EEXIST ? HL_REASON_CONNTRACK_CLASH : HL_REASON_CONNTRACK_FULL;
	}
	return 0;
}

#endif
