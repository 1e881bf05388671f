/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Refusing a frame to a Service without backends (or to a ClusterIP port no Service defines): the
 * frame becomes the reply, sent back out of the interface it came in on (res_finish).
 *   TCP: a RST (RFC 9293 3.10.7.1): after an ACK, seq = its ack; otherwise seq 0 and
 *        ack = its seq + its length (SYN and FIN count one), flags RST|ACK.
 *   UDP: ICMP port unreachable quoting the IPv4 header (options too) and 8 bytes (RFC 792).
 * Ethernet addresses swapped, a fresh 20-byte IPv4 header from the Service address: TOS 0, ID 0,
 * TTL 64, DF on the RST only. The frame is built on the stack, so checksums are computed in full.
 * Java: dev.hotline.dataplane.userspace.Reject.
 */
#ifndef HL_REJECT_H
#define HL_REJECT_H

#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "hotline_abi.h"
#include "csum.h"
#include "parse.h"
#include "result.h"

#define REJ_TTL 64
#define REJ_IP_DF 0x40 /* in the high byte of frag_off */
#define REJ_RST_LEN (ETH_HLEN + sizeof(struct iphdr) + sizeof(struct tcphdr))
/* the longest quote: an IPv4 header with 40 bytes of options, and 8 bytes of what followed */
#define REJ_ICMP_MAX_QUOTE (60 + 8)
#define REJ_ICMP_HLEN ((__u32)sizeof(struct hl_icmphdr))
#define REJ_ICMP_MAX_LEN (ETH_HLEN + sizeof(struct iphdr) + REJ_ICMP_HLEN + REJ_ICMP_MAX_QUOTE)

/*
 * The reply is a new frame in the request's skb, its checksums computed in full. What the skb said
 * about the request's checksums must not be believed of it: CHECKSUM_UNNECESSARY (a NIC verified
 * the request) is reset, so the receiver checks ours; bpf_skb_change_tail already dropped a
 * CHECKSUM_COMPLETE sum. CHECKSUM_PARTIAL (a local sender's offload) cannot be cleared from tc;
 * such a request comes from a pod's veth, and the reply goes back into that veth, whose peer takes
 * a partial checksum as verified, so no device recomputes at the request's offsets.
 */
static __always_inline void rej_reset_csum_state(struct __sk_buff *skb)
{
	bpf_csum_level(skb, BPF_CSUM_LEVEL_RESET);
}

