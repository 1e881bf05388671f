// SPDX-License-Identifier: GPL-2.0
/*
 * BPF_PROG_TEST_RUN over a batch of frames in one JNI call. Each frame runs as if it arrived at
 * tc ingress; its timestamp goes in skb->tstamp (the program's conntrack clock in replay), and
 * what the program decided comes back in skb->cb[].
 *
 * Batch slot layout (stride bytes each, little-endian):
 *   [0]  u32 frame length in; frame length out
 *   [4]  u32 program return code (out)
 *   [8]  u64 timestamp, ns (in)
 *   [16] u32 cb[0..4] (out)
 *   [36] u32 run time in ns as the kernel measured it (out)
 *   [64] the frame (in, and out in place)
 */
#include <errno.h>
#include <string.h>
#include <linux/bpf.h>

#include "jni_util.h"

#define SLOT_HEADER 64

EXPORT JNIEXPORT jint JNICALL Java_dev_hotline_bpf_Native_testRun(JNIEnv *env, jclass cls, jlong handle, jobject batch,
								   jint count, jint stride)
{
	struct hl_handle *h = hl_handle_of(handle);

	(void)cls;
	char *base = (*env)->GetDirectBufferAddress(env, batch);
	jlong cap = (*env)->GetDirectBufferCapacity(env, batch);
	if (!h || !base || stride <= SLOT_HEADER || count < 0 || (jlong)count * stride > cap) {
		hl_throw_arg(env, "testRun: bad batch");
		return -1;
	}
	for (jint i = 0; i < count; i++) {
		char *slot = base + (size_t)i * stride;
		__u32 len;
		__u64 ts;
		struct __sk_buff ctx_in, ctx_out;

		memcpy(&len, slot, 4);
		memcpy(&ts, slot + 8, 8);
		if (len > (__u32)(stride - SLOT_HEADER)) {
			hl_throw_arg(env, "testRun: frame longer than its slot");
			return i;
		}
		memset(&ctx_in, 0, sizeof(ctx_in));
		memset(&ctx_out, 0, sizeof(ctx_out));
		ctx_in.tstamp = ts;
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			    .data_in = slot + SLOT_HEADER,
			    .data_size_in = len,
			    .data_out = slot + SLOT_HEADER,
			    .data_size_out = (__u32)(stride - SLOT_HEADER),
			    .ctx_in = &ctx_in,
			    .ctx_size_in = sizeof(ctx_in),
			    .ctx_out = &ctx_out,
			    .ctx_size_out = sizeof(ctx_out),
			    .repeat = 1);
		hl_log_begin();
		int err = bpf_prog_test_run_opts(h->prog_fd, &opts);
		if (err) {
			hl_throw(env, "BPF_PROG_TEST_RUN", err);
			return i;
		}
		__u32 out_len = opts.data_size_out;
		memcpy(slot, &out_len, 4);
		memcpy(slot + 4, &opts.retval, 4);
		memcpy(slot + 16, ctx_out.cb, 5 * sizeof(__u32));
		memcpy(slot + 36, &opts.duration, 4);
	}
	return count;
}
