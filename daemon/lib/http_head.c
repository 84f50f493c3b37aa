// SPDX-License-Identifier: GPL-2.0
/* The first look at a request head; see http_head.h. */
#include <string.h>
#include <strings.h>

#include "http_head.h"

/* The end of the line starting at @p (the offset of its '\n'), or @len. */
static size_t line_end(const char *buf, size_t p, size_t len)
{
	const char *nl = memchr(buf + p, '\n', len - p);

	return nl ? (size_t)(nl - buf) : len;
}

/* @p..@e without the '\r' before the '\n' and the blanks around it. */
static void trim(const char *buf, size_t *p, size_t *e)
{
	while (*e > *p && (buf[*e - 1] == '\r' || buf[*e - 1] == ' ' || buf[*e - 1] == '\t'))
		(*e)--;
	while (*p < *e && (buf[*p] == ' ' || buf[*p] == '\t'))
		(*p)++;
}

static int refuse(struct http_head_info *info, int status, const char *why)
{
	info->why = why;
	return status;
}

/* The request line @buf[p..e): target length, query arguments, /api/. */
static int check_request_line(const char *buf, size_t p, size_t e, struct http_head_info *info)
{
	const char *sp1 = memchr(buf + p, ' ', e - p), *t, *q;
	size_t tlen, args = 0;

	if (!sp1)
		return refuse(info, 400, "malformed request line");
	t = sp1 + 1;
	q = memchr(t, ' ', (size_t)(buf + e - t));
	tlen = q ? (size_t)(q - t) : (size_t)(buf + e - t);
	if (tlen > HTTP_TARGET_MAX)
		return refuse(info, 414, "request target too long");
	info->api = tlen >= 5 && !memcmp(t, "/api/", 5);
	q = memchr(t, '?', tlen);
	if (q) {
		/* Arguments are the non-empty pieces between '&'s, up to a '#'. */
		bool piece = false;

		for (q++; q < t + tlen && *q != '#'; q++) {
			if (*q == '&') {
				piece = false;
			} else if (!piece) {
				piece = true;
				if (++args > HTTP_QUERY_ARGS_MAX)
					return refuse(info, 400, "too many query arguments");
			}
		}
	}
	return 0;
}

/* A Content-Length value @buf[p..e): 1 to 19 digits. */
static bool length_ok(const char *buf, size_t p, size_t e, unsigned long long *v)
{
	if (e == p || e - p > 19)
		return false;
	*v = 0;
	for (; p < e; p++) {
		if (buf[p] < '0' || buf[p] > '9')
			return false;
		*v = *v * 10 + (unsigned long long)(buf[p] - '0');
	}
	return true;
}

int http_head_check(const char *buf, size_t len, size_t max, struct http_head_info *info)
{
	static const char cl[] = "content-length";
	unsigned long long length = 0, v;
	bool have_length = false;
	size_t p = 0, e, first;
	int rc;

	memset(info, 0, sizeof(*info));
	if (len > max)
		len = max;
	/* Empty lines before the request line are ignored (RFC 9112 2.2). */
	while (p < len && (buf[p] == '\r' || buf[p] == '\n'))
		p++;
	first = p;
	e = line_end(buf, p, len);
	if (e == len)	/* the request line is not complete yet */
		return e - first > HTTP_TARGET_MAX + 64 ? refuse(info, 414, "request target too long") :
		       len >= max ? refuse(info, 431, "request head too large") : 0;
	{
		size_t a = p, b = e;

		trim(buf, &a, &b);
		rc = check_request_line(buf, a, b, info);
		if (rc)
			return rc;
	}
	for (p = e + 1;; p = e + 1) {
		size_t a, b, colon;

		if (p >= len)
			return len >= max ? refuse(info, 431, "request head too large") : 0;
		e = line_end(buf, p, len);
		if (e == len)
			return len >= max ? refuse(info, 431, "request head too large") : 0;
		a = p;
		b = e;
		if (b > a && buf[b - 1] == '\r')
			b--;
		if (a == b) {	/* the blank line: the head is complete */
			info->len = e + 1;
			return 1;
		}
		colon = a;
		while (colon < b && buf[colon] != ':')
			colon++;
		if (colon - a != sizeof(cl) - 1 || strncasecmp(buf + a, cl, sizeof(cl) - 1))
			continue;
		a = colon + 1;
		trim(buf, &a, &b);
		if (!length_ok(buf, a, b, &v))
			return refuse(info, 400, "bad Content-Length: want a number of bytes");
		if (have_length && v != length)
			return refuse(info, 400, "two different Content-Length headers");
		have_length = true;
		length = v;
	}
}
