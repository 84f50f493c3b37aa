// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's writes of several rows are all or nothing: forgetting a
 * client (its targets and its record), deleting a missing image (its LUNs
 * and its record) and abandoning a half-made clone (the LUNs on it and its
 * record). A trigger made in the database from outside refuses one of the
 * rows; none of the others may be gone afterwards. TAP on stdout.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "boot/enroll.h"
#include "core.h"
#include "lib/bootsand.h"
#include "lib/log.h"
#include "san/images.h"
#include "store/store.h"
#include "tap.h"

static char dir[] = "/tmp/bootsand-atomic-test.XXXXXX";
static char db_path[PATH_MAX];

/* @sql on a connection of its own, as another program would. */
static int outside(const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;
	int rc;

	if (sqlite3_open(db_path, &db) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(db, 5000);
	rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		printf("# %s: %s\n", sql, msg ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static const char *T = "iqn.2026-01.org.test:pc1";

static bool target_there(struct bsd *d, const char *iqn)
{
	struct store_target t;

	return !store_target_get(d->store, iqn, &t);
}

static bool lun_there(struct bsd *d, const char *iqn, uint32_t lun)
{
	struct store_lun l;

	return !store_lun_get(d->store, iqn, lun, &l);
}

static bool image_there(struct bsd *d, const char *name)
{
	struct store_image im;

	return !store_image_get(d->store, name, &im);
}

static void add_lun(struct bsd *d, const char *iqn, uint32_t lun, const char *image)
{
	struct store_lun l = { .lun = lun, .backend = "fileio", .block_size = 512 };

	snprintf(l.target, sizeof(l.target), "%s", iqn);
	snprintf(l.image, sizeof(l.image), "%s", image);
	if (store_lun_create(d->store, &l))
		printf("# LUN %u of %s on %s not made\n", lun, iqn, image);
}

/* A client the way enrollment leaves it: a target "disk of" it, its LUN and ACL. */
static void test_forget_client(struct bsd *d)
{
	struct store_client c = { .name = "pc1", .macs = "[]", .labels = "{}",
				  .state = "active", .image = "disk1", .origin = "provision" };
	struct store_target t = { .auth = "none", .alias = "disk of pc1" };
	struct store_acl a = { .initiator = "iqn.2026-01.org.test:init-pc1" };
	struct store_image im;

	snprintf(t.iqn, sizeof(t.iqn), "%s", T);
	snprintf(a.target, sizeof(a.target), "%s", T);
	ok(!image_create(d, "disk1", 1 << 20, &im) && !store_client_create(d->store, &c) &&
	   !store_target_create(d->store, &t) && !store_acl_create(d->store, &a),
	   "forget: a provisioned client with its target");
	add_lun(d, T, 0, "disk1");
	ok(!outside("CREATE TRIGGER keep_pc1 BEFORE DELETE ON clients WHEN old.name = 'pc1' "
		    "BEGIN SELECT RAISE(ABORT, 'injected'); END"),
	   "forget: the client's record cannot be deleted");
	ok(d->forget_client(d, "pc1") != 0, "forget: so forgetting it fails");
	ok(target_there(d, T) && lun_there(d, T, 0),
	   "forget: and its target and LUN are still there");
	ok(!outside("DROP TRIGGER keep_pc1"), "forget: the record can be deleted again");
	is_int(d->forget_client(d, "pc1"), 0, "forget: forgetting it succeeds");
	ok(!target_there(d, T) && !lun_there(d, T, 0), "forget: its target is gone with it");
	is_int(image_delete(d, "disk1"), 0, "forget: its image can go");
}

/* A missing image with two LUNs, the second of which cannot be deleted. */
static void test_missing_image(struct bsd *d)
{
	struct store_target t = { .auth = "none" };
	struct store_image im;
	char path[PATH_MAX + 16];

	snprintf(t.iqn, sizeof(t.iqn), "%s", T);
	ok(!image_create(d, "gone", 1 << 20, &im) && !store_target_create(d->store, &t),
	   "missing: an image and a target");
	add_lun(d, T, 0, "gone");
	add_lun(d, T, 1, "gone");
	snprintf(path, sizeof(path), "%s/gone.img", d->images_dir);
	unlink(path);
	ok(!outside("CREATE TRIGGER keep_lun1 BEFORE DELETE ON luns WHEN old.lun = 1 "
		    "BEGIN SELECT RAISE(ABORT, 'injected'); END"),
	   "missing: its second LUN cannot be deleted");
	ok(image_delete(d, "gone") != 0, "missing: so deleting the image fails");
	ok(image_there(d, "gone") && lun_there(d, T, 0) && lun_there(d, T, 1),
	   "missing: and the image and both its LUNs are still there");
	ok(!outside("DROP TRIGGER keep_lun1"), "missing: the LUN can be deleted again");
	is_int(image_delete(d, "gone"), 0, "missing: deleting the image succeeds");
	ok(!image_there(d, "gone") && !lun_there(d, T, 0) && !lun_there(d, T, 1),
	   "missing: with both its LUNs");
	store_target_delete(d->store, T);
}

/* A clone a restart interrupted, with a LUN on it, whose record cannot go. */
static void test_abandon(struct bsd *d)
{
	struct store_image im = { .name = "half", .size_bytes = 1 << 20, .state = "cloning" };
	struct store_target t = { .auth = "none" };

	snprintf(t.iqn, sizeof(t.iqn), "%s", T);
	ok(!store_image_create(d->store, &im) && !store_target_create(d->store, &t),
	   "abandon: a half-made image and a target");
	add_lun(d, T, 0, "half");
	ok(!outside("CREATE TRIGGER keep_half BEFORE DELETE ON images WHEN old.name = 'half' "
		    "BEGIN SELECT RAISE(ABORT, 'injected'); END"),
	   "abandon: the image's record cannot be deleted");
	images_recover(d);
	ok(image_there(d, "half") && lun_there(d, T, 0),
	   "abandon: a start leaves the image's record and its LUN both");
	ok(!outside("DROP TRIGGER keep_half"), "abandon: the record can be deleted again");
	images_recover(d);
	ok(!image_there(d, "half") && !lun_there(d, T, 0),
	   "abandon: the next start removes both");
	store_target_delete(d->store, T);
}

int main(void)
{
	static struct bsd d;
	char err[256], p[PATH_MAX + 8];

	tap_start();
	log_set_level(LOG_LVL_ERROR);
	if (!mkdtemp(dir))
		return 1;
	bsd_init(&d);
	snprintf(d.images_dir, sizeof(d.images_dir), "%s", dir);
	snprintf(db_path, sizeof(db_path), "%s/test.db", dir);
	d.store = store_open(db_path, err, sizeof(err));
	ok(d.store, "a store (%s)", d.store ? "" : err);
	if (!d.store)
		return tap_end();
	test_forget_client(&d);
	test_missing_image(&d);
	test_abandon(&d);
	store_close(d.store);
	for (const char *sfx = ""; sfx; sfx = !*sfx ? "-wal" : !strcmp(sfx, "-wal") ? "-shm" : NULL) {
		snprintf(p, sizeof(p), "%s%s", db_path, sfx);
		unlink(p);
	}
	rmdir(dir);
	return tap_end();
}
