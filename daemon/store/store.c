// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's state in SQLite; see store.h.
 *
 * One connection, serialised by a mutex; statements are prepared once and
 * cached by the address of their SQL text. Read snapshots (one read-only
 * connection per thread) and the boot history writer have their own. Each
 * schema version is one migration script applied in a transaction together
 * with the new number in schema_version, so a database is always at
 * exactly one version.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "lib/log.h"
#include "store.h"
#include "lib/util.h"

#define STMT_CACHE 128
/* Boot history rows waiting for the writer (see store_boot_queue()). */
#define BOOT_QUEUE_MAX 1024
/* How long the writer gathers rows before it writes them. */
#define BOOT_BATCH_MS 50

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

/* The connection a call on @s uses from this thread. */
static struct conn *conn(struct store *s)
{
	return snap.in == s ? snap.reader : &s->main;
}

/* Version 1: the SAN side. */
static const char schema_v1[] =
	"CREATE TABLE settings ("
	"  key TEXT PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 128),"
	"  value TEXT NOT NULL CHECK (length(value) <= 4096));"
	"CREATE TABLE portals ("
	"  address TEXT NOT NULL CHECK (length(address) BETWEEN 1 AND 45),"
	"  port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),"
	"  tpgt INTEGER NOT NULL DEFAULT 1 CHECK (tpgt BETWEEN 1 AND 65535),"
	"  PRIMARY KEY (address, port));"
	"CREATE TABLE images ("
	"  name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),"
	"  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),"
	"  created INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('ready', 'cloning')),"
	"  job INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE targets ("
	"  iqn TEXT PRIMARY KEY CHECK (length(iqn) BETWEEN 1 AND 223),"
	"  alias TEXT NOT NULL DEFAULT '' CHECK (length(alias) <= 255),"
	"  auth TEXT NOT NULL DEFAULT 'none' CHECK (auth IN ('none', 'chap', 'mutual-chap')),"
	"  chap_user TEXT NOT NULL DEFAULT '' CHECK (length(chap_user) <= 255),"
	"  chap_secret TEXT NOT NULL DEFAULT '' CHECK (length(chap_secret) <= 255),"
	"  mutual_user TEXT NOT NULL DEFAULT '' CHECK (length(mutual_user) <= 255),"
	"  mutual_secret TEXT NOT NULL DEFAULT '' CHECK (length(mutual_secret) <= 255),"
	"  max_sessions INTEGER NOT NULL DEFAULT 0 CHECK (max_sessions BETWEEN 0 AND 4294967295),"
	"  queue_depth INTEGER NOT NULL DEFAULT 0 CHECK (queue_depth BETWEEN 0 AND 128),"
	"  read_only INTEGER NOT NULL DEFAULT 0 CHECK (read_only IN (0, 1)),"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE luns ("
	"  target TEXT NOT NULL REFERENCES targets(iqn) ON DELETE CASCADE,"
	"  lun INTEGER NOT NULL CHECK (lun BETWEEN 0 AND 16383),"
	"  image TEXT REFERENCES images(name) ON DELETE RESTRICT,"
	"  device TEXT CHECK (device IS NULL OR"
	"    (substr(device, 1, 1) = '/' AND length(device) <= 4095)),"
	"  backend TEXT NOT NULL DEFAULT 'fileio' CHECK (backend IN ('fileio', 'blockio')),"
	"  direct INTEGER NOT NULL DEFAULT 0 CHECK (direct IN (0, 1)),"
	"  block_size INTEGER NOT NULL DEFAULT 512 CHECK (block_size IN (512, 4096)),"
	"  serial TEXT NOT NULL UNIQUE CHECK (length(serial) = 16),"
	"  naa INTEGER NOT NULL UNIQUE,"
	"  PRIMARY KEY (target, lun),"
	"  CHECK ((image IS NULL) != (device IS NULL)));"
	"CREATE INDEX luns_image ON luns(image);"
	"CREATE TABLE acls ("
	"  target TEXT NOT NULL REFERENCES targets(iqn) ON DELETE CASCADE,"
	"  initiator TEXT NOT NULL CHECK (length(initiator) BETWEEN 1 AND 223),"
	"  chap_user TEXT NOT NULL DEFAULT '' CHECK (length(chap_user) <= 255),"
	"  chap_secret TEXT NOT NULL DEFAULT '' CHECK (length(chap_secret) <= 255),"
	"  PRIMARY KEY (target, initiator));"
	"CREATE TABLE jobs ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  kind TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 31),"
	"  subject TEXT NOT NULL DEFAULT '' CHECK (length(subject) <= 127),"
	"  state TEXT NOT NULL DEFAULT 'queued'"
	"    CHECK (state IN ('queued', 'running', 'done', 'failed')),"
	"  progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),"
	"  error TEXT NOT NULL DEFAULT '' CHECK (length(error) <= 255),"
	"  created INTEGER NOT NULL,"
	"  finished INTEGER NOT NULL DEFAULT 0);";

/* Version 2: the boot service. */
static const char schema_v2[] =
	"CREATE TABLE profiles ("
	"  name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),"
	"  kind TEXT NOT NULL CHECK (kind IN"
	"    ('sanboot', 'linux', 'iso', 'winpe', 'menu', 'local', 'chain')),"
	"  body TEXT NOT NULL DEFAULT '{}' CHECK (length(body) <= 16383 AND json_valid(body)));"
	"CREATE TABLE clients ("
	"  name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),"
	"  uuid TEXT NOT NULL DEFAULT '' CHECK (length(uuid) <= 36),"
	"  macs TEXT NOT NULL DEFAULT '[]' CHECK (length(macs) <= 511 AND json_valid(macs)),"
	"  serial TEXT NOT NULL DEFAULT '' CHECK (length(serial) <= 127),"
	"  profile TEXT NOT NULL DEFAULT '' CHECK (length(profile) <= 64),"
	"  image TEXT NOT NULL DEFAULT '' CHECK (length(image) <= 64),"
	"  labels TEXT NOT NULL DEFAULT '{}' CHECK (length(labels) <= 4095 AND json_valid(labels)),"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'active')),"
	"  created INTEGER NOT NULL);"
	"CREATE INDEX clients_uuid ON clients(uuid);"
	"CREATE TABLE boot_history ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  client TEXT NOT NULL REFERENCES clients(name) ON DELETE CASCADE,"
	"  time INTEGER NOT NULL,"
	"  ip TEXT NOT NULL DEFAULT '' CHECK (length(ip) <= 45),"
	"  firmware TEXT NOT NULL DEFAULT '' CHECK (length(firmware) <= 63),"
	"  what TEXT NOT NULL DEFAULT '' CHECK (length(what) <= 255));"
	"CREATE INDEX boot_history_client ON boot_history(client, time);";

/*
 * Version 3: enrollment. How a client came to be (the API, or a first
 * boot under the register or provision policy), and the policy itself,
 * explicit, so that an upgraded database keeps refusing unknown machines.
 */
static const char schema_v3[] =
	"ALTER TABLE clients ADD COLUMN origin TEXT NOT NULL DEFAULT 'api'"
	"  CHECK (origin IN ('api', 'register', 'provision'));"
	"INSERT OR IGNORE INTO settings (key, value) VALUES ('enrollment', 'deny');";

