/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ICMP errors (destination unreachable, time exceeded, parameter problem) about a translated
 * flow. The quoted datagram is the one the backend saw, so it gets the Service address back as
 * its destination (and the client as its source after SNAT), the ICMP is readdressed to the
 * client, and it comes from the Service address when the backend itself sent it. This is what
 * lets a client see "port unreachable" from a dead UDP backend, or "fragmentation needed" on a
 * TCP flow through a ClusterIP. The flow is not refreshed by it.
 * Java: dev.hotline.dataplane.userspace.IcmpErrors.
 */
#ifndef HL_ICMP_H
#define HL_ICMP_H

#include <stddef.h>
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>

#include "hotline_abi.h"
#include "conntrack.h"
#include "parse.h"
#include "result.h"

#define ICMP_HLEN ((__u32)sizeof(struct hl_icmphdr))
/* the least an error must quote to name a flow: an IPv4 header and the ports */
#define ICMP_QUOTE_L4 8

static __always_inline int icmp_load16(struct __sk_buff *skb, __u32 off, __u16 *v)
{
	return bpf_skb_load_bytes(skb, off, v, 2);
}

/*
 * An address inside the quoted datagram: its IPv4 checksum, the quoted UDP checksum, and the ICMP
 * checksum for every 16 bits that changed; in the Java twin's order.
 */
static __always_inline int icmp_quoted_addr(struct __sk_buff *skb, __u32 inner, __u32 off, __u32 icmp_csum,
					    __u32 udp_csum, __be32 from, __be32 to)
{
	__u32 inner_check = inner + offsetof(struct iphdr, check);
	__u16 before, after;

	if (icmp_load16(skb, inner_check, &before) || bpf_l3_csum_replace(skb, inner_check, from, to, 4) ||
	    icmp_load16(skb, inner_check, &after) || bpf_l4_csum_replace(skb, icmp_csum, before, after, 2))
		return -1;
	if (udp_csum) {
		if (icmp_load16(skb, udp_csum, &before) ||
		    bpf_l4_csum_replace(skb, udp_csum, from, to, 4 | BPF_F_MARK_MANGLED_0) ||
		    icmp_load16(skb, udp_csum, &after) || bpf_l4_csum_replace(skb, icmp_csum, before, after, 2))
			return -1;
	}
	if (bpf_l4_csum_replace(skb, icmp_csum, from, to, 4))
		return -1;
	return bpf_skb_store_bytes(skb, off, &to, 4, 0);
}

static __always_inline int icmp_quoted_port(struct __sk_buff *skb, __u32 off, __u32 icmp_csum, __u32 udp_csum,
					    __be16 from, __be16 to)
{
	__u16 before, after;

	if (udp_csum) {
		if (icmp_load16(skb, udp_csum, &before) ||
		    bpf_l4_csum_replace(skb, udp_csum, from, to, 2 | BPF_F_MARK_MANGLED_0) ||
		    icmp_load16(skb, udp_csum, &after) || bpf_l4_csum_replace(skb, icmp_csum, before, after, 2))
			return -1;
	}
	if (bpf_l4_csum_replace(skb, icmp_csum, from, to, 2))
		return -1;
	return bpf_skb_store_bytes(skb, off, &to, 2, 0);
}

/* An outer address of an ICMP message: only the IPv4 checksum covers it (ICMP has no pseudo header). */
static __always_inline int icmp_outer_addr(struct __sk_buff *skb, __u32 off, __be32 from, __be32 to)
{
	if (bpf_l3_csum_replace(skb, IP_OFF(check), from, to, 4))
		return -1;
	return bpf_skb_store_bytes(skb, off, &to, 4, 0);
}

static __always_inline int icmp_is_error(__u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB;
}

/*
 * An ICMP error about a reply (the quote goes frontend -> client: a router on the way to the client
 * needs smaller packets, or the client's port is closed): the frontend's error goes on to the
 * backend. The quote gets the backend back as its source (and the SNAT address and port as its
 * destination), the ICMP is readdressed from the frontend to the backend, and from the SNAT address
 * when the client itself sent it. Translated as its flow's packets are (dnat, dnat+snat).
 */
static __always_inline int icmp_forward_error(struct __sk_buff *skb, const struct hl_packet *p,
					      const struct hl_ct_key *fk, __u32 inner, __u32 inner_l4, __u64 now,
					      struct hl_result *r)
{
	struct hl_ct_forward *fv;
	__be16 isport = fk->dport, idport = fk->sport;

	fv = ct_find_forward(fk, now);
	if (!fv)
		return 0;
	__u32 backend_id = fv->backend_id, service_id = fv->service_id, snat = fv->flags & HL_CT_SNAT;
	__be32 baddr = fv->backend_addr, snat_addr = fv->snat_addr;
	__be16 bport = fv->backend_port, snat_port = fv->snat_port;
	__u32 icmp_csum = p->l4 + offsetof(struct hl_icmphdr, checksum);
	__u32 udp_csum = fk->proto == IPPROTO_UDP ? inner_l4 + offsetof(struct udphdr, check) : 0;

