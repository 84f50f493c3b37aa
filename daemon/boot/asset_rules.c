// SPDX-License-Identifier: GPL-2.0
/* The pure decisions of the asset server; see asset_rules.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "asset_rules.h"

static int hex(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Is the component out[from..to) acceptable? */
static int component_ok(const char *out, size_t from, size_t to)
{
	size_t n = to - from;

	if (n == 0)
		return -EINVAL;
	if (n > ASSET_COMPONENT_MAX)
		return -ENAMETOOLONG;
	if ((n == 1 && out[from] == '.') || (n == 2 && out[from] == '.' && out[from + 1] == '.'))
		return -EINVAL;
	return 0;
}

int asset_path_decode(const char *raw, size_t len, char *out, size_t size)
{
	size_t i = 0, o = 0, comp = 0;
	int err;

	if (!size)
		return -EINVAL;
	out[0] = '\0';
	if (!raw || !len)
		return -EINVAL;
	while (i < len) {
		unsigned char c = (unsigned char)raw[i];

		if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				goto bad;
			hi = hex((unsigned char)raw[i + 1]);
			lo = hex((unsigned char)raw[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			c = (unsigned char)(hi << 4 | lo);
			i += 3;
		} else {
			i++;
		}
		if (c < 0x20 || c == 0x7f)
			goto bad;
		if (o + 1 >= size || o >= ASSET_PATH_MAX) {
			out[0] = '\0';
			return -ENAMETOOLONG;
		}
		if (c == '/') {
			err = component_ok(out, comp, o);
			if (err)
				goto fail;
			comp = o + 1;
		}
		out[o++] = (char)c;
	}
	out[o] = '\0';
	err = component_ok(out, comp, o);
	if (err)
		goto fail;
	return 0;
bad:
	err = -EINVAL;
fail:
	out[0] = '\0';
	return err;
}

/* Decimal digits into *v; the count of digits read, or -1 on overflow/none. */
static int number(const char *s, uint64_t *v)
{
	int n = 0;

	*v = 0;
	while (s[n] >= '0' && s[n] <= '9') {
		unsigned int d = (unsigned int)(s[n] - '0');

		if (*v > (UINT64_MAX - d) / 10)
			return -1;
		*v = *v * 10 + d;
		n++;
	}
	return n ? n : -1;
}

enum asset_range asset_range_parse(const char *h, uint64_t size,
				   uint64_t *start, uint64_t *len)
{
	uint64_t a, b;
	int n;

	*start = 0;
	*len = size;
	if (!h)
		return ASSET_RANGE_NONE;
	while (*h == ' ' || *h == '\t')
		h++;
	if (strncmp(h, "bytes=", 6))
		return ASSET_RANGE_NONE;
	h += 6;
	while (*h == ' ' || *h == '\t')
		h++;
	if (*h == '-') {		/* the last n bytes */
		n = number(h + 1, &b);
		if (n < 0)
			return ASSET_RANGE_NONE;
		h += 1 + n;
		while (*h == ' ' || *h == '\t')
			h++;
		if (*h)
			return ASSET_RANGE_NONE;	/* several ranges, or junk */
		if (b == 0 || size == 0)
			return ASSET_RANGE_UNSATISFIABLE;
		if (b > size)
			b = size;
		*start = size - b;
		*len = b;
		return ASSET_RANGE_PARTIAL;
	}
	n = number(h, &a);
	if (n < 0 || h[n] != '-')
		return ASSET_RANGE_NONE;
	h += n + 1;
	b = UINT64_MAX;
	if (*h >= '0' && *h <= '9') {
		n = number(h, &b);
		if (n < 0)
			return ASSET_RANGE_NONE;
		h += n;
		if (b < a)
			return ASSET_RANGE_NONE;	/* invalid: ignored */
	}
	while (*h == ' ' || *h == '\t')
		h++;
	if (*h)
		return ASSET_RANGE_NONE;
	if (a >= size)
		return ASSET_RANGE_UNSATISFIABLE;
	if (b >= size)
		b = size - 1;
	*start = a;
	*len = b - a + 1;
	return ASSET_RANGE_PARTIAL;
}

void asset_etag(char out[ASSET_ETAG_SIZE], uint64_t size, int64_t mtime_sec,
		long mtime_nsec, uint64_t inode)
{
	snprintf(out, ASSET_ETAG_SIZE, "\"%llx-%llx.%lx-%llx\"", (unsigned long long)size,
		 (unsigned long long)mtime_sec, (unsigned long)mtime_nsec,
		 (unsigned long long)inode);
}

/* The opaque part of an entity tag at *s ("W/"? '"' ... '"'); advances *s. */
static bool next_tag(const char **s, const char **tag, size_t *tlen)
{
	const char *p = *s, *e;

	if (!strncmp(p, "W/", 2))
		p += 2;
	if (*p != '"')
		return false;
	e = strchr(p + 1, '"');
	if (!e)
		return false;
	*tag = p + 1;
	*tlen = (size_t)(e - p - 1);
	*s = e + 1;
	return true;
}

bool asset_etag_listed(const char *h, const char *etag)
{
	const char *mine, *t;
	size_t mlen, tlen;

	if (!h || !etag)
		return false;
	if (!next_tag(&etag, &mine, &mlen))
		return false;
	while (*h == ' ' || *h == '\t')
		h++;
	if (h[0] == '*') {
		for (h++; *h == ' ' || *h == '\t'; h++)
			;
		return *h == '\0';
	}
	for (;;) {
		while (*h == ' ' || *h == '\t' || *h == ',')
			h++;
		if (!*h)
			return false;
		if (!next_tag(&h, &t, &tlen))
			return false;
		if (tlen == mlen && !memcmp(t, mine, tlen))
			return true;
	}
}

static const char days[7][4] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's method). */
static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	int64_t era;
	unsigned int yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned int)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void asset_http_date(char out[ASSET_DATE_SIZE], time_t t)
{
	int64_t z = (int64_t)t / 86400, secs = (int64_t)t % 86400, era, y;
	unsigned int doe, yoe, doy, mp, d, m;

	if (secs < 0) {
		secs += 86400;
		z--;
	}
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned int)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < 0 || y > 9999)	/* not a date a file system gives */
		y = y < 0 ? 0 : 9999;
	snprintf(out, ASSET_DATE_SIZE, "%s, %02u %s %04lld %02d:%02d:%02d GMT",
		 days[((z - 719468) % 7 + 7) % 7], d, months[m - 1], (long long)y,
		 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

static int two(const char *s)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	return (s[0] - '0') * 10 + (s[1] - '0');
}

