// SPDX-License-Identifier: GPL-2.0
/*
 * SCSI Command and Data-Out PDUs: a command is decoded (scsi.c) when its
 * header arrives, its data-out collected (immediate, unsolicited and
 * R2T-solicited), and then it is handed to the SCSI core (exec.c). The
 * core hands it back through iscsi_transport_ops; it is answered
 * (iscsi_rsp.c) and its CmdSN retired here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/sched/clock.h>

#include "compat.h"
#include "ffp.h"
#include "lun_state.h"

#include <scsi/scsi_proto.h>

/*
 * A command leaves the CmdSN window (or the count of immediate ones) when
 * it is answered, or dropped unanswered by task management or teardown.
 */
static void cmd_retire(struct bootsan_iscsi_cmd *cmd)
{
	struct bootsan_conn *conn = cmd->scsi.conn;

	if (cmd->in_window) {
		cmd->in_window = false;
		conn->sess->in_window--;
	}
	if (cmd->immediate) {
		cmd->immediate = false;
		conn->nr_immediate--;
	}
}

void bootsan_cmd_free(struct bootsan_iscsi_cmd *cmd)
{
	cmd_retire(cmd);
	bootsan_dout_release(cmd);
	bootsan_scsi_cmd_release(&cmd->scsi);
	kfree(cmd);
}

/*
 * The SCSI core is done with a command. Any context, bio completions
 * included.
 *
 * Handed back inside the call that started it (cmd_execute(): emulated
 * commands, page-cache reads and writes, failures), it is only marked:
 * cmd_execute() answers it as soon as the core returns, without the done
 * list, its irq-safe lock or a requeue of io_work. The answer waits for
 * the return because this may be a bio completed inside submit_bio(),
 * where the block layer may hold an RCU read lock and sending must not
 * sleep. in_task() and current_work() tell that this is io_work's own
 * thread; only that thread reads conn->in_place.
 *
 * Otherwise it goes on the done list for io_work. This is then the last
 * touch of @conn: teardown waits for nr_running to reach zero under
 * done_lock, then cancels io_work, then frees.
 */
static void cmd_queue_response(struct bootsan_scsi_cmd *scsi)
{
	struct bootsan_iscsi_cmd *cmd = container_of(scsi, struct bootsan_iscsi_cmd, scsi);
	struct bootsan_conn *conn = scsi->conn;
	unsigned long flags;

	if (in_task() && current_work() == &conn->io_work && conn->in_place == cmd) {
		conn->in_place_done = true;
		return;
	}
	spin_lock_irqsave(&conn->done_lock, flags);
	list_add_tail(&cmd->node, &conn->done);
	/*
	 * io_work itself (a bio of another command done inside submit_bio)
	 * answers it before it stops. An interrupt that merely arrived
	 * while io_work ran must queue it: that io_work may be past its
	 * last look at the list.
	 */
	if (!in_task() || current_work() != &conn->io_work)
		queue_work(bootsan_wq, &conn->io_work);
	if (atomic_dec_and_test(&conn->nr_running))
		wake_up(&conn->running_wait);
	spin_unlock_irqrestore(&conn->done_lock, flags);
}

static const struct bootsan_transport_ops iscsi_transport_ops = {
	.queue_response = cmd_queue_response,
};

/* Answer a command the core handed back, and free it. From io_work only. */
static int cmd_answer(struct bootsan_conn *conn, struct bootsan_iscsi_cmd *cmd)
{
	int ret;

	/* The response carries the window this answer reopens. */
	cmd_retire(cmd);
	ret = bootsan_send_response(conn, cmd);
	bootsan_cmd_free(cmd);
	return ret;
}

/*
 * Hand a command whose data-out (if any) has all arrived to the SCSI
 * core; it counts as running until the core hands it back (atomic: the
 * count goes up here without done_lock). One the core ran in place is
 * answered at once. Nobody waits for nr_running while this runs: quiesce
 * runs in io_work itself, and teardown waits only after io_work stopped,
 * so the in-place path drops its count with no wake-up.
 */
