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
/* Bytes allocated on disk (st_blocks * 512), or -errno. */
int64_t image_allocated(struct bsd *d, const char *name);
/*
 * An image is "missing" when its row says ready but its file is gone
 * (deleted behind bootsand's back): it is shown so, never exported to the
 * kernel, cannot be cloned or grown (-ENODATA), and its delete also removes
 * the LUNs that use it.
 */
struct store_image;
bool image_missing(struct bsd *d, const char *name);
/* The state the API shows: "missing" for such an image, else the row's. */
const char *image_state(struct bsd *d, const struct store_image *im);
/* The largest file the images' file system takes (a multiple of 512), or -errno. */
int64_t image_size_limit(struct bsd *d);

#endif /* BOOTSAND_IMAGE_FILE_H */
