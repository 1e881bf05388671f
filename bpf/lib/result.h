/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What happened to a frame: the verdict and reason, the Service and backend of its flow. The
 * result is counted per CPU, handed to the caller in skb->cb (BPF_PROG_TEST_RUN returns the
 * context, which is how replay and the tests read it), and turned into the tc action.
 * Java: dev.hotline.dataplane.PacketResult, counted in UserspaceDataplane.process.
 */
#ifndef HL_RESULT_H
#define HL_RESULT_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "hotline_abi.h"
#include "maps.h"

struct hl_result {
	__u32 verdict;
	__u32 reason;
	__u32 service_id;
	__u32 backend_id;
	__be32 backend_addr;
	__be16 backend_port;
};

/* A frame translated (or reverse-translated) for a flow of this Service and backend. */
static __always_inline void res_translated(struct hl_result *r, __u32 verdict, __u32 service_id, __u32 backend_id,
					   __be32 baddr, __be16 bport)
{
	r->verdict = verdict;
	r->reason = HL_REASON_TRANSLATED;
	r->service_id = service_id;
	r->backend_id = backend_id;
	r->backend_addr = baddr;
	r->backend_port = bport;
}

static __always_inline void res_drop(struct hl_result *r, __u32 reason)
{
	r->verdict = HL_VERDICT_DROP;
	r->reason = reason;
}

static __always_inline void res_count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&hl_stats, &stat);

	if (v)
		*v += 1;
}

static __always_inline int res_finish(struct __sk_buff *skb, struct hl_result *r)
{
	skb->cb[HL_CB_RESULT] = r->verdict | (r->reason << 8);
	skb->cb[HL_CB_SERVICE] = r->service_id;
	skb->cb[HL_CB_BACKEND] = r->backend_id;
	skb->cb[HL_CB_BACKEND_ADDR] = r->backend_addr;
	skb->cb[HL_CB_BACKEND_PORT] = r->backend_port;
	if (r->verdict < HL_VERDICT_MAX)
		res_count(HL_STAT_VERDICT(r->verdict));
	if (r->reason < HL_REASON_MAX)
		res_count(HL_STAT_REASON(r->reason));
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
		/*
		 * Not "done": the next filter on the interface (a CNI's, a monitor's) still sees what we
		 * pass or translate. Only drops and our own replies end the chain.
		 */
		return TC_ACT_UNSPEC;
	}
}

#endif
