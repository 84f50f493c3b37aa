/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP for the host unit tests of the daemon and of the module's
 * parsers (kmod/tests builds with -I../../daemon/tests): one "ok"/"not ok"
 * line per check.
 */
#ifndef BOOTSAN_TAP_H
#define BOOTSAN_TAP_H

#include <stdio.h>
#include <stdlib.h>

static int tap_n, tap_failed;

#define ok(cond, ...) do {						\
	int c_ = !!(cond);						\
	tap_n++;							\
	if (c_) {							\
		printf("ok %d ", tap_n);				\
	} else {							\
		printf("not ok %d ", tap_n);				\
		tap_failed++;						\
	}								\
	printf(__VA_ARGS__);						\
	if (!c_)							\
		printf(" # %s:%d: %s", __FILE__, __LINE__, #cond);	\
	printf("\n");							\
	fflush(stdout);							\
} while (0)

#define is_int(got, want, ...) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	ok(g_ == w_, __VA_ARGS__);					\
	if (g_ != w_)							\
		printf("#   got %lld, want %lld\n", g_, w_);		\
} while (0)

static inline void tap_start(void)
{
	printf("TAP version 13\n");
}

static inline int tap_end(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* BOOTSAN_TAP_H */
