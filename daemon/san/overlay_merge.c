// SPDX-License-Identifier: GPL-2.0
/* An overlay's written chunks onto a copy of its golden; see overlay_merge.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/falloc.h>

#include "overlay_merge.h"

#define PIECE (1024 * 1024)	/* a multiple of OVERLAY_CHUNK */

static bool all_zero(const char *b, size_t n)
{
	return !n || (!b[0] && !memcmp(b, b + 1, n - 1));
}

static int write_all(int fd, const char *buf, size_t n, uint64_t off)
{
	while (n) {
		ssize_t k = pwrite(fd, buf, n, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return k < 0 ? -errno : -EIO;
		buf += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
	return 0;
}

/* [from, to) of @delta onto @dst, piece by piece. */
static int copy_range(int delta, int dst, char *buf, uint64_t from, uint64_t to,
		      int (*progress)(uint64_t done, void *arg), void *arg)
{
	while (from < to) {
		size_t n = to - from < PIECE ? (size_t)(to - from) : PIECE;
		ssize_t got = pread(delta, buf, n, (off_t)from);
		int err;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -errno;
		if (got == 0)	/* shrunk under us: nothing more was written */
			return 0;
		n = (size_t)got;
		err = 0;
		/* Zeros the overlay wrote (an UNMAP) must hide the golden's data. */
		if (all_zero(buf, n) &&
		    fallocate(dst, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)from,
			      (off_t)n) == 0)
			err = 0;
		else
			err = write_all(dst, buf, n, from);
		if (err)
			return err;
		from += n;
		if (progress && progress(from, arg))
			return -ECANCELED;
	}
	return 0;
}

int overlay_apply_delta(int delta, int dst, uint64_t size,
			int (*progress)(uint64_t done, void *arg), void *arg)
{
	uint64_t pos = 0;
	char *buf = malloc(PIECE);
	int err = 0;

	if (!buf)
		return -ENOMEM;
	while (pos < size) {
		off_t data = lseek(delta, (off_t)pos, SEEK_DATA), hole;
		uint64_t first, last;

		if (data < 0 && errno == ENXIO)
			break;
		if (data < 0) {
			err = -errno;	/* no SEEK_DATA: the kernel refuses such a delta too */
			break;
		}
		if ((uint64_t)data >= size)
			break;
		hole = lseek(delta, data, SEEK_HOLE);
		if (hole < 0) {
			err = -errno;
			break;
		}
		if (hole <= data) {
			err = -EIO;
			break;
		}
		/* The chunks wholly in [data, hole); the last one may be short. */
		first = ((uint64_t)data + OVERLAY_CHUNK - 1) / OVERLAY_CHUNK * OVERLAY_CHUNK;
		last = (uint64_t)hole >= size ? size : (uint64_t)hole / OVERLAY_CHUNK * OVERLAY_CHUNK;
		if (last > first) {
			err = copy_range(delta, dst, buf, first, last, progress, arg);
			if (err)
				break;
		}
		pos = (uint64_t)hole;
	}
	free(buf);
	if (!err && fsync(dst))
		err = -errno;
	return err;
}
