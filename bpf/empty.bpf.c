// SPDX-License-Identifier: GPL-2.0
/* The floor of the kernel-path benchmarks: a tc program that only passes the frame. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int empty_ingress(struct __sk_buff *skb)
{
	(void)skb;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
