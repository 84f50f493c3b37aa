/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel side's shared state, between kernel.c (reconcile) and
 * kernel_watch.c (the thread that notices the module come and go). Not for
 * use outside san/: the rest of the daemon goes through kernel.h.
 */
#ifndef BOOTSAND_KSIDE_H
#define BOOTSAND_KSIDE_H

#include <pthread.h>
#include <stdbool.h>

#include "lib/bootsand.h"

struct kside {
	pthread_mutex_t lock;		/* one change or reconcile at a time */
	pthread_t watcher;
	bool watching;
	bool stop;			/* under lock: the watcher ends */
	bool in_sync;			/* last reconcile succeeded */
	unsigned int reconciles;
	char last_error[512];
	char withheld[65];		/* under lock: an image whose LUNs stay out */
};

static inline struct kside *ks(struct bsd *d)
{
	return d->kernel;
}

/* With ks(d)->lock held: make the kernel match the store. 0 or -errno. */
int kernel_reconcile_locked(struct bsd *d);

/* Start the watcher thread (not fatal if it cannot start); stop and join it. */
void kernel_watch_start(struct bsd *d);
void kernel_watch_stop(struct bsd *d);

#endif /* BOOTSAND_KSIDE_H */
