// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the settings cache (boot/settings_cache.c) over a real
 * store: a write is seen by the next read, and a read from a snapshot older
 * than a write is not kept. TAP on stdout.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/settings_cache.h"
#include "lib/log.h"
#include "store/store.h"
#include "tap.h"

static char dir[] = "/tmp/bootsand-settings-cache-test.XXXXXX";

struct write_arg {
	struct store *s;
	const char *value;
	int err;
};

/* A write from another thread: a thread in a read snapshot may not write. */
static void *write_setting(void *p)
{
	struct write_arg *a = p;

	a->err = settings_cache_set(a->s, "k", a->value);
	return NULL;
}

static void write_elsewhere(struct store *s, const char *value)
{
	struct write_arg a = { .s = s, .value = value };
	pthread_t t;

	pthread_create(&t, NULL, write_setting, &a);
	pthread_join(t, NULL);
	is_int(a.err, 0, "a write of %s from another thread", value);
}

static bool reads(struct store *s, const char *want)
{
	char v[64];

	return settings_cache_get(s, "k", v, sizeof(v)) == 0 && !strcmp(v, want);
}

int main(void)
{
	char path[300], err[512], v[64];
	struct store *s;

	tap_start();
	log_set_level(LOG_LVL_ERROR);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/bootsand.db", dir);
	s = store_open(path, err, sizeof(err));
	ok(s != NULL, "the store opens (%s)", s ? "" : err);
	if (!s)
		return tap_end();

	is_int(settings_cache_get(s, "k", v, sizeof(v)), -ENOENT, "an unset setting is ENOENT");
	is_int(settings_cache_get(s, "k", v, sizeof(v)), -ENOENT, "and so it stays when cached");
	is_int(settings_cache_set(s, "k", "one"), 0, "a setting is written");
	ok(reads(s, "one"), "the next read has the written value");
	ok(reads(s, "one"), "and the one after it");
	is_int(settings_cache_set(s, "k", "two"), 0, "it is written again");
	ok(reads(s, "two"), "the next read has the new value, not the cached one");
	is_int(settings_cache_delete(s, "k"), 0, "it is deleted");
	is_int(settings_cache_get(s, "k", v, sizeof(v)), -ENOENT, "the next read finds it unset");
	is_int(settings_cache_set(s, "k", "three"), 0, "it is written once more");
	is_int(settings_cache_get(s, "k", v, 3), -E2BIG, "a buffer too small is E2BIG, as the store's");

	/* A snapshot that began before a write reads the old value: not kept. */
	settings_cache_snapshot_begin();
	store_read_begin(s);
	ok(store_setting_get(s, "k", v, sizeof(v)) == 0 && !strcmp(v, "three"),
	   "a snapshot begins with the value three");
	write_elsewhere(s, "four");
	ok(reads(s, "three"), "inside the snapshot the cache reads as the snapshot does");
	store_read_end(s);
	settings_cache_snapshot_end();
	ok(reads(s, "four"), "after the snapshot the newest value, not the snapshot's kept");
	ok(reads(s, "four"), "and it stays so");

	store_close(s);
	snprintf(err, sizeof(err), "rm -rf %s", dir);
	if (system(err))
		ok(false, "the test directory is removed");
	return tap_end();
}
