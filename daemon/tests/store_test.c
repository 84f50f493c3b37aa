// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the store (store/): migrations, refusal of newer schemas, CRUD and
 * the schema's constraints. TAP on stdout. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "lib/log.h"
#include "store/store.h"
#include "tap.h"

static char dir[] = "/tmp/bootsand-store-test.XXXXXX";
static char path[256];

static void fresh(const char *name)
{
	char p[300];

	snprintf(path, sizeof(path), "%s/%s.db", dir, name);
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static int raw_exec(const char *sql)
{
	sqlite3 *db;
	int rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static struct store *open_ok(void)
{
	char err[512];
	struct store *s = store_open(path, err, sizeof(err));

	if (!s)
		printf("# store_open: %s\n", err);
	return s;
}

static void test_open_and_migrations(void)
{
	char err[512];
	struct store *s;
	struct store_image got;
	struct store_client c = { .name = "pc1" };

	fresh("mig");
	s = store_open_version(path, 1, err, sizeof(err));
	ok(s != NULL, "a version 1 database is created");
	if (!s)
		return;
	is_int(store_schema_version(s), 1, "it is at version 1");
	is_int(store_client_create(s, &c), -EIO, "version 1 has no clients table");
	store_close(s);
	/* Raw: this build's image calls write the columns of version 8. */
	ok(raw_exec("INSERT INTO images (name, size_bytes, created) VALUES ('old', 4096, 1)") == 0,
	   "version 1 holds images");

	s = open_ok();
	ok(s != NULL, "an older database opens");
	if (!s)
		return;
	is_int(store_schema_version(s), STORE_SCHEMA_VERSION, "it is upgraded in place to version %d",
	       STORE_SCHEMA_VERSION);
	is_int(store_image_get(s, "old", &got), 0, "its data survives the upgrade");
	ok(got.size_bytes == 4096 && !strcmp(got.state, "ready"), "with its values");
	is_int(store_client_create(s, &c), 0, "the new tables are there");
	store_close(s);

	s = open_ok();
	ok(s && store_schema_version(s) == STORE_SCHEMA_VERSION, "reopening changes nothing");
	store_close(s);

	/* Version 2 -> 3: a client made before has its origin, and the policy is explicit. */
	fresh("mig3");
	s = store_open_version(path, 2, err, sizeof(err));
	store_close(s);
	ok(raw_exec("INSERT INTO clients (name, created) VALUES ('pc1', 1)") == 0,
	   "a version 2 database with a client");
	s = open_ok();
	{
		struct store_client g;
		char v[16];

		ok(s && store_client_get(s, "pc1", &g) == 0 && !strcmp(g.origin, "api"),
		   "version 3: the old client's origin is api");
		ok(s && store_setting_get(s, "enrollment", v, sizeof(v)) == 0 && !strcmp(v, "deny"),
		   "version 3: enrollment is deny");
		strcpy(g.origin, "elsewhere");
		is_int(s ? store_client_update(s, &g) : -1, 0, "the origin is not changed by update");
		strcpy(g.name, "pc2");
		ok(s && store_client_create(s, &g) == -EINVAL, "an unknown origin is refused");
	}
	store_close(s);

	/* Version 3 -> 4: portals and targets made before keep the defaults. */
	fresh("mig4");
	s = store_open_version(path, 3, err, sizeof(err));
	store_close(s);
	ok(raw_exec("INSERT INTO portals (address, port) VALUES ('192.0.2.9', 3260);"
		    "INSERT INTO targets (iqn, created) VALUES ('iqn.2024-01.org.example:old', 1)") == 0,
	   "a version 3 database with a portal and a target");
	s = open_ok();
	{
		struct store_portal gp;
		struct store_target gt;

		ok(s && store_portal_get(s, "192.0.2.9", 3260, &gp) == 0 && gp.max_connections == 0,
		   "version 4: the old portal's max_connections is 0 (the module's default)");
		ok(s && store_target_get(s, "iqn.2024-01.org.example:old", &gt) == 0 &&
		   gt.nop_in_interval == 0, "version 4: the old target sends no NOP-In");
	}
	store_close(s);

	/*
	 * Version 4 -> 5: an empty ACL admitted everyone; an old target without
	 * entries stays open (explicitly now), one with entries stays closed.
	 */
	fresh("mig5");
	s = store_open_version(path, 4, err, sizeof(err));
	store_close(s);
	ok(raw_exec("INSERT INTO targets (iqn, created) VALUES ('iqn.2024-01.org.example:open', 1);"
		    "INSERT INTO targets (iqn, created) VALUES ('iqn.2024-01.org.example:acl', 1);"
		    "INSERT INTO acls (target, initiator) VALUES ('iqn.2024-01.org.example:acl',"
		    " 'iqn.2024-01.org.example:pc1')") == 0,
	   "a version 4 database with a target without ACL entries and one with");
	s = open_ok();
	{
		struct store_target gt;

		ok(s && store_target_get(s, "iqn.2024-01.org.example:open", &gt) == 0 &&
		   gt.allow_any_initiator, "version 5: the target without ACL entries allows any initiator");
		ok(s && store_target_get(s, "iqn.2024-01.org.example:acl", &gt) == 0 &&
		   !gt.allow_any_initiator, "version 5: the target with an ACL admits only it");
		memset(&gt, 0, sizeof(gt));
		snprintf(gt.iqn, sizeof(gt.iqn), "iqn.2024-01.org.example:new");
		ok(s && store_target_create(s, &gt) == 0 &&
		   store_target_get(s, "iqn.2024-01.org.example:new", &gt) == 0 &&
		   !gt.allow_any_initiator, "a new target allows no initiator by default");
		gt.allow_any_initiator = true;
		ok(s && store_target_update(s, &gt) == 0 &&
		   store_target_get(s, "iqn.2024-01.org.example:new", &gt) == 0 &&
		   gt.allow_any_initiator, "allow_any_initiator is stored");
	}
	store_close(s);

	{
		char p[300];

		snprintf(p, sizeof(p), "%s-wal", path);
		s = open_ok();
		ok(access(p, F_OK) == 0, "the database is in WAL mode (%s exists)", p);
		store_close(s);
	}

	ok(raw_exec("UPDATE schema_version SET version = 99") == 0, "(schema set to version 99)");
	s = store_open(path, err, sizeof(err));
	ok(s == NULL, "a newer database is refused");
	ok(strstr(err, "newer") && strstr(err, "99"), "with a clear error: %s", err);
	store_close(s);

	fresh("foreign");
	ok(raw_exec("CREATE TABLE foo (x)") == 0, "(a database of something else)");
	s = store_open(path, err, sizeof(err));
	ok(s == NULL && strstr(err, "not a bootsand database"), "is refused: %s", err);
	store_close(s);

	fresh("garbage");
	{
		FILE *f = fopen(path, "w");

		fputs("this is not a database at all, but it is long enough to look like "
		      "a header of one, more or less, so sqlite has to read it....", f);
		fclose(f);
	}
	s = store_open(path, err, sizeof(err));
	ok(s == NULL && err[0], "a file that is no database is refused: %s", err);
	store_close(s);

	s = store_open("/nonexistent-dir/x.db", err, sizeof(err));
	ok(s == NULL && err[0], "an impossible path is refused: %s", err);
	store_close(s);
}

static void test_settings(struct store *s)
{
	char v[64];
	char big[5000];

	is_int(store_setting_get(s, "k", v, sizeof(v)), -ENOENT, "setting: missing is ENOENT");
	is_int(store_setting_set(s, "k", "one"), 0, "setting: set");
	is_int(store_setting_set(s, "k", "two"), 0, "setting: overwrite");
	ok(store_setting_get(s, "k", v, sizeof(v)) == 0 && !strcmp(v, "two"), "setting: get");
	is_int(store_setting_get(s, "k", v, 2), -E2BIG, "setting: too small a buffer is E2BIG");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_int(store_setting_set(s, "k", big), -E2BIG, "setting: values are bounded");
	is_int(store_setting_delete(s, "k"), 0, "setting: delete");
	is_int(store_setting_delete(s, "k"), -ENOENT, "setting: delete again is ENOENT");
}

static void test_portals(struct store *s)
{
	struct store_portal p = { .address = "192.0.2.1", .port = 3260, .tpgt = 1 }, g;
	struct store_portal *v;
	size_t n;

	is_int(store_portal_create(s, &p), 0, "portal: create");
	is_int(store_portal_create(s, &p), -EEXIST, "portal: duplicate is EEXIST");
	p.port = 3261;
	is_int(store_portal_create(s, &p), 0, "portal: same address, other port");
	p.tpgt = 7;
	p.max_connections = 4000000000u;
	is_int(store_portal_update(s, &p), 0, "portal: update tpgt and max_connections");
	ok(store_portal_get(s, "192.0.2.1", 3261, &g) == 0 && g.tpgt == 7 &&
	   g.max_connections == 4000000000u, "portal: get");
	ok(store_portal_get(s, "192.0.2.1", 3260, &g) == 0 && g.max_connections == 0,
	   "portal: max_connections 0 (the module's default) unless given");
	ok(store_portal_list(s, &v, &n) == 0 && n == 2 && v[0].port == 3260, "portal: list");
	free(v);
	p.port = 0;
	is_int(store_portal_create(s, &p), -EINVAL, "portal: port 0 breaks a constraint");
	p.port = 1;
	p.tpgt = 0;
	is_int(store_portal_create(s, &p), -EINVAL, "portal: tpgt 0 breaks a constraint");
	memset(p.address, 'a', sizeof(p.address));
	is_int(store_portal_create(s, &p), -E2BIG, "portal: unterminated address is E2BIG");
	is_int(store_portal_delete(s, "192.0.2.1", 3260), 0, "portal: delete");
	is_int(store_portal_delete(s, "192.0.2.1", 3260), -ENOENT, "portal: delete again is ENOENT");
	is_int(store_portal_get(s, "192.0.2.1", 3260, &g), -ENOENT, "portal: gone");
}

static void test_images_targets_luns(struct store *s)
{
	struct store_image im = { .name = "gold", .size_bytes = 1 << 20 }, gi;
	struct store_target t = { .iqn = "iqn.2024-01.org.example:t0", .auth = "chap",
				  .chap_user = "u", .chap_secret = "secretsecret12",
				  .queue_depth = 32 }, gt;
	struct store_lun l = { .target = "iqn.2024-01.org.example:t0", .lun = 0,
			       .image = "gold" }, l2, gl;
	struct store_acl a = { .target = "iqn.2024-01.org.example:t0",
			       .initiator = "iqn.2024-01.org.example:pc1" }, ga;
	struct store_lun *lv;
	struct store_acl *av;
	int64_t cnt;
	size_t n;

	is_int(store_image_create(s, &im), 0, "image: create");
	is_int(store_image_create(s, &im), -EEXIST, "image: duplicate is EEXIST");
	ok(store_image_get(s, "gold", &gi) == 0 && gi.size_bytes == 1 << 20 &&
	   gi.created > 0 && !strcmp(gi.state, "ready"), "image: get, with defaults");
	snprintf(gi.state, sizeof(gi.state), "bogus");
	is_int(store_image_update(s, &gi), -EINVAL, "image: a bad state breaks a constraint");

	is_int(store_target_create(s, &t), 0, "target: create");
	is_int(store_target_create(s, &t), -EEXIST, "target: duplicate is EEXIST");
	ok(store_target_get(s, t.iqn, &gt) == 0 && !strcmp(gt.auth, "chap") &&
	   !strcmp(gt.chap_secret, "secretsecret12") && gt.queue_depth == 32,
	   "target: get");
	gt.queue_depth = 129;
	is_int(store_target_update(s, &gt), -EINVAL, "target: queue_depth 129 breaks a constraint");
	gt.queue_depth = 16;
	gt.nop_in_interval = 3601;
	is_int(store_target_update(s, &gt), -EINVAL,
	       "target: nop_in_interval 3601 breaks a constraint");
	gt.nop_in_interval = 3600;
	snprintf(gt.auth, sizeof(gt.auth), "kerberos");
	is_int(store_target_update(s, &gt), -EINVAL, "target: an unknown auth breaks a constraint");
	snprintf(gt.auth, sizeof(gt.auth), "mutual-chap");
	gt.read_only = true;
	is_int(store_target_update(s, &gt), 0, "target: update");
	ok(store_target_get(s, t.iqn, &gt) == 0 && gt.read_only && gt.queue_depth == 16 &&
	   gt.nop_in_interval == 3600, "target: updated values");

	is_int(store_lun_create(s, &l), 0, "lun: create");
	ok(strlen(l.serial) == 16 && strspn(l.serial, "0123456789abcdef") == 16,
	   "lun: a 16 hex digit serial is generated (%s)", l.serial);
	ok(l.naa >> 60 == 5 && ((l.naa >> 36) & 0xffffff) == STORE_NAA_OUI,
	   "lun: an NAA 5 identifier with our OUI is generated (%016llx)",
	   (unsigned long long)l.naa);
	is_int(store_lun_create(s, &l), -EEXIST, "lun: duplicate is EEXIST");
	ok(store_lun_get(s, l.target, 0, &gl) == 0 && !strcmp(gl.serial, l.serial) &&
	   gl.naa == l.naa && gl.block_size == 512 && !strcmp(gl.backend, "fileio") &&
	   !gl.device[0], "lun: get, with defaults");
	l2 = l;
	l2.lun = 1;
	l2.serial[0] = '\0';
	l2.naa = 0;
	snprintf(l2.device, sizeof(l2.device), "/dev/sdz");
	is_int(store_lun_create(s, &l2), -EINVAL, "lun: image and device both set is refused");
	l2.image[0] = '\0';
	l2.device[0] = '\0';
	is_int(store_lun_create(s, &l2), -EINVAL, "lun: neither image nor device is refused");
	snprintf(l2.device, sizeof(l2.device), "dev/sdz");
	is_int(store_lun_create(s, &l2), -EINVAL, "lun: a relative device path is refused");
	snprintf(l2.device, sizeof(l2.device), "/dev/sdz");
	snprintf(l2.backend, sizeof(l2.backend), "blockio");
	l2.block_size = 1000;
	is_int(store_lun_create(s, &l2), -EINVAL, "lun: block size 1000 is refused");
	l2.block_size = 4096;
	l2.lun = 16384;
	is_int(store_lun_create(s, &l2), -EINVAL, "lun: LUN 16384 is refused");
	l2.lun = 1;
	is_int(store_lun_create(s, &l2), 0, "lun: a block device LUN");
	ok(strcmp(l2.serial, l.serial) && l2.naa != l.naa, "lun: identifiers differ per LUN");
	l2.serial[0] = '\0';
	l2.naa = 0;
	l2.lun = 2;
	snprintf(l2.target, sizeof(l2.target), "iqn.2024-01.org.example:nope");
	is_int(store_lun_create(s, &l2), -EINVAL, "lun: a missing target is refused");
	snprintf(l2.target, sizeof(l2.target), "%s", t.iqn);
	l2.device[0] = '\0';
	snprintf(l2.image, sizeof(l2.image), "nope");
	is_int(store_lun_create(s, &l2), -EINVAL, "lun: a missing image is refused");

	gl.direct = true;
	snprintf(gl.serial, sizeof(gl.serial), "0000000000000000");
	gl.naa = 1;
	is_int(store_lun_update(s, &gl), 0, "lun: update");
	ok(store_lun_get(s, l.target, 0, &gl) == 0 && gl.direct &&
	   !strcmp(gl.serial, l.serial) && gl.naa == l.naa,
	   "lun: an update keeps serial and NAA");
	ok(store_lun_list(s, t.iqn, &lv, &n) == 0 && n == 2 && lv[0].lun == 0 && lv[1].lun == 1,
	   "lun: list of a target");
	free(lv);

	ok(store_image_lun_count(s, "gold", &cnt) == 0 && cnt == 1, "image: used by one LUN");
	is_int(store_image_delete(s, "gold"), -EBUSY, "image: delete while a LUN uses it is EBUSY");

	is_int(store_acl_create(s, &a), 0, "acl: create");
	is_int(store_acl_create(s, &a), -EEXIST, "acl: duplicate is EEXIST");
	snprintf(a.chap_user, sizeof(a.chap_user), "pc1");
	is_int(store_acl_update(s, &a), 0, "acl: update");
	ok(store_acl_get(s, a.target, a.initiator, &ga) == 0 && !strcmp(ga.chap_user, "pc1"),
	   "acl: get");
	snprintf(a.target, sizeof(a.target), "iqn.2024-01.org.example:nope");
	is_int(store_acl_create(s, &a), -EINVAL, "acl: a missing target is refused");

	is_int(store_target_delete(s, t.iqn), 0, "target: delete");
	ok(store_lun_list(s, NULL, &lv, &n) == 0 && n == 0, "target: its LUNs went with it");
	free(lv);
	ok(store_acl_list(s, NULL, &av, &n) == 0 && n == 0, "target: its ACL went with it");
	free(av);
	is_int(store_image_delete(s, "gold"), 0, "image: delete once unused");
	is_int(store_image_delete(s, "gold"), -ENOENT, "image: delete again is ENOENT");
}

static void test_stable_ids(void)
{
	struct store_image im = { .name = "img", .size_bytes = 512 };
	struct store_target t = { .iqn = "iqn.2024-01.org.example:s" };
	struct store_lun l = { .target = "iqn.2024-01.org.example:s", .image = "img" }, g;
	struct store *s;

	fresh("stable");
	s = open_ok();
	if (!s)
		return;
	store_image_create(s, &im);
	store_target_create(s, &t);
	is_int(store_lun_create(s, &l), 0, "lun: created");
	store_close(s);
	s = open_ok();
	ok(s && store_lun_get(s, t.iqn, 0, &g) == 0 && !strcmp(g.serial, l.serial) &&
	   g.naa == l.naa, "lun: serial and NAA are the same after reopening");
	store_close(s);
}

/*
 * A write transaction: rows written between begin and rollback are gone,
 * between begin and commit all there; a failed write in one leaves none of
 * the others (a target with a LUN on a missing image); not nested.
 */
static void *write_during_tx(void *arg)
{
	struct store_portal p = { .address = "192.0.2.77", .port = 3260, .tpgt = 1 };

	return (void *)(long)store_portal_create(arg, &p);
}

static void test_transactions(void)
{
	struct store_image im = { .name = "txi", .size_bytes = 512 };
	struct store_target t = { .iqn = "iqn.2024-01.org.example:tx", .auth = "none" }, g;
	struct store_lun l = { .target = "iqn.2024-01.org.example:tx", .image = "txi",
			       .backend = "fileio", .block_size = 512 };
	struct store_lun bad = l;
	struct store_portal gp;
	struct store *s;
	pthread_t th;
	void *rc;

	fresh("tx");
	s = open_ok();
	if (!s)
		return;
	store_image_create(s, &im);
	is_int(store_tx_begin(s), 0, "tx: begins");
	is_int(store_tx_begin(s), -EDEADLK, "tx: is not nested");
	is_int(store_target_create(s, &t), 0, "tx: a target in it");
	is_int(store_lun_create(s, &l), 0, "tx: its LUN in it");
	is_int(store_target_get(s, t.iqn, &g), 0, "tx: its own writes are seen in it");
	store_tx_rollback(s);
	is_int(store_target_get(s, t.iqn, &g), -ENOENT, "tx: rolled back: no target");
	is_int(store_lun_get(s, t.iqn, 0, &l), -ENOENT, "tx: rolled back: no LUN");

	is_int(store_tx_begin(s), 0, "tx: begins again");
	pthread_create(&th, NULL, write_during_tx, s);
	store_target_create(s, &t);
	l.lun = 0;
	store_lun_create(s, &l);
	is_int(store_portal_get(s, "192.0.2.77", 3260, &gp), -ENOENT,
	       "tx: another thread's write waits for the end");
	is_int(store_tx_commit(s), 0, "tx: commits");
	pthread_join(th, &rc);
	is_int((int)(long)rc, 0, "tx: the waiting write is done after it");
	ok(!store_target_get(s, t.iqn, &g) && !store_lun_get(s, t.iqn, 0, &l),
	   "tx: committed: the target and its LUN");

	snprintf(t.iqn, sizeof(t.iqn), "iqn.2024-01.org.example:tx2");
	snprintf(bad.target, sizeof(bad.target), "%s", t.iqn);
	snprintf(bad.image, sizeof(bad.image), "nosuch");
	is_int(store_tx_begin(s), 0, "tx: a third");
	is_int(store_target_create(s, &t), 0, "tx: a target in it");
	ok(store_lun_create(s, &bad) != 0, "tx: a LUN on no image fails");
	store_tx_rollback(s);
	is_int(store_target_get(s, t.iqn, &g), -ENOENT, "tx: so the target is not kept either");
	is_int(store_tx_commit(s), -EINVAL, "tx: no commit outside one");

	store_read_begin(s);
	is_int(store_tx_begin(s), -EDEADLK, "tx: none inside a read snapshot");
	store_read_end(s);
	store_close(s);
}

static void test_jobs(struct store *s)
{
	struct store_job j;
	int64_t id, id2, n;

	is_int(store_job_create(s, "clone", "pc1", &id), 0, "job: create");
	ok(store_job_get(s, id, &j) == 0 && !strcmp(j.state, "queued") && j.progress == 0 &&
	   !j.finished, "job: queued at 0%%");
	is_int(store_job_update(s, id, "running", 50, NULL), 0, "job: update");
	is_int(store_job_update(s, id, "running", 101, NULL), -EINVAL, "job: progress 101 is refused");
	is_int(store_job_update(s, id, "sleeping", 1, NULL), -EINVAL, "job: an unknown state is refused");
	is_int(store_job_update(s, 999999, "running", 1, NULL), -ENOENT, "job: unknown id is ENOENT");
	is_int(store_job_create(s, "clone", "pc2", &id2), 0, "job: a second one");
	is_int(store_job_update(s, id2, "done", 100, NULL), 0, "job: done");
	ok(store_job_get(s, id2, &j) == 0 && j.finished > 0, "job: done sets finished");
	ok(store_job_fail_unfinished(s, "restart", &n) == 0 && n == 1, "job: unfinished ones fail");
	ok(store_job_get(s, id, &j) == 0 && !strcmp(j.state, "failed") &&
	   !strcmp(j.error, "restart") && j.progress == 50, "job: with the reason");
}

static void test_boot_side(struct store *s)
{
	struct store_profile p = { .name = "deb", .kind = "linux", .body = "{\"kernel\": \"x\"}" }, gp;
	struct store_client c = { .name = "pc9", .uuid = "00112233-4455-6677-8899-aabbccddeeff",
				  .macs = "[\"52:54:00:12:34:56\"]", .labels = "{\"rack\": \"a\"}" }, gc;
	struct store_boot b = { .client = "pc9", .ip = "192.0.2.9", .what = "script" };
	struct store_boot *bv;
	size_t n;

	is_int(store_profile_create(s, &p), 0, "profile: create");
	ok(store_profile_get(s, "deb", &gp) == 0 && strstr(gp.body, "kernel"), "profile: get");
	snprintf(p.body, sizeof(p.body), "{not json");
	is_int(store_profile_update(s, &p), -EINVAL, "profile: a body that is not JSON is refused");
	snprintf(p.body, sizeof(p.body), "{}");
	snprintf(p.kind, sizeof(p.kind), "floppy");
	is_int(store_profile_update(s, &p), -EINVAL, "profile: an unknown kind is refused");
	is_int(store_client_create(s, &c), 0, "client: create");
	ok(store_client_get(s, "pc9", &gc) == 0 && !strcmp(gc.state, "pending") &&
	   strstr(gc.macs, "52:54"), "client: get, pending by default");
	snprintf(gc.state, sizeof(gc.state), "active");
	snprintf(gc.profile, sizeof(gc.profile), "deb");
	is_int(store_client_update(s, &gc), 0, "client: update");
	for (int i = 0; i < 5; i++) {
		b.time = 1000 + i;
		is_int(store_boot_add(s, &b), 0, "boot history: add %d", i);
	}
	ok(store_boot_list(s, "pc9", 3, &bv, &n) == 0 && n == 3 && bv[0].time == 1004,
	   "boot history: newest first, limited");
	free(bv);
	is_int(store_boot_prune(s, 2), 0, "boot history: prune");
	ok(store_boot_list(s, "pc9", 100, &bv, &n) == 0 && n == 2, "boot history: two kept");
	free(bv);
	snprintf(b.client, sizeof(b.client), "ghost");
	is_int(store_boot_add(s, &b), -EINVAL, "boot history: an unknown client is refused");
	is_int(store_client_delete(s, "pc9"), 0, "client: delete");
	is_int(store_profile_delete(s, "deb"), 0, "profile: delete");
}

static void *hammer(void *arg)
{
	struct store *s = arg;
	char k[32];
	long bad = 0;

	for (int i = 0; i < 200; i++) {
		snprintf(k, sizeof(k), "t%lu-%d", (unsigned long)pthread_self() % 1000, i % 10);
		if (store_setting_set(s, k, "v"))
			bad++;
	}
	return (void *)bad;
}

static void test_threads(struct store *s)
{
	pthread_t t[4];
	long bad = 0;

	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, hammer, s);
	for (int i = 0; i < 4; i++) {
		void *r;

		pthread_join(t[i], &r);
		bad += (long)r;
	}
	is_int(bad, 0, "four threads write at once without errors");
}

#define QUEUERS 4
#define QUEUED_EACH 700	/* together more than the queue holds: the queuers write too */

static void *queue_boots(void *arg)
{
	struct store *s = arg;
	struct store_boot b = { .client = "pc8", .ip = "192.0.2.8", .what = "queued" };
	long bad = 0;

	for (int i = 0; i < QUEUED_EACH; i++)
		if (store_boot_queue(s, &b))
			bad++;
	return (void *)bad;
}

/* Queued boot history: every row arrives, in order, also across a clean close. */
static void test_boot_queue(void)
{
	struct store_client c = { .name = "pc8", .state = "active" };
	struct store_boot b = { .client = "pc8", .time = 2000, .what = "first" }, *bv;
	struct store *s;
	pthread_t t[QUEUERS];
	int64_t count = -1;
	long bad = 0;
	size_t n;

	fresh("boot-queue");
	s = open_ok();
	if (!s) {
		ok(false, "boot queue: the database opens");
		return;
	}
	/* This test counts every row it writes: bounds far above them. */
	store_boot_set_limits(s, 1 << 20, 1 << 20);
	is_int(store_client_create(s, &c), 0, "boot queue: a client");
	is_int(store_boot_queue(s, &b), 0, "boot queue: queue a row");
	ok(store_boot_list(s, "pc8", 10, &bv, &n) == 0 && n == 1 && !strcmp(bv[0].what, "first"),
	   "boot queue: a read of the history sees the queued row");
	free(bv);
	snprintf(b.what, sizeof(b.what), "second");
	b.time = 2000;
	is_int(store_boot_queue(s, &b), 0, "boot queue: queue another");
	snprintf(b.what, sizeof(b.what), "third, written at once");
	is_int(store_boot_add(s, &b), 0, "boot queue: then add one directly");
	ok(store_boot_list(s, "pc8", 10, &bv, &n) == 0 && n == 3 &&
	   !strcmp(bv[0].what, "third, written at once") && !strcmp(bv[1].what, "second") &&
	   bv[0].id > bv[1].id, "boot queue: the direct row comes after the queued one");
	free(bv);
	for (int i = 0; i < QUEUERS; i++)
		pthread_create(&t[i], NULL, queue_boots, s);
	for (int i = 0; i < QUEUERS; i++) {
		void *r;

		pthread_join(t[i], &r);
		bad += (long)r;
	}
	is_int(bad, 0, "boot queue: %d threads queue %d rows each", QUEUERS, QUEUED_EACH);
	b.time = 0;
	snprintf(b.what, sizeof(b.what), "last before close");
	is_int(store_boot_queue(s, &b), 0, "boot queue: one more, then close");
	memset(b.what, 'x', sizeof(b.what));
	is_int(store_boot_queue(s, &b), -E2BIG, "boot queue: an unterminated field is refused");
	snprintf(b.client, sizeof(b.client), "ghost");
	snprintf(b.what, sizeof(b.what), "of nobody");
	is_int(store_boot_queue(s, &b), 0, "boot queue: a row of an unknown client is queued");
	store_close(s);
	s = open_ok();
	ok(s && store_count(s, STORE_T_BOOT_HISTORY, &count) == 0 &&
	   count == 3 + QUEUERS * QUEUED_EACH + 1,
	   "boot queue: after a clean close every row is in the database (%lld), "
	   "the unknown client's dropped", (long long)count);
	ok(s && store_boot_list(s, "pc8", 1, &bv, &n) == 0 && n == 1 &&
	   !strcmp(bv[0].what, "last before close") && bv[0].time > 2000,
	   "boot queue: the last one is the newest, timed when queued");
	if (s)
		free(bv);
	store_close(s);
}

struct snapshot_arg {
	struct store *s;
	long bad;
};

static void *snapshot_reads(void *arg)
{
	struct snapshot_arg *a = arg;
	struct store_client c;
	char v[32];

	for (int i = 0; i < 300; i++) {
		store_read_begin(a->s);
		if (store_client_find(a->s, "52:54:00:00:00:07", "", "", "", &c) ||
		    strcmp(c.name, "pc7") || store_setting_get(a->s, "snap", v, sizeof(v)))
			a->bad++;
		store_read_begin(a->s);	/* nested */
		if (store_client_get(a->s, "pc7", &c))
			a->bad++;
		store_read_end(a->s);
		store_read_end(a->s);
	}
	return NULL;
}

/* Read snapshots: their own connections, one state, only reads. */
static void test_read_snapshots(void)
{
	struct store_client c = { .name = "pc7", .state = "active",
				  .macs = "[\"52:54:00:00:00:07\"]", .serial = "SN7" };
	struct snapshot_arg args[3];
	pthread_t t[3];
	struct store *s;
	char v[32];

	fresh("snapshots");
	s = open_ok();
	if (!s) {
		ok(false, "snapshots: the database opens");
		return;
	}
	is_int(store_client_create(s, &c), 0, "snapshots: a client");
	is_int(store_setting_set(s, "snap", "one"), 0, "snapshots: a setting");
	store_read_begin(s);
	ok(store_setting_get(s, "snap", v, sizeof(v)) == 0 && !strcmp(v, "one"),
	   "snapshots: a read in a snapshot");
	ok(raw_exec("UPDATE settings SET value = 'two' WHERE key = 'snap'") == 0,
	   "snapshots: another connection writes meanwhile");
	ok(store_setting_get(s, "snap", v, sizeof(v)) == 0 && !strcmp(v, "one"),
	   "snapshots: the snapshot still sees one state");
	ok(store_setting_set(s, "snap", "three") != 0, "snapshots: a write inside one fails");
	store_read_end(s);
	ok(store_setting_get(s, "snap", v, sizeof(v)) == 0 && !strcmp(v, "two"),
	   "snapshots: after it, the newest state");
	ok(store_client_find(s, "", "", "", "SN7", &c) == 0 && !strcmp(c.name, "pc7") &&
	   store_client_find(s, "", "", "", "", &c) == -ENOENT &&
	   store_client_find(s, "52:54:00:00:00:08", "", "", "", &c) == -ENOENT,
	   "client find: by serial; nothing matches \"\"");
	for (int i = 0; i < 3; i++) {
		args[i] = (struct snapshot_arg){ .s = s };
		pthread_create(&t[i], NULL, snapshot_reads, &args[i]);
	}
	for (int i = 0; i < 3; i++) {
		is_int(store_setting_set(s, "snap", i % 2 ? "odd" : "even"), 0,
		       "snapshots: a write while threads read (%d)", i);
	}
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		is_int(args[i].bad, 0, "snapshots: thread %d read in nested snapshots", i);
	}
	store_close(s);
}

