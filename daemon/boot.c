// SPDX-License-Identifier: GPL-2.0
/* The boot service; see boot.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../kmod/iscsi_name.h"
#include "api.h"
#include "boot.h"
#include "boot_render.h"
#include "bootsand.h"
#include "http.h"
#include "kernel.h"
#include "log.h"
#include "store.h"

#define SCRIPT_MAX		(64 * 1024)
#define DEFAULT_IQN_PREFIX	"iqn.2026-01.org.bootsan"
/* How long a waiting client sleeps before it asks again. */
#define WAIT_SECONDS		10

static void setting(struct bsd *d, const char *key, const char *dflt, char *out, size_t size)
{
	if (store_setting_get(d->store, key, out, size) || !out[0])
		snprintf(out, size, "%s", dflt);
}

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

static bool client_matches(const struct store_client *c, const char *mac,
			   char uuids[2][37], int nuuids, const char *serial)
{
	char quoted[24];
	int i;

	if (mac[0]) {
		snprintf(quoted, sizeof(quoted), "\"%s\"", mac);
		if (strstr(c->macs, quoted))
			return true;
	}
	for (i = 0; i < nuuids; i++)
		if (c->uuid[0] && !strcmp(c->uuid, uuids[i]))
			return true;
	return serial[0] && c->serial[0] && !strcmp(c->serial, serial);
}

