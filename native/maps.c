// SPDX-License-Identifier: GPL-2.0
/*
 * Map writes and reads in batches: Java fills direct buffers with packed keys and values (laid
 * out as hotline_abi.h says) and makes one JNI call per batch, not per entry.
 */
#include <errno.h>
#include <unistd.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jni_util.h"

static const char *map_names[HL_MAP_COUNT] = HL_MAP_NAMES;

static int check_map(JNIEnv *env, struct hl_handle *h, jint map)
{
	if (!h || map < 0 || map >= HL_MAP_COUNT) {
		hl_throw_arg(env, "no such map");
		return -1;
	}
	if (h->map_fd[map] < 0) {
		char what[96];
		snprintf(what, sizeof(what), "%s is not pinned there", map_names[map]);
		hl_throw_arg(env, what);
		return -1;
	}
	return 0;
}

/* The address of a direct buffer that holds at least need bytes, or NULL (with the exception thrown). */
static char *direct(JNIEnv *env, jobject buffer, jlong need, const char *what)
{
	char *p = buffer ? (*env)->GetDirectBufferAddress(env, buffer) : NULL;

	if (!p || need < 0 || (*env)->GetDirectBufferCapacity(env, buffer) < need) {
		hl_throw_arg(env, what);
		return NULL;
	}
	return p;
}

EXPORT JNIEXPORT void JNICALL Java_dev_hotline_bpf_Native_update(JNIEnv *env, jclass cls, jlong handle, jint map,
								  jobject keys, jobject values, jint count)
{
	struct hl_handle *h = hl_handle_of(handle);
	char what[128];

	(void)cls;
	if (check_map(env, h, map))
		return;
	__u32 ks = h->key_size[map], vs = h->value_size[map];
	char *k = direct(env, keys, (jlong)count * ks, "update: key buffer smaller than count entries");
	char *v = k ? direct(env, values, (jlong)count * vs, "update: value buffer smaller than count entries") : NULL;
	if (!v)
		return;
	/* one syscall for the whole batch where the kernel has it (5.6+), entry by entry otherwise */
	if (count > 1) {
		__u32 n = (__u32)count;
		LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_ANY);
		if (bpf_map_update_batch(h->map_fd[map], k, v, &n, &opts) == 0 && n == (__u32)count)
			return;
	}
	for (jint i = 0; i < count; i++) {
		if (bpf_map_update_elem(h->map_fd[map], k + (size_t)i * ks, v + (size_t)i * vs, BPF_ANY)) {
			int err = errno;
			snprintf(what, sizeof(what), "updating %s (entry %d of %d)", map_names[map], i, count);
			hl_throw(env, what, err);
			return;
		}
	}
}

EXPORT JNIEXPORT void JNICALL Java_dev_hotline_bpf_Native_delete(JNIEnv *env, jclass cls, jlong handle, jint map,
								  jobject keys, jint count)
{
	struct hl_handle *h = hl_handle_of(handle);
	char what[128];

	(void)cls;
	if (check_map(env, h, map))
		return;
	__u32 ks = h->key_size[map];
	char *k = direct(env, keys, (jlong)count * ks, "delete: buffer smaller than count keys");
	if (!k)
		return;
	for (jint i = 0; i < count; i++) {
		if (bpf_map_delete_elem(h->map_fd[map], k + (size_t)i * ks) && errno != ENOENT) {
			int err = errno;
			snprintf(what, sizeof(what), "deleting from %s (entry %d of %d)", map_names[map], i, count);
			hl_throw(env, what, err);
			return;
		}
	}
}

/* Deletes one key; true when this call removed it (false: it was not there). */
EXPORT JNIEXPORT jboolean JNICALL Java_dev_hotline_bpf_Native_remove(JNIEnv *env, jclass cls, jlong handle, jint map,
								      jobject key)
{
	struct hl_handle *h = hl_handle_of(handle);

	(void)cls;
	if (check_map(env, h, map))
		return JNI_FALSE;
	char *k = direct(env, key, h->key_size[map], "remove: key buffer too small");
	if (!k)
		return JNI_FALSE;
	if (bpf_map_delete_elem(h->map_fd[map], k) == 0)
		return JNI_TRUE;
	if (errno != ENOENT)
		hl_throw(env, "deleting one entry", errno);
	return JNI_FALSE;
}

