// SPDX-License-Identifier: GPL-2.0
/* The REST API's core routes; see api.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "api.h"
#include "boot.h"
#include "targets.h"
#include "boot/boot_render.h"
#include "boot/refs.h"
#include "lib/bootsand.h"
#include "lib/http.h"
#include "lib/http_json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "san/images.h"
#include "san/kernel.h"
#include "san/kernel_nl.h"
#include "store/store.h"

/* ---- status ---- */

static void get_status(struct http_req *r)
{
	static const struct {
		const char *name;
		enum store_table t;
	} counted[] = {
		{ "portals", STORE_T_PORTALS }, { "images", STORE_T_IMAGES },
		{ "targets", STORE_T_TARGETS }, { "luns", STORE_T_LUNS },
		{ "acls", STORE_T_ACLS }, { "jobs", STORE_T_JOBS },
		{ "clients", STORE_T_CLIENTS }, { "profiles", STORE_T_PROFILES },
	};
	struct bsd *d = http_ctx(r);
	json_t *counts = json_object(), *o;
	int running, copying;

	for (size_t i = 0; i < ARRAY_SIZE(counted); i++) {
		int64_t n = 0;
		int err = store_count(d->store, counted[i].t, &n);

		if (err) {
			json_decref(counts);
			http_reply_errno(r, err, NULL, "counting");
			return;
		}
		json_object_set_new(counts, counted[i].name, json_integer(n));
	}
	pthread_mutex_lock(&d->jobs_lock);
	running = d->jobs_running;
	copying = d->clones_copying;
	pthread_mutex_unlock(&d->jobs_lock);
	/* A job counted in jobs_running but not copying waits for a slot. */
	json_object_set_new(counts, "jobs_running", json_integer(copying));
	json_object_set_new(counts, "jobs_queued", json_integer(running - copying));
	o = json_pack("{s:s, s:I, s:o, s:i, s:o, s:o}",
		      "version", BOOTSAN_VERSION,
		      "uptime_seconds", (json_int_t)(now_mono() - d->started_mono),
		      "started", json_time(d->started_wall),
		      "schema_version", store_schema_version(d->store),
		      "counts", counts,
		      "kernel", kernel_status(d));
	http_reply_json(r, 200, o);
}

/* ---- images ---- */

static json_t *image_json(struct bsd *d, const struct store_image *im)
{
	int64_t alloc = image_allocated(d, im->name), luns = 0;
	json_t *o;

	store_image_lun_count(d->store, im->name, &luns);
	o = json_pack("{s:s, s:I, s:I, s:o, s:s, s:I}",
		      "name", im->name,
		      "size_bytes", (json_int_t)im->size_bytes,
		      "allocated_bytes", (json_int_t)(alloc < 0 ? 0 : alloc),
		      "created", json_time(im->created),
		      "state", image_state(d, im),
		      "luns", (json_int_t)luns);
	if (o && im->job)
		json_object_set_new(o, "job", json_integer(im->job));
	return o;
}

static json_t *job_json(const struct store_job *j)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:i, s:o, s:o}",
			      "id", (json_int_t)j->id,
			      "kind", j->kind,
			      "subject", j->subject,
			      "state", j->state,
			      "progress", j->progress,
			      "created", json_time(j->created),
			      "finished", json_time(j->finished));

	if (o && j->error[0])
		json_object_set_new(o, "error", json_string(j->error));
	return o;
}

static void get_images(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_image *v;
	const char *after;
	json_t *a, *next = NULL;
	size_t n;
	int err, limit;

	if (http_page_args(r, &limit, &after))
		return;
	/* One more than asked: whether a next page exists. */
	err = store_image_page(d->store, after, limit + 1, &v, &n);
	if (err) {
		http_reply_errno(r, err, NULL, "images");
		return;
	}
	if (n > (size_t)limit) {
		n = (size_t)limit;
		next = json_string(v[n - 1].name);
	}
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, image_json(d, &v[i]));
	free(v);
	http_reply_page(r, "images", a, next);
}

/* A valid image name from the path, or a 404 reply and NULL. */
static const char *path_image(struct http_req *r)
{
	const char *name = http_param(r, "name");

	if (!name || !name_valid(name)) {
		http_reply_error(r, 404, NULL, "no image '%s'", name ? name : "");
		return NULL;
	}
	return name;
}

