// SPDX-License-Identifier: GPL-2.0
/* Where an image's file is and what it holds; see image_file.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "image_file.h"
#include "lib/bootsand.h"
#include "lib/page_cache.h"
#include "lib/util.h"
#include "store/store.h"

bool image_size_valid(uint64_t size)
{
	return size > 0 && size % 512 == 0 && size <= IMAGE_SIZE_MAX;
}

int image_path(struct bsd *d, const char *name, char *buf, size_t size)
{
	if (!name_valid(name))
		return -EINVAL;
	if ((size_t)snprintf(buf, size, "%s/%s.img", d->images_dir, name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int overlay_delta_path(struct bsd *d, const char *name, char *buf, size_t size)
{
	if (!name_valid(name))
		return -EINVAL;
	if ((size_t)snprintf(buf, size, "%s/%s.delta", d->images_dir, name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int golden_version_path(struct bsd *d, const char *golden, uint32_t version, char *buf,
			size_t size)
{
	if (!name_valid(golden) || !version)
		return -EINVAL;
	if ((size_t)snprintf(buf, size, "%s/%s@%u.img", d->images_dir, golden, version) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int image_file_path(struct bsd *d, const struct store_image *im, char *buf, size_t size)
{
	return im->golden[0] ? overlay_delta_path(d, im->name, buf, size) :
			       image_path(d, im->name, buf, size);
}

int64_t image_allocated(struct bsd *d, const struct store_image *im)
{
	char path[PATH_MAX];
	struct stat st;
	int err = image_file_path(d, im, path, sizeof(path));

	if (err)
		return err;
	if (stat(path, &st))
		return -errno;
	return (int64_t)st.st_blocks * 512;
}

/* Add @path's cached bytes to *@sum unless its inode is one of @seen[0..*@n). */
static int add_cached(const char *path, ino_t *seen, size_t *n, int64_t *sum)
{
	struct stat st;
	int64_t c;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		c = -errno;
		close(fd);
		return (int)c;
	}
	for (size_t i = 0; i < *n; i++)
		if (seen[i] == st.st_ino) {
			close(fd);
			return 0;
		}
	seen[(*n)++] = st.st_ino;
	c = fd_cached_bytes(fd, (uint64_t)st.st_size);
	close(fd);
	if (c < 0)
		return (int)c;
	*sum += c;
	return 0;
}

static int64_t golden_cached_measure(struct bsd *d, const struct store_image *im)
{
	uint32_t versions = im->version ? im->version : 1;
	char path[PATH_MAX];
	int64_t sum = 0;
	size_t n = 0;
	int err, measured = 0, last = -ENOENT;
	ino_t *seen = calloc((size_t)versions + 1, sizeof(*seen));

	if (!seen)
		return -ENOMEM;
	err = image_path(d, im->name, path, sizeof(path)) ?: add_cached(path, seen, &n, &sum);
	measured += !err;
	last = err ?: last;
	/* Versions no overlay uses have no file any more (golden_versions_gc). */
	for (uint32_t v = 1; v <= versions; v++) {
		err = golden_version_path(d, im->name, v, path, sizeof(path)) ?:
		      add_cached(path, seen, &n, &sum);
		measured += !err;
		if (err && err != -ENOENT)
			last = err;
	}
	free(seen);
	return measured ? sum : last;
}

/*
 * The last measures, one per golden (the oldest replaced): a dashboard
 * polls the images every two seconds, and mincore of a large golden costs
 * tens of milliseconds per GiB.
 */
#define CACHED_MEMO_SECONDS 10.0
static struct {
	char name[STORE_NAME_SIZE];
	uint32_t version;
	double when;
	int64_t bytes;
} cached_memo[16];
static pthread_mutex_t cached_memo_lock = PTHREAD_MUTEX_INITIALIZER;

int64_t golden_cached_bytes(struct bsd *d, const struct store_image *im)
{
	double now = now_mono();
	size_t slot = 0;
	int64_t bytes;

	pthread_mutex_lock(&cached_memo_lock);
	for (size_t i = 0; i < ARRAY_SIZE(cached_memo); i++) {
		if (!strcmp(cached_memo[i].name, im->name)) {
			slot = i;
			break;
		}
		if (cached_memo[i].when < cached_memo[slot].when)
			slot = i;
	}
	if (!strcmp(cached_memo[slot].name, im->name) && cached_memo[slot].version == im->version &&
	    now - cached_memo[slot].when < CACHED_MEMO_SECONDS) {
		bytes = cached_memo[slot].bytes;
		pthread_mutex_unlock(&cached_memo_lock);
		return bytes;
	}
	pthread_mutex_unlock(&cached_memo_lock);
	bytes = golden_cached_measure(d, im);
	pthread_mutex_lock(&cached_memo_lock);
	str_copy(cached_memo[slot].name, sizeof(cached_memo[slot].name), im->name);
	cached_memo[slot].version = im->version;
	cached_memo[slot].when = now;
	cached_memo[slot].bytes = bytes;
	pthread_mutex_unlock(&cached_memo_lock);
	return bytes;
}

bool image_missing(struct bsd *d, const struct store_image *im)
{
	char path[PATH_MAX];
	struct stat st;

	if (image_file_path(d, im, path, sizeof(path)))
		return false;
	if (stat(path, &st))
		return errno == ENOENT;
	/* An overlay also needs its version of the golden. */
	return im->golden[0] &&
	       !golden_version_path(d, im->golden, im->golden_version, path, sizeof(path)) &&
	       stat(path, &st) && errno == ENOENT;
}

const char *image_state(struct bsd *d, const struct store_image *im)
{
	return !strcmp(im->state, "ready") && image_missing(d, im) ? "missing" : im->state;
}

int64_t image_size_limit(struct bsd *d)
{
	uint64_t lo = 0, hi = IMAGE_SIZE_MAX + 512;
	int fd = open(d->images_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	/* The largest length ftruncate() takes, in 512-byte steps: lo works, hi not. */
	while (hi - lo > 512) {
		uint64_t mid = lo + (hi - lo) / 2 / 512 * 512;

		if (ftruncate(fd, (off_t)mid) == 0)
			lo = mid;
		else
			hi = mid;
	}
	close(fd);
	return (int64_t)lo;
}

int64_t images_free_bytes(struct bsd *d)
{
	struct statvfs sv;

	if (statvfs(d->images_dir, &sv))
		return -errno;
	return (int64_t)sv.f_bfree * (int64_t)sv.f_frsize;
}

bool image_out_of_space(uint64_t size, int64_t allocated, int64_t free)
{
	return allocated >= 0 && free >= 0 && (uint64_t)allocated < size &&
	       free < IMAGE_SPACE_LOW;
}
