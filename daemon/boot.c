// SPDX-License-Identifier: GPL-2.0
/* The boot service; see boot.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../kmod/iscsi_name.h"
#include "api.h"
#include "assets.h"
#include "boot.h"
#include "boot_render.h"
#include "bootsand.h"
#include "enroll.h"
#include "http.h"
#include "kernel.h"
#include "log.h"
#include "store.h"

#define SCRIPT_MAX		(64 * 1024)
/* How long a client whose disk is being cloned sleeps before it asks again. */
#define WAIT_SECONDS		5

#define setting enroll_setting

/* "http://<host>" from the Host header the client used, if it is sane. */
static void base_url(struct http_req *r, char *out, size_t size)
{
	const char *host = http_header(r, "Host");
	size_t i;

	if (host && *host && strlen(host) < 200) {
		for (i = 0; host[i]; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "0123456789.-:[]", host[i]))
				break;
		if (!host[i]) {
			snprintf(out, size, "http://%s", host);
			return;
		}
	}
	out[0] = '\0';	/* relative URLs: iPXE resolves them against the script's */
}

/* The SAN server as clients reach it: the Host header without its port. */
static void san_server(struct bsd *d, struct http_req *r, char *out, size_t size)
{
	const char *host = http_header(r, "Host");
	char *colon;

	setting(d, "san_server", "", out, size);
	if (out[0] || !host)
		return;
	snprintf(out, size, "%s", host);
	if (out[0] == '[') {
		char *end = strchr(out, ']');

		if (end)
			end[1] = '\0';
	} else if ((colon = strrchr(out, ':'))) {
		*colon = '\0';
	}
}

static void reply_script(struct http_req *r, struct boot_buf *b)
{
	char *copy = malloc(b->len + 1);

	if (!copy) {
		http_reply_error(r, 500, NULL, "out of memory");
		return;
	}
	memcpy(copy, b->data, b->len + 1);
	http_reply_buf(r, 200, "text/plain; charset=us-ascii", copy, b->len);
}

static void get_entry(struct http_req *r, enum boot_entry_kind kind)
{
	char mem[4096], base[256];
	struct boot_buf b;

	base_url(r, base, sizeof(base));
	boot_buf_init(&b, mem, sizeof(mem));
	if (boot_render_entry(&b, base, kind)) {
		http_reply_error(r, 500, NULL, "cannot render the entry script");
		return;
	}
	reply_script(r, &b);
}

static void get_boot_ipxe(struct http_req *r)
{
	get_entry(r, BOOT_ENTRY_IPXE);
}

static void get_boot_gpxe(struct http_req *r)
{
	get_entry(r, BOOT_ENTRY_GPXE);
}

/* ---- matching a client ---- */

/* The client a machine's MAC, UUID (either byte order) or serial names. */
static int find_client(struct bsd *d, const struct boot_query *q, struct store_client *out)
{
	char mac[18] = "", uuids[2][37] = { "", "" };
	int nuuids;

	if (boot_mac_normalize(boot_query_get(q, BOOT_Q_MAC), mac))
		mac[0] = '\0';
	nuuids = boot_uuid_variants(boot_query_get(q, BOOT_Q_UUID), uuids);
	if (nuuids < 1 || boot_uuid_is_placeholder(uuids[0]))
		uuids[0][0] = uuids[1][0] = '\0';
	else if (nuuids == 1)
		uuids[1][0] = '\0';
	return store_client_find(d->store, mac, uuids[0], uuids[1], boot_query_get(q, BOOT_Q_SERIAL),
				 out);
}

/* Did the machine name client @c by its MAC or UUID (not only its serial)? */
static bool matched_by_id(const struct boot_query *q, const struct store_client *c)
{
	char mac[BOOT_MAC_STRLEN + 2] = "", uuids[2][BOOT_UUID_STRLEN];
	int nuuids;

	if (!boot_mac_normalize(boot_query_get(q, BOOT_Q_MAC), mac + 1)) {
		size_t n = strlen(mac + 1);

		mac[0] = '"';	/* as a JSON string in the client's list */
		mac[n + 1] = '"';
		mac[n + 2] = '\0';
		if (strstr(c->macs, mac))
			return true;
	}
	nuuids = boot_uuid_variants(boot_query_get(q, BOOT_Q_UUID), uuids);
	if (nuuids < 1 || boot_uuid_is_placeholder(uuids[0]) || !c->uuid[0])
		return false;
	return !strcmp(c->uuid, uuids[0]) || (nuuids > 1 && !strcmp(c->uuid, uuids[1]));
}

/* ---- profiles ---- */

static const struct {
	const char *name;
	enum boot_kind kind;
} kinds[] = {
	{ "sanboot", BOOT_KIND_SANBOOT }, { "linux", BOOT_KIND_LINUX },
	{ "iso", BOOT_KIND_ISO }, { "winpe", BOOT_KIND_WINPE },
	{ "menu", BOOT_KIND_MENU }, { "local", BOOT_KIND_LOCAL },
	{ "chain", BOOT_KIND_CHAIN },
};

