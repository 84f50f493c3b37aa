// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the sparse-aware image copy. TAP on stdout. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "lib/bootsand.h"
#include "san/images.h"
#include "san/kernel.h"
#include "san/kstate.h"
#include "lib/log.h"
#include "store/store.h"
#include "tap.h"

/*
 * Out of space: only a thin image (not fully allocated) on a file system
 * with less than IMAGE_SPACE_LOW free, and only when both were measured.
 */
static void test_out_of_space(const char *dir)
{
	static struct bsd d;
	const uint64_t g = UINT64_C(1) << 30;

	ok(image_out_of_space(g, 4096, 0), "space: thin image, nothing free: out of space");
	ok(image_out_of_space(g, 4096, IMAGE_SPACE_LOW - 1), "space: under 1 MiB free: out");
	ok(!image_out_of_space(g, 4096, IMAGE_SPACE_LOW), "space: 1 MiB free: not yet");
	ok(!image_out_of_space(g, (int64_t)g, 0), "space: a fully allocated image never is");
	ok(!image_out_of_space(g, (int64_t)g + 4096, 0), "space: nor one with more (metadata)");
	ok(!image_out_of_space(g, -ENOENT, 0), "space: unknown allocation: not reported");
	ok(!image_out_of_space(g, 4096, -EIO), "space: unknown free space: not reported");
	snprintf(d.images_dir, sizeof(d.images_dir), "%s", dir);
	ok(images_free_bytes(&d) > 0, "space: statvfs of the images' directory");
	snprintf(d.images_dir, sizeof(d.images_dir), "%s/no-such-dir", dir);
	is_int(images_free_bytes(&d), -ENOENT, "space: a missing directory: -ENOENT");
}

/*
 * An image whose file was deleted behind bootsand's back: shown as
 * missing, never exported to the kernel (its LUN is left out of what the
 * kernel should have, the other LUNs stay), and deleted with the LUNs on it.
 */
static void test_missing(const char *dir)
{
	static struct bsd d;
	struct store_image im;
	struct store_target t = { .iqn = "iqn.2026-01.org.test:t", .auth = "none" };
	struct store_lun l0 = { .target = "iqn.2026-01.org.test:t", .lun = 0, .image = "here",
				.backend = "fileio", .block_size = 512 };
	struct store_lun l1 = l0;
	struct ks_state want;
	char path[PATH_MAX + 16], err[256];
	int64_t luns = -1;

	snprintf(path, sizeof(path), "%s/test.db", dir);
	d.store = store_open(path, err, sizeof(err));
	ok(d.store, "missing: a store (%s)", d.store ? "" : err);
	if (!d.store)
		return;
	snprintf(d.images_dir, sizeof(d.images_dir), "%s", dir);
	is_int(image_create(&d, "here", 1 << 20, &im), 0, "missing: an image");
	is_int(image_create(&d, "gone", 1 << 20, &im), 0, "missing: another");
	l1.lun = 1;
	snprintf(l1.image, sizeof(l1.image), "gone");
	ok(!store_target_create(d.store, &t) && !store_lun_create(d.store, &l0) &&
	   !store_lun_create(d.store, &l1), "missing: a target with a LUN on each");
	snprintf(path, sizeof(path), "%s/gone.img", dir);
	unlink(path);
	ok(!store_image_get(d.store, "here", &im) && !strcmp(image_state(&d, &im), "ready"),
	   "missing: an image with its file is ready");
	ok(!store_image_get(d.store, "gone", &im) && !strcmp(image_state(&d, &im), "missing"),
	   "missing: one without is missing");
	ok(!store_image_get(d.store, "here", &im) && !image_missing(&d, &im) &&
	   !store_image_get(d.store, "gone", &im) && image_missing(&d, &im),
	   "missing: image_missing()");
	ok(!kernel_want(&d, &want), "missing: what the kernel should have");
	ok(want.ntargets == 1 && want.targets[0].nluns == 2 && !want.targets[0].luns[0].missing &&
	   want.targets[0].luns[1].missing, "missing: the target with the missing image's LUN "
	   "marked not to be exported, the other not (%zu LUNs)",
	   want.ntargets ? want.targets[0].nluns : 0);
	ks_state_free(&want);
	is_int(image_delete(&d, "gone"), 0, "missing: its delete succeeds despite its LUN");
	ok(store_image_get(d.store, "gone", &im) == -ENOENT, "missing: its row is gone");
	ok(!store_image_lun_count(d.store, "here", &luns) && luns == 1 &&
	   store_lun_get(d.store, t.iqn, 1, &l1) == -ENOENT, "missing: with its LUN only");
	is_int(image_delete(&d, "here"), -EBUSY, "missing: an image that is there keeps its LUN");
	store_close(d.store);
	snprintf(path, sizeof(path), "%s/here.img", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/test.db", dir);
	unlink(path);
	strcat(path, "-wal");
	unlink(path);
	path[strlen(path) - 4] = '\0';
	strcat(path, "-shm");
	unlink(path);
}

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
	test_missing(dir);
	test_out_of_space(dir);
	rmdir(dir);
	return tap_end();
}
