/* SPDX-License-Identifier: GPL-2.0 */
/*
 * asset_rules: the pure decisions behind GET|HEAD /assets/<path>.
 *
 * Everything here reads untrusted bytes of a request (the path as sent,
 * the Range, If-None-Match, If-Range and If-Modified-Since headers) with
 * explicit bounds, does no I/O and allocates nothing, so that the unit
 * test and the libFuzzer target (daemon/tests) build it alone.
 */
#ifndef BOOTSAND_ASSET_RULES_H
#define BOOTSAND_ASSET_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define ASSET_PATH_MAX		1024	/* decoded, without the NUL */
#define ASSET_COMPONENT_MAX	255	/* NAME_MAX */
#define ASSET_ETAG_SIZE		64
#define ASSET_DATE_SIZE		48

/*
 * Decodes the part of a request path after "/assets/" exactly as the
 * client sent it (@raw, @len bytes, query already cut off) into @out, a
 * path relative to the asset tree. Percent escapes are decoded once, so
 * "%2e%2e" is "..", and then the result is refused (-EINVAL) when it is
 * empty, absolute, has an empty component ("a//b", a trailing '/'), a "."
 * or ".." component, a NUL or another control byte (< 0x20, 0x7f), or a
 * bad escape ('%' not followed by two hex digits); -ENAMETOOLONG when it
 * or a component is longer than the limits above or than @size - 1.
 * @out is "" on failure.
 */
int asset_path_decode(const char *raw, size_t len, char *out, size_t size);

enum asset_range {
	ASSET_RANGE_NONE,		/* send the whole file (200) */
	ASSET_RANGE_PARTIAL,		/* send *start, *len (206) */
	ASSET_RANGE_UNSATISFIABLE,	/* 416 with Content-Range: bytes * /size */
};

/*
 * One Range header against a file of @size bytes. NULL, a unit other than
 * "bytes", bad syntax and several ranges all give ASSET_RANGE_NONE (RFC
 * 9110 lets a server ignore Range; several ranges would need multipart).
 * "bytes=a-b", "bytes=a-" and "bytes=-n" are honoured; an end past the
 * file is clamped; a start at or past the end, or a zero suffix, is
 * unsatisfiable.
 */
enum asset_range asset_range_parse(const char *header, uint64_t size,
				   uint64_t *start, uint64_t *len);

/* A strong validator from what changes when the file does: "size-mtime-inode". */
void asset_etag(char out[ASSET_ETAG_SIZE], uint64_t size, int64_t mtime_sec,
		long mtime_nsec, uint64_t inode);

/*
 * If-None-Match: true when @header is "*" or lists @etag (weak comparison:
 * a W/ prefix on either side is ignored). False for NULL or bad syntax.
 */
bool asset_etag_listed(const char *header, const char *etag);

/* IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") of @t. */
void asset_http_date(char out[ASSET_DATE_SIZE], time_t t);
/* Parses an IMF-fixdate: 0, or -EINVAL for anything else (then ignored). */
int asset_parse_http_date(const char *s, time_t *t);

/*
 * If-Range: may the Range header be honoured? Yes when @header is absent,
 * equals @etag exactly (strong comparison, so never a W/ tag), or is a
 * date equal to @mtime (second precision).
 */
bool asset_if_range_ok(const char *header, const char *etag, time_t mtime);

#endif /* BOOTSAND_ASSET_RULES_H */
