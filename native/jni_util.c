// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jni_util.h"

#define LOG_CAP (1 << 20)
static __thread char *log_buf;
static __thread size_t log_len;

static int collect(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !log_buf || log_len >= LOG_CAP - 1)
		return 0;
	int n = vsnprintf(log_buf + log_len, LOG_CAP - log_len, fmt, ap);
	if (n > 0)
		log_len += (size_t)n < LOG_CAP - log_len ? (size_t)n : LOG_CAP - 1 - log_len;
	return n;
}

void hl_log_begin(void)
{
	if (!log_buf)
		log_buf = malloc(LOG_CAP);
	log_len = 0;
	if (log_buf)
		log_buf[0] = '\0';
	libbpf_set_print(collect);
}

const char *hl_log_text(void)
{
	return log_buf ? log_buf : "";
}

void hl_log_append(const char *text)
{
	if (!log_buf || !text)
		return;
	size_t n = strlen(text);
	if (n > LOG_CAP - 1 - log_len)
		n = LOG_CAP - 1 - log_len;
	memcpy(log_buf + log_len, text, n);
	log_len += n;
	log_buf[log_len] = '\0';
}

void hl_log_end(void)
{
	free(log_buf);
	log_buf = NULL;
	log_len = 0;
}

void hl_throw(JNIEnv *env, const char *what, int err)
{
	char msg[512];
	int e = err < 0 ? -err : err;
	jclass cls = (*env)->FindClass(env, "dev/hotline/bpf/BpfException");

	if (!cls)
		return;
	snprintf(msg, sizeof(msg), "%s: %s (errno %d)", what, strerror(e), e);
	jmethodID ctor = (*env)->GetMethodID(env, cls, "<init>", "(Ljava/lang/String;ILjava/lang/String;)V");
	if (!ctor)
		return;
	jstring jmsg = (*env)->NewStringUTF(env, msg);
	jstring jlog = (*env)->NewStringUTF(env, log_buf ? log_buf : "");
	jobject ex = (*env)->NewObject(env, cls, ctor, jmsg, (jint)e, jlog);
	if (ex)
		(*env)->Throw(env, (jthrowable)ex);
}

void hl_throw_arg(JNIEnv *env, const char *msg)
{
	jclass cls = (*env)->FindClass(env, "java/lang/IllegalArgumentException");

	if (cls)
		(*env)->ThrowNew(env, cls, msg);
}
