// SPDX-License-Identifier: GPL-2.0
/*
 * The REST API of what lives in bootsan.ko: targets (with their LUNs and
 * ACL) and sessions. A change is written to the store in one transaction,
 * then applied to the kernel (san/kernel.h); what the kernel refuses is
 * undone in the store and reported.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bootsan.h>

#include "../../kmod/iscsi_name.h"
#include "lib/bootsand.h"
#include "lib/http.h"
#include "lib/http_json.h"
#include "lib/util.h"
#include "san/kernel.h"
#include "san/kernel_nl.h"
#include "san/overlays.h"
#include "store/store.h"
#include "targets.h"

/* 503 with a clear message when the module is not there. */
static bool require_kernel(struct http_req *r)
{
	if (knl_available())
		return true;
	http_reply_error(r, 503, NULL, "the iSCSI target is unavailable: %s", knl_last_error());
	return false;
}

static json_t *target_json(struct bsd *d, const struct store_target *t)
{
	struct store_lun *ls = NULL;
	struct store_acl *as = NULL;
	size_t nl = 0, na = 0, i;
	uint32_t sessions = 0;
	json_t *o, *luns = json_array(), *acl = json_array(), *chap;

	store_lun_list(d->store, t->iqn, &ls, &nl);
	for (i = 0; i < nl; i++) {
		json_t *l = json_pack("{s:i, s:s, s:b, s:i, s:s, s:s}", "lun", (int)ls[i].lun,
				      "backend", ls[i].backend, "direct", ls[i].direct,
				      "block_size", (int)ls[i].block_size, "serial", ls[i].serial,
				      "naa", "");
		char naa[24];

		snprintf(naa, sizeof(naa), "0x%016" PRIx64, ls[i].naa);
		json_object_set_new(l, "naa", json_string(naa));
		json_object_set_new(l, ls[i].image[0] ? "image" : "device",
				    json_string(ls[i].image[0] ? ls[i].image : ls[i].device));
		json_array_append_new(luns, l);
	}
	store_acl_list(d->store, t->iqn, &as, &na);
	for (i = 0; i < na; i++)
		json_array_append_new(acl, json_string(as[i].initiator));
	chap = json_pack("{s:s, s:b, s:s, s:b}", "user", t->chap_user,
			 "secret_set", t->chap_secret[0] != '\0', "mutual_user", t->mutual_user,
			 "mutual_secret_set", t->mutual_secret[0] != '\0');
	knl_target_sessions(t->iqn, &sessions);
	o = json_pack("{s:s, s:s, s:s, s:o, s:b, s:i, s:i, s:I, s:o, s:o, s:b, s:i, s:o}",
		      "iqn", t->iqn, "alias", t->alias, "auth", t->auth, "chap", chap,
		      "read_only", t->read_only, "max_sessions", (int)t->max_sessions,
		      "queue_depth", (int)t->queue_depth,
		      "nop_in_interval", (json_int_t)t->nop_in_interval, "luns", luns, "acl", acl,
		      "allow_any_initiator", t->allow_any_initiator,
		      "sessions", (int)sessions, "created", json_time(t->created));
	free(ls);
	free_wiped(as, na * sizeof(*as));
	return o;
}

static int parse_chap(struct http_req *r, json_t *chap, struct store_target *t)
{
	const char *user = "", *secret = "", *muser = "", *msecret = "";

	if (!chap)
		return 0;
	if (http_unpack(r, chap, "{s?s, s?s, s?s, s?s !}", "user", &user, "secret", &secret,
			"mutual_user", &muser, "mutual_secret", &msecret))
		return -1;
	if (!!user[0] != !!secret[0] || !!muser[0] != !!msecret[0]) {
		http_reply_error(r, 400, "chap", "CHAP credentials need both a user and a secret");
		return -1;
	}
	if ((secret[0] && (strlen(secret) < 12 || strlen(secret) > 255)) ||
	    (msecret[0] && (strlen(msecret) < 12 || strlen(msecret) > 255))) {
		http_reply_error(r, 400, "chap", "CHAP secrets are 12 to 255 characters");
		return -1;
	}
	if (strlen(user) >= sizeof(t->chap_user) || strlen(muser) >= sizeof(t->mutual_user)) {
		http_reply_error(r, 400, "chap", "CHAP user names are at most 255 characters");
		return -1;
	}
	snprintf(t->chap_user, sizeof(t->chap_user), "%s", user);
	snprintf(t->chap_secret, sizeof(t->chap_secret), "%s", secret);
	snprintf(t->mutual_user, sizeof(t->mutual_user), "%s", muser);
	snprintf(t->mutual_secret, sizeof(t->mutual_secret), "%s", msecret);
	if (!strcmp(t->auth, "none") || !t->auth[0])
		snprintf(t->auth, sizeof(t->auth), "%s",
			 muser[0] ? "mutual-chap" : user[0] ? "chap" : "none");
	return 0;
}

