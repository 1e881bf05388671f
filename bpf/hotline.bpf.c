// SPDX-License-Identifier: GPL-2.0
/*
 * hotline's tc ingress program: the Service packet path of DESIGN.md, step for step what the
 * Java twin (dev.hotline.dataplane.userspace.UserspaceDataplane) does, so that both give the same
 * bytes for the same frame:
 *   1. parse Ethernet II, IPv4 (IHL honoured), TCP/UDP/ICMP; anything else or malformed passes;
 *   2. a reply of a translated flow gets the Service address back (and the client after SNAT);
 *   3. a packet of a known flow keeps its backend while that backend exists;
 *   4. a new flow to a frontend takes a backend from the Maglev table by the flow hash, is
 *      recorded and DNATed (and SNATed for NodePort to another node);
 *   5. no backend, or a ClusterIP on an undefined port or protocol: reject (RST / ICMP);
 *   6. everything else passes.
 * Headers are read with bpf_skb_load_bytes (non-linear skbs are fine) and written with the
 * checksum helpers, so the kernel does the incremental updates (RFC 1624) it does everywhere.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "hotline_abi.h"

#define ETH_HLEN_ 14
#define IP_MIN 20
#define IP_CSUM_OFF (ETH_HLEN_ + 10)
#define IP_SADDR_OFF (ETH_HLEN_ + 12)
#define IP_DADDR_OFF (ETH_HLEN_ + 16)
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10
#define RST_LEN (ETH_HLEN_ + 20 + 20)
#define ICMP_MAX_QUOTE (60 + 8)
#define ICMP_MAX_LEN (ETH_HLEN_ + 20 + 8 + ICMP_MAX_QUOTE)

/* ---- maps (sizes are set by the loader before load) ---------------------------------------- */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct hl_frontend_key);
	__type(value, struct hl_service);
} hl_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __be32);
	__type(value, __u32);
} hl_cluster_ips SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct hl_backend);
} hl_backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1 << 20);
	__type(key, __u32);
	__type(value, __u32);
} hl_maglev SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u64);
} hl_service_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, struct hl_ct_key);
	__type(value, struct hl_ct_forward);
} hl_ct_forward SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 262144);
	__type(key, struct hl_ct_key);
	__type(value, struct hl_ct_reverse);
} hl_ct_reverse SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hl_config);
} hl_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HL_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} hl_stats SEC(".maps");

/* ---- one frame's parsed facts --------------------------------------------------------------- */
struct frame {
	__u32 len;
	__u32 ihl;
	__u32 l4;      /* offset of the L4 header */
	__u32 l4_len;  /* from the IPv4 total length */
	__u32 csum;    /* offset of the L4 checksum */
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 tcp_flags;
	__u8 doff;     /* TCP header length in bytes */
	__u8 udp;
	__u32 seq;     /* host order */
	__u32 ack;     /* host order */
	__u8 eth[12];  /* destination and source MAC */
};

struct result {
	__u32 verdict;
	__u32 reason;
	__u32 service_id;
	__u32 backend_id;
	__be32 backend_addr;
	__be16 backend_port;
};

static __always_inline void count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&hl_stats, &stat);

	if (v)
		*v += 1;
}

static __always_inline int finish(struct __sk_buff *skb, struct result *r)
{
	skb->cb[HL_CB_RESULT] = r->verdict | (r->reason << 8);
	skb->cb[HL_CB_SERVICE] = r->service_id;
	skb->cb[HL_CB_BACKEND] = r->backend_id;
	skb->cb[HL_CB_BACKEND_ADDR] = r->backend_addr;
	skb->cb[HL_CB_BACKEND_PORT] = r->backend_port;
	if (r->verdict < HL_VERDICT_MAX)
		count(HL_STAT_VERDICT(r->verdict));
	if (r->reason < HL_REASON_MAX)
		count(HL_STAT_REASON(r->reason));
	if (r->service_id) {
		__u64 *v = bpf_map_lookup_elem(&hl_service_stats, &r->service_id);

		if (v)
			*v += 1;
	}
	switch (r->verdict) {
	case HL_VERDICT_DROP:
		return TC_ACT_SHOT;
	case HL_VERDICT_REJECT:
		/* the reply leaves by the interface the request came in on */
		return bpf_redirect(skb->ifindex, 0);
	default:
		return TC_ACT_OK;
	}
}

static __always_inline void count_backend(__u32 id)
{
	struct hl_backend *b = bpf_map_lookup_elem(&hl_backends, &id);

	if (b)
		__sync_fetch_and_add(&b->packets, 1);
}

