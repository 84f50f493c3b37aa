// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: iscsi_name_invalid() on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../iscsi_name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so ASan sees any read past the given length. */
	char *name = malloc(size ? size : 1);
	const char *why;

	if (!name)
		return 0;
	memcpy(name, data, size);
	why = iscsi_name_invalid(name, size);
	/* Whatever is accepted is a well-formed, bounded name. */
	if (!why && (size == 0 || size > ISCSI_NAME_MAX_LEN || memchr(name, '\0', size)))
		abort();
	free(name);
	return 0;
}
