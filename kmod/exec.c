// SPDX-License-Identifier: GPL-2.0
/*
 * Running a SCSI command against its LUN's backend (through lun->ops,
 * backend.h) and sending its response: Data-In with the status in the
 * last PDU, or a SCSI Response.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/sched/clock.h>

#include "backend.h"
#include "compat.h"
#include "ffp.h"
#include "lun_state.h"

#include <scsi/scsi_proto.h>

struct cmd_result {
	u8 status;
	const u8 *sense;
	u32 sense_len;
	u32 resid;
	u8 resid_flags;		/* ISCSI_FLAG_CMD_UNDERFLOW or _OVERFLOW */
};

static int send_scsi_rsp(struct bootsan_conn *conn, u32 itt, const struct cmd_result *r)
{
	struct iscsi_scsi_rsp rsp = {};
	u8 data[2 + SCSI_SENSE_LEN];
	u32 len = 0;

	rsp.opcode = ISCSI_OP_SCSI_CMD_RSP;
	rsp.flags = ISCSI_FLAG_CMD_FINAL | r->resid_flags;
	rsp.response = ISCSI_STATUS_CMD_COMPLETED;
	rsp.cmd_status = r->status;
	rsp.itt = cpu_to_be32(itt);
	rsp.statsn = cpu_to_be32(conn->stat_sn++);
	bootsan_put_sn(conn, &rsp.exp_cmdsn, &rsp.max_cmdsn);
	rsp.residual_count = cpu_to_be32(r->resid);
	if (r->sense_len) {
		len = min_t(u32, r->sense_len, SCSI_SENSE_LEN);
		put_unaligned_be16(len, data);
		memcpy(data + 2, r->sense, len);
		len += 2;
	}
	return bootsan_conn_send(conn, &rsp, data, len);
}

/* Residual of a transfer of @have bytes when the initiator expects @want. */
static void set_residual(struct cmd_result *r, u32 want, u32 have)
{
	if (want > have) {
		r->resid = want - have;
		r->resid_flags = ISCSI_FLAG_CMD_UNDERFLOW;
	} else if (want < have) {
		r->resid = have - want;
		r->resid_flags = ISCSI_FLAG_CMD_OVERFLOW;
	}
}

/*
 * Send @len bytes of read data as Data-In PDUs no larger than the
 * initiator's MaxRecvDataSegmentLength; the status rides in the last one
 * when there is no sense data to send.
 */
static int send_data_in(struct bootsan_conn *conn, struct bootsan_cmd *cmd,
			struct bootsan_buf *buf, const void *kbuf, u32 len,
			const struct cmd_result *r)
{
	struct iscsi_data_rsp d;
	u32 off = 0, sn = 0, chunk;
	bool with_status = !r->sense_len;
	int ret;

	if (buf && len) {
		/* The pages go by reference; the queue keeps them until sent. */
		struct bootsan_data_in in = {
			.itt = cmd->itt, .len = len, .with_status = with_status,
			.status = r->status, .resid_flags = r->resid_flags, .resid = r->resid,
		};

		ret = bootsan_conn_send_data_in(conn, &in, buf);
		if (ret)
			return ret;
		atomic64_add(len, &cmd->lun->stats.read_bytes_by_ref);
		return with_status ? 0 : send_scsi_rsp(conn, cmd->itt, r);
	}
	while (off < len) {
		chunk = min(len - off, conn->max_recv_dsl);
		memset(&d, 0, sizeof(d));
		d.opcode = ISCSI_OP_SCSI_DATA_IN;
		d.itt = cpu_to_be32(cmd->itt);
		d.ttt = cpu_to_be32(RESERVED_TAG);
		d.datasn = cpu_to_be32(sn++);
		d.offset = cpu_to_be32(off);
		bootsan_put_sn(conn, &d.exp_cmdsn, &d.max_cmdsn);
		if (off + chunk == len) {
			d.flags = ISCSI_FLAG_CMD_FINAL;
			if (with_status) {
				d.flags |= ISCSI_FLAG_DATA_STATUS | r->resid_flags;
				d.cmd_status = r->status;
				d.statsn = cpu_to_be32(conn->stat_sn++);
				d.residual_count = cpu_to_be32(r->resid);
			}
		}
		ret = bootsan_conn_send(conn, &d, (const u8 *)kbuf + off, chunk);
		if (ret)
			return ret;
		off += chunk;
	}
	if (with_status && len)
		return 0;
	return send_scsi_rsp(conn, cmd->itt, r);
}

