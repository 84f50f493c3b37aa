// SPDX-License-Identifier: GPL-2.0
/* The store's connections, its helpers and its transactions; see db.h. */
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

/*
 * This thread's read snapshot (store_read_begin()): its calls to that
 * store run on the thread's own connection without the store lock, so
 * script renders on several threads neither wait for each other nor for a
 * writer. The thread keeps its connection while the store is open.
 */
static __thread struct {
	uint64_t store_id;	/* whose connection @reader is */
	struct conn *reader;
	struct store *in;	/* the store of the open snapshot, or NULL */
	int depth;
} snap;

/*
 * This thread's write transaction (store_tx_begin()): it holds the store
 * lock from begin to end, and its calls on that store run on the main
 * connection without taking the lock again.
 */
static __thread struct store *tx_in;

/* The connection a call on @s uses from this thread: a transaction's is the main one. */
struct conn *db_conn(struct store *s)
{
	return snap.in == s ? snap.reader : &s->main;
}

void db_lock(struct store *s)
{
	if (snap.in != s && tx_in != s)
		pthread_mutex_lock(&s->lock);
}

void db_unlock(struct store *s)
{
	if (snap.in != s && tx_in != s)
		pthread_mutex_unlock(&s->lock);
}

/* The cached statement for @sql (a string literal), reset; NULL on error. */
sqlite3_stmt *db_prep(struct store *s, const char *sql)
{
	struct conn *c = db_conn(s);
	sqlite3_stmt *st;

	for (int i = 0; i < c->ncache; i++)
		if (c->cache[i].sql == sql)
			return c->cache[i].st;
	if (c->ncache == STMT_CACHE) {
		log_err("store: statement cache full");
		return NULL;
	}
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		log_err("store: prepare '%s': %s", sql, sqlite3_errmsg(c->db));
		return NULL;
	}
	c->cache[c->ncache].sql = sql;
	c->cache[c->ncache].st = st;
	c->ncache++;
	return st;
}

void db_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* An errno for a failed sqlite3_step. @fk: the errno of a foreign key failure. */
int db_errno(struct store *s, int rc, int fk)
{
	int ext = sqlite3_extended_errcode(db_conn(s)->db);

	(void)rc;
	switch (ext) {
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_UNIQUE:
		return -EEXIST;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
	case SQLITE_CONSTRAINT_TRIGGER:	/* ON DELETE RESTRICT reports this */
		return fk;
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_NOTNULL:
		log_debug("store: %s", sqlite3_errmsg(db_conn(s)->db));
		return -EINVAL;
	default:
		if ((ext & 0xff) == SQLITE_CONSTRAINT) {
			log_debug("store: %s", sqlite3_errmsg(db_conn(s)->db));
			return -EINVAL;
		}
		log_err("store: %s (%d/%d)", sqlite3_errmsg(db_conn(s)->db), rc, ext);
		return -EIO;
	}
}

/* Run a statement that returns no rows. */
int db_exec(struct store *s, sqlite3_stmt *st, int fk)
{
	int rc = sqlite3_step(st);
	int err = 0;

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = db_errno(s, rc, fk);
	db_done(st);
	return err;
}

/* Run an UPDATE or DELETE of one keyed row: -ENOENT when none changed. */
int db_exec_one(struct store *s, sqlite3_stmt *st, int fk)
{
	int err = db_exec(s, st, fk);

	if (!err && sqlite3_changes(db_conn(s)->db) == 0)
		err = -ENOENT;
	return err;
}

void db_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* "" is stored as NULL (columns with a foreign key or "one of" rules). */
void db_bind_text_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

void db_col_text(sqlite3_stmt *st, int i, char *buf, size_t size)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	size_t n = t ? strlen((const char *)t) : 0;

	if (n >= size)
		n = size - 1;	/* the schema's checks make this unreachable */
	if (n)
		memcpy(buf, t, n);
	buf[n] = '\0';
}

/* Every string field of a struct must hold a NUL within its size. */
bool db_fits(const char *buf, size_t size)
{
	return memchr(buf, '\0', size) != NULL;
}