/* The reply's Ethernet header: back to where the frame came from. */
static __always_inline void rej_eth_header(__u8 *out, const struct hl_packet *p)
{
	__builtin_memcpy(out, p->eth + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(out + ETH_ALEN, p->eth, ETH_ALEN);
	out[offsetof(struct ethhdr, h_proto)] = ETH_P_IP >> 8;
	out[offsetof(struct ethhdr, h_proto) + 1] = ETH_P_IP & 0xff;
}

static __always_inline void rej_ip_header(__u8 *ip, __u16 total, __u8 proto, __be32 saddr, __be32 daddr, int df)
{
	__u32 s = 0;
	int i;

	ip[0] = 0x45; /* version 4, 20 bytes */
	ip[offsetof(struct iphdr, tos)] = 0;
	ip[offsetof(struct iphdr, tot_len)] = total >> 8;
	ip[offsetof(struct iphdr, tot_len) + 1] = total & 0xff;
	ip[offsetof(struct iphdr, id)] = 0;
	ip[offsetof(struct iphdr, id) + 1] = 0;
	ip[offsetof(struct iphdr, frag_off)] = df ? REJ_IP_DF : 0;
	ip[offsetof(struct iphdr, frag_off) + 1] = 0;
	ip[offsetof(struct iphdr, ttl)] = REJ_TTL;
	ip[offsetof(struct iphdr, protocol)] = proto;
	ip[offsetof(struct iphdr, check)] = 0;
	ip[offsetof(struct iphdr, check) + 1] = 0;
	__builtin_memcpy(ip + offsetof(struct iphdr, saddr), &saddr, 4);
	__builtin_memcpy(ip + offsetof(struct iphdr, daddr), &daddr, 4);
#pragma clang loop unroll(full)
	for (i = 0; i < (int)sizeof(struct iphdr); i += 2)
		s += ((__u32)ip[i] << 8) | ip[i + 1];
	__u16 c = csum_finish(csum_fold(s));
	__builtin_memcpy(ip + offsetof(struct iphdr, check), &c, 2);
}

static __always_inline void rej_tcp_reset(struct __sk_buff *skb, const struct hl_packet *p, struct hl_result *r)
{
	__u8 out[REJ_RST_LEN];
	__u8 *tcp = out + ETH_HLEN + sizeof(struct iphdr);
	__u32 seglen = p->l4_len - p->doff + ((p->tcp_flags & TCPF_SYN) ? 1 : 0) + ((p->tcp_flags & TCPF_FIN) ? 1 : 0);
	__u32 s, seq, ack;
	int i;

	rej_eth_header(out, p);
	rej_ip_header(out + ETH_HLEN, sizeof(struct iphdr) + sizeof(struct tcphdr), IPPROTO_TCP, p->daddr, p->saddr, 1);
	__builtin_memcpy(tcp + offsetof(struct tcphdr, source), &p->dport, 2);
	__builtin_memcpy(tcp + offsetof(struct tcphdr, dest), &p->sport, 2);
	if (p->tcp_flags & TCPF_ACK) {
		seq = bpf_htonl(p->ack);
		ack = 0;
		tcp[TCP_FLAGS_OFF] = TCPF_RST;
	} else {
		seq = 0;
		ack = bpf_htonl(p->seq + seglen);
		tcp[TCP_FLAGS_OFF] = TCPF_RST | TCPF_ACK;
	}
	__builtin_memcpy(tcp + offsetof(struct tcphdr, seq), &seq, 4);
	__builtin_memcpy(tcp + offsetof(struct tcphdr, ack_seq), &ack, 4);
	tcp[TCP_FLAGS_OFF - 1] = (sizeof(struct tcphdr) / 4) << 4; /* data offset, no options */
	tcp[offsetof(struct tcphdr, window)] = 0;
	tcp[offsetof(struct tcphdr, window) + 1] = 0;
	tcp[offsetof(struct tcphdr, check)] = 0;
	tcp[offsetof(struct tcphdr, check) + 1] = 0;
	tcp[offsetof(struct tcphdr, urg_ptr)] = 0;
	tcp[offsetof(struct tcphdr, urg_ptr) + 1] = 0;
	s = csum_pseudo(p->daddr, p->saddr, IPPROTO_TCP, sizeof(struct tcphdr));
#pragma clang loop unroll(full)
	for (i = 0; i < (int)sizeof(struct tcphdr); i += 2)
		s += ((__u32)tcp[i] << 8) | tcp[i + 1];
	__u16 c = csum_finish(csum_fold(s));
	__builtin_memcpy(tcp + offsetof(struct tcphdr, check), &c, 2);

	if (bpf_skb_change_tail(skb, REJ_RST_LEN, 0) || bpf_skb_store_bytes(skb, 0, out, REJ_RST_LEN, 0)) {
		res_drop(r, HL_REASON_TRUNCATED);
		return;
	}
	rej_reset_csum_state(skb);
	r->verdict = HL_VERDICT_REJECT;
	r->reason = HL_REASON_TRANSLATED;
}

static __always_inline void rej_port_unreachable(struct __sk_buff *skb, const struct hl_packet *p, struct hl_result *r)
{
	__u8 out[REJ_ICMP_MAX_LEN] = {};
	__u8 *icmp = out + ETH_HLEN + sizeof(struct iphdr);
	__u64 quoted = (__u64)p->ihl + 8;
	__u64 len;
	__u32 s = 0;
	int i;

	if (quoted < 28 || quoted > REJ_ICMP_MAX_QUOTE)
		return;
	/* keep the compiler from handing the helper a copy made before the bounds check */
	asm volatile("" : "+r"(quoted));
	if (quoted < 28 || quoted > REJ_ICMP_MAX_QUOTE)
		return;
	if (bpf_skb_load_bytes(skb, ETH_HLEN, icmp + REJ_ICMP_HLEN, quoted))
		return;
	len = ETH_HLEN + sizeof(struct iphdr) + REJ_ICMP_HLEN + quoted;
	rej_eth_header(out, p);
	rej_ip_header(out + ETH_HLEN, sizeof(struct iphdr) + REJ_ICMP_HLEN + quoted, IPPROTO_ICMP, p->daddr, p->saddr, 0);
	icmp[offsetof(struct hl_icmphdr, type)] = ICMP_DEST_UNREACH;
	icmp[offsetof(struct hl_icmphdr, code)] = ICMP_PORT_UNREACH;
	/* the checksum covers the ICMP header and the quote; bytes past the quote are zero */
#pragma clang loop unroll(full)
	for (i = 0; i < REJ_ICMP_HLEN + REJ_ICMP_MAX_QUOTE; i += 2)
		s += ((__u32)icmp[i] << 8) | icmp[i + 1];
	__u16 c = csum_finish(csum_fold(s));
	__builtin_memcpy(icmp + offsetof(struct hl_icmphdr, checksum), &c, 2);

	asm volatile("" : "+r"(len));
	if (len > REJ_ICMP_MAX_LEN || len < ETH_HLEN + sizeof(struct iphdr) + REJ_ICMP_HLEN + 28)
		return;
	if (bpf_skb_change_tail(skb, len, 0) || bpf_skb_store_bytes(skb, 0, out, len, 0)) {
		res_drop(r, HL_REASON_TRUNCATED);
		return;
	}
	rej_reset_csum_state(skb);
	r->verdict = HL_VERDICT_REJECT;
	r->reason = HL_REASON_TRANSLATED;
}

/* A RST to such a frontend is never answered (it would only start a RST war); it is dropped. */
static __always_inline void rej_reply(struct __sk_buff *skb, const struct hl_packet *p, struct hl_result *r)
{
	if (p->proto == IPPROTO_TCP) {
		if (p->tcp_flags & TCPF_RST) {
			res_drop(r, HL_REASON_RST_TO_NO_BACKEND);
			return;
		}
		rej_tcp_reset(skb, p, r);
	} else {
		rej_port_unreachable(skb, p, r);
	}
}

#endif
