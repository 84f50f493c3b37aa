/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An image's file: <state-dir>/images/<name>.img, where it is, whether it
 * is there, what it takes on disk. What the kernel side needs of images
 * (kernel.c), apart from creating, cloning, growing and deleting them
 * (images.h), which change the kernel in turn.
 */
#ifndef BOOTSAND_IMAGE_FILE_H
#define BOOTSAND_IMAGE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bsd;

/* Sizes: a positive multiple of 512 up to IMAGE_SIZE_MAX. */
#define IMAGE_SIZE_MAX (UINT64_C(1) << 50)

bool image_size_valid(uint64_t size);
/* <images_dir>/<name>.img; -ENAMETOOLONG or -EINVAL for a bad name. */
int image_path(struct bsd *d, const char *name, char *buf, size_t size);
struct store_image;
/* An overlay's delta: <images_dir>/<name>.delta. */
int overlay_delta_path(struct bsd *d, const char *name, char *buf, size_t size);
/*
 * Version @version of golden image @golden, as overlays use it:
 * <images_dir>/<golden>@<version>.img, a hard link to the golden's file
 * made when the first overlay of that version is (names have no '@').
 */
int golden_version_path(struct bsd *d, const char *golden, uint32_t version, char *buf,
			size_t size);
/* The file of image @im: image_path(), or an overlay's delta. */
int image_file_path(struct bsd *d, const struct store_image *im, char *buf, size_t size);
/* Bytes its file takes on disk (st_blocks * 512; an overlay's: what it wrote), or -errno. */
int64_t image_allocated(struct bsd *d, const struct store_image *im);
/*
 * Bytes of golden image @im's files in the page cache: its current file and
 * the versions of it overlays still use (each file once: the current
 * version's link is the same file), however many overlays read them. 0
 * when none is there; -errno when none could be measured. Measured again
 * at most every 10 seconds per golden (a dashboard polls it).
 */
int64_t golden_cached_bytes(struct bsd *d, const struct store_image *im);
/*
 * An image is "missing" when its row says ready but its file is gone
 * (deleted behind bootsand's back; for an overlay, its delta or its
 * version of the golden): it is shown so, never exported to the kernel,
 * cannot be cloned or grown (-ENODATA), and its delete also removes the
 * LUNs that use it.
 */
bool image_missing(struct bsd *d, const struct store_image *im);
/* The state the API shows: "missing" for such an image, else the row's. */
const char *image_state(struct bsd *d, const struct store_image *im);
/* The largest file the images' file system takes (a multiple of 512), or -errno. */
int64_t image_size_limit(struct bsd *d);
/*
 * Free bytes on the images' file system as root sees them (statvfs
 * f_bfree: the kernel writes the images as root, reserved blocks
 * included), or -errno.
 */
int64_t images_free_bytes(struct bsd *d);
/*
 * With less free space than this, an image that is not fully allocated
 * (thin) counts as out of space: a write to one of its holes may fail,
 * and the initiator then gets DATA PROTECT, SPACE ALLOCATION FAILED
 * WRITE PROTECT. A megabyte is a few of an initiator's largest writes.
 */
#define IMAGE_SPACE_LOW (INT64_C(1) << 20)
/*
 * Is an image of @size bytes, @allocated of them on disk (or -errno),
 * out of space with @free bytes (or -errno) left on its file system?
 * False when either is unknown: only what was measured is reported.
 */
bool image_out_of_space(uint64_t size, int64_t allocated, int64_t free);

#endif /* BOOTSAND_IMAGE_FILE_H */
