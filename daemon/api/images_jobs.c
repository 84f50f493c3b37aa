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
#include "store/store.h"

static json_t *image_json(struct bsd *d, const struct store_image *im)
{
	int64_t alloc = image_allocated(d, im->name), luns = 0;
	json_t *o;

	store_image_lun_count(d->store, im->name, &luns);
	o = json_pack("{s:s, s:I, s:I, s:o, s:s, s:I, s:b}",
		      "name", im->name,
		      "size_bytes", (json_int_t)im->size_bytes,
		      "allocated_bytes", (json_int_t)(alloc < 0 ? 0 : alloc),
		      "created", json_time(im->created),
		      "state", image_state(d, im),
		      "luns", (json_int_t)luns,
		      "out_of_space", image_out_of_space(im->size_bytes, alloc,
							 images_free_bytes(d)));
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

int images_add_routes(struct http *h)
{
	static const struct http_route routes[] = {
		{ "GET", "/api/v1/images", get_images, 0 },
		{ "POST", "/api/v1/images", post_images, HTTP_ROUTE_JSON },
		{ "GET", "/api/v1/images/{name}", get_image, 0 },
		{ "DELETE", "/api/v1/images/{name}", delete_image, 0 },
		{ "POST", "/api/v1/images/{name}/resize", post_image_resize, HTTP_ROUTE_JSON },
		{ "GET", "/api/v1/jobs", get_jobs, 0 },
		{ "GET", "/api/v1/jobs/{id}", get_job, 0 },
	};

	return http_add_routes(h, routes, ARRAY_SIZE(routes));
}
