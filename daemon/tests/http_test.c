// SPDX-License-Identifier: GPL-2.0
/* Unit tests of http.c (routing, listen addresses, JSON validation) and of
 * the route table against the OpenAPI document. TAP on stdout. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "api/api.h"
#include "lib/bootsand.h"
#include "lib/http.h"
#include "lib/http_head.h"
#include "lib/log.h"
#include "lib/util.h"
#include "tap.h"

static void h_dummy(struct http_req *r)
{
	(void)r;
}

static const struct http_route test_routes[] = {
	{ "GET", "/a", h_dummy, 0 },
	{ "POST", "/a", h_dummy, HTTP_ROUTE_JSON },
	{ "GET", "/a/{x}", h_dummy, 0 },
	{ "DELETE", "/a/{x}", h_dummy, 0 },
	{ "POST", "/a/{x}/b/{y}", h_dummy, 0 },
	{ "GET", "/static/path", h_dummy, 0 },
	{ "GET", "/files/{x}/{rest}", h_dummy, HTTP_ROUTE_REST },
};

static int match(struct http *h, const char *method, const char *path, struct http_match *m,
		 char *allow)
{
	static char buf[256];

	return http_match(h, method, path, buf, sizeof(buf), m, allow, 128);
}

static void test_routing(void)
{
	struct http *h = http_new(NULL);
	struct http_match m;
	char allow[128];
	static const struct http_route dup[] = { { "GET", "/a", h_dummy, 0 } };
	static const struct http_route bad[] = { { "GET", "/a/x{y}", h_dummy, 0 } };
	static const struct http_route bad2[] = { { "GET", "nope", h_dummy, 0 } };

	is_int(http_add_routes(h, test_routes, ARRAY_SIZE(test_routes)), 0, "routes: added");
	is_int(http_route_count(h), ARRAY_SIZE(test_routes), "routes: counted");
	is_int(http_add_routes(h, dup, 1), -EEXIST, "routes: a duplicate is refused");
	is_int(http_add_routes(h, bad, 1), -EINVAL, "routes: {x} must be a whole segment");
	is_int(http_add_routes(h, bad2, 1), -EINVAL, "routes: patterns start with /");

	is_int(match(h, "GET", "/a", &m, allow), 0, "match: GET /a");
	is_int(match(h, "POST", "/a", &m, allow), 1, "match: POST /a");
	is_int(match(h, "HEAD", "/a", &m, allow), 0, "match: HEAD is served by GET");
	is_int(match(h, "GET", "/files/k/a/b/c", &m, allow), 6, "match: HTTP_ROUTE_REST");
	ok(m.nparams == 2 && !strcmp(m.values[0], "k") && !strcmp(m.values[1], "a/b/c"),
	   "match: the last parameter takes the rest of the path, the others one segment");
	is_int(match(h, "GET", "/files/k", &m, allow), -404, "match: the rest is not empty");
	is_int(match(h, "GET", "/a/foo/bar", &m, allow), -404,
	       "match: without HTTP_ROUTE_REST a parameter is one segment");
	is_int(match(h, "GET", "/a/foo", &m, allow), 2, "match: GET /a/{x}");
	ok(m.nparams == 1 && !strcmp(m.values[0], "foo") && m.name_len[0] == 1 &&
	   m.names[0][0] == 'x', "match: parameter x = foo");
	is_int(match(h, "POST", "/a/one/b/two", &m, allow), 4, "match: two parameters");
	ok(m.nparams == 2 && !strcmp(m.values[0], "one") && !strcmp(m.values[1], "two"),
	   "match: x = one, y = two");
	is_int(match(h, "PUT", "/a", &m, allow), -405, "match: PUT /a is 405");
	ok(!strcmp(allow, "GET, HEAD, POST"), "match: Allow lists GET, HEAD, POST (%s)", allow);
	is_int(match(h, "GET", "/a/one/b/two", &m, allow), -405, "match: GET on a POST-only path is 405");
	is_int(match(h, "GET", "/b", &m, allow), -404, "match: unknown path is 404");
	is_int(match(h, "GET", "/a/", &m, allow), -404, "match: empty parameter is 404");
	is_int(match(h, "GET", "/a/x/", &m, allow), -404, "match: trailing slash is 404");
	is_int(match(h, "GET", "//a", &m, allow), -404, "match: double slash is 404");
	is_int(match(h, "GET", "/static/pat", &m, allow), -404, "match: prefix of a segment is 404");
	is_int(match(h, "GET", "/static/paths", &m, allow), -404, "match: longer segment is 404");
	is_int(match(h, "GET", "/static/path", &m, allow), 5, "match: static path");
	is_int(match(h, "GET", "", &m, allow), -404, "match: empty path is 404");
	http_free(h);
}

static void test_listen_parse(void)
{
	static const struct {
		const char *s;
		int ok, family;
	} cases[] = {
		{ "0.0.0.0:8080", 1, AF_INET }, { "127.0.0.1:0", 1, AF_INET },
		{ "[::]:8080", 1, AF_INET6 }, { "[::1]:1", 1, AF_INET6 },
		{ "::1:8080", 0, 0 }, { "localhost:80", 0, 0 }, { "1.2.3.4", 0, 0 },
		{ "1.2.3.4:", 0, 0 }, { "1.2.3.4:65536", 0, 0 }, { "1.2.3.4:-1", 0, 0 },
		{ "[::1]8080", 0, 0 }, { "[1.2.3.4]:80", 0, 0 }, { ":80", 0, 0 },
		{ "1.2.3.4:80x", 0, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct sockaddr_storage ss;
		unsigned int len;
		int rc = http_parse_listen(cases[i].s, &ss, &len);

		if (cases[i].ok)
			ok(rc == 0 && ss.ss_family == cases[i].family, "listen: '%s' parses",
			   cases[i].s);
		else
			ok(rc == -EINVAL, "listen: '%s' is refused", cases[i].s);
	}
}

/* The field http_unpack() would blame for @doc against @fmt. */
static const char *field_of(const char *doc, const char *fmt, ...)
{
	static char field[128];
	json_t *j = json_loads(doc, 0, NULL);
	json_error_t e;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = json_vunpack_ex(j, &e, 0, fmt, ap);
	va_end(ap);
	if (!rc) {
		json_decref(j);
		return "(no error)";
	}
	va_start(ap, fmt);
	http_unpack_field(&e, fmt, ap, field, sizeof(field));
	va_end(ap);
	json_decref(j);
	return field;
}

