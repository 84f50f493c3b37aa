// SPDX-License-Identifier: GPL-2.0
/* Every route of the REST API, status, /metrics and the OpenAPI document; see api.h. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "api.h"
#include "boot.h"
#include "clients.h"
#include "dhcp.h"
#include "images_jobs.h"
#include "portals.h"
#include "targets.h"
#include "ui.h"
#include "boot/boot_metrics.h"
#include "lib/bootsand.h"
#include "lib/http.h"
#include "lib/http_json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "san/image_file.h"
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

	/* In a snapshot: status answers while a writer waits for the database. */
	store_read_begin(d->store);
	for (size_t i = 0; i < ARRAY_SIZE(counted); i++) {
		int64_t n = 0;
		int err = store_count(d->store, counted[i].t, &n);

		if (err) {
			store_read_end(d->store);
			json_decref(counts);
			http_reply_errno(r, err, NULL, "counting");
			return;
		}
		json_object_set_new(counts, counted[i].name, json_integer(n));
	}
	store_read_end(d->store);
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

/* A counter or gauge line with a target (and a LUN) as labels. */
static void target_line(FILE *out, const char *name, const char *target, const uint32_t *lun,
			unsigned long long v)
{
	fprintf(out, "%s{target=\"", name);
	metrics_label_value(out, target);
	if (lun)
		fprintf(out, "\",lun=\"%u", *lun);
	fprintf(out, "\"} %llu\n", v);
}

/* Each LUN's I/O counters, and each target's: the sums of its LUNs' (@v sorted by target). */
static void lun_metrics(FILE *out, const struct knl_lun_stats *v, size_t n)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} counters[] = {
		{ "read_bytes_total", "Bytes read by initiators", offsetof(struct knl_lun_stats, read_bytes) },
		{ "written_bytes_total", "Bytes written by initiators",
		  offsetof(struct knl_lun_stats, write_bytes) },
		{ "read_commands_total", "READ commands", offsetof(struct knl_lun_stats, read_cmds) },
		{ "write_commands_total", "WRITE commands", offsetof(struct knl_lun_stats, write_cmds) },
		{ "errors_total", "Commands completed with CHECK CONDITION",
		  offsetof(struct knl_lun_stats, errors) },
	};
	char name[64];

	for (size_t c = 0; c < ARRAY_SIZE(counters); c++) {
		snprintf(name, sizeof(name), "bootsan_lun_%s", counters[c].name);
		fprintf(out, "# HELP %s %s, per LUN, since the module made it.\n# TYPE %s counter\n",
			name, counters[c].help, name);
		for (size_t i = 0; i < n; i++)
			target_line(out, name, v[i].target, &v[i].lun, *(const uint64_t *)
				    ((const char *)&v[i] + counters[c].off));
	}
	fputs("# HELP bootsan_lun_command_seconds_total Sum of the commands' service times, per "
	      "LUN (divide by the commands for a mean).\n"
	      "# TYPE bootsan_lun_command_seconds_total counter\n", out);
	for (size_t i = 0; i < n; i++) {
		fputs("bootsan_lun_command_seconds_total{target=\"", out);
		metrics_label_value(out, v[i].target);
		fprintf(out, "\",lun=\"%u\"} %.9f\n", v[i].lun, v[i].latency_ns / 1e9);
	}
	/* Per target: sorted, the LUNs of one target are next to each other. */
	for (size_t c = 0; c < 2; c++) {
		snprintf(name, sizeof(name), "bootsan_target_%s", counters[c].name);
		fprintf(out, "# HELP %s %s, per target (its LUNs together).\n# TYPE %s counter\n",
			name, counters[c].help, name);
		for (size_t i = 0; i < n;) {
			unsigned long long sum = 0;
			size_t j;

			for (j = i; j < n && !strcmp(v[j].target, v[i].target); j++)
				sum += *(const uint64_t *)((const char *)&v[j] + counters[c].off);
			target_line(out, name, v[i].target, NULL, sum);
			i = j;
		}
	}
}

