// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of boot_resolve.c, the boot decision, from tables: a small
 * world of clients, profiles and images behind a struct boot_view, and
 * for each request the decision, the reason, the client and the profile
 * it must come to. TAP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/boot_resolve.h"
#include "tap.h"

/* The tables leave the fields they do not need at the end out: zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* ---- the world behind the view ---- */

static const struct {
	const char *name, *kind, *body;
} profiles[] = {
	{ "linux1", "linux", "{\"kernel\": \"vmlinuz\"}" },
	{ "san", "sanboot", "{\"keep_san\": true}" },
	{ "sanchap", "sanboot", "{\"chap\": \"chap\"}" },
	{ "menu1", "menu", "{\"items\": [{\"profile\": \"linux1\"}, {\"profile\": \"san\"}]}" },
	{ "menubad", "menu", "{\"items\": [{\"profile\": \"linux1\"}, {\"profile\": \"gone\"}]}" },
	{ "lab", "linux", "{\"kernel\": \"k\", \"selector\": {\"room\": \"lab\"}}" },
	{ "lab2", "linux", "{\"kernel\": \"k\", \"selector\": {\"room\": \"lab\", \"row\": \"2\"}}" },
	{ "broken", "linux", "not JSON" },
	{ "sanroot", "linux", "{\"kernel\": \"k\", \"san_root\": true, \"chap\": \"chap\"}" },
};

struct row {
	const char *name, *mac, *uuid, *serial, *profile, *image, *labels, *state;
	bool chap;	/* its target has CHAP secrets */
};

static const struct row clients0[] = {
	{ "pc1", "52:54:00:00:00:01", "", "", "linux1", "", "{}", "active" },
	{ "pc2", "", "00112233-4455-6677-8899-aabbccddeeff", "", "san", "disk2", "{}", "active" },
	{ "pc3", "52:54:00:00:00:03", "", "", "san", "disk3", "{}", "active" },
	{ "pc4", "52:54:00:00:00:04", "", "", "san", "", "{}", "active" },
	{ "pc5", "52:54:00:00:00:05", "", "SER5", "sanchap", "disk5", "{}", "active", true },
	{ "pc6", "52:54:00:00:00:06", "", "", "linux1", "", "{}", "pending" },
	{ "pc7", "52:54:00:00:00:07", "", "", "", "", "{\"room\": \"lab\", \"row\": \"2\"}",
	  "active" },
	{ "pc8", "52:54:00:00:00:08", "", "", "", "", "{\"room\": \"lab\"}", "active" },
	{ "pc9", "52:54:00:00:00:09", "", "", "", "", "{}", "active" },
	{ "pca", "52:54:00:00:00:0a", "", "", "menu1", "", "{}", "active" },
	{ "pcb", "52:54:00:00:00:0b", "", "", "gone", "", "{}", "active" },
	{ "pcc", "52:54:00:00:00:0c", "", "", "broken", "", "{}", "active" },
	{ "pcd", "52:54:00:00:00:0d", "", "", "menubad", "", "{}", "active" },
	{ "pce", "52:54:00:00:00:0e", "", "", "sanroot", "disk3", "{}", "active" },
	{ "pcf", "52:54:00:00:00:0f", "", "", "sanroot", "", "{}", "active" },
	{ "pcg", "52:54:00:00:00:10", "", "SERG", "sanroot", "disk5", "{}", "active", true },
};

#define MAX_CLIENTS 32
#define MAX_IMAGES 8

static struct world {
	struct store_client clients[MAX_CLIENTS];
	bool chap[MAX_CLIENTS];
	size_t n_clients;
	struct store_image images[MAX_IMAGES];
	size_t n_images;
	enum enroll_policy policy;
	const char *default_profile;
	const char *admit_why;		/* what the rate limits say */
	int snapshot;			/* read_begin depth */
	int admits, enrolls;
	int writes_in_snapshot;		/* must stay 0 */
} w;

static void add_image(const char *name, const char *state)
{
	struct store_image *im = &w.images[w.n_images++];

	memset(im, 0, sizeof(*im));
	snprintf(im->name, sizeof(im->name), "%s", name);
	snprintf(im->state, sizeof(im->state), "%s", state);
}