/*
 * Version 4: the connection limit of a portal and the NOP-In interval of a
 * target, both settings of bootsan.ko (uapi/bootsan.yaml). 0 keeps the
 * module's default: 256 connections, no NOP-In.
 */
static const char schema_v4[] =
	"ALTER TABLE portals ADD COLUMN max_connections INTEGER NOT NULL DEFAULT 0"
	"  CHECK (max_connections BETWEEN 0 AND 4294967295);"
	"ALTER TABLE targets ADD COLUMN nop_in_interval INTEGER NOT NULL DEFAULT 0"
	"  CHECK (nop_in_interval BETWEEN 0 AND 3600);";

/*
 * Version 5: "any initiator" is an explicit setting of a target; an empty
 * ACL no longer admits everyone. A target of an older database that has no
 * ACL entries was open to every initiator and stays so (an upgrade must not
 * lock out running clients); one with entries keeps admitting only those.
 */
static const char schema_v5[] =
	"ALTER TABLE targets ADD COLUMN allow_any_initiator INTEGER NOT NULL DEFAULT 0"
	"  CHECK (allow_any_initiator IN (0, 1));"
	"UPDATE targets SET allow_any_initiator = 1"
	"  WHERE NOT EXISTS (SELECT 1 FROM acls WHERE acls.target = targets.iqn);";

/*
 * Version 6: a MAC or a UUID names one client. The API and enrollment
 * both check before they write, but the schema is what makes it true
 * whoever writes: client_ids holds each identity ("mac:<mac>",
 * "uuid:<uuid>", both normalised) once, kept by triggers. An identity two
 * clients already shared (possible before) stays with the first by name;
 * the other client keeps it in its record, and can be changed as long as
 * its identities are not.
 */
static const char schema_v6[] =
	"CREATE TABLE client_ids ("
	"  id TEXT PRIMARY KEY,"
	"  client TEXT NOT NULL);"
	"CREATE INDEX client_ids_client ON client_ids(client);"
	"INSERT OR IGNORE INTO client_ids (id, client)"
	"  SELECT 'mac:' || m.value, c.name FROM clients c, json_each(c.macs) m ORDER BY c.name;"
	"INSERT OR IGNORE INTO client_ids (id, client)"
	"  SELECT 'uuid:' || uuid, name FROM clients WHERE uuid != '' ORDER BY name;"
	"CREATE TRIGGER client_ids_insert AFTER INSERT ON clients BEGIN"
	"  INSERT INTO client_ids (id, client) SELECT 'mac:' || value, NEW.name FROM json_each(NEW.macs);"
	"  INSERT INTO client_ids (id, client) SELECT 'uuid:' || NEW.uuid, NEW.name WHERE NEW.uuid != '';"
	" END;"
	"CREATE TRIGGER client_ids_update AFTER UPDATE OF name, macs, uuid ON clients"
	" WHEN NEW.name IS NOT OLD.name OR NEW.macs IS NOT OLD.macs OR NEW.uuid IS NOT OLD.uuid BEGIN"
	"  DELETE FROM client_ids WHERE client = OLD.name;"
	"  INSERT INTO client_ids (id, client) SELECT 'mac:' || value, NEW.name FROM json_each(NEW.macs);"
	"  INSERT INTO client_ids (id, client) SELECT 'uuid:' || NEW.uuid, NEW.name WHERE NEW.uuid != '';"
	" END;"
	"CREATE TRIGGER client_ids_delete AFTER DELETE ON clients BEGIN"
	"  DELETE FROM client_ids WHERE client = OLD.name;"
	" END;";

/* migrations[v] brings a database from version v - 1 to v. */
/*
 * Version 7: the seconds a portal gives a connection to log in, a setting
 * of bootsan.ko (uapi/bootsan.yaml, login-timeout); 0 keeps the module's
 * default (15 s).
 *
 * And when a client first booted (0: never), which the enrollment cap
 * counts: the history row that shows it (its iSCSI login, or for a client
 * without a disk its first script) is pruned once 50 fetches follow it, so
 * the fact is kept on the client, set by a trigger whoever writes the row.
 */
#define BOOTED_ROW(what, image)							\
	"(" what " LIKE 'iSCSI login as %' OR (" image " = '' AND "		\
	"(" what " LIKE 'ipxe: profile %' OR " what " LIKE 'pxelinux: profile %')))"
static const char schema_v7[] =
	"ALTER TABLE portals ADD COLUMN login_timeout INTEGER NOT NULL DEFAULT 0"
	"  CHECK (login_timeout BETWEEN 0 AND 3600);"
	"ALTER TABLE clients ADD COLUMN booted INTEGER NOT NULL DEFAULT 0;"
	"UPDATE clients SET booted = coalesce((SELECT min(b.time) FROM boot_history b"
	"  WHERE b.client = clients.name AND " BOOTED_ROW("b.what", "clients.image") "), 0);"
	"CREATE TRIGGER client_booted AFTER INSERT ON boot_history BEGIN"
	"  UPDATE clients SET booted = NEW.time WHERE name = NEW.client AND booted = 0 AND "
	BOOTED_ROW("NEW.what", "image") ";"
	" END;";

static const char *const migrations[] = {
	NULL, schema_v1, schema_v2, schema_v3, schema_v4, schema_v5, schema_v6, schema_v7,
};
_Static_assert(ARRAY_SIZE(migrations) == STORE_SCHEMA_VERSION + 1,
	       "one migration per schema version");

static int boot_queue_start(struct store *s, const char *path, char *err, size_t errlen);
static void boot_queue_stop(struct store *s);
static void boot_flush(struct store *s);

static void lock(struct store *s)
{
	if (snap.in != s)
		pthread_mutex_lock(&s->lock);
}

static void unlock(struct store *s)
{
	if (snap.in != s)
		pthread_mutex_unlock(&s->lock);
}

/* The cached statement for @sql (a string literal), reset; NULL on error. */
static sqlite3_stmt *prep(struct store *s, const char *sql)
{
	struct conn *c = conn(s);
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

static void done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* An errno for a failed sqlite3_step. @fk: the errno of a foreign key failure. */
static int sql_errno(struct store *s, int rc, int fk)
{
	int ext = sqlite3_extended_errcode(conn(s)->db);

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
		log_debug("store: %s", sqlite3_errmsg(conn(s)->db));
		return -EINVAL;
	default:
		if ((ext & 0xff) == SQLITE_CONSTRAINT) {
			log_debug("store: %s", sqlite3_errmsg(conn(s)->db));
			return -EINVAL;
		}
		log_err("store: %s (%d/%d)", sqlite3_errmsg(conn(s)->db), rc, ext);
		return -EIO;
	}
}

/* Run a statement that returns no rows. */
static int exec_st(struct store *s, sqlite3_stmt *st, int fk)
{
	int rc = sqlite3_step(st);
	int err = 0;

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = sql_errno(s, rc, fk);
	done(st);
	return err;
}