static bool name_ok(struct http_req *r, const char *name, const char *field)
{
	const char *why = iscsi_name_invalid(name, strlen(name));

	if (why)
		http_reply_error(r, 400, field, "%s: %s", name, why);
	return !why;
}

/* An ACL list (NULL: none given): initiator names, each named once. */
static bool acl_ok(struct http_req *r, json_t *acl)
{
	json_t *v, *seen;
	size_t i;
	bool good = true;

	if (acl && !json_is_array(acl)) {
		http_reply_error(r, 400, "acl", "must be an array");
		return false;
	}
	seen = json_object();	/* a set of the names so far: a long list stays linear */
	json_array_foreach(acl, i, v) {
		const char *name = json_string_value(v);

		if (!name) {
			http_reply_error(r, 400, "acl", "each entry is an initiator name (a string)");
			good = false;
		} else if (!name_ok(r, name, "acl")) {
			good = false;
		} else if (json_object_get(seen, name)) {
			http_reply_error(r, 400, "acl", "%s is named twice", name);
			good = false;
		} else {
			json_object_set_new(seen, name, json_true());
		}
		if (!good)
			break;
	}
	json_decref(seen);
	return good;
}

/* A session limit and a queue depth; 0 is the module's default for either. */
static bool limits_ok(struct http_req *r, json_int_t max_sessions, json_int_t queue_depth)
{
	if (max_sessions < 0 || max_sessions > UINT32_MAX) {
		http_reply_error(r, 400, "max_sessions",
				 "max_sessions is 0 (the module's default) or more");
		return false;
	}
	if (queue_depth < 0 || queue_depth > BOOTSAN_QUEUE_DEPTH_MAX) {
		http_reply_error(r, 400, "queue_depth",
				 "queue_depth is 0 (the module's default) to %d",
				 BOOTSAN_QUEUE_DEPTH_MAX);
		return false;
	}
	return true;
}

static int parse_lun(struct http_req *r, json_t *j, const char *iqn, struct store_lun *l)
{
	const char *image = NULL, *device = NULL, *backend = NULL;
	int lun = -1, direct = 0, block_size = 512;

	memset(l, 0, sizeof(*l));
	if (http_unpack(r, j, "{s:i, s?s, s?s, s?s, s?b, s?i !}", "lun", &lun, "image", &image,
			"device", &device, "backend", &backend, "direct", &direct,
			"block_size", &block_size))
		return -1;
	if (lun < 0 || lun > BOOTSAN_LUN_MAX) {
		http_reply_error(r, 400, "luns", "LUN numbers are 0 to %d", BOOTSAN_LUN_MAX);
		return -1;
	}
	if (!image == !device) {
		http_reply_error(r, 400, "luns", "a LUN takes either an image or a device");
		return -1;
	}
	if (block_size != 512 && block_size != 4096) {
		http_reply_error(r, 400, "luns", "block_size is 512 or 4096");
		return -1;
	}
	if (!backend)
		backend = image ? "fileio" : "blockio";
	if (strcmp(backend, "fileio") && strcmp(backend, "blockio")) {
		http_reply_error(r, 400, "luns", "backend is fileio or blockio");
		return -1;
	}
	if (device && (device[0] != '/' || strlen(device) >= sizeof(l->device))) {
		http_reply_error(r, 400, "luns", "device is an absolute path");
		return -1;
	}
	snprintf(l->target, sizeof(l->target), "%s", iqn);
	l->lun = lun;
	snprintf(l->image, sizeof(l->image), "%s", image ? image : "");
	snprintf(l->device, sizeof(l->device), "%s", device ? device : "");
	snprintf(l->backend, sizeof(l->backend), "%s", backend);
	l->direct = direct;
	l->block_size = block_size;
	return 0;
}

/*
 * A LUN on an image: an overlay reads its golden through the page cache
 * (no direct), and a golden its overlays use is served only read-only.
 * 0, or -1 after a reply.
 */
