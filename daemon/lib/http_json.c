// SPDX-License-Identifier: GPL-2.0
/* JSON replies every REST handler shares; see http_json.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "http.h"
#include "http_json.h"
#include "util.h"

json_t *json_time(int64_t t)
{
	char buf[32];

	if (!t)
		return json_null();
	time_iso8601(t, buf, sizeof(buf));
	return json_string(buf);
}

void http_reply_created(struct http_req *r, int status, json_t *body, const char *fmt, ...)
{
	char loc[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(loc, sizeof(loc), fmt, ap);
	va_end(ap);
	http_add_header(r, "Location", loc);
	http_reply_json(r, status, body);
}

void http_reply_list(struct http_req *r, const char *name, json_t *items)
{
	http_reply_json(r, 200, json_pack("{s:o}", name, items));
}

int http_page_args(struct http_req *r, int *limit, const char **after)
{
	const char *l = http_query(r, "limit"), *a = http_query(r, "after");
	char *end;
	long v;

	*limit = HTTP_PAGE_DEFAULT;
	*after = a ? a : "";
	if (!l)
		return 0;
	errno = 0;
	v = strtol(l, &end, 10);
	if (!l[0] || *end || errno || v < 1 || v > HTTP_PAGE_MAX || l[0] == '+') {
		http_reply_error(r, 400, "limit", "limit is a number of items from 1 to %d",
				 HTTP_PAGE_MAX);
		return -1;
	}
	*limit = (int)v;
	return 0;
}

void http_reply_page(struct http_req *r, const char *name, json_t *items, json_t *next)
{
	json_t *o = json_pack("{s:o}", name, items);

	if (next)
		json_object_set_new(o, "next", next);
	http_reply_json(r, 200, o);
}