void bootsan_fill_lun_info(struct bootsan_conn *conn, struct bootsan_lun *l,
			  struct scsi_lun_info *info)
{
	struct bootsan_target *t = conn->sess->target;

	memset(info, 0, sizeof(*info));
	info->nr_blocks = READ_ONCE(l->size) / l->block_size;
	info->block_size = l->block_size;
	info->read_only = l->read_only;
	/* Write cache, rotation, and thin only where UNMAP really deallocates. */
	l->ops->info(l, info);
	info->serial = l->serial;
	info->naa = l->naa;
	info->target_name = t->iqn;
	info->relative_port = 1;
	info->target_port_group = 1;
	info->lun = l->lun;
	info->max_xfer_blocks = BOOTSAN_MAX_IO / l->block_size;
	info->opt_xfer_blocks = (128u << 10) / l->block_size;
	/* Descriptors: Linux sends one; "no limit" confuses some initiators. */
	info->max_unmap_descriptors = 256;
	info->max_write_same_blocks = 0xffff;
	info->vendor = "BOOTSAN ";
	info->product = "bootsan disk";
	info->revision = "0001";
}

/* REPORT LUNS needs the target's LUN numbers; nothing else does. */
u32 *bootsan_collect_luns(struct bootsan_target *t, u32 *nr)
{
	struct bootsan_lun *l;
	u32 *luns, n = 0, cap;

	mutex_lock(&bootsan_config_mutex);
	cap = t->nr_luns;
	luns = kmalloc_array(max(cap, 1u), sizeof(*luns), GFP_KERNEL);
	if (luns)
		list_for_each_entry(l, &t->luns, node)
			if (n < cap)
				luns[n++] = l->lun;
	mutex_unlock(&bootsan_config_mutex);
	*nr = n;
	return luns;
}

static void account(struct bootsan_cmd *cmd, struct scsi_req *req, bool error)
{
	struct bootsan_lun_stats *st = &cmd->lun->stats;
	u64 bytes = (u64)req->nr_blocks * cmd->lun->block_size;

	if (req->action == SCSI_ACT_READ) {
		atomic64_inc(&st->read_cmds);
		atomic64_add(bytes, &st->read_bytes);
		atomic64_add(bytes, &cmd->conn->sess->read_bytes);
	} else if (req->action == SCSI_ACT_WRITE) {
		atomic64_inc(&st->write_cmds);
		atomic64_add(bytes, &st->write_bytes);
		atomic64_add(bytes, &cmd->conn->sess->write_bytes);
	}
	if (error)
		atomic64_inc(&st->errors);
	atomic64_add(local_clock() - cmd->start_ns, &st->latency_ns);
}

static void io_error_sense(struct scsi_req *req, bool write)
{
	/* MEDIUM ERROR, UNRECOVERED READ ERROR / WRITE ERROR */
	if (write)
		scsi_set_sense(req, SCSI_SK_MEDIUM_ERROR, 0x0c, 0x00);
	else
		scsi_set_sense(req, SCSI_SK_MEDIUM_ERROR, 0x11, 0x00);
}

/*
 * A command leaves the CmdSN window (or the count of immediate ones) when
 * it is answered, or dropped unanswered by task management or teardown.
 */
static void cmd_retire(struct bootsan_cmd *cmd)
{
	if (cmd->in_window) {
		cmd->in_window = false;
		cmd->conn->sess->in_window--;
	}
	if (cmd->immediate) {
		cmd->immediate = false;
		cmd->conn->nr_immediate--;
	}
}

void bootsan_cmd_free(struct bootsan_cmd *cmd)
{
	cmd_retire(cmd);
	bootsan_dout_release(cmd);
	bootsan_din_mem_give(cmd->conn, &cmd->buf);
	bootsan_buf_free(&cmd->buf);
	if (cmd->lun)
		bootsan_lun_put(cmd->lun);
	kfree(cmd->req.data_in);
	kfree(cmd);
}