static int cmd_execute(struct bootsan_conn *conn, struct bootsan_iscsi_cmd *cmd)
{
	atomic_inc(&conn->nr_running);
	conn->in_place = cmd;
	conn->in_place_done = false;
	bootsan_scsi_execute(&cmd->scsi);
	conn->in_place = NULL;
	if (!conn->in_place_done)
		return 0;	/* io_work answers it from the done list */
	atomic_dec(&conn->nr_running);
	return cmd_answer(conn, cmd);
}

/* Answer the commands the core handed back. From io_work only. */
int bootsan_ffp_send_done(struct bootsan_conn *conn)
{
	struct bootsan_iscsi_cmd *cmd, *next;
	LIST_HEAD(done);
	int ret = 0;

	/*
	 * Nothing done: no lock. A command added after this look queues
	 * io_work again, unless io_work's own thread added it, and then
	 * io_work looks again before it stops.
	 */
	if (list_empty(&conn->done))
		return 0;
	spin_lock_irq(&conn->done_lock);
	list_splice_init(&conn->done, &done);
	spin_unlock_irq(&conn->done_lock);
	list_for_each_entry_safe(cmd, next, &done, node) {
		list_del(&cmd->node);
		if (!ret) {
			ret = cmd_answer(conn, cmd);
			continue;
		}
		bootsan_cmd_free(cmd);
	}
	return ret;
}

static bool conn_running(struct bootsan_conn *conn)
{
	bool running;

	/* Under the lock: a completer that counted down has let go of @conn. */
	spin_lock_irq(&conn->done_lock);
	running = atomic_read(&conn->nr_running);
	spin_unlock_irq(&conn->done_lock);
	return running;
}

/* Wait until the core has handed back every command of @conn. */
void bootsan_conn_wait_running(struct bootsan_conn *conn)
{
	wait_event(conn->running_wait, !conn_running(conn));
}

/*
 * Before task management or a Logout is answered, every command that is
 * running finishes and is answered first: a response never follows the
 * TMF response that ended its task (RFC 7143 4.2.3.3).
 */
int bootsan_ffp_quiesce(struct bootsan_conn *conn)
{
	bootsan_conn_wait_running(conn);
	return bootsan_ffp_send_done(conn);
}

/* Teardown: io_work is stopped and nothing runs; drop what is left. */
void bootsan_conn_abort_cmds(struct bootsan_conn *conn)
{
	struct bootsan_iscsi_cmd *cmd, *next;

	if (conn->cur_cmd) {
		bootsan_cmd_free(conn->cur_cmd);
		conn->cur_cmd = NULL;
	}
	list_for_each_entry_safe(cmd, next, &conn->pending_writes, node) {
		list_del(&cmd->node);
		bootsan_cmd_free(cmd);
	}
	conn->nr_pending = 0;
	list_for_each_entry_safe(cmd, next, &conn->done, node) {
		list_del(&cmd->node);
		bootsan_cmd_free(cmd);
	}
}

/*
 * At the end of a data sequence: solicit the next burst, or run the
 * command once all its data is in. A command that failed (at decode, or
 * by a bad Data-Out) solicits nothing more and is answered at once.
 */
int bootsan_write_progress(struct bootsan_conn *conn, struct bootsan_iscsi_cmd *cmd)
{
	bool failed = cmd->dout_error || cmd->scsi.req.status != SCSI_STATUS_GOOD;

	if (!failed && cmd->dout_wait)
		return 0;	/* no buffer yet: bootsan_dout_resume() solicits */
	if (!failed && cmd->scsi.data_out_received < cmd->data_out_len)
		return bootsan_send_r2t(conn, cmd);
	list_del(&cmd->node);
	conn->nr_pending--;
	return cmd_execute(conn, cmd);
}