/* The history stays bounded: per client and in all, however it is written. */
static void test_boot_bounds(void)
{
	struct store_client c = { .name = "" };
	struct store_boot b = { .what = "script" };
	struct store *s;
	int64_t cnt = -1;
	bool each = true;
	struct store_boot *bv;
	size_t n;

	fresh("bounds");
	s = open_ok();
	if (!s)
		return;
	snprintf(c.name, sizeof(c.name), "busy");
	store_client_create(s, &c);
	snprintf(b.client, sizeof(b.client), "busy");
	for (int i = 0; i < 3 * STORE_BOOT_KEEP; i++)
		store_boot_queue(s, &b);
	ok(store_count(s, STORE_T_BOOT_HISTORY, &cnt) == 0 && cnt == STORE_BOOT_KEEP,
	   "boot bounds: %d queued fetches of one client keep its newest %d (%lld rows)",
	   3 * STORE_BOOT_KEEP, STORE_BOOT_KEEP, (long long)cnt);
	for (int i = 0; i < 2 * STORE_BOOT_KEEP; i++)
		store_boot_add(s, &b);
	ok(store_count(s, STORE_T_BOOT_HISTORY, &cnt) == 0 && cnt == STORE_BOOT_KEEP,
	   "boot bounds: so do rows added one by one (%lld)", (long long)cnt);
	ok(store_boot_list(s, "busy", 1, &bv, &n) == 0 && n == 1 && bv[0].id == b.id,
	   "boot bounds: the newest row is kept");
	free(bv);

	store_boot_set_limits(s, 3, 10);
	for (int k = 0; k < 6; k++) {
		snprintf(c.name, sizeof(c.name), "pc%d", k);
		store_client_create(s, &c);
		snprintf(b.client, sizeof(b.client), "pc%d", k);
		for (int i = 0; i < 5; i++)
			store_boot_queue(s, &b);
	}
	ok(store_count(s, STORE_T_BOOT_HISTORY, &cnt) == 0 && cnt <= 10,
	   "boot bounds: the table keeps its newest 10 in all (%lld)", (long long)cnt);
	for (int k = 0; k < 6; k++) {
		snprintf(c.name, sizeof(c.name), "pc%d", k);
		if (store_boot_list(s, c.name, 100, &bv, &n) || n > 3)
			each = false;
		if (k == 5 && n != 3)
			each = false;
		free(bv);
	}
	ok(each, "boot bounds: each client at most 3, the newest client all 3");
	ok(store_boot_page(s, "pc5", 0, 2, &bv, &n) == 0 && n == 2 && bv[0].id > bv[1].id,
	   "boot page: the newest 2, newest first");
	if (n == 2) {
		int64_t last = bv[1].id;

		free(bv);
		ok(store_boot_page(s, "pc5", last, 2, &bv, &n) == 0 && n == 1 && bv[0].id < last,
		   "boot page: then the one older than the last seen");
	}
	free(bv);
	store_close(s);
}

