// SPDX-License-Identifier: GPL-2.0
/* Where an image's file is and what it holds; see image_file.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "image_file.h"
#include "lib/bootsand.h"
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
