/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Step 1 of the packet path: Ethernet II, IPv4 with its header length honoured (options allowed),
 * then TCP, UDP or ICMP. Anything else, truncated or inconsistent passes unchanged with a reason.
 * Headers are read with bpf_skb_load_bytes, so non-linear skbs are fine.
 * Java: dev.hotline.dataplane.userspace.Packet.parse.
 */
#ifndef HL_PARSE_H
#define HL_PARSE_H

#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "hotline_abi.h"
#include "result.h"

/* where the fixed IPv4 fields are in the frame (the Ethernet header comes first) */
#define IP_OFF(field) (ETH_HLEN + offsetof(struct iphdr, field))
#define IP_MIN_HLEN ((__u32)sizeof(struct iphdr))
#define IP_MAX_TOT_LEN 0xffff
/* MF and the fragment offset: set on every fragment but an unfragmented datagram's */
#define IP_FRAGMENT_BITS 0x3fff
#define IP_OFFSET_BITS 0x1fff
#define IP_MF 0x2000

/* TCP and UDP keep their ports at the same place, so one offset serves both */
#define L4_SPORT_OFF offsetof(struct tcphdr, source)
#define L4_DPORT_OFF offsetof(struct tcphdr, dest)
_Static_assert(offsetof(struct udphdr, source) == offsetof(struct tcphdr, source), "ports at one place");
_Static_assert(offsetof(struct udphdr, dest) == offsetof(struct tcphdr, dest), "ports at one place");
/* the byte of TCP flag bits, right before the window */
#define TCP_FLAGS_OFF (offsetof(struct tcphdr, window) - 1)
#define TCP_MIN_HLEN ((__u32)sizeof(struct tcphdr))

/*
 * The ICMP header as RFC 792 draws it. linux/icmp.h would do, but it pulls in libc's socket headers,
 * which a BPF build cannot use.
 */
struct hl_icmphdr {
	__u8 type;
	__u8 code;
	__be16 checksum;
	__be32 rest; /* unused in errors, id and sequence in echoes */
};

#define ICMP_DEST_UNREACH 3
#define ICMP_PORT_UNREACH 3
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_ACK 0x10

/* one frame's parsed facts */
struct hl_packet {
	__u32 len;
	__u32 ihl;
	__u32 l4;       /* offset of the L4 header */
	__u32 l4_len;   /* from the IPv4 total length */
	__u32 csum_off; /* offset of the L4 checksum */
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 tcp_flags;
	__u8 doff;      /* TCP header length in bytes */
	__u8 udp;
	__u32 seq;      /* host order */
	__u32 ack;      /* host order */
	__u8 eth[2 * ETH_ALEN]; /* destination and source MAC */
	__be16 ip_id;
	__u8 frag;      /* enum hl_frag */
};

enum hl_frag {
	FRAG_NONE = 0,
	FRAG_FIRST = 1, /* offset 0, more to come: carries the L4 header */
	FRAG_LATER = 2, /* no L4 header: its ports come from hl_fragments */
	FRAG_LAST = 3,  /* the last of them: the record goes with it */
};

enum hl_parsed {
	PACKET_PASS = -1, /* not ours to touch: res holds the reason */
	PACKET_L4 = 0,    /* TCP or UDP with consistent headers */
	PACKET_ICMP = 1,
	PACKET_FRAGMENT = 2, /* a later fragment of a TCP or UDP datagram: ports still unknown */
};

static __always_inline int packet_parse_tcp(struct __sk_buff *skb, struct hl_packet *p, struct hl_result *res)
{
	union {
		struct tcphdr th;
		__u8 bytes[sizeof(struct tcphdr)];
	} l4;

	if (p->l4_len < TCP_MIN_HLEN || bpf_skb_load_bytes(skb, p->l4, &l4, sizeof(l4)))
		return PACKET_PASS;
	p->doff = l4.th.doff * 4;
	if (p->doff < TCP_MIN_HLEN || p->doff > p->l4_len) {
		res->reason = HL_REASON_BAD_L4_HEADER;
		return PACKET_PASS;
	}
	p->tcp_flags = l4.bytes[TCP_FLAGS_OFF];
	p->seq = bpf_ntohl(l4.th.seq);
	p->ack = bpf_ntohl(l4.th.ack_seq);
	p->csum_off = p->l4 + offsetof(struct tcphdr, check);
	p->sport = l4.th.source;
	p->dport = l4.th.dest;
	return PACKET_L4;
}

