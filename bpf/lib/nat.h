/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address and port translation. Every field is rewritten as the Java twin does it: the IPv4
 * checksum, then the L4 checksum (with the pseudo header for addresses), then the field, by the
 * kernel's own incremental helpers (RFC 1624). A UDP checksum of zero means "none" and stays zero
 * (BPF_F_MARK_MANGLED_0); one that comes out as zero is written as 0xffff.
 * Java: dev.hotline.dataplane.userspace.Nat.
 */
#ifndef HL_NAT_H
#define HL_NAT_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "hotline_abi.h"
#include "conntrack.h"
#include "parse.h"

/* A later fragment has no L4 header: only its IPv4 header changes (frag.h). */
static __always_inline int nat_rewrite_addr(struct __sk_buff *skb, const struct hl_packet *p, __u32 off, __be32 from,
					    __be32 to)
{
	__u64 l4flags = BPF_F_PSEUDO_HDR | sizeof(to) | (p->udp ? BPF_F_MARK_MANGLED_0 : 0);

	if (bpf_l3_csum_replace(skb, IP_OFF(check), from, to, sizeof(to)))
		return -1;
	if (p->frag < FRAG_LATER && bpf_l4_csum_replace(skb, p->csum_off, from, to, l4flags))
		return -1;
	return bpf_skb_store_bytes(skb, off, &to, sizeof(to), 0);
}

static __always_inline int nat_rewrite_port(struct __sk_buff *skb, const struct hl_packet *p, __u32 off, __be16 from,
					    __be16 to)
{
	__u64 l4flags = sizeof(to) | (p->udp ? BPF_F_MARK_MANGLED_0 : 0);

	if (p->frag >= FRAG_LATER)
		return 0;
	if (bpf_l4_csum_replace(skb, p->csum_off, from, to, l4flags))
		return -1;
	return bpf_skb_store_bytes(skb, off, &to, sizeof(to), 0);
}

/* A client's packet: DNAT to the backend, then (NodePort to another node) SNAT to the node. */
static __always_inline int nat_forward(struct __sk_buff *skb, const struct hl_packet *p, __be32 baddr, __be16 bport,
				       int snat, __be32 snat_addr, __be16 snat_port)
{
	if (nat_rewrite_addr(skb, p, IP_OFF(daddr), p->daddr, baddr) ||
	    nat_rewrite_port(skb, p, p->l4 + L4_DPORT_OFF, p->dport, bport))
		return -1;
	if (snat && (nat_rewrite_addr(skb, p, IP_OFF(saddr), p->saddr, snat_addr) ||
		     nat_rewrite_port(skb, p, p->l4 + L4_SPORT_OFF, p->sport, snat_port)))
		return -1;
	return 0;
}

/* A reply: the Service address as the source, and the client as the destination after SNAT. */
static __always_inline int nat_reverse(struct __sk_buff *skb, const struct hl_packet *p, const struct hl_ct_key *fk,
				       int snat)
{
	if (nat_rewrite_addr(skb, p, IP_OFF(saddr), p->saddr, fk->daddr) ||
	    nat_rewrite_port(skb, p, p->l4 + L4_SPORT_OFF, p->sport, fk->dport))
		return -1;
	if (snat && (nat_rewrite_addr(skb, p, IP_OFF(daddr), p->daddr, fk->saddr) ||
		     nat_rewrite_port(skb, p, p->l4 + L4_DPORT_OFF, p->dport, fk->sport)))
		return -1;
	return 0;
}

/*
 * Claims a port from the SNAT range for the flow fk, its reply tuple rk filled in but for the port
 * (which it gets on success): candidates are probed from a hash of the flow
 * (HL_SNAT_TRIES of them), and the first whose reply tuple can be claimed (free, or held by a
 * dead flow) is the flow's. Claiming is the insert itself (ct_claim_reply), so two CPUs never get
 * the same port. Returns the port, or 0 with the reason when none could be claimed.
 */
static __always_inline __be16 nat_snat_claim(const struct hl_config *cfg, const struct hl_ct_key *fk,
					     struct hl_ct_key *rk, __u32 hash, __u64 now, __u32 *reason)
{
	__u32 range = cfg->snat_port_max - cfg->snat_port_min + 1;
	__u32 start, i, claim;

	*reason = HL_REASON_SNAT_PORTS_EXHAUSTED;
	if (range == 0 || range > 65536)
		return 0;
	start = hl_mix(hash ^ HL_SNAT_SEED) % range;
	for (i = 0; i < HL_SNAT_TRIES; i++) {
		__u32 port = cfg->snat_port_min + (start + i) % range;

		rk->dport = bpf_htons((__u16)port);
		claim = ct_claim_reply(rk, fk, now, 0); /* a free port is there to find: closed flows keep theirs */
		if (!claim)
			return rk->dport;
		if (claim == HL_REASON_CONNTRACK_FULL) {
			/* no room for any flow: not a shortage of ports */
			*reason = claim;
			return 0;
		}
	}
	return 0;
}

#endif
