/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel side of bootsand: reconciling the store with bootsan.ko over
 * generic netlink (nl.h), at start, from a watcher thread when the module
 * (re)appears, and after every change.
 *
 * Call order: kernel_start() once the store is open and before HTTP
 * starts; kernel_stop() after HTTP has stopped. kernel_sync() runs on HTTP
 * or job threads after the store has changed; its errors are logged, never
 * fatal (the store is the truth, the next reconcile repairs).
 */
#ifndef BOOTSAND_KERNEL_H
#define BOOTSAND_KERNEL_H

#include <jansson.h>

struct bsd;

/* Connect and reconcile. 0 also when the module is absent (never fatal
 * for that); -errno only for what must stop the daemon. */
int kernel_start(struct bsd *d);
void kernel_stop(struct bsd *d);

/* {"available": false, "error": "..."} or what the kernel side reports. */
json_t *kernel_status(struct bsd *d);

/*
 * What the kernel should have, from the store (also for tests): a LUN on
 * a missing image is marked so (struct ks_lun: never created), with a log
 * line; one on an overlay being flattened is left out. 0 or -errno.
 */
struct ks_state;
int kernel_want(struct bsd *d, struct ks_state *want);

/* Make the kernel match the store now (after the store changed). 0 or -errno. */
int kernel_sync(struct bsd *d);

/*
 * For a change that must be refused when the kernel refuses it: under
 * kernel_lock(), write the store, kernel_apply_locked() (0 or -errno),
 * and on failure undo the write and apply again; kernel_last_error() says
 * what the kernel refused.
 */
void kernel_lock(struct bsd *d);
void kernel_unlock(struct bsd *d);
int kernel_apply_locked(struct bsd *d);
const char *kernel_last_error(struct bsd *d);
/*
 * Under kernel_lock(): the LUNs on image @image are taken out of the
 * kernel (their sessions' commands fail) and kept out of every reconcile
 * until this is called again with NULL, which puts them back. An
 * overlay's delta is replaced so (a reset): no LUN may go on serving the
 * old file. 0 or -errno.
 */
int kernel_withhold_locked(struct bsd *d, const char *image);

#endif /* BOOTSAND_KERNEL_H */
