// SPDX-License-Identifier: GPL-2.0
/* The boot decision; see boot_resolve.h for the rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot_resolve.h"

#define NOT_ENROLLED "this machine is not enrolled (ask the administrator)"

void boot_identity_from(struct boot_identity *id, const char *mac, const char *uuid,
			const char *serial)
{
	int n;

	memset(id, 0, sizeof(*id));
	if (mac && boot_mac_normalize(mac, id->mac))
		id->mac[0] = '\0';
	n = uuid ? boot_uuid_variants(uuid, id->uuid) : -EINVAL;
	if (n < 1 || boot_uuid_is_placeholder(id->uuid[0]))
		id->uuid[0][0] = id->uuid[1][0] = '\0';
	else if (n == 1)
		id->uuid[1][0] = '\0';
	snprintf(id->serial, sizeof(id->serial), "%s", serial ? serial : "");
}

bool boot_identity_names(const struct boot_identity *id, const struct store_client *c)
{
	char quoted[BOOT_MAC_STRLEN + 2];

	/* c->macs is a JSON array of normalised MACs: a quoted MAC is an element. */
	if (id->mac[0]) {
		snprintf(quoted, sizeof(quoted), "\"%s\"", id->mac);
		if (strstr(c->macs, quoted))
			return true;
	}
	if (!id->uuid[0][0] || !c->uuid[0])
		return false;
	return !strcmp(c->uuid, id->uuid[0]) || (id->uuid[1][0] && !strcmp(c->uuid, id->uuid[1]));
}

const char *boot_decision_name(enum boot_decision d)
{
	static const char *const names[] = {
		[BOOT_DECIDE_PROFILE] = "profile", [BOOT_DECIDE_MENU] = "menu",
		[BOOT_DECIDE_WAIT] = "wait", [BOOT_DECIDE_BUSY] = "busy",
		[BOOT_DECIDE_PASS] = "pass", [BOOT_DECIDE_NO_PROFILE] = "no-profile",
		[BOOT_DECIDE_REFUSE] = "refuse", [BOOT_DECIDE_ELSEWHERE] = "elsewhere",
	};

	return (unsigned int)d < sizeof(names) / sizeof(names[0]) ? names[d] : "?";
}

static void decide(struct boot_resolution *res, enum boot_decision d, const char *reason)
{
	res->decision = d;
	res->reason = reason;
}

/* Do @labels (a client's) carry every key of @selector with the same value? */
static bool selector_matches(json_t *selector, json_t *labels)
{
	const char *k;
	json_t *v;

	json_object_foreach(selector, k, v) {
		json_t *mine = json_object_get(labels, k);

		if (!json_is_string(v) || !json_is_string(mine) ||
		    strcmp(json_string_value(v), json_string_value(mine)))
			return false;
	}
	return true;
}

/*
 * The profile of client @c (NULL: a machine let in unrecorded): its own,
 * else the one whose selector matches its labels with the most keys, else
 * the default profile. "" when there is none.
 */
static void select_profile(const struct boot_view *v, const struct store_client *c, char *out,
			   size_t size)
{
	struct store_profile *ps;
	json_t *labels;
	size_t n, i, best = 0;

	out[0] = '\0';
	if (c && c->profile[0]) {
		snprintf(out, size, "%s", c->profile);
		return;
	}
	labels = c ? json_loads(c->labels, 0, NULL) : NULL;
	if (json_object_size(labels) && !v->profile_list(v->ctx, &ps, &n)) {
		for (i = 0; i < n; i++) {
			json_t *body = json_loads(ps[i].body, 0, NULL);
			json_t *sel = json_object_get(body, "selector");

			if (json_object_size(sel) > best && selector_matches(sel, labels)) {
				best = json_object_size(sel);
				snprintf(out, size, "%s", ps[i].name);
			}
			json_decref(body);
		}
		free(ps);
	}
	json_decref(labels);
	if (!out[0])
		v->default_profile(v->ctx, out, size);
}

/* Read straight into @l: a profile row is 16 KiB, not worth a copy per script. */
static int load(const struct boot_view *v, const char *name, struct boot_loaded_profile *l)
{
	int err = v->profile_get(v->ctx, name, &l->sp);

	l->body = NULL;
	return err ?: boot_profile_parse_loaded(l);
}

/*
 * A menu's choice: an item asked for by name is honoured only when it is
 * an item of the menu the machine is given, so no one picks any profile.
 */
static void apply_choice(const struct boot_view *v, const char *want, char *name, size_t size)
{
	struct boot_loaded_profile *menu;

	if (!want || !want[0] || !strcmp(want, name))
		return;
	menu = malloc(sizeof(*menu));
	if (!menu || load(v, name, menu)) {
		free(menu);
		return;
	}
	if (menu->p.kind == BOOT_KIND_MENU)
		for (unsigned int i = 0; i < menu->p.menu.n_items; i++)
			if (menu->p.menu.items[i].profile &&
			    !strcmp(menu->p.menu.items[i].profile, want)) {
				snprintf(name, size, "%s", want);
				break;
			}
	boot_profile_unload(menu);
	free(menu);
}

