/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel-side objects (portals, targets with their LUNs and ACLs) as
 * plain data: what the daemon wants, built from its store, and what
 * bootsan.ko has, read back over netlink. ks_reconcile() turns the
 * difference into the operations that make the kernel match.
 */
#ifndef BOOTSAN_KSTATE_H
#define BOOTSAN_KSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bootsan.h>

/* Room for the longest name or secret the kernel accepts (uapi) and a NUL. */
#define KS_IQN_MAX	(BOOTSAN_IQN_MAX_LEN + 1)
#define KS_NAME_MAX	256
#define KS_SECRET_MAX	BOOTSAN_CHAP_SECRET_MAX_LEN
#define KS_PATH_MAX	4096
#define KS_SERIAL_MAX	65

struct ks_chap {
	char user[KS_NAME_MAX];
	unsigned char secret[KS_SECRET_MAX];	/* desired state only */
	unsigned int secret_len;
	bool set;			/* credentials configured */
};

struct ks_portal {
	unsigned char addr[16];
	unsigned int addr_len;		/* 4 or 16 */
	uint16_t port;
	uint16_t tpgt;
	uint32_t max_connections;	/* 0: the module's default */
	uint32_t login_timeout;		/* seconds; 0: the module's default */
};

struct ks_lun {
	uint32_t lun;
	uint32_t backend;		/* enum bootsan_backend */
	char path[KS_PATH_MAX];		/* the golden image of an overlay */
	char delta_path[KS_PATH_MAX];	/* an overlay's delta file; "" for others */
	bool read_only;
	bool direct;
	uint32_t block_size;
	uint64_t size;			/* 0: the whole image or device */
	char serial[KS_SERIAL_MAX];
	uint64_t naa;
	/*
	 * Its image's file is gone: never created in the kernel, but one the
	 * kernel has already is left alone (its open file still serves the
	 * sessions on it) rather than pulled from under them.
	 */
	bool missing;
};

struct ks_acl {
	char initiator[KS_IQN_MAX];
	struct ks_chap chap;
	struct ks_chap mutual;
};

struct ks_target {
	char iqn[KS_IQN_MAX];
	char alias[KS_NAME_MAX];
	uint32_t auth;			/* enum bootsan_auth */
	struct ks_chap chap;
	struct ks_chap mutual;
	uint32_t max_sessions;		/* 0: the module's default */
	uint32_t queue_depth;		/* 0: the module's default */
	uint32_t nop_in_interval;	/* seconds; 0: no NOP-In (the default) */
	bool allow_any_initiator;	/* else only the ACL's initiators */
	struct ks_lun *luns;
	size_t nluns;
	struct ks_acl *acls;
	size_t nacls;
};

/*
 * What the module takes a target's 0 to mean (the spec's constants, which
 * the module uses too): a 0 in the wanted state is compared and sent as
 * this value, so a limit taken back to the default reaches the kernel.
 */
static inline uint32_t ks_max_sessions(const struct ks_target *t)
{
	return t->max_sessions ? t->max_sessions : BOOTSAN_MAX_SESSIONS_DEFAULT;
}

static inline uint32_t ks_queue_depth(const struct ks_target *t)
{
	return t->queue_depth ? t->queue_depth : BOOTSAN_QUEUE_DEPTH_DEFAULT;
}

struct ks_state {
	struct ks_portal *portals;
	size_t nportals;
	struct ks_target *targets;
	size_t ntargets;
};

void ks_state_free(struct ks_state *s);
/* Append a zeroed element; NULL when out of memory. */
struct ks_portal *ks_add_portal(struct ks_state *s);
struct ks_target *ks_add_target(struct ks_state *s);
struct ks_lun *ks_add_lun(struct ks_target *t);
struct ks_acl *ks_add_acl(struct ks_target *t);
struct ks_target *ks_find_target(const struct ks_state *s, const char *iqn);

enum ks_op_kind {
	KS_PORTAL_NEW,
	KS_TARGET_NEW,
	KS_TARGET_SET,
	KS_LUN_DEL,
	KS_LUN_NEW,
	KS_LUN_RESIZE,
	KS_ACL_DEL,
	KS_ACL_NEW,
	KS_TARGET_DEL,
	KS_PORTAL_DEL,
};

/* One change; the pointers point into the wanted or the current state. */
struct ks_op {
	enum ks_op_kind kind;
	const struct ks_portal *portal;
	const struct ks_target *target;
	const struct ks_lun *lun;
	const struct ks_acl *acl;
};

/*
 * The operations, in an order the kernel accepts, that turn @have into
 * @want. Secrets cannot be read back, so credentials are compared by user
 * name and presence only; objects that match are left alone, which is
 * what keeps logged-in initiators undisturbed across a daemon restart.
 * Returns 0 with a malloc'ed array in *ops, or -ENOMEM.
 */
int ks_reconcile(const struct ks_state *want, const struct ks_state *have,
		 struct ks_op **ops, size_t *nops);

#endif /* BOOTSAN_KSTATE_H */
