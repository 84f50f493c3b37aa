// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the sparse-aware image copy. TAP on stdout. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "bootsand.h"
#include "images.h"
#include "log.h"
#include "tap.h"

static int stop_at_half(uint64_t done, void *arg)
{
	return done >= *(uint64_t *)arg / 2;
}

int main(void)
{
	char dir[] = "/tmp/bootsand-images-test.XXXXXX", a[128], b[128];
	static char x[65536], y[65536];
	const uint64_t size = 64ull << 20;
	struct stat sa, sb;
	int src, dst, same = 1;

	tap_start();
	log_set_level(LOG_LVL_ERROR);
	if (!mkdtemp(dir))
		return 1;
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	src = open(a, O_RDWR | O_CREAT, 0600);
	dst = open(b, O_RDWR | O_CREAT, 0600);
	ftruncate(src, (off_t)size);
	/* Data at the start, in the middle (with a zero-filled block written
	 * explicitly) and in the last bytes. */
	memset(x, 0xab, sizeof(x));
	pwrite(src, x, 4096, 0);
	pwrite(src, x, sizeof(x), 10 << 20);
	memset(y, 0, sizeof(y));
	pwrite(src, y, sizeof(y), 20 << 20);
	pwrite(src, x, 100, (off_t)size - 100);
	fsync(src);

	is_int(image_sparse_copy(src, dst, size, NULL, NULL), 0, "copy: succeeds");
	fstat(src, &sa);
	fstat(dst, &sb);
	is_int(sb.st_size, size, "copy: same size");
	ok(sb.st_blocks <= sa.st_blocks, "copy: no more blocks than the source (%lld <= %lld)",
	   (long long)sb.st_blocks, (long long)sa.st_blocks);
	ok(sb.st_blocks * 512 < (1 << 20), "copy: stays sparse (%lld bytes allocated)",
	   (long long)sb.st_blocks * 512);
	for (uint64_t off = 0; off < size; off += sizeof(x)) {
		pread(src, x, sizeof(x), (off_t)off);
		pread(dst, y, sizeof(y), (off_t)off);
		if (memcmp(x, y, sizeof(x)))
			same = 0;
	}
	ok(same, "copy: byte-identical");

	{
		uint64_t half = size;

		is_int(image_sparse_copy(src, dst, size, stop_at_half, &half), -ECANCELED,
		       "copy: a progress callback can cancel it");
	}
	ftruncate(src, 0);
	is_int(image_sparse_copy(src, dst, 0, NULL, NULL), 0, "copy: an empty file");
	close(src);
	close(dst);
	unlink(a);
	unlink(b);

	{
		/* The file system's largest file: it takes that size, not 512 more. */
		static struct bsd d;
		int64_t max;
		int fd;

		snprintf(d.images_dir, sizeof(d.images_dir), "%s", dir);
		max = image_size_limit(&d);
		ok(max > 0 && max % 512 == 0, "size limit: %lld, a multiple of 512", (long long)max);
		fd = open(a, O_RDWR | O_CREAT, 0600);
		ok(fd >= 0 && ftruncate(fd, (off_t)max) == 0, "size limit: a file of that size");
		ok(fd >= 0 && ((uint64_t)max >= IMAGE_SIZE_MAX ||
			       ftruncate(fd, (off_t)max + 512) != 0), "size limit: not one 512 more");
		if (fd >= 0)
			close(fd);
		unlink(a);
	}
	rmdir(dir);
	return tap_end();
}