static int kind_of(const char *name, enum boot_kind *kind)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(kinds[i].name, name)) {
			*kind = kinds[i].kind;
			return 0;
		}
	}
	return -EINVAL;
}

static void asset(json_t *j, struct boot_asset *a)
{
	a->path = json_is_string(j) ? json_string_value(j) :
		  json_string_value(json_object_get(j, "path"));
	a->name = json_is_object(j) ? json_string_value(json_object_get(j, "name")) : NULL;
}

/*
 * A render-ready profile from its stored JSON. Strings point into @body,
 * which must outlive @p. Menu items are not resolved to other profiles
 * (pxelinux rendering needs that; iPXE menus chain by name).
 */
static int profile_from(const struct store_profile *sp, json_t *body, struct boot_profile *p)
{
	json_t *v;
	size_t i;

	memset(p, 0, sizeof(*p));
	if (kind_of(sp->kind, &p->kind))
		return -EINVAL;
	p->name = sp->name;
	p->title = json_string_value(json_object_get(body, "title"));
	switch (p->kind) {
	case BOOT_KIND_LINUX:
		asset(json_object_get(body, "kernel"), &p->lnx.kernel);
		p->lnx.args = json_string_value(json_object_get(body, "args"));
		json_array_foreach(json_object_get(body, "initrds"), i, v)
			if (i < BOOT_MAX_INITRDS)
				asset(v, &p->lnx.initrds[p->lnx.n_initrds++]);
		break;
	case BOOT_KIND_ISO:
		asset(json_object_get(body, "image"), &p->iso.image);
		p->iso.memdisk = json_is_true(json_object_get(body, "memdisk"));
		break;
	case BOOT_KIND_WINPE:
		asset(json_object_get(body, "wimboot"), &p->winpe.wimboot);
		json_array_foreach(json_object_get(body, "files"), i, v)
			if (i < BOOT_MAX_FILES)
				asset(v, &p->winpe.files[p->winpe.n_files++]);
		break;
	case BOOT_KIND_MENU:
		json_array_foreach(json_object_get(body, "items"), i, v) {
			struct boot_menu_item *it;

			if (i >= BOOT_MAX_ITEMS)
				break;
			it = &p->menu.items[p->menu.n_items++];
			it->profile = json_string_value(json_object_get(v, "profile"));
			it->label = json_string_value(json_object_get(v, "label"));
			it->key = json_string_value(json_object_get(v, "key"));
		}
		p->menu.default_item = json_string_value(json_object_get(body, "default"));
		p->menu.timeout_ms = json_integer_value(json_object_get(body, "timeout_ms"));
		break;
	case BOOT_KIND_CHAIN:
		p->chain_url = json_string_value(json_object_get(body, "url"));
		break;
	default:
		break;
	}
	return 0;
}

/* ---- choosing a profile ---- */

/* A profile ready to render; p's strings point into sp and body. */
struct loaded {
	struct store_profile sp;
	json_t *body;
	struct boot_profile p;
};

static int load_profile(struct bsd *d, const char *name, struct loaded *l)
{
	int err = store_profile_get(d->store, name, &l->sp);

	l->body = NULL;
	if (err)
		return err;
	l->body = json_loads(l->sp.body, 0, NULL);
	if (!l->body || profile_from(&l->sp, l->body, &l->p)) {
		json_decref(l->body);
		l->body = NULL;
		return -EINVAL;
	}
	return 0;
}