/* ---- checksums of generated frames (dev.hotline.packet.Checksum.sum / finish) -------------- */
static __always_inline __u32 fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s;
}

static __always_inline __u16 finish_csum(__u32 folded)
{
	return bpf_htons((__u16)~folded);
}

static __always_inline __u32 pseudo_sum(__be32 saddr, __be32 daddr, __u32 proto, __u32 len)
{
	__u32 s = bpf_ntohl(saddr), d = bpf_ntohl(daddr);

	return fold((s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) + proto + len);
}

/* ---- NAT: each field as the Java twin does it, IP checksum, then L4 checksum, then the field -- */
static __always_inline int rewrite_addr(struct __sk_buff *skb, struct frame *f, __u32 off, __be32 from, __be32 to)
{
	__u64 l4flags = BPF_F_PSEUDO_HDR | sizeof(to) | (f->udp ? BPF_F_MARK_MANGLED_0 : 0);

	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, from, to, sizeof(to)))
		return -1;
	if (bpf_l4_csum_replace(skb, f->csum, from, to, l4flags))
		return -1;
	return bpf_skb_store_bytes(skb, off, &to, sizeof(to), 0);
}

static __always_inline int rewrite_port(struct __sk_buff *skb, struct frame *f, __u32 off, __be16 from, __be16 to)
{
	__u64 l4flags = sizeof(to) | (f->udp ? BPF_F_MARK_MANGLED_0 : 0);

	if (bpf_l4_csum_replace(skb, f->csum, from, to, l4flags))
		return -1;
	return bpf_skb_store_bytes(skb, off, &to, sizeof(to), 0);
}

/* ---- conntrack (dev.hotline.dataplane.userspace.Conntrack) ---------------------------------- */
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

/* Removes a flow: its forward entry and the reverse entry it owns. */
static __always_inline void ct_remove_flow(const struct hl_ct_key *fk, const struct hl_ct_forward *fv)
{
	struct hl_ct_key rk, key = *fk;
	struct hl_ct_reverse *rv;

	ct_reverse_key(fk, fv, &rk);
	rv = bpf_map_lookup_elem(&hl_ct_reverse, &rk);
	if (rv && ct_key_equal(&rv->forward, &key))
		bpf_map_delete_elem(&hl_ct_reverse, &rk);
	bpf_map_delete_elem(&hl_ct_forward, &key);
}

static __always_inline struct hl_ct_forward *ct_find_forward(const struct hl_ct_key *k, __u64 now)
{
	struct hl_ct_forward *fv = bpf_map_lookup_elem(&hl_ct_forward, k);

	if (fv && now >= fv->expires) {
		ct_remove_flow(k, fv);
		return NULL;
	}
	return fv;
}

static __always_inline struct hl_ct_forward *ct_find_reply(const struct hl_ct_key *k, __u64 now, struct hl_ct_key *fk)
{
	struct hl_ct_reverse *rv = bpf_map_lookup_elem(&hl_ct_reverse, k);
	struct hl_ct_forward *fv;

	if (!rv)
		return NULL;
	*fk = rv->forward;
	fv = bpf_map_lookup_elem(&hl_ct_forward, fk);
	if (!fv || now >= fv->expires) {
		if (fv)
			ct_remove_flow(fk, fv);
		else
			bpf_map_delete_elem(&hl_ct_reverse, k);
		return NULL;
	}
	return fv;
}

static __always_inline int ct_reply_tuple_taken(const struct hl_ct_key *rk, __u64 now)
{
	struct hl_ct_reverse *rv = bpf_map_lookup_elem(&hl_ct_reverse, rk);
	struct hl_ct_forward *fv;
	struct hl_ct_key fk;

	if (!rv)
		return 0;
	fk = rv->forward;
	fv = bpf_map_lookup_elem(&hl_ct_forward, &fk);
	return fv && now < fv->expires;
}

static __always_inline __u32 forward_flags(__u8 tcp_flags)
{
	__u32 flags = 0;

	if (tcp_flags & TCP_FIN)
		flags |= HL_CT_FIN_FWD;
	if (tcp_flags & TCP_RST)
		flags |= HL_CT_RST;
	return flags;
}

