/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The boot decision: which client a machine is, which profile it boots and
 * what it is told, in one place for every boot endpoint (the iPXE script,
 * pxelinux.cfg files, and later UEFI HTTP boot and DHCP), in the way
 * matchbox matches a machine to a profile.
 *
 * boot_resolve() reads and writes nothing of its own: every look at the
 * store, and the two things an unknown machine may cost (a token of the
 * enrollment rate limits, a new client record), go through a struct
 * boot_view. bootsand's view is boot_store_view() (boot_view.c); the unit
 * tests hand it tables. An endpoint parses its request into a struct
 * boot_ask, calls boot_resolve() and renders the struct boot_resolution.
 *
 * The rules, in order:
 *  1. A machine is a client when its MAC, its UUID (in either byte order)
 *     or its serial number names one; a placeholder UUID names none.
 *  2. A client in state "pending" boots only while the enrollment policy
 *     is not deny (enroll.h); an "active" one always may.
 *  3. An unknown machine: under deny it is refused; under register or
 *     provision it is recorded (if the rate limits allow: else it is told
 *     to come back later, recording nothing) and then boots as a client.
 *     A machine that sent neither MAC nor UUID cannot be recorded: under
 *     register it boots the default profile unrecorded; under provision it
 *     is refused. pxelinux asks for its own file first and "default" after:
 *     an unknown machine's own file is passed over (register records its
 *     MAC on the way) and "default" is the default profile unless the
 *     policy is deny.
 *  4. A client's profile is its own, else the profile whose label selector
 *     matches its labels with the most keys (the first by name on a tie),
 *     else the setting default_profile; a menu's item asked for by name
 *     (?profile=) is taken only when it is an item of that menu.
 *  5. For a sanboot profile over iPXE the client needs a disk image; while
 *     the image is being cloned the machine waits and asks again.
 *  6. A disk's CHAP secrets go only to a machine that named its client by
 *     MAC or UUID: serial numbers are shared by cheap boards.
 *
 * An ask may be reads_only: the caller answers on a thread that must not
 * wait for the store's writer (an acceptor, whose other connections wait
 * with it). A decision that would record a machine (rule 3, and the rate
 * limits' token it spends) is then BOOT_DECIDE_ELSEWHERE, having written
 * and spent nothing: ask again, from a thread that may write.
 */
#ifndef BOOTSAND_BOOT_RESOLVE_H
#define BOOTSAND_BOOT_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>

#include "boot_profile.h"
#include "boot_render.h"
#include "enroll.h"
#include "store/store.h"

/* What a machine says about itself, normalised once for every endpoint. */
struct boot_identity {
	char mac[BOOT_MAC_STRLEN];		/* "aa:bb:..", or "" */
	/* As sent and with its first three fields byte-swapped; "" when none. */
	char uuid[2][BOOT_UUID_STRLEN];
	char serial[BOOT_VALUE_MAX + 1];	/* as sent (never a key to enroll by) */
};

/*
 * @id from untrusted text (any of them NULL or ""): what is not a MAC or a
 * UUID, and the placeholder UUIDs of boards without one, are left "".
 */
void boot_identity_from(struct boot_identity *id, const char *mac, const char *uuid,
			const char *serial);
/* Does @id name client @c by its MAC or its UUID (not only its serial)? */
bool boot_identity_names(const struct boot_identity *id, const struct store_client *c);

/* Which endpoint asks: what the firmware behind it can be given. */
enum boot_via {
	BOOT_VIA_IPXE,			/* a script: can wait and retry, menus chain by name */
	BOOT_VIA_PXELINUX,		/* a machine's own pxelinux.cfg file (MAC or UUID) */
	BOOT_VIA_PXELINUX_DEFAULT,	/* pxelinux.cfg/default: any machine, unnamed */
};

struct boot_ask {
	enum boot_via via;
	struct boot_identity id;
	const char *choice;		/* a menu item asked for by name, or NULL */
	bool reads_only;		/* may not write: see ELSEWHERE */
};

enum boot_decision {
	BOOT_DECIDE_PROFILE,	/* boot profile[0] */
	BOOT_DECIDE_MENU,	/* profile[0] is a menu: offer its items */
	BOOT_DECIDE_WAIT,	/* the client's disk is being cloned: ask again soon */
	BOOT_DECIDE_BUSY,	/* too many new machines: come back later (reason) */
	BOOT_DECIDE_PASS,	/* not this file: pxelinux goes on to its next name */
	BOOT_DECIDE_NO_PROFILE,	/* no profile for this machine (reason) */
	BOOT_DECIDE_REFUSE,	/* may not or cannot boot (reason) */
	BOOT_DECIDE_ELSEWHERE,	/* reads_only, and the answer needs a write */
};

/* A short name of a decision ("profile", "refuse", ...), for logs and tests. */
const char *boot_decision_name(enum boot_decision d);

struct boot_resolution {
	enum boot_decision decision;
	const char *reason;		/* why, in words for a person; static; or NULL */
	unsigned int retry_s;		/* BUSY: when to ask again, in seconds */
	bool has_client;		/* client is a record (known, or recorded now) */
	bool enrolled;			/* recorded by this request */
	struct store_client client;
	/*
	 * PROFILE and MENU: profile[0] is what to render; for pxelinux a
	 * menu's items follow and profile[0].p's items point at them.
	 */
	struct boot_loaded_profile *profile;
	unsigned int n_profile;
	/* PROFILE and MENU with a client: its SAN fields (strings in san_mem). */
	struct boot_client san;
	struct enroll_san san_mem;
	bool secrets;			/* the answer carries CHAP secrets: no caching */
};

/*
 * How boot_resolve() sees bootsand: each returns 0 or -errno (-ENOENT
 * when there is no such thing), like the store calls they stand for.
 */
struct boot_view {
	void *ctx;
	/* Around the reads of one decision: one consistent snapshot. */
	void (*read_begin)(void *ctx);
	void (*read_end)(void *ctx);
	int (*client_find)(void *ctx, const struct boot_identity *id, struct store_client *out);
	enum enroll_policy (*policy)(void *ctx);
	/* The setting default_profile into @out ("" when unset). */
	void (*default_profile)(void *ctx, char *out, size_t size);
	int (*profile_get)(void *ctx, const char *name, struct store_profile *out);
	/* Every profile, in a malloc()ed array the caller frees. */
	int (*profile_list)(void *ctx, struct store_profile **out, size_t *n);
	int (*image_get)(void *ctx, const char *name, struct store_image *out);
	/* @c's SAN fields (IQN prefix, CHAP of its target) into @bc. */
	void (*client_san)(void *ctx, const struct store_client *c, struct enroll_san *mem,
			   struct boot_client *bc);
	/* May one more unknown machine be recorded now? NULL, or why not. */
	const char *(*admit)(void *ctx);
	/* Records an unknown machine under @policy (enroll_unknown()). */
	int (*enroll)(void *ctx, enum enroll_policy policy, const struct boot_identity *id,
		      struct store_client *out, const char **why);
};

/*
 * Decides for @ask into @res (always set, even on error). 0, or -ENOMEM
 * (then REFUSE). boot_resolution_release() frees what @res holds.
 */
int boot_resolve(const struct boot_view *v, const struct boot_ask *ask,
		 struct boot_resolution *res);
void boot_resolution_release(struct boot_resolution *res);

#endif /* BOOTSAND_BOOT_RESOLVE_H */