static bool size_ok(struct http_req *r, json_int_t size)
{
	if (size <= 0 || !image_size_valid((uint64_t)size)) {
		http_reply_error(r, 400, "size_bytes",
				 "size_bytes must be a positive multiple of 512, at most %llu",
				 (unsigned long long)IMAGE_SIZE_MAX);
		return false;
	}
	return true;
}

/* 400 for a size the images' file system cannot hold, naming its limit. */
static void too_big(struct http_req *r, struct bsd *d, json_int_t size)
{
	int64_t max = image_size_limit(d);

	if (max > 0)
		http_reply_error(r, 400, "size_bytes", "size_bytes %lld is more than the file system "
				 "of %s takes: at most %lld bytes", (long long)size, d->images_dir,
				 (long long)max);
	else
		http_reply_error(r, 400, "size_bytes", "size_bytes %lld is more than the file system "
				 "of %s takes", (long long)size, d->images_dir);
}

static void post_images(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_image im;
	const char *name, *from = NULL;
	json_int_t size = -1;
	int err;

	if (http_unpack(r, http_json(r), "{s:s, s?I, s?s !}", "name", &name,
			"size_bytes", &size, "from", &from))
		return;
	if (!boot_name_valid(name)) {
		http_reply_error(r, 400, "name", "an image name is " BOOT_NAME_RULE);
		return;
	}
	if ((size >= 0 || json_object_get(http_json(r), "size_bytes")) == (from != NULL)) {
		http_reply_error(r, 400, from ? "from" : "size_bytes",
				 "give either size_bytes (a new image) or from (a clone)");
		return;
	}
	if (from) {
		struct store_job j;
		int64_t id;

		err = image_clone_start(d, name, from, &id);
		if (err == -ENOENT) {
			http_reply_error(r, 400, "from", "no image '%s' to clone from", from);
			return;
		}
		if (err == -EBUSY) {
			http_reply_error(r, 409, "from", "image '%s' is being cloned itself", from);
			return;
		}
		if (err == -ENODATA) {
			http_reply_error(r, 409, "from", "image '%s' is missing: its file is gone; "
					 "DELETE it, or put the file back", from);
			return;
		}
		if (err == -EEXIST) {
			http_reply_error(r, 409, "name", "image '%s' exists already", name);
			return;
		}
		if (err == -ESHUTDOWN) {
			http_reply_error(r, 503, NULL, "bootsand is stopping");
			return;
		}
		if (err) {
			http_reply_errno(r, err, NULL, "clone");
			return;
		}
		err = store_job_get(d->store, id, &j);
		if (err) {
			http_reply_errno(r, err, NULL, "job");
			return;
		}
		http_reply_created(r, 202, job_json(&j), "/api/v1/jobs/%lld", (long long)id);
		return;
	}
	if (!size_ok(r, size))
		return;
	err = image_create(d, name, (uint64_t)size, &im);
	if (err == -EFBIG) {
		too_big(r, d, size);
		return;
	}
	if (err == -EEXIST) {
		http_reply_error(r, 409, "name", "image '%s' exists already", name);
		return;
	}
	if (err) {
		http_reply_errno(r, err, NULL, "creating the image");
		return;
	}
	http_reply_created(r, 201, image_json(d, &im), "/api/v1/images/%s", name);
}

static void get_image(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_image im;
	const char *name = path_image(r);
	int err;

	if (!name)
		return;
	err = store_image_get(d->store, name, &im);
	if (err == -ENOENT)
		http_reply_error(r, 404, NULL, "no image '%s'", name);
	else if (err)
		http_reply_errno(r, err, NULL, "image");
	else
		http_reply_json(r, 200, image_json(d, &im));
}

static void delete_image(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	const char *name = path_image(r);
	struct store_image im;
	char users[400];
	int err;

	if (!name)
		return;
	/* A client's disk, or the golden one, stays until nothing names it. */
	boot_refs_lock();
	err = store_image_get(d->store, name, &im);
	if (!err)
		err = boot_image_users(d, name, users, sizeof(users));
	if (!err)
		err = image_delete(d, name);
	boot_refs_unlock();
	if (err > 0) {
		http_reply_error(r, 409, NULL, "image '%s' is in use by %s", name, users);
		return;
	}
	if (err == -ENOENT)
		http_reply_error(r, 404, NULL, "no image '%s'", name);
	else if (err == -EBUSY)
		http_reply_error(r, 409, NULL,
				 "image '%s' is in use (by a LUN, or a clone is still running)",
				 name);
	else if (err)
		http_reply_errno(r, err, NULL, "deleting the image");
	else
		http_reply_json(r, 204, NULL);
}

