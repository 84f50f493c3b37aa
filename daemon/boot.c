// SPDX-License-Identifier: GPL-2.0
/* The boot service; see boot.h. */
#include <errno.h>
#include <pthread.h>
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
#include "images.h"
#include "kernel.h"
#include "log.h"
#include "profile_fields.h"
#include "store.h"
#include "util.h"

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

/* Why a profile's JSON does not make a profile: the field and the reason. */
struct refusal {
	const char *field;
	const char *why;
};

static int refuse(struct refusal *no, const char *field, const char *why)
{
	no->field = field;
	no->why = why;
	return -EINVAL;
}

/* A file: "path", or {"path": "...", "name": "..."}; absent is NULL. */
static int asset(json_t *j, struct boot_asset *a, const char *field, struct refusal *no)
{
	json_t *path = json_object_get(j, "path"), *name = json_object_get(j, "name");

	a->path = a->name = NULL;
	if (!j)
		return 0;
	if (json_is_string(j)) {
		a->path = json_string_value(j);
		return 0;
	}
	if (!json_is_object(j) || !json_is_string(path) || (name && !json_is_string(name)))
		return refuse(no, field, "a file is a path (text) or {\"path\": text, \"name\": text}");
	a->path = json_string_value(path);
	a->name = json_string_value(name);
	return 0;
}

/* A list of at most @max files into @as; their number in *n. */
static int assets(json_t *j, struct boot_asset *as, unsigned int max, unsigned int *n,
		  const char *field, struct refusal *no)
{
	json_t *v;
	size_t i;

	*n = 0;
	if (!j)
		return 0;
	if (!json_is_array(j))
		return refuse(no, field, "a list of files");
	if (json_array_size(j) > max)
		return refuse(no, field, "too many files (at most 8)");
	json_array_foreach(j, i, v)
		if (asset(v, &as[(*n)++], field, no))
			return -EINVAL;
	return 0;
}

/* The optional text field @key of @body: NULL when absent. */
static int text_field(json_t *body, const char *key, const char **out, struct refusal *no)
{
	json_t *v = json_object_get(body, key);

	*out = json_string_value(v);
	return v && !json_is_string(v) ? refuse(no, key, "must be text") : 0;
}

/* The optional boolean field @key of @body: false when absent. */
static int bool_field(json_t *body, const char *key, bool *out, struct refusal *no)
{
	json_t *v = json_object_get(body, key);

	*out = json_is_true(v);
	return v && !json_is_boolean(v) ? refuse(no, key, "must be true or false") : 0;
}

/* The longest menu timeout: an hour. */
#define MENU_TIMEOUT_MAX_MS 3600000

static int menu_from(json_t *body, struct boot_profile *p, struct refusal *no)
{
	json_t *items = json_object_get(body, "items"), *t = json_object_get(body, "timeout_ms"), *v;
	size_t i;

	if (items && !json_is_array(items))
		return refuse(no, "items", "a menu's items are a list");
	if (json_array_size(items) > BOOT_MAX_ITEMS)
		return refuse(no, "items", "a menu has 1 to 16 items");
	json_array_foreach(items, i, v) {
		struct boot_menu_item *it = &p->menu.items[p->menu.n_items++];

		if (!json_is_object(v) || text_field(v, "profile", &it->profile, no) ||
		    text_field(v, "label", &it->label, no) || text_field(v, "key", &it->key, no))
			return refuse(no, "items", "an item is {\"profile\": name, \"label\": text, "
				      "\"key\": one letter or digit}");
	}
	if (text_field(body, "default", &p->menu.default_item, no))
		return -EINVAL;
	if (t && (!json_is_integer(t) || json_integer_value(t) < 0 ||
		  json_integer_value(t) > MENU_TIMEOUT_MAX_MS))
		return refuse(no, "timeout_ms", "timeout_ms is a whole number of milliseconds, "
			      "0 (wait for a choice) to 3600000");
	p->menu.timeout_ms = (unsigned int)json_integer_value(t);
	return 0;
}

/*
 * A render-ready profile from its stored JSON, each field of its kind
 * checked for its type (the renderer checks the values). Strings point
 * into @body, which must outlive @p. Menu items are not resolved to other
 * profiles (pxelinux rendering needs that; iPXE menus chain by name).
 */
