// SPDX-License-Identifier: GPL-2.0
/* The SAN side's rows: portals, images, targets, LUNs, ACLs and jobs; see store.h. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <sqlite3.h>

#include "db.h"
#include "lib/log.h"
#include "lib/util.h"
#include "store.h"

/* ---- portals ---- */

#define PORTAL_COLS "address, port, tpgt, max_connections, login_timeout"

static void read_portal(sqlite3_stmt *st, void *row)
{
	struct store_portal *p = row;

	db_col_text(st, 0, p->address, sizeof(p->address));
	p->port = (uint16_t)sqlite3_column_int(st, 1);
	p->tpgt = (uint16_t)sqlite3_column_int(st, 2);
	p->max_connections = (uint32_t)sqlite3_column_int64(st, 3);
	p->login_timeout = (uint32_t)sqlite3_column_int64(st, 4);
}

int store_portal_list(struct store *s, struct store_portal **out, size_t *n)
{
	return db_rows(s, "SELECT " PORTAL_COLS " FROM portals ORDER BY address, port", DB_NO_ARGS,
		       sizeof(**out), read_portal, (void **)out, n);
}

int store_portal_get(struct store *s, const char *address, uint16_t port,
		     struct store_portal *out)
{
	return db_row(s, "SELECT " PORTAL_COLS " FROM portals WHERE address = ?1 AND port = ?2",
		      DB_ARGS(DB_TEXT(address), DB_INT(port)), sizeof(*out), read_portal, out);
}

static void bind_portal(sqlite3_stmt *st, const void *row)
{
	const struct store_portal *p = row;

	db_bind_text(st, 1, p->address);
	sqlite3_bind_int(st, 2, p->port);
	sqlite3_bind_int(st, 3, p->tpgt);
	sqlite3_bind_int64(st, 4, p->max_connections);
	sqlite3_bind_int64(st, 5, p->login_timeout);
}

int store_portal_create(struct store *s, const struct store_portal *p)
{
	if (!FITS(p->address))
		return -E2BIG;
	return db_insert_row(s, "INSERT INTO portals (" PORTAL_COLS ") VALUES (?1, ?2, ?3, ?4, ?5)",
			     bind_portal, p, -EINVAL);
}

int store_portal_update(struct store *s, const struct store_portal *p)
{
	if (!FITS(p->address))
		return -E2BIG;
	return db_update_row(s, "UPDATE portals SET tpgt = ?3, max_connections = ?4, "
			     "login_timeout = ?5 WHERE address = ?1 AND port = ?2",
			     bind_portal, p, -EINVAL);
}

int store_portal_delete(struct store *s, const char *address, uint16_t port)
{
	return db_write_one(s, "DELETE FROM portals WHERE address = ?1 AND port = ?2",
			    DB_ARGS(DB_TEXT(address), DB_INT(port)), -EINVAL);
}

/* ---- images ---- */

#define IMAGE_COLS "name, size_bytes, created, state, job, version, golden, golden_version"

static void read_image(sqlite3_stmt *st, void *row)
{
	struct store_image *im = row;

	db_col_text(st, 0, im->name, sizeof(im->name));
	im->size_bytes = (uint64_t)sqlite3_column_int64(st, 1);
	im->created = sqlite3_column_int64(st, 2);
	db_col_text(st, 3, im->state, sizeof(im->state));
	im->job = sqlite3_column_int64(st, 4);
	im->version = (uint32_t)sqlite3_column_int64(st, 5);
	db_col_text(st, 6, im->golden, sizeof(im->golden));
	im->golden_version = (uint32_t)sqlite3_column_int64(st, 7);
}

int store_image_list(struct store *s, struct store_image **out, size_t *n)
{
	return db_rows(s, "SELECT " IMAGE_COLS " FROM images ORDER BY name", DB_NO_ARGS,
		       sizeof(**out), read_image, (void **)out, n);
}

int store_image_page(struct store *s, const char *after, int limit,
		     struct store_image **out, size_t *n)
{
	return db_rows(s, "SELECT " IMAGE_COLS " FROM images WHERE name > ?1 ORDER BY name LIMIT ?2",
		       DB_ARGS(DB_TEXT(after ? after : ""), DB_INT(limit)), sizeof(**out),
		       read_image, (void **)out, n);
}