static void post_image_resize(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_image im;
	const char *name = path_image(r);
	json_int_t size;
	int err;

	if (!name)
		return;
	if (http_unpack(r, http_json(r), "{s:I !}", "size_bytes", &size))
		return;
	err = store_image_get(d->store, name, &im);
	if (err == -ENOENT) {
		http_reply_error(r, 404, NULL, "no image '%s'", name);
		return;
	}
	if (!err && size >= 0 && (uint64_t)size < im.size_bytes) {
		http_reply_error(r, 400, "size_bytes",
				 "images only grow: %s has %llu bytes", name,
				 (unsigned long long)im.size_bytes);
		return;
	}
	if (!size_ok(r, size))
		return;
	err = image_resize(d, name, (uint64_t)size);
	if (err == -EFBIG) {
		too_big(r, d, size);
		return;
	}
	if (err == -ENOENT) {
		http_reply_error(r, 404, NULL, "no image '%s'", name);
		return;
	}
	if (err == -EBUSY) {
		http_reply_error(r, 409, NULL, "image '%s' is still being cloned", name);
		return;
	}
	if (err == -ENODATA) {
		http_reply_error(r, 409, NULL, "image '%s' is missing: its file is gone; "
				 "DELETE it, or put the file back", name);
		return;
	}
	if (err) {
		http_reply_errno(r, err, "size_bytes", "resizing the image");
		return;
	}
	err = store_image_get(d->store, name, &im);
	if (err)
		http_reply_errno(r, err, NULL, "image");
	else
		http_reply_json(r, 200, image_json(d, &im));
}

/* ---- jobs ---- */

/* GET /api/v1/jobs: after= is the id of the last job seen; oldest first. */
static void get_jobs(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_job *v;
	const char *after;
	long long from = 0;
	json_t *a, *next = NULL;
	char *end;
	size_t n;
	int err, limit;

	if (http_page_args(r, &limit, &after))
		return;
	if (after[0]) {
		errno = 0;
		from = strtoll(after, &end, 10);
		if (*end || errno || from < 0 || after[0] == '+' || after[0] == ' ') {
			http_reply_error(r, 400, "after", "after is the id of a job");
			return;
		}
	}
	/* One more than asked: whether a next page exists. */
	err = store_job_page(d->store, from, limit + 1, &v, &n);
	if (err) {
		http_reply_errno(r, err, NULL, "jobs");
		return;
	}
	if (n > (size_t)limit) {
		n = (size_t)limit;
		next = json_integer(v[n - 1].id);
	}
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, job_json(&v[i]));
	free(v);
	http_reply_page(r, "jobs", a, next);
}

static void get_job(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	const char *s = http_param(r, "id");
	struct store_job j;
	char *end;
	long long id;
	int err;

	errno = 0;
	id = strtoll(s, &end, 10);
	if (errno || *end || id <= 0 || s[0] == '+' || s[0] == '-') {
		http_reply_error(r, 404, NULL, "no job '%s'", s);
		return;
	}
	err = store_job_get(d->store, id, &j);
	if (err == -ENOENT)
		http_reply_error(r, 404, NULL, "no job %lld", id);
	else if (err)
		http_reply_errno(r, err, NULL, "job");
	else
		http_reply_json(r, 200, job_json(&j));
}

/* ---- portals ---- */

static void portal_key(const struct store_portal *p, char *buf, size_t size)
{
	if (strchr(p->address, ':'))
		snprintf(buf, size, "[%s]:%u", p->address, p->port);
	else
		snprintf(buf, size, "%s:%u", p->address, p->port);
}

static json_t *portal_json(const struct store_portal *p)
{
	return json_pack("{s:s, s:i, s:i, s:I, s:I}", "address", p->address, "port", p->port,
			 "tpgt", p->tpgt, "max_connections", (json_int_t)p->max_connections,
			 "login_timeout_s", (json_int_t)p->login_timeout);
}

/* Normalise an IPv4 or IPv6 literal: 0, or -1 when it is neither. */
static int addr_normalise(const char *in, char *out, size_t size)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, in, a) == 1)
		return inet_ntop(AF_INET, a, out, (socklen_t)size) ? 0 : -1;
	if (inet_pton(AF_INET6, in, a) == 1)
		return inet_ntop(AF_INET6, a, out, (socklen_t)size) ? 0 : -1;
	return -1;
}

