/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's state: SQLite in WAL mode, the single source of truth.
 *
 *	char err[256];
 *	struct store *s = store_open("/var/lib/bootsand/bootsand.db", err, sizeof(err));
 *	struct store_image *v;
 *	size_t n;
 *
 *	if (!s) { log_err("%s", err); ... }
 *	if (!store_image_list(s, &v, &n)) { ...; free(v); }
 *
 * Every function is thread-safe (one connection behind a mutex, prepared
 * statements cached; read snapshots and the boot history writer have their
 * own connections) and returns 0 or a negative errno:
 *   -ENOENT   no such object
 *   -EEXIST   an object with that key exists already
 *   -EBUSY    the object is still referenced (an image used by a LUN)
 *   -EINVAL   a value breaks a constraint (bad enum, missing reference)
 *   -E2BIG    a string does not fit its field
 *   -EIO      any other SQLite failure (logged)
 * List functions return a malloc'ed array the caller frees (NULL when empty).
 * Strings are bounded: each struct field's size is its limit, checked on
 * write; the schema checks the same limits.
 */
#ifndef BOOTSAND_STORE_H
#define BOOTSAND_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The schema version this build creates and understands. */
#define STORE_SCHEMA_VERSION 8

#define STORE_NAME_SIZE		65	/* image, profile, client names: 64 + NUL */
#define STORE_IQN_SIZE		224	/* 223 + NUL */
#define STORE_ADDR_SIZE		46	/* INET6_ADDRSTRLEN */
#define STORE_CHAP_SIZE		256	/* CHAP user or secret: 255 + NUL */
#define STORE_PATH_SIZE		4096
#define STORE_SERIAL_SIZE	17	/* 16 hex digits + NUL */

struct store;

/*
 * Open (creating if needed) and migrate to STORE_SCHEMA_VERSION. NULL on
 * failure with a message in @err: unreadable file, not a database, or a
 * schema newer than this build.
 */
struct store *store_open(const char *path, char *err, size_t errlen);
/* Tests: migrate only up to @version (1 ... STORE_SCHEMA_VERSION). */
struct store *store_open_version(const char *path, int version, char *err, size_t errlen);
void store_close(struct store *s);
/* The schema version of the open database. */
int store_schema_version(struct store *s);

/*
 * A read snapshot: the store calls this thread makes between begin and end
 * see one state of the database, in one SQLite read transaction on the
 * thread's own read-only connection (a boot script reads the client, its
 * profile, settings and its target: one WAL read lock, and no waiting for
 * other threads' calls or for writers). Only reads in between (a write
 * fails). Nests; one store at a time per thread. Should a connection not
 * open, the calls run as usual.
 */
void store_read_begin(struct store *s);
void store_read_end(struct store *s);

/*
 * A write transaction: the calls this thread makes on @s from begin to
 * commit (or rollback) are written all or none, and no other thread's
 * write comes between them (those wait). Not nested, and not inside a
 * read snapshot: -EDEADLK. 0 or -errno; a commit that fails has rolled
 * back.
 */
int store_tx_begin(struct store *s);
int store_tx_commit(struct store *s);
void store_tx_rollback(struct store *s);

/* Rows in a table, for status and metrics. */
enum store_table {
	STORE_T_PORTALS, STORE_T_IMAGES, STORE_T_TARGETS, STORE_T_LUNS,
	STORE_T_ACLS, STORE_T_JOBS, STORE_T_CLIENTS, STORE_T_PROFILES,
	STORE_T_BOOT_HISTORY,
	/* Clients enrollment recorded that have not booted yet: pending, or
	 * never logged in to their disk (one without a disk: never served its
	 * profile). What a flood of made-up machines leaves behind. */
	STORE_T_UNBOOTED_CLIENTS,
};
int store_count(struct store *s, enum store_table t, int64_t *count);

