/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The settings as last read from the store, for what reads them on every
 * boot script (the enrollment policy, the default profile, the IQN prefix,
 * the SAN server): a storm of a thousand scripts was a thousand store reads
 * of each, and their read transactions' locks were shared by the threads
 * that render at once.
 *
 * Every write of a setting goes through settings_cache_set() or
 * settings_cache_delete(), which drop the cache once the store has the new
 * value: a read after a write that returned never sees the old value. A read
 * that raced a write is not kept (a generation count tells), so the cache
 * cannot keep a value older than the last write either. One cache per
 * process, for one store at a time (bootsand has one; a test that opens
 * another store starts with an empty cache).
 */
#ifndef BOOTSAND_SETTINGS_CACHE_H
#define BOOTSAND_SETTINGS_CACHE_H

#include <stddef.h>

#include "store/store.h"

/*
 * Around a read snapshot of the store (store_read_begin() to
 * store_read_end()) in which this thread may read settings: called before
 * it begins and after it ends, so that what it reads in there is not kept
 * when a write came after the snapshot began.
 */
void settings_cache_snapshot_begin(void);
void settings_cache_snapshot_end(void);

/* As store_setting_get(): 0, -ENOENT when unset, or another -errno. */
int settings_cache_get(struct store *s, const char *key, char *value, size_t size);
/* As store_setting_set() and store_setting_delete(), and drop the cache. */
int settings_cache_set(struct store *s, const char *key, const char *value);
int settings_cache_delete(struct store *s, const char *key);

#endif /* BOOTSAND_SETTINGS_CACHE_H */
