// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching at tc ingress with libbpf's tc API: the clsact qdisc is created when absent, and our
 * filter (HL_TC_HANDLE, HL_TC_PRIORITY) is added or replaced; no other filter is touched, and the
 * qdisc stays when we detach. Optionally inside a network namespace (by its path), entered by the
 * calling thread only and left again before returning.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jni_util.h"

static int enter_netns(JNIEnv *env, jstring netns, int *saved)
{
	*saved = -1;
	if (!netns)
		return 0;
	const char *path = (*env)->GetStringUTFChars(env, netns, NULL);
	if (!path)
		return -ENOMEM;
	*saved = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	(*env)->ReleaseStringUTFChars(env, netns, path);
	if (*saved < 0 || fd < 0) {
		int err = -errno;
		if (fd >= 0)
			close(fd);
		if (*saved >= 0)
			close(*saved);
		*saved = -1;
		return err;
	}
	if (setns(fd, CLONE_NEWNET)) {
		int err = -errno;
		close(fd);
		close(*saved);
		*saved = -1;
		return err;
	}
	close(fd);
	return 0;
}

static void leave_netns(int saved)
{
	if (saved >= 0) {
		if (setns(saved, CLONE_NEWNET))
			perror("hotline: returning to the original network namespace");
		close(saved);
	}
}

static int ifindex_of(JNIEnv *env, jstring ifname);

/*
 * Enters the namespace (when given) and finds the interface there. Returns its index, 0 when it
 * does not exist (still inside the namespace: call leave_netns), or -1 with the exception thrown.
 */
static int enter_and_find(JNIEnv *env, jstring netns, jstring ifname, int *saved)
{
	int err = enter_netns(env, netns, saved);

	if (err) {
		hl_throw(env, "entering the network namespace", err);
		return -1;
	}
	return ifindex_of(env, ifname);
}

static int ifindex_of(JNIEnv *env, jstring ifname)
{
	const char *name = (*env)->GetStringUTFChars(env, ifname, NULL);
	if (!name)
		return 0;
	int idx = (int)if_nametoindex(name);
	(*env)->ReleaseStringUTFChars(env, ifname, name);
	return idx;
}

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

EXPORT JNIEXPORT void JNICALL Java_dev_hotline_bpf_Native_attach(JNIEnv *env, jclass cls, jlong handle, jstring netns,
								  jstring ifname)
{
	struct hl_handle *h = hl_handle_of(handle);
	int saved, err;

	(void)cls;
	hl_log_begin();
	int ifindex = enter_and_find(env, netns, ifname, &saved);
	if (ifindex < 0)
		return;
	if (!ifindex) {
		err = errno ? errno : ENODEV;
		leave_netns(saved);
		hl_throw(env, "no such interface", err);
		return;
	}
	/*
	 * The program parses Ethernet frames. On an L3 device (WireGuard, IPIP, a tun) the frame at
	 * tc ingress starts with the IPv4 header, and parsing it as Ethernet would misread every field.
	 */
	int type = link_type(ifindex);
	if (type >= 0 && type != ARPHRD_ETHER && type != ARPHRD_LOOPBACK) {
		char msg[160];

		leave_netns(saved);
		snprintf(msg, sizeof(msg),
			 "not an Ethernet device (link type %d): hotline's program parses Ethernet frames, so it attaches to "
			 "Ethernet, veth and loopback interfaces only",
			 type);
		hl_throw_arg(env, msg);
		return;
	}
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		leave_netns(saved);
		hl_throw(env, "creating the clsact qdisc", err);
		return;
	}
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = HL_TC_HANDLE, .priority = HL_TC_PRIORITY, .prog_fd = h->prog_fd,
		    .flags = BPF_TC_F_REPLACE);
	err = bpf_tc_attach(&hook, &opts);
	leave_netns(saved);
	if (err)
		hl_throw(env, "attaching at tc ingress", err);
}

/* Removes our filter; returns false when it was not there. */
EXPORT JNIEXPORT jboolean JNICALL Java_dev_hotline_bpf_Native_detach(JNIEnv *env, jclass cls, jstring netns, jstring ifname)
{
	int saved, err;

	(void)cls;
	hl_log_begin();
	int ifindex = enter_and_find(env, netns, ifname, &saved);
	if (ifindex < 0)
		return JNI_FALSE;
	if (!ifindex) {
		leave_netns(saved);
		return JNI_FALSE;
	}
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = HL_TC_HANDLE, .priority = HL_TC_PRIORITY);
	err = bpf_tc_detach(&hook, &opts);
	leave_netns(saved);
	if (err == -ENOENT || err == -EINVAL)
		return JNI_FALSE;
	if (err) {
		hl_throw(env, "detaching from tc ingress", err);
		return JNI_FALSE;
	}
	return JNI_TRUE;
}