/* Run an UPDATE or DELETE of one keyed row: -ENOENT when none changed. */
static int exec_one(struct store *s, sqlite3_stmt *st, int fk)
{
	int err = exec_st(s, st, fk);

	if (!err && sqlite3_changes(conn(s)->db) == 0)
		err = -ENOENT;
	return err;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* "" is stored as NULL (columns with a foreign key or "one of" rules). */
static void bind_text_null(sqlite3_stmt *st, int i, const char *v)
{
	if (v && *v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void col_text(sqlite3_stmt *st, int i, char *buf, size_t size)
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
static bool fits(const char *buf, size_t size)
{
	return memchr(buf, '\0', size) != NULL;
}
#define FITS(f) fits((f), sizeof(f))

typedef void (*row_reader)(sqlite3_stmt *st, void *row);

/* Read all rows of a bound statement into a new array. */
static int list_rows(struct store *s, sqlite3_stmt *st, size_t elem, row_reader read,
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
				done(st);
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
		int err = sql_errno(s, rc, -EIO);

		free(v);
		done(st);
		return err;
	}
	done(st);
	*out = v;
	*n = cnt;
	return 0;
}

/* Read the one row of a bound statement: 0, -ENOENT or an error. */
static int get_row(struct store *s, sqlite3_stmt *st, size_t elem, row_reader read, void *out)
{
	int rc = sqlite3_step(st);
	int err = 0;

	if (rc == SQLITE_ROW) {
		memset(out, 0, elem);
		read(st, out);
	} else if (rc == SQLITE_DONE) {
		err = -ENOENT;
	} else {
		err = sql_errno(s, rc, -EIO);
	}
	done(st);
	return err;
}

/*
 * The shapes most tables share, each under the lock: every row of @sql
 * (no parameters), the row whose text key ?1 is @key, and deleting it
 * (-EBUSY while a foreign key still points at it).
 */
static int list_all(struct store *s, const char *sql, size_t elem, row_reader read,
		    void **out, size_t *n)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, sql);
	if (st)
		err = list_rows(s, st, elem, read, out, n);
	unlock(s);
	return err;
}

static int get_by_key(struct store *s, const char *sql, const char *key, size_t elem,
		      row_reader read, void *out)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, sql);
	if (st) {
		bind_text(st, 1, key);
		err = get_row(s, st, elem, read, out);
	}
	unlock(s);
	return err;
}

static int delete_by_key(struct store *s, const char *sql, const char *key)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, sql);
	if (st) {
		bind_text(st, 1, key);
		err = exec_one(s, st, -EBUSY);
	}
	unlock(s);
	return err;
}

/* ---- opening and migrations ---- */

static int exec_sql(struct store *s, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(s->main.db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(s->main.db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Integer result of a one-value query, or -1. */
static int64_t query_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(s->main.db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int migrate(struct store *s, const char *path, int target, char *err, size_t errlen)
{
	char e[512];
	int64_t have, tables;

	tables = query_int(s, "SELECT count(*) FROM sqlite_master");
	if (tables < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->main.db));
		return -1;
	}
	if (query_int(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
			 "AND name = 'schema_version'") == 1) {
		have = query_int(s, "SELECT max(version) FROM schema_version");
		if (have < 0) {
			snprintf(err, errlen, "%s: unreadable schema_version", path);
			return -1;
		}
	} else if (tables == 0) {
		have = 0;
	} else {
		snprintf(err, errlen, "%s: not a bootsand database (no schema_version table)",
			 path);
		return -1;
	}
	if (have > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "%s: database schema version %lld is newer than this bootsand "
			 "understands (%d); use a newer bootsand or restore a backup",
			 path, (long long)have, STORE_SCHEMA_VERSION);
		return -1;
	}
	for (int v = (int)have + 1; v <= target; v++) {
		char setv[96];

		if (exec_sql(s, "BEGIN IMMEDIATE", e, sizeof(e)))
			goto fail;
		if (v == 1 && exec_sql(s, "CREATE TABLE schema_version ("
				       "version INTEGER NOT NULL)", e, sizeof(e)))
			goto rollback;
		snprintf(setv, sizeof(setv), "DELETE FROM schema_version;"
			 "INSERT INTO schema_version (version) VALUES (%d)", v);
		if (exec_sql(s, migrations[v], e, sizeof(e)) ||
		    exec_sql(s, setv, e, sizeof(e)) ||
		    exec_sql(s, "COMMIT", e, sizeof(e)))
			goto rollback;
		if (have)
			log_info("store: %s upgraded to schema version %d", path, v);
		continue;
rollback:
		sqlite3_exec(s->main.db, "ROLLBACK", NULL, NULL, NULL);
fail:
		snprintf(err, errlen, "%s: migration to schema version %d failed: %s",
			 path, v, e);
		return -1;
	}
	s->version = have > target ? (int)have : target;
	return 0;
}

/*
 * The database holds CHAP secrets: it and its -wal and -shm files are for
 * their owner, root, alone (0600), whatever the umask. A file found
 * readable by others (restored from a backup, made by hand) or owned by
 * another user is fixed, with a warning. @create: make the database file
 * when missing (an empty file is a new database to SQLite; its -wal and
 * -shm then inherit its mode). By path only: closing a descriptor of a
 * file SQLite has open would drop SQLite's POSIX locks on it.
 */
static int secure_files(const char *path, bool create, char *err, size_t errlen)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };

	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		char p[PATH_MAX];
		struct stat st;
		int fd;

		if ((size_t)snprintf(p, sizeof(p), "%s%s", path, suffixes[i]) >= sizeof(p)) {
			snprintf(err, errlen, "%s: path too long", path);
			return -1;
		}
		if (stat(p, &st)) {
			if (errno != ENOENT)
				goto fail;
			if (i || !create)
				continue;
			fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (fd >= 0) {
				close(fd);	/* new: nobody has it open yet */
				continue;
			}
			if (errno != EEXIST || stat(p, &st))
				goto fail;
		}
		if (st.st_mode & 077) {
			log_warn("store: %s was mode %04o, readable by others, and it holds CHAP "
				 "secrets: made 0600", p, (unsigned int)(st.st_mode & 07777));
			if (chmod(p, 0600))
				log_err("store: chmod 600 %s: %s", p, strerror(errno));
		}
		if (st.st_uid != geteuid() && geteuid() == 0) {
			log_warn("store: %s was owned by uid %u: given to root", p,
				 (unsigned int)st.st_uid);
			if (chown(p, 0, 0))
				log_err("store: chown root %s: %s", p, strerror(errno));
		}
		continue;
fail:
		snprintf(err, errlen, "%s: %s", p, strerror(errno));
		return -1;
	}
	return 0;
}

struct store *store_open_version(const char *path, int version, char *err, size_t errlen)
{
	static atomic_uint_fast64_t last_id;
	struct store *s;
	sqlite3_stmt *st;
	const char *mode;
	char e[512];
	int rc;