/*
 * A command to a LUN that does not exist (SPC-4 4.6.4): REPORT LUNS works
 * from any LUN, INQUIRY says "no device here", anything else fails with
 * LOGICAL UNIT NOT SUPPORTED.
 */
static void no_lun_decode(struct bootsan_conn *conn, struct scsi_req *req)
{
	struct scsi_lun_info info = {};
	u32 *luns;

	req->action = SCSI_ACT_DONE;
	if (req->cdb[0] == REPORT_LUNS) {
		info.block_size = 512;
		info.nr_blocks = 1;	/* the decoder wants a capacity; unused here */
		luns = bootsan_collect_luns(conn->sess->target, &info.nr_luns);
		info.all_luns = luns;
		bootsan_scsi_decode(&info, req);
		kfree(luns);
		return;
	}
	if (req->cdb[0] == INQUIRY && !(req->cdb[1] & 1)) {
		u32 alloc = get_unaligned_be16(req->cdb + 3);

		memset(req->data_in, 0, 36);
		req->data_in[0] = 0x7f;	/* qualifier 011b: not supported; type 1Fh */
		req->data_in[2] = 0x06;
		req->data_in[3] = 0x02;
		req->data_in[4] = 31;
		req->data_in_len = min(alloc, 36u);
		req->status = SCSI_STATUS_GOOD;
		return;
	}
	bootsan_scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, 0x25, 0x00);
}

/*
 * Decode a new SCSI command. Called when its header is complete: before
 * its immediate data is received, so the data can land in its buffer.
 */
static void dout_setup(struct bootsan_conn *conn, struct bootsan_iscsi_cmd *cmd);
static void task_set_full(struct scsi_req *req);
static void dout_wait(struct bootsan_conn *conn, struct bootsan_iscsi_cmd *cmd);
static void dout_alloc(struct bootsan_iscsi_cmd *cmd, u32 unsol);

/*
 * What the LUN's state says before a decoded command runs: a pending UNIT
 * ATTENTION for this nexus, or a RESERVATION CONFLICT (checked only for
 * commands that are otherwise good, as their data-out is not wanted then).
 */
static void lun_gate(struct bootsan_conn *conn, struct bootsan_iscsi_cmd *cmd)
{
	struct bootsan_lun_state *st = cmd->scsi.lun->state;
	struct scsi_req *req = &cmd->scsi.req;
	struct pr_nexus n;

	bootsan_conn_nexus(conn, &n);
	spin_lock(&st->lock);
	bootsan_pr_nexus_seen(&st->pr, &n, conn->sess->id);
	if (!bootsan_pr_ua_check(&st->pr, &n, cmd->scsi.cdb, req) &&
	    req->status == SCSI_STATUS_GOOD && bootsan_pr_conflict(&st->pr, &n, cmd->scsi.cdb)) {
		req->action = SCSI_ACT_DONE;
		req->nr_blocks = 0;
		req->data_in_len = 0;
		req->data_out_len = 0;
		req->status = SCSI_STATUS_RESERVATION_CONFLICT;
		req->sense_len = 0;
	}
	spin_unlock(&st->lock);
}

static struct bootsan_iscsi_cmd *cmd_setup(struct bootsan_conn *conn)
{
	struct iscsi_scsi_req *hdr = (struct iscsi_scsi_req *)conn->bhs;
	struct bootsan_target *t = conn->sess->target;
	struct scsi_lun_info info;
	struct bootsan_iscsi_cmd *cmd;
	struct scsi_req *req;
	u32 *luns = NULL, lun_nr;

