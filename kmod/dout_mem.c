// SPDX-License-Identifier: GPL-2.0
/*
 * The memory writes hold for their data-out. A write's buffer is taken
 * when its data is about to come (its immediate or unsolicited data
 * arrives, or its first R2T goes out), never for a write whose data is
 * not asked for yet, and it is counted against two budgets: the session's
 * (write_mem_per_session_mib) and the module's (write_mem_total_mib).
 *
 * A write over a budget whose data we solicit simply waits for its R2T
 * while its session's own writes finish (they free what it needs). One
 * that cannot wait, because its data comes unsolicited or its session
 * holds nothing that would be freed, is answered TASK SET FULL: the
 * initiator sends it again later, and nothing acknowledged is lost. The
 * session's budget never refuses a session holding nothing its first
 * write, whatever its size (up to BOOTSAN_MAX_IO): none starves on it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/moduleparam.h>

#include "ffp.h"
#include "mem_budget.h"

static unsigned int write_mem_per_session_mib = 64;
module_param(write_mem_per_session_mib, uint, 0644);
MODULE_PARM_DESC(write_mem_per_session_mib,
		 "MiB of write data one session may hold; 0 for no bound (default 64)");

static unsigned int write_mem_total_mib;
module_param(write_mem_total_mib, uint, 0644);
MODULE_PARM_DESC(write_mem_total_mib,
		 "MiB of write data all sessions may hold together; 0 for a quarter of RAM (default 0)");

static atomic_long_t write_mem_total = ATOMIC_LONG_INIT(0);

unsigned long bootsan_dout_mem_limit(void)
{
	return bootsan_mem_budget_limit(READ_ONCE(write_mem_total_mib));
}

unsigned long bootsan_dout_mem_session_limit(void)
{
	return (unsigned long)READ_ONCE(write_mem_per_session_mib) << 20;
}

unsigned long bootsan_dout_mem_used(void)
{
	return atomic_long_read(&write_mem_total);
}

/* What a write of @len bytes costs: whole pages (bootsan_buf_alloc). */
static unsigned long cost(u32 len)
{
	return PAGE_ALIGN((unsigned long)len);
}

/*
 * Take the budget for a write of @len bytes on @conn: DOUT_MEM_OK, or why
 * not: DOUT_MEM_WAIT when @may_wait and the session holds writes that will
 * free, DOUT_MEM_FULL otherwise. From io_work only.
 */
enum bootsan_dout_mem bootsan_dout_mem_take(struct bootsan_conn *conn, u32 len, bool may_wait)
{
	unsigned long need = cost(len), held = conn->dout_mem;

	if (!bootsan_mem_budget_take(&write_mem_total, bootsan_dout_mem_limit(), held,
				     bootsan_dout_mem_session_limit(), need))
		return may_wait && held ? DOUT_MEM_WAIT : DOUT_MEM_FULL;
	WRITE_ONCE(conn->dout_mem, held + need);
	return DOUT_MEM_OK;
}

void bootsan_dout_mem_give(struct bootsan_conn *conn, u32 len)
{
	unsigned long n = cost(len);

	WRITE_ONCE(conn->dout_mem, conn->dout_mem - n);
	atomic_long_sub(n, &write_mem_total);
}