	if (version < 1 || version > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "no schema version %d", version);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s)
		s->path = strdup(path);
	if (!s || !s->path) {
		free(s);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->id = atomic_fetch_add(&last_id, 1) + 1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->readers_lock, NULL);
	if (secure_files(path, true, err, errlen))
		goto fail;
	rc = sqlite3_open_v2(path, &s->main.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			     SQLITE_OPEN_FULLMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path,
			 s->main.db ? sqlite3_errmsg(s->main.db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(s->main.db, 1);
	sqlite3_busy_timeout(s->main.db, 5000);
	/* WAL must stick: anything else means the file system cannot do it. */
	if (sqlite3_prepare_v2(s->main.db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->main.db));
		goto fail;
	}
	rc = sqlite3_step(st);
	mode = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	if (!mode || strcmp(mode, "wal")) {
		snprintf(err, errlen, "%s: cannot use WAL mode: %s", path,
			 mode ? mode : sqlite3_errmsg(s->main.db));
		sqlite3_finalize(st);
		goto fail;
	}
	sqlite3_finalize(st);
	/* Now that WAL mode made them: a -wal or -shm left readable is fixed too. */
	if (secure_files(path, false, err, errlen))
		goto fail;
	if (exec_sql(s, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL", e, sizeof(e))) {
		snprintf(err, errlen, "%s: %s", path, e);
		goto fail;
	}
	if (migrate(s, path, version, err, errlen))
		goto fail;
	if (boot_queue_start(s, path, err, errlen))
		goto fail;
	return s;
fail:
	sqlite3_close(s->main.db);
	pthread_mutex_destroy(&s->readers_lock);
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s);
	return NULL;
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
	return store_open_version(path, STORE_SCHEMA_VERSION, err, errlen);
}

static void conn_close(struct conn *c)
{
	for (int i = 0; i < c->ncache; i++)
		sqlite3_finalize(c->cache[i].st);
	sqlite3_close(c->db);
}

/* Every thread's snapshots must have ended: the store's users have stopped. */
void store_close(struct store *s)
{
	if (!s)
		return;
	boot_queue_stop(s);
	for (int i = 0; i < s->nreaders; i++) {
		conn_close(s->readers[i]);
		free(s->readers[i]);
	}
	conn_close(&s->main);
	pthread_mutex_destroy(&s->readers_lock);
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s);
}

int store_schema_version(struct store *s)
{
	return s->version;
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
	st = prep(s, "BEGIN");
	if (st)
		exec_st(s, st, -EIO);
}

void store_read_end(struct store *s)
{
	sqlite3_stmt *st;

	if (snap.in != s || --snap.depth)
		return;
	if (sqlite3_get_autocommit(snap.reader->db) == 0) {
		st = prep(s, "COMMIT");
		if (st)
			exec_st(s, st, -EIO);
	}
	snap.in = NULL;
}

int store_count(struct store *s, enum store_table t, int64_t *count)
{
	static const char *const sql[] = {
		[STORE_T_PORTALS] = "SELECT count(*) FROM portals",
		[STORE_T_IMAGES] = "SELECT count(*) FROM images",
		[STORE_T_TARGETS] = "SELECT count(*) FROM targets",
		[STORE_T_LUNS] = "SELECT count(*) FROM luns",
		[STORE_T_ACLS] = "SELECT count(*) FROM acls",
		[STORE_T_JOBS] = "SELECT count(*) FROM jobs",
		[STORE_T_CLIENTS] = "SELECT count(*) FROM clients",
		[STORE_T_PROFILES] = "SELECT count(*) FROM profiles",
		[STORE_T_BOOT_HISTORY] = "SELECT count(*) FROM boot_history",
		/* booted is kept by a trigger on boot_history (schema_v7). */
		[STORE_T_UNBOOTED_CLIENTS] = "SELECT count(*) FROM clients WHERE "
			"origin IN ('register', 'provision') AND (state = 'pending' OR booted = 0)",
	};
	sqlite3_stmt *st;
	int err = -EIO;

	if ((unsigned int)t >= ARRAY_SIZE(sql))
		return -EINVAL;
	if (t == STORE_T_BOOT_HISTORY || t == STORE_T_UNBOOTED_CLIENTS)
		boot_flush(s);
	lock(s);
	st = prep(s, sql[t]);
	if (st) {
		int rc = sqlite3_step(st);

		if (rc == SQLITE_ROW) {
			*count = sqlite3_column_int64(st, 0);
			err = 0;
		} else {
			err = sql_errno(s, rc, -EIO);
		}
		done(st);
	}
	unlock(s);
	return err;
}

/* ---- settings ---- */

int store_setting_get(struct store *s, const char *key, char *value, size_t size)
{
	sqlite3_stmt *st;
	int err = -EIO, rc;

	lock(s);
	st = prep(s, "SELECT value FROM settings WHERE key = ?1");
	if (st) {
		bind_text(st, 1, key);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(st, 0);

			err = str_copy(value, size, t ? (const char *)t : "");
		} else {
			err = rc == SQLITE_DONE ? -ENOENT : sql_errno(s, rc, -EIO);
		}
		done(st);
	}
	unlock(s);
	return err;
}