int store_image_get(struct store *s, const char *name, struct store_image *out)
{
	return db_row(s, "SELECT " IMAGE_COLS " FROM images WHERE name = ?1",
		      DB_ARGS(DB_TEXT(name)), sizeof(*out), read_image, out);
}

static int image_bad(const struct store_image *im)
{
	if (!FITS(im->name) || !FITS(im->state) || !FITS(im->golden))
		return -E2BIG;
	if (im->size_bytes > INT64_MAX || im->version > INT32_MAX ||
	    im->golden_version > INT32_MAX || !im->golden[0] != !im->golden_version)
		return -EINVAL;
	return 0;
}

/* ?3, created, is bound only by an INSERT. */
static void bind_image(sqlite3_stmt *st, const void *row)
{
	const struct store_image *im = row;

	db_bind_text(st, 1, im->name);
	sqlite3_bind_int64(st, 2, (int64_t)im->size_bytes);
	sqlite3_bind_int64(st, 3, im->created ? im->created : now_wall());
	db_bind_text(st, 4, im->state[0] ? im->state : "ready");
	sqlite3_bind_int64(st, 5, im->job);
	sqlite3_bind_int64(st, 6, im->version ? im->version : 1);
	db_bind_text_null(st, 7, im->golden);
	sqlite3_bind_int64(st, 8, im->golden_version);
}

