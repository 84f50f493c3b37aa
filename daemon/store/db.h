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

/* Reads the current row of @st into @row (zeroed), one function a table. */
typedef void (*db_row_reader)(sqlite3_stmt *st, void *row);
/* Binds every column of @row, as ?1, ?2, ... in its table's column order. */
typedef void (*db_row_binder)(sqlite3_stmt *st, const void *row);

/* A value for a ?N parameter: DB_TEXT, DB_TEXT_OR_NULL ("" as NULL) or DB_INT. */
struct db_arg {
	enum { DB_ARG_TEXT, DB_ARG_TEXT_OR_NULL, DB_ARG_INT } kind;
	const char *text;
	int64_t num;
};
#define DB_TEXT(v)		((struct db_arg){ .kind = DB_ARG_TEXT, .text = (v) })
#define DB_TEXT_OR_NULL(v)	((struct db_arg){ .kind = DB_ARG_TEXT_OR_NULL, .text = (v) })
#define DB_INT(v)		((struct db_arg){ .kind = DB_ARG_INT, .num = (int64_t)(v) })
/* The values of ?1, ?2, ... in order, as the (args, nargs) of the calls below. */
#define DB_ARGS(...)	(const struct db_arg[]){ __VA_ARGS__ }, \
			sizeof((const struct db_arg[]){ __VA_ARGS__ }) / sizeof(struct db_arg)
#define DB_NO_ARGS	NULL, 0

/* Read the rows of a bound statement into a new array, or its one row (-ENOENT: none). */
int db_list_rows(struct store *s, sqlite3_stmt *st, size_t elem, db_row_reader read,
		 void **out, size_t *n);
int db_get_row(struct store *s, sqlite3_stmt *st, size_t elem, db_row_reader read, void *out);

/*
 * The shapes every table's calls take, each under the lock (unless in this
 * thread's snapshot or transaction), @sql (a string literal) with its
 * parameters bound from @args; -EIO when it cannot be prepared:
 *   db_rows()        every row it returns, into a new array (a list or a page);
 *   db_row()         its one row, or -ENOENT;
 *   db_count()       the one integer it returns (count(*));
 *   db_write()       a statement that returns no rows;
 *   db_write_one()   an UPDATE or DELETE of one keyed row: -ENOENT when none changed;
 *   db_insert_row(), db_update_row()
 *                    the same with every column bound from @row by @bind.
 * @fk is the errno of a foreign key failure.
 */
int db_rows(struct store *s, const char *sql, const struct db_arg *args, size_t nargs,
	    size_t elem, db_row_reader read, void **out, size_t *n);
int db_row(struct store *s, const char *sql, const struct db_arg *args, size_t nargs,
	   size_t elem, db_row_reader read, void *out);
int db_count(struct store *s, const char *sql, const struct db_arg *args, size_t nargs,
	     int64_t *count);
int db_write(struct store *s, const char *sql, const struct db_arg *args, size_t nargs, int fk);
int db_write_one(struct store *s, const char *sql, const struct db_arg *args, size_t nargs,
		 int fk);
int db_insert_row(struct store *s, const char *sql, db_row_binder bind, const void *row, int fk);
int db_update_row(struct store *s, const char *sql, db_row_binder bind, const void *row, int fk);

#endif /* BOOTSAND_STORE_DB_H */