/* ---- translation ------------------------------------------------------------------------- */
static __always_inline int translate_forward(struct __sk_buff *skb, struct frame *f, __be32 baddr, __be16 bport,
					     int snat, __be32 snat_addr, __be16 snat_port)
{
	if (rewrite_addr(skb, f, IP_DADDR_OFF, f->daddr, baddr) ||
	    rewrite_port(skb, f, f->l4 + 2, f->dport, bport))
		return -1;
	if (snat && (rewrite_addr(skb, f, IP_SADDR_OFF, f->saddr, snat_addr) ||
		     rewrite_port(skb, f, f->l4, f->sport, snat_port)))
		return -1;
	return 0;
}

static __always_inline void fill(struct result *r, __u32 verdict, __u32 service_id, __u32 backend_id, __be32 baddr,
				 __be16 bport)
{
	r->verdict = verdict;
	r->reason = HL_REASON_TRANSLATED;
	r->service_id = service_id;
	r->backend_id = backend_id;
	r->backend_addr = baddr;
	r->backend_port = bport;
}

static __always_inline void reverse(struct __sk_buff *skb, struct frame *f, const struct hl_config *cfg,
				    struct hl_ct_key *fk, struct hl_ct_forward *fv, __u64 now, struct result *r)
{
	__u32 flags = fv->flags | HL_CT_SEEN_REPLY;

	if (f->tcp_flags & TCP_FIN)
		flags |= HL_CT_FIN_REV;
	if (f->tcp_flags & TCP_RST)
		flags |= HL_CT_RST;
	fv->flags = flags;
	fv->expires = now + ct_timeout(cfg, f->proto, flags);
	__u32 backend_id = fv->backend_id, service_id = fv->service_id;
	__be32 baddr = fv->backend_addr;
	__be16 bport = fv->backend_port;

	if (rewrite_addr(skb, f, IP_SADDR_OFF, f->saddr, fk->daddr) ||
	    rewrite_port(skb, f, f->l4, f->sport, fk->dport))
		goto fail;
	if ((flags & HL_CT_SNAT) &&
	    (rewrite_addr(skb, f, IP_DADDR_OFF, f->daddr, fk->saddr) || rewrite_port(skb, f, f->l4 + 2, f->dport, fk->sport)))
		goto fail;
	count_backend(backend_id);
	fill(r, HL_VERDICT_REVERSE, service_id, backend_id, baddr, bport);
	return;
fail:
	r->verdict = HL_VERDICT_DROP;
	r->reason = HL_REASON_TRUNCATED;
}

static __always_inline void established(struct __sk_buff *skb, struct frame *f, const struct hl_config *cfg,
					struct hl_ct_forward *fv, __u64 now, struct result *r)
{
	__u32 flags = fv->flags | forward_flags(f->tcp_flags);
	int snat = flags & HL_CT_SNAT;

	fv->flags = flags;
	fv->expires = now + ct_timeout(cfg, f->proto, flags);
	__u32 backend_id = fv->backend_id, service_id = fv->service_id;
	__be32 baddr = fv->backend_addr, saddr = fv->snat_addr;
	__be16 bport = fv->backend_port, sport = fv->snat_port;

	if (translate_forward(skb, f, baddr, bport, snat, saddr, sport)) {
		r->verdict = HL_VERDICT_DROP;
		r->reason = HL_REASON_TRUNCATED;
		return;
	}
	count_backend(backend_id);
	fill(r, snat ? HL_VERDICT_DNAT_SNAT : HL_VERDICT_DNAT, service_id, backend_id, baddr, bport);
}

/* A port from the SNAT range whose reply tuple no live flow uses, probing from a hash of the flow; 0 if none. */
static __always_inline __be16 free_snat_port(const struct hl_config *cfg, __be32 baddr, __be16 bport, __be32 snat_addr,
					     __u8 proto, __u32 hash, __u64 now)
{
	__u32 range = cfg->snat_port_max - cfg->snat_port_min + 1;
	__u32 start, i;
	struct hl_ct_key rk = {};

	if (range == 0 || range > 65536)
		return 0;
	start = hl_mix(hash ^ HL_SNAT_SEED) % range;
	rk.saddr = baddr;
	rk.daddr = snat_addr;
	rk.sport = bport;
	rk.proto = proto;
	for (i = 0; i < HL_SNAT_TRIES; i++) {
		__u32 port = cfg->snat_port_min + (start + i) % range;

		rk.dport = bpf_htons((__u16)port);
		if (!ct_reply_tuple_taken(&rk, now))
			return rk.dport;
	}
	return 0;
}