/*
 * Room for a pxelinux menu's @n_items after the menu in res->profile[0]:
 * the menu is parsed again into the new array's head, since its parsed
 * fields point into the element that holds it and cannot be moved.
 */
static int grow_for_items(struct boot_resolution *res, unsigned int n_items)
{
	struct boot_loaded_profile *all = calloc(n_items + 1, sizeof(*all));
	int err = all ? boot_profile_load(&res->profile[0].sp, &all[0]) : -ENOMEM;

	if (err) {
		free(all);
		decide(res, BOOT_DECIDE_REFUSE, "out of memory");
		return -ENOMEM;
	}
	boot_profile_unload(&res->profile[0]);
	free(res->profile);
	res->profile = all;
	return 0;
}

/*
 * Profile @name into res->profile[0]; for pxelinux a menu's items after it.
 * Room for one profile unless there are items: a loaded profile is 17 KiB,
 * and room for a whole menu's (296 KiB, above malloc's mmap threshold) cost
 * every script a fresh mapping, zeroed and faulted in page by page.
 */
static int load_profiles(const struct boot_view *v, const struct boot_ask *ask, const char *name,
			 struct boot_resolution *res)
{
	struct boot_profile *p;
	int err;

	res->profile = malloc(sizeof(*res->profile));
	if (!res->profile) {
		decide(res, BOOT_DECIDE_REFUSE, "out of memory");
		return -ENOMEM;
	}
	err = load(v, name, &res->profile[0]);
	if (err) {
		decide(res, BOOT_DECIDE_REFUSE, err == -ENOENT ? "its profile does not exist" :
			"its profile is broken");
		return err;
	}
	res->n_profile = 1;
	p = &res->profile[0].p;
	/* pxelinux draws a menu from its items' profiles; iPXE chains by name. */
	if (p->kind != BOOT_KIND_MENU || ask->via == BOOT_VIA_IPXE)
		return 0;
	err = grow_for_items(res, p->menu.n_items);
	if (err)
		return err;
	p = &res->profile[0].p;
	for (unsigned int i = 0; i < p->menu.n_items; i++) {
		struct boot_menu_item *it = &p->menu.items[i];

		err = it->profile ? load(v, it->profile, &res->profile[res->n_profile]) : -EINVAL;
		if (err) {
			decide(res, BOOT_DECIDE_REFUSE, "an item of the menu is missing");
			return err;
		}
		it->target = &res->profile[res->n_profile++].p;
	}
	return 0;
}

/* Is the disk image of @c being made (cloned, or an overlay flattened)? */
static bool disk_cloning(const struct boot_view *v, const struct store_client *c)
{
	struct store_image im;

	return c->image[0] && !v->image_get(v->ctx, c->image, &im) &&
	       (!strcmp(im.state, "cloning") || !strcmp(im.state, "flattening"));
}

/*
 * What client @c (NULL: a machine let in unrecorded) boots, once it may
 * boot at all: rules 4 to 6.
 */
static int resolve_profile(const struct boot_view *v, const struct boot_ask *ask,
			   const struct store_client *c, struct boot_resolution *res)
{
	char name[STORE_NAME_SIZE];
	enum boot_kind kind;
	bool disk;
	int err;

	select_profile(v, c, name, sizeof(name));
	if (!name[0]) {
		decide(res, BOOT_DECIDE_NO_PROFILE, "no profile for this machine");
		return 0;
	}
	apply_choice(v, ask->choice, name, sizeof(name));
	err = load_profiles(v, ask, name, res);
	if (err)
		return err == -ENOMEM ? err : 0;
	kind = res->profile[0].p.kind;
	disk = boot_profile_uses_disk(&res->profile[0].p);
	if (disk) {
		/* Whatever asks: pxelinux, which cannot wait, is told why instead. */
		if (!c || !c->image[0]) {
			decide(res, BOOT_DECIDE_REFUSE, "this machine has no disk image");
			return 0;
		}
		if (disk_cloning(v, c)) {
			decide(res, BOOT_DECIDE_WAIT, NULL);
			return 0;
		}
		res->san.keep_san = kind == BOOT_KIND_SANBOOT &&
				    boot_profile_keep_san(&res->profile[0]);
	}
	if (c)
		v->client_san(v->ctx, c, &res->san_mem, &res->san);
	if (res->san.chap_secret && disk) {
		if (!boot_identity_names(&ask->id, c)) {
			decide(res, BOOT_DECIDE_REFUSE, "matched by its serial number only, and its "
			       "disk's CHAP secrets go only to its MAC address or UUID");
			return 0;
		}
		res->secrets = true;
	}
	decide(res, kind == BOOT_KIND_MENU ? BOOT_DECIDE_MENU : BOOT_DECIDE_PROFILE, NULL);
	return 0;
}

/* Rule 2: a pending client boots only while the policy lets new machines in. */
static bool may_boot(const struct store_client *c, enum enroll_policy policy)
{
	return !strcmp(c->state, "active") || policy != ENROLL_DENY;
}

