/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading an overlay's delta as bootsan.ko's overlay backend does
 * (kmod/io_overlay.c): chunks of OVERLAY_CHUNK bytes, and a chunk counts as
 * written only when all of it lies in one allocated extent of the delta
 * (SEEK_DATA/SEEK_HOLE); the golden's last chunk may be short. Anything
 * else reads from the golden. Used to flatten an overlay, or clone one,
 * into an ordinary image: a copy of its golden with the written chunks
 * laid over it.
 */
#ifndef BOOTSAND_OVERLAY_MERGE_H
#define BOOTSAND_OVERLAY_MERGE_H

#include <stdint.h>

/* kmod/io_overlay.c's OVERLAY_CHUNK: the two must agree. */
#define OVERLAY_CHUNK (UINT64_C(64) * 1024)

/*
 * Write every written chunk of @delta below @size into @dst at the same
 * offset (a chunk of zeros is punched, or written where punching is not
 * possible), then fsync @dst. @dst already holds the golden. @progress
 * (may be NULL) gets the offset reached; non-zero stops with -ECANCELED.
 * 0 or -errno.
 */
int overlay_apply_delta(int delta, int dst, uint64_t size,
			int (*progress)(uint64_t done, void *arg), void *arg);

#endif /* BOOTSAND_OVERLAY_MERGE_H */
