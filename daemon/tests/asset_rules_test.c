// SPDX-License-Identifier: GPL-2.0
/* Unit tests of daemon/boot/asset_rules.c: path decoding, Range, ETag, dates. */
#include <errno.h>
#include <string.h>

#include "../boot/asset_rules.h"
#include "tap.h"

static int decode(const char *raw, char *out, size_t size)
{
	return asset_path_decode(raw, strlen(raw), out, size);
}

static void test_paths(void)
{
	static const char *const refused[] = {
		"", "/etc/passwd", "..", "../x", "a/../../x", "a/..", "./a", "a/./b", "a//b",
		"a/", "%2e%2e/x", "%2E%2E", "a/%2e%2e/%2e%2e/x", "%2fetc/passwd", "a%2f..%2fb",
		"a%00b", "a%00", "%0a", "a\tb", "a%7fb", "a%", "a%2", "a%zz", "%%", "a%2f%2fb",
		".%2e", "%2e",
	};
	char out[ASSET_PATH_MAX + 1], small[8];
	char longname[400], longpath[1200];

	is_int(decode("debian/12/linux", out, sizeof(out)), 0, "path: plain");
	ok(!strcmp(out, "debian/12/linux"), "path: kept as is");
	is_int(decode("iso/FD13%20LIVE.iso", out, sizeof(out)), 0, "path: an escaped space");
	ok(!strcmp(out, "iso/FD13 LIVE.iso"), "path: decoded once");
	is_int(decode("a%252e%252e", out, sizeof(out)), 0, "path: %%25 decodes to a literal %%");
	ok(!strcmp(out, "a%2e%2e"), "path: and is not decoded twice");
	is_int(decode("...", out, sizeof(out)), 0, "path: '...' is a name, not a parent");
	is_int(decode(".hidden/a..b", out, sizeof(out)), 0, "path: dots inside names are fine");
	is_int(decode("caf%C3%A9", out, sizeof(out)), 0, "path: UTF-8 names are fine");
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		strcpy(out, "junk");
		ok(decode(refused[i], out, sizeof(out)) == -EINVAL && !out[0],
		   "path: refused: \"%s\"", refused[i]);
	}
	ok(asset_path_decode("a\0b", 3, out, sizeof(out)) == -EINVAL,
	   "path: a raw NUL inside the given length is refused");
	memset(longname, 'x', 256);
	longname[256] = '\0';
	is_int(decode(longname, out, sizeof(out)), -ENAMETOOLONG, "path: a 256-byte component");
	longname[255] = '\0';
	is_int(decode(longname, out, sizeof(out)), 0, "path: a 255-byte component");
	for (size_t i = 0; i < sizeof(longpath) - 1; i++)
		longpath[i] = i % 100 == 99 ? '/' : 'y';
	longpath[sizeof(longpath) - 1] = '\0';
	is_int(decode(longpath, out, sizeof(out)), -ENAMETOOLONG, "path: over 1024 bytes");
	is_int(decode("abcdefgh", small, sizeof(small)), -ENAMETOOLONG,
	       "path: longer than the caller's buffer");
	is_int(decode("abcdefg", small, sizeof(small)), 0, "path: exactly the caller's buffer");
}

static void range(const char *h, uint64_t size, enum asset_range want, uint64_t ws,
		  uint64_t wl)
{
	uint64_t s = 7, l = 7;
	enum asset_range got = asset_range_parse(h, size, &s, &l);

	ok(got == want && (want != ASSET_RANGE_PARTIAL || (s == ws && l == wl)),
	   "range: \"%s\" of %llu bytes", h ? h : "(none)", (unsigned long long)size);
	if (got != want || (want == ASSET_RANGE_PARTIAL && (s != ws || l != wl)))
		printf("#   got %d start %llu len %llu\n", got, (unsigned long long)s,
		       (unsigned long long)l);
}