/* settings: key/value text. */
int store_setting_get(struct store *s, const char *key, char *value, size_t size);
int store_setting_set(struct store *s, const char *key, const char *value);
int store_setting_delete(struct store *s, const char *key);

/* portals, keyed by (address, port). address is normalised text (inet_ntop). */
struct store_portal {
	char address[STORE_ADDR_SIZE];
	uint16_t port;
	uint16_t tpgt;		/* 1 ... 65535 */
	uint32_t max_connections;	/* 0: module default */
	uint32_t login_timeout;	/* seconds, 0 ... 3600; 0: module default */
};
int store_portal_list(struct store *s, struct store_portal **out, size_t *n);
int store_portal_get(struct store *s, const char *address, uint16_t port,
		     struct store_portal *out);
int store_portal_create(struct store *s, const struct store_portal *p);
int store_portal_update(struct store *s, const struct store_portal *p);	/* tpgt, limit */
int store_portal_delete(struct store *s, const char *address, uint16_t port);

/*
 * images: files <state-dir>/images/<name>.img, or for an overlay its delta
 * <name>.delta over version golden_version of image golden (san/overlays.h).
 */
struct store_image {
	char name[STORE_NAME_SIZE];
	uint64_t size_bytes;
	int64_t created;	/* unix seconds */
	char state[16];		/* "ready", "cloning" or "flattening" */
	int64_t job;		/* the clone or flatten job while one runs, else 0 */
	uint32_t version;	/* as a golden: 1, then one more per update; 0 is 1 */
	char golden[STORE_NAME_SIZE];	/* an overlay's golden image, else "" */
	uint32_t golden_version;	/* an overlay's version of it, else 0 */
};
int store_image_list(struct store *s, struct store_image **out, size_t *n);
/* At most @limit images named after @after ("" or NULL: from the first), by name. */
int store_image_page(struct store *s, const char *after, int limit,
		     struct store_image **out, size_t *n);
int store_image_get(struct store *s, const char *name, struct store_image *out);
int store_image_create(struct store *s, const struct store_image *im);
/* Everything but name and created. */
int store_image_update(struct store *s, const struct store_image *im);
/* -EBUSY while a LUN uses it. */
int store_image_delete(struct store *s, const char *name);
/* LUNs that use the image (0 when none). */
int store_image_lun_count(struct store *s, const char *name, int64_t *count);
/* Overlays on @golden: on its version @version, or on any when 0. */
int store_image_overlay_count(struct store *s, const char *golden, uint32_t version,
			      int64_t *count);

/*
 * image_versions: the updates of a golden image, version 2 and up. A row
 * is written pending, in the transaction that bumps the image's version,
 * and marked done once the new version's file is in place: a pending row
 * at start is an update to finish (san/overlays.c).
 */
struct store_image_version {
	char image[STORE_NAME_SIZE];
	uint32_t version;
	int64_t created;
	uint64_t size_bytes;
	char source[STORE_NAME_SIZE];	/* the image that became this version */
	bool pending;
};
int store_image_version_add(struct store *s, const struct store_image_version *v);
/* Those of @image (NULL: the pending ones of every image), by version. */
int store_image_version_list(struct store *s, const char *image,
			     struct store_image_version **out, size_t *n);
int store_image_version_done(struct store *s, const char *image, uint32_t version);

/* targets. Secrets are stored but never leave through the API. */
struct store_target {
	char iqn[STORE_IQN_SIZE];
	char alias[256];
	char auth[16];		/* "none", "chap", "mutual-chap" */
	char chap_user[STORE_CHAP_SIZE];
	char chap_secret[STORE_CHAP_SIZE];
	char mutual_user[STORE_CHAP_SIZE];
	char mutual_secret[STORE_CHAP_SIZE];
	uint32_t max_sessions;	/* 0: module default */
	uint32_t queue_depth;	/* 0: module default, else 1 ... 128 */
	uint32_t nop_in_interval;	/* seconds, 0 ... 3600; 0: no NOP-In */
	/* Every initiator may log in; else only the ACL's (none when it is empty). */
	bool allow_any_initiator;
	bool read_only;
	int64_t created;
};
int store_target_list(struct store *s, struct store_target **out, size_t *n);
int store_target_get(struct store *s, const char *iqn, struct store_target *out);
int store_target_create(struct store *s, const struct store_target *t);
int store_target_update(struct store *s, const struct store_target *t);
/* Deletes its LUNs and ACL entries too. */
int store_target_delete(struct store *s, const char *iqn);