static void test_unpack_fields(void)
{
	const char *s = NULL, *t = NULL;
	json_int_t i = 0;
	int b = 0;
	json_t *o = NULL;
	size_t sl;
	const char *fmt = "{s:s, s?I, s?b, s?o, s?s !}";
#define F(doc) field_of(doc, fmt, "name", &s, "size", &i, "ro", &b, "any", &o, "from", &t)

	ok(!strcmp(F("{\"name\": 1}"), "name"), "unpack: wrong type of the first key");
	ok(!strcmp(F("{\"name\": \"a\", \"size\": \"x\"}"), "size"), "unpack: wrong type of the second");
	ok(!strcmp(F("{\"name\": \"a\", \"ro\": 1}"), "ro"), "unpack: wrong type of a boolean");
	ok(!strcmp(F("{\"name\": \"a\", \"from\": []}"), "from"), "unpack: wrong type after an 'o'");
	ok(!strcmp(F("{\"size\": 1}"), "name"), "unpack: a missing key");
	ok(!strcmp(F("{\"name\": \"a\", \"zz\": 1}"), "zz"), "unpack: an unknown key");
	ok(!strcmp(F("[1]"), ""), "unpack: not an object blames no field");
	ok(!strcmp(F("{\"name\": \"a\", \"size\": 1.5}"), "size"), "unpack: a real is no integer");
	ok(!strcmp(field_of("{\"a\": \"x\", \"c\": {\"d\": 1}}", "{s:s%, s:{s:s}}", "a", &s, &sl,
			    "c", "d", &t), "c"), "unpack: nested errors blame the top-level key");
	ok(!strcmp(field_of("{\"a\": [1], \"b\": 1}", "{s:[i], s:s}", "a", &b, "b", &t), "b"),
	   "unpack: keys after an array are found");
#undef F
}