static int profile_from(const struct store_profile *sp, json_t *body, struct boot_profile *p,
			struct refusal *no)
{
	memset(p, 0, sizeof(*p));
	if (kind_of(sp->kind, &p->kind))
		return refuse(no, "kind", "kind is one of sanboot, linux, iso, winpe, menu, "
			      "local, chain");
	p->name = sp->name;
	if (text_field(body, "title", &p->title, no) || bool_field(body, "raw_ipxe", &p->raw_ipxe, no))
		return -EINVAL;
	switch (p->kind) {
	case BOOT_KIND_LINUX:
		return asset(json_object_get(body, "kernel"), &p->lnx.kernel, "kernel", no) ?:
		       text_field(body, "args", &p->lnx.args, no) ?:
		       assets(json_object_get(body, "initrds"), p->lnx.initrds, BOOT_MAX_INITRDS,
			      &p->lnx.n_initrds, "initrds", no);
	case BOOT_KIND_ISO:
		return asset(json_object_get(body, "image"), &p->iso.image, "image", no) ?:
		       bool_field(body, "memdisk", &p->iso.memdisk, no);
	case BOOT_KIND_WINPE:
		return asset(json_object_get(body, "wimboot"), &p->winpe.wimboot, "wimboot", no) ?:
		       assets(json_object_get(body, "files"), p->winpe.files, BOOT_MAX_FILES,
			      &p->winpe.n_files, "files", no);
	case BOOT_KIND_MENU:
		return menu_from(body, p, no);
	case BOOT_KIND_CHAIN:
		return text_field(body, "url", &p->chain_url, no);
	case BOOT_KIND_SANBOOT: {
		bool keep_san;

		return bool_field(body, "keep_san", &keep_san, no);
	}
	default:
		return 0;
	}
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
	struct refusal no;
	int err = store_profile_get(d->store, name, &l->sp);

	l->body = NULL;
	if (err)
		return err;
	l->body = json_loads(l->sp.body, 0, NULL);
	if (!l->body || profile_from(&l->sp, l->body, &l->p, &no)) {
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
		/* It lost a race to another writer of its identity: ask again. */
		if (err == -EAGAIN && !boot_render_busy(&b, &req, ENROLL_RACE_RETRY_SECONDS)) {
			reply_script(r, &b);
			free(mem);
			return;
		}
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
	json_object_foreach(sel, k, v) {
		const char *why = boot_label_refusal(k, json_string_value(v));

		if (why) {
			http_reply_error(r, 400, "selector", "selector %.64s: %s", k, why);
			return -1;
		}
	}
	return 0;
}

/* A stand-in client for rendering a sanboot profile at its creation. */
static void example_client(struct bsd *d, json_t *body, struct boot_client *c, char *prefix,
			   size_t size)
{
	const char *chap = json_string_value(json_object_get(body, "chap"));

	setting(d, "iqn_prefix", ENROLL_DEFAULT_IQN_PREFIX, prefix, size);
	memset(c, 0, sizeof(*c));
	c->name = "example";
	c->iqn_prefix = prefix;
	c->san_server = "192.0.2.1";
	c->keep_san = json_is_true(json_object_get(body, "keep_san"));
	if (chap && strcmp(chap, "none")) {
		c->chap_user = "example";
		c->chap_secret = "0123456789abcdef01234567";
	}
	if (chap && !strcmp(chap, "mutual")) {
		c->mutual_user = "bootsan";
		c->mutual_secret = "76543210fedcba9876543210";
	}
}

/*
 * Renders a new profile once for iPXE and once for pxelinux (a menu with
 * its items resolved), as a machine would get it: 0, or replies 400 with
 * the renderer's reason and -1. What a format cannot express (-ENOTSUP:
 * a chain profile for pxelinux) is no error: such a profile is served to
 * the clients that can use it.
 */
static int profile_renders(struct http_req *r, struct bsd *d, json_t *body,
			   struct boot_profile *p)
{
	static const struct boot_request req = {
		.base_url = "http://192.0.2.1", .dialect = BOOT_DIALECT_IPXE,
	};
	struct loaded *items = calloc(BOOT_MAX_ITEMS, sizeof(*items));
	char *mem = malloc(SCRIPT_MAX), prefix[STORE_IQN_SIZE];
	const char *format = "iPXE";
	struct boot_client c;
	struct boot_buf b = {};
	unsigned int n = 0;
	int err = -ENOMEM;

