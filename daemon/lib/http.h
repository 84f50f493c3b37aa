/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HTTP server: an acceptor thread per CPU (http_accept.h) that answers
 * HTTP_ROUTE_FAST routes itself and hands every other connection to
 * libmicrohttpd (poll() in a pool of one thread per CPU; see start_mhd()
 * for why not epoll; /api/ and fast requests that would wait each have a
 * daemon of their own), a route table, bodies gathered up to a limit,
 * bearer-token auth for /api/ and JSON replies.
 *
 * A module adds its routes once before http_start():
 *
 *	static void get_image(struct http_req *r)
 *	{
 *		const char *name = http_param(r, "name");	// from {name}
 *		...
 *		http_reply_json(r, 200, obj);			// takes obj
 *	}
 *	static const struct http_route routes[] = {
 *		{ "GET", "/api/v1/images/{name}", get_image, 0 },
 *		{ "POST", "/api/v1/images", post_images, HTTP_ROUTE_JSON },
 *	};
 *	http_add_routes(h, routes, ARRAY_SIZE(routes));
 *
 * Before a handler runs the core has answered, itself and consistently:
 * 401 (missing or wrong token on /api/ paths, unless HTTP_ROUTE_PUBLIC),
 * 404 (no route's pattern matches the path), 405 (a pattern matches but
 * not the method; Allow lists the methods), 413 (body over the limit),
 * 415 (HTTP_ROUTE_JSON and the body is not application/json) and 400
 * (HTTP_ROUTE_JSON and the body is not JSON). Every error body is
 * {"error": "...", "field": "..."} ("field" only when one is to blame).
 * A handler must reply exactly once; one that does not yields a 500.
 * Handlers run on the server's threads, several at a time.
 */
#ifndef BOOTSAND_HTTP_H
#define BOOTSAND_HTTP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#define HTTP_BODY_LIMIT		(1024 * 1024)
#define HTTP_MIN_THREADS	2	/* event loops: one per CPU, within these */
#define HTTP_MAX_THREADS	16
/*
 * A lab powering on connects all at once: a full accept queue drops SYNs,
 * which cost the client a 1 s retransmit. The kernel caps it at
 * net.core.somaxconn (4096 by default since Linux 5.4).
 */
#define HTTP_LISTEN_BACKLOG	4096
/* Boot clients' connections at once: a room of 5,000 machines fits. */
#define HTTP_CONN_LIMIT		10000
#define HTTP_CONN_TIMEOUT	120	/* seconds idle, once a request is under way */
/* Connections the API's own daemon takes, apart from the boot clients'. */
#define HTTP_API_CONN_LIMIT	64
/*
 * Fast requests that would wait (http_reply_elsewhere()) go to a daemon of
 * their own: these connections at once, past them the boot clients' event
 * loops. A few event loops, not a thread per connection: every thread
 * that reads the store keeps a read connection of its own for good
 * (store/db.c), and those are few.
 */
#define HTTP_SLOW_CONN_LIMIT	128
#define HTTP_SLOW_THREADS	4
/* Connections one address may hold (0: no limit); a lab machine needs a few. */
#define HTTP_PER_ADDRESS_LIMIT	64
/* Seconds a new connection has to send its first request head (slowloris). */
#define HTTP_REQUEST_DEADLINE	30
#define HTTP_MAX_ROUTES		128
#define HTTP_MAX_PARAMS		4
#define HTTP_MAX_LISTEN		16

struct http;
struct http_req;
struct MHD_Response;

typedef void (*http_handler)(struct http_req *r);

enum {
	/* No bearer token needed, even under /api/. */
	HTTP_ROUTE_PUBLIC = 1 << 0,
	/* The body is JSON: 415 unless application/json, 400 unless valid;
	 * http_json() gives it to the handler. */
	HTTP_ROUTE_JSON = 1 << 1,
	/* The pattern's last {param} takes the rest of the path, slashes
	 * included ("/assets/{path}" matches /assets/a/b). */
	HTTP_ROUTE_REST = 1 << 2,
	/*
	 * Answered on the acceptor's thread (http_accept.h) when the request
	 * is a GET or HEAD without a body: for the boot scripts, which a lab
	 * powering on asks for all at once. The handler must be quick and
	 * reply with http_reply_buf/json/error (not http_reply_response);
	 * http_query/http_header/http_peer/http_param work as usual. One
	 * that would wait (for the store's writer, say) calls
	 * http_reply_elsewhere() instead of answering.
	 */
	HTTP_ROUTE_FAST = 1 << 3,
};

struct http_route {
	const char *method;	/* "GET", "POST", ...; HEAD is served by GET routes */
	const char *pattern;	/* "/api/v1/images/{name}": {x} is one path segment */
	http_handler handler;
	unsigned int flags;
};

/* @ctx is what http_ctx() returns to handlers. */
struct http *http_new(void *ctx);
void http_free(struct http *h);	/* stops it first if running */

