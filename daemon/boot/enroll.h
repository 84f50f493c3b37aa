/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Enrollment: the boot service's settings (GET|PUT /api/v1/settings),
 * what becomes of a machine bootsand does not know, and the SAN objects a
 * sanboot client owns.
 *
 * Policies (setting "enrollment"):
 *   deny       the script says why and exits (the default); this holds for
 *              pending clients too: no machine an administrator has not
 *              approved (state "active") boots under deny;
 *   register   the machine is recorded as a pending client named after its
 *              MAC ("mac-525400123456") and gets the default profile, as
 *              do pending clients on later boots;
 *   provision  the machine becomes an active client of the default profile
 *              with its own image cloned from the setting "golden_image"
 *              and, for a sanboot profile, its own target; the script waits
 *              and asks again while the clone runs.
 * A client that boots from its own disk (a sanboot profile, or a linux one
 * with "san_root": true) owns the target <iqn_prefix>:<name> (LUN 0 = its image,
 * ACL = its initiator name); when its profile asks for CHAP ("chap":
 * "chap" or "mutual") the target gets random per-client secrets, which the
 * boot script hands to iPXE and the API never shows.
 */
#ifndef BOOTSAND_ENROLL_H
#define BOOTSAND_ENROLL_H

#include <stdbool.h>
#include <stddef.h>

struct bsd;
struct http;
struct store_client;
struct boot_client;

enum enroll_policy {
	ENROLL_DENY,
	ENROLL_REGISTER,
	ENROLL_PROVISION,
};

#define ENROLL_DEFAULT_IQN_PREFIX "iqn.2026-01.org.bootsan"
/*
 * Limits on enrolling unknown machines (settings of the same names; "0" is
 * no limit): clients recorded by register or provision that have not
 * booted yet (pending, or never served their profile), and new machines a
 * minute in all and from one source address. The MAC or UUID a machine
 * sends is all that identifies it here, and anyone can make them up.
 */
#define ENROLL_DEFAULT_MAX_NEW			"64"
#define ENROLL_DEFAULT_RATE			"60"
#define ENROLL_DEFAULT_RATE_PER_ADDRESS		"10"
/* How long a machine told to come back later waits. */
#define ENROLL_RETRY_SECONDS			30
/* ... and one whose enrollment lost a race to another writer of its MAC or UUID. */
#define ENROLL_RACE_RETRY_SECONDS		2

/* Setting @key into @out, or @dflt when unset or empty. */
void enroll_setting(struct bsd *d, const char *key, const char *dflt, char *out, size_t size);
enum enroll_policy enroll_policy(struct bsd *d);

/*
 * A client name for an unknown machine: "mac-<12 hex>" from a normalised
 * MAC, else "uuid-<32 hex>", else -EINVAL.
 */
int enroll_name_for(const char *mac, const char *uuid, char *out, size_t size);

/*
 * May one more unknown machine be enrolled now, for @addr (its source
 * address)? NULL when it may (taken from the rate limits), else why not.
 */
const char *enroll_admit(struct bsd *d, const char *addr);

/*
 * Records an unknown machine under @policy (register or provision) into
 * @out. -EINVAL with *why when it cannot be (no MAC or UUID, provision
 * without a golden image...), -EAGAIN when another client took its MAC or
 * UUID meanwhile (the machine should ask again), -errno otherwise. Holds
 * boot_refs_lock, as every writer of clients does.
 */
int enroll_unknown(struct bsd *d, enum enroll_policy policy, const char *mac,
		   const char *uuid, const char *serial, struct store_client *out,
		   const char **why);

/*
 * For a client just made: makes sure a client that boots from its own disk
 * (sanboot, san_root) has its target, LUN,
 * ACL and, when its profile asks, its CHAP secrets (created once, kept
 * afterwards). A target enrollment made for an earlier client of the name
 * is replaced, never reused with its secrets. 0 for a client that needs
 * none.
 */
int enroll_ensure_target(struct bsd *d, const struct store_client *c);

/*
 * Fills @bc's SAN fields for @c (IQN prefix, CHAP from its target) with
 * strings kept in @mem, which must outlive @bc.
 */
struct enroll_san {
	char prefix[224];
	char user[256], secret[256], muser[256], msecret[256];
};
void enroll_client_san(struct bsd *d, const struct store_client *c, struct enroll_san *mem,
		       struct boot_client *bc);

/*
 * Removes client @name with what enrollment made for it: its target
 * (alias "disk of <name>"; with it the LUN, the ACL and the CHAP secrets,
 * so a later client of that name gets new ones). Not its image. 0, or
 * -ENOENT (no such client) or another -errno.
 */
int enroll_forget_client(struct bsd *d, const char *name);
/* Was target @t made by enrollment for client @name ("disk of <name>", <prefix>:<name>)? */
struct store_target;
bool enroll_target_of(const struct store_target *t, const char *name);

/* GET and PUT /api/v1/settings (api/openapi/settings.json). */
int enroll_add_routes(struct http *h);

#endif /* BOOTSAND_ENROLL_H */