/* Bytes of data-out the command can use: what arrived of what the CDB asks. */
static u32 dout_usable(struct bootsan_cmd *cmd)
{
	return min(cmd->data_out_received, cmd->req.data_out_len);
}

/*
 * CHECK CONDITION, MISCOMPARE, MISCOMPARE DURING VERIFY OPERATION, with
 * the offset of the first differing byte in the INFORMATION field.
 */
static void miscompare_sense(struct scsi_req *req, u32 offset)
{
	scsi_set_sense(req, SCSI_SK_MISCOMPARE, SCSI_ASC_MISCOMPARE_VERIFY, 0x00);
	req->sense[0] |= 0x80;		/* VALID: INFORMATION is set */
	put_unaligned_be32(offset, &req->sense[3]);
}

/*
 * Compare @len bytes of @a from @a_off with @b from 0 (both start on a
 * page boundary plus the offset). Returns the offset of the first
 * difference, or -1 when they are equal.
 */
static s64 buf_compare(struct bootsan_buf *a, u32 a_off, struct bootsan_buf *b, u32 len)
{
	u8 x[256], y[256];
	struct iov_iter ia, ib;
	u32 done = 0, chunk, i;

	bootsan_buf_iter(a, &ia, ITER_SOURCE, a_off, len);
	bootsan_buf_iter(b, &ib, ITER_SOURCE, 0, len);
	while (done < len) {
		chunk = min_t(u32, len - done, sizeof(x));
		if (copy_from_iter(x, chunk, &ia) != chunk ||
		    copy_from_iter(y, chunk, &ib) != chunk)
			return done;
		if (memcmp(x, y, chunk))
			for (i = 0; i < chunk; i++)
				if (x[i] != y[i])
					return done + i;
		done += chunk;
	}
	return -1;
}

/*
 * Read @len bytes at @pos and compare them with the data-out from
 * @dout_off. Returns 0 when equal; sets the sense and returns -1 if not.
 */
static int verify_medium(struct bootsan_cmd *cmd, u64 pos, u32 len, u32 dout_off)
{
	struct bootsan_buf medium;
	struct scsi_req *req = &cmd->req;
	s64 diff;

	if (bootsan_buf_alloc(&medium, len)) {
		scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);
		return -1;
	}
	if (cmd->lun->ops->rw(cmd->lun, &medium, 0, pos, len, false, false)) {
		io_error_sense(req, false);
		diff = 0;
	} else {
		diff = buf_compare(&cmd->buf, dout_off, &medium, len);
		if (diff >= 0)
			miscompare_sense(req, diff);
	}
	bootsan_buf_free(&medium);
	return diff >= 0 ? -1 : 0;
}

static void exec_compare_and_write(struct bootsan_cmd *cmd, u64 pos, u32 len)
{
	struct mutex *caw_lock = &cmd->lun->state->caw_lock;
	struct scsi_req *req = &cmd->req;

	/* The data-out holds the data to compare, then the data to write. */
	mutex_lock(caw_lock);
	if (!verify_medium(cmd, pos, len, 0) &&
	    cmd->lun->ops->rw(cmd->lun, &cmd->buf, len, pos, len, true, req->fua))
		io_error_sense(req, true);
	mutex_unlock(caw_lock);
}

/* The data-out of UNMAP or MODE SELECT as one flat buffer. */
static u8 *dout_flat(struct bootsan_cmd *cmd, u32 len)
{
	struct iov_iter it;
	u8 *p = kvmalloc(max(len, 1u), GFP_KERNEL);

	if (!p)
		return NULL;
	bootsan_buf_iter(&cmd->buf, &it, ITER_SOURCE, 0, len);
	if (copy_from_iter(p, len, &it) != len) {
		kvfree(p);
		return NULL;
	}
	return p;
}

struct unmap_ctx {
	struct bootsan_lun *lun;
	int err;
};

static void unmap_one(void *data, u64 lba, u32 nr)
{
	struct unmap_ctx *ctx = data;
	u32 bs = ctx->lun->block_size;

	if (!ctx->err)
		ctx->err = ctx->lun->ops->discard(ctx->lun, lba * bs, (u64)nr * bs);
}

