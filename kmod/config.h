/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runtime objects userspace configures over netlink: portals, targets,
 * their LUNs and ACL entries. All of them live under bootsan_config_mutex;
 * the module keeps nothing across a reload.
 */
#ifndef BOOTSAN_CONFIG_H
#define BOOTSAN_CONFIG_H

#include <linux/atomic.h>
#include <linux/kref.h>
#include <linux/rcupdate.h>
#include <linux/workqueue.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "iscsi_name.h"
#include <uapi/linux/bootsan.h>

#define BOOTSAN_DEFAULT_PORT		3260
#define BOOTSAN_DEFAULT_TPGT		1
/*
 * The defaults of targets and portals (BOOTSAN_*_DEFAULT) are constants of
 * uapi/bootsan.yaml, so that the daemon reads the same values.
 */
#define BOOTSAN_CHAP_USER_MAX_LEN	255
#define BOOTSAN_ALIAS_MAX_LEN		255
#define BOOTSAN_SERIAL_MAX_LEN		64

struct bootsan_chap {
	char user[BOOTSAN_CHAP_USER_MAX_LEN + 1];
	u8 secret[BOOTSAN_CHAP_SECRET_MAX_LEN];
	u8 secret_len;			/* 0: not configured */
	/*
	 * Changes when the user or secret does: a session remembers the
	 * generation it proved, so a change of credentials ends it.
	 */
	u64 gen;
};

/* What an initiator must prove, and what the target proves back. */
struct bootsan_credentials {
	struct bootsan_chap chap;
	struct bootsan_chap mutual;
};

struct bootsan_portal {
	struct kref ref;		/* the registry's, and one per connection */
	struct list_head node;
	u8 addr[16];
	u8 addr_len;			/* 4 or 16 */
	u16 port;
	u16 tpgt;
	struct socket *sock;		/* listening */
	struct work_struct accept_work;
	void (*saved_data_ready)(struct sock *sk);
	atomic_t connections;		/* all of them, logged in or not */
	u32 max_connections;		/* logged in at once */
	atomic_t logged_in;		/* connections holding one of those */
	u32 login_timeout;		/* seconds */
	/* Connections not logged in yet, oldest first (prelogin.c). */
	spinlock_t prelogin_lock;
	struct list_head prelogin;
	unsigned int nr_prelogin;
};

struct bootsan_backend_ops;

struct bootsan_lun_stats {
	atomic64_t read_cmds;
	atomic64_t write_cmds;
	atomic64_t read_bytes;
	atomic64_t write_bytes;
	atomic64_t errors;
	atomic64_t latency_ns;
	/* Where the data path copies with the CPU, and where it does not. */
	atomic64_t read_bytes_by_ref;
	atomic64_t read_bytes_copied;
	atomic64_t write_bytes_copied;
};

/*
 * Commands find LUNs under RCU and hold a reference while they run, so a
 * LUN can be deleted under I/O: its file is closed after the last command.
 */
struct bootsan_lun {
	struct kref ref;
	struct rcu_head rcu;
	struct list_head node;		/* in target->luns, by number (RCU) */
	struct bootsan_target *target;
	u32 lun;
	enum bootsan_backend backend;	/* as configured; ops serves it */
	char *path;
	char *delta_path;		/* the overlay's delta file; NULL for others */
	/* Set when the backing store is opened (backend.h), NULL before. */
	const struct bootsan_backend_ops *ops;
	void *backend_data;		/* the backend's own: its file, its device */
	bool read_only;
	bool direct;			/* bypass the page cache (file backend) */
	/*
	 * The write cache as reported (WCE): the backend's own when the LUN
	 * is made, then as MODE SELECT sets it (READ_ONCE). Off: every
	 * write is stable before it is acknowledged.
	 */
	bool write_cache;
	u32 block_size;
	u64 size;			/* bytes, a multiple of block_size */
	char serial[BOOTSAN_SERIAL_MAX_LEN + 1];
	u64 naa;			/* 0: none given */
	struct bootsan_lun_stats stats;
	/* The engine's: CAW lock, reservations, unit attentions (lun_state.h). */
	struct bootsan_lun_state *state;
};

struct bootsan_acl {
	struct list_head node;
	char initiator[ISCSI_NAME_MAX_LEN + 1];
	struct bootsan_credentials creds;
};

/* Sessions hold a reference: a deleted target lives on until they end. */
struct bootsan_target {
	struct kref ref;
	u32 id;				/* index in bootsan_targets */
	char iqn[ISCSI_NAME_MAX_LEN + 1];
	char alias[BOOTSAN_ALIAS_MAX_LEN + 1];
	enum bootsan_auth auth;
	struct bootsan_credentials creds;
	u32 max_sessions;
	u32 queue_depth;
	u32 nop_in_interval;		/* seconds, 0 for no NOP-In pings */
	/* Every initiator may log in; else only those in acls (none if empty). */
	bool allow_any_initiator;
	struct list_head luns;
	unsigned int nr_luns;
	struct list_head acls;
	atomic_t nr_sessions;
};