/* Every route is in the OpenAPI document and every operation is a route. */
static void test_openapi(void)
{
	static const char *const methods[] = { "get", "post", "put", "patch", "delete", "head" };
	struct bsd d;
	struct http *h;
	json_t *doc = api_openapi(), *paths, *item;
	const char *path;
	int missing = 0, extra = 0, params_bad = 0;

	ok(doc != NULL, "openapi: the document parses");
	if (!doc)
		return;
	ok(!strncmp(json_string_value(json_object_get(doc, "openapi")) ?: "", "3.0", 3),
	   "openapi: it is OpenAPI 3.0");
	memset(&d, 0, sizeof(d));
	h = http_new(&d);
	is_int(api_add_routes(&d, h), 0, "openapi: the API's routes are added");
	paths = json_object_get(doc, "paths");
	for (size_t i = 0; i < http_route_count(h); i++) {
		const struct http_route *r = http_route_at(h, i);
		char m[16];

		snprintf(m, sizeof(m), "%s", r->method);
		for (char *p = m; *p; p++)
			*p = (char)(*p + ('a' - 'A') * (*p >= 'A' && *p <= 'Z'));
		item = json_object_get(paths, r->pattern);
		if (!item || !json_object_get(item, m)) {
			printf("# route %s %s is not in the OpenAPI document\n", r->method,
			       r->pattern);
			missing++;
		}
		/* Each {param} of the pattern is declared. */
		for (const char *p = strchr(r->pattern, '{'); p; p = strchr(p + 1, '{')) {
			char name[64];
			const char *e = strchr(p, '}');
			json_t *params = json_object_get(item, "parameters"), *pa;
			size_t k;
			bool found = false;

			snprintf(name, sizeof(name), "%.*s", (int)(e - p - 1), p + 1);
			json_array_foreach(params, k, pa) {
				const char *ref = json_string_value(json_object_get(pa, "$ref"));

				if (ref) {
					const char *last = strrchr(ref, '/');

					pa = json_object_get(json_object_get(json_object_get(doc,
						"components"), "parameters"), last ? last + 1 : "");
				}
				if (json_is_string(json_object_get(pa, "name")) &&
				    !strcmp(json_string_value(json_object_get(pa, "name")), name))
					found = true;
			}
			if (!found) {
				printf("# %s: parameter {%s} not declared\n", r->pattern, name);
				params_bad++;
			}
		}
	}
	json_object_foreach(paths, path, item) {
		for (size_t k = 0; k < ARRAY_SIZE(methods); k++) {
			char allow[128], buf[512], M[16];
			struct http_match mm;
			int idx;

			if (!json_object_get(item, methods[k]))
				continue;
			snprintf(M, sizeof(M), "%s", methods[k]);
			for (char *p = M; *p; p++)
				*p = (char)(*p - ('a' - 'A'));
			idx = http_match(h, M, path, buf, sizeof(buf), &mm, allow, sizeof(allow));
			if (idx < 0 || strcmp(http_route_at(h, (size_t)idx)->pattern, path)) {
				printf("# OpenAPI operation %s %s has no route\n", M, path);
				extra++;
			}
		}
	}
	is_int(missing, 0, "openapi: every route is documented");
	is_int(extra, 0, "openapi: every documented operation is a route");
	is_int(params_bad, 0, "openapi: every path parameter is declared");
	http_free(h);
	json_decref(doc);
}

static void test_util(void)
{
	ok(str_equal_ct("abc", "abc"), "ct compare: equal");
	ok(!str_equal_ct("abc", "abd"), "ct compare: differ");
	ok(!str_equal_ct("abc", "abcabc"), "ct compare: a repeat is not equal");
	ok(!str_equal_ct("", "a") && str_equal_ct("", ""), "ct compare: empty strings");
	ok(name_valid("a") && name_valid("pc-42.img_x") && name_valid("0"),
	   "names: valid ones");
	ok(!name_valid("") && !name_valid(".a") && !name_valid("-a") && !name_valid("A") &&
	   !name_valid("a/b") && !name_valid("a b") &&
	   !name_valid("a1234567890123456789012345678901234567890123456789012345678901234"),
	   "names: invalid ones (empty, leading dot or dash, upper case, slash, space, 65 chars)");
}

static int head(const char *s, struct http_head_info *info)
{
	return http_head_check(s, strlen(s), HTTP_HEAD_MAX, info);
}

