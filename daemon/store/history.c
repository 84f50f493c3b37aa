// SPDX-License-Identifier: GPL-2.0
/*
 * The boot history: rows queued by the boot service and written in
 * batches by a writer thread on its own connection (struct boot_queue in
 * db.h); bounded per client and in all. See store.h.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"
#include "history.h"
#include "lib/log.h"
#include "lib/util.h"
#include "store.h"

/* Boot history rows waiting for the writer (see store_boot_queue()). */
#define BOOT_QUEUE_MAX 1024
/* How long the writer gathers rows before it writes them. */
#define BOOT_BATCH_MS 50

/* ---- boot history ---- */

#define BOOT_COLS "id, client, time, ip, firmware, what"

static void read_boot(sqlite3_stmt *st, void *row)
{
	struct store_boot *b = row;

	b->id = sqlite3_column_int64(st, 0);
	db_col_text(st, 1, b->client, sizeof(b->client));
	b->time = sqlite3_column_int64(st, 2);
	db_col_text(st, 3, b->ip, sizeof(b->ip));
	db_col_text(st, 4, b->firmware, sizeof(b->firmware));
	db_col_text(st, 5, b->what, sizeof(b->what));
}

static bool boot_fits(const struct store_boot *b)
{
	return FITS(b->client) && FITS(b->ip) && FITS(b->firmware) && FITS(b->what);
}

/* Insert one row; the caller holds the store lock. */
static int boot_insert(struct store *s, const struct store_boot *b, int64_t *id)
{
	sqlite3_stmt *st = db_prep(s, "INSERT INTO boot_history (client, time, ip, firmware, what) "
				   "VALUES (?1, ?2, ?3, ?4, ?5)");
	int err;

	if (!st)
		return -EIO;
	db_bind_text(st, 1, b->client);
	sqlite3_bind_int64(st, 2, b->time ? b->time : now_wall());
	db_bind_text(st, 3, b->ip);
	db_bind_text(st, 4, b->firmware);
	db_bind_text(st, 5, b->what);
	err = db_exec(s, st, -EINVAL);
	if (!err && id)
		*id = sqlite3_last_insert_rowid(db_conn(s)->db);
	return err;
}

/*
 * The history is bounded: a script fetch needs no token, so every fetch
 * of a known machine adds a row. Each client keeps its newest
 * keep_client rows (what the API shows), the table its newest keep_total.
 * Rows older than a client's keep_client-th newest go; nothing when it
 * has fewer (the subquery is NULL). The table's bound is checked cheaply
 * (the span of ids) before the exact count is spent.
 */
static const char sql_prune_client[] =
	"DELETE FROM boot_history WHERE client = ?1 AND (time, id) < "
	"(SELECT time, id FROM boot_history WHERE client = ?1 "
	"ORDER BY time DESC, id DESC LIMIT 1 OFFSET ?2)";
static const char sql_prune_span[] = "SELECT coalesce(max(id) - min(id), 0) FROM boot_history";
static const char sql_prune_total[] =
	"DELETE FROM boot_history WHERE id < "
	"(SELECT id FROM boot_history ORDER BY id DESC LIMIT 1 OFFSET ?1)";

/* Step a prepared statement of @db once; 0 or -EIO (logged). */
static int step_once(sqlite3 *db, sqlite3_stmt *st, int64_t *value)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW && value)
		*value = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_err("store: pruning the boot history: %s", sqlite3_errmsg(db));
		return -EIO;
	}
	return 0;
}

/* Keep the newest rows of @client (when not NULL), then of the table (when @keep_total). */
static int boot_prune_with(sqlite3 *db, sqlite3_stmt *by_client, sqlite3_stmt *span,
			   sqlite3_stmt *total, const char *client, int keep_client, int keep_total)
{
	int64_t ids = 0;
	int err = 0;

	if (client) {
		sqlite3_bind_text(by_client, 1, client, -1, SQLITE_STATIC);
		sqlite3_bind_int(by_client, 2, keep_client - 1);
		err = step_once(db, by_client, NULL);
	}
	if (!err && keep_total)
		err = step_once(db, span, &ids);
	if (!err && keep_total && ids >= keep_total) {
		sqlite3_bind_int(total, 1, keep_total - 1);
		err = step_once(db, total, NULL);
	}
	return err;
}

