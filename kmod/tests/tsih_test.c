// SPDX-License-Identifier: GPL-2.0
/* Host unit test of tsih.c, printing TAP. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "../tsih.h"

static struct tsih_map m;

int main(void)
{
	u32 i, dup = 0, zero = 0;
	u16 t, first;

	tap_start();
	bootsan_tsih_init(&m);
	first = bootsan_tsih_alloc(&m);
	ok(first == 1, "the first handle is 1 (got %u)", first);
	ok(bootsan_tsih_alloc(&m) == 2, "the next one is 2");
	bootsan_tsih_free(&m, 1);
	ok(bootsan_tsih_alloc(&m) == 3, "a freed handle is not given again at once");

	bootsan_tsih_init(&m);
	for (i = 1; i < TSIH_COUNT; i++) {
		t = bootsan_tsih_alloc(&m);
		zero += !t;
		dup += t != i;
	}
	ok(!zero && !dup, "all 65535 handles, in order, none twice (%u zero, %u off)", zero, dup);
	ok(bootsan_tsih_alloc(&m) == 0, "when all are taken, allocation fails instead of looping");
	ok(bootsan_tsih_alloc(&m) == 0, "and fails again");
	bootsan_tsih_free(&m, 4242);
	ok(bootsan_tsih_alloc(&m) == 4242, "the one handle freed is found again");
	ok(bootsan_tsih_alloc(&m) == 0, "then none is left");
	bootsan_tsih_free(&m, 0);
	bootsan_tsih_free(&m, 0);
	ok(bootsan_tsih_alloc(&m) == 0, "freeing 0 frees nothing");
	bootsan_tsih_free(&m, 65535);
	bootsan_tsih_free(&m, 65535);
	ok(m.nr_used == TSIH_COUNT - 2, "freeing a handle twice counts once");
	ok(bootsan_tsih_alloc(&m) == 65535, "the last handle, 65535, is given");
	bootsan_tsih_free(&m, 1);
	bootsan_tsih_free(&m, 65535);
	t = bootsan_tsih_alloc(&m);
	ok(t == 1, "the search wraps past 65535 and skips 0 (got %u)", t);
	return tap_end();
}