	if (!items || !mem)
		goto out;
	example_client(d, body, &c, prefix, sizeof(prefix));
	boot_buf_init(&b, mem, SCRIPT_MAX);
	err = boot_render_ipxe(&b, &req, p, &c);
	if (err == -EINVAL || err == -ENOSPC)
		goto out;
	format = "pxelinux";
	for (; p->kind == BOOT_KIND_MENU && n < p->menu.n_items; n++) {
		if (load_profile(d, p->menu.items[n].profile, &items[n])) {
			b.field = "items";
			b.why = "an item's profile is gone or broken";
			err = -EINVAL;
			goto out;
		}
		p->menu.items[n].target = &items[n].p;
	}
	err = boot_render_pxelinux(&b, &req, p, &c);
out:
	for (unsigned int i = 0; i < n; i++)
		unload(&items[i]);
	free(items);
	free(mem);
	if (err == -EINVAL)
		http_reply_error(r, 400, b.field, "the profile cannot be rendered for %s: %s",
				 format, b.why ? b.why : "the renderer refused it");
	else if (err == -ENOSPC)
		http_reply_error(r, 400, NULL, "the profile's %s script would be too large", format);
	else if (err == -ENOMEM)
		http_reply_error(r, 503, NULL, "out of memory");
	else if (err && err != -ENOTSUP)
		http_reply_errno(r, err, NULL, "rendering the profile");
	return err && err != -ENOTSUP ? -1 : 0;
}

static void post_profile(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	json_t *j = http_json(r), *body;
	struct store_profile sp = {};
	struct boot_profile p;
	struct refusal no;
	const char *name, *kind;
	char *text, field[64], path[128];
	int err;

	if (http_unpack(r, j, "{s:s, s:s}", "name", &name, "kind", &kind))
		return;
	if (!boot_name_valid(name)) {
		http_reply_error(r, 400, "name", "a profile name is " BOOT_NAME_RULE);
		return;
	}
	snprintf(sp.name, sizeof(sp.name), "%s", name);
	if (str_copy(sp.kind, sizeof(sp.kind), kind))
		snprintf(sp.kind, sizeof(sp.kind), "?");
	body = json_deep_copy(j);
	json_object_del(body, "name");
	json_object_del(body, "kind");
	if (profile_from(&sp, body, &p, &no)) {
		json_decref(body);
		http_reply_error(r, 400, no.field, "%s", no.why);
		return;
	}
	if (profile_unknown_field(sp.kind, body, field, sizeof(field), path, sizeof(path))) {
		json_decref(body);
		http_reply_error(r, 400, field, "unknown field '%s' for a %s profile", path, sp.kind);
		return;
	}
	boot_refs_lock();
	if (profile_check(r, d, &sp, body, &p) || profile_renders(r, d, body, &p)) {
		boot_refs_unlock();
		json_decref(body);
		return;
	}
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!text || strlen(text) >= sizeof(sp.body)) {
		boot_refs_unlock();
		free(text);
		http_reply_error(r, 413, NULL, "the profile is too large");
		return;
	}
	snprintf(sp.body, sizeof(sp.body), "%s", text);
	free(text);
	err = store_profile_create(d->store, &sp);
	boot_refs_unlock();
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

/* ---- what uses a profile or an image ---- */

/*
 * Held from a reference check to the write it allows (a client naming a
 * profile, a profile deleted), so that two API calls cannot each pass
 * their check and together leave a dangling reference.
 */
static pthread_mutex_t refs_lock = PTHREAD_MUTEX_INITIALIZER;

void boot_refs_lock(void)
{
	pthread_mutex_lock(&refs_lock);
}

void boot_refs_unlock(void)
{
	pthread_mutex_unlock(&refs_lock);
}

/* A list "client a, menu b, setting c" being written into a buffer. */
struct users {
	char *out;
	size_t size;	/* at least 16 */
	size_t len;
	int n;
	bool full;
};

static void user_add(struct users *u, const char *what, const char *name)
{
	size_t room = u->size - u->len;
	int w;

	if (u->full)
		return;
	w = snprintf(u->out + u->len, room, "%s%s %s", u->n++ ? ", " : "", what, name);
	/* keep room for ", ..." */
	if (w < 0 || (size_t)w + 6 > room) {
		snprintf(u->out + u->len, room, ", ...");
		u->full = true;
		return;
	}
	u->len += (size_t)w;
}

/* Clients whose @field ("profile" or "image") is @name. */
static int client_users(struct bsd *d, const char *field, const char *name, struct users *u)
{
	struct store_client *cs;
	size_t n, i;
	int err = store_client_list(d->store, &cs, &n);

	if (err)
		return err;
	for (i = 0; i < n; i++)
		if (!strcmp(!strcmp(field, "image") ? cs[i].image : cs[i].profile, name))
			user_add(u, "client", cs[i].name);
	free(cs);
	return 0;
}

static void setting_user(struct bsd *d, const char *key, const char *name, struct users *u)
{
	char v[STORE_NAME_SIZE];

	setting(d, key, "", v, sizeof(v));
	if (!strcmp(v, name))
		user_add(u, "setting", key);
}

int boot_profile_users(struct bsd *d, const char *name, char *out, size_t size)
{
	struct users u = { .out = out, .size = size };
	struct store_profile *ps;
	size_t n, i;
	int err;

	out[0] = '\0';
	err = client_users(d, "profile", name, &u) ?: store_profile_list(d->store, &ps, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		json_t *body = strcmp(ps[i].kind, "menu") ? NULL : json_loads(ps[i].body, 0, NULL);
		json_t *v;
		size_t k;

		json_array_foreach(json_object_get(body, "items"), k, v)
			if (!strcmp(json_string_value(json_object_get(v, "profile")) ?: "", name))
				user_add(&u, "menu", ps[i].name);
		json_decref(body);
	}
	free(ps);
	setting_user(d, "default_profile", name, &u);
	return u.n;
}

int boot_image_users(struct bsd *d, const char *name, char *out, size_t size)
{
	struct users u = { .out = out, .size = size };
	int err;

	out[0] = '\0';
	err = client_users(d, "image", name, &u);
	if (err)
		return err;
	setting_user(d, "golden_image", name, &u);
	return u.n;
}

static void delete_profile(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	const char *name = http_param(r, "name");
	struct store_profile sp;
	char users[400];
	int err, n = 0;

	boot_refs_lock();
	err = store_profile_get(d->store, name, &sp);
	if (!err) {
		n = boot_profile_users(d, name, users, sizeof(users));
		err = n < 0 ? n : n ? 0 : store_profile_delete(d->store, name);
	}
	boot_refs_unlock();
	if (!err && n > 0)
		http_reply_error(r, 409, NULL, "profile %s is in use by %s", name, users);
	else if (err)
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

		if (!store_boot_list(d->store, c->name, STORE_BOOT_KEEP, &bs, &n)) {
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

/*
 * The labels of a client: an object whose keys follow the name rule and
 * whose values are text, small enough to store whole. 0, or replies 400.
 */
static int parse_labels(struct http_req *r, json_t *labels, char *out, size_t size)
{
	const char *k, *why;
	json_t *v;
	char *text;

	if (labels && !json_is_object(labels)) {
		http_reply_error(r, 400, "labels", "labels is an object of text values");
		return -1;
	}
	json_object_foreach(labels, k, v) {
		why = boot_label_refusal(k, json_string_value(v));
		if (why) {
			http_reply_error(r, 400, "labels", "label %.64s: %s", k, why);
			return -1;
		}
	}
	text = labels ? json_dumps(labels, JSON_COMPACT) : NULL;
	if (labels && (!text || strlen(text) >= size)) {
		free(text);
		http_reply_error(r, 400, "labels", "labels take at most %zu bytes as JSON", size - 1);
		return -1;
	}
	snprintf(out, size, "%s", text ? text : "{}");
	free(text);
	return 0;
}

/*
 * A new client's MACs and UUID (either byte order) belong to no other
 * client: 0, or replies 409 naming the other one. (A machine would get
 * the other client's script.)
 */
static int identity_free(struct http_req *r, struct bsd *d, const struct store_client *c)
{
	char uuids[2][BOOT_UUID_STRLEN] = { "", "" };
	struct store_client other;
	json_t *macs = json_loads(c->macs, 0, NULL), *v;
	size_t i;

	json_array_foreach(macs, i, v) {
		if (!store_client_find(d->store, json_string_value(v), "", "", "", &other)) {
			http_reply_error(r, 409, "mac", "MAC %s is client %s's already",
					 json_string_value(v), other.name);
			json_decref(macs);
			return -1;
		}
	}
	json_decref(macs);
	if (c->uuid[0] && boot_uuid_variants(c->uuid, uuids) >= 1 &&
	    !store_client_find(d->store, "", uuids[0], uuids[1], "", &other)) {
		http_reply_error(r, 409, "uuid", "UUID %s is client %s's already%s", c->uuid,
				 other.name, strcmp(other.uuid, c->uuid) ? " (in the other byte order)" : "");
		return -1;
	}
	return 0;
}

static void post_client(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	const char *name, *uuid = "", *serial = "", *profile = "", *image = "";
	json_t *macs = NULL, *labels = NULL;
	struct store_client c = {};
	struct store_profile sp;
	struct store_image im;
	int err;

	if (http_unpack(r, http_json(r), "{s:s, s?s, s?o, s?s, s?s, s?s, s?o !}", "name", &name,
			"uuid", &uuid, "mac", &macs, "serial", &serial, "profile", &profile,
			"image", &image, "labels", &labels))
		return;
	if (!boot_name_valid(name)) {
		http_reply_error(r, 400, "name", "a client name is " BOOT_NAME_RULE);
		return;
	}
	snprintf(c.name, sizeof(c.name), "%s", name);
	if (uuid[0] && boot_uuid_normalize(uuid, c.uuid)) {
		http_reply_error(r, 400, "uuid", "not a UUID: %.64s", uuid);
		return;
	}
	if (c.uuid[0] && boot_uuid_is_placeholder(c.uuid)) {
		http_reply_error(r, 400, "uuid", "%s is what boards without a UUID report: "
				 "it names no machine", c.uuid);
		return;
	}
	if (parse_macs(r, macs, c.macs, sizeof(c.macs)))
		return;
	if (!boot_value_valid(serial, sizeof(c.serial) - 1)) {
		http_reply_error(r, 400, "serial", "a serial number is at most %zu bytes of text, "
				 "without control characters", sizeof(c.serial) - 1);
		return;
	}
	if (parse_labels(r, labels, c.labels, sizeof(c.labels)))
		return;
	snprintf(c.serial, sizeof(c.serial), "%s", serial);
	snprintf(c.state, sizeof(c.state), "active");
	boot_refs_lock();
	if (profile[0] && (!boot_name_valid(profile) || store_profile_get(d->store, profile, &sp))) {
		http_reply_error(r, 400, "profile", "no such profile: %.64s", profile);
		err = 1;
	} else if (image[0] && (!boot_name_valid(image) || store_image_get(d->store, image, &im))) {
		http_reply_error(r, 400, "image", "no such image: %.64s", image);
		err = 1;
	} else if (identity_free(r, d, &c)) {
		err = 1;
	} else {
		snprintf(c.profile, sizeof(c.profile), "%s", profile);
		snprintf(c.image, sizeof(c.image), "%s", image);
		err = store_client_create(d->store, &c);
	}
	boot_refs_unlock();
	if (err == 1)
		return;
	if (err) {
		http_reply_errno(r, err, "name", "creating the client");
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
	const char *after;
	json_t *a, *next = NULL;
	size_t n, i;
	int err, limit;

	if (api_page_args(r, &limit, &after))
		return;
	/* One more than asked: whether a next page exists. */
	err = store_client_page(d->store, after, limit + 1, &cs, &n);
	if (err) {
		http_reply_errno(r, err, NULL, "listing clients");
		return;
	}
	if (n > (size_t)limit) {
		n = (size_t)limit;
		next = json_string(cs[n - 1].name);
	}
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, client_json(d, &cs[i], false));
	free(cs);
	api_reply_page(r, "clients", a, next);
}

/* GET /api/v1/clients/{name}/history: after= is the id of the last row seen. */
static void get_client_history(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_client c;
	struct store_boot *bs;
	const char *after;
	json_t *a, *next = NULL;
	long long before = 0;
	char *end;
	size_t n, i;
	int err, limit;

	if (api_page_args(r, &limit, &after))
		return;
	if (after[0]) {
		errno = 0;
		before = strtoll(after, &end, 10);
		if (*end || errno || before < 1) {
			http_reply_error(r, 400, "after", "after is the id of a history entry");
			return;
		}
	}
	err = store_client_get(d->store, http_param(r, "name"), &c);
	if (!err)
		err = store_boot_page(d->store, c.name, before, limit + 1, &bs, &n);
	if (err) {
		http_reply_errno(r, err, "name", err == -ENOENT ? "no such client" : "history");
		return;
	}
	if (n > (size_t)limit) {
		n = (size_t)limit;
		next = json_integer(bs[n - 1].id);
	}
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:I, s:o, s:s, s:s, s:s}", "id",
						   (json_int_t)bs[i].id, "time", api_time(bs[i].time),
						   "ip", bs[i].ip, "firmware", bs[i].firmware,
						   "served", bs[i].what));
	free(bs);
	api_reply_page(r, "history", a, next);
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

/*
 * DELETE /api/v1/clients/{name}[?delete_image=true]: the client goes with
 * what enrollment made for it (its target, LUN, ACL and CHAP secrets), its
 * image only when asked, and then only if nothing else uses it.
 */
static void delete_client(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	const char *flag = http_query(r, "delete_image");
	struct store_client c;
	struct store_image im;
	struct store_lun *ls;
	size_t n;
	bool with_image = flag && !strcmp(flag, "true");
	int err;

	if (flag && !with_image && strcmp(flag, "false")) {
		http_reply_error(r, 400, "delete_image", "delete_image is true or false");
		return;
	}
	err = store_client_get(d->store, http_param(r, "name"), &c);
	if (err) {
		http_reply_errno(r, err, "name", "deleting the client");
		return;
	}
	with_image = with_image && c.image[0] && !store_image_get(d->store, c.image, &im);
	if (with_image && !store_lun_list(d->store, NULL, &ls, &n)) {
		/* Its own target's LUN goes with the client; any other is a user. */
		const char *user = NULL;

		for (size_t i = 0; i < n && !user; i++) {
			struct store_target t;

			if (!strcmp(ls[i].image, c.image) &&
			    (store_target_get(d->store, ls[i].target, &t) ||
			     !enroll_target_of(&t, c.name)))
				user = ls[i].target;
		}
		if (user) {
			http_reply_error(r, 409, "delete_image", "image %s is used by target %s too: "
					 "nothing deleted", c.image, user);
			free(ls);
			return;
		}
		free(ls);
	}
	err = enroll_forget_client(d, c.name);
	if (err) {
		http_reply_errno(r, err, "name", "deleting the client");
		return;
	}
	log_info("client %s deleted", c.name);
	if (with_image) {
		err = image_delete(d, c.image);
		if (err && err != -ENOENT) {
			http_reply_error(r, 409, "delete_image", "client %s deleted, but not its image "
					 "%s: %s", c.name, c.image, err == -EBUSY ?
					 "it is in use or being cloned" : strerror(-err));
			return;
		}
	}
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
		{ "GET", "/api/v1/clients/{name}/history", get_client_history, 0 },
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
	"  \"description\": \"The profile is rendered once for iPXE and once for pxelinux"
	" before it is stored; what the renderer refuses is a 400 naming the field and the reason"
	" (what a format cannot express, such as a chain profile for pxelinux, is fine). Kernel"
	" args may not hold the iPXE tokens || && ; # ${ unless raw_ipxe is true. A field"
	" the profile's kind does not take (README: Clients and profiles) is a 400 naming it.\","
	"  \"requestBody\": {\"required\": true, \"content\": {\"application/json\": {\"schema\":"
	" {\"type\": \"object\", \"required\": [\"name\", \"kind\"], \"properties\": {"
	" \"name\": {\"type\": \"string\", \"pattern\": \"^[a-z0-9][a-z0-9.-]{0,63}$\"},"
	" \"kind\": {\"type\": \"string\", \"enum\": [\"sanboot\", \"linux\", \"iso\","
	" \"winpe\", \"menu\", \"local\", \"chain\"]},"
	" \"title\": {\"type\": \"string\"},"
	" \"args\": {\"type\": \"string\", \"description\": \"linux: kernel arguments, one line\"},"
	" \"raw_ipxe\": {\"type\": \"boolean\", \"default\": false, \"description\":"
	" \"linux: args may use iPXE settings and tokens (${net0/mac}, ||, &&, ;, #)\"},"
	" \"timeout_ms\": {\"type\": \"integer\", \"minimum\": 0, \"maximum\": 3600000},"
	" \"selector\": {\"type\": \"object\", \"additionalProperties\": {\"type\": \"string\","
	" \"maxLength\": 255}}}}}}},"
	"  \"responses\": {\"201\": {\"description\": \"created\"}, \"400\": {\"description\":"
	" \"invalid, or refused by the renderer (field and reason given)\"}}}},"
	"\"/api/v1/profiles/{name}\": {"
	" \"parameters\": [{\"name\": \"name\", \"in\": \"path\", \"required\": true,"
	" \"schema\": {\"type\": \"string\"}}],"
	" \"get\": {\"summary\": \"One profile\", \"responses\": {\"200\": {\"description\": \"the profile\"}}},"
	" \"delete\": {\"summary\": \"Delete a profile\", \"responses\": {\"204\": {\"description\": \"deleted\"},"
	" \"409\": {\"description\": \"in use: the error names the clients, menus and the"
	" default_profile setting that use it\"}}}},"
	"\"/api/v1/clients\": {"
	" \"get\": {\"summary\": \"Clients, by name, a page at a time\","
	" \"parameters\": " API_OPENAPI_PAGE_PARAMS ","
	" \"responses\": {\"200\": " API_OPENAPI_PAGE("clients") ","
	" \"400\": {\"description\": \"a bad limit\"}}},"
	" \"post\": {\"summary\": \"Enrol a client (name, uuid, mac, serial, profile, image, labels)\","
	"  \"requestBody\": {\"required\": true, \"content\": {\"application/json\": {\"schema\":"
	" {\"type\": \"object\", \"required\": [\"name\"], \"properties\": {"
	" \"name\": {\"type\": \"string\", \"pattern\": \"^[a-z0-9][a-z0-9.-]{0,63}$\"},"
	" \"serial\": {\"type\": \"string\", \"maxLength\": 127},"
	" \"profile\": {\"type\": \"string\", \"description\": \"an existing profile\"},"
	" \"image\": {\"type\": \"string\", \"description\": \"an existing image\"},"
	" \"labels\": {\"type\": \"object\", \"description\": \"keys by the name rule, text"
	" values of at most 255 bytes, at most 4095 bytes as JSON\","
	" \"additionalProperties\": {\"type\": \"string\", \"maxLength\": 255}}}}}}},"
	"  \"responses\": {\"201\": {\"description\": \"created\"}, \"400\": {\"description\":"
	" \"invalid, or a profile or image that does not exist (field named)\"},"
	" \"409\": {\"description\": \"the name, a MAC or the UUID (either byte order) is another"
	" client's: the error names it\"}}}},"
	"\"/api/v1/clients/{name}\": {"
	" \"parameters\": [{\"name\": \"name\", \"in\": \"path\", \"required\": true,"
	" \"schema\": {\"type\": \"string\"}}],"
	" \"get\": {\"summary\": \"One client with its last 50 boots\", \"responses\":"
	" {\"200\": {\"description\": \"the client\"}}},"
	" \"delete\": {\"summary\": \"Delete a client with its target, LUN, ACL and CHAP secrets"
	" (its image too with delete_image=true)\","
	" \"parameters\": [{\"name\": \"delete_image\", \"in\": \"query\", \"schema\":"
	" {\"type\": \"boolean\", \"default\": false}}],"
	" \"responses\": {\"204\": {\"description\": \"deleted\"},"
	" \"400\": {\"description\": \"delete_image is not true or false\"},"
	" \"404\": {\"description\": \"no such client\"},"
	" \"409\": {\"description\": \"its image is used by another target\"}}}},"
	"\"/api/v1/clients/{name}/history\": {"
	" \"parameters\": [{\"name\": \"name\", \"in\": \"path\", \"required\": true,"
	" \"schema\": {\"type\": \"string\"}}],"
	" \"get\": {\"summary\": \"A client's boot history, newest first (the last 50 per client"
	" and 100,000 in all are kept); after is the id of the last entry seen\","
	" \"parameters\": " API_OPENAPI_PAGE_PARAMS ","
	" \"responses\": {\"200\": " API_OPENAPI_PAGE("history") ","
	" \"400\": {\"description\": \"a bad limit or after\"},"
	" \"404\": {\"description\": \"no such client\"}}}}"
	"}";
}