/* The bearer token /api/ routes require (copied). NULL: no token accepted. */
int http_set_token(struct http *h, const char *token);
/* Largest body accepted; HTTP_BODY_LIMIT by default. */
void http_set_body_limit(struct http *h, size_t limit);
/* Connections per address (0: no limit) and seconds for a connection's
 * first request head; HTTP_PER_ADDRESS_LIMIT and HTTP_REQUEST_DEADLINE by
 * default. Before http_start(). */
void http_set_limits(struct http *h, unsigned int per_address, unsigned int deadline);

/* Add routes (the table is referenced, not copied). -EEXIST on a duplicate
 * method and pattern, -ENOSPC past HTTP_MAX_ROUTES, -EINVAL on a bad pattern. */
int http_add_routes(struct http *h, const struct http_route *routes, size_t n);
size_t http_route_count(const struct http *h);
const struct http_route *http_route_at(const struct http *h, size_t i);

/*
 * Match @method and @path: the index of the route, or -404, or -405 with
 * the path's methods in @allow ("GET, POST"). Parameters go to @names and
 * @values (pointers into @buf, a copy of @path of @bufsize bytes).
 */
struct http_match {
	int nparams;
	const char *names[HTTP_MAX_PARAMS];
	size_t name_len[HTTP_MAX_PARAMS];
	const char *values[HTTP_MAX_PARAMS];
};
int http_match(const struct http *h, const char *method, const char *path,
	       char *buf, size_t bufsize, struct http_match *m, char *allow, size_t allowlen);

/* Parse "ADDR:PORT" or "[ADDR6]:PORT": 0 or -EINVAL. */
struct sockaddr_storage;
int http_parse_listen(const char *spec, struct sockaddr_storage *ss, unsigned int *len);
/* Bind and listen on @spec now (IPv6 sockets are v6-only). 0 or -errno with @err. */
int http_listen(struct http *h, const char *spec, char *err, size_t errlen);
/* "127.0.0.1:8080" / "[::1]:8080" of listen socket @i (port resolved), or NULL. */
const char *http_listen_name(const struct http *h, size_t i);
size_t http_listen_count(const struct http *h);

int http_start(struct http *h, char *err, size_t errlen);
void http_stop(struct http *h);

/* Prometheus text for the HTTP counters (bootsand_http_requests_total). */
void http_metrics(struct http *h, FILE *out);

/* ---- in a handler ---- */

void *http_ctx(struct http_req *r);
const char *http_method(struct http_req *r);
const char *http_path(struct http_req *r);
/* The request target as sent: not percent-decoded, query included. */
const char *http_raw_url(struct http_req *r);
/* The value of path parameter {name}; NULL if the pattern has none. */
const char *http_param(struct http_req *r, const char *name);
/* A query argument, a request header; NULL when absent. */
const char *http_query(struct http_req *r, const char *name);
const char *http_header(struct http_req *r, const char *name);
/* The peer's address as text ("" when unknown). */
const char *http_peer(struct http_req *r);
/* The raw body (NUL-terminated, may hold NULs) and, for JSON routes, the parsed one. */
const char *http_body(struct http_req *r, size_t *len);
json_t *http_json(struct http_req *r);

/*
 * json_unpack_ex() of @j with @fmt (use "!" for strict objects). On
 * failure replies 400 with the offending field and returns -1, else 0.
 */
int http_unpack(struct http_req *r, json_t *j, const char *fmt, ...);

/* Extra header on the reply (copied), e.g. Location. */
void http_add_header(struct http_req *r, const char *name, const char *value);
/* Reply with @body (reference taken over; NULL for an empty body). */
void http_reply_json(struct http_req *r, int status, json_t *body);
/* Reply with a malloc'ed buffer (taken over). */
void http_reply_buf(struct http_req *r, int status, const char *content_type,
		    char *buf, size_t len);
/* Reply with a response built by the caller (reference taken over). */
void http_reply_response(struct http_req *r, int status, struct MHD_Response *resp);
/* {"error": <fmt>, "field": @field} with @status; @field may be NULL. */
void http_reply_error(struct http_req *r, int status, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* An error for a store/syscall errno: ENOENT 404, EEXIST/EBUSY 409,
 * EINVAL/E2BIG 400, ENOSPC 507, anything else 500. */
void http_reply_errno(struct http_req *r, int err, const char *field, const char *what);
bool http_replied(struct http_req *r);

/*
 * Is @r answered on an acceptor's thread (HTTP_ROUTE_FAST)? Then every
 * connection that acceptor holds, /api/ ones included, waits while the
 * handler runs: it must not wait for anything.
 */
bool http_on_acceptor(struct http_req *r);
/*
 * On an acceptor: not answered here; the connection goes to the slow
 * daemon (HTTP_SLOW_CONN_LIMIT) and the handler runs again there, off the
 * acceptor. Elsewhere it is a 500.
 */
void http_reply_elsewhere(struct http_req *r);

/*
 * The field that a failed json_unpack_ex() of a flat object format points
 * at ("size_bytes"), from the error and the format and keys: into @buf,
 * "" when the object itself is to blame. Exposed for the unit tests.
 */
void http_unpack_field(const json_error_t *e, const char *fmt, va_list ap,
		       char *buf, size_t size);

#endif /* BOOTSAND_HTTP_H */