/*
 * The enrollment cap counts provisioned or registered clients that never
 * booted. That a client booted must outlive the history row that showed
 * it: its "iSCSI login" is pruned once 50 script fetches follow it.
 */
static void test_booted_outlives_history(void)
{
	struct store_client c = { .name = "prov", .image = "prov", .state = "active",
				  .origin = "provision" };
	struct store_client r = { .name = "reg", .state = "active", .origin = "register" };
	struct store_client p = { .name = "new", .state = "pending", .origin = "register" };
	struct store_boot b = { .client = "prov", .what = "ipxe: profile disk" };
	struct store *s;
	int64_t cnt = -1;
	char err[256];

	fresh("booted");
	s = open_ok();
	if (!s)
		return;
	ok(!store_client_create(s, &c) && !store_client_create(s, &r) &&
	   !store_client_create(s, &p), "booted: a provisioned, a registered, a pending client");
	ok(!store_count(s, STORE_T_UNBOOTED_CLIENTS, &cnt) && cnt == 3,
	   "booted: none has booted (%lld)", (long long)cnt);
	store_boot_add(s, &b);
	ok(!store_count(s, STORE_T_UNBOOTED_CLIENTS, &cnt) && cnt == 3,
	   "booted: a script for a client with a disk is no boot yet (%lld)", (long long)cnt);
	snprintf(b.what, sizeof(b.what), "iSCSI login as iqn.2026-01.org.bootsan:prov");
	store_boot_queue(s, &b);
	snprintf(b.client, sizeof(b.client), "reg");
	snprintf(b.what, sizeof(b.what), "ipxe: profile local");
	store_boot_queue(s, &b);
	snprintf(b.client, sizeof(b.client), "new");
	store_boot_queue(s, &b);
	ok(!store_count(s, STORE_T_UNBOOTED_CLIENTS, &cnt) && cnt == 1,
	   "booted: its iSCSI login, a script for one without a disk; pending still counts (%lld)",
	   (long long)cnt);
	snprintf(b.client, sizeof(b.client), "prov");
	snprintf(b.what, sizeof(b.what), "ipxe: profile disk");
	for (int i = 0; i < 2 * STORE_BOOT_KEEP; i++)
		store_boot_queue(s, &b);
	store_boot_prune(s, STORE_BOOT_KEEP);
	ok(!store_count(s, STORE_T_BOOT_HISTORY, &cnt) && cnt <= 2 + STORE_BOOT_KEEP,
	   "booted: %d later fetches prune the login row (%lld rows)", 2 * STORE_BOOT_KEEP,
	   (long long)cnt);
	ok(!store_count(s, STORE_T_UNBOOTED_CLIENTS, &cnt) && cnt == 1,
	   "booted: it still counts as booted (%lld not booted)", (long long)cnt);
	store_close(s);
	s = open_ok();
	ok(s && !store_count(s, STORE_T_UNBOOTED_CLIENTS, &cnt) && cnt == 1,
	   "booted: also after a reopen (%lld)", (long long)cnt);
	if (s)
		store_close(s);

	/* A database of version 6 learns from its history who booted. */
	fresh("booted-v6");
	s = store_open_version(path, 6, err, sizeof(err));
	snprintf(b.client, sizeof(b.client), "prov");
	snprintf(b.what, sizeof(b.what), "iSCSI login as iqn.2026-01.org.bootsan:prov");
	ok(s && !store_client_create(s, &c) && !store_client_create(s, &p) &&
	   !store_boot_add(s, &b), "booted: a version 6 database with a client's login");
	if (s)
		store_close(s);
	s = open_ok();
	ok(s && !store_count(s, STORE_T_UNBOOTED_CLIENTS, &cnt) && cnt == 1,
	   "booted: upgraded, that client has booted (%lld not booted)", (long long)cnt);
	if (s)
		store_close(s);
}

