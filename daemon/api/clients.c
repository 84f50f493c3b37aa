// SPDX-License-Identifier: GPL-2.0
/* The clients API; see clients.h. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clients.h"
#include "boot/boot_metrics.h"
#include "boot/boot_render.h"
#include "boot/enroll.h"
#include "boot/refs.h"
#include "lib/bootsand.h"
#include "lib/http.h"
#include "lib/http_json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "san/images.h"
#include "store/store.h"

static json_t *client_json(struct bsd *d, const struct store_client *c, bool history)
{
	json_t *macs = json_loads(c->macs, 0, NULL), *labels = json_loads(c->labels, 0, NULL);
	json_t *o = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:s, s:o}",
			      "name", c->name, "uuid", c->uuid, "mac", macs ? macs : json_array(),
			      "serial", c->serial, "profile", c->profile, "image", c->image,
			      "labels", labels ? labels : json_object(), "state", c->state,
			      "created", json_time(c->created));

	json_object_set_new(o, "origin", json_string(c->origin[0] ? c->origin : "api"));

	if (history) {
		struct store_boot *bs;
		size_t n, i;
		json_t *h = json_array();

		if (!store_boot_list(d->store, c->name, STORE_BOOT_KEEP, &bs, &n)) {
			for (i = 0; i < n; i++)
				json_array_append_new(h, json_pack("{s:o, s:s, s:s, s:s}",
					"time", json_time(bs[i].time), "ip", bs[i].ip,
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
	http_reply_created(r, 201, client_json(d, &c, false), "/api/v1/clients/%s", c.name);
}

static void get_clients(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_client *cs;
	const char *after;
	json_t *a, *next = NULL;
	size_t n, i;
	int err, limit;

	if (http_page_args(r, &limit, &after))
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
	http_reply_page(r, "clients", a, next);
}

/*
 * GET /api/v1/clients/{name}/history, and GET /api/v1/history (@all: every
 * client's, each row naming its client): after= is the id of the last row
 * seen.
 */
static void history_page(struct http_req *r, bool all)
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

	if (http_page_args(r, &limit, &after))
		return;
	if (after[0]) {
		errno = 0;
		before = strtoll(after, &end, 10);
		if (*end || errno || before < 1) {
			http_reply_error(r, 400, "after", "after is the id of a history entry");
			return;
		}
	}
	err = all ? 0 : store_client_get(d->store, http_param(r, "name"), &c);
	if (!err)
		err = store_boot_page(d->store, all ? NULL : c.name, before, limit + 1, &bs, &n);
	if (err) {
		http_reply_errno(r, err, "name", err == -ENOENT ? "no such client" : "history");
		return;
	}
	if (n > (size_t)limit) {
		n = (size_t)limit;
		next = json_integer(bs[n - 1].id);
	}
	a = json_array();
	for (i = 0; i < n; i++) {
		json_t *o = json_pack("{s:I, s:o, s:s, s:s, s:s}", "id", (json_int_t)bs[i].id,
				      "time", json_time(bs[i].time), "ip", bs[i].ip,
				      "firmware", bs[i].firmware, "served", bs[i].what);

		if (all)
			json_object_set_new(o, "client", json_string(bs[i].client));
		json_array_append_new(a, o);
	}
	free(bs);
	http_reply_page(r, "history", a, next);
}

static void get_client_history(struct http_req *r)
{
	history_page(r, false);
}

static void get_history(struct http_req *r)
{
	history_page(r, true);
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

/*
 * POST /api/v1/clients/{name}/approve: a pending client (one the register
 * policy recorded) becomes active, so it boots under every policy, deny
 * included. Only a pending client is approved: 409 otherwise.
 */
static void approve_client(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_client c;
	int err;

	/* As every writer of clients: an enrollment or delete cannot come between. */
	boot_refs_lock();
	err = store_client_get(d->store, http_param(r, "name"), &c);
	if (!err && strcmp(c.state, "pending")) {
		boot_refs_unlock();
		http_reply_error(r, 409, "state", "client %s is %s, not pending: nothing to approve",
				 c.name, c.state);
		return;
	}
	if (!err) {
		snprintf(c.state, sizeof(c.state), "active");
		err = store_client_update(d->store, &c);
	}
	boot_refs_unlock();
	if (err) {
		http_reply_errno(r, err, "name", err == -ENOENT ? "no such client" : "approving");
		return;
	}
	log_info("client %s approved", c.name);
	boot_metrics_enroll(BOOT_ENROLL_APPROVED);
	store_client_get(d->store, c.name, &c);
	http_reply_json(r, 200, client_json(d, &c, false));
}

/*
 * POST /api/v1/clients/{name}/deny: a pending client is forgotten, with
 * whatever enrollment made for it. Only a pending client: an active one is
 * deleted with DELETE, on purpose (409 here). The machine, if it boots
 * again under register, is recorded pending again: keeping unknown machines
 * out for good is the deny policy's job.
 */
static void deny_client(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_client c;
	int err;

	boot_refs_lock();
	err = store_client_get(d->store, http_param(r, "name"), &c);
	if (!err && strcmp(c.state, "pending")) {
		boot_refs_unlock();
		http_reply_error(r, 409, "state", "client %s is %s, not pending: DELETE removes it",
				 c.name, c.state);
		return;
	}
	if (!err)
		err = enroll_forget_client(d, c.name);
	boot_refs_unlock();
	if (err) {
		http_reply_errno(r, err, "name", err == -ENOENT ? "no such client" : "denying");
		return;
	}
	log_info("client %s denied and forgotten", c.name);
	boot_metrics_enroll(BOOT_ENROLL_DENIED);
	http_reply_json(r, 204, NULL);
}

int clients_add_routes(struct http *h)
{
	static const struct http_route routes[] = {
		{ "POST", "/api/v1/clients", post_client, HTTP_ROUTE_JSON },
		{ "GET", "/api/v1/clients", get_clients, 0 },
		{ "GET", "/api/v1/clients/{name}", get_client, 0 },
		{ "GET", "/api/v1/clients/{name}/history", get_client_history, 0 },
		{ "GET", "/api/v1/history", get_history, 0 },
		{ "DELETE", "/api/v1/clients/{name}", delete_client, 0 },
		{ "POST", "/api/v1/clients/{name}/approve", approve_client, 0 },
		{ "POST", "/api/v1/clients/{name}/deny", deny_client, 0 },
	};

	return http_add_routes(h, routes, ARRAY_SIZE(routes));
}
