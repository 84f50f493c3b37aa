/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Disk images: sparse files <state-dir>/images/<name>.img, recorded in the
 * store. Clones run as jobs on worker threads: FICLONE (reflink) when the
 * file system can, else a sparse-aware copy (SEEK_DATA/SEEK_HOLE, zero
 * blocks skipped), with progress in the jobs table.
 *
 * Errors are -errno: -EINVAL (bad name or size), -EEXIST, -ENOENT, -EBUSY
 * (used by a LUN, or a clone still running), -ENOSPC, other I/O errors.
 */
#ifndef BOOTSAND_IMAGES_H
#define BOOTSAND_IMAGES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image_file.h"

struct bsd;

/*
 * For san/ only: held by whatever changes an image's row and files
 * together (here and overlays.h), from its first look at the row to the
 * last change of either. Taken before the kernel lock.
 */
extern pthread_mutex_t image_names_lock;

/*
 * A new sparse image, its record in *out. -EFBIG when @size is more than
 * the file system of the images takes.
 */
struct store_image;
int image_create(struct bsd *d, const char *name, uint64_t size, struct store_image *out);
/*
 * Clones copy at most this many at once (each one reads and writes a whole
 * disk); the others wait in state "queued", in the order they came.
 */
#define IMAGE_CLONES_MAX 2

/* Queue a clone of @from into new image @name; the job's id in *job.
 * -ENODATA when @from is missing. An overlay's clone is an ordinary image
 * of what the overlay holds. */
int image_clone_start(struct bsd *d, const char *name, const char *from, int64_t *job);
/*
 * Queue the flatten of overlay @name into an ordinary image (images/
 * <name>.img, its golden's version with its writes laid over; then the
 * delta goes): its LUNs are out of the kernel until it ends; it stays an
 * overlay if the job fails or is interrupted. -ENOENT, -EMEDIUMTYPE not
 * an overlay, -EBUSY not ready or (without @force) in use by iSCSI
 * sessions (@why says), -ENODATA a file missing.
 */
int image_flatten_start(struct bsd *d, const char *name, bool force, int64_t *job,
			char *why, size_t whylen);
/* Grow only: -EINVAL when @size is smaller than now, -ENODATA when missing,
 * -EMEDIUMTYPE an overlay, -ETXTBSY a golden its overlays use. */
int image_resize(struct bsd *d, const char *name, uint64_t size);
int image_delete(struct bsd *d, const char *name);

/*
 * At start: fail the jobs an earlier run left unfinished, undo the
 * flattens among them (overlays.h for the rest of overlays' recovery) and
 * remove their half-made images, with the clients provisioned onto them (and their
 * targets) and any LUN using them, so the next boot provisions again. A
 * clone that fails or is stopped cleans up the same way.
 */
void images_recover(struct bsd *d);
/* At stop: ask running jobs to stop and wait for them. */
void images_stop_jobs(struct bsd *d);

/*
 * Copy @size bytes of @src into @dst (both open; dst gets truncated to
 * @size), keeping holes. @progress (may be NULL) is called with the bytes
 * done so far; a non-zero return stops the copy with -ECANCELED. Used
 * when FICLONE is not possible; exposed for the tests.
 */
int image_sparse_copy(int src, int dst, uint64_t size,
		      int (*progress)(uint64_t done, void *arg), void *arg);

#endif /* BOOTSAND_IMAGES_H */
