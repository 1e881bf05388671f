/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one definition of what the BPF program, the JNI library and Java agree on: map names,
 * counter indexes, and (as the packet path lands) the key and value layouts of every map.
 * Java mirrors this file in dev.hotline.bpf.Abi and a test holds the two together.
 */
#ifndef HOTLINE_ABI_H
#define HOTLINE_ABI_H

#define HL_PROG_NAME "hotline_ingress"

/* Counter indexes of the hl_stats per-CPU array. */
enum hl_stat {
	HL_STAT_SEEN = 0, /* every frame the program ran on */
	HL_STAT_PASS = 1, /* frames left unchanged */
	HL_STAT_MAX
};

#endif