/*
 * Locking: the one place that says which lock protects what, and in which
 * order they nest (outer first). lockdep_assert_held() marks the functions
 * that expect one.
 *
 *   bootsan_config_mutex	the registry: portals, targets, their LUN and
 *				ACL lists, targets' settings and credentials.
 *				Netlink handlers; logins (target lookup, alias),
 *				SendTargets and REPORT LUNS take it too.
 *   bootsan_session_mutex	bootsan_sessions and the TSIHs (session.c);
 *				netlink handlers (forced deletes, session
 *				get and kill) take it inside the config mutex.
 *   lun_state->caw_lock	one COMPARE AND WRITE at a time on a LUN; held
 *				across its I/O, under no other lock.
 *   spinlocks, innermost,	bootsan_conns_lock (the connection list),
 *   never nested, never	lun_state->lock (reservations, unit attentions),
 *   held across a sleep	conn->done_lock (irq-safe: bio completions),
 *				sk->sk_callback_lock (socket callbacks, bh).
 *
 * Whoever holds the config or session mutex never waits for io_work or
 * release_work: those take both mutexes. LUNs are found under RCU and
 * pinned with a reference that is dropped outside RCU (the last one closes
 * the backing store and sleeps). Fields netlink changes on a live object
 * and the data path reads without the mutex are written with WRITE_ONCE()
 * under it and read with READ_ONCE(): lun->size, target->max_sessions,
 * target->queue_depth, target->nop_in_interval. Everything else of a LUN
 * is set before the LUN is published and never changes.
 */
extern struct mutex bootsan_config_mutex;
/* Set at module unload, under the mutex: no new portals from then on. */
extern bool bootsan_shutting_down;
/* Targets by id: dumps resume from an id, so they survive concurrent changes. */
extern struct xarray bootsan_targets;
extern struct list_head bootsan_portals;

/*
 * Lifetimes: each refcounted object (portal, target, LUN) is made by its
 * _alloc() constructor holding one reference, which the registry takes
 * over when the object is added; _get() and _put() do the rest, and the
 * last _put() frees. Lookups: _find()/_next() under bootsan_config_mutex
 * (no reference taken); bootsan_lun_get()/_get_next() without it, under
 * RCU, taking a reference.
 */
struct bootsan_target *bootsan_target_alloc(const char *iqn);
struct bootsan_target *bootsan_target_find(const char *iqn);
int bootsan_target_add(struct bootsan_target *t);
void bootsan_target_remove(struct bootsan_target *t);
void bootsan_target_get(struct bootsan_target *t);
void bootsan_target_put(struct bootsan_target *t);

struct bootsan_lun *bootsan_lun_alloc(void);
struct bootsan_lun *bootsan_lun_find(struct bootsan_target *t, u32 lun);
/* The first LUN of @t numbered @from or higher, or NULL. */
struct bootsan_lun *bootsan_lun_next(struct bootsan_target *t, u32 from);
struct bootsan_lun *bootsan_lun_get(struct bootsan_target *t, u32 lun);
struct bootsan_lun *bootsan_lun_get_next(struct bootsan_target *t, u32 from);
void bootsan_lun_put(struct bootsan_lun *lun);
void bootsan_lun_insert(struct bootsan_target *t, struct bootsan_lun *lun);
void bootsan_lun_remove(struct bootsan_target *t, struct bootsan_lun *lun);

struct bootsan_acl *bootsan_acl_find(struct bootsan_target *t, const char *initiator);
/* May @initiator log in to @t at all (its ACL, or allow-any-initiator)? */
bool bootsan_target_admits(struct bootsan_target *t, const char *initiator,
			   struct bootsan_acl **acl);
/* The credentials @initiator must present: its ACL entry's, else the target's. */
const struct bootsan_credentials *bootsan_target_credentials(const struct bootsan_target *t,
							     const struct bootsan_acl *acl);
/* Must an initiator with ACL entry @acl (or none) authenticate with CHAP? */
bool bootsan_target_auth_required(const struct bootsan_target *t,
				  const struct bootsan_acl *acl);
/*
 * Would a session of @initiator that proved CHAP credentials of generation
 * @chap_gen (0: none) be allowed now? Under bootsan_config_mutex.
 */
bool bootsan_target_still_admits(struct bootsan_target *t, const char *initiator,
				 u64 chap_gen);
void bootsan_acl_remove(struct bootsan_acl *acl);

struct bootsan_portal *bootsan_portal_alloc(const u8 *addr, u8 addr_len, u16 port);
struct bootsan_portal *bootsan_portal_find(const u8 *addr, u8 addr_len, u16 port);
void bootsan_portal_get(struct bootsan_portal *p);
void bootsan_portal_put(struct bootsan_portal *p);
int bootsan_portal_open(struct bootsan_portal *p);
void bootsan_portal_remove(struct bootsan_portal *p);

void bootsan_portals_stop_all(void);
/* Remove every object; for module unload. */
void bootsan_config_clear(void);

#endif /* BOOTSAN_CONFIG_H */