static void unload(struct loaded *l)
{
	json_decref(l->body);
	l->body = NULL;
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
 * The profile of client @c (NULL: an unknown machine): its own, else the
 * profile whose label selector matches with the most keys (the first by
 * name on a tie), else the default profile. "" when there is none.
 */
static void select_profile(struct bsd *d, const struct store_client *c, char *out, size_t size)
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
	if (json_object_size(labels) && !store_profile_list(d->store, &ps, &n)) {
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
		setting(d, "default_profile", "", out, size);
}

/*
 * A menu's choice: /boot/ipxe?profile=<item> is honoured only for an item
 * of the menu the client is given, so a client cannot pick any profile.
 */
static void apply_choice(struct bsd *d, const struct boot_query *q, char *name, size_t size)
{
	const char *want = boot_query_get(q, BOOT_Q_PROFILE);
	struct loaded menu;

	if (!want[0] || !strcmp(want, name) || load_profile(d, name, &menu))
		return;
	if (menu.p.kind == BOOT_KIND_MENU)
		for (unsigned int i = 0; i < menu.p.menu.n_items; i++)
			if (menu.p.menu.items[i].profile &&
			    !strcmp(menu.p.menu.items[i].profile, want)) {
				snprintf(name, size, "%s", want);
				break;
			}
	unload(&menu);
}

/* ---- the boot script ---- */

static void record(struct bsd *d, struct http_req *r, const char *client,
		   const struct boot_query *q, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void record(struct bsd *d, struct http_req *r, const char *client,
		   const struct boot_query *q, const char *fmt, ...)
{
	struct store_boot b = {};
	va_list ap;

	snprintf(b.client, sizeof(b.client), "%s", client);
	b.time = time(NULL);
	snprintf(b.ip, sizeof(b.ip), "%s", http_peer(r));
	if (q)
		snprintf(b.firmware, sizeof(b.firmware), "%.30s%s%.30s",
			 boot_query_get(q, BOOT_Q_BUILDARCH),
			 boot_query_get(q, BOOT_Q_PLATFORM)[0] ? "/" : "",
			 boot_query_get(q, BOOT_Q_PLATFORM));
	va_start(ap, fmt);
	vsnprintf(b.what, sizeof(b.what), fmt, ap);
	va_end(ap);
	if (store_boot_queue(d->store, &b))
		log_warn("boot history of %s not recorded", client);
}

/* Is the client's disk still being cloned? */
static bool disk_cloning(struct bsd *d, const struct store_client *c)
{
	struct store_image im;

	return c->image[0] && !store_image_get(d->store, c->image, &im) &&
	       !strcmp(im.state, "cloning");
}

/*
 * Render for a known client (or, with @c NULL, the default profile for a
 * machine the policy lets in unrecorded): 0 with *served set, or -errno
 * with a reason in *why.
 */
static int render_client(struct bsd *d, struct http_req *r, const struct boot_request *req,
			 const struct store_client *c, struct boot_buf *b, char *served,
			 size_t served_size, const char **why)
{
	struct loaded l;
	struct boot_client bc = {};
	struct enroll_san san;
	char server[128], name[STORE_NAME_SIZE];
	int err;

	select_profile(d, c, name, sizeof(name));
	if (!name[0]) {
		*why = "no profile for this machine";
		return -ENOENT;
	}
	apply_choice(d, req->query, name, sizeof(name));
	err = load_profile(d, name, &l);
	if (err) {
		*why = err == -ENOENT ? "its profile does not exist" : "its profile is broken";
		return err;
	}
	if (l.p.kind == BOOT_KIND_SANBOOT) {
		if (!c || !c->image[0]) {
			unload(&l);
			*why = "this machine has no disk image";
			return -ENOENT;
		}
		if (disk_cloning(d, c)) {
			unload(&l);
			snprintf(served, served_size, "wait: disk %s is being cloned", c->image);
			err = boot_render_wait(b, req, c->name, WAIT_SECONDS);
			if (err)
				*why = "its disk is being prepared, and this firmware cannot wait";
			return err;
		}
		bc.keep_san = json_is_true(json_object_get(l.body, "keep_san"));
	}
	if (c) {
		enroll_client_san(d, c, &san, &bc);
		san_server(d, r, server, sizeof(server));
		bc.san_server = server;
	}
	if (bc.chap_secret && l.p.kind == BOOT_KIND_SANBOOT) {
		/* Serial numbers are shared by cheap boards: not proof enough. */
		if (!matched_by_id(req->query, c)) {
			unload(&l);
			*why = "matched by its serial number only, and its disk's CHAP "
			       "secrets go only to its MAC address or UUID";
			return -EPERM;
		}
		http_add_header(r, "Cache-Control", "no-store");
	}
	err = boot_render_ipxe(b, req, &l.p, c ? &bc : NULL);
	snprintf(served, served_size, "profile %s (%s)", l.sp.name, l.sp.kind);
	unload(&l);
	if (err)
		*why = "its script cannot be rendered";
	return err;
}

/* The query of GET /boot/ipxe, whichever way the client sent it. */
static void read_query(struct http_req *r, struct boot_query *q)
{
	const char *raw = http_raw_url(r), *qs = strchr(raw, '?');

	boot_query_init(q);
	/* Bad values are normal here: iPXE expands unknown settings to "". */
	if (qs)
		boot_query_parse(q, qs + 1, strcspn(qs + 1, "#"));
}

static void get_boot_script(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct boot_query q;
	struct boot_request req;
	struct store_client c;
	char base[256], *mem = malloc(SCRIPT_MAX), served[256] = "";
	char mac[BOOT_MAC_STRLEN] = "", uuids[2][BOOT_UUID_STRLEN] = { "" };
	const char *why = NULL;
	enum enroll_policy policy = ENROLL_DENY;
	struct boot_buf b;
	bool known;
	int err;

	if (!mem) {
		http_reply_error(r, 503, NULL, "out of memory");
		return;
	}
	read_query(r, &q);
	base_url(r, base, sizeof(base));
	req.query = &q;
	req.base_url = base;
	req.dialect = boot_query_dialect(&q);
	boot_buf_init(&b, mem, SCRIPT_MAX);

	log_info("boot script for %s: mac [%s] uuid [%s] serial [%s]", http_peer(r),
		 boot_query_get(&q, BOOT_Q_MAC), boot_query_get(&q, BOOT_Q_UUID),
		 boot_query_get(&q, BOOT_Q_SERIAL));
	/* A known machine's script is all reads: one snapshot for them. */
	err = -EPERM;
	store_read_begin(d->store);
	known = !find_client(d, &q, &c);
	if (known) {
		why = enroll_refusal(d, &c);
		if (!why)
			err = render_client(d, r, &req, &c, &b, served, sizeof(served), &why);
	} else {
		policy = enroll_policy(d);
	}
	store_read_end(d->store);
	if (!known && policy != ENROLL_DENY) {
		if (boot_mac_normalize(boot_query_get(&q, BOOT_Q_MAC), mac))
			mac[0] = '\0';
		if (boot_uuid_variants(boot_query_get(&q, BOOT_Q_UUID), uuids) < 1 ||
		    boot_uuid_is_placeholder(uuids[0]))
			uuids[0][0] = '\0';
		/* Only a machine that would be recorded spends anything. */
		if ((mac[0] || uuids[0][0]) && (why = enroll_admit(d, http_peer(r)))) {
			log_warn("enrollment of %s from %s refused: %s", mac[0] ? mac : uuids[0],
				 http_peer(r), why);
			if (!boot_render_busy(&b, &req, ENROLL_RETRY_SECONDS)) {
				reply_script(r, &b);
				free(mem);
				return;
			}
			err = -EBUSY;
			goto done;
		}
		err = enroll_unknown(d, policy, mac, uuids[0], boot_query_get(&q, BOOT_Q_SERIAL),
				     &c, &why);
		known = !err;
		if (err && policy == ENROLL_REGISTER) {
			/* Not recordable (no MAC, no UUID): the default profile all the same. */
			err = render_client(d, r, &req, NULL, &b, served, sizeof(served), &why);
			goto done;
		}
		if (known)
			err = render_client(d, r, &req, &c, &b, served, sizeof(served), &why);
	}
	if (known) {
		if (err)
			record(d, r, c.name, &q, "ipxe: refused: %s", why);
		else
			record(d, r, c.name, &q, "ipxe: %s", served);
	}
done:
	if (err) {
		char message[256];

		snprintf(message, sizeof(message), "%s", why ? why :
			 "this machine is not enrolled (ask the administrator)");
		boot_buf_reset(&b);
		if (boot_render_deny(&b, &req, message)) {
			free(mem);
			http_reply_error(r, 503, NULL, "cannot render the script");
			return;
		}
	}
	reply_script(r, &b);
	free(mem);
}

/* ---- pxelinux.cfg ---- */

/*
 * A pxelinux.cfg for profile @name: a menu's items resolved to their
 * profiles (one level: pxelinux menus here do not nest).
 */
static int render_pxelinux(struct bsd *d, struct http_req *r, const struct boot_request *req,
			   const char *name, const struct store_client *c, struct boot_buf *b,
			   const char **why)
{
	struct loaded *ls = calloc(BOOT_MAX_ITEMS + 1, sizeof(*ls));
	struct boot_client bc = {};
	struct enroll_san san;
	char server[128];
	int err, n = 0;

	if (!ls) {
		*why = "out of memory";
		return -ENOMEM;
	}
	err = load_profile(d, name, &ls[0]);
	if (err) {
		*why = err == -ENOENT ? "the profile does not exist" : "the profile is broken";
		goto out;
	}
	n = 1;
	if (ls[0].p.kind == BOOT_KIND_MENU) {
		for (unsigned int i = 0; i < ls[0].p.menu.n_items; i++) {
			struct boot_menu_item *it = &ls[0].p.menu.items[i];

			err = it->profile ? load_profile(d, it->profile, &ls[n]) : -EINVAL;
			if (err) {
				*why = "an item of the menu is missing";
				goto out;
			}
			it->target = &ls[n++].p;
		}
	}
	if (c) {
		enroll_client_san(d, c, &san, &bc);
		san_server(d, r, server, sizeof(server));
		bc.san_server = server;
	}
	err = boot_render_pxelinux(b, req, &ls[0].p, c ? &bc : NULL);
	if (err)
		*why = err == -ENOTSUP ? "this profile cannot be a pxelinux menu (use iPXE)" :
					 "this profile cannot be rendered for pxelinux";
out:
	for (int i = 0; i < n; i++)
		unload(&ls[i]);
	free(ls);
	return err;
}

static void reply_pxelinux(struct http_req *r, struct boot_buf *b, const char *why)
{
	if (why && boot_render_pxelinux_deny(b, why)) {
		http_reply_error(r, 503, NULL, "cannot render the menu");
		return;
	}
	reply_script(r, b);
}

/*
 * GET /boot/pxelinux.cfg/<name>, asked for by pxelinux/lpxelinux in its
 * usual order: <uuid>, 01-<mac>, the hex IP prefixes, then "default".
 * A known machine's file is its profile; every other per-machine name is
 * 404 so that pxelinux goes on to "default" (a register policy records
 * the MAC on the way). "default" is the default profile, or, under the
 * deny policy or when there is none, a file that says why and returns to
 * the firmware's next boot device. Never 5xx for what a client sends.
 */
static void get_pxelinux(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	char id[BOOT_PXE_NAME_MAX], name[STORE_NAME_SIZE], base[256], mem[16384];
	enum boot_pxe_name kind = boot_pxelinux_parse_name(http_param(r, "name"), id);
	struct boot_query q;
	struct boot_request req;
	struct store_client c;
	const char *why = NULL;
	struct boot_buf b;

	boot_buf_init(&b, mem, sizeof(mem));
	base_url(r, base, sizeof(base));
	boot_query_init(&q);
	req.query = &q;
	req.base_url = base;
	req.dialect = BOOT_DIALECT_IPXE;
	if (kind == BOOT_PXE_NAME_INVALID) {
		http_reply_error(r, 404, "name", "no such pxelinux.cfg file");
		return;
	}
	if (kind == BOOT_PXE_NAME_DEFAULT) {
		setting(d, "default_profile", "", name, sizeof(name));
		if (enroll_policy(d) == ENROLL_DENY)
			why = "this machine is not enrolled (ask the administrator)";
		else if (!name[0])
			why = "there is no default profile";
		else
			render_pxelinux(d, r, &req, name, NULL, &b, &why);
		reply_pxelinux(r, &b, why);
		return;
	}
	boot_query_set(&q, kind == BOOT_PXE_NAME_MAC ? "mac" : "uuid", id, strlen(id));
	if (find_client(d, &q, &c)) {
		/* Over the enrollment limits it is only sent on, unrecorded. */
		if (kind == BOOT_PXE_NAME_MAC && enroll_policy(d) == ENROLL_REGISTER &&
		    !enroll_admit(d, http_peer(r)) &&
		    !enroll_unknown(d, ENROLL_REGISTER, id, "", "", &c, &why))
			record(d, r, c.name, NULL, "pxelinux: registered, sent on to default");
		http_reply_error(r, 404, "name", "no such pxelinux.cfg file");
		return;
	}
	why = enroll_refusal(d, &c);
	if (!why) {
		select_profile(d, &c, name, sizeof(name));
		if (!name[0])
			why = "no profile for this machine";
		else
			render_pxelinux(d, r, &req, name, &c, &b, &why);
	}
	record(d, r, c.name, NULL, "pxelinux: %s%s", why ? "refused: " : "profile ",
	       why ? why : name);
	reply_pxelinux(r, &b, why);
}

/* ---- profiles API ---- */

static json_t *profile_json(const struct store_profile *p)
{
	json_t *body = json_loads(p->body, 0, NULL);

	if (!body)
		body = json_object();
	json_object_set_new(body, "name", json_string(p->name));
	json_object_set_new(body, "kind", json_string(p->kind));
	return body;
}

/*
 * What the renderer cannot check alone: a menu's items name existing
 * profiles (not itself, no duplicates) and its default is one of them; a
 * sanboot profile's "chap" is none, chap or mutual; a "selector" is an
 * object of strings. 0, or replies 400 and -1.
 */
static int profile_check(struct http_req *r, struct bsd *d, const struct store_profile *sp,
			 json_t *body, const struct boot_profile *p)
{
	json_t *chap = json_object_get(body, "chap"), *sel = json_object_get(body, "selector"), *v;
	struct store_profile other;
	const char *k;
	bool default_found = false;

	if (p->kind == BOOT_KIND_MENU) {
		json_t *items = json_object_get(body, "items");

		if (!json_is_array(items) || !json_array_size(items) ||
		    json_array_size(items) > BOOT_MAX_ITEMS) {
			http_reply_error(r, 400, "items", "a menu has 1 to %d items", BOOT_MAX_ITEMS);
			return -1;
		}
		for (unsigned int i = 0; i < p->menu.n_items; i++) {
			const char *item = p->menu.items[i].profile;

			if (!item || !strcmp(item, sp->name) || store_profile_get(d->store, item, &other)) {
				http_reply_error(r, 400, "items", "item %u: %s", i + 1, !item ?
						 "each item names a profile (\"profile\")" :
						 !strcmp(item, sp->name) ? "a menu cannot list itself" :
						 "no such profile");
				return -1;
			}
			for (unsigned int j = 0; j < i; j++)
				if (!strcmp(item, p->menu.items[j].profile)) {
					http_reply_error(r, 400, "items", "profile %s is listed twice",
							 item);
					return -1;
				}
			if (p->menu.default_item && !strcmp(item, p->menu.default_item))
				default_found = true;
		}
		if (p->menu.default_item && !default_found) {
			http_reply_error(r, 400, "default", "the default is not an item of the menu");
			return -1;
		}
	}
	if (chap && (p->kind != BOOT_KIND_SANBOOT || !json_is_string(chap) ||
		     (strcmp(json_string_value(chap), "none") && strcmp(json_string_value(chap), "chap") &&
		      strcmp(json_string_value(chap), "mutual")))) {
		http_reply_error(r, 400, "chap", "chap is none, chap or mutual, on sanboot profiles");
		return -1;
	}
	if (sel && !json_is_object(sel)) {
		http_reply_error(r, 400, "selector", "a selector is an object of label values");
		return -1;
	}
	json_object_foreach(sel, k, v)
		if (!json_is_string(v)) {
			http_reply_error(r, 400, "selector", "selector %s: label values are strings", k);
			return -1;
		}
	return 0;
}

static void post_profile(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	json_t *j = http_json(r), *body;
	struct store_profile sp = {};
	struct boot_profile p;
	const char *name, *kind;
	char *text;
	int err;

	if (http_unpack(r, j, "{s:s, s:s}", "name", &name, "kind", &kind))
		return;
	if (strlen(name) >= sizeof(sp.name) || strspn(name, "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != strlen(name) || !name[0]) {
		http_reply_error(r, 400, "name", "profile names take A-Z a-z 0-9 . - (at most 64)");
		return;
	}
	snprintf(sp.name, sizeof(sp.name), "%s", name);
	snprintf(sp.kind, sizeof(sp.kind), "%s", kind);
	body = json_deep_copy(j);
	json_object_del(body, "name");
	json_object_del(body, "kind");
	if (profile_from(&sp, body, &p)) {
		json_decref(body);
		http_reply_error(r, 400, "kind", "kind is one of sanboot, linux, iso, winpe, menu, "
				 "local, chain");
		return;
	}
	if (profile_check(r, d, &sp, body, &p)) {
		json_decref(body);
		return;
	}
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!text || strlen(text) >= sizeof(sp.body)) {
		free(text);
		http_reply_error(r, 413, NULL, "the profile is too large");
		return;
	}
	snprintf(sp.body, sizeof(sp.body), "%s", text);
	free(text);
	err = store_profile_create(d->store, &sp);
	if (err)
		http_reply_errno(r, err, "name", "creating the profile");
	else
		api_reply_created(r, 201, profile_json(&sp), "/api/v1/profiles/%s", sp.name);
}

static void get_profiles(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_profile *ps;
	size_t n, i;
	json_t *a;
	int err = store_profile_list(d->store, &ps, &n);

	if (err) {
		http_reply_errno(r, err, NULL, "listing profiles");
		return;
	}
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, profile_json(&ps[i]));
	free(ps);
	api_reply_list(r, "profiles", a);
}

static void get_profile(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_profile p;
	int err = store_profile_get(d->store, http_param(r, "name"), &p);

	if (err)
		http_reply_errno(r, err, "name", "no such profile");
	else
		http_reply_json(r, 200, profile_json(&p));
}

static void delete_profile(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	int err = store_profile_delete(d->store, http_param(r, "name"));

	if (err)
		http_reply_errno(r, err, "name", "deleting the profile");
	else
		http_reply_json(r, 204, NULL);
}

/* ---- clients API ---- */

static json_t *client_json(struct bsd *d, const struct store_client *c, bool history)
{
	json_t *macs = json_loads(c->macs, 0, NULL), *labels = json_loads(c->labels, 0, NULL);
	json_t *o = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:s, s:o}",
			      "name", c->name, "uuid", c->uuid, "mac", macs ? macs : json_array(),
			      "serial", c->serial, "profile", c->profile, "image", c->image,
			      "labels", labels ? labels : json_object(), "state", c->state,
			      "created", api_time(c->created));

	json_object_set_new(o, "origin", json_string(c->origin[0] ? c->origin : "api"));

	if (history) {
		struct store_boot *bs;
		size_t n, i;
		json_t *h = json_array();

		if (!store_boot_list(d->store, c->name, 50, &bs, &n)) {
			for (i = 0; i < n; i++)
				json_array_append_new(h, json_pack("{s:o, s:s, s:s, s:s}",
					"time", api_time(bs[i].time), "ip", bs[i].ip,
					"firmware", bs[i].firmware, "served", bs[i].what));
			free(bs);
		}
		json_object_set_new(o, "history", h);
	}
	return o;
}

