/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP lines for the raw-client selftest programs that number their
 * results on from $TAP_BASE (their script's own checks come before).
 */
#ifndef BOOTSAN_SELFTEST_TAP_CHECK_H
#define BOOTSAN_SELFTEST_TAP_CHECK_H

extern int tap_n;		/* the last result's number */
extern int tap_failed;		/* 1 once a result was "not ok" */

/* One "ok N ..." or "not ok N ..." line, flushed (children fork). */
void check(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Seconds on the monotonic clock. */
double now_s(void);

#endif