/* The database holds secrets: 0600 whatever the umask, and fixed when found otherwise. */
static void test_file_modes(void)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	struct store *s;
	struct stat st;
	char p[300];
	mode_t old = umask(022);
	bool all = true;

	fresh("modes");
	s = open_ok();
	store_setting_set(s, "k", "v");
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		if (stat(p, &st) || (st.st_mode & 0777) != 0600) {
			printf("# %s: mode %o\n", p, (unsigned int)(st.st_mode & 0777));
			all = false;
		}
	}
	ok(all, "modes: a new database, its -wal and -shm are 0600 under umask 022");
	store_close(s);
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		chmod(p, 0644);
	}
	s = open_ok();
	all = true;
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffixes[i]);
		if (!stat(p, &st) && (st.st_mode & 0777) != 0600)
			all = false;
	}
	ok(s && all, "modes: files found 0644 are made 0600");
	store_close(s);
	umask(old);
}

/*
 * Every provision makes a job and anyone on the network can provision:
 * finished jobs are bounded (the newest STORE_JOB_KEEP), unfinished ones
 * always kept.
 */
static void test_job_bounds(void)
{
	struct store *s;
	struct store_job j;
	int64_t first = 0, id = 0, queued = 0, c = -1;
	bool all = true;

	fresh("jobs");
	s = open_ok();
	ok(s != NULL, "jobs: a database");
	if (!s)
		return;
	all = store_job_create(s, "clone", "waits", &queued) == 0;
	for (int i = 0; i < 1500 && all; i++) {
		all = store_job_create(s, "clone", "flood", &id) == 0 &&
		      store_job_update(s, id, i % 2 ? "done" : "failed", 100, NULL) == 0;
		if (!first)
			first = id;
	}
	ok(all, "jobs: 1,500 finished jobs and one queued");
	ok(store_count(s, STORE_T_JOBS, &c) == 0 && c == 1001,
	   "jobs: at most 1,000 finished ones are kept (%lld rows)", (long long)c);
	is_int(store_job_get(s, queued, &j), 0, "jobs: the queued one is kept, however old");
	is_int(store_job_get(s, id, &j), 0, "jobs: the newest finished one is kept");
	is_int(store_job_get(s, first, &j), -ENOENT, "jobs: the oldest finished one is gone");
	store_close(s);
}

