// SPDX-License-Identifier: GPL-2.0
/* The dashboard's files at /ui/; see ui.h. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "ui.h"
#include "lib/http.h"
#include "lib/util.h"

/* One ETag a file, from its bytes: a new bootsand with the same file keeps it. */
static char etags[32][24];
static pthread_once_t etags_once = PTHREAD_ONCE_INIT;

static void make_etags(void)
{
	for (size_t i = 0; ui_files[i].name && i < ARRAY_SIZE(etags); i++) {
		uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

		for (size_t j = 0; j < ui_files[i].len; j++)
			h = (h ^ (unsigned char)ui_files[i].data[j]) * 0x100000001b3ULL;
		snprintf(etags[i], sizeof(etags[i]), "\"%016" PRIx64 "\"", h);
	}
}

const struct ui_file *ui_file_find(const char *name)
{
	for (size_t i = 0; ui_files[i].name; i++)
		if (!strcmp(ui_files[i].name, name))
			return &ui_files[i];
	return NULL;
}

/*
 * The file a request names, from the target as sent (before any
 * percent-decoding, query cut off): exactly "/ui/<name>" of a file in the
 * table, or "/ui/" for index.html. So no encoding of "..", NUL or "/" can
 * name anything else, and there is no file system to escape from.
 */
static const struct ui_file *requested(struct http_req *r)
{
	const char *raw = http_raw_url(r), *name;
	char buf[80];
	size_t len = strcspn(raw, "?");

	if (len < 4 || strncmp(raw, "/ui/", 4) || len - 4 >= sizeof(buf))
		return NULL;
	snprintf(buf, sizeof(buf), "%.*s", (int)(len - 4), raw + 4);
	name = buf[0] ? buf : "index.html";
	if (strchr(name, '/') || strchr(name, '%') || name[0] == '.')
		return NULL;
	return ui_file_find(name);
}

static void get_ui_file(struct http_req *r)
{
	const struct ui_file *f = requested(r);
	const char *inm = http_header(r, "If-None-Match");
	struct MHD_Response *resp;
	const char *etag;
	int status = 200;

	if (!f) {
		http_reply_error(r, 404, NULL, "no such file of the dashboard");
		return;
	}
	pthread_once(&etags_once, make_etags);
	etag = etags[f - ui_files];
	if (inm && strstr(inm, etag))
		status = 304;
	resp = MHD_create_response_from_buffer(status == 304 ? 0 : f->len, (void *)f->data,
					       MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		http_reply_error(r, 500, NULL, "out of memory");
		return;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, f->content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	/* The names do not change with the contents: always ask again (304 if the same). */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	/* Only its own files, no inline script, never in another site's frame. */
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; object-src 'none'; "
				"base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
	http_reply_response(r, status, resp);
}

/* /ui leads to /ui/, where the relative links of index.html work. */
static void redirect_ui(struct http_req *r)
{
	http_add_header(r, "Location", "/ui/");
	http_reply_error(r, 301, NULL, "the dashboard is at /ui/");
}

/* And so does / for now (302: it may serve something else one day). */
static void redirect_root(struct http_req *r)
{
	http_add_header(r, "Location", "/ui/");
	http_reply_error(r, 302, NULL, "the dashboard is at /ui/");
}

int ui_add_routes(struct http *h)
{
	static const struct http_route routes[] = {
		{ "GET", "/", redirect_root, 0 },
		{ "GET", "/ui", redirect_ui, 0 },
		{ "GET", "/ui/", get_ui_file, 0 },
		{ "GET", "/ui/{path}", get_ui_file, HTTP_ROUTE_REST },
	};

	return http_add_routes(h, routes, ARRAY_SIZE(routes));
}
