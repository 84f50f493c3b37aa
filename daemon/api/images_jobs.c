// SPDX-License-Identifier: GPL-2.0
/* The REST API of disk images and their clone jobs; see images_jobs.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "images_jobs.h"
#include "boot/boot_render.h"
#include "boot/refs.h"
#include "lib/bootsand.h"
#include "lib/http.h"
#include "lib/http_json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "san/images.h"
#include "san/kernel.h"
#include "san/overlays.h"
#include "store/store.h"

/*
 * An overlay shows its golden, the version of it, and what it wrote (its
 * delta's allocation, also allocated_bytes); every image its version and
 * how many overlays use it as their golden; a golden with overlays how much
 * of it is in the page cache they all read.
 */
static json_t *image_json(struct bsd *d, const struct store_image *im)
{
	int64_t alloc = image_allocated(d, im), luns = 0, overlays = 0;
	json_t *o;

	store_image_lun_count(d->store, im->name, &luns);
	store_image_overlay_count(d->store, im->name, 0, &overlays);
	o = json_pack("{s:s, s:I, s:I, s:o, s:s, s:I, s:b, s:I, s:I}",
		      "name", im->name,
		      "size_bytes", (json_int_t)im->size_bytes,
		      "allocated_bytes", (json_int_t)(alloc < 0 ? 0 : alloc),
		      "created", json_time(im->created),
		      "state", image_state(d, im),
		      "luns", (json_int_t)luns,
		      "out_of_space", image_out_of_space(im->size_bytes, alloc,
							 images_free_bytes(d)),
		      "version", (json_int_t)(im->version ? im->version : 1),
		      "overlays", (json_int_t)overlays);
	if (o && im->job)
		json_object_set_new(o, "job", json_integer(im->job));
	if (o && im->golden[0]) {
		json_object_set_new(o, "golden", json_string(im->golden));
		json_object_set_new(o, "golden_version", json_integer(im->golden_version));
		json_object_set_new(o, "written_bytes", json_integer(alloc < 0 ? 0 : alloc));
	}
	/* A golden's page cache, shared by its overlays: measured only for those. */
	if (o && overlays > 0) {
		int64_t cached = golden_cached_bytes(d, im);

		if (cached >= 0)
			json_object_set_new(o, "cached_bytes", json_integer(cached));
	}
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

/* POST /api/v1/images with "mode": "overlay": made at once, 201. */
static void post_overlay(struct http_req *r, struct bsd *d, const char *name, const char *from)
{
	struct store_image im;
	char why[400];
	int err = overlay_create(d, name, from, &im, why, sizeof(why));

	if (err == -ENOENT)
		http_reply_error(r, 400, "from", "no image '%s' to make an overlay of", from);
	else if (err == -EEXIST)
		http_reply_error(r, 409, "name", "image '%s' exists already", name);
	else if (err == -EMEDIUMTYPE)
		http_reply_error(r, 409, "from", "image '%s' is an overlay itself: an overlay's "
				 "golden is an ordinary image (flatten it first)", from);
	else if (err == -EBUSY)
		http_reply_error(r, 409, "from", "image '%s' is being cloned itself", from);
	else if (err == -ENODATA)
		http_reply_error(r, 409, "from", "image '%s' is missing: its file is gone; "
				 "DELETE it, or put the file back", from);
	else if (err == -ETXTBSY)
		http_reply_error(r, 409, "from", "%s", why);
	else if (err)
		http_reply_errno(r, err, NULL, "creating the overlay");
	else
		http_reply_created(r, 201, image_json(d, &im), "/api/v1/images/%s", name);
}

static void post_images(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_image im;
	const char *name, *from = NULL, *mode = NULL;
	json_int_t size = -1;
	int err;

	if (http_unpack(r, http_json(r), "{s:s, s?I, s?s, s?s !}", "name", &name,
			"size_bytes", &size, "from", &from, "mode", &mode))
		return;
	if (!boot_name_valid(name)) {
		http_reply_error(r, 400, "name", "an image name is " BOOT_NAME_RULE);
		return;
	}
	if ((size >= 0 || json_object_get(http_json(r), "size_bytes")) == (from != NULL)) {
		http_reply_error(r, 400, from ? "from" : "size_bytes",
				 "give either size_bytes (a new image) or from (a clone or "
				 "an overlay)");
		return;
	}
	if (mode && strcmp(mode, "clone") && strcmp(mode, "overlay")) {
		http_reply_error(r, 400, "mode", "mode is clone (a copy, the default) or overlay "
				 "(copy-on-write over from, made at once)");
		return;
	}
	if (mode && !from) {
		http_reply_error(r, 400, "mode", "mode goes with from");
		return;
	}
	if (from && mode && !strcmp(mode, "overlay")) {
		post_overlay(r, d, name, from);
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
	if (!err) {
		err = golden_users(d, name, 0, users, sizeof(users));
		if (err > 0) {
			boot_refs_unlock();
			http_reply_error(r, 409, NULL, "image '%s' is the golden of overlays %s: "
					 "delete or flatten them first", name, users);
			return;
		}
	}
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
		http_reply_error(r, 409, NULL, "image '%s' is still being cloned or flattened",
				 name);
		return;
	}
	if (err == -ENODATA) {
		http_reply_error(r, 409, NULL, "image '%s' is missing: its file is gone; "
				 "DELETE it, or put the file back", name);
		return;
	}
	if (err == -EMEDIUMTYPE) {
		http_reply_error(r, 409, NULL, "image '%s' is an overlay: it has its golden's "
				 "size (flatten it first)", name);
		return;
	}
	if (err == -ETXTBSY) {
		char users[400];

		golden_users(d, name, im.version, users, sizeof(users));
		http_reply_error(r, 409, NULL, "image '%s' is the golden of overlays %s, and "
				 "does not change under them (update it with a new version instead)",
				 name, users);
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

/* ---- overlays: flatten, reset; goldens: versions ---- */

/* {"force": bool} (optional): whether sessions may be cut. -1 after a reply. */
static int force_arg(struct http_req *r)
{
	int force = 0;

	if (http_unpack(r, http_json(r), "{s?b !}", "force", &force))
		return -1;
	return force;
}

/* A 404 for a missing image, 409 for one that is not an overlay. */
static bool overlay_errors(struct http_req *r, int err, const char *name, const char *why)
{
	if (err == -ENOENT)
		http_reply_error(r, 404, NULL, "no image '%s'", name);
	else if (err == -EMEDIUMTYPE)
		http_reply_error(r, 409, NULL, "image '%s' is not an overlay", name);
	else if (err == -EBUSY || err == -ETXTBSY)
		http_reply_error(r, 409, NULL, "%s", why[0] ? why : "busy");
	else if (err == -ENODATA)
		http_reply_error(r, 409, NULL, "image '%s' is missing: its file or its golden's "
				 "version is gone; DELETE it", name);
	else if (err == -ESHUTDOWN)
		http_reply_error(r, 503, NULL, "bootsand is stopping");
	else
		return false;
	return true;
}

static void post_image_flatten(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	const char *name = path_image(r);
	struct store_job j;
	char why[400];
	int64_t id;
	int force, err;

	if (!name || (force = force_arg(r)) < 0)
		return;
	err = image_flatten_start(d, name, force, &id, why, sizeof(why));
	if (overlay_errors(r, err, name, why))
		return;
	if (err) {
		http_reply_errno(r, err, NULL, "flattening the overlay");
		return;
	}
	err = store_job_get(d->store, id, &j);
	if (err)
		http_reply_errno(r, err, NULL, "job");
	else
		http_reply_created(r, 202, job_json(&j), "/api/v1/jobs/%lld", (long long)id);
}

static void post_image_reset(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	const char *name = path_image(r);
	struct store_image im;
	char why[400];
	int force, err;

	if (!name || (force = force_arg(r)) < 0)
		return;
	err = overlay_reset(d, name, force, &im, why, sizeof(why));
	if (overlay_errors(r, err, name, why))
		return;
	if (err)
		http_reply_errno(r, err, NULL, "resetting the overlay");
	else
		http_reply_json(r, 200, image_json(d, &im));
}

static json_t *version_json(uint32_t version, bool current, int64_t created, uint64_t size,
			    const char *source, int64_t overlays)
{
	json_t *o = json_pack("{s:I, s:b, s:o, s:I, s:I}", "version", (json_int_t)version,
			      "current", current, "created", json_time(created),
			      "size_bytes", (json_int_t)size, "overlays", (json_int_t)overlays);

	if (o && source)
		json_object_set_new(o, "from", json_string(source));
	return o;
}

/*
 * GET /api/v1/images/{name}/versions: the current version and every one
 * overlays still use, oldest first.
 */
static void get_image_versions(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	const char *name = path_image(r);
	struct store_image_version *v = NULL;
	struct store_image im, *all = NULL;
	size_t n = 0, na = 0;
	uint32_t cur;
	json_t *a;
	int err;

	if (!name)
		return;
	err = store_image_get(d->store, name, &im);
	if (err == -ENOENT) {
		http_reply_error(r, 404, NULL, "no image '%s'", name);
		return;
	}
	err = err ?: store_image_version_list(d->store, name, &v, &n) ?:
	      store_image_list(d->store, &all, &na);
	if (err) {
		free(v);
		http_reply_errno(r, err, NULL, "versions");
		return;
	}
	cur = im.version ? im.version : 1;
	a = json_array();
	for (uint32_t ver = 1; ver <= cur; ver++) {
		const struct store_image_version *row = NULL;
		uint64_t size = ver == cur ? im.size_bytes : 0;
		int64_t users = 0;

		for (size_t i = 0; i < na; i++)
			if (!strcmp(all[i].golden, name) && all[i].golden_version == ver) {
				users++;
				size = all[i].size_bytes;
			}
		if (ver != cur && !users)
			continue;
		for (size_t i = 0; i < n; i++)
			if (v[i].version == ver)
				row = &v[i];
		json_array_append_new(a, version_json(ver, ver == cur,
						      row ? row->created : im.created,
						      row && ver == cur ? row->size_bytes : size,
						      row ? row->source : NULL, users));
	}
	free(v);
	free(all);
	http_reply_list(r, "versions", a);
}

/* POST /api/v1/images/{name}/versions {"from": IMAGE}: IMAGE becomes the next version. */
static void post_image_version(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	const char *name = path_image(r), *from;
	struct store_image im;
	char why[400], users[400];
	int err;

	if (!name)
		return;
	if (http_unpack(r, http_json(r), "{s:s !}", "from", &from))
		return;
	/* from goes away: nothing may name it any more. */
	boot_refs_lock();
	err = name_valid(from) ? boot_image_users(d, from, users, sizeof(users)) : 0;
	if (err > 0) {
		boot_refs_unlock();
		http_reply_error(r, 409, "from", "image '%s' is in use by %s, and becomes '%s': "
				 "change those first", from, users, name);
		return;
	}
	err = err ?: golden_update(d, name, from, &im, why, sizeof(why));
	boot_refs_unlock();
	if (err == -ENOENT)
		http_reply_error(r, 404, NULL, "no image '%s'", name);
	else if (err == -ENXIO)
		http_reply_error(r, 400, "from", "no image '%s'", from);
	else if (err == -EINVAL)
		http_reply_error(r, 400, "from", "a new version comes from another image");
	else if (err == -EMEDIUMTYPE || err == -EBUSY || err == -ENODATA)
		http_reply_error(r, 409, "from", "%s", why);
	else if (err)
		http_reply_errno(r, err, NULL, why[0] ? why : "updating the image");
	else
		http_reply_created(r, 201, image_json(d, &im), "/api/v1/images/%s", name);
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

int images_add_routes(struct http *h)
{
	static const struct http_route routes[] = {
		{ "GET", "/api/v1/images", get_images, 0 },
		{ "POST", "/api/v1/images", post_images, HTTP_ROUTE_JSON },
		{ "GET", "/api/v1/images/{name}", get_image, 0 },
		{ "DELETE", "/api/v1/images/{name}", delete_image, 0 },
		{ "POST", "/api/v1/images/{name}/resize", post_image_resize, HTTP_ROUTE_JSON },
		{ "POST", "/api/v1/images/{name}/flatten", post_image_flatten, HTTP_ROUTE_JSON },
		{ "POST", "/api/v1/images/{name}/reset", post_image_reset, HTTP_ROUTE_JSON },
		{ "GET", "/api/v1/images/{name}/versions", get_image_versions, 0 },
		{ "POST", "/api/v1/images/{name}/versions", post_image_version, HTTP_ROUTE_JSON },
		{ "GET", "/api/v1/jobs", get_jobs, 0 },
		{ "GET", "/api/v1/jobs/{id}", get_job, 0 },
	};

	return http_add_routes(h, routes, ARRAY_SIZE(routes));
}