static int parse_macs(struct http_req *r, json_t *in, char *out, size_t size)
{
	json_t *norm = json_array(), *v;
	char mac[18], *text;
	size_t i;

	if (in && !json_is_array(in)) {
		json_decref(norm);
		http_reply_error(r, 400, "mac", "mac is a list of MAC addresses");
		return -1;
	}
	json_array_foreach(in, i, v) {
		if (!json_is_string(v) || boot_mac_normalize(json_string_value(v), mac)) {
			json_decref(norm);
			http_reply_error(r, 400, "mac", "not a MAC address: %s",
					 json_is_string(v) ? json_string_value(v) : "(not text)");
			return -1;
		}
		json_array_append_new(norm, json_string(mac));
	}
	text = json_dumps(norm, JSON_COMPACT);
	json_decref(norm);
	if (!text || strlen(text) >= size) {
		free(text);
		http_reply_error(r, 400, "mac", "too many MAC addresses");
		return -1;
	}
	snprintf(out, size, "%s", text);
	free(text);
	return 0;
}

static void post_client(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	const char *name, *uuid = "", *serial = "", *profile = "", *image = "";
	json_t *macs = NULL, *labels = NULL;
	struct store_client c = {};
	char *text;
	int err;

	if (http_unpack(r, http_json(r), "{s:s, s?s, s?o, s?s, s?s, s?s, s?o !}", "name", &name,
			"uuid", &uuid, "mac", &macs, "serial", &serial, "profile", &profile,
			"image", &image, "labels", &labels))
		return;
	if (!name[0] || strlen(name) >= sizeof(c.name) ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(name)) {
		http_reply_error(r, 400, "name", "client names take a-z 0-9 . - (at most 64)");
		return;
	}
	snprintf(c.name, sizeof(c.name), "%s", name);
	if (uuid[0] && boot_uuid_normalize(uuid, c.uuid)) {
		http_reply_error(r, 400, "uuid", "not a UUID: %s", uuid);
		return;
	}
	if (parse_macs(r, macs, c.macs, sizeof(c.macs)))
		return;
	if (labels && !json_is_object(labels)) {
		http_reply_error(r, 400, "labels", "labels is an object of strings");
		return;
	}
	text = labels ? json_dumps(labels, JSON_COMPACT) : NULL;
	snprintf(c.labels, sizeof(c.labels), "%s", text ? text : "{}");
	free(text);
	snprintf(c.serial, sizeof(c.serial), "%s", serial);
	snprintf(c.profile, sizeof(c.profile), "%s", profile);
	snprintf(c.image, sizeof(c.image), "%s", image);
	snprintf(c.state, sizeof(c.state), "active");
	err = store_client_create(d->store, &c);
	if (err) {
		http_reply_errno(r, err, "name", err == -EINVAL ?
				 "no such profile or image" : "creating the client");
		return;
	}
	err = enroll_ensure_target(d, &c);
	if (err)
		log_warn("client %s: its target: %s", c.name, strerror(-err));
	store_client_get(d->store, c.name, &c);
	api_reply_created(r, 201, client_json(d, &c, false), "/api/v1/clients/%s", c.name);
}

