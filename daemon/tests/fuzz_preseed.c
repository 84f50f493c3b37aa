// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for daemon/boot/preseed.c: it must not read outside
 * the text, and what it takes must hold no NUL and no control byte but
 * tab, line feed and a carriage return before a line feed.
 */
#include <stdint.h>
#include <stdlib.h>

#include "../boot/preseed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned int line;

	if (preseed_refusal((const char *)data, size, &line))
		return 0;
	for (size_t i = 0; i < size; i++)
		if ((data[i] < 0x20 && data[i] != '\t' && data[i] != '\n' && data[i] != '\r') ||
		    data[i] == 0x7f || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n')))
			abort();
	return 0;
}
