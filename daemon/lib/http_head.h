/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The first look at a request head, before libmicrohttpd parses it: the
 * acceptor (http_accept.c) reads a new connection's first bytes with
 * MSG_PEEK and asks http_head_check() whether the head is complete and
 * sane. libmicrohttpd 0.9.75 answers some heads badly itself (a bad
 * Content-Length gets its status line and headers twice; hundreds of query
 * arguments overflow its per-connection pool and the connection is closed
 * without an answer), so those are answered here instead. Pure: no I/O, no
 * allocation, every read within @len.
 */
#ifndef BOOTSAND_HTTP_HEAD_H
#define BOOTSAND_HTTP_HEAD_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_HEAD_MAX		16384	/* request line and headers, bytes */
#define HTTP_TARGET_MAX		8192	/* the request target, bytes */
#define HTTP_QUERY_ARGS_MAX	64	/* query arguments */

struct http_head_info {
	size_t len;		/* of the head, through its blank line */
	bool api;		/* the target is under /api/ */
	const char *why;	/* for a refusal: a static message */
};

/*
 * Look at the @len bytes at @buf (a connection's first bytes; at most
 * @max are ever given). Returns 0 when the head is incomplete and may still
 * be completed, 1 when it is complete and libmicrohttpd may have it (@info
 * filled), or the HTTP status to refuse it with (400, 414, 431; @info->why
 * says why).
 */
int http_head_check(const char *buf, size_t len, size_t max, struct http_head_info *info);

#endif /* BOOTSAND_HTTP_HEAD_H */