int store_setting_set(struct store *s, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int err = -EIO;

	if (strlen(key) > 128 || strlen(value) > 4096)
		return -E2BIG;
	lock(s);
	st = prep(s, "INSERT INTO settings (key, value) VALUES (?1, ?2) "
		     "ON CONFLICT (key) DO UPDATE SET value = excluded.value");
	if (st) {
		bind_text(st, 1, key);
		bind_text(st, 2, value);
		err = exec_st(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

int store_setting_delete(struct store *s, const char *key)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, "DELETE FROM settings WHERE key = ?1");
	if (st) {
		bind_text(st, 1, key);
		err = exec_one(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

/* ---- portals ---- */

#define PORTAL_COLS "address, port, tpgt, max_connections, login_timeout"

static void read_portal(sqlite3_stmt *st, void *row)
{
	struct store_portal *p = row;

	col_text(st, 0, p->address, sizeof(p->address));
	p->port = (uint16_t)sqlite3_column_int(st, 1);
	p->tpgt = (uint16_t)sqlite3_column_int(st, 2);
	p->max_connections = (uint32_t)sqlite3_column_int64(st, 3);
	p->login_timeout = (uint32_t)sqlite3_column_int64(st, 4);
}

int store_portal_list(struct store *s, struct store_portal **out, size_t *n)
{
	return list_all(s, "SELECT " PORTAL_COLS " FROM portals ORDER BY address, port",
			sizeof(**out), read_portal, (void **)out, n);
}

int store_portal_get(struct store *s, const char *address, uint16_t port,
		     struct store_portal *out)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, "SELECT " PORTAL_COLS " FROM portals WHERE address = ?1 AND port = ?2");
	if (st) {
		bind_text(st, 1, address);
		sqlite3_bind_int(st, 2, port);
		err = get_row(s, st, sizeof(*out), read_portal, out);
	}
	unlock(s);
	return err;
}

int store_portal_create(struct store *s, const struct store_portal *p)
{
	sqlite3_stmt *st;
	int err = -EIO;

	if (!FITS(p->address))
		return -E2BIG;
	lock(s);
	st = prep(s, "INSERT INTO portals (" PORTAL_COLS ") VALUES (?1, ?2, ?3, ?4, ?5)");
	if (st) {
		bind_text(st, 1, p->address);
		sqlite3_bind_int(st, 2, p->port);
		sqlite3_bind_int(st, 3, p->tpgt);
		sqlite3_bind_int64(st, 4, p->max_connections);
		sqlite3_bind_int64(st, 5, p->login_timeout);
		err = exec_st(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

int store_portal_update(struct store *s, const struct store_portal *p)
{
	sqlite3_stmt *st;
	int err = -EIO;

	if (!FITS(p->address))
		return -E2BIG;
	lock(s);
	st = prep(s, "UPDATE portals SET tpgt = ?3, max_connections = ?4, login_timeout = ?5 "
		     "WHERE address = ?1 AND port = ?2");
	if (st) {
		bind_text(st, 1, p->address);
		sqlite3_bind_int(st, 2, p->port);
		sqlite3_bind_int(st, 3, p->tpgt);
		sqlite3_bind_int64(st, 4, p->max_connections);
		sqlite3_bind_int64(st, 5, p->login_timeout);
		err = exec_one(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

int store_portal_delete(struct store *s, const char *address, uint16_t port)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, "DELETE FROM portals WHERE address = ?1 AND port = ?2");
	if (st) {
		bind_text(st, 1, address);
		sqlite3_bind_int(st, 2, port);
		err = exec_one(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

/* ---- images ---- */

#define IMAGE_COLS "name, size_bytes, created, state, job"

static void read_image(sqlite3_stmt *st, void *row)
{
	struct store_image *im = row;

	col_text(st, 0, im->name, sizeof(im->name));
	im->size_bytes = (uint64_t)sqlite3_column_int64(st, 1);
	im->created = sqlite3_column_int64(st, 2);
	col_text(st, 3, im->state, sizeof(im->state));
	im->job = sqlite3_column_int64(st, 4);
}

int store_image_list(struct store *s, struct store_image **out, size_t *n)
{
	return list_all(s, "SELECT " IMAGE_COLS " FROM images ORDER BY name",
			sizeof(**out), read_image, (void **)out, n);
}

int store_image_page(struct store *s, const char *after, int limit,
		     struct store_image **out, size_t *n)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, "SELECT " IMAGE_COLS " FROM images WHERE name > ?1 ORDER BY name LIMIT ?2");
	if (st) {
		bind_text(st, 1, after ? after : "");
		sqlite3_bind_int(st, 2, limit);
		err = list_rows(s, st, sizeof(**out), read_image, (void **)out, n);
	}
	unlock(s);
	return err;
}

int store_image_get(struct store *s, const char *name, struct store_image *out)
{
	return get_by_key(s, "SELECT " IMAGE_COLS " FROM images WHERE name = ?1", name,
			  sizeof(*out), read_image, out);
}

static int image_bad(const struct store_image *im)
{
	if (!FITS(im->name) || !FITS(im->state))
		return -E2BIG;
	if (im->size_bytes > INT64_MAX)
		return -EINVAL;
	return 0;
}

int store_image_create(struct store *s, const struct store_image *im)
{
	sqlite3_stmt *st;
	int err = image_bad(im);

	if (err)
		return err;
	err = -EIO;
	lock(s);
	st = prep(s, "INSERT INTO images (" IMAGE_COLS ") VALUES (?1, ?2, ?3, ?4, ?5)");
	if (st) {
		bind_text(st, 1, im->name);
		sqlite3_bind_int64(st, 2, (int64_t)im->size_bytes);
		sqlite3_bind_int64(st, 3, im->created ? im->created : now_wall());
		bind_text(st, 4, im->state[0] ? im->state : "ready");
		sqlite3_bind_int64(st, 5, im->job);
		err = exec_st(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

int store_image_update(struct store *s, const struct store_image *im)
{
	sqlite3_stmt *st;
	int err = image_bad(im);

	if (err)
		return err;
	err = -EIO;
	lock(s);
	st = prep(s, "UPDATE images SET size_bytes = ?2, state = ?3, job = ?4 WHERE name = ?1");
	if (st) {
		bind_text(st, 1, im->name);
		sqlite3_bind_int64(st, 2, (int64_t)im->size_bytes);
		bind_text(st, 3, im->state[0] ? im->state : "ready");
		sqlite3_bind_int64(st, 4, im->job);
		err = exec_one(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

int store_image_delete(struct store *s, const char *name)
{
	return delete_by_key(s, "DELETE FROM images WHERE name = ?1", name);
}

int store_image_lun_count(struct store *s, const char *name, int64_t *count)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, "SELECT count(*) FROM luns WHERE image = ?1");
	if (st) {
		int rc;

		bind_text(st, 1, name);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*count = sqlite3_column_int64(st, 0);
			err = 0;
		} else {
			err = sql_errno(s, rc, -EIO);
		}
		done(st);
	}
	unlock(s);
	return err;
}

/* ---- targets ---- */

#define TARGET_COLS "iqn, alias, auth, chap_user, chap_secret, mutual_user, " \
		    "mutual_secret, max_sessions, queue_depth, read_only, created, nop_in_interval, " \
		    "allow_any_initiator"

static void read_target(sqlite3_stmt *st, void *row)
{
	struct store_target *t = row;

	col_text(st, 0, t->iqn, sizeof(t->iqn));
	col_text(st, 1, t->alias, sizeof(t->alias));
	col_text(st, 2, t->auth, sizeof(t->auth));
	col_text(st, 3, t->chap_user, sizeof(t->chap_user));
	col_text(st, 4, t->chap_secret, sizeof(t->chap_secret));
	col_text(st, 5, t->mutual_user, sizeof(t->mutual_user));
	col_text(st, 6, t->mutual_secret, sizeof(t->mutual_secret));
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

static void bind_target(sqlite3_stmt *st, const struct store_target *t)
{
	bind_text(st, 1, t->iqn);
	bind_text(st, 2, t->alias);
	bind_text(st, 3, t->auth[0] ? t->auth : "none");
	bind_text(st, 4, t->chap_user);
	bind_text(st, 5, t->chap_secret);
	bind_text(st, 6, t->mutual_user);
	bind_text(st, 7, t->mutual_secret);
	sqlite3_bind_int64(st, 8, t->max_sessions);
	sqlite3_bind_int64(st, 9, t->queue_depth);
	sqlite3_bind_int(st, 10, t->read_only);
	sqlite3_bind_int64(st, 11, t->created ? t->created : now_wall());
	sqlite3_bind_int64(st, 12, t->nop_in_interval);
	sqlite3_bind_int(st, 13, t->allow_any_initiator);
}

int store_target_list(struct store *s, struct store_target **out, size_t *n)
{
	return list_all(s, "SELECT " TARGET_COLS " FROM targets ORDER BY iqn",
			sizeof(**out), read_target, (void **)out, n);
}

int store_target_get(struct store *s, const char *iqn, struct store_target *out)
{
	return get_by_key(s, "SELECT " TARGET_COLS " FROM targets WHERE iqn = ?1", iqn,
			  sizeof(*out), read_target, out);
}

int store_target_create(struct store *s, const struct store_target *t)
{
	sqlite3_stmt *st;
	int err = target_bad(t);

	if (err)
		return err;
	err = -EIO;
	lock(s);
	st = prep(s, "INSERT INTO targets (" TARGET_COLS ") VALUES "
		     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
	if (st) {
		bind_target(st, t);
		err = exec_st(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

int store_target_update(struct store *s, const struct store_target *t)
{
	sqlite3_stmt *st;
	int err = target_bad(t);

	if (err)
		return err;
	err = -EIO;
	lock(s);
	st = prep(s, "UPDATE targets SET alias = ?2, auth = ?3, chap_user = ?4, "
		     "chap_secret = ?5, mutual_user = ?6, mutual_secret = ?7, "
		     "max_sessions = ?8, queue_depth = ?9, read_only = ?10, "
		     "nop_in_interval = ?12, allow_any_initiator = ?13 WHERE iqn = ?1 AND ?11 = ?11");
	if (st) {
		bind_target(st, t);
		err = exec_one(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

int store_target_delete(struct store *s, const char *iqn)
{
	return delete_by_key(s, "DELETE FROM targets WHERE iqn = ?1", iqn);
}

/* ---- luns ---- */

#define LUN_COLS "target, lun, image, device, backend, direct, block_size, serial, naa"

static void read_lun(sqlite3_stmt *st, void *row)
{
	struct store_lun *l = row;

	col_text(st, 0, l->target, sizeof(l->target));
	l->lun = (uint32_t)sqlite3_column_int64(st, 1);
	col_text(st, 2, l->image, sizeof(l->image));
	col_text(st, 3, l->device, sizeof(l->device));
	col_text(st, 4, l->backend, sizeof(l->backend));
	l->direct = sqlite3_column_int(st, 5) != 0;
	l->block_size = (uint32_t)sqlite3_column_int64(st, 6);
	col_text(st, 7, l->serial, sizeof(l->serial));
	l->naa = (uint64_t)sqlite3_column_int64(st, 8);
}

static int lun_bad(const struct store_lun *l)
{
	if (!FITS(l->target) || !FITS(l->image) || !FITS(l->device) || !FITS(l->backend) ||
	    !FITS(l->serial))
		return -E2BIG;
	return 0;
}

static void bind_lun(sqlite3_stmt *st, const struct store_lun *l)
{
	bind_text(st, 1, l->target);
	sqlite3_bind_int64(st, 2, l->lun);
	bind_text_null(st, 3, l->image);
	bind_text_null(st, 4, l->device);
	bind_text(st, 5, l->backend[0] ? l->backend : "fileio");
	sqlite3_bind_int(st, 6, l->direct);
	sqlite3_bind_int64(st, 7, l->block_size ? l->block_size : 512);
	bind_text(st, 8, l->serial);
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
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	if (target) {
		st = prep(s, "SELECT " LUN_COLS " FROM luns WHERE target = ?1 ORDER BY lun");
		if (st)
			bind_text(st, 1, target);
	} else {
		st = prep(s, "SELECT " LUN_COLS " FROM luns ORDER BY target, lun");
	}
	if (st)
		err = list_rows(s, st, sizeof(**out), read_lun, (void **)out, n);
	unlock(s);
	return err;
}

int store_lun_get(struct store *s, const char *target, uint32_t lun, struct store_lun *out)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, "SELECT " LUN_COLS " FROM luns WHERE target = ?1 AND lun = ?2");
	if (st) {
		bind_text(st, 1, target);
		sqlite3_bind_int64(st, 2, lun);
		err = get_row(s, st, sizeof(*out), read_lun, out);
	}
	unlock(s);
	return err;
}

int store_lun_create(struct store *s, struct store_lun *l)
{
	sqlite3_stmt *st;
	int err = lun_bad(l);

	if (err)
		return err;
	if (!l->serial[0] && (err = random_hex(l->serial, 8)))
		return err;
	if (!l->naa && (err = store_naa_generate(&l->naa)))
		return err;
	err = -EIO;
	lock(s);
	st = prep(s, "INSERT INTO luns (" LUN_COLS ") VALUES "
		     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	if (st) {
		bind_lun(st, l);
		err = exec_st(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

int store_lun_update(struct store *s, const struct store_lun *l)
{
	sqlite3_stmt *st;
	int err = lun_bad(l);

	if (err)
		return err;
	err = -EIO;
	lock(s);
	/* serial and naa (?8, ?9) never change. */
	st = prep(s, "UPDATE luns SET image = ?3, device = ?4, backend = ?5, direct = ?6, "
		     "block_size = ?7 WHERE target = ?1 AND lun = ?2 AND ?8 = ?8 AND ?9 = ?9");
	if (st) {
		bind_lun(st, l);
		err = exec_one(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

int store_lun_delete(struct store *s, const char *target, uint32_t lun)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, "DELETE FROM luns WHERE target = ?1 AND lun = ?2");
	if (st) {
		bind_text(st, 1, target);
		sqlite3_bind_int64(st, 2, lun);
		err = exec_one(s, st, -EBUSY);
	}
	unlock(s);
	return err;
}

/* ---- acls ---- */

#define ACL_COLS "target, initiator, chap_user, chap_secret"

static void read_acl(sqlite3_stmt *st, void *row)
{
	struct store_acl *a = row;

	col_text(st, 0, a->target, sizeof(a->target));
	col_text(st, 1, a->initiator, sizeof(a->initiator));
	col_text(st, 2, a->chap_user, sizeof(a->chap_user));
	col_text(st, 3, a->chap_secret, sizeof(a->chap_secret));
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
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	if (target) {
		st = prep(s, "SELECT " ACL_COLS " FROM acls WHERE target = ?1 ORDER BY initiator");
		if (st)
			bind_text(st, 1, target);
	} else {
		st = prep(s, "SELECT " ACL_COLS " FROM acls ORDER BY target, initiator");
	}
	if (st)
		err = list_rows(s, st, sizeof(**out), read_acl, (void **)out, n);
	unlock(s);
	return err;
}

int store_acl_get(struct store *s, const char *target, const char *initiator,
		  struct store_acl *out)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, "SELECT " ACL_COLS " FROM acls WHERE target = ?1 AND initiator = ?2");
	if (st) {
		bind_text(st, 1, target);
		bind_text(st, 2, initiator);
		err = get_row(s, st, sizeof(*out), read_acl, out);
	}
	unlock(s);
	return err;
}

int store_acl_create(struct store *s, const struct store_acl *a)
{
	sqlite3_stmt *st;
	int err = acl_bad(a);

	if (err)
		return err;
	err = -EIO;
	lock(s);
	st = prep(s, "INSERT INTO acls (" ACL_COLS ") VALUES (?1, ?2, ?3, ?4)");
	if (st) {
		bind_text(st, 1, a->target);
		bind_text(st, 2, a->initiator);
		bind_text(st, 3, a->chap_user);
		bind_text(st, 4, a->chap_secret);
		err = exec_st(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

int store_acl_update(struct store *s, const struct store_acl *a)
{
	sqlite3_stmt *st;
	int err = acl_bad(a);

	if (err)
		return err;
	err = -EIO;
	lock(s);
	st = prep(s, "UPDATE acls SET chap_user = ?3, chap_secret = ?4 "
		     "WHERE target = ?1 AND initiator = ?2");
	if (st) {
		bind_text(st, 1, a->target);
		bind_text(st, 2, a->initiator);
		bind_text(st, 3, a->chap_user);
		bind_text(st, 4, a->chap_secret);
		err = exec_one(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

int store_acl_delete(struct store *s, const char *target, const char *initiator)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, "DELETE FROM acls WHERE target = ?1 AND initiator = ?2");
	if (st) {
		bind_text(st, 1, target);
		bind_text(st, 2, initiator);
		err = exec_one(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

/* ---- jobs ---- */

#define JOB_COLS "id, kind, subject, state, progress, error, created, finished"

static void read_job(sqlite3_stmt *st, void *row)
{
	struct store_job *j = row;

	j->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, j->kind, sizeof(j->kind));
	col_text(st, 2, j->subject, sizeof(j->subject));
	col_text(st, 3, j->state, sizeof(j->state));
	j->progress = sqlite3_column_int(st, 4);
	col_text(st, 5, j->error, sizeof(j->error));
	j->created = sqlite3_column_int64(st, 6);
	j->finished = sqlite3_column_int64(st, 7);
}

int store_job_list(struct store *s, struct store_job **out, size_t *n)
{
	return list_all(s, "SELECT " JOB_COLS " FROM jobs ORDER BY id",
			sizeof(**out), read_job, (void **)out, n);
}

int store_job_page(struct store *s, int64_t after, int limit, struct store_job **out, size_t *n)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, "SELECT " JOB_COLS " FROM jobs WHERE id > ?1 ORDER BY id LIMIT ?2");
	if (st) {
		sqlite3_bind_int64(st, 1, after);
		sqlite3_bind_int(st, 2, limit);
		err = list_rows(s, st, sizeof(**out), read_job, (void **)out, n);
	}
	unlock(s);
	return err;
}

/* Keeps the newest STORE_JOB_KEEP finished jobs and every unfinished one. Under lock. */
static void job_prune(struct store *s)
{
	sqlite3_stmt *st = prep(s, "DELETE FROM jobs WHERE state IN ('done', 'failed') AND id <= "
				   "(SELECT id FROM jobs WHERE state IN ('done', 'failed') "
				   "ORDER BY id DESC LIMIT 1 OFFSET ?1)");

	if (st) {
		sqlite3_bind_int(st, 1, STORE_JOB_KEEP);
		exec_st(s, st, -EINVAL);
	}
}

int store_job_get(struct store *s, int64_t id, struct store_job *out)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, "SELECT " JOB_COLS " FROM jobs WHERE id = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		err = get_row(s, st, sizeof(*out), read_job, out);
	}
	unlock(s);
	return err;
}

int store_job_create(struct store *s, const char *kind, const char *subject, int64_t *id)
{
	sqlite3_stmt *st;
	int err = -EIO;

	if (strlen(kind) >= sizeof(((struct store_job *)0)->kind) ||
	    strlen(subject) >= sizeof(((struct store_job *)0)->subject))
		return -E2BIG;
	lock(s);
	st = prep(s, "INSERT INTO jobs (kind, subject, state, created) VALUES (?1, ?2, 'queued', ?3)");
	if (st) {
		bind_text(st, 1, kind);
		bind_text(st, 2, subject);
		sqlite3_bind_int64(st, 3, now_wall());
		err = exec_st(s, st, -EINVAL);
		if (!err)
			*id = sqlite3_last_insert_rowid(conn(s)->db);
	}
	unlock(s);
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
	lock(s);
	st = prep(s, "UPDATE jobs SET state = ?2, progress = ?3, error = ?4, "
		     "finished = CASE WHEN ?5 THEN ?6 ELSE finished END WHERE id = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, id);
		bind_text(st, 2, state);
		sqlite3_bind_int(st, 3, progress);
		bind_text(st, 4, e);
		sqlite3_bind_int(st, 5, fin);
		sqlite3_bind_int64(st, 6, now_wall());
		err = exec_one(s, st, -EINVAL);
	}
	if (!err && fin)
		job_prune(s);
	unlock(s);
	return err;
}

int store_job_fail_unfinished(struct store *s, const char *why, int64_t *n)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, "UPDATE jobs SET state = 'failed', error = substr(?1, 1, 255), finished = ?2 "
		     "WHERE state IN ('queued', 'running')");
	if (st) {
		bind_text(st, 1, why);
		sqlite3_bind_int64(st, 2, now_wall());
		err = exec_st(s, st, -EINVAL);
		if (!err && n)
			*n = sqlite3_changes(conn(s)->db);
	}
	if (!err)
		job_prune(s);
	unlock(s);
	return err;
}

/* ---- clients ---- */

#define CLIENT_COLS "name, uuid, macs, serial, profile, image, labels, state, created, origin"

static void read_client(sqlite3_stmt *st, void *row)
{
	struct store_client *c = row;

	col_text(st, 0, c->name, sizeof(c->name));
	col_text(st, 1, c->uuid, sizeof(c->uuid));
	col_text(st, 2, c->macs, sizeof(c->macs));
	col_text(st, 3, c->serial, sizeof(c->serial));
	col_text(st, 4, c->profile, sizeof(c->profile));
	col_text(st, 5, c->image, sizeof(c->image));
	col_text(st, 6, c->labels, sizeof(c->labels));
	col_text(st, 7, c->state, sizeof(c->state));
	c->created = sqlite3_column_int64(st, 8);
	col_text(st, 9, c->origin, sizeof(c->origin));
}

static int client_bad(const struct store_client *c)
{
	if (!FITS(c->name) || !FITS(c->uuid) || !FITS(c->macs) || !FITS(c->serial) ||
	    !FITS(c->profile) || !FITS(c->image) || !FITS(c->labels) || !FITS(c->state) ||
	    !FITS(c->origin))
		return -E2BIG;
	return 0;
}

static void bind_client(sqlite3_stmt *st, const struct store_client *c)
{
	bind_text(st, 1, c->name);
	bind_text(st, 2, c->uuid);
	bind_text(st, 3, c->macs[0] ? c->macs : "[]");
	bind_text(st, 4, c->serial);
	bind_text(st, 5, c->profile);
	bind_text(st, 6, c->image);
	bind_text(st, 7, c->labels[0] ? c->labels : "{}");
	bind_text(st, 8, c->state[0] ? c->state : "pending");
	sqlite3_bind_int64(st, 9, c->created ? c->created : now_wall());
	bind_text(st, 10, c->origin[0] ? c->origin : "api");
}

int store_client_list(struct store *s, struct store_client **out, size_t *n)
{
	return list_all(s, "SELECT " CLIENT_COLS " FROM clients ORDER BY name",
			sizeof(**out), read_client, (void **)out, n);
}

int store_client_page(struct store *s, const char *after, int limit,
		      struct store_client **out, size_t *n)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	st = prep(s, "SELECT " CLIENT_COLS " FROM clients WHERE name > ?1 ORDER BY name LIMIT ?2");
	if (st) {
		bind_text(st, 1, after ? after : "");
		sqlite3_bind_int(st, 2, limit);
		err = list_rows(s, st, sizeof(**out), read_client, (void **)out, n);
	}
	unlock(s);
	return err;
}

int store_client_find(struct store *s, const char *mac, const char *uuid_a, const char *uuid_b,
		      const char *serial, struct store_client *out)
{
	sqlite3_stmt *st;
	int err = -EIO;

	lock(s);
	/* macs is a JSON array of normalised MACs: a quoted MAC is an element. */
	st = prep(s, "SELECT " CLIENT_COLS " FROM clients WHERE "
		     "(?1 <> '' AND instr(macs, '\"' || ?1 || '\"') > 0) OR "
		     "(uuid <> '' AND uuid IN (?2, ?3)) OR (?4 <> '' AND serial = ?4) "
		     "ORDER BY name LIMIT 1");
	if (st) {
		bind_text(st, 1, mac);
		bind_text(st, 2, uuid_a);
		bind_text(st, 3, uuid_b);
		bind_text(st, 4, serial);
		err = get_row(s, st, sizeof(*out), read_client, out);
	}
	unlock(s);
	return err;
}

int store_client_get(struct store *s, const char *name, struct store_client *out)
{
	return get_by_key(s, "SELECT " CLIENT_COLS " FROM clients WHERE name = ?1", name,
			  sizeof(*out), read_client, out);
}

int store_client_create(struct store *s, const struct store_client *c)
{
	sqlite3_stmt *st;
	int err = client_bad(c);

	if (err)
		return err;
	err = -EIO;
	lock(s);
	st = prep(s, "INSERT INTO clients (" CLIENT_COLS ") VALUES "
		     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
	if (st) {
		bind_client(st, c);
		err = exec_st(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

int store_client_update(struct store *s, const struct store_client *c)
{
	sqlite3_stmt *st;
	int err = client_bad(c);

	if (err)
		return err;
	err = -EIO;
	lock(s);
	st = prep(s, "UPDATE clients SET uuid = ?2, macs = ?3, serial = ?4, profile = ?5, "
		     "image = ?6, labels = ?7, state = ?8 WHERE name = ?1 AND ?9 = ?9 "
		     "AND ?10 = ?10");
	if (st) {
		bind_client(st, c);
		err = exec_one(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

int store_client_delete(struct store *s, const char *name)
{
	return delete_by_key(s, "DELETE FROM clients WHERE name = ?1", name);
}

/* ---- profiles ---- */

#define PROFILE_COLS "name, kind, body"

static void read_profile(sqlite3_stmt *st, void *row)
{
	struct store_profile *p = row;

	col_text(st, 0, p->name, sizeof(p->name));
	col_text(st, 1, p->kind, sizeof(p->kind));
	col_text(st, 2, p->body, sizeof(p->body));
}

static int profile_bad(const struct store_profile *p)
{
	if (!FITS(p->name) || !FITS(p->kind) || !FITS(p->body))
		return -E2BIG;
	return 0;
}

int store_profile_list(struct store *s, struct store_profile **out, size_t *n)
{
	return list_all(s, "SELECT " PROFILE_COLS " FROM profiles ORDER BY name",
			sizeof(**out), read_profile, (void **)out, n);
}

int store_profile_get(struct store *s, const char *name, struct store_profile *out)
{
	return get_by_key(s, "SELECT " PROFILE_COLS " FROM profiles WHERE name = ?1", name,
			  sizeof(*out), read_profile, out);
}

int store_profile_create(struct store *s, const struct store_profile *p)
{
	sqlite3_stmt *st;
	int err = profile_bad(p);

	if (err)
		return err;
	err = -EIO;
	lock(s);
	st = prep(s, "INSERT INTO profiles (" PROFILE_COLS ") VALUES (?1, ?2, ?3)");
	if (st) {
		bind_text(st, 1, p->name);
		bind_text(st, 2, p->kind);
		bind_text(st, 3, p->body[0] ? p->body : "{}");
		err = exec_st(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

int store_profile_update(struct store *s, const struct store_profile *p)
{
	sqlite3_stmt *st;
	int err = profile_bad(p);

	if (err)
		return err;
	err = -EIO;
	lock(s);
	st = prep(s, "UPDATE profiles SET kind = ?2, body = ?3 WHERE name = ?1");
	if (st) {
		bind_text(st, 1, p->name);
		bind_text(st, 2, p->kind);
		bind_text(st, 3, p->body[0] ? p->body : "{}");
		err = exec_one(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}

int store_profile_delete(struct store *s, const char *name)
{
	return delete_by_key(s, "DELETE FROM profiles WHERE name = ?1", name);
}

/* ---- boot history ---- */

#define BOOT_COLS "id, client, time, ip, firmware, what"

static void read_boot(sqlite3_stmt *st, void *row)
{
	struct store_boot *b = row;

	b->id = sqlite3_column_int64(st, 0);
	col_text(st, 1, b->client, sizeof(b->client));
	b->time = sqlite3_column_int64(st, 2);
	col_text(st, 3, b->ip, sizeof(b->ip));
	col_text(st, 4, b->firmware, sizeof(b->firmware));
	col_text(st, 5, b->what, sizeof(b->what));
}

static bool boot_fits(const struct store_boot *b)
{
	return FITS(b->client) && FITS(b->ip) && FITS(b->firmware) && FITS(b->what);
}

/* Insert one row; the caller holds the store lock. */
static int boot_insert(struct store *s, const struct store_boot *b, int64_t *id)
{
	sqlite3_stmt *st = prep(s, "INSERT INTO boot_history (client, time, ip, firmware, what) "
				   "VALUES (?1, ?2, ?3, ?4, ?5)");
	int err;

	if (!st)
		return -EIO;
	bind_text(st, 1, b->client);
	sqlite3_bind_int64(st, 2, b->time ? b->time : now_wall());
	bind_text(st, 3, b->ip);
	bind_text(st, 4, b->firmware);
	bind_text(st, 5, b->what);
	err = exec_st(s, st, -EINVAL);
	if (!err && id)
		*id = sqlite3_last_insert_rowid(conn(s)->db);
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

static void boot_flush(struct store *s)
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

static int boot_queue_start(struct store *s, const char *path, char *err, size_t errlen)
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
static void boot_queue_stop(struct store *s)
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
	lock(s);
	err = boot_insert(s, b, &b->id);
	if (!err) {
		sqlite3_stmt *by_client = prep(s, sql_prune_client), *span = prep(s, sql_prune_span);
		sqlite3_stmt *total = prep(s, sql_prune_total);

		if (by_client && span && total)
			boot_prune_with(conn(s)->db, by_client, span, total, b->client,
					s->boots.keep_client, s->boots.keep_total);
	}
	unlock(s);
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
	sqlite3_stmt *st;
	int err = -EIO;

	boot_flush(s);
	lock(s);
	st = prep(s, "SELECT " BOOT_COLS " FROM boot_history WHERE client = ?1 "
		     "ORDER BY time DESC, id DESC LIMIT ?2");
	if (st) {
		bind_text(st, 1, client);
		sqlite3_bind_int(st, 2, limit);
		err = list_rows(s, st, sizeof(**out), read_boot, (void **)out, n);
	}
	unlock(s);
	return err;
}

int store_boot_page(struct store *s, const char *client, int64_t before, int limit,
		    struct store_boot **out, size_t *n)
{
	sqlite3_stmt *st;
	int err = -EIO;

	boot_flush(s);
	lock(s);
	st = prep(s, "SELECT " BOOT_COLS " FROM boot_history WHERE client = ?1 AND "
		     "(?2 = 0 OR id < ?2) ORDER BY id DESC LIMIT ?3");
	if (st) {
		bind_text(st, 1, client);
		sqlite3_bind_int64(st, 2, before);
		sqlite3_bind_int(st, 3, limit);
		err = list_rows(s, st, sizeof(**out), read_boot, (void **)out, n);
	}
	unlock(s);
	return err;
}

int store_boot_prune(struct store *s, int keep)
{
	sqlite3_stmt *st;
	int err = -EIO;

	boot_flush(s);
	lock(s);
	st = prep(s, "DELETE FROM boot_history WHERE id IN (SELECT id FROM "
		     "(SELECT id, row_number() OVER (PARTITION BY client "
		     "ORDER BY time DESC, id DESC) AS r FROM boot_history) WHERE r > ?1)");
	if (st) {
		sqlite3_bind_int(st, 1, keep);
		err = exec_st(s, st, -EINVAL);
	}
	unlock(s);
	return err;
}