static int find_client(struct bsd *d, const struct boot_query *q, struct store_client *out)
{
	struct store_client *cs;
	char mac[18] = "", uuids[2][37];
	int nuuids = 0, err;
	size_t i, n;

	if (boot_mac_normalize(boot_query_get(q, BOOT_Q_MAC), mac))
		mac[0] = '\0';
	nuuids = boot_uuid_variants(boot_query_get(q, BOOT_Q_UUID), uuids);
	if (nuuids < 0 || (nuuids && boot_uuid_is_placeholder(uuids[0])))
		nuuids = 0;
	err = store_client_list(d->store, &cs, &n);
	if (err)
		return err;
	err = -ENOENT;
	for (i = 0; i < n; i++) {
		if (client_matches(&cs[i], mac, uuids, nuuids, boot_query_get(q, BOOT_Q_SERIAL))) {
			*out = cs[i];
			err = 0;
			break;
		}
	}
	free(cs);
	return err;
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

/* ---- the boot script ---- */

static void record(struct bsd *d, struct http_req *r, const char *client,
		   const struct boot_query *q, const char *what)
{
	struct store_boot b = {};

	snprintf(b.client, sizeof(b.client), "%s", client);
	b.time = time(NULL);
	snprintf(b.ip, sizeof(b.ip), "%s", http_peer(r));
	snprintf(b.firmware, sizeof(b.firmware), "%s%s%s", boot_query_get(q, BOOT_Q_BUILDARCH),
		 boot_query_get(q, BOOT_Q_PLATFORM)[0] ? "/" : "",
		 boot_query_get(q, BOOT_Q_PLATFORM));
	snprintf(b.what, sizeof(b.what), "%s", what);
	if (store_boot_add(d->store, &b))
		log_warn("boot history of %s not recorded", client);
}

/* Render for a known client; 0 or -errno with a reason in @why. */
static int render_client(struct bsd *d, struct http_req *r, const struct boot_request *req,
			 const struct store_client *c, struct boot_buf *b, const char **why)
{
	struct store_profile sp;
	struct boot_profile p;
	struct boot_client bc = {};
	char prefix[STORE_IQN_SIZE], server[128], name[STORE_NAME_SIZE];
	json_t *body;
	int err;

	snprintf(name, sizeof(name), "%s", c->profile);
	if (!name[0])
		setting(d, "default_profile", "", name, sizeof(name));
	if (!name[0]) {
		*why = "no profile for this machine";
		return -ENOENT;
	}
	err = store_profile_get(d->store, name, &sp);
	if (err) {
		*why = "its profile does not exist";
		return err;
	}
	body = json_loads(sp.body, 0, NULL);
	if (!body || profile_from(&sp, body, &p)) {
		json_decref(body);
		*why = "its profile is broken";
		return -EINVAL;
	}
	setting(d, "iqn_prefix", DEFAULT_IQN_PREFIX, prefix, sizeof(prefix));
	san_server(d, r, server, sizeof(server));
	bc.name = c->name;
	bc.iqn_prefix = prefix;
	bc.san_server = server;
	bc.keep_san = json_is_true(json_object_get(body, "keep_san"));
	if (p.kind == BOOT_KIND_SANBOOT && !c->image[0]) {
		json_decref(body);
		*why = "this machine has no disk image";
		return -ENOENT;
	}
	err = boot_render_ipxe(b, req, &p, &bc);
	json_decref(body);
	if (err)
		*why = "its script cannot be rendered";
	return err;
}

static void get_boot_script(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct boot_query q;
	struct boot_request req;
	struct store_client c;
	char base[256], *mem = malloc(SCRIPT_MAX), message[256];
	const char *qs = strchr(http_path(r), '?'), *why = NULL;
	struct boot_buf b;
	int err;

	if (!mem) {
		http_reply_error(r, 500, NULL, "out of memory");
		return;
	}
	boot_query_init(&q);
	/* Bad values are normal here: iPXE expands unknown settings to "". */
	if (qs)
		boot_query_parse(&q, qs + 1, strlen(qs + 1));
	else
		for (int f = 0; f < BOOT_Q_NFIELDS; f++) {
			const char *v = http_query(r, boot_query_key(f));

			if (v)
				boot_query_set(&q, boot_query_key(f), v, strlen(v));
		}
	base_url(r, base, sizeof(base));
	req.query = &q;
	req.base_url = base;
	req.dialect = boot_query_dialect(&q);
	boot_buf_init(&b, mem, SCRIPT_MAX);

	log_info("boot script for %s: mac [%s] uuid [%s] serial [%s]", http_peer(r),
		 boot_query_get(&q, BOOT_Q_MAC), boot_query_get(&q, BOOT_Q_UUID),
		 boot_query_get(&q, BOOT_Q_SERIAL));
	err = find_client(d, &q, &c);
	if (!err) {
		err = render_client(d, r, &req, &c, &b, &why);
		record(d, r, c.name, &q, err ? why : c.profile);
	}
	if (err) {
		char policy[16];

		setting(d, "enrollment", "deny", policy, sizeof(policy));
		snprintf(message, sizeof(message), "%s", why ? why :
			 "this machine is not enrolled (ask the administrator)");
		boot_buf_reset(&b);
		if (boot_render_deny(&b, &req, message)) {
			free(mem);
			http_reply_error(r, 500, NULL, "cannot render the script");
			return;
		}
	}
	reply_script(r, &b);
	free(mem);
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
	http_reply_json(r, 200, a);
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

/*
 * A client that sanboots gets its own target: <iqn prefix>:<name>, LUN 0
 * its image, its initiator name in the ACL.
 */
static int ensure_target(struct bsd *d, const struct store_client *c)
{
	struct store_profile sp;
	struct boot_client bc = {};
	struct store_target t = {};
	struct store_lun l = {};
	struct store_acl a = {};
	char prefix[STORE_IQN_SIZE], initiator[224], target[224];
	int err;

	if (!c->image[0] || !c->profile[0] || store_profile_get(d->store, c->profile, &sp) ||
	    strcmp(sp.kind, "sanboot"))
		return 0;
	setting(d, "iqn_prefix", DEFAULT_IQN_PREFIX, prefix, sizeof(prefix));
	bc.name = c->name;
	bc.iqn_prefix = prefix;
	if (boot_client_iqns(&bc, initiator, target))
		return -EINVAL;
	if (!store_target_get(d->store, target, &t))
		return 0;
	snprintf(t.iqn, sizeof(t.iqn), "%s", target);
	snprintf(t.alias, sizeof(t.alias), "disk of %s", c->name);
	snprintf(t.auth, sizeof(t.auth), "none");
	err = store_target_create(d->store, &t);
	snprintf(l.target, sizeof(l.target), "%s", target);
	snprintf(l.image, sizeof(l.image), "%s", c->image);
	snprintf(l.backend, sizeof(l.backend), "fileio");
	l.block_size = 512;
	if (!err)
		err = store_lun_create(d->store, &l);
	snprintf(a.target, sizeof(a.target), "%s", target);
	snprintf(a.initiator, sizeof(a.initiator), "%s", initiator);
	if (!err)
		err = store_acl_create(d->store, &a);
	if (err) {
		store_target_delete(d->store, target);
		return err;
	}
	return kernel_sync(d);
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
	text = json_dumps(labels ? labels : json_object(), JSON_COMPACT);
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
	err = ensure_target(d, &c);
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
	http_reply_json(r, 200, a);
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
		{ "POST", "/api/v1/profiles", post_profile, HTTP_ROUTE_JSON },
		{ "GET", "/api/v1/profiles", get_profiles, 0 },
		{ "GET", "/api/v1/profiles/{name}", get_profile, 0 },
		{ "DELETE", "/api/v1/profiles/{name}", delete_profile, 0 },
		{ "POST", "/api/v1/clients", post_client, HTTP_ROUTE_JSON },
		{ "GET", "/api/v1/clients", get_clients, 0 },
		{ "GET", "/api/v1/clients/{name}", get_client, 0 },
		{ "DELETE", "/api/v1/clients/{name}", delete_client, 0 },
	};

	(void)d;
	return http_add_routes(h, routes, sizeof(routes) / sizeof(routes[0]));
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
	"\"/api/v1/profiles\": {"
	" \"get\": {\"summary\": \"Boot profiles\", \"responses\": {\"200\": {\"description\": \"profiles\"}}},"
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
	" \"get\": {\"summary\": \"Clients\", \"responses\": {\"200\": {\"description\": \"clients\"}}},"
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
