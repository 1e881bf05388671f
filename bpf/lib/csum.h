/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checksums of frames the program writes from scratch (rejects). Translated frames never come
 * here: their checksums are updated incrementally by the kernel's csum helpers (see nat.h).
 * Java: dev.hotline.packet.Checksum (sum, finish, pseudoHeader).
 */
#ifndef HL_CSUM_H
#define HL_CSUM_H

#include <linux/types.h>
#include <bpf/bpf_endian.h>

/* Folds a 32-bit one's-complement sum to 16 bits (twice: the first fold can carry). */
static __always_inline __u32 csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s;
}

/* The checksum field's value, in network order, for a folded sum. */
static __always_inline __u16 csum_finish(__u32 folded)
{
	return bpf_htons((__u16)~folded);
}

/* The TCP/UDP pseudo header's sum (RFC 793, 768). */
static __always_inline __u32 csum_pseudo(__be32 saddr, __be32 daddr, __u32 proto, __u32 len)
{
	__u32 s = bpf_ntohl(saddr), d = bpf_ntohl(daddr);

	return csum_fold((s >> 16) + (s & 0xffff) + (d >> 16) + (d & 0xffff) + proto + len);
}

#endif
