// SPDX-License-Identifier: GPL-2.0
/*
 * Link events from rtnetlink (RTMGRP_LINK), so the agent attaches to a pod's interface as soon as
 * it appears (or reappears under the same name with a new ifindex) instead of at the next poll.
 * Only "something changed" is reported; the agent then rescans, so a lost event (a full socket
 * buffer) costs at most one polling period, never a wrong state.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_link.h>
#include <linux/ip.h>

#include "jni_util.h"

/* A netlink socket subscribed to link events of this thread's network namespace, or -1 with the exception thrown. */
EXPORT JNIEXPORT jint JNICALL Java_dev_hotline_bpf_Native_linkEventsOpen(JNIEnv *env, jclass cls)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);

	(void)cls;
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		hl_throw(env, "opening an rtnetlink socket for link events", err);
		return -1;
	}
	return fd;
}

/*
 * Waits up to timeoutMillis for link events and drains them; returns how many link messages came
 * (new, changed or removed interfaces), 0 on timeout, -1 when the socket overran (events lost:
 * rescan anyway).
 */
EXPORT JNIEXPORT jint JNICALL Java_dev_hotline_bpf_Native_linkEventsWait(JNIEnv *env, jclass cls, jint fd,
									  jint timeoutMillis)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	char buf[8192];
	int n = 0, lost = 0;

	(void)cls;
	int r = poll(&pfd, 1, timeoutMillis);
	if (r < 0) {
		if (errno == EINTR)
			return 0;
		hl_throw(env, "waiting for link events", errno);
		return -1;
	}
	if (r == 0)
		return 0;
	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0) {
			if (errno == ENOBUFS) {
				lost = 1;
				continue;
			}
			break; /* EAGAIN: drained */
		}
		/* the socket is subscribed to link events only: any datagram (even one cut short) is a change */
		n++;
	}
	return lost ? -1 : n;
}

EXPORT JNIEXPORT void JNICALL Java_dev_hotline_bpf_Native_linkEventsClose(JNIEnv *env, jclass cls, jint fd)
{
	(void)env;
	(void)cls;
	if (fd >= 0)
		close(fd);
}

/* The interfaces of the calling thread's network namespace, as "ifindex:name" (every one, with an address or not). */
EXPORT JNIEXPORT jobjectArray JNICALL Java_dev_hotline_bpf_Native_links(JNIEnv *env, jclass cls)
{
	struct if_nameindex *all = if_nameindex();
	jclass string = (*env)->FindClass(env, "java/lang/String");
	int n = 0;

	(void)cls;
	if (!all) {
		hl_throw(env, "listing the interfaces", errno);
		return NULL;
	}
	while (all[n].if_index)
		n++;
	jobjectArray out = string ? (*env)->NewObjectArray(env, n, string, NULL) : NULL;
	for (int i = 0; out && i < n; i++) {
		char item[IF_NAMESIZE + 16];
		snprintf(item, sizeof(item), "%u:%s", all[i].if_index, all[i].if_name);
		jstring s = (*env)->NewStringUTF(env, item);
		if (!s)
			break;
		(*env)->SetObjectArrayElement(env, out, i, s);
		(*env)->DeleteLocalRef(env, s);
	}
	if_freenameindex(all);
	return out;
}

/* The calling thread's network namespace's cookie (SO_NETNS_COOKIE, Linux 5.14+), or 0 when the kernel has none. */
EXPORT JNIEXPORT jlong JNICALL Java_dev_hotline_bpf_Native_netnsCookie(JNIEnv *env, jclass cls)
{
	__u64 cookie = 0;
	socklen_t len = sizeof(cookie);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	(void)env;
	(void)cls;
	if (fd < 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, 71 /* SO_NETNS_COOKIE */, &cookie, &len))
		cookie = 0;
	close(fd);
	return (jlong)cookie;
}

static struct rtattr *nest_begin(struct nlmsghdr *n, size_t max, unsigned short type)
{
	struct rtattr *a = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	if (NLMSG_ALIGN(n->nlmsg_len) + RTA_LENGTH(0) > max)
		return NULL;
	a->rta_type = type;
	a->rta_len = RTA_LENGTH(0);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_LENGTH(0);
	return a;
}

static void nest_end(struct nlmsghdr *n, struct rtattr *a)
{
	a->rta_len = (unsigned short)((char *)n + n->nlmsg_len - (char *)a);
}

static int put_u32(struct nlmsghdr *n, size_t max, unsigned short type, __u32 v)
{
	struct rtattr *a = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	if (NLMSG_ALIGN(n->nlmsg_len) + RTA_LENGTH(sizeof(v)) > max)
		return -1;
	a->rta_type = type;
	a->rta_len = RTA_LENGTH(sizeof(v));
	memcpy(RTA_DATA(a), &v, sizeof(v));
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_LENGTH(sizeof(v));
	return 0;
}

/*
 * net.ipv4.conf.<dev>.accept_local = 1 through rtnetlink (RTM_SETLINK, IFLA_AF_SPEC / AF_INET /
 * IFLA_INET_CONF), not /proc/sys: a container without privileged mode has /proc/sys read-only,
 * while CAP_NET_ADMIN is enough here. A NodePort reply or a SNATed frame gets a node address as
 * its source at tc ingress; without accept_local the stack would drop it as a martian.
 */
EXPORT JNIEXPORT void JNICALL Java_dev_hotline_bpf_Native_setAcceptLocal(JNIEnv *env, jclass cls, jint ifindex)
{
	struct {
		struct nlmsghdr n;
		struct ifinfomsg i;
		char attrs[128];
	} req;
	char answer[512];
	int fd, err = 0;

	(void)cls;
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	req.n.nlmsg_type = RTM_SETLINK;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.n.nlmsg_seq = 1;
	req.i.ifi_family = AF_UNSPEC;
	req.i.ifi_index = ifindex;
	struct rtattr *spec = nest_begin(&req.n, sizeof(req), IFLA_AF_SPEC);
	struct rtattr *inet = spec ? nest_begin(&req.n, sizeof(req), AF_INET) : NULL;
	struct rtattr *conf = inet ? nest_begin(&req.n, sizeof(req), IFLA_INET_CONF) : NULL;
	if (!conf || put_u32(&req.n, sizeof(req), IPV4_DEVCONF_ACCEPT_LOCAL, 1)) {
		hl_throw(env, "building the accept_local request", EMSGSIZE);
		return;
	}
	nest_end(&req.n, conf);
	nest_end(&req.n, inet);
	nest_end(&req.n, spec);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		hl_throw(env, "opening an rtnetlink socket", errno);
		return;
	}
	if (send(fd, &req, req.n.nlmsg_len, 0) < 0) {
		err = errno;
	} else {
		ssize_t len = recv(fd, answer, sizeof(answer), 0);
		struct nlmsghdr *m = (struct nlmsghdr *)answer;
		if (len < 0)
			err = errno;
		else if (NLMSG_OK(m, (size_t)len) && m->nlmsg_type == NLMSG_ERROR)
			err = -((struct nlmsgerr *)NLMSG_DATA(m))->error;
	}
	close(fd);
	if (err)
		hl_throw(env, "setting accept_local through rtnetlink", err);
}
