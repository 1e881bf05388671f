// SPDX-License-Identifier: GPL-2.0
/*
 * Opening the BPF object carried in the jar: sizing its maps, pinning them (a second load reuses
 * what is pinned, so conntrack survives an agent restart), loading through the verifier, and
 * reporting the ABI layout so Java can check it mirrors this side.
 */
#include <errno.h>
#include <sys/mman.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/bpf.h>

#include "jni_util.h"

static const char *map_names[HL_MAP_COUNT] = HL_MAP_NAMES;

EXPORT JNIEXPORT jstring JNICALL Java_dev_hotline_bpf_Native_libbpfVersion(JNIEnv *env, jclass cls)
{
	char v[32];

	(void)cls;
	snprintf(v, sizeof(v), "%u.%u", libbpf_major_version(), libbpf_minor_version());
	return (*env)->NewStringUTF(env, v);
}

EXPORT JNIEXPORT jint JNICALL Java_dev_hotline_bpf_Native_possibleCpus(JNIEnv *env, jclass cls)
{
	(void)env;
	(void)cls;
	return libbpf_num_possible_cpus();
}

static int mkdirs(const char *path)
{
	char tmp[512];
	size_t len = strlen(path);

	if (len >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0700) && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	}
	if (mkdir(tmp, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

static struct bpf_object *open_object(JNIEnv *env, jbyteArray elf, void **copy)
{
	jsize len = (*env)->GetArrayLength(env, elf);

	*copy = malloc((size_t)len);
	if (!*copy) {
		hl_throw(env, "open: out of memory", ENOMEM);
		return NULL;
	}
	(*env)->GetByteArrayRegion(env, elf, 0, len, *copy);
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "hotline");
	struct bpf_object *obj = bpf_object__open_mem(*copy, (size_t)len, &opts);
	if (!obj) {
		int err = errno;
		free(*copy);
		*copy = NULL;
		hl_throw(env, "bpf_object__open_mem", err);
	}
	return obj;
}

/* Loads every program through the kernel verifier, then releases everything; one line per program. */
EXPORT JNIEXPORT jstring JNICALL Java_dev_hotline_bpf_Native_verify(JNIEnv *env, jclass cls, jbyteArray elf)
{
	void *copy;
	char summary[1024];
	size_t used = 0;
	struct bpf_program *prog;

	(void)cls;
	hl_log_begin();
	struct bpf_object *obj = open_object(env, elf, &copy);
	if (!obj)
		return NULL;
	/* the verifier's statistics (BPF_LOG_STATS): instructions walked, and the stack the program uses */
	/* one buffer per program and call, not a static one: two threads may verify at once */
	enum { MAX_PROGS = 12 };
	char stats[MAX_PROGS][2048];
	int np = 0;
	bpf_object__for_each_program(prog, obj) {
		if (np == MAX_PROGS)
			break;
		stats[np][0] = '\0';
		bpf_program__set_log_buf(prog, stats[np], sizeof(stats[np]));
		bpf_program__set_log_level(prog, 4);
		np++;
	}
	int err = bpf_object__load(obj);
	if (err) {
		/* once more without our statistics buffer, so libbpf hands the verifier's reasons to the log */
		bpf_object__close(obj);
		free(copy);
		hl_log_begin();
		obj = open_object(env, elf, &copy);
		if (!obj)
			return NULL;
		err = bpf_object__load(obj);
		bpf_object__close(obj);
		free(copy);
		hl_throw(env, "bpf_object__load (kernel verifier)", err ? err : -EINVAL);
		return NULL;
	}
	summary[0] = '\0';
	np = 0;
	bpf_object__for_each_program(prog, obj) {
		/* what the verifier walked through, the number that grows when a change makes the program harder to prove */
		struct bpf_prog_info info;
		__u32 info_len = sizeof(info);

		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &info_len))
			info.verified_insns = 0;
		/* "stack depth 432" (or "stack depth 432+24" with subprograms): the verifier's own figure */
		const char *depth = np < MAX_PROGS ? strstr(stats[np], "stack depth ") : NULL;
		np++;
		int stack = depth ? atoi(depth + 12) : -1;
		/*
		 * Subprograms add their own frames ("432+24+16"); ours call nothing further, so the deepest
		 * the stack gets is the entry's frame and the largest of theirs: what the 512-byte limit
		 * is checked against, and what is reported.
		 */
		if (depth) {
			const char *q = depth + 12;
			int deepest = 0;

			while (*q >= '0' && *q <= '9')
				q++;
			while (*q == '+') {
				int sub = atoi(++q);

				deepest = sub > deepest ? sub : deepest;
				while (*q >= '0' && *q <= '9')
					q++;
			}
			stack += deepest;
		}
		int n = snprintf(summary + used, sizeof(summary) - used, "%s%s: %zu instructions, %u verified, stack %d bytes",
				 used ? "\n" : "", bpf_program__name(prog), bpf_program__insn_cnt(prog), info.verified_insns, stack);
		if (n < 0 || (size_t)n >= sizeof(summary) - used)
			break;
		used += (size_t)n;
	}
	bpf_object__close(obj);
	free(copy);
	return (*env)->NewStringUTF(env, summary);
}