static __always_inline void new_flow(struct __sk_buff *skb, struct frame *f, const struct hl_config *cfg,
				     const struct hl_ct_key *k, __u32 hash, const struct hl_service *svc,
				     __u32 backend_id, const struct hl_backend *b, __u64 now, struct result *r)
{
	__be32 baddr = b->addr;
	__be16 bport = b->port;
	int snat = (svc->flags & HL_SVC_NODE_PORT) && !(b->flags & HL_BACKEND_LOCAL);
	__u32 service_id = svc->service_id;
	__be32 snat_addr = 0;
	__be16 snat_port = 0;
	struct hl_ct_key rk = {}, fk = *k;
	struct hl_ct_forward fv = {};
	struct hl_ct_reverse rv = {};
	struct hl_ct_forward *old;

	rk.saddr = baddr;
	rk.sport = bport;
	rk.proto = f->proto;
	if (snat) {
		snat_addr = f->daddr; /* the node address the client reached */
		snat_port = free_snat_port(cfg, baddr, bport, snat_addr, f->proto, hash, now);
		if (!snat_port) {
			r->verdict = HL_VERDICT_DROP;
			r->reason = HL_REASON_SNAT_PORTS_EXHAUSTED;
			return;
		}
		rk.daddr = snat_addr;
		rk.dport = snat_port;
	} else {
		rk.daddr = f->saddr;
		rk.dport = f->sport;
	}
	old = bpf_map_lookup_elem(&hl_ct_forward, &fk);
	if (old)
		ct_remove_flow(&fk, old);
	rv.forward = fk;
	fv.backend_id = backend_id;
	fv.service_id = service_id;
	fv.backend_addr = baddr;
	fv.backend_port = bport;
	fv.snat_addr = snat_addr;
	fv.snat_port = snat_port;
	fv.flags = (snat ? HL_CT_SNAT : 0) | forward_flags(f->tcp_flags);
	fv.expires = now + ct_timeout(cfg, f->proto, fv.flags);
	if (bpf_map_update_elem(&hl_ct_reverse, &rk, &rv, BPF_ANY) ||
	    bpf_map_update_elem(&hl_ct_forward, &fk, &fv, BPF_ANY)) {
		r->verdict = HL_VERDICT_DROP;
		r->reason = HL_REASON_CONNTRACK_FULL;
		return;
	}
	if (translate_forward(skb, f, baddr, bport, snat, snat_addr, snat_port)) {
		r->verdict = HL_VERDICT_DROP;
		r->reason = HL_REASON_TRUNCATED;
		return;
	}
	count_backend(backend_id);
	fill(r, snat ? HL_VERDICT_DNAT_SNAT : HL_VERDICT_DNAT, service_id, backend_id, baddr, bport);
}

/* ---- rejects (dev.hotline.dataplane.userspace.RejectReplies) -------------------------------- */
static __always_inline void ip_header(__u8 *ip, __u16 total, __u8 proto, __be32 saddr, __be32 daddr, int df)
{
	__u32 s = 0;
	int i;

	ip[0] = 0x45;
	ip[1] = 0;
	ip[2] = total >> 8;
	ip[3] = total & 0xff;
	ip[4] = 0;
	ip[5] = 0;
	ip[6] = df ? 0x40 : 0;
	ip[7] = 0;
	ip[8] = 64;
	ip[9] = proto;
	ip[10] = 0;
	ip[11] = 0;
	__builtin_memcpy(ip + 12, &saddr, 4);
	__builtin_memcpy(ip + 16, &daddr, 4);
#pragma clang loop unroll(full)
	for (i = 0; i < 20; i += 2)
		s += ((__u32)ip[i] << 8) | ip[i + 1];
	__u16 c = finish_csum(fold(s));
	__builtin_memcpy(ip + 10, &c, 2);
}

