// SPDX-License-Identifier: GPL-2.0
/*
 * hotline's tc ingress program. This first cut only counts and passes every frame: it exists so
 * that the whole chain (clang -target bpf, the jar, libbpf, the kernel verifier, tc attach) is
 * built and exercised from day one. The Service packet path lands on top of it.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "hotline_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HL_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} hl_stats SEC(".maps");

static __always_inline void count(__u32 stat)
{
	__u64 *v = bpf_map_lookup_elem(&hl_stats, &stat);

	if (v)
		*v += 1;
}

SEC("tc")
int hotline_ingress(struct __sk_buff *skb)
{
	(void)skb;
	count(HL_STAT_SEEN);
	count(HL_STAT_PASS);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