/*
 * What makes the pins under pinDir unusable for this object sized by maxEntries, one line per map
 * ("hl_ct_forward: pinned as type 9 ..."), or "" when every pin present fits: a map of another
 * type, key, value or size, or maps written by an agent of another ABI version (hl_config says).
 * Nothing is changed here; the caller decides.
 */
EXPORT JNIEXPORT jstring JNICALL Java_dev_hotline_bpf_Native_pinProblems(JNIEnv *env, jclass cls, jbyteArray elf,
									 jstring pinDir, jintArray maxEntries)
{
	void *copy = NULL;
	char out[2048];
	size_t used = 0;
	jint sizes[HL_MAP_COUNT] = {0};

	(void)cls;
	out[0] = '\0';
	if ((*env)->GetArrayLength(env, maxEntries) != HL_MAP_COUNT) {
		hl_throw_arg(env, "maxEntries must name every map");
		return NULL;
	}
	(*env)->GetIntArrayRegion(env, maxEntries, 0, HL_MAP_COUNT, sizes);
	hl_log_begin();
	struct bpf_object *obj = open_object(env, elf, &copy);
	if (!obj)
		return NULL;
	const char *dir = (*env)->GetStringUTFChars(env, pinDir, NULL);
	if (!dir) {
		bpf_object__close(obj);
		free(copy);
		return NULL;
	}
	for (int i = 0; i < HL_MAP_COUNT && used < sizeof(out) - 200; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, map_names[i]);
		char path[512];
		struct bpf_map_info info;
		__u32 len = sizeof(info);
		int n = 0;

		if (!m)
			continue;
		if (sizes[i] > 0)
			bpf_map__set_max_entries(m, (__u32)sizes[i]);
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		if (access(path, F_OK))
			continue;
		int fd = bpf_obj_get(path);
		memset(&info, 0, sizeof(info));
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
			n = snprintf(out + used, sizeof(out) - used, "%s: the pin cannot be read (%s)\n", map_names[i], strerror(errno));
		} else if (info.type != (__u32)bpf_map__type(m) || info.key_size != bpf_map__key_size(m) ||
			   info.value_size != bpf_map__value_size(m) || info.max_entries != bpf_map__max_entries(m)) {
			n = snprintf(out + used, sizeof(out) - used,
				     "%s: pinned as type %u, key %u, value %u, %u entries; this version needs type %u, key %u, "
				     "value %u, %u entries\n",
				     map_names[i], info.type, info.key_size, info.value_size, info.max_entries,
				     (unsigned)bpf_map__type(m), bpf_map__key_size(m), bpf_map__value_size(m),
				     bpf_map__max_entries(m));
		} else if (i == HL_MAP_CONFIG) {
			__u32 zero = 0;
			struct hl_config cfg;

			if (!bpf_map_lookup_elem(fd, &zero, &cfg) && cfg.abi_version != HL_ABI_VERSION)
				n = snprintf(out + used, sizeof(out) - used,
					     "hl_config: written by an agent of ABI version %u; this one is version %u\n",
					     cfg.abi_version, HL_ABI_VERSION);
		}
		if (fd >= 0)
			close(fd);
		if (n > 0 && (size_t)n < sizeof(out) - used)
			used += (size_t)n;
	}
	(*env)->ReleaseStringUTFChars(env, pinDir, dir);
	bpf_object__close(obj);
	free(copy);
	return (*env)->NewStringUTF(env, out);
}

/*
 * Opens and loads the object. sizes[i] (when > 0) sizes map i before load. With a pin directory
 * every map is pinned there by name, and an existing pin of the same shape is reused. With an
 * older generation (old), every map not in the resized mask is that generation's very map
 * (bpf_map__reuse_fd), and a larger map is made for the others only, unpinned until filled.
 */
