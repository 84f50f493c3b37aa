/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Boot profiles as stored (struct store_profile: a name, a kind and a JSON
 * body) made into render-ready struct boot_profile records. Pure: jansson
 * only, no store and no I/O; the boot decision (boot_resolve.h) and the
 * profiles API both read profiles through it.
 */
#ifndef BOOTSAND_BOOT_PROFILE_H
#define BOOTSAND_BOOT_PROFILE_H

#include <jansson.h>
#include <stdbool.h>

#include "boot_render.h"
#include "store/store.h"

/* Why a profile's JSON does not make a profile: the field and the reason. */
struct boot_refusal {
	const char *field;
	const char *why;
};

/*
 * A render-ready profile from its stored JSON @body, each field of its
 * kind checked for its type (the renderer checks the values). Strings
 * point into @sp and @body, which must outlive @p. Menu items are not
 * resolved to other profiles (pxelinux rendering needs that; iPXE menus
 * chain by name). 0, or -EINVAL with @no filled.
 */
int boot_profile_parse(const struct store_profile *sp, json_t *body, struct boot_profile *p,
		       struct boot_refusal *no);

/* A stored profile with its parsed body: p's strings point into sp and body. */
struct boot_loaded_profile {
	struct store_profile sp;
	json_t *body;
	struct boot_profile p;
};

/* Copies @sp into @l and parses it: 0, or -EINVAL (a broken profile). */
int boot_profile_load(const struct store_profile *sp, struct boot_loaded_profile *l);
/* The same for a profile already read into l->sp: no 16 KiB copy. */
int boot_profile_parse_loaded(struct boot_loaded_profile *l);
void boot_profile_unload(struct boot_loaded_profile *l);
/*
 * Does a client of @p boot from its own iSCSI disk (sanboot, or linux with
 * san_root)? Such a client needs an image, a target, and its CHAP secrets
 * in its script.
 */
bool boot_profile_uses_disk(const struct boot_profile *p);
/* The sanboot field keep_san of a loaded profile. */
bool boot_profile_keep_san(const struct boot_loaded_profile *l);

#endif /* BOOTSAND_BOOT_PROFILE_H */