	if (icmp_quoted_addr(skb, inner, inner + offsetof(struct iphdr, saddr), icmp_csum, udp_csum, fk->daddr, baddr) ||
	    icmp_quoted_port(skb, inner_l4 + L4_SPORT_OFF, icmp_csum, udp_csum, isport, bport))
		goto fail;
	if (snat && (icmp_quoted_addr(skb, inner, inner + offsetof(struct iphdr, daddr), icmp_csum, udp_csum, fk->saddr,
				      snat_addr) ||
		     icmp_quoted_port(skb, inner_l4 + L4_DPORT_OFF, icmp_csum, udp_csum, idport, snat_port)))
		goto fail;
	if (p->daddr == fk->daddr && icmp_outer_addr(skb, IP_OFF(daddr), p->daddr, baddr))
		goto fail;
	if (snat && p->saddr == fk->saddr && icmp_outer_addr(skb, IP_OFF(saddr), p->saddr, snat_addr))
		goto fail;
	res_translated(r, snat ? HL_VERDICT_DNAT_SNAT : HL_VERDICT_DNAT, service_id, backend_id, baddr, bport);
	return 1;
fail:
	res_drop(r, HL_REASON_TRUNCATED);
	return 1;
}

/* Returns 1 when the frame was such an error (translated, or dropped if it could not be), else 0. */
static __always_inline int icmp_reverse_error(struct __sk_buff *skb, const struct hl_packet *p, __u64 now,
					      struct hl_result *r)
{
	struct hl_icmphdr icmp;
	struct iphdr iip;
	__u8 il4[ICMP_QUOTE_L4];
	struct hl_ct_key k = {}, fk;
	struct hl_ct_forward *fv;

	if (bpf_skb_load_bytes(skb, p->l4, &icmp, sizeof(icmp)))
		return 0;
	if (!icmp_is_error(icmp.type) || p->l4_len < ICMP_HLEN + sizeof(struct iphdr) + ICMP_QUOTE_L4)
		return 0;
	__u32 inner = p->l4 + ICMP_HLEN;
	if (bpf_skb_load_bytes(skb, inner, &iip, sizeof(iip)))
		return 0;
	__u32 inner_ihl = iip.ihl * 4;
	if (iip.version != 4 || inner_ihl < sizeof(struct iphdr) || ICMP_HLEN + inner_ihl + ICMP_QUOTE_L4 > p->l4_len)
		return 0;
	if (iip.protocol != IPPROTO_TCP && iip.protocol != IPPROTO_UDP)
		return 0;
	__u32 inner_l4 = inner + inner_ihl;
	if (bpf_skb_load_bytes(skb, inner_l4, il4, sizeof(il4)))
		return 0;
	__be32 isaddr = iip.saddr, idaddr = iip.daddr;
	__be16 isport, idport;
	__builtin_memcpy(&isport, il4 + L4_SPORT_OFF, 2);
	__builtin_memcpy(&idport, il4 + L4_DPORT_OFF, 2);
	/*
	 * A request's quote went client -> backend, and its flow's reply tuple is backend -> client; a
	 * reply's quote went frontend -> client, and its flow's client tuple is client -> frontend. Both
	 * are the quote turned around: first a reverse entry, then a forward one.
	 */
	k.saddr = idaddr;
	k.daddr = isaddr;
	k.sport = idport;
	k.dport = isport;
	k.proto = iip.protocol;
	fv = ct_find_reply(&k, now, &fk);
	if (!fv)
		/* not a request's quote: perhaps a reply's, whose client tuple is this same tuple */
		return icmp_forward_error(skb, p, &k, inner, inner_l4, now, r);
	__u32 backend_id = fv->backend_id, service_id = fv->service_id, flags = fv->flags;
	__be32 baddr = fv->backend_addr;
	__be16 bport = fv->backend_port;
	__u32 icmp_csum = p->l4 + offsetof(struct hl_icmphdr, checksum);
	__u32 udp_csum = iip.protocol == IPPROTO_UDP ? inner_l4 + offsetof(struct udphdr, check) : 0;

	if (icmp_quoted_addr(skb, inner, inner + offsetof(struct iphdr, daddr), icmp_csum, udp_csum, idaddr, fk.daddr) ||
	    icmp_quoted_port(skb, inner_l4 + L4_DPORT_OFF, icmp_csum, udp_csum, idport, fk.dport))
		goto fail;
	if (flags & HL_CT_SNAT) {
		if (icmp_quoted_addr(skb, inner, inner + offsetof(struct iphdr, saddr), icmp_csum, udp_csum, isaddr,
				     fk.saddr) ||
		    icmp_quoted_port(skb, inner_l4 + L4_SPORT_OFF, icmp_csum, udp_csum, isport, fk.sport) ||
		    icmp_outer_addr(skb, IP_OFF(daddr), p->daddr, fk.saddr))
			goto fail;
	}
	if (p->saddr == baddr && icmp_outer_addr(skb, IP_OFF(saddr), p->saddr, fk.daddr))
		goto fail;
	res_translated(r, HL_VERDICT_REVERSE, service_id, backend_id, baddr, bport);
	return 1;
fail:
	res_drop(r, HL_REASON_TRUNCATED);
	return 1;
}

#endif