/* luns. Exactly one of image and device is set. */
struct store_lun {
	char target[STORE_IQN_SIZE];
	uint32_t lun;		/* 0 ... 16383 */
	char image[STORE_NAME_SIZE];	/* an image name, or "" */
	char device[STORE_PATH_SIZE];	/* an absolute device path, or "" */
	char backend[8];	/* "fileio" or "blockio" */
	bool direct;
	uint32_t block_size;	/* 512 or 4096 */
	char serial[STORE_SERIAL_SIZE];	/* generated at creation */
	uint64_t naa;		/* generated at creation */
};
/* All LUNs, or those of @target when not NULL. */
int store_lun_list(struct store *s, const char *target, struct store_lun **out, size_t *n);
int store_lun_get(struct store *s, const char *target, uint32_t lun, struct store_lun *out);
/*
 * serial and naa are generated when empty / 0 and written back into @l;
 * the stored values never change afterwards (update keeps them).
 */
int store_lun_create(struct store *s, struct store_lun *l);
int store_lun_update(struct store *s, const struct store_lun *l);
int store_lun_delete(struct store *s, const char *target, uint32_t lun);

/* The fixed 24 bits after the NAA nibble of generated identifiers. */
#define STORE_NAA_OUI 0xb5a7e5u
/* A new NAA identifier: 0x5, STORE_NAA_OUI, 36 random bits. */
int store_naa_generate(uint64_t *naa);

/* acls: initiators allowed on a target, with optional per-initiator CHAP. */
struct store_acl {
	char target[STORE_IQN_SIZE];
	char initiator[STORE_IQN_SIZE];
	char chap_user[STORE_CHAP_SIZE];
	char chap_secret[STORE_CHAP_SIZE];
};
int store_acl_list(struct store *s, const char *target, struct store_acl **out, size_t *n);
int store_acl_get(struct store *s, const char *target, const char *initiator,
		  struct store_acl *out);
int store_acl_create(struct store *s, const struct store_acl *a);
int store_acl_update(struct store *s, const struct store_acl *a);
int store_acl_delete(struct store *s, const char *target, const char *initiator);

/* jobs: long-running work (image clones). */
struct store_job {
	int64_t id;
	char kind[32];		/* "clone" */
	char subject[128];	/* what it works on, e.g. the new image's name */
	char state[16];		/* "queued", "running", "done", "failed" */
	int progress;		/* 0 ... 100 */
	char error[256];
	int64_t created;
	int64_t finished;	/* 0 while not finished */
};
int store_job_list(struct store *s, struct store_job **out, size_t *n);
/* At most @limit jobs with an id above @after (0: from the first), by id. */
int store_job_page(struct store *s, int64_t after, int limit, struct store_job **out, size_t *n);
/*
 * Jobs are bounded, since a provisioning machine makes one: finishing a
 * job (and failing the unfinished ones at start) keeps the newest
 * STORE_JOB_KEEP finished jobs; queued and running ones always stay.
 */
#define STORE_JOB_KEEP 1000
int store_job_get(struct store *s, int64_t id, struct store_job *out);
/* A new queued job; its id in *id. */
int store_job_create(struct store *s, const char *kind, const char *subject, int64_t *id);
/* Sets state, progress and error; "done"/"failed" also set finished. */
int store_job_update(struct store *s, int64_t id, const char *state, int progress,
		     const char *error);
/* Marks every queued or running job failed with @why; count in *n. */
int store_job_fail_unfinished(struct store *s, const char *why, int64_t *n);