/*
 * Looks one key up; for per-CPU maps the value buffer receives one value per possible CPU, each
 * rounded up to 8 bytes. Returns false when the key is absent.
 */
EXPORT JNIEXPORT jboolean JNICALL Java_dev_hotline_bpf_Native_lookup(JNIEnv *env, jclass cls, jlong handle, jint map,
								      jobject key, jobject value)
{
	struct hl_handle *h = hl_handle_of(handle);
	char what[128];

	(void)cls;
	if (check_map(env, h, map))
		return JNI_FALSE;
	jlong need = h->percpu[map] ? (jlong)libbpf_num_possible_cpus() * ((h->value_size[map] + 7) / 8 * 8) : h->value_size[map];
	char *k = direct(env, key, h->key_size[map], "lookup: key buffer too small");
	char *v = k ? direct(env, value, need, "lookup: value buffer too small") : NULL;
	if (!v)
		return JNI_FALSE;
	if (bpf_map_lookup_elem(h->map_fd[map], k, v)) {
		if (errno == ENOENT)
			return JNI_FALSE;
		int err = errno;
		snprintf(what, sizeof(what), "looking up %s", map_names[map]);
		hl_throw(env, what, err);
		return JNI_FALSE;
	}
	return JNI_TRUE;
}

/* The number of entries in a map (walks its keys; for diagnostics and tests, not the packet path). */
EXPORT JNIEXPORT jlong JNICALL Java_dev_hotline_bpf_Native_count(JNIEnv *env, jclass cls, jlong handle, jint map)
{
	struct hl_handle *h = hl_handle_of(handle);
	char key[64], next[64];
	jlong n = 0;

	(void)cls;
	if (check_map(env, h, map))
		return -1;
	if (h->key_size[map] > sizeof(key)) {
		hl_throw_arg(env, "count: key too large");
		return -1;
	}
	/*
	 * A key deleted under the walk (the program, the sweeper) makes the kernel start over from the
	 * first key: the walk stops at the map's size, an answer that is then at most that.
	 */
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	jlong cap = (jlong)1 << 40;
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(h->map_fd[map], &info, &len))
		cap = info.max_entries;
	void *prev = NULL;
	while (n < cap && bpf_map_get_next_key(h->map_fd[map], prev, next) == 0) {
		n++;
		__builtin_memcpy(key, next, h->key_size[map]);
		prev = key;
	}
	return n;
}

/*
 * Copies up to max entries (keys and values, packed) into the buffers; returns how many. Used when
 * an agent restarts on pinned maps and adopts what is there; not for the packet path.
 */
EXPORT JNIEXPORT jint JNICALL Java_dev_hotline_bpf_Native_dump(JNIEnv *env, jclass cls, jlong handle, jint map,
								jobject keys, jobject values, jint max)
{
	struct hl_handle *h = hl_handle_of(handle);
	char key[64], next[64];

	(void)cls;
	if (check_map(env, h, map))
		return -1;
	__u32 ks = h->key_size[map], vs = h->value_size[map];
	if (h->percpu[map] || ks > sizeof(key)) {
		hl_throw_arg(env, "dump: per-CPU maps and large keys are not dumped");
		return -1;
	}
	char *k = direct(env, keys, (jlong)max * ks, "dump: key buffer smaller than max entries");
	char *v = k ? direct(env, values, (jlong)max * vs, "dump: value buffer smaller than max entries") : NULL;
	if (!v)
		return -1;
	jint n = 0;
	void *prev = NULL;
	while (n < max && bpf_map_get_next_key(h->map_fd[map], prev, next) == 0) {
		if (bpf_map_lookup_elem(h->map_fd[map], next, v + (size_t)n * vs) == 0) {
			__builtin_memcpy(k + (size_t)n * ks, next, ks);
			n++;
		}
		__builtin_memcpy(key, next, ks);
		prev = key;
	}
	return n;
}