/*
 * A MAC or UUID names one client: the schema says so, so two writers
 * (the API and enrollment) cannot both claim it. A database of version 4
 * that already holds a duplicate still opens, and keeps its clients.
 */
static void test_identity_unique(void)
{
	struct store_client a = { .name = "pc-a", .macs = "[\"52:54:00:00:00:01\"]",
				  .uuid = "00112233-4455-6677-8899-aabbccddeeff" };
	struct store_client b = { .name = "pc-b", .macs = "[\"52:54:00:00:00:02\",\"52:54:00:00:00:01\"]" };
	struct store_client c = { .name = "pc-c", .uuid = "00112233-4455-6677-8899-aabbccddeeff" };
	struct store_client g;
	char err[256];
	struct store *s;

	fresh("ids");
	s = store_open_version(path, 4, err, sizeof(err));
	ok(s != NULL, "ids: a version 4 database");
	if (!s)
		return;
	ok(store_client_create(s, &a) == 0 && store_client_create(s, &b) == 0,
	   "ids: version 4 let two clients share a MAC");
	store_close(s);
	s = open_ok();
	ok(s != NULL, "ids: it is upgraded all the same");
	if (!s)
		return;
	ok(store_client_get(s, "pc-a", &g) == 0 && store_client_get(s, "pc-b", &g) == 0,
	   "ids: both clients are kept");
	strcpy(b.serial, "x");
	is_int(store_client_update(s, &b), 0, "ids: the second can still be changed (not its MACs)");
	strcpy(g.name, "pc-d");
	strcpy(g.macs, "[\"52:54:00:00:00:01\"]");
	g.uuid[0] = '\0';
	is_int(store_client_create(s, &g), -EEXIST, "ids: a new client with a taken MAC is EEXIST");
	strcpy(g.macs, "[\"52:54:00:00:00:02\"]");
	is_int(store_client_create(s, &g), -EEXIST, "ids: so is the second one's MAC");
	is_int(store_client_create(s, &c), -EEXIST, "ids: a taken UUID is EEXIST");
	strcpy(g.macs, "[\"52:54:00:00:00:03\"]");
	is_int(store_client_create(s, &g), 0, "ids: a free MAC is fine");
	strcpy(g.macs, "[\"52:54:00:00:00:01\"]");
	is_int(store_client_update(s, &g), -EEXIST, "ids: changing to a taken MAC is EEXIST");
	strcpy(g.macs, "[\"52:54:00:00:00:04\"]");
	is_int(store_client_update(s, &g), 0, "ids: changing to a free one is fine");
	is_int(store_client_delete(s, "pc-a"), 0, "ids: the first client goes");
	is_int(store_client_create(s, &c), 0, "ids: its UUID is free again");
	strcpy(c.name, "pc-e");
	c.uuid[0] = '\0';
	strcpy(c.macs, "[\"52:54:00:00:00:04\"]");
	is_int(store_client_create(s, &c), -EEXIST, "ids: a MAC changed to is taken");
	strcpy(c.macs, "[\"52:54:00:00:00:03\"]");
	is_int(store_client_create(s, &c), 0, "ids: the MAC changed from is free");
	store_close(s);
}

