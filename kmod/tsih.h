/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Target Session Identifying Handles (RFC 7143 11.13.4): 16 bits, 0
 * reserved, unique among the sessions that exist. Handed out round robin
 * from a bitmap, so a handle freed is not given again at once; when all
 * 65535 are taken, allocation fails (the login is refused with "out of
 * resources") instead of searching for ever. A pure structure with no
 * locking of its own (session.c holds bootsan_session_mutex), also built
 * on the host for unit tests.
 */
#ifndef BOOTSAN_TSIH_H
#define BOOTSAN_TSIH_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "host_shim.h"
#endif

#define TSIH_COUNT	65536

struct tsih_map {
	u64 used[TSIH_COUNT / 64];	/* bit n: handle n is taken; 0 always is */
	u32 nr_used;			/* taken, not counting 0 */
	u16 next;			/* where the next search starts */
};

/* A map with every handle free, for a static definition. */
#define TSIH_MAP_INIT	{ .used = { 1 }, .nr_used = 0, .next = 1 }

void bootsan_tsih_init(struct tsih_map *m);
/* A free handle, now taken; 0 when all 65535 are taken. */
u16 bootsan_tsih_alloc(struct tsih_map *m);
/* Give back handle @tsih (0, or one not taken, is ignored). */
void bootsan_tsih_free(struct tsih_map *m, u16 tsih);

#endif /* BOOTSAN_TSIH_H */
