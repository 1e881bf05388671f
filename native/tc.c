// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching at tc ingress with libbpf's tc API: the clsact qdisc is created when absent, and our
 * filter (HL_TC_HANDLE, HL_TC_PRIORITY) is added or replaced; no other filter is touched, and the
 * qdisc stays when we detach. Optionally inside a network namespace (by its path).
 *
 * The namespace is entered by a thread made for the job, never by the JVM's calling thread: setns
 * changes the namespace of the thread that calls it, and if coming back failed, a Java thread would
 * go on in the wrong namespace, opening its later sockets there. The job thread simply ends. It
 * makes no JNI call; the calling thread turns its outcome into an exception.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jni_util.h"

enum tc_outcome {
	TC_DONE = 0,        /* attached, or detached */
	TC_NOT_THERE,       /* detach: our filter was not there */
	TC_FAILED,          /* err and what say why */
	TC_NOT_ETHERNET,    /* attach refused: link_type says what the device is */
};

struct tc_job {
	const char *netns;  /* or NULL: the caller's namespace */
	const char *ifname;
	int prog_fd;        /* attach when >= 0, else detach */
	enum tc_outcome outcome;
	int err;
	const char *what;
	int link_type;
	int ifindex;        /* attach: the device's, once attached */
	int veth;           /* attach: whether it is a veth */
	char *log;          /* what libbpf printed on the job thread, for the caller's exception */
};

/* The device's ARPHRD_* link type, in the current network namespace; -errno when unknown. */
static int link_type(int ifindex)
{
	struct ifreq ifr = {0};
	int fd, err = 0;

	if (!if_indextoname((unsigned int)ifindex, ifr.ifr_name))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	close(fd);
	return err ? err : ifr.ifr_hwaddr.sa_family;
}

/* Whether the device's driver is veth (a frame for its other end can take bpf_redirect_peer). */
static int is_veth(const char *ifname)
{
	struct ethtool_drvinfo info = {.cmd = ETHTOOL_GDRVINFO};
	struct ifreq ifr = {0};
	int fd, veth = 0;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&info;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (!ioctl(fd, SIOCETHTOOL, &ifr))
		veth = strcmp(info.driver, "veth") == 0;
	close(fd);
	return veth;
}

static void fail(struct tc_job *job, const char *what, int err)
{
	job->outcome = TC_FAILED;
	job->what = what;
	job->err = err < 0 ? -err : err;
}

static void tc_in_namespace(struct tc_job *job)
{
	int ifindex = (int)if_nametoindex(job->ifname);

	if (!ifindex) {
		if (job->prog_fd < 0)
			job->outcome = TC_NOT_THERE;
		else
			fail(job, "no such interface", errno ? errno : ENODEV);
		return;
	}
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	if (job->prog_fd < 0) {
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = HL_TC_HANDLE, .priority = HL_TC_PRIORITY);
		int err = bpf_tc_detach(&hook, &opts);

		if (err == -ENOENT || err == -EINVAL)
			job->outcome = TC_NOT_THERE;
		else if (err)
			fail(job, "detaching from tc ingress", err);
		return;
	}
	/*
	 * The program parses Ethernet frames. On an L3 device (WireGuard, IPIP, a tun) the frame at
	 * tc ingress starts with the IPv4 header, and parsing it as Ethernet would misread every field.
	 */
	int type = link_type(ifindex);
	if (type >= 0 && type != ARPHRD_ETHER && type != ARPHRD_LOOPBACK) {
		job->outcome = TC_NOT_ETHERNET;
		job->link_type = type;
		return;
	}
	int err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		fail(job, "creating the clsact qdisc", err);
		return;
	}
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = HL_TC_HANDLE, .priority = HL_TC_PRIORITY, .prog_fd = job->prog_fd,
		    .flags = BPF_TC_F_REPLACE);
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		fail(job, "attaching at tc ingress", err);
		return;
	}
	job->ifindex = ifindex;
	job->veth = is_veth(job->ifname);
}

