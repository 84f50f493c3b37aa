// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for daemon/boot/asset_rules.c. An accepted path must be
 * relative, free of control bytes and of "." and ".." components, so it
 * cannot leave the asset tree lexically; a partial range must lie inside
 * the file; the header matchers must not read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../boot/asset_rules.h"

static void check_path(const char *p)
{
	const char *c = p;

	if (p[0] == '/' || !p[0])
		abort();
	for (;;) {
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);

		if (n == 0 || n > ASSET_COMPONENT_MAX || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			abort();
		if (!e)
			break;
		c = e + 1;
	}
	for (c = p; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[ASSET_PATH_MAX + 1], *s = malloc(size + 1);
	uint64_t start, len, fsize = size > 8 ? (uint64_t)data[0] << 8 | data[1] : 1000;
	time_t t;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (!asset_path_decode((const char *)data, size, out, sizeof(out)))
		check_path(out);
	if (asset_range_parse(s, fsize, &start, &len) == ASSET_RANGE_PARTIAL &&
	    (len == 0 || start >= fsize || len > fsize - start))
		abort();
	asset_etag_listed(s, "\"1-2.3-4\"");
	asset_if_range_ok(s, "\"1-2.3-4\"", 5);
	if (!asset_parse_http_date(s, &t)) {
		char back[ASSET_DATE_SIZE];

		asset_http_date(back, t);
		if (strlen(back) != 29)
			abort();
	}
	free(s);
	return 0;
}