static __always_inline void tcp_reset(struct __sk_buff *skb, struct frame *f, struct result *r)
{
	__u8 out[RST_LEN];
	__u8 *tcp = out + ETH_HLEN_ + 20;
	__u32 seglen = f->l4_len - f->doff + ((f->tcp_flags & TCP_SYN) ? 1 : 0) + ((f->tcp_flags & TCP_FIN) ? 1 : 0);
	__u32 s;
	int i;

	__builtin_memcpy(out, f->eth + 6, 6);
	__builtin_memcpy(out + 6, f->eth, 6);
	out[12] = 0x08;
	out[13] = 0x00;
	ip_header(out + ETH_HLEN_, 40, IPPROTO_TCP, f->daddr, f->saddr, 1);
	__builtin_memcpy(tcp, &f->dport, 2);
	__builtin_memcpy(tcp + 2, &f->sport, 2);
	__u32 seq, ack;
	if (f->tcp_flags & TCP_ACK) {
		seq = bpf_htonl(f->ack);
		ack = 0;
		tcp[13] = TCP_RST;
	} else {
		seq = 0;
		ack = bpf_htonl(f->seq + seglen);
		tcp[13] = TCP_RST | TCP_ACK;
	}
	__builtin_memcpy(tcp + 4, &seq, 4);
	__builtin_memcpy(tcp + 8, &ack, 4);
	tcp[12] = 5 << 4;
	tcp[14] = 0;
	tcp[15] = 0;
	tcp[16] = 0;
	tcp[17] = 0;
	tcp[18] = 0;
	tcp[19] = 0;
	s = pseudo_sum(f->daddr, f->saddr, IPPROTO_TCP, 20);
#pragma clang loop unroll(full)
	for (i = 0; i < 20; i += 2)
		s += ((__u32)tcp[i] << 8) | tcp[i + 1];
	__u16 c = finish_csum(fold(s));
	__builtin_memcpy(tcp + 16, &c, 2);

	if (bpf_skb_change_tail(skb, RST_LEN, 0) || bpf_skb_store_bytes(skb, 0, out, RST_LEN, 0)) {
		r->verdict = HL_VERDICT_DROP;
		r->reason = HL_REASON_TRUNCATED;
		return;
	}
	r->verdict = HL_VERDICT_REJECT;
	r->reason = HL_REASON_TRANSLATED;
}

static __always_inline void port_unreachable(struct __sk_buff *skb, struct frame *f, struct result *r)
{
	__u8 out[ICMP_MAX_LEN] = {};
	__u8 *icmp = out + ETH_HLEN_ + 20;
	__u64 quoted = (__u64)f->ihl + 8;
	__u64 len;
	__u32 s = 0;
	int i;

	if (quoted < 28 || quoted > ICMP_MAX_QUOTE)
		return;
	/* keep the compiler from handing the helper a copy made before the bounds check */
	asm volatile("" : "+r"(quoted));
	if (quoted < 28 || quoted > ICMP_MAX_QUOTE)
		return;
	if (bpf_skb_load_bytes(skb, ETH_HLEN_, icmp + 8, quoted))
		return;
	len = ETH_HLEN_ + 20 + 8 + quoted;
	__builtin_memcpy(out, f->eth + 6, 6);
	__builtin_memcpy(out + 6, f->eth, 6);
	out[12] = 0x08;
	out[13] = 0x00;
	ip_header(out + ETH_HLEN_, 20 + 8 + quoted, IPPROTO_ICMP, f->daddr, f->saddr, 0);
	icmp[0] = 3;
	icmp[1] = 3;
	/* the checksum covers the ICMP header and the quote; bytes past the quote are zero */
#pragma clang loop unroll(full)
	for (i = 0; i < 8 + ICMP_MAX_QUOTE; i += 2)
		s += ((__u32)icmp[i] << 8) | icmp[i + 1];
	__u16 c = finish_csum(fold(s));
	__builtin_memcpy(icmp + 2, &c, 2);

	asm volatile("" : "+r"(len));
	if (len > ICMP_MAX_LEN || len < ETH_HLEN_ + 20 + 8 + 28)
		return;
	if (bpf_skb_change_tail(skb, len, 0) || bpf_skb_store_bytes(skb, 0, out, len, 0)) {
		r->verdict = HL_VERDICT_DROP;
		r->reason = HL_REASON_TRUNCATED;
		return;
	}
	r->verdict = HL_VERDICT_REJECT;
	r->reason = HL_REASON_TRANSLATED;
}

static __always_inline void reject(struct __sk_buff *skb, struct frame *f, struct result *r)
{
	if (f->proto == IPPROTO_TCP) {
		if (f->tcp_flags & TCP_RST) {
			r->verdict = HL_VERDICT_DROP;
			r->reason = HL_REASON_RST_TO_NO_BACKEND;
			return;
		}
		tcp_reset(skb, f, r);
	} else {
		port_unreachable(skb, f, r);
	}
}

/* ---- ICMP errors about translated flows ------------------------------------------------------ */
static __always_inline int load16(struct __sk_buff *skb, __u32 off, __u16 *v)
{
	return bpf_skb_load_bytes(skb, off, v, 2);
}