static void test_head_check(void)
{
	struct http_head_info info;
	static char big[HTTP_HEAD_MAX + 100];
	char *q;
	size_t n;

	is_int(head("GET /boot/ipxe?mac=1 HTTP/1.1\r\nHost: x\r\n\r\n", &info), 1,
	       "head: a complete head");
	ok(info.len == strlen("GET /boot/ipxe?mac=1 HTTP/1.1\r\nHost: x\r\n\r\n") && !info.api,
	   "head: its length, not the API");
	is_int(head("\r\nGET /api/v1/status HTTP/1.1\nHost: x\n\nrest", &info), 1,
	       "head: bare LFs and a blank line before it");
	ok(info.api, "head: /api/ is the API's");
	is_int(head("GET /apix HTTP/1.1\r\n\r\n", &info), 1, "head: no headers");
	ok(!info.api, "head: /apix is not the API");
	is_int(head("GET / HTTP/1.1\r\nHost: x\r\n", &info), 0, "head: not complete yet");
	is_int(head("GET / HT", &info), 0, "head: the request line not complete yet");
	is_int(head("", &info), 0, "head: nothing yet");
	is_int(head("POST / HTTP/1.1\r\nContent-Length:  12 \r\n\r\n", &info), 1,
	       "head: a Content-Length with blanks");
	is_int(head("POST / HTTP/1.1\r\ncontent-length: 5\r\nContent-Length: 5\r\n\r\n", &info), 1,
	       "head: the same Content-Length twice");
	for (const char *const *v = (const char *const[]){ "-1", "abc", "1x", "", "+5", "0x10",
							   "12345678901234567890", NULL }; *v; v++) {
		char h[128];

		snprintf(h, sizeof(h), "POST / HTTP/1.1\r\nContent-Length: %s\r\n\r\n", *v);
		is_int(head(h, &info), 400, "head: Content-Length '%s' is 400", *v);
	}
	is_int(head("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", &info),
	       400, "head: two different Content-Lengths are 400");
	is_int(head("GARBAGE\r\n\r\n", &info), 400, "head: no target is 400");
	/* query arguments: the limit, one over, empty pieces not counted */
	strcpy(big, "GET /boot/ipxe?");
	q = big + strlen(big);
	for (int i = 0; i < HTTP_QUERY_ARGS_MAX; i++)
		q += sprintf(q, "a%d=1&&", i);
	strcpy(q, " HTTP/1.1\r\n\r\n");
	is_int(head(big, &info), 1, "head: %d query arguments", HTTP_QUERY_ARGS_MAX);
	strcpy(q, "x=1#a&b&c HTTP/1.1\r\n\r\n");
	is_int(head(big, &info), 400, "head: %d query arguments are 400", HTTP_QUERY_ARGS_MAX + 1);
	/* sizes */
	memset(big, 0, sizeof(big));
	strcpy(big, "GET /");
	memset(big + 5, 'a', HTTP_TARGET_MAX);
	strcpy(big + 5 + HTTP_TARGET_MAX, " HTTP/1.1\r\n\r\n");
	is_int(head(big, &info), 414, "head: a target over %d bytes is 414", HTTP_TARGET_MAX);
	big[5 + HTTP_TARGET_MAX] = '\0';
	is_int(head(big, &info), 0, "head: a long target still coming");
	memset(big + 5, 'a', HTTP_TARGET_MAX + 80);
	big[5 + HTTP_TARGET_MAX + 80] = '\0';
	is_int(head(big, &info), 414, "head: a target too long before its end is 414");
	strcpy(big, "GET / HTTP/1.1\r\n");
	n = strlen(big);
	while (n < HTTP_HEAD_MAX)
		n += (size_t)sprintf(big + n, "X-A: b\r\n");
	is_int(http_head_check(big, HTTP_HEAD_MAX, HTTP_HEAD_MAX, &info), 431,
	       "head: %d bytes without an end are 431", HTTP_HEAD_MAX);
	ok(info.why && info.why[0], "head: a refusal says why");
}

int main(void)
{
	tap_start();
	log_set_level(LOG_LVL_ERROR);
	test_routing();
	test_listen_parse();
	test_unpack_fields();
	test_openapi();
	test_util();
	test_head_check();
	return tap_end();
}