static int lun_image_ok(struct http_req *r, struct bsd *d, const struct store_lun *l,
			bool read_only)
{
	struct store_image im;
	char users[300];

	if (!l->image[0] || store_image_get(d->store, l->image, &im))
		return 0;	/* a missing image is the store's 400 */
	if (im.golden[0] && l->direct) {
		http_reply_error(r, 400, "luns", "image '%s' is an overlay: it is served "
				 "through the page cache, without direct", l->image);
		return -1;
	}
	if (!read_only && golden_in_use(d, &im)) {
		golden_users(d, im.name, im.version ? im.version : 1, users, sizeof(users));
		http_reply_error(r, 409, "luns", "image '%s' is the golden of overlays %s: it "
				 "does not change under them, so only a read_only target serves it",
				 l->image, users);
		return -1;
	}
	return 0;
}

/* Apply the store to the kernel; on failure undo with @undo and report. */
static int apply_or_undo(struct bsd *d, struct http_req *r, void (*undo)(struct bsd *, void *),
			 void *arg)
{
	int err = kernel_apply_locked(d);

	if (!err)
		return 0;
	if (undo) {
		undo(d, arg);
		kernel_apply_locked(d);
	}
	http_reply_error(r, err == -ENOENT || err == -EINVAL || err == -EEXIST ||
			    err == -ENOTBLK || err == -EISDIR || err == -EACCES ? 400 : 500,
			 NULL, "the iSCSI target refused: %s", kernel_last_error(d));
	return -1;
}

/* The limit is bootsan.yaml's check on the target's nop-in-interval. */
static bool nop_in_interval_ok(struct http_req *r, json_int_t v)
{
	if (v >= 0 && v <= BOOTSAN_NOP_IN_INTERVAL_MAX)
		return true;
	http_reply_error(r, 400, "nop_in_interval",
			 "nop_in_interval is 0 (no NOP-In) to %d seconds",
			 BOOTSAN_NOP_IN_INTERVAL_MAX);
	return false;
}

static void undo_create(struct bsd *d, void *iqn)
{
	store_target_delete(d->store, iqn);
}

static void post_target(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	json_t *luns = NULL, *acl = NULL, *chap = NULL, *v;
	const char *iqn, *alias = "";
	int read_only = 0, allow_any = 0, err;
	json_int_t nop_in_interval = 0, max_sessions = 0, queue_depth = 0;
	struct store_target t = {};
	struct store_lun *ls = NULL;
	size_t i, nl = 0;

	if (http_unpack(r, http_json(r), "{s:s, s?s, s?o, s?b, s?o, s?o, s?I, s?I, s?I, s?b !}",
			"iqn", &iqn, "alias", &alias, "luns", &luns, "read_only", &read_only,
			"acl", &acl, "chap", &chap, "max_sessions", &max_sessions,
			"queue_depth", &queue_depth, "nop_in_interval", &nop_in_interval,
			"allow_any_initiator", &allow_any))
		return;
	if (!name_ok(r, iqn, "iqn"))
		return;
	if (strlen(alias) >= sizeof(t.alias)) {
		http_reply_error(r, 400, "alias", "the alias is at most 255 characters");
		return;
	}
	if (!limits_ok(r, max_sessions, queue_depth) || !nop_in_interval_ok(r, nop_in_interval))
		return;
	if (luns && !json_is_array(luns)) {
		http_reply_error(r, 400, "luns", "must be an array");
		return;
	}
	if (!acl_ok(r, acl))
		return;
	snprintf(t.iqn, sizeof(t.iqn), "%s", iqn);
	snprintf(t.alias, sizeof(t.alias), "%s", alias);
	snprintf(t.auth, sizeof(t.auth), "none");
	t.read_only = read_only;
	t.max_sessions = (uint32_t)max_sessions;
	t.queue_depth = (uint32_t)queue_depth;
	t.nop_in_interval = (uint32_t)nop_in_interval;
	t.allow_any_initiator = allow_any;
	if (parse_chap(r, chap, &t))
		goto out;
	nl = luns ? json_array_size(luns) : 0;
	ls = calloc(nl ? nl : 1, sizeof(*ls));
	if (!ls) {
		http_reply_error(r, 500, NULL, "out of memory");
		goto out;
	}
	json_array_foreach(luns, i, v)
		if (parse_lun(r, v, iqn, &ls[i]) || lun_image_ok(r, d, &ls[i], read_only))
			goto out;
	if (!require_kernel(r))
		goto out;

	kernel_lock(d);
	/* The target, its LUNs and its ACL: all or none. */
	err = store_tx_begin(d->store);
	if (err) {
		kernel_unlock(d);
		http_reply_errno(r, err, NULL, "creating the target");
		goto out;
	}
	err = store_target_create(d->store, &t);
	if (err)
		http_reply_errno(r, err, "iqn", "creating the target");
	for (i = 0; !err && i < nl; i++) {
		err = store_lun_create(d->store, &ls[i]);
		if (err)
			http_reply_errno(r, err == -EINVAL ? -ENOENT : err, "luns",
					 ls[i].image[0] ? "no such image" : "adding the LUN");
	}
	json_array_foreach(acl, i, v) {
		struct store_acl a = {};

		if (err)
			break;
		snprintf(a.target, sizeof(a.target), "%s", iqn);
		snprintf(a.initiator, sizeof(a.initiator), "%s", json_string_value(v));
		err = store_acl_create(d->store, &a);
		if (err)
			http_reply_errno(r, err, "acl", "adding the ACL entry");
	}
	if (err) {
		store_tx_rollback(d->store);
	} else if ((err = store_tx_commit(d->store))) {
		http_reply_errno(r, err, NULL, "creating the target");
	} else if (!apply_or_undo(d, r, undo_create, (void *)iqn)) {
		store_target_get(d->store, iqn, &t);
		http_reply_created(r, 201, target_json(d, &t), "/api/v1/targets/%s", iqn);
	}
	kernel_unlock(d);
out:
	free(ls);
	explicit_bzero(&t, sizeof(t));
}