/* Read all rows of a bound statement into a new array. */
int db_list_rows(struct store *s, sqlite3_stmt *st, size_t elem, db_row_reader read,
		     void **out, size_t *n)
{
	char *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			char *nv = realloc(v, ncap * elem);

			if (!nv) {
				free(v);
				db_done(st);
				return -ENOMEM;
			}
			v = nv;
			cap = ncap;
		}
		memset(v + cnt * elem, 0, elem);
		read(st, v + cnt * elem);
		cnt++;
	}
	if (rc != SQLITE_DONE) {
		int err = db_errno(s, rc, -EIO);

		free(v);
		db_done(st);
		return err;
	}
	db_done(st);
	*out = v;
	*n = cnt;
	return 0;
}

/* Read the one row of a bound statement: 0, -ENOENT or an error. */
int db_get_row(struct store *s, sqlite3_stmt *st, size_t elem, db_row_reader read, void *out)
{
	int rc = sqlite3_step(st);
	int err = 0;

	if (rc == SQLITE_ROW) {
		memset(out, 0, elem);
		read(st, out);
	} else if (rc == SQLITE_DONE) {
		err = -ENOENT;
	} else {
		err = db_errno(s, rc, -EIO);
	}
	db_done(st);
	return err;
}

static void bind_args(sqlite3_stmt *st, const struct db_arg *args, size_t nargs)
{
	for (size_t i = 0; i < nargs; i++) {
		int at = (int)i + 1;

		switch (args[i].kind) {
		case DB_ARG_TEXT:
			db_bind_text(st, at, args[i].text);
			break;
		case DB_ARG_TEXT_OR_NULL:
			db_bind_text_null(st, at, args[i].text);
			break;
		case DB_ARG_INT:
			sqlite3_bind_int64(st, at, args[i].num);
			break;
		}
	}
}

/* With the lock taken: @sql prepared, its parameters bound. NULL (and unlocked) on error. */
static sqlite3_stmt *lock_prep(struct store *s, const char *sql, const struct db_arg *args,
			       size_t nargs)
{
	sqlite3_stmt *st;

	db_lock(s);
	st = db_prep(s, sql);
	if (!st) {
		db_unlock(s);
		return NULL;
	}
	bind_args(st, args, nargs);
	return st;
}

int db_rows(struct store *s, const char *sql, const struct db_arg *args, size_t nargs,
	    size_t elem, db_row_reader read, void **out, size_t *n)
{
	sqlite3_stmt *st = lock_prep(s, sql, args, nargs);
	int err;

	if (!st)
		return -EIO;
	err = db_list_rows(s, st, elem, read, out, n);
	db_unlock(s);
	return err;
}

int db_row(struct store *s, const char *sql, const struct db_arg *args, size_t nargs,
	   size_t elem, db_row_reader read, void *out)
{
	sqlite3_stmt *st = lock_prep(s, sql, args, nargs);
	int err;

	if (!st)
		return -EIO;
	err = db_get_row(s, st, elem, read, out);
	db_unlock(s);
	return err;
}

static void read_int64(sqlite3_stmt *st, void *row)
{
	*(int64_t *)row = sqlite3_column_int64(st, 0);
}

int db_count(struct store *s, const char *sql, const struct db_arg *args, size_t nargs,
	     int64_t *count)
{
	return db_row(s, sql, args, nargs, sizeof(*count), read_int64, count);
}

/*
 * The writes: @sql with @args bound, then every column of @row by @bind
 * (when given); @exec is db_exec, or db_exec_one for one keyed row.
 */
static int write_stmt(struct store *s, const char *sql, const struct db_arg *args, size_t nargs,
		      db_row_binder bind, const void *row, int fk,
		      int (*exec)(struct store *, sqlite3_stmt *, int))
{
	sqlite3_stmt *st = lock_prep(s, sql, args, nargs);
	int err;

	if (!st)
		return -EIO;
	if (bind)
		bind(st, row);
	err = exec(s, st, fk);
	db_unlock(s);
	return err;
}