	cmd = kzalloc(sizeof(*cmd), GFP_KERNEL);
	if (!cmd)
		return NULL;
	req = &cmd->scsi.req;
	/* Reads and writes never answer with emulated data: no buffer. */
	if (!bootsan_scsi_cdb_moves_blocks(hdr->cdb[0])) {
		req->data_in = kzalloc(EMULATED_DATA_CAP, GFP_KERNEL);
		if (!req->data_in) {
			kfree(cmd);
			return NULL;
		}
		req->data_in_cap = EMULATED_DATA_CAP;
	}
	cmd->scsi.ops = &iscsi_transport_ops;
	cmd->scsi.conn = conn;
	cmd->itt = be32_to_cpu(hdr->itt);
	cmd->scsi.start_ns = local_clock();
	memcpy(cmd->scsi.cdb, hdr->cdb, sizeof(cmd->scsi.cdb));
	cmd->lun_raw = hdr->lun;
	atomic64_inc(&conn->sess->commands);

	req->cdb = cmd->scsi.cdb;
	req->cdb_len = sizeof(cmd->scsi.cdb);
	req->expected_xfer_len = be32_to_cpu(hdr->data_length);
	req->dir_read = hdr->flags & ISCSI_FLAG_CMD_READ;
	req->dir_write = hdr->flags & ISCSI_FLAG_CMD_WRITE;

	lun_nr = bootsan_decode_lun(&hdr->lun);
	cmd->scsi.lun = lun_nr == U32_MAX ? NULL : bootsan_lun_get(t, lun_nr);
	if (!cmd->scsi.lun) {
		no_lun_decode(conn, req);
		return cmd;
	}
	bootsan_fill_lun_info(conn, cmd->scsi.lun, &info);
	if (cmd->scsi.cdb[0] == REPORT_LUNS) {
		luns = bootsan_collect_luns(t, &info.nr_luns);
		info.all_luns = luns;
	}
	bootsan_scsi_decode(&info, req);
	kfree(luns);
	lun_gate(conn, cmd);

	if (req->status == SCSI_STATUS_GOOD && req->action == SCSI_ACT_READ &&
	    (u64)req->nr_blocks * cmd->scsi.lun->block_size > BOOTSAN_MAX_IO) {
		bootsan_scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, 0x24, 0x00);
		req->action = SCSI_ACT_DONE;
	}
	/* COMPARE AND WRITE takes exactly both halves, nothing more or less. */
	if (req->status == SCSI_STATUS_GOOD && cmd->scsi.cdb[0] == COMPARE_AND_WRITE &&
	    req->expected_xfer_len != req->data_out_len)
		bootsan_scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, 0x24, 0x00);
	dout_setup(conn, cmd);
	if (req->status == SCSI_STATUS_GOOD && !bootsan_din_mem_take(conn, &cmd->scsi))
		task_set_full(req);
	return cmd;
}

/*
 * Plan a command's data-out. The initiator sends what it expects to
 * (EDTL), whatever the CDB says: collect all of it, and use the part the
 * CDB asks for. A command that already failed, or would take too much,
 * solicits nothing: it takes only the data that comes unsolicited.
 */
static void dout_setup(struct bootsan_conn *conn, struct bootsan_iscsi_cmd *cmd)
{
	struct iscsi_scsi_req *hdr = (struct iscsi_scsi_req *)conn->bhs;
	struct iscsi_params *p = &conn->sess->params;
	struct scsi_req *req = &cmd->scsi.req;
	u32 edtl = req->expected_xfer_len, unsol;

	if (!req->dir_write || !edtl)
		return;
	/* Immediate data, then unsolicited Data-Out up to FirstBurstLength. */
	unsol = min(edtl, conn->data_len);
	if (!p->initial_r2t && !(hdr->flags & ISCSI_FLAG_CMD_FINAL))
		unsol = max(unsol, min(edtl, p->first_burst_length));
	cmd->r2t_offset = unsol;

	if (req->status == SCSI_STATUS_GOOD && edtl > BOOTSAN_MAX_IO)
		bootsan_scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, 0x24, 0x00);
	if (req->status != SCSI_STATUS_GOOD || !req->data_out_len) {
		/* Received and dropped: no buffer for it. */
		cmd->data_out_len = unsol;
		return;
	}
	cmd->data_out_len = edtl;
	/*
	 * Memory is taken only for data that comes: a write whose data we
	 * solicit may wait for it (first come, first served); one with data
	 * on its way cannot (dout_mem.c).
	 */
	if (!unsol && conn->nr_dout_waiting) {
		dout_wait(conn, cmd);
		return;
	}
	switch (bootsan_dout_mem_take(conn, edtl, !unsol)) {
	case DOUT_MEM_OK:
		dout_alloc(cmd, unsol);
		break;
	case DOUT_MEM_WAIT:
		dout_wait(conn, cmd);
		break;
	case DOUT_MEM_FULL:
		task_set_full(req);
		cmd->data_out_len = unsol;
		break;
	}
}