/* An address inside the quoted datagram: its IPv4 checksum, the quoted UDP checksum, and the ICMP
 * checksum for every 16 bits that changed; in the Java twin's order. */
static __always_inline int quoted_addr(struct __sk_buff *skb, __u32 inner, __u32 off, __u32 icmp_csum, __u32 udp_csum,
				       __be32 from, __be32 to)
{
	__u16 before, after;

	if (load16(skb, inner + 10, &before) || bpf_l3_csum_replace(skb, inner + 10, from, to, 4) ||
	    load16(skb, inner + 10, &after) || bpf_l4_csum_replace(skb, icmp_csum, before, after, 2))
		return -1;
	if (udp_csum) {
		if (load16(skb, udp_csum, &before) || bpf_l4_csum_replace(skb, udp_csum, from, to, 4 | BPF_F_MARK_MANGLED_0) ||
		    load16(skb, udp_csum, &after) || bpf_l4_csum_replace(skb, icmp_csum, before, after, 2))
			return -1;
	}
	if (bpf_l4_csum_replace(skb, icmp_csum, from, to, 4))
		return -1;
	return bpf_skb_store_bytes(skb, off, &to, 4, 0);
}

static __always_inline int quoted_port(struct __sk_buff *skb, __u32 off, __u32 icmp_csum, __u32 udp_csum, __be16 from,
				       __be16 to)
{
	__u16 before, after;

	if (udp_csum) {
		if (load16(skb, udp_csum, &before) || bpf_l4_csum_replace(skb, udp_csum, from, to, 2 | BPF_F_MARK_MANGLED_0) ||
		    load16(skb, udp_csum, &after) || bpf_l4_csum_replace(skb, icmp_csum, before, after, 2))
			return -1;
	}
	if (bpf_l4_csum_replace(skb, icmp_csum, from, to, 2))
		return -1;
	return bpf_skb_store_bytes(skb, off, &to, 2, 0);
}

/* An outer address of an ICMP message: only the IPv4 checksum covers it. */
static __always_inline int outer_addr(struct __sk_buff *skb, __u32 off, __be32 from, __be32 to)
{
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, from, to, 4))
		return -1;
	return bpf_skb_store_bytes(skb, off, &to, 4, 0);
}

/*
 * An ICMP error (unreachable, time exceeded, parameter problem) quoting a translated flow's
 * datagram: the quote gets the Service address back, the ICMP goes to the client (after SNAT),
 * and comes from the Service address when the backend itself sent it. Returns 1 when handled.
 */
static __always_inline int icmp_error(struct __sk_buff *skb, struct frame *f, __u64 now, struct result *r)
{
	__u8 icmp[8], iip[20], il4[8];
	struct hl_ct_key k = {}, fk;
	struct hl_ct_forward *fv;

	if (bpf_skb_load_bytes(skb, f->l4, icmp, 8))
		return 0;
	if ((icmp[0] != 3 && icmp[0] != 11 && icmp[0] != 12) || f->l4_len < 8 + 20 + 8)
		return 0;
	__u32 inner = f->l4 + 8;
	if (bpf_skb_load_bytes(skb, inner, iip, 20))
		return 0;
	__u32 inner_ihl = (iip[0] & 0xf) * 4;
	if ((iip[0] >> 4) != 4 || inner_ihl < 20 || 8 + inner_ihl + 8 > f->l4_len)
		return 0;
	if (iip[9] != IPPROTO_TCP && iip[9] != IPPROTO_UDP)
		return 0;
	__u32 inner_l4 = inner + inner_ihl;
	if (bpf_skb_load_bytes(skb, inner_l4, il4, 8))
		return 0;
	__be32 isaddr, idaddr;
	__be16 isport, idport;
	__builtin_memcpy(&isaddr, iip + 12, 4);
	__builtin_memcpy(&idaddr, iip + 16, 4);
	__builtin_memcpy(&isport, il4, 2);
	__builtin_memcpy(&idport, il4 + 2, 2);
	/* the quoted datagram went client -> backend; its flow's reply tuple is backend -> client */
	k.saddr = idaddr;
	k.daddr = isaddr;
	k.sport = idport;
	k.dport = isport;
	k.proto = iip[9];
	fv = ct_find_reply(&k, now, &fk);
	if (!fv)
		return 0;
	__u32 backend_id = fv->backend_id, service_id = fv->service_id, flags = fv->flags;
	__be32 baddr = fv->backend_addr;
	__be16 bport = fv->backend_port;
	__u32 icmp_csum = f->l4 + 2;
	__u32 udp_csum = iip[9] == IPPROTO_UDP ? inner_l4 + 6 : 0;

	if (quoted_addr(skb, inner, inner + 16, icmp_csum, udp_csum, idaddr, fk.daddr) ||
	    quoted_port(skb, inner_l4 + 2, icmp_csum, udp_csum, idport, fk.dport))
		goto fail;
	if (flags & HL_CT_SNAT) {
		if (quoted_addr(skb, inner, inner + 12, icmp_csum, udp_csum, isaddr, fk.saddr) ||
		    quoted_port(skb, inner_l4, icmp_csum, udp_csum, isport, fk.sport) ||
		    outer_addr(skb, IP_DADDR_OFF, f->daddr, fk.saddr))
			goto fail;
	}
	if (f->saddr == baddr && outer_addr(skb, IP_SADDR_OFF, f->saddr, fk.daddr))
		goto fail;
	fill(r, HL_VERDICT_REVERSE, service_id, backend_id, baddr, bport);
	return 1;
fail:
	r->verdict = HL_VERDICT_DROP;
	r->reason = HL_REASON_TRUNCATED;
	return 1;
}