static void exec_unmap(struct bootsan_cmd *cmd)
{
	struct scsi_req *req = &cmd->req;
	struct unmap_ctx ctx = { .lun = cmd->lun };
	struct scsi_lun_info info;
	u32 len = dout_usable(cmd);
	u8 *param = dout_flat(cmd, len);

	if (!param) {
		scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);
		return;
	}
	bootsan_fill_lun_info(cmd->conn, cmd->lun, &info);
	if (!scsi_parse_unmap(param, len, &info, req, unmap_one, &ctx) && ctx.err)
		io_error_sense(req, true);
	kvfree(param);
}

static bool all_zero(struct bootsan_buf *b, u32 len)
{
	u8 x[256];
	struct iov_iter it;
	u32 done = 0, chunk;

	bootsan_buf_iter(b, &it, ITER_SOURCE, 0, len);
	while (done < len) {
		chunk = min_t(u32, len - done, sizeof(x));
		if (copy_from_iter(x, chunk, &it) != chunk || memchr_inv(x, 0, chunk))
			return false;
		done += chunk;
	}
	return true;
}

/* WRITE SAME: one block replicated over the range, in chunks of 128 KiB. */
static void exec_write_same(struct bootsan_cmd *cmd, struct scsi_lun_info *info)
{
	struct scsi_req *req = &cmd->req;
	struct bootsan_lun *l = cmd->lun;
	u32 bs = l->block_size, per, i;
	u64 pos = req->lba * bs, left = (u64)req->nr_blocks * bs;
	struct bootsan_buf chunk = {};
	u8 *block;
	int ret = 0;

	if (req->ndob || all_zero(&cmd->buf, bs)) {
		/* Zeros: a hole where we may deallocate, else written zeros. */
		if (req->unmap && info->thin)
			ret = l->ops->discard(l, pos, left);
		else
			ret = l->ops->write_zeroes(l, pos, left);
		goto out;
	}
	block = dout_flat(cmd, bs);
	per = max_t(u32, 1, (128u << 10) / bs);
	per = min_t(u64, per, req->nr_blocks);
	if (!block || bootsan_buf_alloc(&chunk, (size_t)per * bs)) {
		kvfree(block);
		scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);
		return;
	}
	for (i = 0; i < per && !ret; i++) {
		struct iov_iter it;

		bootsan_buf_iter(&chunk, &it, ITER_DEST, (size_t)i * bs, bs);
		if (copy_to_iter(block, bs, &it) != bs)
			ret = -EFAULT;
	}
	while (left && !ret) {
		u64 n = min_t(u64, left, (u64)per * bs);

		ret = l->ops->rw(l, &chunk, 0, pos, n, true, false);
		pos += n;
		left -= n;
		cond_resched();
	}
	bootsan_buf_free(&chunk);
	kvfree(block);
out:
	if (ret)
		io_error_sense(req, true);
}

static void exec_get_lba_status(struct bootsan_cmd *cmd)
{
	struct scsi_req *req = &cmd->req;
	struct bootsan_lun *l = cmd->lun;
	u32 bs = l->block_size;
	u64 pos = req->lba * bs, run, blocks;
	bool mapped;

	if (bootsan_backend_mapped(l, pos, &mapped, &run)) {
		io_error_sense(req, false);
		return;
	}
	if (mapped) {
		blocks = DIV_ROUND_UP(run, bs);
	} else {
		/* A block with any data in it counts as mapped. */
		blocks = run / bs;
		if (!blocks) {
			mapped = true;
			if (!bootsan_backend_mapped(l, pos + run, &mapped, &run) && mapped)
				blocks = 1 + DIV_ROUND_UP(run, bs);
			else
				blocks = 1;
			mapped = true;
		}
	}
	/* The LUN may have shrunk since the command was decoded. */
	blocks = min(blocks, max_t(u64, READ_ONCE(l->size) / bs, req->lba) - req->lba);
	scsi_fill_lba_status(req, req->lba, blocks, mapped, req->alloc_len);
}