/* Answered TASK SET FULL: the initiator sends it again later. */
static void task_set_full(struct scsi_req *req)
{
	req->action = SCSI_ACT_DONE;
	req->nr_blocks = 0;
	req->data_in_len = 0;
	req->status = SCSI_STATUS_TASK_SET_FULL;
	req->sense_len = 0;
}

static void dout_wait(struct bootsan_conn *conn, struct bootsan_iscsi_cmd *cmd)
{
	cmd->dout_wait = true;
	conn->nr_dout_waiting++;
}

/* The budget for the whole write is taken: its buffer. */
static void dout_alloc(struct bootsan_iscsi_cmd *cmd, u32 unsol)
{
	cmd->dout_charged = true;
	if (bootsan_buf_alloc(&cmd->scsi.buf, cmd->data_out_len)) {
		bootsan_dout_release(cmd);
		bootsan_scsi_set_sense(&cmd->scsi.req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);
		cmd->data_out_len = unsol;
	}
}

void bootsan_dout_release(struct bootsan_iscsi_cmd *cmd)
{
	if (cmd->dout_charged)
		bootsan_dout_mem_give(cmd->scsi.conn, cmd->data_out_len);
	cmd->dout_charged = false;
	if (cmd->dout_wait)
		cmd->scsi.conn->nr_dout_waiting--;
	cmd->dout_wait = false;
}

/*
 * From io_work, after writes finished: the writes waiting for memory,
 * oldest first, get it and their first R2T, or TASK SET FULL once their
 * session holds nothing that would free (they would wait forever).
 */
int bootsan_dout_resume(struct bootsan_conn *conn)
{
	struct bootsan_iscsi_cmd *cmd, *next;
	int ret;

	if (!conn->nr_dout_waiting)
		return 0;
	list_for_each_entry_safe(cmd, next, &conn->pending_writes, node) {
		if (!cmd->dout_wait)
			continue;
		conn->nr_dout_waiting--;
		switch (bootsan_dout_mem_take(conn, cmd->data_out_len, true)) {
		case DOUT_MEM_WAIT:
			conn->nr_dout_waiting++;
			return 0;
		case DOUT_MEM_OK:
			cmd->dout_wait = false;
			dout_alloc(cmd, 0);
			break;
		case DOUT_MEM_FULL:
			cmd->dout_wait = false;
			task_set_full(&cmd->scsi.req);
			cmd->data_out_len = 0;
			break;
		}
		ret = bootsan_write_progress(conn, cmd);
		if (ret)
			return ret;
	}
	return 0;
}

struct bootsan_iscsi_cmd *bootsan_find_pending(struct bootsan_conn *conn, u32 itt)
{
	struct bootsan_iscsi_cmd *cmd;

	list_for_each_entry(cmd, &conn->pending_writes, node)
		if (cmd->itt == itt)
			return cmd;
	return NULL;
}

/*
 * Check a Data-Out header against its command (DataPDUInOrder and
 * DataSequenceInOrder are Yes): the transfer tag, DataSN, the offset next
 * due, and no more than was solicited. Returns 0 or 0x100 | the ASCQ of
 * the ABORTED COMMAND sense (ASC 4Bh) that fails the command.
 */
