/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The boot decision's view of bootsand (struct boot_view, boot_resolve.h):
 * the store, the enrollment settings and limits, and enrollment itself.
 */
#ifndef BOOTSAND_BOOT_VIEW_H
#define BOOTSAND_BOOT_VIEW_H

#include "boot_resolve.h"

struct bsd;

/* Context of one request's view: kept by the caller while it resolves. */
struct boot_store_view {
	struct bsd *d;
	const char *peer;	/* the machine's source address, for the rate limits */
};

/* @v over @ctx, whose fields the caller set. */
void boot_store_view(struct boot_view *v, struct boot_store_view *ctx);

#endif /* BOOTSAND_BOOT_VIEW_H */
