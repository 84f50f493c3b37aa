// SPDX-License-Identifier: GPL-2.0
/* Unit tests of enroll_limit.c: the per-address and overall buckets. TAP. */
#include <stdio.h>

#include "boot/enroll_limit.h"
#include "tap.h"

static int take_n(const char *addr, double now, unsigned int per, unsigned int all, int n)
{
	int got = 0;

	for (int i = 0; i < n; i++)
		got += enroll_limit_take(addr, now, per, all);
	return got;
}

int main(void)
{
	char addr[32];
	int got = 0;

	tap_start();
	is_int(take_n("10.0.0.1", 100, 4, 100, 10), 4, "one address: 4 of 10 at once");
	is_int(take_n("10.0.0.2", 100, 4, 100, 10), 4, "another address has its own 4");
	is_int(take_n("10.0.0.1", 115, 4, 100, 10), 1, "15 s later: one more (4 a minute)");
	is_int(take_n("10.0.0.1", 175, 4, 100, 10), 4, "a minute later: full again, not more");
	is_int(take_n("10.0.0.1", 175, 5, 100, 10), 5, "a changed limit counts anew");
	enroll_limit_reset();
	for (int i = 0; i < 20; i++) {
		snprintf(addr, sizeof(addr), "10.0.1.%d", i);
		got += take_n(addr, 200, 4, 10, 2);
	}
	is_int(got, 10, "overall: 10 a minute from 20 addresses");
	is_int(take_n("10.0.1.99", 206, 4, 10, 5), 1, "overall: 6 s later, one more");
	enroll_limit_reset();
	is_int(take_n("10.0.0.1", 300, 0, 0, 1000), 1000, "0: no limit");
	/* More addresses than the table holds: the full ones are reused. */
	got = 0;
	for (int i = 0; i < ENROLL_LIMIT_ADDRESSES * 2; i++) {
		snprintf(addr, sizeof(addr), "10.1.%d.%d", i / 256, i % 256);
		got += take_n(addr, 400 + i * 60.0, 1, 0, 1);
	}
	is_int(got, ENROLL_LIMIT_ADDRESSES * 2, "addresses past the table's size, a minute apart");
	is_int(take_n("10.9.9.9", 100000, 1, 0, 1), 1, "a new address still gets its one");
	return tap_end();
}
