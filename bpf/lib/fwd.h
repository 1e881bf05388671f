/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where a translated frame goes next. Left to the host stack, a translated flow shows netfilter
 * two unrelated halves: the request after DNAT, the reply after reverse NAT. Conntrack records
 * each as a new flow (a SYN-ACK that opens a flow is INVALID), so a node's
 * "--ctstate INVALID -j DROP" breaks translated connections. So, as Cilium's BPF host routing
 * does, the program asks the kernel's FIB for the next hop and hands the frame over itself:
 *   - to a local pod: bpf_redirect_peer into the other end of its veth (no second pass through
 *     the node's stack at all);
 *   - out another interface: bpf_redirect with the MACs the FIB gave, or bpf_redirect_neigh when
 *     the neighbour is not resolved yet (the kernel resolves it, as the stack would);
 * doing a router's work on the way (TTL decremented; the stack answers TTL 1 and too-big frames).
 * What the FIB cannot resolve (a local destination, no route, a frame needing fragmentation)
 * goes up the stack as before, marked with the configured notrack mark, which the agent's own
 * nftables rule turns into "notrack": neither half is then tracked, so none is INVALID.
 * Kernel only: the twin and replay run with redirect off (bytes stay comparable), and their
 * frames count as HL_FWD_STACK.
 */
#ifndef HL_FWD_H
#define HL_FWD_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "hotline_abi.h"
#include "maps.h"
#include "parse.h"
#include "result.h"

#define FWD_AF_INET 2

static __always_inline int fwd_to_stack(struct __sk_buff *skb, const struct hl_config *cfg)
{
	skb->mark |= cfg->notrack_mark;
	res_count(HL_STAT_FORWARD(HL_FWD_STACK));
	return TC_ACT_UNSPEC;
}

/* The TTL a router takes off, with the header checksum kept right; -1 when the stack must answer. */
static __always_inline int fwd_decrement_ttl(struct __sk_buff *skb)
{
	__be16 old, new;

	if (bpf_skb_load_bytes(skb, IP_OFF(ttl), &old, sizeof(old)))
		return -1;
	/* the TTL is the first byte of this big-endian word, the protocol the second */
	if ((bpf_ntohs(old) >> 8) <= 1)
		return -1;
	new = bpf_htons(bpf_ntohs(old) - 0x100);
	if (bpf_l3_csum_replace(skb, IP_OFF(check), old, new, sizeof(new)))
		return -1;
	return bpf_skb_store_bytes(skb, IP_OFF(ttl), &new, sizeof(new), 0) ? -1 : 0;
}

/* A translated frame (its headers already rewritten): straight to its next hop, or up the stack. */
static __always_inline int fwd_translated(struct __sk_buff *skb, const struct hl_config *cfg)
{
	struct bpf_fib_lookup fib = {};
	struct iphdr ip;
	__u32 *flags;
	long rc;

	if (!(cfg->flags & HL_CFG_REDIRECT))
		return fwd_to_stack(skb, cfg);
	if (bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)))
		return fwd_to_stack(skb, cfg);
	fib.family = FWD_AF_INET;
	fib.tos = ip.tos;
	fib.l4_protocol = ip.protocol;
	/*
	 * tot_len stays 0: the kernel then checks the frame against the egress MTU itself, GSO-aware
	 * (is_skb_forwardable); a length here would send every 64 KB TSO frame up the stack.
	 */
	fib.ipv4_src = ip.saddr;
	fib.ipv4_dst = ip.daddr;
	fib.ifindex = skb->ingress_ifindex;
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS && rc != BPF_FIB_LKUP_RET_NO_NEIGH)
		return fwd_to_stack(skb, cfg);
	if (fwd_decrement_ttl(skb))
		return fwd_to_stack(skb, cfg);
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH) {
		/* fib.ipv4_dst is now the next hop (the gateway, or the destination on a link) */
		struct bpf_redir_neigh nh = {.nh_family = FWD_AF_INET, .ipv4_nh = fib.ipv4_dst};

		res_count(HL_STAT_FORWARD(HL_FWD_NEIGH));
		return bpf_redirect_neigh(fib.ifindex, &nh, sizeof(nh), 0);
	}
	if (bpf_skb_store_bytes(skb, 0, fib.dmac, ETH_ALEN, 0) || bpf_skb_store_bytes(skb, ETH_ALEN, fib.smac, ETH_ALEN, 0))
		return TC_ACT_SHOT; /* the TTL already changed: the frame cannot go up the stack half done */
	flags = bpf_map_lookup_elem(&hl_ifaces, &fib.ifindex);
	if (flags && (*flags & HL_IF_VETH)) {
		res_count(HL_STAT_FORWARD(HL_FWD_PEER));
		return bpf_redirect_peer(fib.ifindex, 0);
	}
	res_count(HL_STAT_FORWARD(HL_FWD_DIRECT));
	return bpf_redirect(fib.ifindex, 0);
}

#endif