static void get_portals(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_portal *v;
	size_t n;
	json_t *a;
	int err = store_portal_list(d->store, &v, &n);

	if (err) {
		http_reply_errno(r, err, NULL, "portals");
		return;
	}
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, portal_json(&v[i]));
	free(v);
	http_reply_list(r, "portals", a);
}

static void post_portals(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_portal p = { 0 };
	const char *addr;
	json_int_t port = 3260, tpgt = 1, max_connections = 0, login_timeout = 0;
	char key[80];
	int err;

	if (http_unpack(r, http_json(r), "{s:s, s?I, s?I, s?I, s?I !}", "address", &addr,
			"port", &port, "tpgt", &tpgt, "max_connections", &max_connections,
			"login_timeout_s", &login_timeout))
		return;
	if (addr_normalise(addr, p.address, sizeof(p.address))) {
		http_reply_error(r, 400, "address", "not an IPv4 or IPv6 address: '%s'", addr);
		return;
	}
	if (port < 1 || port > 65535) {
		http_reply_error(r, 400, "port", "port must be 1 to 65535");
		return;
	}
	if (tpgt < 1 || tpgt > 65535) {
		http_reply_error(r, 400, "tpgt", "tpgt must be 1 to 65535");
		return;
	}
	if (max_connections < 0 || max_connections > UINT32_MAX) {
		http_reply_error(r, 400, "max_connections",
				 "max_connections must be 0 (the module's default) to 4294967295");
		return;
	}
	p.port = (uint16_t)port;
	p.tpgt = (uint16_t)tpgt;
	/* bootsan.yaml's check on the portal's login-timeout. */
	if (login_timeout < 0 || login_timeout > 3600) {
		http_reply_error(r, 400, "login_timeout_s",
				 "login_timeout_s must be 0 (the module's default, 15 s) to 3600");
		return;
	}
	p.max_connections = (uint32_t)max_connections;
	p.login_timeout = (uint32_t)login_timeout;
	portal_key(&p, key, sizeof(key));
	err = store_portal_create(d->store, &p);
	if (err == -EEXIST) {
		http_reply_error(r, 409, "address", "portal %s exists already", key);
		return;
	}
	if (err) {
		http_reply_errno(r, err, NULL, "portal");
		return;
	}
	err = kernel_sync(d);
	if (err)
		log_warn("portal %s: not yet in the kernel: %s", key, strerror(-err));
	http_reply_created(r, 201, portal_json(&p), "/api/v1/portals/%s", key);
}

/* "1.2.3.4:3260" or "[::1]:3260" from the path into @p; -1 if malformed. */
static int parse_portal_key(const char *s, struct store_portal *p)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	size_t hl;
	unsigned long port;

	if (!colon)
		return -1;
	hl = (size_t)(colon - s);
	if (s[0] == '[') {
		if (hl < 2 || s[hl - 1] != ']')
			return -1;
		s++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || !colon[1] || colon[1] == '-' || colon[1] == '+' ||
	    port < 1 || port > 65535)
		return -1;
	if (addr_normalise(host, p->address, sizeof(p->address)))
		return -1;
	p->port = (uint16_t)port;
	return 0;
}

static void delete_portal(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	const char *key = http_param(r, "portal");
	struct store_portal p = { 0 };
	int err;

	if (parse_portal_key(key, &p)) {
		http_reply_error(r, 404, NULL, "no portal '%s' (want ADDRESS:PORT or [ADDRESS]:PORT)",
				 key);
		return;
	}
	err = store_portal_get(d->store, p.address, p.port, &p);
	if (!err)
		err = store_portal_delete(d->store, p.address, p.port);
	if (err == -ENOENT) {
		http_reply_error(r, 404, NULL, "no portal %s", key);
		return;
	}
	if (err) {
		http_reply_errno(r, err, NULL, "portal");
		return;
	}
	err = kernel_sync(d);
	if (err)
		log_warn("portal %s: still in the kernel: %s", key, strerror(-err));
	http_reply_json(r, 204, NULL);
}

/* ---- OpenAPI and metrics ---- */