static void exec_mode_select(struct bootsan_cmd *cmd, struct scsi_lun_info *info)
{
	struct scsi_req *req = &cmd->req;
	u32 len = dout_usable(cmd);
	u8 *param = dout_flat(cmd, len);
	bool wce;

	if (!param) {
		scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);
		return;
	}
	/* The cache mode is the LUN's configuration (direct or buffered). */
	if (!scsi_mode_select(info, req, param, len, &wce) && wce != info->write_cache)
		scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_PARAM, 0);
	kvfree(param);
}

/* PERSISTENT RESERVE IN/OUT, RESERVE and RELEASE on the LUN's state. */
static void exec_reservation(struct bootsan_cmd *cmd)
{
	struct bootsan_lun_state *st = cmd->lun->state;
	struct scsi_req *req = &cmd->req;
	struct pr_nexus n;
	u8 *param = NULL;
	u32 len = 0;

	if (req->action == SCSI_ACT_PR_OUT) {
		len = dout_usable(cmd);
		param = dout_flat(cmd, len);
		if (!param) {
			scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);
			return;
		}
	}
	bootsan_conn_nexus(cmd->conn, &n);
	spin_lock(&st->lock);
	if (req->action == SCSI_ACT_PR_IN)
		bootsan_pr_in(&st->pr, &n, 1, req);
	else if (req->action == SCSI_ACT_PR_OUT)
		bootsan_pr_out(&st->pr, &n, req, param, len);
	else
		pr_spc2(&st->pr, &n, cmd->conn->sess->id, req);
	spin_unlock(&st->lock);
	kvfree(param);
}

/* Run a command against its LUN: may sleep for as long as the I/O takes. */
static void cmd_run(struct bootsan_cmd *cmd)
{
	struct bootsan_conn *conn = cmd->conn;
	struct scsi_req *req = &cmd->req;
	struct bootsan_lun *l = cmd->lun;
	struct scsi_lun_info info;
	u64 pos = l ? req->lba * l->block_size : 0;
	u32 len = 0;
	int ret;

	if (req->action != SCSI_ACT_DONE)
		bootsan_fill_lun_info(conn, l, &info);
	switch (req->action) {
	case SCSI_ACT_READ:
		len = req->nr_blocks * l->block_size;
		ret = l->ops->read(l, &cmd->buf, pos, len, conn->params.data_digest);
		if (ret == -ENOMEM)
			scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);	/* resources exhausted */
		else if (ret)
			io_error_sense(req, false);
		break;
	case SCSI_ACT_WRITE:
	case SCSI_ACT_WRITE_VERIFY:
		/* Only whole blocks of what the initiator sent (iSCSI EDTL < SCSI TL). */
		len = round_down(dout_usable(cmd), l->block_size);
		if (len && l->ops->rw(l, &cmd->buf, 0, pos, len, true,
				      req->fua || req->action == SCSI_ACT_WRITE_VERIFY))
			io_error_sense(req, true);
		break;
	case SCSI_ACT_VERIFY_READ:
		len = round_down(dout_usable(cmd), l->block_size);
		if (len)
			verify_medium(cmd, pos, len, 0);
		break;
	case SCSI_ACT_COMPARE_AND_WRITE:
		exec_compare_and_write(cmd, pos, req->nr_blocks * l->block_size);
		break;
	case SCSI_ACT_FLUSH:
		if (l->ops->flush(l, pos, (u64)req->nr_blocks * l->block_size))
			io_error_sense(req, true);
		break;
	case SCSI_ACT_UNMAP:
		exec_unmap(cmd);
		break;
	case SCSI_ACT_WRITE_SAME:
		exec_write_same(cmd, &info);
		break;
	case SCSI_ACT_GET_LBA_STATUS:
		exec_get_lba_status(cmd);
		break;
	case SCSI_ACT_MODE_SELECT:
		exec_mode_select(cmd, &info);
		break;
	case SCSI_ACT_PR_IN:
	case SCSI_ACT_PR_OUT:
	case SCSI_ACT_RESERVE:
		exec_reservation(cmd);
		break;
	case SCSI_ACT_DONE:
		break;
	}
	if (l)
		account(cmd, req, req->status != SCSI_STATUS_GOOD);
	cmd->xfer_len = len;
}