static void get_targets(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_target *ts;
	size_t n, i;
	json_t *a = json_array();
	int err = store_target_list(d->store, &ts, &n);

	if (err) {
		json_decref(a);
		http_reply_errno(r, err, NULL, "listing targets");
		return;
	}
	for (i = 0; i < n; i++)
		json_array_append_new(a, target_json(d, &ts[i]));
	free_wiped(ts, n * sizeof(*ts));
	http_reply_list(r, "targets", a);
}

static void get_target(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_target t;
	int err = store_target_get(d->store, http_param(r, "iqn"), &t);

	if (err) {
		http_reply_errno(r, err, "iqn", "no such target");
		return;
	}
	http_reply_json(r, 200, target_json(d, &t));
	explicit_bzero(&t, sizeof(t));
}

static void undo_patch(struct bsd *d, void *old)
{
	store_target_update(d->store, old);
}

/* In a transaction: target @t, and the ACL replaced by @acl (NULL: kept). */
static int write_patch(struct bsd *d, const struct store_target *t, json_t *acl)
{
	struct store_acl *as = NULL;
	size_t na = 0, i;
	json_t *v;
	int err = store_target_update(d->store, t);

	if (err || !acl)
		return err;
	err = store_acl_list(d->store, t->iqn, &as, &na);
	for (i = 0; !err && i < na; i++)
		err = store_acl_delete(d->store, t->iqn, as[i].initiator);
	free(as);
	json_array_foreach(acl, i, v) {
		struct store_acl a = {};

		if (err)
			break;
		snprintf(a.target, sizeof(a.target), "%s", t->iqn);
		snprintf(a.initiator, sizeof(a.initiator), "%s", json_string_value(v));
		err = store_acl_create(d->store, &a);	/* acl_ok(): each once */
	}
	return err;
}

static void patch_target(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	const char *iqn = http_param(r, "iqn"), *alias = NULL;
	struct store_target t, old;
	json_t *body = http_json(r), *chap = NULL, *acl = NULL;
	int read_only = -1, allow_any = -1, err;
	json_int_t nop_in_interval = -1, max_sessions = 0, queue_depth = 0;

	if (http_unpack(r, body, "{s?s, s?o, s?o, s?b, s?I, s?I, s?I, s?b !}",
			"alias", &alias, "chap", &chap, "acl", &acl, "read_only", &read_only,
			"max_sessions", &max_sessions, "queue_depth", &queue_depth,
			"nop_in_interval", &nop_in_interval, "allow_any_initiator", &allow_any))
		return;
	if (!acl_ok(r, acl) || !limits_ok(r, max_sessions, queue_depth))
		return;
	if (json_object_get(body, "nop_in_interval") &&
	    !nop_in_interval_ok(r, nop_in_interval))
		return;
	if (!require_kernel(r))
		return;
	kernel_lock(d);
	err = store_target_get(d->store, iqn, &t);
	if (err) {
		http_reply_errno(r, err, "iqn", "no such target");
		goto unlock;
	}
	old = t;
	if (alias)
		snprintf(t.alias, sizeof(t.alias), "%s", alias);
	if (read_only >= 0)
		t.read_only = read_only;
	if (old.read_only && !t.read_only) {
		struct store_lun *ls = NULL;
		size_t n = 0;
		int bad = 0;

		store_lun_list(d->store, iqn, &ls, &n);
		for (size_t i = 0; i < n && !bad; i++)
			bad = lun_image_ok(r, d, &ls[i], false);
		free(ls);
		if (bad)
			goto unlock;
	}
	if (json_object_get(body, "max_sessions"))
		t.max_sessions = (uint32_t)max_sessions;
	if (json_object_get(body, "queue_depth"))
		t.queue_depth = (uint32_t)queue_depth;
	if (nop_in_interval >= 0)
		t.nop_in_interval = (uint32_t)nop_in_interval;
	if (allow_any >= 0)
		t.allow_any_initiator = allow_any;
	if (chap) {
		snprintf(t.auth, sizeof(t.auth), "none");
		if (parse_chap(r, chap, &t))
			goto unlock;
	}
	/* The target and the ACL the list given replaces: both or neither. */
	err = store_tx_begin(d->store);
	if (!err) {
		err = write_patch(d, &t, acl);
		if (err)
			store_tx_rollback(d->store);
		else
			err = store_tx_commit(d->store);
	}
	if (err)
		http_reply_errno(r, err, NULL, "changing the target");
	else if (!apply_or_undo(d, r, undo_patch, &old))
		http_reply_json(r, 200, target_json(d, &t));
unlock:
	kernel_unlock(d);
	explicit_bzero(&t, sizeof(t));
	explicit_bzero(&old, sizeof(old));
}

