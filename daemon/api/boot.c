// SPDX-License-Identifier: GPL-2.0
/* The boot service's endpoints and the profiles API; see boot.h. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "boot.h"
#include "boot/assets.h"
#include "boot/boot_profile.h"
#include "boot/boot_metrics.h"
#include "boot/boot_render.h"
#include "boot/boot_resolve.h"
#include "boot/boot_view.h"
#include "boot/enroll.h"
#include "boot/preseed.h"
#include "boot/profile_fields.h"
#include "boot/refs.h"
#include "lib/bootsand.h"
#include "lib/http.h"
#include "lib/http_json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "store/store.h"

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

/* ---- the boot endpoints: parse the request, resolve, render ---- */

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

/*
 * The SAN fields of @res for a renderer, with the SAN server as this
 * machine reached us; NULL for a machine without a client record.
 */
static const struct boot_client *san_of(struct bsd *d, struct http_req *r,
					struct boot_resolution *res, char *server, size_t size)
{
	if (!res->has_client)
		return NULL;
	san_server(d, r, server, size);
	res->san.san_server = server;
	return &res->san;
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

/* /metrics: a boot answered, and an unknown machine refused. */
static void count_boot(const char *via, const struct boot_resolution *res, int err)
{
	bool served = res->decision == BOOT_DECIDE_PROFILE || res->decision == BOOT_DECIDE_MENU;

	boot_metrics_boot(via, served ? res->profile[0].sp.name : "",
			  err ? "refused" : boot_decision_name(res->decision));
	if (!res->has_client && (err || res->decision == BOOT_DECIDE_REFUSE))
		boot_metrics_enroll(BOOT_ENROLL_REFUSED);
}

/*
 * The iPXE script for decision @res: 0 with *served set (for the history),
 * or -errno with the reason in *why.
 */
static int render_script(struct bsd *d, struct http_req *r, const struct boot_request *req,
			 struct boot_resolution *res, struct boot_buf *b, char *served,
			 size_t served_size, const char **why)
{
	const struct boot_loaded_profile *l = res->profile;
	char server[128];
	int err;

	switch (res->decision) {
	case BOOT_DECIDE_PROFILE:
	case BOOT_DECIDE_MENU:
		if (res->secrets)
			http_add_header(r, "Cache-Control", "no-store");
		err = boot_render_ipxe(b, req, &l->p, san_of(d, r, res, server, sizeof(server)));
		snprintf(served, served_size, "profile %s (%s)", l->sp.name, l->sp.kind);
		if (err)
			*why = "its script cannot be rendered";
		return err;
	case BOOT_DECIDE_WAIT:
		snprintf(served, served_size, "wait: disk %s is being cloned", res->client.image);
		err = boot_render_wait(b, req, res->client.name, WAIT_SECONDS);
		if (err)
			*why = "its disk is being prepared, and this firmware cannot wait";
		return err;
	case BOOT_DECIDE_BUSY:
		*why = res->reason;
		return boot_render_busy(b, req, res->retry_s);
	default:
		*why = res->reason;
		return -EPERM;
	}
}

static void get_boot_script(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct boot_store_view ctx = { .d = d, .peer = http_peer(r) };
	struct boot_view view;
	struct boot_resolution res;
	struct boot_query q;
	struct boot_request req;
	/* An acceptor may not wait for the store's writer (enrollment). */
	struct boot_ask ask = { .via = BOOT_VIA_IPXE, .reads_only = http_on_acceptor(r) };
	char base[256], *mem = malloc(SCRIPT_MAX), served[256] = "";
	const char *why = NULL;
	struct boot_buf b;
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

	boot_identity_from(&ask.id, boot_query_get(&q, BOOT_Q_MAC), boot_query_get(&q, BOOT_Q_UUID),
			   boot_query_get(&q, BOOT_Q_SERIAL));
	ask.choice = boot_query_get(&q, BOOT_Q_PROFILE);
	boot_store_view(&view, &ctx);
	boot_resolve(&view, &ask, &res);
	if (res.decision == BOOT_DECIDE_ELSEWHERE) {
		boot_resolution_release(&res);
		free(mem);
		http_reply_elsewhere(r);
		return;	/* logged where it is answered */
	}
	log_info("boot script for %s: mac [%s] uuid [%s] serial [%s]", http_peer(r),
		 boot_query_get(&q, BOOT_Q_MAC), boot_query_get(&q, BOOT_Q_UUID),
		 boot_query_get(&q, BOOT_Q_SERIAL));
	if (res.decision == BOOT_DECIDE_BUSY)
		log_warn("enrollment of %s from %s refused: %s",
			 ask.id.mac[0] ? ask.id.mac : ask.id.uuid[0], http_peer(r), res.reason);
	err = render_script(d, r, &req, &res, &b, served, sizeof(served), &why);
	count_boot("ipxe", &res, err);
	if (res.has_client && err)
		record(d, r, res.client.name, &q, "ipxe: refused: %s", why);
	else if (res.has_client)
		record(d, r, res.client.name, &q, "ipxe: %s", served);
	boot_resolution_release(&res);
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

/* Renders decision @res (a profile or a menu) for pxelinux: NULL, or why not. */
static const char *render_pxelinux(struct bsd *d, struct http_req *r,
				   const struct boot_request *req, struct boot_resolution *res,
				   struct boot_buf *b)
{
	char server[128];
	int err = boot_render_pxelinux(b, req, &res->profile[0].p,
				       san_of(d, r, res, server, sizeof(server)));

	if (!err)
		return NULL;
	return err == -ENOTSUP ? "this profile cannot be a pxelinux menu (use iPXE)" :
				 "this profile cannot be rendered for pxelinux";
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
	struct boot_store_view ctx = { .d = d, .peer = http_peer(r) };
	char id[BOOT_PXE_NAME_MAX], base[256], mem[16384];
	enum boot_pxe_name kind = boot_pxelinux_parse_name(http_param(r, "name"), id);
	struct boot_view view;
	struct boot_resolution res;
	struct boot_query q;
	struct boot_request req;
	struct boot_ask ask = {
		.via = kind == BOOT_PXE_NAME_DEFAULT ? BOOT_VIA_PXELINUX_DEFAULT : BOOT_VIA_PXELINUX,
		.reads_only = http_on_acceptor(r),
	};
	const char *why;
	struct boot_buf b;

	if (kind == BOOT_PXE_NAME_INVALID) {
		http_reply_error(r, 404, "name", "no such pxelinux.cfg file");
		return;
	}
	boot_buf_init(&b, mem, sizeof(mem));
	base_url(r, base, sizeof(base));
	boot_query_init(&q);
	req.query = &q;
	req.base_url = base;
	req.dialect = BOOT_DIALECT_IPXE;
	boot_identity_from(&ask.id, kind == BOOT_PXE_NAME_MAC ? id : NULL,
			   kind == BOOT_PXE_NAME_UUID ? id : NULL, NULL);
	boot_store_view(&view, &ctx);
	boot_resolve(&view, &ask, &res);
	if (res.decision == BOOT_DECIDE_ELSEWHERE) {
		boot_resolution_release(&res);
		http_reply_elsewhere(r);
		return;
	}
	if (res.decision == BOOT_DECIDE_PASS) {
		count_boot("pxelinux", &res, 0);
		/* Over the enrollment limits it is only sent on, unrecorded. */
		if (res.enrolled)
			record(d, r, res.client.name, NULL, "pxelinux: registered, sent on to default");
		boot_resolution_release(&res);
		http_reply_error(r, 404, "name", "no such pxelinux.cfg file");
		return;
	}
	if (res.decision == BOOT_DECIDE_PROFILE || res.decision == BOOT_DECIDE_MENU)
		why = render_pxelinux(d, r, &req, &res, &b);
	else if (res.decision == BOOT_DECIDE_WAIT)
		/* pxelinux asks once and cannot wait. */
		why = "its disk is being cloned: boot again once it is ready";
	else
		why = res.reason;
	count_boot("pxelinux", &res, why ? -EPERM : 0);
	if (res.has_client && why)
		record(d, r, res.client.name, NULL, "pxelinux: refused: %s", why);
	else if (res.has_client)
		record(d, r, res.client.name, NULL, "pxelinux: profile %s", res.profile[0].sp.name);
	boot_resolution_release(&res);
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
 * sanboot (or san_root) profile's "chap" is none, chap or mutual; a "selector" is an
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
	if (chap && (!boot_profile_uses_disk(p) || !json_is_string(chap) ||
		     (strcmp(json_string_value(chap), "none") && strcmp(json_string_value(chap), "chap") &&
		      strcmp(json_string_value(chap), "mutual")))) {
		http_reply_error(r, 400, "chap", "chap is none, chap or mutual, on sanboot profiles "
				 "and linux profiles with san_root");
		return -1;
	}
	if (p->kind == BOOT_KIND_LINUX && p->lnx.preseed) {
		unsigned int line;
		const char *why = preseed_refusal(p->lnx.preseed, strlen(p->lnx.preseed), &line);

		if (why && line)
			http_reply_error(r, 400, "preseed", "preseed line %u: %s", line, why);
		else if (why)
			http_reply_error(r, 400, "preseed", "%s", why);
		if (why)
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

/* Stored profile @name, parsed: 0, -ENOENT, -EINVAL (broken) or -ENOMEM. */
static int load_profile(struct bsd *d, const char *name, struct boot_loaded_profile *l)
{
	struct store_profile *sp = malloc(sizeof(*sp));
	int err = sp ? store_profile_get(d->store, name, sp) : -ENOMEM;

	l->body = NULL;
	if (!err)
		err = boot_profile_load(sp, l);
	free(sp);
	return err;
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
	struct boot_loaded_profile *items = calloc(BOOT_MAX_ITEMS, sizeof(*items));
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
		boot_profile_unload(&items[i]);
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
	struct boot_refusal no;
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
	if (boot_profile_parse(&sp, body, &p, &no)) {
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
		http_reply_created(r, 201, profile_json(&sp), "/api/v1/profiles/%s", sp.name);
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
	http_reply_list(r, "profiles", a);
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

/* ---- the installer's preseed ---- */

/*
 * GET /boot/preseed/<profile>[/<client>]: the preseed of a linux profile,
 * which Debian's installer fetches from the url= its script gives it. The
 * client's name, when it is one, only puts the fetch in its boot history.
 */
static void get_preseed(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	char path[2 * BOOT_NAME_MAX + 2], *client;
	/* A profile holds 16 KiB: not on an acceptor thread's stack. */
	struct boot_loaded_profile *l = malloc(sizeof(*l));
	struct store_client c;
	char *text = NULL;
	size_t len = 0;

	/* Too long is refused, not cut: a cut name may be another client's. */
	if ((size_t)snprintf(path, sizeof(path), "%s", http_param(r, "path")) >= sizeof(path))
		path[0] = '\0';
	client = strchr(path, '/');
	if (client)
		*client++ = '\0';
	if (!boot_name_valid(path) || (client && !boot_name_valid(client))) {
		free(l);
		http_reply_error(r, 404, "path",
				 "no such preseed: /boot/preseed/<profile>[/<client>]");
		return;
	}
	if (!l) {
		http_reply_error(r, 503, NULL, "out of memory");
		return;
	}
	if (load_profile(d, path, l)) {
		free(l);
		http_reply_error(r, 404, "path", "no such profile");
		return;
	}
	if (l->p.kind == BOOT_KIND_LINUX && l->p.lnx.preseed) {
		len = strlen(l->p.lnx.preseed);
		text = malloc(len + 1);
		if (text)
			memcpy(text, l->p.lnx.preseed, len + 1);
	}
	boot_profile_unload(l);
	free(l);
	if (!text) {
		http_reply_error(r, len ? 503 : 404, "path", len ? "out of memory" :
				 "that profile has no preseed");
		return;
	}
	log_info("preseed of profile %s for %s (client %s)", path, http_peer(r),
		 client ? client : "not named");
	if (client && !store_client_get(d->store, client, &c))
		record(d, r, client, NULL, "preseed: profile %s", path);
	http_reply_buf(r, 200, "text/plain; charset=utf-8", text, len);
}

int boot_add_routes(struct bsd *d, struct http *h)
{
	static const struct http_route routes[] = {
		/* What a lab powering on asks for at once: answered by the acceptors. */
		{ "GET", "/boot.ipxe", get_boot_ipxe, HTTP_ROUTE_PUBLIC | HTTP_ROUTE_FAST },
		{ "GET", "/boot.gpxe", get_boot_gpxe, HTTP_ROUTE_PUBLIC | HTTP_ROUTE_FAST },
		{ "GET", "/boot/ipxe", get_boot_script, HTTP_ROUTE_PUBLIC | HTTP_ROUTE_FAST },
		{ "GET", "/boot/pxelinux.cfg/{name}", get_pxelinux,
		  HTTP_ROUTE_PUBLIC | HTTP_ROUTE_FAST },
		{ "GET", "/boot/preseed/{path}", get_preseed,
		  HTTP_ROUTE_PUBLIC | HTTP_ROUTE_REST | HTTP_ROUTE_FAST },
		{ "POST", "/api/v1/profiles", post_profile, HTTP_ROUTE_JSON },
		{ "GET", "/api/v1/profiles", get_profiles, 0 },
		{ "GET", "/api/v1/profiles/{name}", get_profile, 0 },
		{ "DELETE", "/api/v1/profiles/{name}", delete_profile, 0 },
	};

	return http_add_routes(h, routes, sizeof(routes) / sizeof(routes[0])) ?:
	       assets_add_routes(d, h) ?: enroll_add_routes(h);
}
