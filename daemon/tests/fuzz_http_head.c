// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for daemon/lib/http_head.c, the first look at a request
 * head from the network. It must read only the bytes it is given, answer
 * one of its statuses, and decide (never "incomplete") once it has its
 * maximum; a complete head ends with its blank line inside the bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/http_head.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_head_info info;
	size_t max;
	char *buf;
	int rc;

	if (size < 1)
		return 0;
	/* The first byte picks a small maximum, so that 431 is reached too. */
	max = 16 + (size_t)data[0] * 8;
	data++;
	size--;
	buf = malloc(size ? size : 1);	/* exactly the bytes: ASan sees overreads */
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	rc = http_head_check(buf, size < max ? size : max, max, &info);
	switch (rc) {
	case 0:
		if (size >= max)
			abort();
		break;
	case 1:
		if (!info.len || info.len > size || info.len > max || buf[info.len - 1] != '\n')
			abort();
		break;
	case 400: case 414: case 431:
		if (!info.why || !info.why[0])
			abort();
		break;
	default:
		abort();
	}
	free(buf);
	return 0;
}
