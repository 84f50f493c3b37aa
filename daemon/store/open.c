// SPDX-License-Identifier: GPL-2.0
/*
 * Opening the store: its schema, one migration script per version, applied
 * in a transaction together with the new number in schema_version, so a
 * database is always at exactly one version; closing it; counting rows.
 * The rows themselves are in san.c, clients.c and history.c; see store.h.
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

#include "db.h"
#include "history.h"
#include "lib/log.h"
#include "lib/util.h"
#include "store.h"

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

/*
 * Version 8: copy-on-write overlays (bootsan.ko's overlay backend). An
 * overlay is an image whose file is a delta over one version of a golden
 * image: golden and golden_version (0 for an ordinary image). Every image
 * has a version, counting the updates it had as a golden; image_versions
 * records each update (and is the journal that finishes one a crash cut
 * short: pending). An overlay being flattened into an ordinary image is
 * state 'flattening'. SQLite cannot change a CHECK: the images table is
 * rebuilt, which migrations may since they run with foreign keys off
 * (migrate()).
 */
static const char schema_v8[] =
	"CREATE TABLE images_v8 ("
	"  name TEXT PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 64),"
	"  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),"
	"  created INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'ready'"
	"    CHECK (state IN ('ready', 'cloning', 'flattening')),"
	"  job INTEGER NOT NULL DEFAULT 0,"
	"  version INTEGER NOT NULL DEFAULT 1 CHECK (version BETWEEN 1 AND 2147483647),"
	"  golden TEXT REFERENCES images(name) ON DELETE RESTRICT,"
	"  golden_version INTEGER NOT NULL DEFAULT 0 CHECK (golden_version BETWEEN 0 AND 2147483647),"
	"  CHECK ((golden IS NULL) = (golden_version = 0)),"
	"  CHECK (golden IS NULL OR golden != name));"
	"INSERT INTO images_v8 (name, size_bytes, created, state, job)"
	"  SELECT name, size_bytes, created, state, job FROM images;"
	"DROP TABLE images;"
	"ALTER TABLE images_v8 RENAME TO images;"
	"CREATE INDEX images_golden ON images(golden, golden_version);"
	"CREATE TABLE image_versions ("
	"  image TEXT NOT NULL REFERENCES images(name) ON DELETE CASCADE,"
	"  version INTEGER NOT NULL CHECK (version BETWEEN 2 AND 2147483647),"
	"  created INTEGER NOT NULL,"
	"  size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),"
	"  source TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 64),"
	"  pending INTEGER NOT NULL DEFAULT 1 CHECK (pending IN (0, 1)),"
	"  PRIMARY KEY (image, version));";

/* migrations[v] brings a database from version v - 1 to v. */
static const char *const migrations[] = {
	NULL, schema_v1, schema_v2, schema_v3, schema_v4, schema_v5, schema_v6, schema_v7,
	schema_v8,
};
_Static_assert(ARRAY_SIZE(migrations) == STORE_SCHEMA_VERSION + 1,
	       "one migration per schema version");

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
	/*
	 * Foreign keys off while migrating (a no-op inside a transaction), so
	 * that a migration may rebuild a table others refer to, as SQLite's
	 * ALTER TABLE documentation does it; each one is checked before its
	 * commit instead, and they are on again after.
	 */
	if (have < target && exec_sql(s, "PRAGMA foreign_keys = OFF", e, sizeof(e))) {
		snprintf(err, errlen, "%s: %s", path, e);
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
		    exec_sql(s, setv, e, sizeof(e)))
			goto rollback;
		if (query_int(s, "SELECT count(*) FROM pragma_foreign_key_check") != 0) {
			snprintf(e, sizeof(e), "it breaks a foreign key (PRAGMA foreign_key_check)");
			goto rollback;
		}
		if (exec_sql(s, "COMMIT", e, sizeof(e)))
			goto rollback;
		if (have)
			log_info("store: %s upgraded to schema version %d", path, v);
		continue;
rollback:
		sqlite3_exec(s->main.db, "ROLLBACK", NULL, NULL, NULL);
fail:
		snprintf(err, errlen, "%s: migration to schema version %d failed: %s",
			 path, v, e);
		exec_sql(s, "PRAGMA foreign_keys = ON", e, sizeof(e));
		return -1;
	}
	if (have < target && exec_sql(s, "PRAGMA foreign_keys = ON", e, sizeof(e))) {
		snprintf(err, errlen, "%s: %s", path, e);
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

/*
 * The schema version in the file's header too (PRAGMA user_version: 4 bytes,
 * big-endian, at offset 60), checkpointed into the main file: the bootsand
 * package's preinst reads it there, without SQLite and while the installed
 * bootsand runs, to refuse a downgrade to a bootsand older than the database
 * before dpkg replaces anything. A database last opened by an older
 * bootsand has 0 there until this one opens it.
 */
static int stamp_version(struct store *s, const char *path, char *err, size_t errlen)
{
	char sql[64], e[512];

	if (query_int(s, "PRAGMA user_version") != s->version) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", s->version);
		if (exec_sql(s, sql, e, sizeof(e))) {
			snprintf(err, errlen, "%s: %s", path, e);
			return -1;
		}
	}
	/* A header written before a crash may still be only in the -wal file. */
	if (exec_sql(s, "PRAGMA wal_checkpoint(TRUNCATE)", e, sizeof(e))) {
		snprintf(err, errlen, "%s: checkpoint: %s", path, e);
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
	if (stamp_version(s, path, err, errlen))
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
/* Every thread's snapshots must have ended: the store's users have stopped. */
void store_close(struct store *s)
{
	if (!s)
		return;
	boot_queue_stop(s);
	for (int i = 0; i < s->nreaders; i++) {
		db_conn_close(s->readers[i]);
		free(s->readers[i]);
	}
	db_conn_close(&s->main);
	pthread_mutex_destroy(&s->readers_lock);
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s);
}

int store_schema_version(struct store *s)
{
	return s->version;
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

	if ((unsigned int)t >= ARRAY_SIZE(sql))
		return -EINVAL;
	if (t == STORE_T_BOOT_HISTORY || t == STORE_T_UNBOOTED_CLIENTS)
		boot_flush(s);
	return db_count(s, sql[t], DB_NO_ARGS, count);
}
