/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IPv4 fragments of TCP and UDP. Only the first fragment carries the ports; it is translated as any
 * packet is, and its ports are recorded by (source, destination, IP ID, protocol). A later fragment
 * takes the ports from that record and follows its flow, with only its addresses rewritten (its
 * payload is not covered by the L4 checksum, which travels in the first fragment). A later fragment
 * that arrives before its first one, or whose record is gone (taken by the last fragment, or older
 * than 30 s), passes unchanged and is counted; it never starts a flow. Java: dev.hotline.dataplane.userspace.Fragments.
 */
#ifndef HL_FRAG_H
#define HL_FRAG_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hotline_abi.h"
#include "maps.h"
#include "parse.h"

static __always_inline void frag_key(const struct hl_packet *p, struct hl_frag_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->saddr = p->saddr;
	k->daddr = p->daddr;
	k->id = p->ip_id;
	k->proto = p->proto;
}

/* A first fragment: remember its ports for the fragments that follow (not when the table is full). */
static __always_inline void frag_record(const struct hl_packet *p, __u64 now)
{
	struct hl_frag_key k;
	struct hl_frag_ports ports = {.sport = p->sport, .dport = p->dport, .seen = now};

	frag_key(p, &k);
	bpf_map_update_elem(&hl_fragments, &k, &ports, BPF_ANY);
}

/*
 * A later fragment: its datagram's ports into p; -1 when they were never seen or are too old. The
 * last fragment takes the record with it.
 */
static __always_inline int frag_ports(struct hl_packet *p, __u64 now)
{
	struct hl_frag_key k;
	struct hl_frag_ports *ports;
	int found;

	frag_key(p, &k);
	ports = bpf_map_lookup_elem(&hl_fragments, &k);
	if (!ports)
		return -1;
	found = now - ports->seen < HL_FRAG_TIMEOUT_NS;
	if (found) {
		p->sport = ports->sport;
		p->dport = ports->dport;
	}
	if (!found || p->frag == FRAG_LAST)
		bpf_map_delete_elem(&hl_fragments, &k);
	return found ? 0 : -1;
}

#endif