/*
 * Copies every entry of a map of one generation into the same map of the next (a larger one), in
 * batches of the kernel's batch calls (5.6+), entry by entry where those are missing. Per-CPU
 * values travel whole. Returns how many entries were copied.
 */
EXPORT JNIEXPORT jlong JNICALL Java_dev_hotline_bpf_Native_copyMap(JNIEnv *env, jclass cls, jlong from, jlong to, jint map)
{
	struct hl_handle *a = hl_handle_of(from), *b = hl_handle_of(to);
	char what[128];

	(void)cls;
	if (check_map(env, a, map) || check_map(env, b, map))
		return -1;
	int cpus = a->percpu[map] ? libbpf_num_possible_cpus() : 1;
	size_t ks = a->key_size[map], vs = a->percpu[map] ? ((a->value_size[map] + 7) / 8) * 8 * (size_t)cpus : a->value_size[map];
	enum { CHUNK = 4096 };
	char *keys = malloc(CHUNK * ks), *values = malloc(CHUNK * vs), *cursor = malloc(ks > 8 ? ks : 8);
	jlong copied = 0;
	int err = 0;
	if (!keys || !values || !cursor) {
		err = ENOMEM;
		goto out;
	}
	int first = 1;
	for (;;) {
		__u32 n = CHUNK;
		LIBBPF_OPTS(bpf_map_batch_opts, opts);
		int r = bpf_map_lookup_batch(a->map_fd[map], first ? NULL : cursor, cursor, keys, values, &n, &opts);
		int done = r && errno == ENOENT;
		if (r && !done) {
			err = errno;
			break;
		}
		first = 0;
		if (n > 0) {
			__u32 m = n;
			LIBBPF_OPTS(bpf_map_batch_opts, wopts, .elem_flags = BPF_ANY);
			if (bpf_map_update_batch(b->map_fd[map], keys, values, &m, &wopts) || m != n) {
				err = errno ? errno : EIO;
				break;
			}
			copied += n;
		}
		if (done)
			break;
	}
out:
	free(keys);
	free(values);
	free(cursor);
	if (err) {
		snprintf(what, sizeof(what), "copying %s into its larger generation", map_names[map]);
		hl_throw(env, what, err);
		return -1;
	}
	return copied;
}

/*
 * A window [offset, offset + length) of a memory-mappable array map's values as a direct buffer
 * (cut to the mapping's end): value i at i * round_up(value_size, 8), as the kernel lays an array
 * out; writes are plain stores the program sees at once. Mapped once per handle and unmapped
 * when the handle is closed, so the buffer must not be used after that.
 */
EXPORT JNIEXPORT jobject JNICALL Java_dev_hotline_bpf_Native_mapMemory(JNIEnv *env, jclass cls, jlong handle, jint map,
								     jlong offset, jlong length)
{
	struct hl_handle *h = hl_handle_of(handle);
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	size_t size;
	void *mem;

	(void)cls;
	if (check_map(env, h, map))
		return NULL;
	if (!h->mem[map]) {
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(h->map_fd[map], &info, &len)) {
			hl_throw(env, "reading the map's info", errno);
			return NULL;
		}
		if (!(info.map_flags & BPF_F_MMAPABLE)) {
			hl_throw_arg(env, "the map is not memory-mappable");
			return NULL;
		}
		/* an array map keeps each value in a slot rounded up to 8 bytes */
		size = ((size_t)((info.value_size + 7) & ~7u) * info.max_entries + page - 1) / page * page;
		mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, h->map_fd[map], 0);
		if (mem == MAP_FAILED) {
			hl_throw(env, "mapping the map into memory", errno);
			return NULL;
		}
		h->mem[map] = mem;
		h->mem_size[map] = size;
	}
	/* a window of it: one Java buffer holds at most 2 GiB, the array may be larger */
	if (offset < 0 || length < 0 || (size_t)offset > h->mem_size[map]) {
		hl_throw_arg(env, "window outside the mapping");
		return NULL;
	}
	if ((size_t)length > h->mem_size[map] - (size_t)offset)
		length = (jlong)(h->mem_size[map] - (size_t)offset);
	return (*env)->NewDirectByteBuffer(env, (char *)h->mem[map] + offset, length);
}