/* The 4 big-endian bytes at offset 60 of the file (PRAGMA user_version); -1 if unreadable. */
static int header_version(const char *file)
{
	unsigned char h[64];
	FILE *f = fopen(file, "rb");
	size_t got = f ? fread(h, 1, sizeof(h), f) : 0;

	if (f)
		fclose(f);
	if (got != sizeof(h) || memcmp(h, "SQLite format 3", 16))
		return -1;
	return (int)((uint32_t)h[60] << 24 | (uint32_t)h[61] << 16 | (uint32_t)h[62] << 8 | h[63]);
}

/*
 * Every earlier schema version migrates to this one and keeps what it held;
 * a schema one newer than this bootsand knows (a downgrade) is refused.
 */
/* Schema 8: an overlay names an existing golden, never itself, and keeps it. */
static void test_overlay_rows(void)
{
	struct store_image g = { .name = "g", .size_bytes = 4096 }, o = { .name = "o", .size_bytes = 4096,
		.golden = "g", .golden_version = 1 }, got;
	struct store_image_version v = { .image = "g", .version = 2, .size_bytes = 8192,
					 .source = "next", .pending = true };
	struct store_image_version *vs = NULL;
	struct store *s;
	int64_t n = -1;
	size_t nv = 0;

	fresh("overlays");
	s = open_ok();
	if (!s)
		return;
	is_int(store_image_create(s, &o), -EINVAL, "overlays: one of a golden that does not exist is refused");
	is_int(store_image_create(s, &g), 0, "overlays: a golden");
	is_int(store_image_create(s, &o), 0, "overlays: an overlay of it");
	ok(!store_image_get(s, "o", &got) && !strcmp(got.golden, "g") && got.golden_version == 1,
	   "overlays: it reads back with its golden and version");
	ok(!store_image_overlay_count(s, "g", 1, &n) && n == 1 &&
	   !store_image_overlay_count(s, "g", 2, &n) && n == 0 &&
	   !store_image_overlay_count(s, "g", 0, &n) && n == 1, "overlays: counted per version");
	is_int(store_image_delete(s, "g"), -EBUSY, "overlays: the golden is not deleted under it");
	o.golden_version = 0;
	is_int(store_image_update(s, &o), -EINVAL, "overlays: a golden without a version is refused");
	snprintf(got.golden, sizeof(got.golden), "o");
	snprintf(got.name, sizeof(got.name), "o");
	got.golden_version = 1;
	is_int(store_image_update(s, &got), -EINVAL, "overlays: an image is not its own golden");
	snprintf(got.state, sizeof(got.state), "flattening");
	snprintf(got.golden, sizeof(got.golden), "g");
	is_int(store_image_update(s, &got), 0, "overlays: the state flattening is stored");
	is_int(store_image_version_add(s, &v), 0, "versions: a pending update");
	ok(!store_image_version_list(s, NULL, &vs, &nv) && nv == 1 && vs[0].pending &&
	   !strcmp(vs[0].source, "next"), "versions: listed among the pending");
	free(vs);
	is_int(store_image_version_done(s, "g", 2), 0, "versions: done");
	vs = NULL;
	ok(!store_image_version_list(s, NULL, &vs, &nv) && nv == 0, "versions: not pending any more");
	free(vs);
	vs = NULL;
	ok(!store_image_version_list(s, "g", &vs, &nv) && nv == 1 && vs[0].version == 2,
	   "versions: in the golden's history");
	free(vs);
	is_int(store_image_delete(s, "o"), 0, "overlays: the overlay deleted");
	is_int(store_image_delete(s, "g"), 0, "overlays: then the golden, its history with it");
	vs = NULL;
	ok(!store_image_version_list(s, "g", &vs, &nv) && nv == 0, "versions: gone with it");
	free(vs);
	store_close(s);
}