static jlong load_generation(JNIEnv *env, jbyteArray elf, jstring pinDir, const jint *sizes, struct hl_handle *old,
			     jint resized, int with_sock)
{
	void *copy = NULL;
	char what[512];
	const char *dir = NULL;
	struct hl_handle *h = NULL;
	int err = 0;

	hl_log_begin();
	struct bpf_object *obj = open_object(env, elf, &copy);
	if (!obj)
		return 0;
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(what, sizeof(what), "open: out of memory");
		err = ENOMEM;
		goto fail;
	}
	h->obj = obj;
	if (pinDir) {
		dir = (*env)->GetStringUTFChars(env, pinDir, NULL);
		if (!dir) {
			/* out of memory, with an exception pending: no other JNI call may follow */
			bpf_object__close(obj);
			free(copy);
			free(h);
			return 0;
		}
	}
	if (dir && (err = mkdirs(dir))) {
		snprintf(what, sizeof(what), "creating the pin directory %s", dir);
		goto fail;
	}
	for (int i = 0; i < HL_MAP_COUNT; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, map_names[i]);
		char path[512];

		if (!m) {
			snprintf(what, sizeof(what), "the object has no map %s", map_names[i]);
			err = ENOENT;
			goto fail;
		}
		if (sizes[i] > 0)
			err = bpf_map__set_max_entries(m, (__u32)sizes[i]);
		if (!err && old && !(resized & (1 << i))) {
			err = bpf_map__reuse_fd(m, old->map_fd[i]);
		} else if (!err && dir && !old) {
			/* a next generation's new maps are pinned once filled (pinMaps), not before */
			snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
			err = bpf_map__set_pin_path(m, path);
		}
		if (err) {
			snprintf(what, sizeof(what), "configuring map %s", map_names[i]);
			goto fail;
		}
	}
	static const char *sock_names[HL_SOCK_PROG_COUNT] = HL_SOCK_PROG_NAMES;
	if (!with_sock) {
		for (int i = 0; i < HL_SOCK_PROG_COUNT; i++) {
			struct bpf_program *sp = bpf_object__find_program_by_name(obj, sock_names[i]);
			if (sp)
				bpf_program__set_autoload(sp, false);
		}
	}
	err = bpf_object__load(obj);
	if (err && with_sock) {
		/* an older kernel (bpf_set_retval in cgroup/connect4 needs 6.1): the tc program alone */
		if (dir)
			(*env)->ReleaseStringUTFChars(env, pinDir, dir);
		bpf_object__close(obj);
		free(copy);
		free(h);
		return load_generation(env, elf, pinDir, sizes, old, resized, 0);
	}
	if (err) {
		snprintf(what, sizeof(what), "bpf_object__load (kernel verifier, or a pinned map of another shape)");
		goto fail;
	}
	free(copy);
	h->sock_loaded = with_sock;
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, HL_PROG_NAME);
	h->prog_fd = prog ? bpf_program__fd(prog) : -1;
	for (int i = 0; i < HL_SOCK_PROG_COUNT; i++) {
		struct bpf_program *sp = bpf_object__find_program_by_name(obj, sock_names[i]);
		h->sock_prog_fd[i] = sp && with_sock ? bpf_program__fd(sp) : -1;
	}
	for (int i = 0; i < HL_MAP_COUNT; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, map_names[i]);
		enum bpf_map_type t = bpf_map__type(m);

		h->map_fd[i] = bpf_map__fd(m);
		h->key_size[i] = bpf_map__key_size(m);
		h->value_size[i] = bpf_map__value_size(m);
		h->percpu[i] = t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	}
	if (dir)
		(*env)->ReleaseStringUTFChars(env, pinDir, dir);
	return (jlong)(intptr_t)h;

fail:
	if (dir)
		(*env)->ReleaseStringUTFChars(env, pinDir, dir);
	bpf_object__close(obj);
	free(copy);
	free(h);
	hl_throw(env, what, err);
	return 0;
}

static int read_sizes(JNIEnv *env, jintArray maxEntries, jint *sizes)
{
	if ((*env)->GetArrayLength(env, maxEntries) != HL_MAP_COUNT) {
		hl_throw_arg(env, "maxEntries must name every map");
		return -1;
	}
	(*env)->GetIntArrayRegion(env, maxEntries, 0, HL_MAP_COUNT, sizes);
	return 0;
}