/* A recorded client, within the read snapshot. */
static int resolve_client(const struct boot_view *v, const struct boot_ask *ask,
			  struct boot_resolution *res)
{
	res->has_client = true;
	if (!may_boot(&res->client, v->policy(v->ctx))) {
		decide(res, BOOT_DECIDE_REFUSE,
		       "this machine is registered but not approved (ask the administrator)");
		return 0;
	}
	return resolve_profile(v, ask, &res->client, res);
}

/* pxelinux.cfg/default: the default profile for any machine, unrecorded. */
static int resolve_default_file(const struct boot_view *v, const struct boot_ask *ask,
				struct boot_resolution *res)
{
	char name[STORE_NAME_SIZE];
	int err;

	v->default_profile(v->ctx, name, sizeof(name));
	if (v->policy(v->ctx) == ENROLL_DENY) {
		decide(res, BOOT_DECIDE_REFUSE, NOT_ENROLLED);
		return 0;
	}
	if (!name[0]) {
		decide(res, BOOT_DECIDE_REFUSE, "there is no default profile");
		return 0;
	}
	err = load_profiles(v, ask, name, res);
	if (err)
		return err == -ENOMEM ? err : 0;
	decide(res, res->profile[0].p.kind == BOOT_KIND_MENU ? BOOT_DECIDE_MENU :
		    BOOT_DECIDE_PROFILE, NULL);
	return 0;
}

/* Rule 3, for a machine no client record names. */
static int resolve_unknown(const struct boot_view *v, const struct boot_ask *ask,
			   enum enroll_policy policy, struct boot_resolution *res)
{
	const char *why = NULL;
	int err;

	if (ask->via == BOOT_VIA_PXELINUX) {
		/* Its own file is passed over; register records the MAC on the way. */
		decide(res, BOOT_DECIDE_PASS, NULL);
		if (ask->id.mac[0] && policy == ENROLL_REGISTER && ask->reads_only)
			decide(res, BOOT_DECIDE_ELSEWHERE, NULL);
		else if (ask->id.mac[0] && policy == ENROLL_REGISTER && !v->admit(v->ctx) &&
		    !v->enroll(v->ctx, ENROLL_REGISTER, &ask->id, &res->client, &why))
			res->has_client = res->enrolled = true;
		return 0;
	}
	if (policy == ENROLL_DENY) {
		decide(res, BOOT_DECIDE_REFUSE, NOT_ENROLLED);
		return 0;
	}
	/* Everything from here may write (enroll() is the store's writer). */
	if (ask->reads_only) {
		decide(res, BOOT_DECIDE_ELSEWHERE, NULL);
		return 0;
	}
	/* Only a machine that would be recorded spends a token. */
	if (ask->id.mac[0] || ask->id.uuid[0][0]) {
		why = v->admit(v->ctx);
		if (why) {
			decide(res, BOOT_DECIDE_BUSY, why);
			res->retry_s = ENROLL_RETRY_SECONDS;
			return 0;
		}
	}
	err = v->enroll(v->ctx, policy, &ask->id, &res->client, &why);
	if (err == -EAGAIN) {
		/* It lost a race to another writer of its identity: ask again soon. */
		decide(res, BOOT_DECIDE_BUSY, why ? why : "another request is enrolling it");
		res->retry_s = ENROLL_RACE_RETRY_SECONDS;
		return 0;
	}
	if (err && policy == ENROLL_REGISTER)	/* not recordable: the default all the same */
		return resolve_profile(v, ask, NULL, res);
	if (err) {
		decide(res, BOOT_DECIDE_REFUSE, why ? why : NOT_ENROLLED);
		return 0;
	}
	res->enrolled = true;
	v->read_begin(v->ctx);
	err = resolve_client(v, ask, res);
	v->read_end(v->ctx);
	return err;
}

int boot_resolve(const struct boot_view *v, const struct boot_ask *ask,
		 struct boot_resolution *res)
{
	enum enroll_policy policy;
	bool known;
	int err;

	memset(res, 0, sizeof(*res));
	decide(res, BOOT_DECIDE_REFUSE, NOT_ENROLLED);
	/* A known machine's answer is all reads: one snapshot for them. */
	v->read_begin(v->ctx);
	if (ask->via == BOOT_VIA_PXELINUX_DEFAULT) {
		err = resolve_default_file(v, ask, res);
		v->read_end(v->ctx);
		return err;
	}
	known = !v->client_find(v->ctx, &ask->id, &res->client);
	if (known) {
		err = resolve_client(v, ask, res);
		v->read_end(v->ctx);
		return err;
	}
	policy = v->policy(v->ctx);
	v->read_end(v->ctx);
	/* Recording a machine writes: outside the snapshot. */
	return resolve_unknown(v, ask, policy, res);
}

void boot_resolution_release(struct boot_resolution *res)
{
	for (unsigned int i = 0; i < res->n_profile; i++)
		boot_profile_unload(&res->profile[i]);
	free(res->profile);
	res->profile = NULL;
	res->n_profile = 0;
	/* It may hold a disk's CHAP secrets. */
	explicit_bzero(&res->san_mem, sizeof(res->san_mem));
}