static void test_migrate_from_every_version(void)
{
	char err[512], name[32];
	struct store *s;

	for (int v = 1; v < STORE_SCHEMA_VERSION; v++) {
		struct store_image got;

		snprintf(name, sizeof(name), "from%d", v);
		fresh(name);
		s = store_open_version(path, v, err, sizeof(err));
		ok(s != NULL, "from %d: a version %d database is made", v, v);
		store_close(s);
		ok(raw_exec("INSERT INTO images (name, size_bytes, created) VALUES ('disk', 8192, 1);"
			    "INSERT INTO targets (iqn, created) VALUES ('iqn.2024-01.org.example:t', 1);"
			    "INSERT INTO luns (target, lun, image, serial, naa) VALUES "
			    "('iqn.2024-01.org.example:t', 0, 'disk', '0123456789abcdef', 1)")
		   == 0, "from %d: with an image, a target and a LUN on the image", v);
		s = open_ok();
		ok(s && store_schema_version(s) == STORE_SCHEMA_VERSION,
		   "from %d: upgraded to %d", v, STORE_SCHEMA_VERSION);
		/* Before the stamp, a migrated file's header said 0. */
		is_int(header_version(path), STORE_SCHEMA_VERSION,
		       "from %d: the file's header says %d while the store is open "
		       "(what the package's preinst reads)", v, STORE_SCHEMA_VERSION);
		ok(s && store_image_get(s, "disk", &got) == 0 && got.size_bytes == 8192 &&
		   got.version == 1 && !got.golden[0] && got.golden_version == 0 &&
		   !strcmp(got.state, "ready"),
		   "from %d: the image is kept, an ordinary one at version 1", v);
		{
			struct store_lun gl;
			struct store_image ov = { .name = "ov", .golden = "disk", .golden_version = 1,
						  .size_bytes = 8192 };

			ok(s && store_lun_get(s, "iqn.2024-01.org.example:t", 0, &gl) == 0 &&
			   !strcmp(gl.image, "disk"), "from %d: the LUN is kept on it", v);
			ok(s && store_image_delete(s, "disk") == -EBUSY,
			   "from %d: the rebuilt images table is still what LUNs refer to", v);
			ok(s && store_image_create(s, &ov) == 0 && store_image_delete(s, "ov") == 0,
			   "from %d: an overlay of it can be recorded", v);
		}
		{
			struct store_target gt;

			ok(s && store_target_get(s, "iqn.2024-01.org.example:t", &gt) == 0,
			   "from %d: the target is kept", v);
		}
		store_close(s);
	}

	fresh("downgrade");
	s = open_ok();
	store_close(s);
	{
		char sql[128];

		snprintf(sql, sizeof(sql), "UPDATE schema_version SET version = %d",
			 STORE_SCHEMA_VERSION + 1);
		ok(raw_exec(sql) == 0, "(a database of the next schema, %d)", STORE_SCHEMA_VERSION + 1);
	}
	err[0] = '\0';
	s = store_open(path, err, sizeof(err));
	ok(s == NULL, "downgrade: a newer schema is refused");
	ok(strstr(err, "newer than this bootsand") != NULL, "downgrade: with a clear error: %s", err);
	store_close(s);
}

int main(void)
{
	struct store *s;
	char cmd[300];

	tap_start();
	log_set_level(LOG_LVL_ERROR);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_open_and_migrations();
	test_migrate_from_every_version();
	test_overlay_rows();
	fresh("crud");
	s = open_ok();
	ok(s != NULL, "a new database opens");
	if (s) {
		test_settings(s);
		test_portals(s);
		test_images_targets_luns(s);
		test_jobs(s);
		test_boot_side(s);
		test_threads(s);
		int64_t c = -1;

		ok(store_count(s, STORE_T_PORTALS, &c) == 0 && c == 1, "count: portals");
		store_close(s);
	}
	test_stable_ids();
	test_transactions();
	test_boot_queue();
	test_read_snapshots();
	test_boot_bounds();
	test_booted_outlives_history();
	test_file_modes();
	test_job_bounds();
	test_identity_unique();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		printf("# could not remove %s\n", dir);
	return tap_end();
}