static int cmp_client(const void *a, const void *b)
{
	return strcmp((*(const struct store_boot *const *)a)->client,
		      (*(const struct store_boot *const *)b)->client);
}

/* The writer's pruning after a batch, once per client in it (in its transaction). */
static int writer_prune(struct boot_queue *q, struct store_boot *rows, size_t n)
{
	struct store_boot **by = malloc(n * sizeof(*by));
	int err = 0;

	if (!by)
		return -ENOMEM;
	if (!q->prune_client &&
	    (sqlite3_prepare_v3(q->db, sql_prune_client, -1, SQLITE_PREPARE_PERSISTENT,
				&q->prune_client, NULL) != SQLITE_OK ||
	     sqlite3_prepare_v3(q->db, sql_prune_span, -1, SQLITE_PREPARE_PERSISTENT,
				&q->prune_span, NULL) != SQLITE_OK ||
	     sqlite3_prepare_v3(q->db, sql_prune_total, -1, SQLITE_PREPARE_PERSISTENT,
				&q->prune_total, NULL) != SQLITE_OK)) {
		log_err("store: boot history writer: %s", sqlite3_errmsg(q->db));
		sqlite3_finalize(q->prune_client);
		sqlite3_finalize(q->prune_span);
		sqlite3_finalize(q->prune_total);
		q->prune_client = q->prune_span = q->prune_total = NULL;
		free(by);
		return -EIO;
	}
	for (size_t i = 0; i < n; i++)
		by[i] = &rows[i];
	qsort(by, n, sizeof(*by), cmp_client);
	for (size_t i = 0; i < n && !err; i++)
		if (i == 0 || strcmp(by[i]->client, by[i - 1]->client))
			err = boot_prune_with(q->db, q->prune_client, q->prune_span, q->prune_total,
					      by[i]->client, q->keep_client, 0);
	if (!err)
		err = boot_prune_with(q->db, q->prune_client, q->prune_span, q->prune_total, NULL,
				      q->keep_client, q->keep_total);
	free(by);
	return err;
}