/* ---- parsing ------------------------------------------------------------------------------ */
/* Returns 0 for IPv4 TCP or UDP with consistent headers, 1 for ICMP; otherwise (-1) sets the verdict. */
static __always_inline int parse(struct __sk_buff *skb, struct frame *f, struct result *r)
{
	__u8 eth[ETH_HLEN_];
	__u8 ip[IP_MIN];
	__u8 l4[20];
	__u16 eth_type, total;

	f->len = skb->len;
	r->reason = HL_REASON_TRUNCATED;
	if (f->len < ETH_HLEN_ || bpf_skb_load_bytes(skb, 0, eth, ETH_HLEN_))
		return -1;
	__builtin_memcpy(f->eth, eth, 12);
	eth_type = ((__u16)eth[12] << 8) | eth[13];
	if (eth_type != ETH_P_IP) {
		r->reason = (eth_type == ETH_P_8021Q || eth_type == ETH_P_8021AD) ? HL_REASON_VLAN : HL_REASON_NOT_IPV4;
		return -1;
	}
	if (f->len < ETH_HLEN_ + IP_MIN || bpf_skb_load_bytes(skb, ETH_HLEN_, ip, IP_MIN))
		return -1;
	f->ihl = (ip[0] & 0xf) * 4;
	if ((ip[0] >> 4) != 4 || f->ihl < IP_MIN) {
		r->reason = HL_REASON_BAD_IP_HEADER;
		return -1;
	}
	if (ETH_HLEN_ + f->ihl > f->len)
		return -1;
	total = ((__u16)ip[2] << 8) | ip[3];
	if (total < f->ihl || ETH_HLEN_ + total > f->len) {
		r->reason = HL_REASON_BAD_TOTAL_LENGTH;
		return -1;
	}
	if (((((__u16)ip[6] << 8) | ip[7]) & 0x3fff) != 0) {
		r->reason = HL_REASON_FRAGMENT;
		return -1;
	}
	f->proto = ip[9];
	__builtin_memcpy(&f->saddr, ip + 12, 4);
	__builtin_memcpy(&f->daddr, ip + 16, 4);
	f->l4 = ETH_HLEN_ + f->ihl;
	f->l4_len = total - f->ihl;
	if (f->proto == IPPROTO_TCP) {
		if (f->l4_len < 20)
			return -1;
		if (bpf_skb_load_bytes(skb, f->l4, l4, 20))
			return -1;
		f->doff = (l4[12] >> 4) * 4;
		if (f->doff < 20 || f->doff > f->l4_len) {
			r->reason = HL_REASON_BAD_L4_HEADER;
			return -1;
		}
		f->tcp_flags = l4[13];
		f->seq = ((__u32)l4[4] << 24) | ((__u32)l4[5] << 16) | ((__u32)l4[6] << 8) | l4[7];
		f->ack = ((__u32)l4[8] << 24) | ((__u32)l4[9] << 16) | ((__u32)l4[10] << 8) | l4[11];
		f->csum = f->l4 + 16;
	} else if (f->proto == IPPROTO_UDP) {
		if (f->l4_len < 8)
			return -1;
		if (bpf_skb_load_bytes(skb, f->l4, l4, 8))
			return -1;
		__u16 ulen = ((__u16)l4[4] << 8) | l4[5];
		if (ulen < 8 || ulen > f->l4_len) {
			r->reason = HL_REASON_BAD_L4_HEADER;
			return -1;
		}
		f->udp = 1;
		f->csum = f->l4 + 6;
	} else if (f->proto == IPPROTO_ICMP) {
		if (f->l4_len < 8)
			return -1;
		r->reason = HL_REASON_NO_SERVICE;
		return 1;
	} else {
		r->reason = HL_REASON_OTHER_PROTOCOL;
		return -1;
	}
	__builtin_memcpy(&f->sport, l4, 2);
	__builtin_memcpy(&f->dport, l4 + 2, 2);
	r->reason = HL_REASON_NO_SERVICE;
	return 0;
}