/* Answer a command that ran: from io_work, the socket's only writer. */
static int cmd_respond(struct bootsan_cmd *cmd)
{
	struct bootsan_conn *conn = cmd->conn;
	struct scsi_req *req = &cmd->req;
	struct cmd_result r = {};
	u32 len = cmd->xfer_len;
	int ret;

	/* The response carries the window this answer reopens. */
	cmd_retire(cmd);
	r.status = req->status;
	r.sense = req->sense;
	r.sense_len = req->sense_len;
	if (req->status == SCSI_STATUS_GOOD && req->action == SCSI_ACT_READ) {
		set_residual(&r, cmd->exp_xfer_len, len);
		ret = send_data_in(conn, cmd, &cmd->buf, NULL,
				   min(len, cmd->exp_xfer_len), &r);
	} else if (req->status == SCSI_STATUS_GOOD && req->data_in_len) {
		set_residual(&r, cmd->exp_xfer_len, req->data_in_len);
		ret = send_data_in(conn, cmd, NULL, req->data_in,
				   min(req->data_in_len, cmd->exp_xfer_len), &r);
	} else {
		/* Residuals against what the CDB asks for, moved or not. */
		if (req->status == SCSI_STATUS_GOOD)
			set_residual(&r, cmd->exp_xfer_len, req->data_out_len);
		else if (cmd->exp_xfer_len)
			set_residual(&r, cmd->exp_xfer_len, 0);
		ret = send_scsi_rsp(conn, cmd->itt, &r);
	}
	return ret;
}

/*
 * Commands that may wait for a device run as work items. The rest run in
 * io_work and are answered at once: emulated commands, reservations, and
 * I/O the backend can do without waiting (page-cache I/O of buffered
 * LUNs: a cached read, a write into the cache), where the hand-off to
 * another worker would cost more than the command itself. A FUA write
 * waits for the medium whatever the backend.
 */
static bool cmd_may_sleep(struct bootsan_cmd *cmd)
{
	struct scsi_req *req = &cmd->req;
	struct bootsan_lun *l = cmd->lun;

	switch (req->action) {
	case SCSI_ACT_READ:
		return cmd->conn->params.data_digest ||
		       !bootsan_backend_nowait(l, req->lba * l->block_size,
					       (size_t)req->nr_blocks * l->block_size, false);
	case SCSI_ACT_WRITE:
		return req->fua ||
		       !bootsan_backend_nowait(l, req->lba * l->block_size,
					       (size_t)req->nr_blocks * l->block_size, true);
	case SCSI_ACT_WRITE_VERIFY:
	case SCSI_ACT_VERIFY_READ:
	case SCSI_ACT_COMPARE_AND_WRITE:
	case SCSI_ACT_FLUSH:
	case SCSI_ACT_UNMAP:
	case SCSI_ACT_WRITE_SAME:
	case SCSI_ACT_GET_LBA_STATUS:
		return true;
	default:
		return false;
	}
}

/*
 * A command that ran away from io_work is done: hand it back for its
 * answer. Any context, bio completions included. This is the last touch
 * of @conn: teardown waits for nr_running to reach zero under done_lock,
 * then cancels io_work, then frees.
 */
static void cmd_done(struct bootsan_cmd *cmd)
{
	struct bootsan_conn *conn = cmd->conn;
	unsigned long flags;

	spin_lock_irqsave(&conn->done_lock, flags);
	list_add_tail(&cmd->node, &conn->done);
	/*
	 * io_work itself (a bio done inside submit_bio) answers it before it
	 * stops. An interrupt that merely arrived while io_work ran must
	 * queue it: that io_work may be past its last look at the list.
	 */
	if (!in_task() || current_work() != &conn->io_work)
		queue_work(bootsan_wq, &conn->io_work);
	if (!--conn->nr_running)
		wake_up(&conn->running_wait);
	spin_unlock_irqrestore(&conn->done_lock, flags);
}

static void cmd_io_work(struct work_struct *work)
{
	struct bootsan_cmd *cmd = container_of(work, struct bootsan_cmd, work);

	cmd_run(cmd);
	cmd_done(cmd);
}

