/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copy-on-write overlays over golden images, served by bootsan.ko's
 * overlay backend: a whole lab boots from one golden held once in the
 * page cache, each machine writing only its own delta.
 *
 * Files, all in <state-dir>/images (image names have no '@'):
 *   <golden>.img          a golden is an ordinary image; its current version
 *   <golden>@<N>.img      version N as its overlays use it: a hard link to
 *                         <golden>.img made with the first overlay of N, so
 *                         the path a kernel LUN opened never changes; it
 *                         outlives an update of the golden while overlays
 *                         of N remain, and goes with the last of them
 *   <name>.delta          an overlay's delta, a sparse file of its
 *                         version's size: its allocation is the map of the
 *                         chunks it wrote (kmod/io_overlay.c)
 *
 * Rules: a golden's version that overlays use never changes: no LUN may
 * serve it read-write (a read-only target may serve it), it cannot grow,
 * and it is deleted only after its overlays (409 naming them). An update
 * (golden_update) makes another image, prepared beside it, the golden's
 * next version: new overlays and resets get that one, existing overlays
 * keep theirs. An overlay can be reset to a fresh delta over the golden's
 * current version, or flattened (a job, images.h) into an ordinary image.
 *
 * Crash safety: every step writes its files before the row that names
 * them (fsynced, and the directory); files no row names are removed at
 * start (overlays_recover), an update cut short is finished from its
 * pending row in image_versions, a flatten cut short is undone.
 */
#ifndef BOOTSAND_OVERLAYS_H
#define BOOTSAND_OVERLAYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bsd;
struct store_image;

/*
 * A new overlay @name over the current version of @golden, at once; its
 * row in *@out. -EINVAL bad name, -EEXIST name taken, -ENOENT no golden,
 * -EBUSY golden not ready (a clone or flatten runs), -ENODATA golden's
 * file missing, -EMEDIUMTYPE golden is an overlay itself, -ETXTBSY golden
 * is served read-write by a LUN (@why says which).
 */
int overlay_create(struct bsd *d, const char *name, const char *golden,
		   struct store_image *out, char *why, size_t whylen);

/*
 * Image @from becomes the next version of @golden (its file moved, its
 * row gone); @golden's new row in *@out. -ENOENT no golden, -ENXIO no
 * @from, -EMEDIUMTYPE either is an overlay, -EBUSY either not ready or
 * served by a LUN, or @from has overlays (@why says), -ENODATA a file
 * missing, -EINVAL @from is @golden.
 */
int golden_update(struct bsd *d, const char *golden, const char *from,
		  struct store_image *out, char *why, size_t whylen);

/*
 * Overlay @name starts afresh: an empty delta over its golden's current
 * version. -ENOENT, -EMEDIUMTYPE not an overlay, -EBUSY not ready, or
 * (without @force) iSCSI sessions are logged in to a target serving it:
 * @why says which; with @force its LUNs are taken away from them.
 */
int overlay_reset(struct bsd *d, const char *name, bool force, struct store_image *out,
		  char *why, size_t whylen);

/*
 * The iSCSI sessions on the targets that serve image @name (0 when the
 * module is absent); the first such target in @target. For refusing to
 * reset or flatten a disk a machine is using.
 */
uint32_t image_sessions(struct bsd *d, const char *name, char *target, size_t size);

/*
 * The overlays of @golden (of its @version, or of any when 0), as
 * "pc1, pc2" in @out (a long list ends in "..."): their number, or -errno.
 */
int golden_users(struct bsd *d, const char *golden, uint32_t version, char *out, size_t size);
/* Do overlays use the current version of image @im? */
bool golden_in_use(struct bsd *d, const struct store_image *im);

/*
 * Remove the version files of @golden (NULL: of every image) that no
 * overlay uses. The caller holds the image names lock (images.h).
 */
void golden_versions_gc(struct bsd *d, const char *golden);

/* fsync the images' directory: a rename or link made there is durable. */
int images_dir_sync(struct bsd *d);

/*
 * At start, names lock held: finish updates cut short, and remove the
 * files no row names (deltas, version links, half-made reset deltas).
 */
void overlays_recover(struct bsd *d);

#endif /* BOOTSAND_OVERLAYS_H */