static int dout_check(struct bootsan_iscsi_cmd *cmd, const struct iscsi_data *d, u32 len)
{
	u32 ttt = be32_to_cpu(d->ttt), off = be32_to_cpu(d->offset);

	if (ttt != RESERVED_TAG && ttt != cmd->itt)
		return 0x100 | 0x01;	/* INVALID TARGET PORT TRANSFER TAG RECEIVED */
	if (be32_to_cpu(d->datasn) != cmd->data_sn)
		return 0x100 | 0x00;	/* DATA PHASE ERROR */
	if (off != cmd->scsi.data_out_received)
		return 0x100 | 0x05;	/* DATA OFFSET ERROR */
	if (len > cmd->r2t_offset - off)
		return 0x100 | 0x02;	/* TOO MUCH WRITE DATA */
	return 0;
}

/*
 * The header of a SCSI command or Data-Out with a data segment is in:
 * point the receive at the command's buffer, or at a scratch buffer for
 * data we will not use.
 */
int bootsan_ffp_data_ready(struct bootsan_conn *conn)
{
	struct iscsi_hdr *hdr = (struct iscsi_hdr *)conn->bhs;
	struct bootsan_iscsi_cmd *cmd = NULL;
	u32 off = 0;

	if ((hdr->opcode & ISCSI_OPCODE_MASK) == ISCSI_OP_SCSI_CMD) {
		if (conn->sess->discovery)
			goto scratch;
		cmd = cmd_setup(conn);
		if (!cmd)
			return -ENOMEM;
		conn->cur_cmd = cmd;
	} else {
		struct iscsi_data *d = (struct iscsi_data *)conn->bhs;

		cmd = bootsan_find_pending(conn, be32_to_cpu(d->itt));
		if (!cmd || cmd->dout_error || dout_check(cmd, d, conn->data_len))
			goto scratch;
		off = be32_to_cpu(d->offset);
	}
	if (cmd && off < cmd->scsi.buf.len && conn->data_len <= cmd->scsi.buf.len - off) {
		conn->rx_cmd = cmd;
		conn->rx_cmd_off = off;
		return 0;
	}
scratch:
	conn->data = kvmalloc(conn->data_len, GFP_KERNEL);
	return conn->data ? 0 : -ENOMEM;
}

int bootsan_ffp_scsi_cmd(struct bootsan_conn *conn)
{
	struct bootsan_iscsi_cmd *cmd = conn->cur_cmd;
	struct iscsi_hdr *hdr = (struct iscsi_hdr *)conn->bhs;
	u32 immediate = conn->data_len;

	conn->cur_cmd = NULL;
	if (conn->sess->discovery)
		return bootsan_send_reject(conn, ISCSI_REASON_PROTOCOL_ERROR);
	if (!cmd) {
		cmd = cmd_setup(conn);
		if (!cmd)
			return -ENOMEM;
	}
	if (!bootsan_cmdsn_accept(conn, hdr)) {
		bootsan_cmd_free(cmd);
		return 0;
	}
	/*
	 * Immediate commands bypass the CmdSN window: bound them by the queue
	 * depth on their own (RFC 7143 11.17.1), so that no initiator has more
	 * than twice the queue depth in flight.
	 */
	if (hdr->opcode & ISCSI_OP_IMMEDIATE) {
		if (conn->nr_immediate >= conn->sess->queue_depth) {
			bootsan_cmd_free(cmd);
			return bootsan_send_reject(conn, ISCSI_REASON_IMM_CMD_REJECT);
		}
		cmd->immediate = true;
		conn->nr_immediate++;
	} else {
		cmd->in_window = true;
		conn->sess->in_window++;
	}
	if (!cmd->data_out_len) {
		/* Immediate data of a command that takes none. */
		if (immediate && cmd->scsi.req.status == SCSI_STATUS_GOOD)
			bootsan_scsi_set_sense(&cmd->scsi.req, SCSI_SK_ABORTED_COMMAND, 0x4b, 0x02);
		return cmd_execute(conn, cmd);
	}

	/* Count the immediate data, then expect unsolicited or R2T data. */
	if (immediate > cmd->data_out_len) {
		cmd->dout_error = true;
		bootsan_scsi_set_sense(&cmd->scsi.req, SCSI_SK_ABORTED_COMMAND, 0x4b, 0x02);
	} else {
		cmd->scsi.data_out_received = immediate;
	}
	list_add_tail(&cmd->node, &conn->pending_writes);
	conn->nr_pending++;
	if (!cmd->dout_error && cmd->scsi.data_out_received < cmd->r2t_offset)
		return 0;	/* unsolicited Data-Out follows */
	return bootsan_write_progress(conn, cmd);
}