static int writer_exec(struct boot_queue *q, const char *sql)
{
	if (sqlite3_exec(q->db, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	log_err("store: boot history writer: %s: %s", sql, sqlite3_errmsg(q->db));
	return -EIO;
}

/* One row on the writer's connection: 0, -EINVAL (no such client) or -EIO. */
static int writer_insert(struct boot_queue *q, const struct store_boot *b)
{
	sqlite3_stmt *st = q->insert;
	int rc, err = 0;

	sqlite3_bind_text(st, 1, b->client, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, b->time);
	sqlite3_bind_text(st, 3, b->ip, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, b->firmware, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, b->what, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		if (sqlite3_extended_errcode(q->db) == SQLITE_CONSTRAINT_FOREIGNKEY) {
			err = -EINVAL;
		} else {
			log_err("store: boot history writer: %s", sqlite3_errmsg(q->db));
			err = -EIO;
		}
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return err;
}

/*
 * Write every queued row, in queue order, in one transaction; the caller
 * holds write_lock. A row whose client was deleted meanwhile is dropped
 * (its history went with it).
 */
static void boot_flush_locked(struct store *s)
{
	struct boot_queue *q = &s->boots;
	struct store_boot *rows;
	size_t n, lost = 0;

	pthread_mutex_lock(&q->lock);
	rows = q->rows[q->filling];
	n = q->n;
	q->filling ^= 1;
	q->n = 0;
	pthread_mutex_unlock(&q->lock);
	if (!n)
		return;
	/* Prepared at first use: a test store of schema version 1 has no such table. */
	if (!q->insert &&
	    sqlite3_prepare_v3(q->db, "INSERT INTO boot_history (client, time, ip, firmware, what) "
			       "VALUES (?1, ?2, ?3, ?4, ?5)", -1, SQLITE_PREPARE_PERSISTENT,
			       &q->insert, NULL) != SQLITE_OK) {
		log_err("store: boot history writer: %s", sqlite3_errmsg(q->db));
		q->insert = NULL;
		lost = n;
	} else if (writer_exec(q, "BEGIN IMMEDIATE")) {
		lost = n;
	} else {
		for (size_t i = 0; i < n; i++) {
			int err = writer_insert(q, &rows[i]);

			if (err == -EINVAL)
				log_debug("store: boot history of %s dropped: no such client",
					  rows[i].client);
			else if (err)
				lost++;
		}
		writer_prune(q, rows, n);	/* logged; the rows are written all the same */
		if (writer_exec(q, "COMMIT")) {
			writer_exec(q, "ROLLBACK");
			lost = n;
		}
	}
	if (lost)
		log_err("store: %zu boot history rows not written", lost);
}

void boot_flush(struct store *s)
{
	pthread_mutex_lock(&s->boots.write_lock);
	boot_flush_locked(s);
	pthread_mutex_unlock(&s->boots.write_lock);
}

/*
 * The writer: once a row is queued, it lets more come for up to
 * BOOT_BATCH_MS (or until the queue is half full) and writes them all in
 * one transaction; until the store closes.
 */
static void *boot_writer(void *arg)
{
	struct store *s = arg;
	struct boot_queue *q = &s->boots;
	struct timespec until;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->n && !q->stop) {
			q->idle = true;
			pthread_cond_wait(&q->wake, &q->lock);
			q->idle = false;
		}
		if (!q->n && q->stop)
			break;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += BOOT_BATCH_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (q->n < BOOT_QUEUE_MAX / 2 && !q->stop &&
		       pthread_cond_timedwait(&q->wake, &q->lock, &until) == 0)
			;
		pthread_mutex_unlock(&q->lock);
		boot_flush(s);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

int boot_queue_start(struct store *s, const char *path, char *err, size_t errlen)
{
	struct boot_queue *q = &s->boots;
	pthread_condattr_t ca;
	sigset_t all, old;
	int rc;

	rc = sqlite3_open_v2(path, &q->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK ||
	    sqlite3_exec(q->db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL",
			 NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: boot history writer: %s", path,
			 q->db ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(q->db, 1);
	sqlite3_busy_timeout(q->db, 5000);
	q->keep_client = STORE_BOOT_KEEP;
	q->keep_total = STORE_BOOT_KEEP_TOTAL;
	q->rows[0] = calloc(BOOT_QUEUE_MAX, sizeof(*q->rows[0]));
	q->rows[1] = calloc(BOOT_QUEUE_MAX, sizeof(*q->rows[1]));
	if (!q->rows[0] || !q->rows[1]) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	pthread_mutex_init(&q->lock, NULL);
	pthread_mutex_init(&q->write_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->wake, &ca);
	pthread_condattr_destroy(&ca);
	/* The daemon takes its signals with sigwait(): none for this thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&q->writer, NULL, boot_writer, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		snprintf(err, errlen, "boot history writer: %s", strerror(rc));
		pthread_cond_destroy(&q->wake);
		pthread_mutex_destroy(&q->write_lock);
		pthread_mutex_destroy(&q->lock);
		goto fail;
	}
	q->running = true;
	return 0;
fail:
	free(q->rows[0]);
	free(q->rows[1]);
	q->rows[0] = q->rows[1] = NULL;
	sqlite3_close(q->db);
	q->db = NULL;
	return -1;
}

/* Stops the writer once everything queued is written. */
void boot_queue_stop(struct store *s)
{
	struct boot_queue *q = &s->boots;

	if (!q->running)
		return;
	pthread_mutex_lock(&q->lock);
	q->stop = true;
	pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->writer, NULL);
	boot_flush(s);
	sqlite3_finalize(q->insert);
	sqlite3_finalize(q->prune_client);
	sqlite3_finalize(q->prune_span);
	sqlite3_finalize(q->prune_total);
	sqlite3_close(q->db);
	pthread_cond_destroy(&q->wake);
	pthread_mutex_destroy(&q->write_lock);
	pthread_mutex_destroy(&q->lock);
	free(q->rows[0]);
	free(q->rows[1]);
	q->running = false;
}

int store_boot_queue(struct store *s, const struct store_boot *b)
{
	struct boot_queue *q = &s->boots;

	if (!boot_fits(b))
		return -E2BIG;
	pthread_mutex_lock(&q->lock);
	while (q->n == BOOT_QUEUE_MAX) {
		/* The writer is behind: write it here rather than drop a row. */
		pthread_mutex_unlock(&q->lock);
		boot_flush(s);
		pthread_mutex_lock(&q->lock);
	}
	q->rows[q->filling][q->n] = *b;
	if (!b->time)
		q->rows[q->filling][q->n].time = now_wall();
	q->n++;
	if (q->idle || q->n == BOOT_QUEUE_MAX / 2)
		pthread_cond_signal(&q->wake);
	pthread_mutex_unlock(&q->lock);
	return 0;
}

int store_boot_add(struct store *s, struct store_boot *b)
{
	int err;

	if (!boot_fits(b))
		return -E2BIG;
	/* After the queued rows, which happened before. */
	pthread_mutex_lock(&s->boots.write_lock);
	boot_flush_locked(s);
	db_lock(s);
	err = boot_insert(s, b, &b->id);
	if (!err) {
		sqlite3_stmt *by_client = db_prep(s, sql_prune_client), *span = db_prep(s, sql_prune_span);
		sqlite3_stmt *total = db_prep(s, sql_prune_total);

		if (by_client && span && total)
			boot_prune_with(db_conn(s)->db, by_client, span, total, b->client,
					s->boots.keep_client, s->boots.keep_total);
	}
	db_unlock(s);
	pthread_mutex_unlock(&s->boots.write_lock);
	return err;
}

void store_boot_set_limits(struct store *s, int per_client, int total)
{
	pthread_mutex_lock(&s->boots.write_lock);
	s->boots.keep_client = per_client > 0 ? per_client : STORE_BOOT_KEEP;
	s->boots.keep_total = total > 0 ? total : STORE_BOOT_KEEP_TOTAL;
	pthread_mutex_unlock(&s->boots.write_lock);
}

int store_boot_list(struct store *s, const char *client, int limit,
		    struct store_boot **out, size_t *n)
{
	boot_flush(s);
	return db_rows(s, "SELECT " BOOT_COLS " FROM boot_history WHERE client = ?1 "
		       "ORDER BY time DESC, id DESC LIMIT ?2",
		       DB_ARGS(DB_TEXT(client), DB_INT(limit)), sizeof(**out), read_boot,
		       (void **)out, n);
}

int store_boot_page(struct store *s, const char *client, int64_t before, int limit,
		    struct store_boot **out, size_t *n)
{
	boot_flush(s);
	if (!client)	/* every client's, for the dashboard's timeline */
		return db_rows(s, "SELECT " BOOT_COLS " FROM boot_history WHERE "
			       "(?1 = 0 OR id < ?1) ORDER BY id DESC LIMIT ?2",
			       DB_ARGS(DB_INT(before), DB_INT(limit)), sizeof(**out),
			       read_boot, (void **)out, n);
	return db_rows(s, "SELECT " BOOT_COLS " FROM boot_history WHERE client = ?1 AND "
		       "(?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3",
		       DB_ARGS(DB_TEXT(client), DB_INT(before), DB_INT(limit)), sizeof(**out),
		       read_boot, (void **)out, n);
}

int store_boot_prune(struct store *s, int keep)
{
	boot_flush(s);
	return db_write(s, "DELETE FROM boot_history WHERE id IN (SELECT id FROM "
			"(SELECT id, row_number() OVER (PARTITION BY client "
			"ORDER BY time DESC, id DESC) AS r FROM boot_history) WHERE r > ?1)",
			DB_ARGS(DB_INT(keep)), -EINVAL);
}