static void get_clients(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_client *cs;
	size_t n, i;
	json_t *a;
	int err = store_client_list(d->store, &cs, &n);

	if (err) {
		http_reply_errno(r, err, NULL, "listing clients");
		return;
	}
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, client_json(d, &cs[i], false));
	free(cs);
	api_reply_list(r, "clients", a);
}

static void get_client(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_client c;
	int err = store_client_get(d->store, http_param(r, "name"), &c);

	if (err)
		http_reply_errno(r, err, "name", "no such client");
	else
		http_reply_json(r, 200, client_json(d, &c, true));
}

static void delete_client(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	int err = store_client_delete(d->store, http_param(r, "name"));

	if (err)
		http_reply_errno(r, err, "name", "deleting the client");
	else
		http_reply_json(r, 204, NULL);
}

int boot_add_routes(struct bsd *d, struct http *h)
{
	static const struct http_route routes[] = {
		{ "GET", "/boot.ipxe", get_boot_ipxe, HTTP_ROUTE_PUBLIC },
		{ "GET", "/boot.gpxe", get_boot_gpxe, HTTP_ROUTE_PUBLIC },
		{ "GET", "/boot/ipxe", get_boot_script, HTTP_ROUTE_PUBLIC },
		{ "GET", "/boot/pxelinux.cfg/{name}", get_pxelinux, HTTP_ROUTE_PUBLIC },
		{ "POST", "/api/v1/profiles", post_profile, HTTP_ROUTE_JSON },
		{ "GET", "/api/v1/profiles", get_profiles, 0 },
		{ "GET", "/api/v1/profiles/{name}", get_profile, 0 },
		{ "DELETE", "/api/v1/profiles/{name}", delete_profile, 0 },
		{ "POST", "/api/v1/clients", post_client, HTTP_ROUTE_JSON },
		{ "GET", "/api/v1/clients", get_clients, 0 },
		{ "GET", "/api/v1/clients/{name}", get_client, 0 },
		{ "DELETE", "/api/v1/clients/{name}", delete_client, 0 },
	};

	return http_add_routes(h, routes, sizeof(routes) / sizeof(routes[0])) ?:
	       assets_add_routes(d, h) ?: enroll_add_routes(d, h);
}