static __always_inline int packet_parse_udp(struct __sk_buff *skb, struct hl_packet *p, struct hl_result *res)
{
	struct udphdr uh;

	if (p->l4_len < sizeof(uh) || bpf_skb_load_bytes(skb, p->l4, &uh, sizeof(uh)))
		return PACKET_PASS;
	__u16 ulen = bpf_ntohs(uh.len);
	/* a first fragment holds only the start of the datagram the length counts */
	if (ulen < sizeof(uh) || (ulen > p->l4_len && p->frag != FRAG_FIRST)) {
		res->reason = HL_REASON_BAD_L4_HEADER;
		return PACKET_PASS;
	}
	p->udp = 1;
	p->csum_off = p->l4 + offsetof(struct udphdr, check);
	p->sport = uh.source;
	p->dport = uh.dest;
	return PACKET_L4;
}

static __always_inline int packet_parse(struct __sk_buff *skb, struct hl_packet *p, struct hl_result *res)
{
	struct ethhdr eth;
	struct iphdr ip;
	int parsed;

	p->len = skb->len;
	res->reason = HL_REASON_TRUNCATED;
	if (p->len < ETH_HLEN || bpf_skb_load_bytes(skb, 0, &eth, ETH_HLEN))
		return PACKET_PASS;
	__builtin_memcpy(p->eth, &eth, sizeof(p->eth));
	__u16 eth_type = bpf_ntohs(eth.h_proto);
	if (eth_type != ETH_P_IP) {
		res->reason = (eth_type == ETH_P_8021Q || eth_type == ETH_P_8021AD) ? HL_REASON_VLAN : HL_REASON_NOT_IPV4;
		return PACKET_PASS;
	}
	if (p->len < ETH_HLEN + IP_MIN_HLEN || bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)))
		return PACKET_PASS;
	p->ihl = ip.ihl * 4;
	if (ip.version != 4 || p->ihl < IP_MIN_HLEN) {
		res->reason = HL_REASON_BAD_IP_HEADER;
		return PACKET_PASS;
	}
	if (ETH_HLEN + p->ihl > p->len)
		return PACKET_PASS;
	__u32 total = bpf_ntohs(ip.tot_len);
	/* BIG TCP: a GSO packet over 64 KB carries total length 0; its length is the skb's */
	if (total == 0 && p->len > ETH_HLEN + IP_MAX_TOT_LEN)
		total = p->len - ETH_HLEN;
	if (total < p->ihl || ETH_HLEN + total > p->len) {
		res->reason = HL_REASON_BAD_TOTAL_LENGTH;
		return PACKET_PASS;
	}
	__u16 frag_off = bpf_ntohs(ip.frag_off);
	if (frag_off & IP_FRAGMENT_BITS) {
		p->frag = !(frag_off & IP_OFFSET_BITS) ? FRAG_FIRST : (frag_off & IP_MF) ? FRAG_LATER : FRAG_LAST;
		p->ip_id = ip.id;
		if (ip.protocol != IPPROTO_TCP && ip.protocol != IPPROTO_UDP) {
			res->reason = HL_REASON_FRAGMENT;
			return PACKET_PASS;
		}
	}
	p->proto = ip.protocol;
	p->saddr = ip.saddr;
	p->daddr = ip.daddr;
	p->l4 = ETH_HLEN + p->ihl;
	p->l4_len = total - p->ihl;
	if (p->frag >= FRAG_LATER) {
		res->reason = HL_REASON_FRAGMENT;
		return PACKET_FRAGMENT;
	}
	switch (p->proto) {
	case IPPROTO_TCP:
		parsed = packet_parse_tcp(skb, p, res);
		break;
	case IPPROTO_UDP:
		parsed = packet_parse_udp(skb, p, res);
		break;
	case IPPROTO_ICMP:
		if (p->l4_len < sizeof(struct hl_icmphdr))
			return PACKET_PASS;
		res->reason = HL_REASON_NO_SERVICE;
		return PACKET_ICMP;
	default:
		res->reason = HL_REASON_OTHER_PROTOCOL;
		return PACKET_PASS;
	}
	if (parsed == PACKET_L4)
		res->reason = HL_REASON_NO_SERVICE;
	return parsed;
}

#endif