static void add_client(const struct row *r)
{
	struct store_client *c = &w.clients[w.n_clients];

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", r->name);
	if (r->mac[0])
		snprintf(c->macs, sizeof(c->macs), "[\"%s\"]", r->mac);
	else
		snprintf(c->macs, sizeof(c->macs), "[]");
	snprintf(c->uuid, sizeof(c->uuid), "%s", r->uuid);
	snprintf(c->serial, sizeof(c->serial), "%s", r->serial);
	snprintf(c->profile, sizeof(c->profile), "%s", r->profile);
	snprintf(c->image, sizeof(c->image), "%s", r->image);
	snprintf(c->labels, sizeof(c->labels), "%s", r->labels);
	snprintf(c->state, sizeof(c->state), "%s", r->state);
	w.chap[w.n_clients++] = r->chap;
}

static void world_reset(enum enroll_policy policy, const char *default_profile,
			const char *admit_why)
{
	memset(&w, 0, sizeof(w));
	for (size_t i = 0; i < sizeof(clients0) / sizeof(clients0[0]); i++)
		add_client(&clients0[i]);
	add_image("disk2", "ready");
	add_image("disk3", "cloning");
	add_image("disk5", "ready");
	w.policy = policy;
	w.default_profile = default_profile;
	w.admit_why = admit_why;
}

/* ---- the view over it ---- */

static void read_begin(void *ctx)
{
	(void)ctx;
	w.snapshot++;
}

static void read_end(void *ctx)
{
	(void)ctx;
	w.snapshot--;
}

/* As store_client_find(): by MAC, UUID (either variant) or serial. */
static int client_find(void *ctx, const struct boot_identity *id, struct store_client *out)
{
	char quoted[32];

	(void)ctx;
	snprintf(quoted, sizeof(quoted), "\"%s\"", id->mac);
	for (size_t i = 0; i < w.n_clients; i++) {
		const struct store_client *c = &w.clients[i];

		if ((id->mac[0] && strstr(c->macs, quoted)) ||
		    (c->uuid[0] && (!strcmp(c->uuid, id->uuid[0]) || !strcmp(c->uuid, id->uuid[1]))) ||
		    (id->serial[0] && !strcmp(c->serial, id->serial))) {
			*out = *c;
			return 0;
		}
	}
	return -ENOENT;
}

static enum enroll_policy policy(void *ctx)
{
	(void)ctx;
	return w.policy;
}

static void default_profile(void *ctx, char *out, size_t size)
{
	(void)ctx;
	snprintf(out, size, "%s", w.default_profile);
}

static int profile_get(void *ctx, const char *name, struct store_profile *out)
{
	(void)ctx;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		if (strcmp(profiles[i].name, name))
			continue;
		snprintf(out->name, sizeof(out->name), "%s", profiles[i].name);
		snprintf(out->kind, sizeof(out->kind), "%s", profiles[i].kind);
		snprintf(out->body, sizeof(out->body), "%s", profiles[i].body);
		return 0;
	}
	return -ENOENT;
}

