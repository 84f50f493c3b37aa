// SPDX-License-Identifier: GPL-2.0
/* The boot service's rows: settings, clients and profiles; see store.h. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "lib/log.h"
#include "lib/util.h"
#include "store.h"

/* ---- settings ---- */

int store_setting_get(struct store *s, const char *key, char *value, size_t size)
{
	sqlite3_stmt *st;
	int err = -EIO, rc;

	db_lock(s);
	st = db_prep(s, "SELECT value FROM settings WHERE key = ?1");
	if (st) {
		db_bind_text(st, 1, key);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(st, 0);

			err = str_copy(value, size, t ? (const char *)t : "");
		} else {
			err = rc == SQLITE_DONE ? -ENOENT : db_errno(s, rc, -EIO);
		}
		db_done(st);
	}
	db_unlock(s);
	return err;
}

int store_setting_set(struct store *s, const char *key, const char *value)
{
	if (strlen(key) > 128 || strlen(value) > 4096)
		return -E2BIG;
	return db_write(s, "INSERT INTO settings (key, value) VALUES (?1, ?2) "
			"ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			DB_ARGS(DB_TEXT(key), DB_TEXT(value)), -EINVAL);
}

int store_setting_delete(struct store *s, const char *key)
{
	return db_write_one(s, "DELETE FROM settings WHERE key = ?1", DB_ARGS(DB_TEXT(key)),
			    -EINVAL);
}

/* ---- clients ---- */

#define CLIENT_COLS "name, uuid, macs, serial, profile, image, labels, state, created, origin"

static void read_client(sqlite3_stmt *st, void *row)
{
	struct store_client *c = row;

	db_col_text(st, 0, c->name, sizeof(c->name));
	db_col_text(st, 1, c->uuid, sizeof(c->uuid));
	db_col_text(st, 2, c->macs, sizeof(c->macs));
	db_col_text(st, 3, c->serial, sizeof(c->serial));
	db_col_text(st, 4, c->profile, sizeof(c->profile));
	db_col_text(st, 5, c->image, sizeof(c->image));
	db_col_text(st, 6, c->labels, sizeof(c->labels));
	db_col_text(st, 7, c->state, sizeof(c->state));
	c->created = sqlite3_column_int64(st, 8);
	db_col_text(st, 9, c->origin, sizeof(c->origin));
}

static int client_bad(const struct store_client *c)
{
	if (!FITS(c->name) || !FITS(c->uuid) || !FITS(c->macs) || !FITS(c->serial) ||
	    !FITS(c->profile) || !FITS(c->image) || !FITS(c->labels) || !FITS(c->state) ||
	    !FITS(c->origin))
		return -E2BIG;
	return 0;
}

static void bind_client(sqlite3_stmt *st, const void *row)
{
	const struct store_client *c = row;

	db_bind_text(st, 1, c->name);
	db_bind_text(st, 2, c->uuid);
	db_bind_text(st, 3, c->macs[0] ? c->macs : "[]");
	db_bind_text(st, 4, c->serial);
	db_bind_text(st, 5, c->profile);
	db_bind_text(st, 6, c->image);
	db_bind_text(st, 7, c->labels[0] ? c->labels : "{}");
	db_bind_text(st, 8, c->state[0] ? c->state : "pending");
	sqlite3_bind_int64(st, 9, c->created ? c->created : now_wall());
	db_bind_text(st, 10, c->origin[0] ? c->origin : "api");
}

int store_client_list(struct store *s, struct store_client **out, size_t *n)
{
	return db_rows(s, "SELECT " CLIENT_COLS " FROM clients ORDER BY name", DB_NO_ARGS,
		       sizeof(**out), read_client, (void **)out, n);
}

int store_client_page(struct store *s, const char *after, int limit,
		      struct store_client **out, size_t *n)
{
	return db_rows(s, "SELECT " CLIENT_COLS " FROM clients WHERE name > ?1 ORDER BY name "
		       "LIMIT ?2", DB_ARGS(DB_TEXT(after ? after : ""), DB_INT(limit)),
		       sizeof(**out), read_client, (void **)out, n);
}

int store_client_find(struct store *s, const char *mac, const char *uuid_a, const char *uuid_b,
		      const char *serial, struct store_client *out)
{
	/* macs is a JSON array of normalised MACs: a quoted MAC is an element. */
	return db_row(s, "SELECT " CLIENT_COLS " FROM clients WHERE "
		      "(?1 <> '' AND instr(macs, '\"' || ?1 || '\"') > 0) OR "
		      "(uuid <> '' AND uuid IN (?2, ?3)) OR (?4 <> '' AND serial = ?4) "
		      "ORDER BY name LIMIT 1",
		      DB_ARGS(DB_TEXT(mac), DB_TEXT(uuid_a), DB_TEXT(uuid_b), DB_TEXT(serial)),
		      sizeof(*out), read_client, out);
}

int store_client_get(struct store *s, const char *name, struct store_client *out)
{
	return db_row(s, "SELECT " CLIENT_COLS " FROM clients WHERE name = ?1",
		      DB_ARGS(DB_TEXT(name)), sizeof(*out), read_client, out);
}

int store_client_create(struct store *s, const struct store_client *c)
{
	return client_bad(c) ?:
	       db_insert_row(s, "INSERT INTO clients (" CLIENT_COLS ") VALUES "
			     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", bind_client, c, -EINVAL);
}

int store_client_update(struct store *s, const struct store_client *c)
{
	return client_bad(c) ?:
	       db_update_row(s, "UPDATE clients SET uuid = ?2, macs = ?3, serial = ?4, "
			     "profile = ?5, image = ?6, labels = ?7, state = ?8 WHERE name = ?1 "
			     "AND ?9 = ?9 AND ?10 = ?10", bind_client, c, -EINVAL);
}

int store_client_delete(struct store *s, const char *name)
{
	return db_write_one(s, "DELETE FROM clients WHERE name = ?1", DB_ARGS(DB_TEXT(name)),
			    -EBUSY);
}

/* ---- profiles ---- */

#define PROFILE_COLS "name, kind, body"

static void read_profile(sqlite3_stmt *st, void *row)
{
	struct store_profile *p = row;

	db_col_text(st, 0, p->name, sizeof(p->name));
	db_col_text(st, 1, p->kind, sizeof(p->kind));
	db_col_text(st, 2, p->body, sizeof(p->body));
}

static void bind_profile(sqlite3_stmt *st, const void *row)
{
	const struct store_profile *p = row;

	db_bind_text(st, 1, p->name);
	db_bind_text(st, 2, p->kind);
	db_bind_text(st, 3, p->body[0] ? p->body : "{}");
}

static int profile_bad(const struct store_profile *p)
{
	if (!FITS(p->name) || !FITS(p->kind) || !FITS(p->body))
		return -E2BIG;
	return 0;
}

int store_profile_list(struct store *s, struct store_profile **out, size_t *n)
{
	return db_rows(s, "SELECT " PROFILE_COLS " FROM profiles ORDER BY name", DB_NO_ARGS,
		       sizeof(**out), read_profile, (void **)out, n);
}

int store_profile_get(struct store *s, const char *name, struct store_profile *out)
{
	return db_row(s, "SELECT " PROFILE_COLS " FROM profiles WHERE name = ?1",
		      DB_ARGS(DB_TEXT(name)), sizeof(*out), read_profile, out);
}

int store_profile_create(struct store *s, const struct store_profile *p)
{
	return profile_bad(p) ?:
	       db_insert_row(s, "INSERT INTO profiles (" PROFILE_COLS ") VALUES (?1, ?2, ?3)",
			     bind_profile, p, -EINVAL);
}

int store_profile_update(struct store *s, const struct store_profile *p)
{
	return profile_bad(p) ?:
	       db_update_row(s, "UPDATE profiles SET kind = ?2, body = ?3 WHERE name = ?1",
			     bind_profile, p, -EINVAL);
}

int store_profile_delete(struct store *s, const char *name)
{
	return db_write_one(s, "DELETE FROM profiles WHERE name = ?1", DB_ARGS(DB_TEXT(name)),
			    -EBUSY);
}