SEC("tc")
int hotline_ingress(struct __sk_buff *skb)
{
	struct result r = {.verdict = HL_VERDICT_PASS, .reason = HL_REASON_NO_SERVICE};
	struct frame f = {};
	__u32 zero = 0;
	struct hl_config *cfg = bpf_map_lookup_elem(&hl_config, &zero);
	struct hl_ct_forward *fv;
	struct hl_ct_key k = {}, fk;
	struct hl_frontend_key svc_key = {};
	struct hl_service *svc;

	if (!cfg)
		return TC_ACT_OK;
	__u64 now = (cfg->flags & HL_CFG_CLOCK_FROM_SKB) ? skb->tstamp : bpf_ktime_get_ns();

	int parsed = parse(skb, &f, &r);
	if (parsed < 0)
		return finish(skb, &r);
	if (parsed == 1) {
		if (!icmp_error(skb, &f, now, &r) && bpf_map_lookup_elem(&hl_cluster_ips, &f.daddr)) {
			/* nothing answers pings to a virtual address; say so with a counter */
			r.verdict = HL_VERDICT_DROP;
			r.reason = HL_REASON_ICMP_TO_CLUSTER_IP;
		}
		return finish(skb, &r);
	}

	k.saddr = f.saddr;
	k.daddr = f.daddr;
	k.sport = f.sport;
	k.dport = f.dport;
	k.proto = f.proto;

	/* 2. a reply of a translated flow */
	fv = ct_find_reply(&k, now, &fk);
	if (fv) {
		reverse(skb, &f, cfg, &fk, fv, now, &r);
		return finish(skb, &r);
	}

	/* 3. a packet of a known flow */
	fv = ct_find_forward(&k, now);
	if (fv) {
		int reopened = (f.tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && ct_closing(fv->flags);
		__u32 bid = fv->backend_id;

		if (!reopened && bpf_map_lookup_elem(&hl_backends, &bid)) {
			established(skb, &f, cfg, fv, now, &r);
			return finish(skb, &r);
		}
		/* the port was reused after a close, or the pinned backend is gone: a new flow */
		ct_remove_flow(&k, fv);
	}

	/* 4. a new flow to a frontend */
	svc_key.addr = f.daddr;
	svc_key.port = f.dport;
	svc_key.proto = f.proto;
	svc = bpf_map_lookup_elem(&hl_services, &svc_key);
	if (svc) {
		struct hl_service s = *svc;
		struct hl_backend *b = NULL;
		__u32 bid = 0, hash, idx;
		__u32 *slot;

		r.service_id = s.service_id;
		if (s.active_backends == 0 || s.table_size == 0) {
			reject(skb, &f, &r);
			return finish(skb, &r);
		}
		hash = hl_flow_hash(bpf_ntohl(f.saddr), bpf_ntohl(f.daddr), bpf_ntohs(f.sport), bpf_ntohs(f.dport), f.proto);
		idx = s.table_offset + hash % s.table_size;
		slot = bpf_map_lookup_elem(&hl_maglev, &idx);
		if (slot)
			bid = *slot;
		if (bid)
			b = bpf_map_lookup_elem(&hl_backends, &bid);
		if (!b) {
			reject(skb, &f, &r);
			return finish(skb, &r);
		}
		struct hl_backend backend = *b;
		new_flow(skb, &f, cfg, &k, hash, &s, bid, &backend, now, &r);
		return finish(skb, &r);
	}

	/* 5. a ClusterIP on a port or protocol no Service defines */
	if (bpf_map_lookup_elem(&hl_cluster_ips, &f.daddr)) {
		reject(skb, &f, &r);
		return finish(skb, &r);
	}
	/* 6. not ours */
	return finish(skb, &r);
}

char LICENSE[] SEC("license") = "GPL";
