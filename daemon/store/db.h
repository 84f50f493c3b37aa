/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the store (store/ only): the SQLite connections and the helpers
 * every table's file uses. One connection, serialised by a mutex;
 * statements are prepared once and cached by the address of their SQL
 * text. Read snapshots (one read-only connection per thread) and the boot
 * history writer have their own. A write transaction (store.h) holds the
 * mutex from its begin to its end, on the main connection.
 */
#ifndef BOOTSAND_STORE_DB_H
#define BOOTSAND_STORE_DB_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct store_boot;

#define STMT_CACHE 128

/*
 * Boot history is written in batches: a boot storm fetches a script per
 * client, and one transaction per fetch would serialise the storm on the
 * WAL. Rows go to @rows[@filling]; the writer thread swaps the two arrays
 * and inserts the full one in one transaction while new rows go to the
 * other. A write in progress does not block queueing.
 */
struct boot_queue {
	/*
	 * The writer's own connection: its transactions and the checkpoints
	 * they trigger (with their fsync) do not hold the store lock that
	 * every script render takes. Used under write_lock only.
	 */
	sqlite3 *db;
	sqlite3_stmt *insert;
	sqlite3_stmt *prune_client, *prune_span, *prune_total;
	int keep_client, keep_total;	/* the history's bounds; under write_lock */
	pthread_mutex_t lock;		/* rows, n, filling, stop, idle */
	pthread_cond_t wake;
	pthread_mutex_t write_lock;	/* one batch written at a time, in order */
	struct store_boot *rows[2];
	size_t n;
	int filling;
	bool stop, idle;
	bool running;
	pthread_t writer;
};

/* A connection and the statements prepared on it. */
struct conn {
	sqlite3 *db;
	int ncache;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
};

/* Threads that take read snapshots: each its own read-only connection. */
#define MAX_READERS 64

struct store {
	struct conn main;	/* every call outside a read snapshot, under lock */
	pthread_mutex_t lock;
	char *path;
	uint64_t id;		/* unique per store_open(), for the readers' cache */
	pthread_mutex_t readers_lock;
	int nreaders;
	struct conn *readers[MAX_READERS];
	int version;
	struct boot_queue boots;
};

/* The connection a call on @s uses from this thread. */
struct conn *db_conn(struct store *s);
void db_conn_close(struct conn *c);

/* Taken around every call, unless this thread is in a snapshot or a transaction of @s. */
void db_lock(struct store *s);
void db_unlock(struct store *s);

/* The cached statement for @sql (a string literal), reset; NULL on error. */
sqlite3_stmt *db_prep(struct store *s, const char *sql);
void db_done(sqlite3_stmt *st);
/* An errno for a failed sqlite3_step. @fk: the errno of a foreign key failure. */
int db_errno(struct store *s, int rc, int fk);
/* Run a statement that returns no rows. */
int db_exec(struct store *s, sqlite3_stmt *st, int fk);
/* Run an UPDATE or DELETE of one keyed row: -ENOENT when none changed. */
int db_exec_one(struct store *s, sqlite3_stmt *st, int fk);
void db_bind_text(sqlite3_stmt *st, int i, const char *v);
/* "" is stored as NULL (columns with a foreign key or "one of" rules). */
void db_bind_text_null(sqlite3_stmt *st, int i, const char *v);
void db_col_text(sqlite3_stmt *st, int i, char *buf, size_t size);
/* Every string field of a struct must hold a NUL within its size. */
bool db_fits(const char *buf, size_t size);
#define FITS(f) db_fits((f), sizeof(f))

typedef void (*db_row_reader)(sqlite3_stmt *st, void *row);
int db_list_rows(struct store *s, sqlite3_stmt *st, size_t elem, db_row_reader read,
		     void **out, size_t *n);
int db_get_row(struct store *s, sqlite3_stmt *st, size_t elem, db_row_reader read, void *out);
int db_list_all(struct store *s, const char *sql, size_t elem, db_row_reader read,
		    void **out, size_t *n);
int db_get_by_key(struct store *s, const char *sql, const char *key, size_t elem,
		      db_row_reader read, void *out);
int db_delete_by_key(struct store *s, const char *sql, const char *key);

#endif /* BOOTSAND_STORE_DB_H */
