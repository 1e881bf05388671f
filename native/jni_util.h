/* SPDX-License-Identifier: GPL-2.0 */
/* What every JNI entry point shares: libbpf's words captured per call, and exceptions carrying them. */
#ifndef HOTLINE_JNI_UTIL_H
#define HOTLINE_JNI_UTIL_H

#include <jni.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "hotline_abi.h"

#define EXPORT __attribute__((visibility("default")))

/* A loaded object: the program and the file descriptors of its maps, by enum hl_map_id. */
struct hl_handle {
	struct bpf_object *obj;
	int prog_fd;
	int sock_prog_fd[HL_SOCK_PROG_COUNT]; /* the cgroup programs, in HL_SOCK_PROG_NAMES order; -1: not loaded */
	int sock_loaded;                      /* 0 when this kernel refused them and the rest was loaded alone */
	int map_fd[HL_MAP_COUNT];
	__u32 key_size[HL_MAP_COUNT];
	__u32 value_size[HL_MAP_COUNT];
	int percpu[HL_MAP_COUNT];
	int owns_fds; /* opened from pins without an object (openPinned): the map fds are closed with the handle */
	void *mem[HL_MAP_COUNT];       /* a memory-mappable map's mapping (mapMemory), unmapped with the handle */
	size_t mem_size[HL_MAP_COUNT];
};

/* Starts collecting what libbpf prints (warnings and the verifier log) for this thread's call. */
void hl_log_begin(void);
/* What this thread's call collected so far (never NULL). */
const char *hl_log_text(void);
/* Adds text another thread collected (a job thread's) to this thread's log. */
void hl_log_append(const char *text);
/* Frees this thread's log buffer (a job thread, before it ends). */
void hl_log_end(void);
/* Throws dev.hotline.bpf.BpfException("what: strerror(err) (errno N)", N, log). err may be negative. */
void hl_throw(JNIEnv *env, const char *what, int err);
/* Throws IllegalArgumentException with the message. */
void hl_throw_arg(JNIEnv *env, const char *msg);

static inline struct hl_handle *hl_handle_of(jlong h)
{
	return (struct hl_handle *)(intptr_t)h;
}

#endif
