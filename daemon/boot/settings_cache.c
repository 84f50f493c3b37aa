// SPDX-License-Identifier: GPL-2.0
/* The settings as last read from the store; see settings_cache.h. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "settings_cache.h"
#include "lib/util.h"

/* More than the keys bootsand reads: a key that finds no slot is read each time. */
#define SLOTS		16
#define KEY_MAX		64
#define VALUE_MAX	4096	/* store_setting_set()'s bound */

struct slot {
	char key[KEY_MAX + 1];
	int err;			/* 0, or -ENOENT: unset */
	char value[VALUE_MAX + 1];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const struct store *cached_store;
static uint64_t generation;		/* counts the writes */
static unsigned int n_slots;
static struct slot slots[SLOTS];

/*
 * This thread's read snapshot (settings_cache_snapshot_begin()): a value
 * read inside it is as old as the snapshot, so it is kept only if no write
 * came since the snapshot began.
 */
static __thread unsigned int snapshot_depth;
static __thread uint64_t snapshot_generation;

void settings_cache_snapshot_begin(void)
{
	if (snapshot_depth++)
		return;
	pthread_mutex_lock(&lock);
	snapshot_generation = generation;
	pthread_mutex_unlock(&lock);
}

void settings_cache_snapshot_end(void)
{
	if (snapshot_depth)
		snapshot_depth--;
}

/* Under the lock: the slot of @key, or NULL. */
static struct slot *find(struct store *s, const char *key)
{
	if (cached_store != s)
		return NULL;
	for (unsigned int i = 0; i < n_slots; i++)
		if (!strcmp(slots[i].key, key))
			return &slots[i];
	return NULL;
}

/* Under the lock: keep what a read that began at generation @gen found. */
static void keep(struct store *s, uint64_t gen, const char *key, int err, const char *value)
{
	struct slot *sl;

	if (gen != generation || strlen(key) > KEY_MAX || strlen(value) > VALUE_MAX)
		return;
	if (cached_store != s) {
		cached_store = s;
		n_slots = 0;
	}
	if (find(s, key) || n_slots == SLOTS)
		return;
	sl = &slots[n_slots++];
	strcpy(sl->key, key);
	strcpy(sl->value, value);
	sl->err = err;
}

int settings_cache_get(struct store *s, const char *key, char *value, size_t size)
{
	char fresh[VALUE_MAX + 1];
	struct slot *sl;
	uint64_t gen;
	int err;

	pthread_mutex_lock(&lock);
	sl = find(s, key);
	if (sl) {
		err = sl->err ? sl->err : str_copy(value, size, sl->value);
		if (sl->err && size)
			value[0] = '\0';
		pthread_mutex_unlock(&lock);
		return err;
	}
	gen = snapshot_depth ? snapshot_generation : generation;
	pthread_mutex_unlock(&lock);

	err = store_setting_get(s, key, fresh, sizeof(fresh));
	if (err)
		fresh[0] = '\0';
	if (err && err != -ENOENT) {
		if (size)
			value[0] = '\0';
		return err;	/* not kept: the next read tries the store again */
	}
	pthread_mutex_lock(&lock);
	keep(s, gen, key, err, fresh);
	pthread_mutex_unlock(&lock);
	if (err) {
		if (size)
			value[0] = '\0';
		return err;
	}
	return str_copy(value, size, fresh);
}

/* After a write: what was read before it is gone, and reads under way are not kept. */
static int written(int err)
{
	pthread_mutex_lock(&lock);
	generation++;
	n_slots = 0;
	pthread_mutex_unlock(&lock);
	return err;
}

int settings_cache_set(struct store *s, const char *key, const char *value)
{
	return written(store_setting_set(s, key, value));
}

int settings_cache_delete(struct store *s, const char *key)
{
	return written(store_setting_delete(s, key));
}