static void delete_target(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	const char *iqn = http_param(r, "iqn"), *force = http_query(r, "force");
	struct store_target t;
	uint32_t sessions = 0;
	int err;

	if (!require_kernel(r))
		return;
	kernel_lock(d);
	err = store_target_get(d->store, iqn, &t);
	if (err) {
		http_reply_errno(r, err, "iqn", "no such target");
		goto unlock;
	}
	knl_target_sessions(iqn, &sessions);
	if (sessions && !(force && !strcmp(force, "true"))) {
		http_reply_error(r, 409, "iqn", "%u initiator session%s logged in (use ?force=true)",
				 sessions, sessions == 1 ? " is" : "s are");
		goto unlock;
	}
	err = store_target_delete(d->store, iqn);
	if (err)
		http_reply_errno(r, err, "iqn", "deleting the target");
	else if (!apply_or_undo(d, r, NULL, NULL))
		http_reply_json(r, 204, NULL);
unlock:
	kernel_unlock(d);
	explicit_bzero(&t, sizeof(t));
}

/* ---- sessions ---- */

static void get_sessions(struct http_req *r)
{
	struct knl_session *v;
	size_t n, i;
	json_t *a;
	int err;

	if (!require_kernel(r))
		return;
	err = knl_sessions(&v, &n);
	if (err) {
		http_reply_error(r, 500, NULL, "%s", knl_last_error());
		return;
	}
	a = json_array();
	for (i = 0; i < n; i++) {
		char isid[16];

		snprintf(isid, sizeof(isid), "%012" PRIx64, v[i].isid);
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:I, s:I, s:I}",
			"id", (json_int_t)v[i].id, "target", v[i].target,
			"initiator", v[i].initiator, "isid", isid, "tsih", (int)v[i].tsih,
			"peer", v[i].peer, "commands", (json_int_t)v[i].commands,
			"read_bytes", (json_int_t)v[i].read_bytes,
			"write_bytes", (json_int_t)v[i].write_bytes));
	}
	free(v);
	http_reply_list(r, "sessions", a);
}

static void delete_session(struct http_req *r)
{
	const char *id = http_param(r, "id");
	char *end;
	unsigned long long v;
	int err;

	errno = 0;
	v = strtoull(id, &end, 10);
	if (!*id || *end || errno) {
		http_reply_error(r, 400, "id", "session ids are numbers");
		return;
	}
	if (!require_kernel(r))
		return;
	err = knl_session_kill(v);
	if (err == -ENOENT)
		http_reply_error(r, 404, "id", "no such session");
	else if (err)
		http_reply_error(r, 500, NULL, "%s", knl_last_error());
	else
		http_reply_json(r, 204, NULL);
}

int targets_add_routes(struct http *h)
{
	static const struct http_route routes[] = {
		{ "POST", "/api/v1/targets", post_target, HTTP_ROUTE_JSON },
		{ "GET", "/api/v1/targets", get_targets, 0 },
		{ "GET", "/api/v1/targets/{iqn}", get_target, 0 },
		{ "PATCH", "/api/v1/targets/{iqn}", patch_target, HTTP_ROUTE_JSON },
		{ "DELETE", "/api/v1/targets/{iqn}", delete_target, 0 },
		{ "GET", "/api/v1/sessions", get_sessions, 0 },
		{ "DELETE", "/api/v1/sessions/{id}", delete_session, 0 },
	};

	return http_add_routes(h, routes, sizeof(routes) / sizeof(routes[0]));
}