int asset_parse_http_date(const char *s, time_t *t)
{
	int d, y1, y2, hh, mm, ss, m = -1;

	/* "Sun, 06 Nov 1994 08:49:37 GMT": 29 bytes, fixed positions */
	if (!s || strlen(s) != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' ||
	    s[11] != ' ' || s[16] != ' ' || s[19] != ':' || s[22] != ':' ||
	    strcmp(s + 25, " GMT"))
		return -EINVAL;
	for (int i = 0; i < 12; i++)
		if (!memcmp(s + 8, months[i], 3))
			m = i + 1;
	d = two(s + 5);
	y1 = two(s + 12);
	y2 = two(s + 14);
	hh = two(s + 17);
	mm = two(s + 20);
	ss = two(s + 23);
	if (m < 0 || d < 1 || d > 31 || y1 < 0 || y2 < 0 || hh < 0 || hh > 23 ||
	    mm < 0 || mm > 59 || ss < 0 || ss > 60)
		return -EINVAL;
	*t = (time_t)(days_from_civil(y1 * 100 + y2, (unsigned int)m, (unsigned int)d) * 86400 +
		      hh * 3600 + mm * 60 + ss);
	return 0;
}

bool asset_if_range_ok(const char *h, const char *etag, time_t mtime)
{
	time_t t;

	if (!h)
		return true;
	if (h[0] == '"')
		return etag && !strcmp(h, etag);
	return !asset_parse_http_date(h, &t) && t == mtime;
}