/* clients (boot service). macs and labels are JSON texts. */
struct store_client {
	char name[STORE_NAME_SIZE];
	char uuid[37];
	char macs[512];		/* JSON array of normalised MACs */
	char serial[128];
	char profile[STORE_NAME_SIZE];
	char image[STORE_NAME_SIZE];
	char labels[4096];	/* JSON object */
	char state[16];		/* "pending" or "active" */
	int64_t created;
	char origin[16];	/* "api", "register", "provision"; "" is "api" */
};
int store_client_list(struct store *s, struct store_client **out, size_t *n);
/* At most @limit clients named after @after ("" or NULL: from the first), by name. */
int store_client_page(struct store *s, const char *after, int limit,
		      struct store_client **out, size_t *n);
int store_client_get(struct store *s, const char *name, struct store_client *out);
/*
 * The first client by name whose MAC list holds @mac (normalised), whose
 * UUID is @uuid_a or @uuid_b (normalised), or whose serial is @serial; ""
 * matches nothing. -ENOENT when none.
 */
int store_client_find(struct store *s, const char *mac, const char *uuid_a, const char *uuid_b,
		      const char *serial, struct store_client *out);
/*
 * -EEXIST also when one of its MACs or its UUID is another client's (the
 * schema keeps each once); so does update.
 */
int store_client_create(struct store *s, const struct store_client *c);
int store_client_update(struct store *s, const struct store_client *c);
int store_client_delete(struct store *s, const char *name);

/* profiles: a kind and a JSON body. */
struct store_profile {
	char name[STORE_NAME_SIZE];
	char kind[16];
	char body[16384];	/* JSON object */
};
int store_profile_list(struct store *s, struct store_profile **out, size_t *n);
int store_profile_get(struct store *s, const char *name, struct store_profile *out);
int store_profile_create(struct store *s, const struct store_profile *p);
int store_profile_update(struct store *s, const struct store_profile *p);
int store_profile_delete(struct store *s, const char *name);

/* boot_history: one row per script fetch or login of a client. */
struct store_boot {
	int64_t id;
	char client[STORE_NAME_SIZE];
	int64_t time;
	char ip[STORE_ADDR_SIZE];
	char firmware[64];
	char what[256];
};
/* Written at once, after the rows queued before it; sets id. */
int store_boot_add(struct store *s, struct store_boot *b);
/*
 * The hot path (a script fetch): the row is queued in memory and written
 * by the store's writer thread within 50 ms, together with the rows queued
 * meanwhile, one transaction per batch. Queued rows are written before any read of
 * the history (list, count, prune) and by store_close(), so only a crash
 * of the daemon can lose them (those of the last moments). A row whose
 * client is gone by then is dropped. time 0 is now. -E2BIG only.
 */
int store_boot_queue(struct store *s, const struct store_boot *b);
/* Newest first, at most @limit rows of @client. */
int store_boot_list(struct store *s, const char *client, int limit,
		    struct store_boot **out, size_t *n);
/*
 * At most @limit rows of @client (NULL: of every client) older than row
 * @before (0: the newest), newest first.
 */
int store_boot_page(struct store *s, const char *client, int64_t before, int limit,
		    struct store_boot **out, size_t *n);
/* Keeps the newest @keep rows of each client. */
int store_boot_prune(struct store *s, int keep);

/*
 * The history is bounded, since any machine on the network can add to it
 * (a script fetch needs no token): every write keeps the newest
 * STORE_BOOT_KEEP rows of its client (what the API shows) and the newest
 * STORE_BOOT_KEEP_TOTAL rows in all.
 */
#define STORE_BOOT_KEEP		50
#define STORE_BOOT_KEEP_TOTAL	100000
/* Other bounds (tests); 0 restores a default. */
void store_boot_set_limits(struct store *s, int per_client, int total);

#endif /* BOOTSAND_STORE_H */
