// SPDX-License-Identifier: GPL-2.0
/*
 * JNI entry points of dev.hotline.bpf.Native. A thin layer in the style of Netty's native
 * transports: static methods taking plain values, every failure turned into a
 * dev.hotline.bpf.BpfException that carries libbpf's own words (and the verifier log).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jni.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "hotline_abi.h"

#define EXPORT __attribute__((visibility("default")))

/* libbpf reports through one global print callback; each JNI call collects what it says. */
#define LOG_CAP (1 << 20)
static __thread char *log_buf;
static __thread size_t log_len;

static int collect_libbpf_output(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !log_buf || log_len >= LOG_CAP - 1)
		return 0;
	int n = vsnprintf(log_buf + log_len, LOG_CAP - log_len, fmt, ap);
	if (n > 0)
		log_len += (size_t)n < LOG_CAP - log_len ? (size_t)n : LOG_CAP - 1 - log_len;
	return n;
}

static void log_begin(void)
{
	if (!log_buf)
		log_buf = malloc(LOG_CAP);
	log_len = 0;
	if (log_buf)
		log_buf[0] = '\0';
	libbpf_set_print(collect_libbpf_output);
}

static void throw_bpf(JNIEnv *env, const char *what, int err)
{
	char msg[512];
	jclass cls = (*env)->FindClass(env, "dev/hotline/bpf/BpfException");

	if (!cls)
		return;
	snprintf(msg, sizeof(msg), "%s: %s (errno %d)", what, strerror(err < 0 ? -err : err),
		 err < 0 ? -err : err);
	jmethodID ctor = (*env)->GetMethodID(env, cls, "<init>", "(Ljava/lang/String;ILjava/lang/String;)V");
	if (!ctor)
		return;
	jstring jmsg = (*env)->NewStringUTF(env, msg);
	jstring jlog = (*env)->NewStringUTF(env, log_buf ? log_buf : "");
	jobject ex = (*env)->NewObject(env, cls, ctor, jmsg, (jint)(err < 0 ? -err : err), jlog);
	if (ex)
		(*env)->Throw(env, (jthrowable)ex);
}

EXPORT JNIEXPORT jstring JNICALL
Java_dev_hotline_bpf_Native_libbpfVersion(JNIEnv *env, jclass cls)
{
	char v[32];

	(void)cls;
	snprintf(v, sizeof(v), "%u.%u", libbpf_major_version(), libbpf_minor_version());
	return (*env)->NewStringUTF(env, v);
}

/*
 * Opens the ELF object from memory and loads every program in it through the kernel verifier,
 * then releases everything. Returns one line per program: name and instruction count.
 */
EXPORT JNIEXPORT jstring JNICALL
Java_dev_hotline_bpf_Native_verify(JNIEnv *env, jclass cls, jbyteArray elf)
{
	(void)cls;
	jsize len = (*env)->GetArrayLength(env, elf);
	void *copy = malloc((size_t)len);
	if (!copy) {
		throw_bpf(env, "verify: out of memory", ENOMEM);
		return NULL;
	}
	(*env)->GetByteArrayRegion(env, elf, 0, len, copy);

	log_begin();
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "hotline");
	struct bpf_object *obj = bpf_object__open_mem(copy, (size_t)len, &opts);
	if (!obj) {
		int err = errno;
		free(copy);
		throw_bpf(env, "bpf_object__open_mem", err);
		return NULL;
	}
	/* maps are created by load; keep them private to this check (no pinning here) */
	int err = bpf_object__load(obj);
	if (err) {
		bpf_object__close(obj);
		free(copy);
		throw_bpf(env, "bpf_object__load (kernel verifier)", err);
		return NULL;
	}

	char summary[1024];
	size_t used = 0;
	struct bpf_program *prog;
	summary[0] = '\0';
	bpf_object__for_each_program(prog, obj) {
		int n = snprintf(summary + used, sizeof(summary) - used, "%s%s: %zu instructions",
				 used ? "\n" : "", bpf_program__name(prog), bpf_program__insn_cnt(prog));
		if (n < 0 || (size_t)n >= sizeof(summary) - used)
			break;
		used += (size_t)n;
	}
	bpf_object__close(obj);
	free(copy);
	return (*env)->NewStringUTF(env, summary);
}