static int profile_list(void *ctx, struct store_profile **out, size_t *n)
{
	size_t count = sizeof(profiles) / sizeof(profiles[0]);

	*out = calloc(count, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (*n = 0; *n < count; (*n)++)
		profile_get(ctx, profiles[*n].name, &(*out)[*n]);
	return 0;
}

static int image_get(void *ctx, const char *name, struct store_image *out)
{
	(void)ctx;
	for (size_t i = 0; i < w.n_images; i++)
		if (!strcmp(w.images[i].name, name)) {
			*out = w.images[i];
			return 0;
		}
	return -ENOENT;
}

static void client_san(void *ctx, const struct store_client *c, struct enroll_san *mem,
		       struct boot_client *bc)
{
	(void)ctx;
	memset(mem, 0, sizeof(*mem));
	snprintf(mem->prefix, sizeof(mem->prefix), "iqn.2026-01.org.bootsan");
	bc->name = c->name;
	bc->iqn_prefix = mem->prefix;
	for (size_t i = 0; i < w.n_clients; i++)
		if (!strcmp(w.clients[i].name, c->name) && w.chap[i]) {
			snprintf(mem->user, sizeof(mem->user), "%s", c->name);
			snprintf(mem->secret, sizeof(mem->secret), "0123456789abcdef01234567");
			bc->chap_user = mem->user;
			bc->chap_secret = mem->secret;
		}
}

static const char *admit(void *ctx)
{
	(void)ctx;
	w.admits++;
	w.writes_in_snapshot += w.snapshot != 0;
	return w.admit_why;
}

/* As enroll_unknown(): "mac-<hex>" or "uuid-<hex>", pending or provisioned. */
static int enroll(void *ctx, enum enroll_policy p, const struct boot_identity *id,
		  struct store_client *out, const char **why)
{
	struct row r = { .mac = id->mac, .uuid = id->uuid[0], .serial = "", .profile = "",
			 .image = "", .labels = "{}", .state = "pending" };
	char name[STORE_NAME_SIZE], *o = name;
	const char *src = id->mac[0] ? id->mac : id->uuid[0];

	(void)ctx;
	w.enrolls++;
	w.writes_in_snapshot += w.snapshot != 0;
	if (!src[0]) {
		*why = "this machine sent neither a MAC address nor a UUID";
		return -EINVAL;
	}
	o += sprintf(o, "%s", id->mac[0] ? "mac-" : "uuid-");
	for (; *src; src++)
		if (*src != ':' && *src != '-')
			*o++ = *src;
	*o = '\0';
	r.name = name;
	if (p == ENROLL_PROVISION) {
		if (!w.default_profile[0]) {
			*why = "provisioning needs the golden_image and default_profile settings";
			return -EINVAL;
		}
		r.state = "active";
		r.profile = w.default_profile;
		r.image = name;
		add_image(name, "cloning");
	}
	add_client(&r);
	*out = w.clients[w.n_clients - 1];
	return 0;
}

static const struct boot_view view = {
	.read_begin = read_begin, .read_end = read_end, .client_find = client_find,
	.policy = policy, .default_profile = default_profile, .profile_get = profile_get,
	.profile_list = profile_list, .image_get = image_get, .client_san = client_san,
	.admit = admit, .enroll = enroll,
};

/* ---- the table ---- */

#define DENY ENROLL_DENY
#define REGISTER ENROLL_REGISTER
#define PROVISION ENROLL_PROVISION
#define IPXE BOOT_VIA_IPXE
#define PXE BOOT_VIA_PXELINUX
#define PXE_DEFAULT BOOT_VIA_PXELINUX_DEFAULT
#define BUSY_WHY "too many new machines a minute"
#define SWAPPED_PC2 "33221100-5544-7766-8899-aabbccddeeff"

static const struct {
	const char *what;
	/* the world */
	enum enroll_policy policy;
	const char *default_profile, *admit_why;
	/* the request */
	enum boot_via via;
	const char *mac, *uuid, *serial, *choice;
	/* what it must come to */
	enum boot_decision decision;
	const char *reason;		/* a part of it, or NULL for none */
	const char *client;		/* "" for none */
	const char *profile;		/* profile[0], "" for none */
	bool enrolled, secrets;
	int admits;			/* tokens of the rate limits taken */
	unsigned int n_profile;		/* 0: not checked */
} cases[] = {
	{ "a known MAC boots its client's profile", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:01", "", "", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "pc1", "linux1" },
	{ "a MAC in another notation is the same MAC", DENY, "linux1", NULL,
	  IPXE, "52-54-00-00-00-01", "", "", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "pc1", "linux1" },
	{ "a MAC with a space in it is no MAC", DENY, "linux1", NULL,
	  IPXE, "5254000000 01", "", "", NULL,
	  BOOT_DECIDE_REFUSE, "not enrolled", "", "" },
	{ "a MAC as bare hex", DENY, "linux1", NULL,
	  IPXE, "525400000001", "", "", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "pc1", "linux1" },
	{ "a UUID as sent names its client", DENY, "linux1", NULL,
	  IPXE, "", "00112233-4455-6677-8899-AABBCCDDEEFF", "", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "pc2", "san" },
	{ "a UUID in the other byte order too", DENY, "linux1", NULL,
	  IPXE, "", SWAPPED_PC2, "", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "pc2", "san" },
	{ "a placeholder UUID names no one", DENY, "linux1", NULL,
	  IPXE, "", "00000000-0000-0000-0000-000000000000", "", NULL,
	  BOOT_DECIDE_REFUSE, "not enrolled", "", "" },
	{ "a disk being cloned: wait and ask again", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:03", "", "", NULL,
	  BOOT_DECIDE_WAIT, NULL, "pc3", "san" },
	{ "pxelinux: a disk being cloned is no disk to boot yet", DENY, "linux1", NULL,
	  PXE, "52:54:00:00:00:03", "", "", NULL,
	  BOOT_DECIDE_WAIT, NULL, "pc3", "san" },
	{ "sanboot without a disk image is refused", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:04", "", "", NULL,
	  BOOT_DECIDE_REFUSE, "no disk image", "pc4", "san" },
	{ "pxelinux: sanboot without a disk image is refused", DENY, "linux1", NULL,
	  PXE, "52:54:00:00:00:04", "", "", NULL,
	  BOOT_DECIDE_REFUSE, "no disk image", "pc4", "san" },
	{ "CHAP secrets never go to a serial number alone", DENY, "linux1", NULL,
	  IPXE, "", "", "SER5", NULL,
	  BOOT_DECIDE_REFUSE, "serial number only", "pc5", "sanchap" },
	{ "CHAP secrets go to the client's MAC, not to be cached", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:05", "", "SER5", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "pc5", "sanchap", false, true },
	{ "san_root: a disk being cloned, wait as sanboot does", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:0e", "", "", NULL,
	  BOOT_DECIDE_WAIT, NULL, "pce", "sanroot" },
	{ "san_root without a disk image is refused", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:0f", "", "", NULL,
	  BOOT_DECIDE_REFUSE, "no disk image", "pcf", "sanroot" },
	{ "san_root: CHAP secrets never go to a serial number alone", DENY, "linux1", NULL,
	  IPXE, "", "", "SERG", NULL,
	  BOOT_DECIDE_REFUSE, "serial number only", "pcg", "sanroot" },
	{ "san_root: CHAP secrets go to the client's MAC", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:10", "", "SERG", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "pcg", "sanroot", false, true },
	{ "a pending client under deny is refused", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:06", "", "", NULL,
	  BOOT_DECIDE_REFUSE, "not approved", "pc6", "" },
	{ "a pending client under register boots", REGISTER, "linux1", NULL,
	  IPXE, "52:54:00:00:00:06", "", "", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "pc6", "linux1" },
	{ "the selector with the most matching labels wins", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:07", "", "", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "pc7", "lab2" },
	{ "a selector matches a subset of labels only", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:08", "", "", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "pc8", "lab" },
	{ "no profile and no selector: the default profile", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:09", "", "", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "pc9", "linux1" },
	{ "and without a default profile: none", DENY, "", NULL,
	  IPXE, "52:54:00:00:00:09", "", "", NULL,
	  BOOT_DECIDE_NO_PROFILE, "no profile", "pc9", "" },
	{ "a menu profile is a menu", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:0a", "", "", NULL,
	  BOOT_DECIDE_MENU, NULL, "pca", "menu1", false, false, 0, 1 },
	{ "a menu's item chosen by name", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:0a", "", "", "linux1",
	  BOOT_DECIDE_PROFILE, NULL, "pca", "linux1" },
	{ "a profile that is no item of the menu is not chosen", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:0a", "", "", "lab",
	  BOOT_DECIDE_MENU, NULL, "pca", "menu1" },
	{ "no choice for a client that has no menu", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:01", "", "", "lab",
	  BOOT_DECIDE_PROFILE, NULL, "pc1", "linux1" },
	{ "pxelinux gets a menu with its items' profiles", DENY, "linux1", NULL,
	  PXE, "52:54:00:00:00:0a", "", "", NULL,
	  BOOT_DECIDE_MENU, NULL, "pca", "menu1", false, false, 0, 3 },
	{ "pxelinux: a menu with a missing item is refused", DENY, "linux1", NULL,
	  PXE, "52:54:00:00:00:0d", "", "", NULL,
	  BOOT_DECIDE_REFUSE, "item of the menu is missing", "pcd", "menubad" },
	{ "iPXE chains a menu's items by name: no check", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:0d", "", "", NULL,
	  BOOT_DECIDE_MENU, NULL, "pcd", "menubad" },
	{ "a client's profile that does not exist", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:0b", "", "", NULL,
	  BOOT_DECIDE_REFUSE, "does not exist", "pcb", "" },
	{ "a client's profile that is broken", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:0c", "", "", NULL,
	  BOOT_DECIDE_REFUSE, "broken", "pcc", "" },
	{ "an unknown machine under deny", DENY, "linux1", NULL,
	  IPXE, "52:54:00:00:00:99", "", "", NULL,
	  BOOT_DECIDE_REFUSE, "not enrolled", "", "" },
	{ "register records an unknown machine, pending, with the default", REGISTER,
	  "linux1", NULL,
	  IPXE, "52:54:00:00:00:99", "", "", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "mac-525400000099", "linux1", true, false, 1 },
	{ "register by UUID when there is no MAC", REGISTER, "linux1", NULL,
	  IPXE, "", "00112233-4455-6677-8899-000000000099", "", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "uuid-00112233445566778899000000000099", "linux1", true,
	  false, 1 },
	{ "over the rate limits: come back later, nothing recorded", REGISTER, "linux1",
	  BUSY_WHY,
	  IPXE, "52:54:00:00:00:99", "", "", NULL,
	  BOOT_DECIDE_BUSY, BUSY_WHY, "", "", false, false, 1 },
	{ "no MAC, no UUID under register: the default, unrecorded, no token", REGISTER,
	  "linux1", BUSY_WHY,
	  IPXE, "", "", "", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "", "linux1", false, false, 0 },
	{ "no MAC, no UUID under register, sanboot default: no disk", REGISTER, "san", NULL,
	  IPXE, "", "", "", NULL,
	  BOOT_DECIDE_REFUSE, "no disk image", "", "san" },
	{ "no MAC, no UUID under provision: refused with why", PROVISION, "san", NULL,
	  IPXE, "", "", "", NULL,
	  BOOT_DECIDE_REFUSE, "neither a MAC address nor a UUID", "", "" },
	{ "provision: recorded, and waits for its disk", PROVISION, "san", NULL,
	  IPXE, "52:54:00:00:00:99", "", "", NULL,
	  BOOT_DECIDE_WAIT, NULL, "mac-525400000099", "san", true, false, 1 },
	{ "provision without a default profile: refused with why", PROVISION, "", NULL,
	  IPXE, "52:54:00:00:00:99", "", "", NULL,
	  BOOT_DECIDE_REFUSE, "default_profile", "", "", false, false, 1 },
	{ "pxelinux: an unknown MAC's own file is passed over", DENY, "linux1", NULL,
	  PXE, "52:54:00:00:00:99", "", "", NULL,
	  BOOT_DECIDE_PASS, NULL, "", "" },
	{ "pxelinux: register records the MAC on the way", REGISTER, "linux1", NULL,
	  PXE, "52:54:00:00:00:99", "", "", NULL,
	  BOOT_DECIDE_PASS, NULL, "mac-525400000099", "", true, false, 1 },
	{ "pxelinux: over the limits it is only passed over", REGISTER, "linux1", BUSY_WHY,
	  PXE, "52:54:00:00:00:99", "", "", NULL,
	  BOOT_DECIDE_PASS, NULL, "", "", false, false, 1 },
	{ "pxelinux: a UUID's file records nothing", REGISTER, "linux1", NULL,
	  PXE, "", "00112233-4455-6677-8899-000000000099", "", NULL,
	  BOOT_DECIDE_PASS, NULL, "", "", false, false, 0 },
	{ "pxelinux: provision records nothing from a file name", PROVISION, "linux1", NULL,
	  PXE, "52:54:00:00:00:99", "", "", NULL,
	  BOOT_DECIDE_PASS, NULL, "", "", false, false, 0 },
	{ "pxelinux: a known client's own file", DENY, "linux1", NULL,
	  PXE, "", SWAPPED_PC2, "", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "pc2", "san" },
	{ "pxelinux.cfg/default under deny", DENY, "linux1", NULL,
	  PXE_DEFAULT, "", "", "", NULL,
	  BOOT_DECIDE_REFUSE, "not enrolled", "", "" },
	{ "pxelinux.cfg/default without a default profile", REGISTER, "", NULL,
	  PXE_DEFAULT, "", "", "", NULL,
	  BOOT_DECIDE_REFUSE, "no default profile", "", "" },
	{ "pxelinux.cfg/default is the default profile", PROVISION, "linux1", NULL,
	  PXE_DEFAULT, "", "", "", NULL,
	  BOOT_DECIDE_PROFILE, NULL, "", "linux1" },
	{ "pxelinux.cfg/default as a menu, its items loaded", REGISTER, "menu1", NULL,
	  PXE_DEFAULT, "", "", "", NULL,
	  BOOT_DECIDE_MENU, NULL, "", "menu1", false, false, 0, 3 },
};

static bool has(const char *text, const char *part)
{
	return part ? text && strstr(text, part) : !text;
}

int main(void)
{
	struct boot_identity id;
	char mac_in_place[BOOT_MAC_STRLEN] = "52-54-00-AA-BB-CC";

	tap_start();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct boot_ask ask = { .via = cases[i].via, .choice = cases[i].choice };
		struct boot_resolution res;
		const char *client, *profile;
		bool good;
		int err;

		world_reset(cases[i].policy, cases[i].default_profile, cases[i].admit_why);
		boot_identity_from(&ask.id, cases[i].mac, cases[i].uuid, cases[i].serial);
		err = boot_resolve(&view, &ask, &res);
		client = res.has_client ? res.client.name : "";
		profile = res.n_profile ? res.profile[0].sp.name : "";
		good = !err && res.decision == cases[i].decision && has(res.reason, cases[i].reason) &&
		       !strcmp(client, cases[i].client) && !strcmp(profile, cases[i].profile) &&
		       res.enrolled == cases[i].enrolled && res.secrets == cases[i].secrets &&
		       w.admits == cases[i].admits &&
		       (!cases[i].n_profile || res.n_profile == cases[i].n_profile) &&
		       !w.snapshot && !w.writes_in_snapshot;
		ok(good, "%s: %s", boot_decision_name(cases[i].decision), cases[i].what);
		if (!good)
			printf("#   got %s (%s), client [%s], profile [%s], enrolled %d, secrets %d, "
			       "admits %d, profiles %u, snapshot %d, writes in it %d\n",
			       boot_decision_name(res.decision), res.reason ? res.reason : "-", client,
			       profile, res.enrolled, res.secrets, w.admits, res.n_profile,
			       w.snapshot, w.writes_in_snapshot);
		boot_resolution_release(&res);
	}

	/*
	 * reads_only: every case that records a machine or spends a token is
	 * ELSEWHERE, having done neither; every other comes to the same.
	 */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct boot_ask ask = { .via = cases[i].via, .choice = cases[i].choice };
		struct boot_resolution res;
		bool writes, good;
		int err;

		world_reset(cases[i].policy, cases[i].default_profile, cases[i].admit_why);
		boot_identity_from(&ask.id, cases[i].mac, cases[i].uuid, cases[i].serial);
		ask.reads_only = false;
		boot_resolve(&view, &ask, &res);
		writes = w.admits || w.enrolls;
		boot_resolution_release(&res);

		world_reset(cases[i].policy, cases[i].default_profile, cases[i].admit_why);
		ask.reads_only = true;
		err = boot_resolve(&view, &ask, &res);
		if (writes)
			good = !err && res.decision == BOOT_DECIDE_ELSEWHERE && !res.has_client &&
			       !res.n_profile && !w.admits && !w.enrolls;
		else
			good = !err && res.decision == cases[i].decision &&
			       has(res.reason, cases[i].reason) && !w.admits && !w.enrolls;
		good = good && !w.snapshot;
		ok(good, "reads only: %s: %s", writes ? "elsewhere" :
		   boot_decision_name(cases[i].decision), cases[i].what);
		if (!good)
			printf("#   got %s, client %d, profiles %u, admits %d, enrolls %d\n",
			       boot_decision_name(res.decision), res.has_client, res.n_profile,
			       w.admits, w.enrolls);
		boot_resolution_release(&res);
	}

	/* The identity: one normaliser for every endpoint. */
	boot_identity_from(&id, "AABB.CCDD.EEFF", "not a uuid", NULL);
	ok(!strcmp(id.mac, "aa:bb:cc:dd:ee:ff") && !id.uuid[0][0] && !id.uuid[1][0] &&
	   !id.serial[0], "identity: dotted MAC, no UUID, no serial");
	boot_identity_from(&id, NULL, "33221100554477668899aabbccddeeff", "S");
	ok(!id.mac[0] && !strcmp(id.uuid[0], "33221100-5544-7766-8899-aabbccddeeff") &&
	   !strcmp(id.uuid[1], "00112233-4455-6677-8899-aabbccddeeff") &&
	   !strcmp(id.serial, "S"), "identity: a bare UUID in both byte orders");
	boot_identity_from(&id, "", "ffffffff-ffff-ffff-ffff-ffffffffffff", "");
	ok(!id.uuid[0][0] && !id.uuid[1][0], "identity: the all-ff placeholder is no UUID");
	boot_identity_from(&id, mac_in_place, NULL, NULL);
	ok(!strcmp(id.mac, "52:54:00:aa:bb:cc"), "identity: MAC with dashes, upper case");
	world_reset(DENY, "", NULL);
	boot_identity_from(&id, "", "", "SER5");
	ok(!boot_identity_names(&id, &w.clients[4]), "a serial number alone names no client");
	boot_identity_from(&id, "", SWAPPED_PC2, "");
	ok(boot_identity_names(&id, &w.clients[1]), "a swapped UUID names its client");
	ok(!strcmp(boot_decision_name(BOOT_DECIDE_NO_PROFILE), "no-profile") &&
	   !strcmp(boot_decision_name((enum boot_decision)99), "?"), "decision names");
	return tap_end();
}