static void cmd_start_running(struct bootsan_conn *conn)
{
	unsigned long flags;

	spin_lock_irqsave(&conn->done_lock, flags);
	conn->nr_running++;
	spin_unlock_irqrestore(&conn->done_lock, flags);
}

static void cmd_bio_done(struct bio *bio)
{
	struct bootsan_cmd *cmd = bio->bi_private;
	struct scsi_req *req = &cmd->req;

	if (bio->bi_status)
		io_error_sense(req, req->action == SCSI_ACT_WRITE);
	bio_put(bio);
	account(cmd, req, req->status != SCSI_STATUS_GOOD);
	cmd_done(cmd);
}

/*
 * READ and WRITE of a LUN whose backend submits bios, the way nvmet does
 * it: the bios go out from io_work and their completion hands the command
 * back, so no worker waits for the device (and a device that completes at
 * once, like a RAM disk, costs no hand-off at all). False when it must run
 * the usual way.
 */
static bool cmd_submit_bios(struct bootsan_cmd *cmd)
{
	struct scsi_req *req = &cmd->req;
	struct bootsan_lun *l = cmd->lun;
	u64 pos = req->lba * l->block_size;
	bool write = req->action == SCSI_ACT_WRITE;
	u32 len;

	if (!l->ops->submit || (req->action != SCSI_ACT_READ && !write))
		return false;
	if (write) {
		/* Only whole blocks of what the initiator sent (iSCSI EDTL < SCSI TL). */
		len = round_down(dout_usable(cmd), l->block_size);
	} else {
		len = req->nr_blocks * l->block_size;
		if (bootsan_buf_alloc(&cmd->buf, len))
			return false;	/* cmd_run() answers it: resources exhausted */
	}
	if (!len)
		return false;
	cmd->xfer_len = len;
	cmd_start_running(cmd->conn);
	if (l->ops->submit(l, &cmd->buf, pos, len, write, req->fua, cmd_bio_done, cmd)) {
		io_error_sense(req, write);
		account(cmd, req, true);
		cmd_done(cmd);
	}
	return true;
}

/*
 * Run a command whose data-out (if any) has all arrived; it is ours from
 * here. I/O runs as its own work item so that io_work goes on receiving;
 * anything else (emulated commands, reservations, failures) is answered
 * at once.
 */
int bootsan_cmd_execute(struct bootsan_cmd *cmd)
{
	struct bootsan_conn *conn = cmd->conn;
	struct scsi_req *req = &cmd->req;
	int ret;

	if (!cmd->lun || req->status != SCSI_STATUS_GOOD)
		req->action = SCSI_ACT_DONE;
	if (req->action != SCSI_ACT_DONE && cmd_submit_bios(cmd))
		return 0;
	if (cmd_may_sleep(cmd)) {
		cmd_start_running(conn);
		INIT_WORK(&cmd->work, cmd_io_work);
		queue_work(bootsan_io_wq, &cmd->work);
		return 0;
	}
	cmd_run(cmd);
	ret = cmd_respond(cmd);
	bootsan_cmd_free(cmd);
	return ret;
}

/* Answer the commands whose I/O finished. From io_work only. */
int bootsan_ffp_send_done(struct bootsan_conn *conn)
{
	struct bootsan_cmd *cmd, *next;
	LIST_HEAD(done);
	int ret = 0;

	spin_lock_irq(&conn->done_lock);
	list_splice_init(&conn->done, &done);
	spin_unlock_irq(&conn->done_lock);
	list_for_each_entry_safe(cmd, next, &done, node) {
		list_del(&cmd->node);
		if (!ret)
			ret = cmd_respond(cmd);
		bootsan_cmd_free(cmd);
	}
	return ret;
}

static bool conn_running(struct bootsan_conn *conn)
{
	bool running;

	spin_lock_irq(&conn->done_lock);
	running = conn->nr_running;
	spin_unlock_irq(&conn->done_lock);
	return running;
}

/* Wait until no command of @conn is on bootsan_io_wq any more. */
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
	struct bootsan_cmd *cmd, *next;

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