int store_image_create(struct store *s, const struct store_image *im)
{
	return image_bad(im) ?:
	       db_insert_row(s, "INSERT INTO images (" IMAGE_COLS ") "
			     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", bind_image, im, -EINVAL);
}

int store_image_update(struct store *s, const struct store_image *im)
{
	return image_bad(im) ?:
	       db_update_row(s, "UPDATE images SET size_bytes = ?2, state = ?4, job = ?5, "
			     "version = ?6, golden = ?7, golden_version = ?8 "
			     "WHERE name = ?1 AND ?3 = ?3", bind_image, im, -EINVAL);
}

int store_image_delete(struct store *s, const char *name)
{
	return db_write_one(s, "DELETE FROM images WHERE name = ?1", DB_ARGS(DB_TEXT(name)),
			    -EBUSY);
}

int store_image_lun_count(struct store *s, const char *name, int64_t *count)
{
	return db_count(s, "SELECT count(*) FROM luns WHERE image = ?1", DB_ARGS(DB_TEXT(name)),
			count);
}

int store_image_overlay_count(struct store *s, const char *golden, uint32_t version,
			      int64_t *count)
{
	return db_count(s, "SELECT count(*) FROM images WHERE golden = ?1 AND "
			"(?2 = 0 OR golden_version = ?2)",
			DB_ARGS(DB_TEXT(golden), DB_INT(version)), count);
}

/* ---- image versions ---- */

#define VERSION_COLS "image, version, created, size_bytes, source, pending"

static void read_version(sqlite3_stmt *st, void *row)
{
	struct store_image_version *v = row;

	db_col_text(st, 0, v->image, sizeof(v->image));
	v->version = (uint32_t)sqlite3_column_int64(st, 1);
	v->created = sqlite3_column_int64(st, 2);
	v->size_bytes = (uint64_t)sqlite3_column_int64(st, 3);
	db_col_text(st, 4, v->source, sizeof(v->source));
	v->pending = sqlite3_column_int(st, 5) != 0;
}

static void bind_version(sqlite3_stmt *st, const void *row)
{
	const struct store_image_version *v = row;

	db_bind_text(st, 1, v->image);
	sqlite3_bind_int64(st, 2, v->version);
	sqlite3_bind_int64(st, 3, v->created ? v->created : now_wall());
	sqlite3_bind_int64(st, 4, (int64_t)v->size_bytes);
	db_bind_text(st, 5, v->source);
	sqlite3_bind_int(st, 6, v->pending);
}

int store_image_version_add(struct store *s, const struct store_image_version *v)
{
	if (!FITS(v->image) || !FITS(v->source))
		return -E2BIG;
	if (v->size_bytes > INT64_MAX || v->version > INT32_MAX)
		return -EINVAL;
	return db_insert_row(s, "INSERT INTO image_versions (" VERSION_COLS ") "
			     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)", bind_version, v, -EINVAL);
}

int store_image_version_list(struct store *s, const char *image,
			     struct store_image_version **out, size_t *n)
{
	if (!image)
		return db_rows(s, "SELECT " VERSION_COLS " FROM image_versions WHERE pending = 1 "
			       "ORDER BY image, version", DB_NO_ARGS, sizeof(**out),
			       read_version, (void **)out, n);
	return db_rows(s, "SELECT " VERSION_COLS " FROM image_versions WHERE image = ?1 "
		       "ORDER BY version", DB_ARGS(DB_TEXT(image)), sizeof(**out),
		       read_version, (void **)out, n);
}

int store_image_version_done(struct store *s, const char *image, uint32_t version)
{
	return db_write_one(s, "UPDATE image_versions SET pending = 0 "
			    "WHERE image = ?1 AND version = ?2",
			    DB_ARGS(DB_TEXT(image), DB_INT(version)), -EINVAL);
}

/* ---- targets ---- */

#define TARGET_COLS "iqn, alias, auth, chap_user, chap_secret, mutual_user, " \
		    "mutual_secret, max_sessions, queue_depth, read_only, created, nop_in_interval, " \
		    "allow_any_initiator"

static void read_target(sqlite3_stmt *st, void *row)
{
	struct store_target *t = row;

	db_col_text(st, 0, t->iqn, sizeof(t->iqn));
	db_col_text(st, 1, t->alias, sizeof(t->alias));
	db_col_text(st, 2, t->auth, sizeof(t->auth));
	db_col_text(st, 3, t->chap_user, sizeof(t->chap_user));
	db_col_text(st, 4, t->chap_secret, sizeof(t->chap_secret));
	db_col_text(st, 5, t->mutual_user, sizeof(t->mutual_user));
	db_col_text(st, 6, t->mutual_secret, sizeof(t->mutual_secret));
	t->max_sessions = (uint32_t)sqlite3_column_int64(st, 7);
	t->queue_depth = (uint32_t)sqlite3_column_int64(st, 8);
	t->read_only = sqlite3_column_int(st, 9) != 0;
	t->created = sqlite3_column_int64(st, 10);
	t->nop_in_interval = (uint32_t)sqlite3_column_int64(st, 11);
	t->allow_any_initiator = sqlite3_column_int(st, 12) != 0;
}

static int target_bad(const struct store_target *t)
{
	if (!FITS(t->iqn) || !FITS(t->alias) || !FITS(t->auth) || !FITS(t->chap_user) ||
	    !FITS(t->chap_secret) || !FITS(t->mutual_user) || !FITS(t->mutual_secret))
		return -E2BIG;
	return 0;
}

static void bind_target(sqlite3_stmt *st, const void *row)
{
	const struct store_target *t = row;

	db_bind_text(st, 1, t->iqn);
	db_bind_text(st, 2, t->alias);
	db_bind_text(st, 3, t->auth[0] ? t->auth : "none");
	db_bind_text(st, 4, t->chap_user);
	db_bind_text(st, 5, t->chap_secret);
	db_bind_text(st, 6, t->mutual_user);
	db_bind_text(st, 7, t->mutual_secret);
	sqlite3_bind_int64(st, 8, t->max_sessions);
	sqlite3_bind_int64(st, 9, t->queue_depth);
	sqlite3_bind_int(st, 10, t->read_only);
	sqlite3_bind_int64(st, 11, t->created ? t->created : now_wall());
	sqlite3_bind_int64(st, 12, t->nop_in_interval);
	sqlite3_bind_int(st, 13, t->allow_any_initiator);
}

int store_target_list(struct store *s, struct store_target **out, size_t *n)
{
	return db_rows(s, "SELECT " TARGET_COLS " FROM targets ORDER BY iqn", DB_NO_ARGS,
		       sizeof(**out), read_target, (void **)out, n);
}

int store_target_get(struct store *s, const char *iqn, struct store_target *out)
{
	return db_row(s, "SELECT " TARGET_COLS " FROM targets WHERE iqn = ?1",
		      DB_ARGS(DB_TEXT(iqn)), sizeof(*out), read_target, out);
}

int store_target_create(struct store *s, const struct store_target *t)
{
	return target_bad(t) ?:
	       db_insert_row(s, "INSERT INTO targets (" TARGET_COLS ") VALUES "
			     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
			     bind_target, t, -EINVAL);
}

int store_target_update(struct store *s, const struct store_target *t)
{
	return target_bad(t) ?:
	       db_update_row(s, "UPDATE targets SET alias = ?2, auth = ?3, chap_user = ?4, "
			     "chap_secret = ?5, mutual_user = ?6, mutual_secret = ?7, "
			     "max_sessions = ?8, queue_depth = ?9, read_only = ?10, "
			     "nop_in_interval = ?12, allow_any_initiator = ?13 "
			     "WHERE iqn = ?1 AND ?11 = ?11", bind_target, t, -EINVAL);
}

int store_target_delete(struct store *s, const char *iqn)
{
	return db_write_one(s, "DELETE FROM targets WHERE iqn = ?1", DB_ARGS(DB_TEXT(iqn)),
			    -EBUSY);
}

/* ---- luns ---- */

#define LUN_COLS "target, lun, image, device, backend, direct, block_size, serial, naa"

static void read_lun(sqlite3_stmt *st, void *row)
{
	struct store_lun *l = row;

	db_col_text(st, 0, l->target, sizeof(l->target));
	l->lun = (uint32_t)sqlite3_column_int64(st, 1);
	db_col_text(st, 2, l->image, sizeof(l->image));
	db_col_text(st, 3, l->device, sizeof(l->device));
	db_col_text(st, 4, l->backend, sizeof(l->backend));
	l->direct = sqlite3_column_int(st, 5) != 0;
	l->block_size = (uint32_t)sqlite3_column_int64(st, 6);
	db_col_text(st, 7, l->serial, sizeof(l->serial));
	l->naa = (uint64_t)sqlite3_column_int64(st, 8);
}

static int lun_bad(const struct store_lun *l)
{
	if (!FITS(l->target) || !FITS(l->image) || !FITS(l->device) || !FITS(l->backend) ||
	    !FITS(l->serial))
		return -E2BIG;
	return 0;
}

static void bind_lun(sqlite3_stmt *st, const void *row)
{
	const struct store_lun *l = row;

	db_bind_text(st, 1, l->target);
	sqlite3_bind_int64(st, 2, l->lun);
	db_bind_text_null(st, 3, l->image);
	db_bind_text_null(st, 4, l->device);
	db_bind_text(st, 5, l->backend[0] ? l->backend : "fileio");
	sqlite3_bind_int(st, 6, l->direct);
	sqlite3_bind_int64(st, 7, l->block_size ? l->block_size : 512);
	db_bind_text(st, 8, l->serial);
	sqlite3_bind_int64(st, 9, (int64_t)l->naa);
}

int store_naa_generate(uint64_t *naa)
{
	uint64_t r;
	int err = random_bytes(&r, sizeof(r));

	if (err)
		return err;
	*naa = (UINT64_C(0x5) << 60) | ((uint64_t)STORE_NAA_OUI << 36) |
	       (r & ((UINT64_C(1) << 36) - 1));
	return 0;
}

int store_lun_list(struct store *s, const char *target, struct store_lun **out, size_t *n)
{
	if (!target)
		return db_rows(s, "SELECT " LUN_COLS " FROM luns ORDER BY target, lun", DB_NO_ARGS,
			       sizeof(**out), read_lun, (void **)out, n);
	return db_rows(s, "SELECT " LUN_COLS " FROM luns WHERE target = ?1 ORDER BY lun",
		       DB_ARGS(DB_TEXT(target)), sizeof(**out), read_lun, (void **)out, n);
}

int store_lun_get(struct store *s, const char *target, uint32_t lun, struct store_lun *out)
{
	return db_row(s, "SELECT " LUN_COLS " FROM luns WHERE target = ?1 AND lun = ?2",
		      DB_ARGS(DB_TEXT(target), DB_INT(lun)), sizeof(*out), read_lun, out);
}

int store_lun_create(struct store *s, struct store_lun *l)
{
	int err = lun_bad(l);

	if (err)
		return err;
	if (!l->serial[0] && (err = random_hex(l->serial, 8)))
		return err;
	if (!l->naa && (err = store_naa_generate(&l->naa)))
		return err;
	return db_insert_row(s, "INSERT INTO luns (" LUN_COLS ") VALUES "
			     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", bind_lun, l, -EINVAL);
}

int store_lun_update(struct store *s, const struct store_lun *l)
{
	/* serial and naa (?8, ?9) never change. */
	return lun_bad(l) ?:
	       db_update_row(s, "UPDATE luns SET image = ?3, device = ?4, backend = ?5, "
			     "direct = ?6, block_size = ?7 WHERE target = ?1 AND lun = ?2 "
			     "AND ?8 = ?8 AND ?9 = ?9", bind_lun, l, -EINVAL);
}

int store_lun_delete(struct store *s, const char *target, uint32_t lun)
{
	return db_write_one(s, "DELETE FROM luns WHERE target = ?1 AND lun = ?2",
			    DB_ARGS(DB_TEXT(target), DB_INT(lun)), -EBUSY);
}

/* ---- acls ---- */

#define ACL_COLS "target, initiator, chap_user, chap_secret"

static void read_acl(sqlite3_stmt *st, void *row)
{
	struct store_acl *a = row;

	db_col_text(st, 0, a->target, sizeof(a->target));
	db_col_text(st, 1, a->initiator, sizeof(a->initiator));
	db_col_text(st, 2, a->chap_user, sizeof(a->chap_user));
	db_col_text(st, 3, a->chap_secret, sizeof(a->chap_secret));
}

static void bind_acl(sqlite3_stmt *st, const void *row)
{
	const struct store_acl *a = row;

	db_bind_text(st, 1, a->target);
	db_bind_text(st, 2, a->initiator);
	db_bind_text(st, 3, a->chap_user);
	db_bind_text(st, 4, a->chap_secret);
}

static int acl_bad(const struct store_acl *a)
{
	if (!FITS(a->target) || !FITS(a->initiator) || !FITS(a->chap_user) ||
	    !FITS(a->chap_secret))
		return -E2BIG;
	return 0;
}

int store_acl_list(struct store *s, const char *target, struct store_acl **out, size_t *n)
{
	if (!target)
		return db_rows(s, "SELECT " ACL_COLS " FROM acls ORDER BY target, initiator",
			       DB_NO_ARGS, sizeof(**out), read_acl, (void **)out, n);
	return db_rows(s, "SELECT " ACL_COLS " FROM acls WHERE target = ?1 ORDER BY initiator",
		       DB_ARGS(DB_TEXT(target)), sizeof(**out), read_acl, (void **)out, n);
}

int store_acl_get(struct store *s, const char *target, const char *initiator,
		  struct store_acl *out)
{
	return db_row(s, "SELECT " ACL_COLS " FROM acls WHERE target = ?1 AND initiator = ?2",
		      DB_ARGS(DB_TEXT(target), DB_TEXT(initiator)), sizeof(*out), read_acl, out);
}

int store_acl_create(struct store *s, const struct store_acl *a)
{
	return acl_bad(a) ?:
	       db_insert_row(s, "INSERT INTO acls (" ACL_COLS ") VALUES (?1, ?2, ?3, ?4)",
			     bind_acl, a, -EINVAL);
}

int store_acl_update(struct store *s, const struct store_acl *a)
{
	return acl_bad(a) ?:
	       db_update_row(s, "UPDATE acls SET chap_user = ?3, chap_secret = ?4 "
			     "WHERE target = ?1 AND initiator = ?2", bind_acl, a, -EINVAL);
}

int store_acl_delete(struct store *s, const char *target, const char *initiator)
{
	return db_write_one(s, "DELETE FROM acls WHERE target = ?1 AND initiator = ?2",
			    DB_ARGS(DB_TEXT(target), DB_TEXT(initiator)), -EINVAL);
}

/* ---- jobs ---- */

#define JOB_COLS "id, kind, subject, state, progress, error, created, finished"

static void read_job(sqlite3_stmt *st, void *row)
{
	struct store_job *j = row;

	j->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, j->kind, sizeof(j->kind));
	db_col_text(st, 2, j->subject, sizeof(j->subject));
	db_col_text(st, 3, j->state, sizeof(j->state));
	j->progress = sqlite3_column_int(st, 4);
	db_col_text(st, 5, j->error, sizeof(j->error));
	j->created = sqlite3_column_int64(st, 6);
	j->finished = sqlite3_column_int64(st, 7);
}

int store_job_list(struct store *s, struct store_job **out, size_t *n)
{
	return db_rows(s, "SELECT " JOB_COLS " FROM jobs ORDER BY id", DB_NO_ARGS,
		       sizeof(**out), read_job, (void **)out, n);
}

int store_job_page(struct store *s, int64_t after, int limit, struct store_job **out, size_t *n)
{
	return db_rows(s, "SELECT " JOB_COLS " FROM jobs WHERE id > ?1 ORDER BY id LIMIT ?2",
		       DB_ARGS(DB_INT(after), DB_INT(limit)), sizeof(**out), read_job,
		       (void **)out, n);
}

/* Keeps the newest STORE_JOB_KEEP finished jobs and every unfinished one. Under lock. */
static void job_prune(struct store *s)
{
	sqlite3_stmt *st = db_prep(s, "DELETE FROM jobs WHERE state IN ('done', 'failed') AND id <= "
				   "(SELECT id FROM jobs WHERE state IN ('done', 'failed') "
				   "ORDER BY id DESC LIMIT 1 OFFSET ?1)");

	if (st) {
		sqlite3_bind_int(st, 1, STORE_JOB_KEEP);
		db_exec(s, st, -EINVAL);
	}
}

int store_job_get(struct store *s, int64_t id, struct store_job *out)
{
	return db_row(s, "SELECT " JOB_COLS " FROM jobs WHERE id = ?1", DB_ARGS(DB_INT(id)),
		      sizeof(*out), read_job, out);
}

int store_job_create(struct store *s, const char *kind, const char *subject, int64_t *id)
{
	sqlite3_stmt *st;
	int err = -EIO;

	if (strlen(kind) >= sizeof(((struct store_job *)0)->kind) ||
	    strlen(subject) >= sizeof(((struct store_job *)0)->subject))
		return -E2BIG;
	db_lock(s);
	st = db_prep(s, "INSERT INTO jobs (kind, subject, state, created) VALUES (?1, ?2, 'queued', ?3)");
	if (st) {
		db_bind_text(st, 1, kind);
		db_bind_text(st, 2, subject);
		sqlite3_bind_int64(st, 3, now_wall());
		err = db_exec(s, st, -EINVAL);
		if (!err)
			*id = sqlite3_last_insert_rowid(db_conn(s)->db);
	}
	db_unlock(s);
	return err;
}

int store_job_update(struct store *s, int64_t id, const char *state, int progress,
		     const char *error)
{
	char e[256];
	sqlite3_stmt *st;
	int err = -EIO;
	bool fin = !strcmp(state, "done") || !strcmp(state, "failed");

	/* An over-long error message is cut, not refused. */
	snprintf(e, sizeof(e), "%s", error ? error : "");
	db_lock(s);
	st = db_prep(s, "UPDATE jobs SET state = ?2, progress = ?3, error = ?4, "
		     "finished = CASE WHEN ?5 THEN ?6 ELSE finished END WHERE id = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		db_bind_text(st, 2, state);
		sqlite3_bind_int(st, 3, progress);
		db_bind_text(st, 4, e);
		sqlite3_bind_int(st, 5, fin);
		sqlite3_bind_int64(st, 6, now_wall());
		err = db_exec_one(s, st, -EINVAL);
	}
	if (!err && fin)
		job_prune(s);
	db_unlock(s);
	return err;
}

int store_job_fail_unfinished(struct store *s, const char *why, int64_t *n)
{
	sqlite3_stmt *st;
	int err = -EIO;

	db_lock(s);
	st = db_prep(s, "UPDATE jobs SET state = 'failed', error = substr(?1, 1, 255), finished = ?2 "
		     "WHERE state IN ('queued', 'running')");
	if (st) {
		db_bind_text(st, 1, why);
		sqlite3_bind_int64(st, 2, now_wall());
		err = db_exec(s, st, -EINVAL);
		if (!err && n)
			*n = sqlite3_changes(db_conn(s)->db);
	}
	if (!err)
		job_prune(s);
	db_unlock(s);
	return err;
}