int bootsan_ffp_data_out(struct bootsan_conn *conn)
{
	struct iscsi_data *d = (struct iscsi_data *)conn->bhs;
	struct bootsan_iscsi_cmd *cmd = bootsan_find_pending(conn, be32_to_cpu(d->itt));
	int err;

	if (!cmd)
		return bootsan_send_reject(conn, ISCSI_REASON_PROTOCOL_ERROR);
	if (!cmd->dout_error) {
		err = dout_check(cmd, d, conn->data_len);
		if (err) {
			/* ERL 0 keeps the connection: the command fails instead. */
			cmd->dout_error = true;
			bootsan_scsi_set_sense(&cmd->scsi.req, SCSI_SK_ABORTED_COMMAND, 0x4b, err & 0xff);
		} else {
			cmd->scsi.data_out_received += conn->data_len;
			cmd->data_sn++;
		}
	}
	/* Wait for the end of the sequence (F bit) or of the solicited data. */
	if (!(d->flags & ISCSI_FLAG_CMD_FINAL) &&
	    (cmd->dout_error || cmd->scsi.data_out_received < cmd->r2t_offset))
		return 0;
	if (!cmd->dout_error && cmd->scsi.data_out_received < cmd->r2t_offset) {
		/* The sequence ended short of what was asked for. */
		cmd->dout_error = true;
		bootsan_scsi_set_sense(&cmd->scsi.req, SCSI_SK_ABORTED_COMMAND, 0x4b, 0x00);
	}
	return bootsan_write_progress(conn, cmd);
}

/*
 * A PDU whose data digest failed (RFC 7143 7.8): Reject it and discard it.
 * A command with bad immediate data is dropped whole (the initiator
 * retries it); a Data-Out fails its command with "protocol service CRC
 * error" once the rest of its data sequence is in.
 */
int bootsan_ffp_data_digest_error(struct bootsan_conn *conn)
{
	struct iscsi_data *d = (struct iscsi_data *)conn->bhs;
	struct bootsan_iscsi_cmd *cmd;
	int ret;

	ret = bootsan_send_reject(conn, ISCSI_REASON_DATA_DIGEST_ERROR);
	if (ret)
		return ret;
	switch (conn->bhs[0] & ISCSI_OPCODE_MASK) {
	case ISCSI_OP_SCSI_CMD:
		if (conn->cur_cmd) {
			bootsan_cmd_free(conn->cur_cmd);
			conn->cur_cmd = NULL;
		}
		return 0;
	case ISCSI_OP_SCSI_DATA_OUT:
		cmd = bootsan_find_pending(conn, be32_to_cpu(d->itt));
		if (!cmd)
			return 0;
		if (!cmd->dout_error) {
			cmd->dout_error = true;
			bootsan_scsi_set_sense(&cmd->scsi.req, SCSI_SK_ABORTED_COMMAND, 0x47, 0x05);
		}
		return bootsan_ffp_data_out(conn);
	default:
		return 0;
	}
}
