// SPDX-License-Identifier: GPL-2.0
/*
 * The memory reads hold until their data is sent. A READ whose data goes
 * from pages of our own (a block LUN, a direct file LUN, or any read when
 * a data digest needs pages nobody else changes) holds its whole transfer
 * from the moment it runs until its last Data-In byte went into the
 * socket; an initiator that queues many and never reads its socket would
 * pin all of it. Buffered file reads lend page-cache pages instead and
 * are not counted.
 *
 * Such a read is counted, when it arrives, against the session's budget
 * (read_mem_per_session_mib) and the module's (read_mem_total_mib); over
 * either it is answered TASK SET FULL at once and the initiator sends it
 * again later. The session's budget never refuses a session holding
 * nothing its first read, whatever its size (up to BOOTSAN_MAX_IO). The
 * charge rides with the pages (bootsan_buf.charged): from the command to
 * its send queue entry, given back when they are released.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/moduleparam.h>

#include "backend.h"
#include "ffp.h"
#include "mem_budget.h"

static unsigned int read_mem_per_session_mib = 64;
module_param(read_mem_per_session_mib, uint, 0644);
MODULE_PARM_DESC(read_mem_per_session_mib,
		 "MiB of read data one session may hold until sent; 0 for no bound (default 64)");

static unsigned int read_mem_total_mib;
module_param(read_mem_total_mib, uint, 0644);
MODULE_PARM_DESC(read_mem_total_mib,
		 "MiB of read data all sessions may hold together; 0 for a quarter of RAM (default 0)");

static atomic_long_t read_mem_total = ATOMIC_LONG_INIT(0);

unsigned long bootsan_din_mem_limit(void)
{
	return bootsan_mem_budget_limit(READ_ONCE(read_mem_total_mib));
}

unsigned long bootsan_din_mem_session_limit(void)
{
	return (unsigned long)READ_ONCE(read_mem_per_session_mib) << 20;
}

unsigned long bootsan_din_mem_used(void)
{
	return atomic_long_read(&read_mem_total);
}

/* Does this READ send pages of our own, rather than borrowed ones? */
static bool read_holds_pages(struct bootsan_conn *conn, struct bootsan_lun *l)
{
	return !l->ops->lends_pages || l->direct || conn->params.data_digest;
}

/*
 * Count @cmd's READ against the budgets before it runs: true when it may
 * run (counted, or not a read that holds pages), false when it must be
 * answered TASK SET FULL. From io_work only.
 */
bool bootsan_din_mem_take(struct bootsan_conn *conn, struct bootsan_scsi_cmd *cmd)
{
	struct scsi_req *req = &cmd->req;
	unsigned long need, held = conn->din_mem;

	if (req->action != SCSI_ACT_READ || !read_holds_pages(conn, cmd->lun))
		return true;
	need = PAGE_ALIGN((unsigned long)req->nr_blocks * cmd->lun->block_size);
	if (!bootsan_mem_budget_take(&read_mem_total, bootsan_din_mem_limit(), held,
				     bootsan_din_mem_session_limit(), need))
		return false;
	WRITE_ONCE(conn->din_mem, held + need);
	cmd->buf.charged = need;
	return true;
}

/* @buf's pages are released (or were never taken): so is its charge. */
void bootsan_din_mem_give(struct bootsan_conn *conn, struct bootsan_buf *buf)
{
	if (!buf->charged)
		return;
	WRITE_ONCE(conn->din_mem, conn->din_mem - buf->charged);
	atomic_long_sub(buf->charged, &read_mem_total);
	buf->charged = 0;
}
