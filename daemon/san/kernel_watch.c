// SPDX-License-Identifier: GPL-2.0
/*
 * The watcher: a thread that notices bootsan.ko appear, disappear or come
 * back empty after a reload, and then reconciles (kernel.c). Everything
 * else reconciles when the store changes; only the module's own coming
 * and going needs someone looking.
 */
#include <stdint.h>
#include <unistd.h>

#include "kernel_nl.h"
#include "kside.h"
#include "store/store.h"

/* How often the watcher looks for a reloaded or returning module. */
#define WATCH_INTERVAL_S	2

/*
 * Watch for the module: when it appears (or reappears after an rmmod, with
 * nothing configured) the next pass finds it out of sync and reconciles.
 */
static void *watcher(void *arg)
{
	struct bsd *d = arg;
	struct kside *k = ks(d);
	bool was_available = false;

	for (;;) {
		struct ks_state have;
		bool available, empty = false;

		pthread_mutex_lock(&k->lock);
		if (k->stop) {
			pthread_mutex_unlock(&k->lock);
			break;
		}
		available = knl_available();
		if (available && was_available && k->in_sync && !knl_dump(&have)) {
			/* A reloaded module comes back empty. */
			empty = have.ntargets == 0 && have.nportals == 0;
			ks_state_free(&have);
		}
		if (available && (!was_available || !k->in_sync || empty)) {
			int64_t portals = 0;

			store_count(d->store, STORE_T_PORTALS, &portals);
			if (!empty || portals)
				kernel_reconcile_locked(d);
		}
		was_available = available;
		pthread_mutex_unlock(&k->lock);
		for (int i = 0; i < WATCH_INTERVAL_S * 10 && !k->stop; i++)
			usleep(100 * 1000);
	}
	return NULL;
}

void kernel_watch_start(struct bsd *d)
{
	struct kside *k = ks(d);

	if (!pthread_create(&k->watcher, NULL, watcher, d))
		k->watching = true;
}

void kernel_watch_stop(struct bsd *d)
{
	struct kside *k = ks(d);

	pthread_mutex_lock(&k->lock);
	k->stop = true;
	pthread_mutex_unlock(&k->lock);
	if (k->watching)
		pthread_join(k->watcher, NULL);
	k->watching = false;
}