/* Merge the "paths" of openapi_parts[@i] into @doc's; a path given twice is a mistake. */
static int add_paths(json_t *doc, size_t i)
{
	json_error_t e;
	json_t *part = json_loads(openapi_parts[i], JSON_REJECT_DUPLICATES, &e);
	json_t *paths = json_object_get(doc, "paths"), *more = json_object_get(part, "paths"), *v;
	const char *path;
	int err = 0;

	if (!more) {
		log_err("api/openapi/ part %zu: line %d: %s", i, e.line,
			part ? "no \"paths\"" : e.text);
		err = -EINVAL;
	}
	json_object_foreach(more, path, v)
		if (json_object_get(paths, path)) {
			log_err("api/openapi/ part %zu: %s is described twice", i, path);
			err = -EEXIST;
		}
	if (!err)
		json_object_update(paths, more);
	json_decref(part);
	return err;
}

json_t *api_openapi(void)
{
	json_error_t e;
	json_t *doc = json_loads(openapi_parts[0], JSON_REJECT_DUPLICATES, &e);
	size_t i;

	if (!doc) {
		log_err("api/openapi/core.json: line %d: %s", e.line, e.text);
		return NULL;
	}
	for (i = 1; openapi_parts[i]; i++)
		if (add_paths(doc, i)) {
			json_decref(doc);
			return NULL;
		}
	return doc;
}

static void get_openapi(struct http_req *r)
{
	json_t *doc = api_openapi();

	if (!doc) {
		http_reply_error(r, 500, NULL, "the OpenAPI document is broken");
		return;
	}
	json_object_set_new(json_object_get(doc, "info"), "version", json_string(BOOTSAN_VERSION));
	http_reply_json(r, 200, doc);
}

/* What bootsan.ko reports: is it there, and its sessions. */
static void kernel_metrics(FILE *out)
{
	struct knl_session *v;
	size_t n = 0;
	bool available = knl_available();

	fprintf(out, "# HELP bootsan_kernel_available Whether bootsan.ko answers.\n"
		     "# TYPE bootsan_kernel_available gauge\n"
		     "bootsan_kernel_available %d\n", available);
	if (!available || knl_sessions(&v, &n))
		return;
	free(v);
	fprintf(out, "# HELP bootsan_sessions iSCSI sessions logged in.\n"
		     "# TYPE bootsan_sessions gauge\nbootsan_sessions %zu\n", n);
}

static void get_metrics(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (!out) {
		http_reply_error(r, 500, NULL, "out of memory");
		return;
	}
	fprintf(out, "# HELP bootsand_info The running bootsand.\n"
		     "# TYPE bootsand_info gauge\n"
		     "bootsand_info{version=\"%s\"} 1\n"
		     "# HELP bootsand_uptime_seconds Seconds since bootsand started.\n"
		     "# TYPE bootsand_uptime_seconds gauge\n"
		     "bootsand_uptime_seconds %.0f\n",
		     BOOTSAN_VERSION, now_mono() - d->started_mono);
	http_metrics(d->http, out);
	kernel_metrics(out);
	if (fclose(out)) {
		free(buf);
		http_reply_error(r, 500, NULL, "out of memory");
		return;
	}
	http_reply_buf(r, 200, "text/plain; version=0.0.4; charset=utf-8", buf, len);
}

static const struct http_route routes[] = {
	{ "GET", "/api/v1/status", get_status, 0 },
	{ "GET", "/api/v1/images", get_images, 0 },
	{ "POST", "/api/v1/images", post_images, HTTP_ROUTE_JSON },
	{ "GET", "/api/v1/images/{name}", get_image, 0 },
	{ "DELETE", "/api/v1/images/{name}", delete_image, 0 },
	{ "POST", "/api/v1/images/{name}/resize", post_image_resize, HTTP_ROUTE_JSON },
	{ "GET", "/api/v1/jobs", get_jobs, 0 },
	{ "GET", "/api/v1/jobs/{id}", get_job, 0 },
	{ "GET", "/api/v1/portals", get_portals, 0 },
	{ "POST", "/api/v1/portals", post_portals, HTTP_ROUTE_JSON },
	{ "DELETE", "/api/v1/portals/{portal}", delete_portal, 0 },
	{ "GET", "/api/v1/openapi.json", get_openapi, 0 },
	{ "GET", "/metrics", get_metrics, HTTP_ROUTE_PUBLIC },
};

int api_add_routes(struct bsd *d, struct http *h)
{
	int err = http_add_routes(h, routes, ARRAY_SIZE(routes));

	if (err)
		return err;
	return targets_add_routes(h) ?: boot_add_routes(d, h);
}
