// SPDX-License-Identifier: GPL-2.0
/*
 * The socket-level programs on a cgroup v2 directory, through BPF links pinned next to the maps.
 * A link pinned in bpffs stays attached when the agent dies (SIGKILL, OOM), so host clients keep
 * being served; a restarted agent finds the pin and swaps its freshly loaded program into the
 * same link (bpf_link_update: no moment without a program). Removing the pin detaches.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jni_util.h"

static const char *link_names[HL_SOCK_PROG_COUNT] = HL_SOCK_LINK_NAMES;
static const enum bpf_attach_type attach_types[HL_SOCK_PROG_COUNT] = {
	BPF_CGROUP_INET4_CONNECT, BPF_CGROUP_UDP4_SENDMSG, BPF_CGROUP_UDP4_RECVMSG, BPF_CGROUP_INET4_GETPEERNAME,
	BPF_CGROUP_INET6_CONNECT, BPF_CGROUP_UDP6_SENDMSG, BPF_CGROUP_UDP6_RECVMSG, BPF_CGROUP_INET6_GETPEERNAME,
};
_Static_assert(sizeof(attach_types) / sizeof(attach_types[0]) == HL_SOCK_PROG_COUNT, "one attach type per program");

/* The cgroup a pinned link is attached to (cgroup v2 ids are the directory's inode), or 0. */
static __u64 link_cgroup(int link_fd)
{
	struct bpf_link_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(link_fd, &info, &len) || info.type != BPF_LINK_TYPE_CGROUP)
		return 0;
	return info.cgroup.cgroup_id;
}

/*
 * Attaches (or re-attaches) the four programs to the cgroup directory; a pinned link of this
 * directory gets the new program, a pinned link of another directory is dropped first. Returns
 * how many links were created anew (0 when all were taken over).
 */
EXPORT JNIEXPORT jint JNICALL Java_dev_hotline_bpf_Native_attachCgroup(JNIEnv *env, jclass cls, jlong handle,
								       jstring cgroupPath, jstring pinDir)
{
	struct hl_handle *h = hl_handle_of(handle);
	const char *cg = NULL, *dir = NULL;
	char path[512], what[600];
	struct stat st;
	int cg_fd = -1, created = 0, err = 0, made[HL_SOCK_PROG_COUNT] = {0};

	(void)cls;
	hl_log_begin();
	cg = (*env)->GetStringUTFChars(env, cgroupPath, NULL);
	if (!cg)
		return -1;
	dir = (*env)->GetStringUTFChars(env, pinDir, NULL);
	if (!dir) {
		(*env)->ReleaseStringUTFChars(env, cgroupPath, cg);
		return -1;
	}
	cg_fd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg_fd < 0 || fstat(cg_fd, &st)) {
		err = errno;
		snprintf(what, sizeof(what), "opening the cgroup %s", cg);
		goto out;
	}
	for (int i = 0; i < HL_SOCK_PROG_COUNT; i++) {
		int prog_fd = h->sock_prog_fd[i];

		if (prog_fd < 0) {
			err = EOPNOTSUPP;
			snprintf(what, sizeof(what), "the socket-level programs did not load on this kernel (Linux 6.1 or later "
				 "has what they use)");
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, link_names[i]);
		int link_fd = bpf_obj_get(path);
		if (link_fd >= 0) {
			if (link_cgroup(link_fd) == (__u64)st.st_ino && !bpf_link_update(link_fd, prog_fd, NULL)) {
				close(link_fd);
				continue;
			}
			/* another cgroup's, or not ours to update: its pin goes, and with it the attachment */
			close(link_fd);
			unlink(path);
		}
		LIBBPF_OPTS(bpf_link_create_opts, opts);
		link_fd = bpf_link_create(prog_fd, cg_fd, attach_types[i], &opts);
		if (link_fd < 0) {
			err = errno;
			snprintf(what, sizeof(what), "attaching %s to the cgroup %s", link_names[i] + 5, cg);
			goto out;
		}
		if (bpf_obj_pin(link_fd, path)) {
			err = errno;
			close(link_fd);
			snprintf(what, sizeof(what), "pinning the link %s", path);
			goto out;
		}
		close(link_fd);
		made[i] = 1;
		created++;
	}
out:
	/* all or nothing: a half set (connect translated, recvmsg not) would show clients the backend's address */
	for (int i = 0; err && i < HL_SOCK_PROG_COUNT; i++) {
		if (made[i]) {
			snprintf(path, sizeof(path), "%s/%s", dir, link_names[i]);
			unlink(path);
		}
	}
	if (cg_fd >= 0)
		close(cg_fd);
	(*env)->ReleaseStringUTFChars(env, cgroupPath, cg);
	(*env)->ReleaseStringUTFChars(env, pinDir, dir);
	if (err) {
		hl_throw(env, what, err);
		return -1;
	}
	return created;
}

/* Detaches the socket-level programs by removing their link pins; returns how many were there. */
EXPORT JNIEXPORT jint JNICALL Java_dev_hotline_bpf_Native_detachCgroup(JNIEnv *env, jclass cls, jstring pinDir)
{
	char path[512];
	int n = 0;
	const char *dir = (*env)->GetStringUTFChars(env, pinDir, NULL);

	(void)cls;
	if (!dir)
		return -1;
	for (int i = 0; i < HL_SOCK_PROG_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, link_names[i]);
		if (!unlink(path))
			n++;
	}
	(*env)->ReleaseStringUTFChars(env, pinDir, dir);
	return n;
}