static void tc_job_run(struct tc_job *job);

static void *tc_thread(void *arg)
{
	struct tc_job *job = arg;

	hl_log_begin();
	tc_job_run(job);
	job->log = strdup(hl_log_text());
	hl_log_end();
	return NULL; /* the thread ends here, namespace and all */
}

static void tc_job_run(struct tc_job *job)
{
	if (job->netns) {
		int fd = open(job->netns, O_RDONLY | O_CLOEXEC);

		if (fd < 0) {
			fail(job, "opening the network namespace", errno);
			return;
		}
		int err = setns(fd, CLONE_NEWNET) ? errno : 0;
		close(fd);
		if (err) {
			fail(job, "entering the network namespace", err);
			return;
		}
	}
	tc_in_namespace(job);
}

/* Runs the job on its own thread; returns 0, or -1 with the exception thrown. */
static int run_job(JNIEnv *env, jstring netns, jstring ifname, struct tc_job *job)
{
	pthread_t t;
	int err;

	job->netns = NULL;
	job->ifname = NULL;
	if (netns) {
		job->netns = (*env)->GetStringUTFChars(env, netns, NULL);
		if (!job->netns)
			return -1; /* OutOfMemoryError pending: no other JNI call */
	}
	job->ifname = (*env)->GetStringUTFChars(env, ifname, NULL);
	if (!job->ifname) {
		if (job->netns)
			(*env)->ReleaseStringUTFChars(env, netns, job->netns);
		return -1;
	}
	job->outcome = TC_DONE;
	err = pthread_create(&t, NULL, tc_thread, job);
	if (!err)
		err = pthread_join(t, NULL);
	/* what libbpf said on the job thread belongs to this call's log */
	if (job->log) {
		hl_log_append(job->log);
		free(job->log);
	}
	if (job->netns)
		(*env)->ReleaseStringUTFChars(env, netns, job->netns);
	if (job->ifname)
		(*env)->ReleaseStringUTFChars(env, ifname, job->ifname);
	if (err) {
		if (!(*env)->ExceptionCheck(env))
			hl_throw(env, "starting the tc thread", err);
		return -1;
	}
	return 0;
}

/* Returns the device's ifindex, with bit 32 set when it is a veth; -1 with the exception thrown. */
EXPORT JNIEXPORT jlong JNICALL Java_dev_hotline_bpf_Native_attach(JNIEnv *env, jclass cls, jlong handle, jstring netns,
								   jstring ifname)
{
	struct tc_job job = {.prog_fd = hl_handle_of(handle)->prog_fd, .log = NULL};
	char msg[200];

	(void)cls;
	hl_log_begin();
	if (run_job(env, netns, ifname, &job))
		return -1;
	if (job.outcome == TC_NOT_ETHERNET) {
		snprintf(msg, sizeof(msg),
			 "not an Ethernet device (link type %d): hotline's program parses Ethernet frames, so it attaches to "
			 "Ethernet, veth and loopback interfaces only",
			 job.link_type);
		hl_throw_arg(env, msg);
		return -1;
	} else if (job.outcome == TC_FAILED) {
		hl_throw(env, job.what, job.err);
		return -1;
	}
	return (jlong)job.ifindex | ((jlong)job.veth << 32);
}

/* Removes our filter; returns false when it was not there. */
EXPORT JNIEXPORT jboolean JNICALL Java_dev_hotline_bpf_Native_detach(JNIEnv *env, jclass cls, jstring netns, jstring ifname)
{
	struct tc_job job = {.prog_fd = -1, .log = NULL};

	(void)cls;
	hl_log_begin();
	if (run_job(env, netns, ifname, &job))
		return JNI_FALSE;
	if (job.outcome == TC_FAILED) {
		hl_throw(env, job.what, job.err);
		return JNI_FALSE;
	}
	return job.outcome == TC_DONE ? JNI_TRUE : JNI_FALSE;
}