EXPORT JNIEXPORT jlong JNICALL Java_dev_hotline_bpf_Native_open(JNIEnv *env, jclass cls, jbyteArray elf, jstring pinDir,
							       jintArray maxEntries)
{
	jint sizes[HL_MAP_COUNT] = {0};

	(void)cls;
	if (read_sizes(env, maxEntries, sizes))
		return 0;
	return load_generation(env, elf, pinDir, sizes, NULL, 0, 1);
}

/* The next generation of a loaded object: the maps in resized made anew at their new sizes, the others shared. */
EXPORT JNIEXPORT jlong JNICALL Java_dev_hotline_bpf_Native_openNext(JNIEnv *env, jclass cls, jbyteArray elf,
								   jlong oldHandle, jstring pinDir, jintArray maxEntries,
								   jint resized)
{
	jint sizes[HL_MAP_COUNT] = {0};

	(void)cls;
	if (read_sizes(env, maxEntries, sizes))
		return 0;
	struct hl_handle *old = hl_handle_of(oldHandle);
	return load_generation(env, elf, pinDir, sizes, old, resized, old->sock_loaded);
}

/* Pins the maps in mask under pinDir in place of whatever was pinned there (a filled next generation's). */
EXPORT JNIEXPORT void JNICALL Java_dev_hotline_bpf_Native_pinMaps(JNIEnv *env, jclass cls, jlong handle, jstring pinDir,
								 jint mask)
{
	struct hl_handle *h = hl_handle_of(handle);
	const char *dir = (*env)->GetStringUTFChars(env, pinDir, NULL);
	char path[512];
	int err = 0, failed = -1;

	(void)cls;
	if (!dir)
		return;
	for (int i = 0; i < HL_MAP_COUNT; i++) {
		if (!(mask & (1 << i)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		unlink(path);
		if (bpf_obj_pin(h->map_fd[i], path)) {
			err = errno;
			failed = i;
			break;
		}
	}
	(*env)->ReleaseStringUTFChars(env, pinDir, dir);
	if (err) {
		char what[128];
		snprintf(what, sizeof(what), "pinning the larger %s", map_names[failed]);
		hl_throw(env, what, err);
	}
}

/* The max_entries of each map pinned under pinDir (0 where there is no pin, or it cannot be read). */
EXPORT JNIEXPORT jintArray JNICALL Java_dev_hotline_bpf_Native_pinnedSizes(JNIEnv *env, jclass cls, jstring pinDir)
{
	jint sizes[HL_MAP_COUNT] = {0};
	const char *dir = (*env)->GetStringUTFChars(env, pinDir, NULL);

	(void)cls;
	if (!dir)
		return NULL;
	for (int i = 0; i < HL_MAP_COUNT; i++) {
		char path[512];
		struct bpf_map_info info;
		__u32 len = sizeof(info);

		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		int fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			sizes[i] = (jint)info.max_entries;
		close(fd);
	}
	(*env)->ReleaseStringUTFChars(env, pinDir, dir);
	jintArray out = (*env)->NewIntArray(env, HL_MAP_COUNT);
	if (out)
		(*env)->SetIntArrayRegion(env, out, 0, HL_MAP_COUNT, sizes);
	return out;
}

EXPORT JNIEXPORT void JNICALL Java_dev_hotline_bpf_Native_close(JNIEnv *env, jclass cls, jlong handle)
{
	struct hl_handle *h = hl_handle_of(handle);

	(void)env;
	(void)cls;
	if (!h)
		return;
	for (int i = 0; i < HL_MAP_COUNT; i++)
		if (h->mem[i])
			munmap(h->mem[i], h->mem_size[i]);
	if (h->owns_fds) {
		for (int i = 0; i < HL_MAP_COUNT; i++)
			if (h->map_fd[i] >= 0)
				close(h->map_fd[i]);
	}
	bpf_object__close(h->obj);
	free(h);
}

/*
 * The maps pinned under pinDir, opened for reading and nothing else: no program is loaded, no
 * config written (what `hotline status` reads while an agent runs). Maps not pinned have fd -1.
 */
EXPORT JNIEXPORT jlong JNICALL Java_dev_hotline_bpf_Native_openPinned(JNIEnv *env, jclass cls, jstring pinDir)
{
	const char *dir = (*env)->GetStringUTFChars(env, pinDir, NULL);
	struct hl_handle *h;

	(void)cls;
	if (!dir)
		return 0;
	h = calloc(1, sizeof(*h));
	if (!h) {
		(*env)->ReleaseStringUTFChars(env, pinDir, dir);
		hl_throw(env, "openPinned: out of memory", ENOMEM);
		return 0;
	}
	h->owns_fds = 1;
	h->prog_fd = -1;
	for (int i = 0; i < HL_SOCK_PROG_COUNT; i++)
		h->sock_prog_fd[i] = -1;
	for (int i = 0; i < HL_MAP_COUNT; i++) {
		char path[512];
		struct bpf_map_info info;
		__u32 len = sizeof(info);

		snprintf(path, sizeof(path), "%s/%s", dir, map_names[i]);
		h->map_fd[i] = bpf_obj_get(path);
		if (h->map_fd[i] < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(h->map_fd[i], &info, &len)) {
			close(h->map_fd[i]);
			h->map_fd[i] = -1;
			continue;
		}
		h->key_size[i] = info.key_size;
		h->value_size[i] = info.value_size;
		h->percpu[i] = info.type == BPF_MAP_TYPE_PERCPU_ARRAY || info.type == BPF_MAP_TYPE_PERCPU_HASH ||
			       info.type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
	}
	(*env)->ReleaseStringUTFChars(env, pinDir, dir);
	return (jlong)(intptr_t)h;
}

/* Unlinks dir/name for each of the n names. */
static void unlink_all(const char *dir, const char *const *names, int n)
{
	char path[512];

	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
}

/* Removes the pins of every map under the directory, keeping the socket-level links (their programs serve on). */
EXPORT JNIEXPORT void JNICALL Java_dev_hotline_bpf_Native_unpinMaps(JNIEnv *env, jclass cls, jstring pinDir)
{
	const char *dir = (*env)->GetStringUTFChars(env, pinDir, NULL);

	(void)cls;
	if (!dir)
		return;
	unlink_all(dir, map_names, HL_MAP_COUNT);
	(*env)->ReleaseStringUTFChars(env, pinDir, dir);
}

/* Removes the pins of every map and link under the directory (and the directory when it is then empty). */
EXPORT JNIEXPORT void JNICALL Java_dev_hotline_bpf_Native_unpin(JNIEnv *env, jclass cls, jstring pinDir)
{
	static const char *links[HL_SOCK_PROG_COUNT] = HL_SOCK_LINK_NAMES;
	const char *dir = (*env)->GetStringUTFChars(env, pinDir, NULL);

	(void)cls;
	if (!dir)
		return;
	unlink_all(dir, map_names, HL_MAP_COUNT);
	/* a pinned link is an attachment: without its pin (and no agent holding it) it detaches */
	unlink_all(dir, links, HL_SOCK_PROG_COUNT);
	rmdir(dir);
	(*env)->ReleaseStringUTFChars(env, pinDir, dir);
}

/* The numbers Java's Abi class must agree with, in the order Abi.layout() lists them. */
EXPORT JNIEXPORT jintArray JNICALL Java_dev_hotline_bpf_Native_layout(JNIEnv *env, jclass cls)
{
	(void)cls;
	jint v[] = {
		sizeof(struct hl_frontend_key), offsetof(struct hl_frontend_key, addr), offsetof(struct hl_frontend_key, port),
		offsetof(struct hl_frontend_key, proto),
		sizeof(struct hl_service), offsetof(struct hl_service, service_id), offsetof(struct hl_service, active_backends),
		offsetof(struct hl_service, table_size), offsetof(struct hl_service, table_offset), offsetof(struct hl_service, flags),
		sizeof(struct hl_backend), offsetof(struct hl_backend, addr), offsetof(struct hl_backend, port),
		offsetof(struct hl_backend, proto), offsetof(struct hl_backend, flags), offsetof(struct hl_backend, packets),
		sizeof(struct hl_ct_key), offsetof(struct hl_ct_key, saddr), offsetof(struct hl_ct_key, daddr),
		offsetof(struct hl_ct_key, sport), offsetof(struct hl_ct_key, dport), offsetof(struct hl_ct_key, proto),
		sizeof(struct hl_ct_forward), offsetof(struct hl_ct_forward, backend_id), offsetof(struct hl_ct_forward, service_id),
		offsetof(struct hl_ct_forward, backend_addr), offsetof(struct hl_ct_forward, snat_addr),
		offsetof(struct hl_ct_forward, backend_port), offsetof(struct hl_ct_forward, snat_port),
		offsetof(struct hl_ct_forward, flags), offsetof(struct hl_ct_forward, expires),
		sizeof(struct hl_ct_reverse),
		sizeof(struct hl_config), offsetof(struct hl_config, flags), offsetof(struct hl_config, snat_port_min),
		offsetof(struct hl_config, snat_port_max), offsetof(struct hl_config, abi_version),
		offsetof(struct hl_config, tcp_established_ns),
		offsetof(struct hl_config, tcp_opening_ns), offsetof(struct hl_config, tcp_closing_ns), offsetof(struct hl_config, udp_ns),
		HL_VERDICT_MAX, HL_REASON_MAX, HL_STAT_MAX, HL_MAP_COUNT,
		HL_SVC_NODE_PORT, HL_SVC_LOCAL_SCOPE, HL_BACKEND_LOCAL, HL_CFG_CLOCK_FROM_SKB,
		HL_CT_SNAT, HL_CT_SEEN_REPLY, HL_CT_FIN_FWD, HL_CT_FIN_REV, HL_CT_RST,
		(jint)HL_HASH_SEED, (jint)HL_SNAT_SEED, HL_SNAT_TRIES, HL_TC_HANDLE, HL_TC_PRIORITY, HL_ABI_VERSION,
		sizeof(struct hl_frag_key), sizeof(struct hl_frag_ports),
		offsetof(struct hl_config, hairpin_addr), offsetof(struct hl_config, notrack_mark), HL_CFG_REDIRECT,
		sizeof(struct hl_sock_key), sizeof(struct hl_sock_frontend), HL_IF_VETH, HL_FWD_MAX, (jint)HL_SOCK_SEED,
		offsetof(struct hl_config, host_netns_cookie), offsetof(struct hl_config, service_id_cursor),
		offsetof(struct hl_config, backend_id_cursor),
		offsetof(struct hl_frontend_key, scope), offsetof(struct hl_service, affinity_timeout),
		offsetof(struct hl_config, node_addr), HL_SCOPE_INTERNAL, HL_SVC_DROP_EMPTY, HL_SVC_INTERNAL_VIEW,
		HL_SVC_SOURCE_RANGES, HL_SVC_SNAT_NODE, HL_CLUSTER_SOURCES,
		sizeof(struct hl_source_range_key), sizeof(struct hl_affinity_key), sizeof(struct hl_affinity),
		offsetof(struct hl_affinity, last_used), sizeof(struct hl_affinity_match_key),
	};
	jsize n = sizeof(v) / sizeof(v[0]);
	jintArray out = (*env)->NewIntArray(env, n);
	if (out)
		(*env)->SetIntArrayRegion(env, out, 0, n, v);
	return out;
}

/* hl_flow_hash as C computes it, so a test can hold Java's FlowHash to it. */
EXPORT JNIEXPORT jint JNICALL Java_dev_hotline_bpf_Native_flowHash(JNIEnv *env, jclass cls, jint saddr, jint daddr,
								    jint sport, jint dport, jint proto)
{
	(void)env;
	(void)cls;
	return (jint)hl_flow_hash((__u32)saddr, (__u32)daddr, (__u16)sport, (__u16)dport, (__u8)proto);
}

/*
 * Loads an object that has one program and no maps of ours (the empty floor program of the
 * benchmarks) and returns a handle usable with testRun.
 */
EXPORT JNIEXPORT jlong JNICALL Java_dev_hotline_bpf_Native_openProgramOnly(JNIEnv *env, jclass cls, jbyteArray elf)
{
	void *copy;

	(void)cls;
	hl_log_begin();
	struct bpf_object *obj = open_object(env, elf, &copy);
	if (!obj)
		return 0;
	int err = bpf_object__load(obj);
	free(copy);
	if (err) {
		bpf_object__close(obj);
		hl_throw(env, "bpf_object__load (kernel verifier)", err);
		return 0;
	}
	struct hl_handle *h = calloc(1, sizeof(*h));
	if (!h) {
		bpf_object__close(obj);
		hl_throw(env, "open: out of memory", ENOMEM);
		return 0;
	}
	h->obj = obj;
	struct bpf_program *prog = bpf_object__next_program(obj, NULL);
	h->prog_fd = prog ? bpf_program__fd(prog) : -1;
	for (int i = 0; i < HL_SOCK_PROG_COUNT; i++)
		h->sock_prog_fd[i] = -1;
	for (int i = 0; i < HL_MAP_COUNT; i++)
		h->map_fd[i] = -1;
	return (jlong)(intptr_t)h;
}
