/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The rule both I/O memory budgets follow (din_mem.c for reads, dout_mem.c
 * for writes): a module-wide byte count under a limit given in MiB (0: a
 * quarter of RAM), and a per-session bound that never refuses a session
 * holding nothing.
 */
#ifndef BOOTSAN_MEM_BUDGET_H
#define BOOTSAN_MEM_BUDGET_H

#include <linux/atomic.h>
#include <linux/mm.h>

/* The module-wide limit in bytes for a parameter of @mib MiB. */
static inline unsigned long bootsan_mem_budget_limit(unsigned int mib)
{
	if (mib)
		return (unsigned long)mib << 20;
	return (totalram_pages() / 4) << PAGE_SHIFT;
}

/*
 * Count @need bytes for a session holding @held under @per_session (0: no
 * bound) and in @total under @limit: true when counted in @total (the
 * caller adds it to the session's own count), false when either is spent.
 */
static inline bool bootsan_mem_budget_take(atomic_long_t *total, unsigned long limit,
					   unsigned long held, unsigned long per_session,
					   unsigned long need)
{
	if (held && per_session && held + need > per_session)
		return false;
	if (atomic_long_add_return(need, total) > limit) {
		atomic_long_sub(need, total);
		return false;
	}
	return true;
}

#endif /* BOOTSAN_MEM_BUDGET_H */