int db_write(struct store *s, const char *sql, const struct db_arg *args, size_t nargs, int fk)
{
	return write_stmt(s, sql, args, nargs, NULL, NULL, fk, db_exec);
}

int db_write_one(struct store *s, const char *sql, const struct db_arg *args, size_t nargs,
		 int fk)
{
	return write_stmt(s, sql, args, nargs, NULL, NULL, fk, db_exec_one);
}

int db_insert_row(struct store *s, const char *sql, db_row_binder bind, const void *row, int fk)
{
	return write_stmt(s, sql, DB_NO_ARGS, bind, row, fk, db_exec);
}

int db_update_row(struct store *s, const char *sql, db_row_binder bind, const void *row, int fk)
{
	return write_stmt(s, sql, DB_NO_ARGS, bind, row, fk, db_exec_one);
}

void db_conn_close(struct conn *c)
{
	for (int i = 0; i < c->ncache; i++)
		sqlite3_finalize(c->cache[i].st);
	sqlite3_close(c->db);
}
/* This thread's read-only connection to @s, opened at its first snapshot. */
static struct conn *reader_of(struct store *s)
{
	struct conn *c;

	if (snap.store_id == s->id)
		return snap.reader;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (sqlite3_open_v2(s->path, &c->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		log_err("store: a read connection: %s",
			c->db ? sqlite3_errmsg(c->db) : "out of memory");
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, 5000);
	pthread_mutex_lock(&s->readers_lock);
	if (s->nreaders == MAX_READERS) {
		pthread_mutex_unlock(&s->readers_lock);
		sqlite3_close(c->db);
		free(c);
		return NULL;
	}
	s->readers[s->nreaders++] = c;
	pthread_mutex_unlock(&s->readers_lock);
	snap.store_id = s->id;
	snap.reader = c;
	return c;
}

void store_read_begin(struct store *s)
{
	struct conn *c;
	sqlite3_stmt *st;

	if (snap.in == s) {
		snap.depth++;
		return;
	}
	if (snap.in)	/* one store at a time; the other's calls go as usual */
		return;
	c = reader_of(s);
	if (!c)
		return;	/* no snapshot: each call on the main connection, as usual */
	snap.in = s;
	snap.depth = 1;
	/* Deferred: the first SELECT takes the WAL read lock, once. */
	st = db_prep(s, "BEGIN");
	if (st)
		db_exec(s, st, -EIO);
}

void store_read_end(struct store *s)
{
	sqlite3_stmt *st;

	if (snap.in != s || --snap.depth)
		return;
	if (sqlite3_get_autocommit(snap.reader->db) == 0) {
		st = db_prep(s, "COMMIT");
		if (st)
			db_exec(s, st, -EIO);
	}
	snap.in = NULL;
}

/* ---- write transactions ---- */

int store_tx_begin(struct store *s)
{
	sqlite3_stmt *st;
	int err;

	if (tx_in || snap.in)
		return -EDEADLK;	/* not nested, and no write inside a snapshot */
	pthread_mutex_lock(&s->lock);
	tx_in = s;
	st = db_prep(s, "BEGIN IMMEDIATE");
	err = st ? db_exec(s, st, -EIO) : -EIO;
	if (err) {
		tx_in = NULL;
		pthread_mutex_unlock(&s->lock);
	}
	return err;
}

/* End this thread's transaction on @s with @sql ("COMMIT" or "ROLLBACK"). */
static int tx_end(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int err;

	if (tx_in != s)
		return -EINVAL;
	st = db_prep(s, sql);
	err = st ? db_exec(s, st, -EIO) : -EIO;
	/* A commit that failed leaves nothing half-written. */
	if (err && !sqlite3_get_autocommit(s->main.db))
		sqlite3_exec(s->main.db, "ROLLBACK", NULL, NULL, NULL);
	tx_in = NULL;
	pthread_mutex_unlock(&s->lock);
	return err;
}

int store_tx_commit(struct store *s)
{
	return tx_end(s, "COMMIT");
}

void store_tx_rollback(struct store *s)
{
	tx_end(s, "ROLLBACK");
}
