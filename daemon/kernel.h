/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel side of bootsand: reconciling the store with bootsan.ko over
 * generic netlink (nl.h), and the API routes that need the module (targets,
 * sessions).
 *
 * Call order: kernel_start() once the store is open and before HTTP
 * starts; kernel_add_routes() while routes are added; kernel_stop() after
 * HTTP has stopped. The notification hooks run on HTTP or job threads after
 * the store has changed; their errors are logged, never fatal (the store
 * is the truth, the next reconcile repairs).
 */
#ifndef BOOTSAND_KERNEL_H
#define BOOTSAND_KERNEL_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

struct bsd;
struct http;
struct store_portal;

/* Connect and reconcile. 0 also when the module is absent (never fatal
 * for that); -errno only for what must stop the daemon. */
int kernel_start(struct bsd *d);
void kernel_stop(struct bsd *d);

/* {"available": false, "error": "..."} or what the kernel side reports. */
json_t *kernel_status(struct bsd *d);

/* Add the routes of the kernel side (may add none). 0 or -errno. */
int kernel_add_routes(struct bsd *d, struct http *h);
/* OpenAPI "paths" entries of those routes as a JSON object text, or NULL. */
const char *kernel_openapi_paths(void);

/* Prometheus text of the kernel side (sessions, logins, LUN I/O). */
void kernel_metrics(struct bsd *d, FILE *out);

/*
 * What the kernel should have, from the store (also for tests): a LUN on
 * a missing image is marked so (struct ks_lun: never created), with a log
 * line. 0 or -errno.
 */
struct ks_state;
int kernel_want(struct bsd *d, struct ks_state *want);

/* Make the kernel match the store now (after the boot service changed it). */
int kernel_sync(struct bsd *d);

/* Hooks: the store changed. 0 or -errno. */
int kernel_portal_added(struct bsd *d, const struct store_portal *p);
int kernel_portal_removed(struct bsd *d, const struct store_portal *p);
int kernel_image_resized(struct bsd *d, const char *image, uint64_t size_bytes);

#endif /* BOOTSAND_KERNEL_H */
