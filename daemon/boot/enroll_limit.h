/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How fast unknown machines may be enrolled: token buckets of N a minute,
 * one per source address and one for all, so that a flood of made-up MACs
 * from one host (or from many) cannot spend disks, targets and secrets
 * faster than an administrator can notice. In memory only: a restart
 * starts with full buckets.
 */
#ifndef BOOTSAND_ENROLL_LIMIT_H
#define BOOTSAND_ENROLL_LIMIT_H

#include <stdbool.h>

#define ENROLL_LIMIT_ADDRESSES	1024	/* addresses tracked at once */

/*
 * One enrollment from @addr at @now (seconds, monotonic): true, and taken
 * from both buckets, when @addr has had fewer than @per_address and
 * everyone fewer than @overall in the last minute's worth of refill (0: no
 * limit). False takes nothing. Thread-safe.
 */
bool enroll_limit_take(const char *addr, double now, unsigned int per_address,
		       unsigned int overall);
/* Forget every bucket (tests). */
void enroll_limit_reset(void);

#endif /* BOOTSAND_ENROLL_LIMIT_H */