const char *boot_openapi_paths(void)
{
	return "{"
	"\"/boot.ipxe\": {\"get\": {\"summary\": \"The iPXE entry script DHCP points at (no auth)\","
	" \"responses\": {\"200\": {\"description\": \"an iPXE script\"}}}},"
	"\"/boot.gpxe\": {\"get\": {\"summary\": \"The entry script for gPXE-era clients (no auth)\","
	" \"responses\": {\"200\": {\"description\": \"a gPXE script\"}}}},"
	"\"/boot/ipxe\": {\"get\": {\"summary\": \"A client's boot script, from its profile (no auth)\","
	" \"parameters\": [{\"name\": \"uuid\", \"in\": \"query\", \"schema\": {\"type\": \"string\"}},"
	" {\"name\": \"mac\", \"in\": \"query\", \"schema\": {\"type\": \"string\"}},"
	" {\"name\": \"serial\", \"in\": \"query\", \"schema\": {\"type\": \"string\"}}],"
	" \"responses\": {\"200\": {\"description\": \"an iPXE script\"}}}},"
	"\"/boot/pxelinux.cfg/{name}\": {"
	" \"parameters\": [{\"name\": \"name\", \"in\": \"path\", \"required\": true,"
	" \"schema\": {\"type\": \"string\"}}],"
	" \"get\": {\"summary\": \"A pxelinux.cfg file (menu.c32 syntax)"
	" for a machine (<uuid>, 01-<mac>: 404 when unknown) or default (no auth)\","
	" \"responses\": {\"200\": {\"description\": \"a pxelinux.cfg file\"},"
	" \"404\": {\"description\": \"no such file: pxelinux tries the next name\"}}}},"
	"\"/assets/{path}\": {"
	" \"parameters\": [{\"name\": \"path\", \"in\": \"path\", \"required\": true,"
	" \"description\": \"a relative path, slashes included\", \"schema\": {\"type\": \"string\"}}],"
	" \"get\": {\"summary\": \"A file under <state-dir>/assets (no auth;"
	" HEAD, Range, ETag, If-None-Match, If-Modified-Since, If-Range)\","
	" \"responses\": {\"200\": {\"description\": \"the file\"},"
	" \"206\": {\"description\": \"one range of it\"}, \"304\": {\"description\": \"not modified\"},"
	" \"400\": {\"description\": \"refused path\"}, \"403\": {\"description\": \"a symlink out of the tree\"},"
	" \"404\": {\"description\": \"no such file\"}, \"416\": {\"description\": \"range not satisfiable\"}}}},"
	"\"/api/v1/profiles\": {"
	" \"get\": {\"summary\": \"Boot profiles\", \"responses\": {\"200\": " API_OPENAPI_LIST("profiles") "}},"
	" \"post\": {\"summary\": \"Create a profile (name, kind and its fields)\","
	"  \"requestBody\": {\"required\": true, \"content\": {\"application/json\": {\"schema\":"
	" {\"type\": \"object\", \"required\": [\"name\", \"kind\"]}}}},"
	"  \"responses\": {\"201\": {\"description\": \"created\"}, \"400\": {\"description\": \"invalid\"}}}},"
	"\"/api/v1/profiles/{name}\": {"
	" \"parameters\": [{\"name\": \"name\", \"in\": \"path\", \"required\": true,"
	" \"schema\": {\"type\": \"string\"}}],"
	" \"get\": {\"summary\": \"One profile\", \"responses\": {\"200\": {\"description\": \"the profile\"}}},"
	" \"delete\": {\"summary\": \"Delete a profile\", \"responses\": {\"204\": {\"description\": \"deleted\"}}}},"
	"\"/api/v1/clients\": {"
	" \"get\": {\"summary\": \"Clients\", \"responses\": {\"200\": " API_OPENAPI_LIST("clients") "}},"
	" \"post\": {\"summary\": \"Enrol a client (name, uuid, mac, serial, profile, image, labels)\","
	"  \"requestBody\": {\"required\": true, \"content\": {\"application/json\": {\"schema\":"
	" {\"type\": \"object\", \"required\": [\"name\"]}}}},"
	"  \"responses\": {\"201\": {\"description\": \"created\"}, \"400\": {\"description\": \"invalid\"}}}},"
	"\"/api/v1/clients/{name}\": {"
	" \"parameters\": [{\"name\": \"name\", \"in\": \"path\", \"required\": true,"
	" \"schema\": {\"type\": \"string\"}}],"
	" \"get\": {\"summary\": \"One client with its boot history\", \"responses\":"
	" {\"200\": {\"description\": \"the client\"}}},"
	" \"delete\": {\"summary\": \"Delete a client\", \"responses\": {\"204\": {\"description\": \"deleted\"}}}}"
	"}";
}