static int by_target(const void *a, const void *b)
{
	return strcmp(((const struct knl_session *)a)->target,
		      ((const struct knl_session *)b)->target);
}

static int by_target_lun(const void *a, const void *b)
{
	const struct knl_lun_stats *x = a, *y = b;
	int c = strcmp(x->target, y->target);

	return c ?: (x->lun > y->lun) - (x->lun < y->lun);
}

/* What bootsan.ko reports: is it there, its sessions, its LUNs' I/O. */
static void kernel_metrics(FILE *out)
{
	struct knl_session *v;
	struct knl_lun_stats *ls;
	size_t n = 0, nl = 0;
	bool available = knl_available();

	fprintf(out, "# HELP bootsan_kernel_available Whether bootsan.ko answers.\n"
		     "# TYPE bootsan_kernel_available gauge\n"
		     "bootsan_kernel_available %d\n", available);
	if (!available)
		return;
	if (!knl_sessions(&v, &n)) {
		fprintf(out, "# HELP bootsan_sessions iSCSI sessions logged in.\n"
			     "# TYPE bootsan_sessions gauge\nbootsan_sessions %zu\n"
			     "# HELP bootsan_target_sessions iSCSI sessions logged in, per target.\n"
			     "# TYPE bootsan_target_sessions gauge\n", n);
		qsort(v, n, sizeof(*v), by_target);
		for (size_t i = 0; i < n;) {
			size_t j = i;

			while (j < n && !strcmp(v[j].target, v[i].target))
				j++;
			target_line(out, "bootsan_target_sessions", v[i].target, NULL, j - i);
			i = j;
		}
		free(v);
	}
	if (!knl_lun_stats(&ls, &nl)) {
		qsort(ls, nl, sizeof(*ls), by_target_lun);
		lun_metrics(out, ls, nl);
		free(ls);
	}
}

/*
 * The images' file system: its free bytes, and for each image whether it
 * is out of space (thin, with less than IMAGE_SPACE_LOW left: image_file.h).
 */
static void images_metrics(struct bsd *d, FILE *out)
{
	int64_t avail = images_free_bytes(d);
	struct store_image *v;
	size_t n = 0;

	if (avail < 0 || store_image_list(d->store, &v, &n))
		return;
	fprintf(out, "# HELP bootsan_images_free_bytes Free bytes on the images' file system.\n"
		     "# TYPE bootsan_images_free_bytes gauge\n"
		     "bootsan_images_free_bytes %" PRId64 "\n"
		     "# HELP bootsan_image_out_of_space 1: a thin image whose writes may fail "
		     "for lack of space.\n"
		     "# TYPE bootsan_image_out_of_space gauge\n", avail);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "bootsan_image_out_of_space{image=\"%s\"} %d\n", v[i].name,
			image_out_of_space(v[i].size_bytes, image_allocated(d, &v[i]), avail));
	free(v);
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
	boot_metrics_write(out);
	kernel_metrics(out);
	images_metrics(d, out);
	if (fclose(out)) {
		free(buf);
		http_reply_error(r, 500, NULL, "out of memory");
		return;
	}
	http_reply_buf(r, 200, "text/plain; version=0.0.4; charset=utf-8", buf, len);
}

static const struct http_route routes[] = {
	{ "GET", "/api/v1/status", get_status, 0 },
	{ "GET", "/api/v1/openapi.json", get_openapi, 0 },
	{ "GET", "/metrics", get_metrics, HTTP_ROUTE_PUBLIC },
};

int api_add_routes(struct bsd *d, struct http *h)
{
	int err = http_add_routes(h, routes, ARRAY_SIZE(routes));

	if (err)
		return err;
	return images_add_routes(h) ?: portals_add_routes(h) ?: targets_add_routes(h) ?:
	       clients_add_routes(h) ?: boot_add_routes(d, h) ?: dhcp_add_routes(d, h) ?:
	       ui_add_routes(h);
}