static void test_ranges(void)
{
	range(NULL, 100, ASSET_RANGE_NONE, 0, 0);
	range("bytes=0-9", 100, ASSET_RANGE_PARTIAL, 0, 10);
	range("bytes=90-", 100, ASSET_RANGE_PARTIAL, 90, 10);
	range("bytes=90-1000", 100, ASSET_RANGE_PARTIAL, 90, 10);
	range("bytes=-10", 100, ASSET_RANGE_PARTIAL, 90, 10);
	range("bytes=-1000", 100, ASSET_RANGE_PARTIAL, 0, 100);
	range("bytes=99-99", 100, ASSET_RANGE_PARTIAL, 99, 1);
	range("bytes=0-18446744073709551615", 100, ASSET_RANGE_PARTIAL, 0, 100);
	range("bytes=100-", 100, ASSET_RANGE_UNSATISFIABLE, 0, 0);
	range("bytes=100-200", 100, ASSET_RANGE_UNSATISFIABLE, 0, 0);
	range("bytes=-0", 100, ASSET_RANGE_UNSATISFIABLE, 0, 0);
	range("bytes=0-", 0, ASSET_RANGE_UNSATISFIABLE, 0, 0);
	range("bytes=-5", 0, ASSET_RANGE_UNSATISFIABLE, 0, 0);
	range("bytes=9-0", 100, ASSET_RANGE_NONE, 0, 0);
	range("bytes=0-1,5-6", 100, ASSET_RANGE_NONE, 0, 0);
	range("bytes=-", 100, ASSET_RANGE_NONE, 0, 0);
	range("bytes=", 100, ASSET_RANGE_NONE, 0, 0);
	range("bytes=a-b", 100, ASSET_RANGE_NONE, 0, 0);
	range("items=0-1", 100, ASSET_RANGE_NONE, 0, 0);
	range("bytes=18446744073709551616-", 100, ASSET_RANGE_NONE, 0, 0);
	range("bytes=0-9x", 100, ASSET_RANGE_NONE, 0, 0);
}

static void test_etags(void)
{
	char e[ASSET_ETAG_SIZE], e2[ASSET_ETAG_SIZE];

	asset_etag(e, 10485760, 1700000000, 5, 1234);
	ok(!strcmp(e, "\"a00000-6553f100.5-4d2\""), "etag: size, mtime and inode in hex (%s)", e);
	asset_etag(e2, 10485760, 1700000000, 6, 1234);
	ok(strcmp(e, e2), "etag: a nanosecond of mtime changes it");
	ok(asset_etag_listed(e, e), "if-none-match: the tag itself");
	ok(asset_etag_listed("*", e), "if-none-match: *");
	ok(asset_etag_listed("\"x\", W/\"a00000-6553f100.5-4d2\"", e),
	   "if-none-match: in a list, weak");
	ok(!asset_etag_listed("\"x\", \"y\"", e), "if-none-match: not listed");
	ok(!asset_etag_listed("a00000-6553f100.5-4d2", e), "if-none-match: unquoted is bad syntax");
	ok(!asset_etag_listed("\"a00000", e), "if-none-match: unterminated");
	ok(!asset_etag_listed(NULL, e), "if-none-match: absent");
	ok(asset_if_range_ok(NULL, e, 0), "if-range: absent");
	ok(asset_if_range_ok(e, e, 0), "if-range: the same tag");
	ok(!asset_if_range_ok("W/\"a00000-6553f100.5-4d2\"", e, 0), "if-range: weak never");
	ok(!asset_if_range_ok(e2, e, 0), "if-range: another tag");
	ok(asset_if_range_ok("Tue, 14 Nov 2023 22:13:20 GMT", e, 1700000000),
	   "if-range: the same date");
	ok(!asset_if_range_ok("Tue, 14 Nov 2023 22:13:21 GMT", e, 1700000000),
	   "if-range: another date");
}

static void test_dates(void)
{
	static const struct {
		time_t t;
		const char *s;
	} dates[] = {
		{ 0, "Thu, 01 Jan 1970 00:00:00 GMT" },
		{ 784111777, "Sun, 06 Nov 1994 08:49:37 GMT" },
		{ 951782400, "Tue, 29 Feb 2000 00:00:00 GMT" },
		{ 1700000000, "Tue, 14 Nov 2023 22:13:20 GMT" },
		{ 4102444799, "Thu, 31 Dec 2099 23:59:59 GMT" },
	};
	static const char *const bad[] = {
		"", "Sun, 06 Nov 1994 08:49:37 UTC", "Sunday, 06-Nov-94 08:49:37 GMT",
		"Sun Nov  6 08:49:37 1994", "Sun, 06 Xyz 1994 08:49:37 GMT",
		"Sun, 36 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 28:49:37 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMT ",
	};
	char s[ASSET_DATE_SIZE];
	time_t t;

	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		asset_http_date(s, dates[i].t);
		ok(!strcmp(s, dates[i].s), "date: format %lld (%s)", (long long)dates[i].t, s);
		ok(!asset_parse_http_date(dates[i].s, &t) && t == dates[i].t,
		   "date: parse %s", dates[i].s);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(asset_parse_http_date(bad[i], &t) == -EINVAL, "date: refused \"%s\"", bad[i]);
}

int main(void)
{
	tap_start();
	test_paths();
	test_ranges();
	test_etags();
	test_dates();
	return tap_end();
}
