// SPDX-License-Identifier: GPL-2.0
/*
 * The full feature phase: SCSI commands with their data (immediate,
 * unsolicited and R2T-solicited Data-Out; Data-In with the status in the
 * last PDU), NOP, Text (SendTargets), task management and Logout. The SCSI
 * meaning of a command is decided by scsi.c; this file moves its data.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/inet.h>
#include <linux/slab.h>
#include <linux/sched/clock.h>

#include "compat.h"
#include "engine.h"
#include "lun_state.h"
#include "scsi.h"

#include <scsi/scsi_proto.h>

#define RESERVED_TAG		0xffffffff
/* Largest data transfer of one command: the block limits VPD says so too. */
#define BOOTSAN_MAX_IO		(8u << 20)
#define EMULATED_DATA_CAP	8192

static bool sn_lt(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static void put_sn(struct bootsan_conn *conn, __be32 *exp_cmdsn, __be32 *max_cmdsn)
{
	struct bootsan_session *s = conn->sess;

	*exp_cmdsn = cpu_to_be32(s->exp_cmd_sn);
	*max_cmdsn = cpu_to_be32(s->exp_cmd_sn + s->queue_depth - 1);
}

/*
 * Accept a command's CmdSN: immediate commands do not take a number;
 * others must be within the window (RFC 7143 3.2.2.1) or are dropped.
 */
static bool cmdsn_accept(struct bootsan_conn *conn, const struct iscsi_hdr *hdr)
{
	struct bootsan_session *s = conn->sess;
	u32 sn = be32_to_cpu(hdr->statsn);	/* CmdSN sits where StatSN does in responses */

	if (hdr->opcode & ISCSI_OP_IMMEDIATE)
		return true;
	if (sn_lt(sn, s->exp_cmd_sn) || !sn_lt(sn, s->exp_cmd_sn + s->queue_depth))
		return false;
	s->exp_cmd_sn = sn + 1;
	return true;
}

/* Single level LUN, peripheral or flat space addressing; U32_MAX otherwise. */
static u32 decode_lun(const struct scsi_lun *lun)
{
	const u8 *b = lun->scsi_lun;
	int i;

	for (i = 2; i < 8; i++)
		if (b[i])
			return U32_MAX;
	switch (b[0] >> 6) {
	case 0:
		return b[0] ? U32_MAX : b[1];
	case 1:
		return ((b[0] & 0x3f) << 8) | b[1];
	default:
		return U32_MAX;
	}
}

static int send_reject(struct bootsan_conn *conn, u8 reason)
{
	struct iscsi_reject rej = {};

	rej.opcode = ISCSI_OP_REJECT;
	rej.flags = ISCSI_FLAG_CMD_FINAL;
	rej.reason = reason;
	rej.ffffffff = cpu_to_be32(RESERVED_TAG);
	rej.statsn = cpu_to_be32(conn->stat_sn++);
	put_sn(conn, &rej.exp_cmdsn, &rej.max_cmdsn);
	/* The data segment is the header of the rejected PDU. */
	return bootsan_conn_send(conn, &rej, conn->bhs, ISCSI_HDR_LEN);
}

/* ---- SCSI responses ---- */

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
	put_sn(conn, &rsp.exp_cmdsn, &rsp.max_cmdsn);
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

	while (off < len) {
		chunk = min(len - off, conn->max_recv_dsl);
		memset(&d, 0, sizeof(d));
		d.opcode = ISCSI_OP_SCSI_DATA_IN;
		d.itt = cpu_to_be32(cmd->itt);
		d.ttt = cpu_to_be32(RESERVED_TAG);
		d.datasn = cpu_to_be32(sn++);
		d.offset = cpu_to_be32(off);
		put_sn(conn, &d.exp_cmdsn, &d.max_cmdsn);
		if (off + chunk == len) {
			d.flags = ISCSI_FLAG_CMD_FINAL;
			if (with_status) {
				d.flags |= ISCSI_FLAG_DATA_STATUS | r->resid_flags;
				d.cmd_status = r->status;
				d.statsn = cpu_to_be32(conn->stat_sn++);
				d.residual_count = cpu_to_be32(r->resid);
			}
		}
		if (buf) {
			ret = bootsan_conn_send_buf(conn, &d, buf, off, chunk);
			if (!ret)
				atomic64_add(chunk, &cmd->lun->stats.read_bytes_by_ref);
		} else {
			ret = bootsan_conn_send(conn, &d, (const u8 *)kbuf + off, chunk);
		}
		if (ret)
			return ret;
		off += chunk;
	}
	if (with_status && len)
		return 0;
	return send_scsi_rsp(conn, cmd->itt, r);
}

static void fill_lun_info(struct bootsan_conn *conn, struct bootsan_lun *l,
			  struct scsi_lun_info *info)
{
	struct bootsan_target *t = conn->sess->target;

	memset(info, 0, sizeof(*info));
	info->nr_blocks = l->size / l->block_size;
	info->block_size = l->block_size;
	info->read_only = l->read_only;
	info->write_cache = !l->direct;
	info->rotational = l->block && bootsan_block_rotational(l);
	/* Thin only where UNMAP really deallocates: holes in an image file. */
	info->thin = l->backend == BOOTSAN_BACKEND_FILE && bootsan_file_can_punch(l);
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
static u32 *collect_luns(struct bootsan_target *t, u32 *nr)
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

static void cmd_free(struct bootsan_cmd *cmd)
{
	bootsan_buf_free(&cmd->buf);
	if (cmd->lun)
		bootsan_lun_put(cmd->lun);
	kfree(cmd->req);
	kfree(cmd);
}

/* Bytes of data-out the command can use: what arrived of what the CDB asks. */
static u32 dout_usable(struct bootsan_cmd *cmd)
{
	return min(cmd->data_out_received, cmd->req->data_out_len);
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
	struct scsi_req *req = cmd->req;
	s64 diff;

	if (bootsan_buf_alloc(&medium, len)) {
		scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);
		return -1;
	}
	if (bootsan_file_rw(cmd->lun, &medium, pos, len, false, false)) {
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
	struct scsi_req *req = cmd->req;

	/* The data-out holds the data to compare, then the data to write. */
	mutex_lock(caw_lock);
	if (!verify_medium(cmd, pos, len, 0) &&
	    bootsan_file_rw_off(cmd->lun, &cmd->buf, len, pos, len, true, req->fua))
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
		ctx->err = bootsan_file_punch(ctx->lun, lba * bs, (u64)nr * bs);
}

static void exec_unmap(struct bootsan_cmd *cmd)
{
	struct scsi_req *req = cmd->req;
	struct unmap_ctx ctx = { .lun = cmd->lun };
	struct scsi_lun_info info;
	u32 len = dout_usable(cmd);
	u8 *param = dout_flat(cmd, len);

	if (!param) {
		scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);
		return;
	}
	fill_lun_info(cmd->conn, cmd->lun, &info);
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
	struct scsi_req *req = cmd->req;
	struct bootsan_lun *l = cmd->lun;
	u32 bs = l->block_size, per, i;
	u64 pos = req->lba * bs, left = (u64)req->nr_blocks * bs;
	struct bootsan_buf chunk = {};
	u8 *block;
	int ret = 0;

	if (req->ndob || all_zero(&cmd->buf, bs)) {
		/* Zeros: a hole where we may deallocate, else written zeros. */
		if (req->unmap && info->thin)
			ret = bootsan_file_punch(l, pos, left);
		else
			ret = bootsan_file_zero(l, pos, left);
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

		ret = bootsan_file_rw(l, &chunk, pos, n, true, false);
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
	struct scsi_req *req = cmd->req;
	struct bootsan_lun *l = cmd->lun;
	u32 bs = l->block_size;
	u64 pos = req->lba * bs, run, blocks;
	bool mapped;

	if (bootsan_file_mapped(l, pos, &mapped, &run)) {
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
			if (!bootsan_file_mapped(l, pos + run, &mapped, &run) && mapped)
				blocks = 1 + DIV_ROUND_UP(run, bs);
			else
				blocks = 1;
			mapped = true;
		}
	}
	blocks = min(blocks, l->size / bs - req->lba);
	scsi_fill_lba_status(req, req->lba, blocks, mapped, req->alloc_len);
}

static void exec_mode_select(struct bootsan_cmd *cmd, struct scsi_lun_info *info)
{
	struct scsi_req *req = cmd->req;
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

/* The I_T nexus of @conn's session, as reservations know it. */
static void conn_nexus(struct bootsan_conn *conn, struct pr_nexus *n)
{
	memset(n, 0, sizeof(*n));
	strscpy(n->initiator, conn->sess->initiator, sizeof(n->initiator));
	n->isid = conn->sess->isid;
	n->tpgt = conn->portal ? conn->portal->tpgt : 0;
}

/* PERSISTENT RESERVE IN/OUT, RESERVE and RELEASE on the LUN's state. */
static void exec_reservation(struct bootsan_cmd *cmd)
{
	struct bootsan_lun_state *st = cmd->lun->state;
	struct scsi_req *req = cmd->req;
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
	conn_nexus(cmd->conn, &n);
	spin_lock(&st->lock);
	if (req->action == SCSI_ACT_PR_IN)
		pr_in(&st->pr, &n, 1, req);
	else if (req->action == SCSI_ACT_PR_OUT)
		pr_out(&st->pr, &n, req, param, len);
	else
		pr_spc2(&st->pr, &n, cmd->conn->sess->id, req);
	spin_unlock(&st->lock);
	kvfree(param);
}

/* Run a command whose data-out (if any) has all arrived, and answer it. */
static int cmd_execute(struct bootsan_cmd *cmd)
{
	struct bootsan_conn *conn = cmd->conn;
	struct scsi_req *req = cmd->req;
	struct bootsan_lun *l = cmd->lun;
	struct scsi_lun_info info;
	struct cmd_result r = {};
	u64 pos = l ? req->lba * l->block_size : 0;
	u32 len = 0;
	int ret = 0;

	if (!l || req->status != SCSI_STATUS_GOOD)
		req->action = SCSI_ACT_DONE;
	if (req->action != SCSI_ACT_DONE)
		fill_lun_info(conn, l, &info);
	switch (req->action) {
	case SCSI_ACT_READ:
		len = req->nr_blocks * l->block_size;
		ret = bootsan_file_read(l, &cmd->buf, pos, len, conn->params.data_digest);
		if (ret == -ENOMEM)
			scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);	/* resources exhausted */
		else if (ret)
			io_error_sense(req, false);
		ret = 0;
		break;
	case SCSI_ACT_WRITE:
	case SCSI_ACT_WRITE_VERIFY:
		/* Only whole blocks of what the initiator sent (iSCSI EDTL < SCSI TL). */
		len = round_down(dout_usable(cmd), l->block_size);
		if (len && bootsan_file_rw(l, &cmd->buf, pos, len, true,
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
		if (bootsan_file_flush(l, pos, (u64)req->nr_blocks * l->block_size))
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

/* Ask for the next burst of a write's data (one R2T outstanding at a time). */
static int send_r2t(struct bootsan_conn *conn, struct bootsan_cmd *cmd)
{
	struct iscsi_r2t_rsp r2t = {};
	u32 len = min(cmd->data_out_len - cmd->r2t_offset,
		      conn->sess->params.max_burst_length);

	r2t.opcode = ISCSI_OP_R2T;
	r2t.flags = ISCSI_FLAG_CMD_FINAL;
	r2t.lun = cmd->lun_raw;
	r2t.itt = cpu_to_be32(cmd->itt);
	r2t.ttt = cpu_to_be32(cmd->ttt);
	r2t.statsn = cpu_to_be32(conn->stat_sn);
	put_sn(conn, &r2t.exp_cmdsn, &r2t.max_cmdsn);
	r2t.r2tsn = cpu_to_be32(cmd->r2t_sn++);
	r2t.data_offset = cpu_to_be32(cmd->r2t_offset);
	r2t.data_length = cpu_to_be32(len);
	cmd->r2t_offset += len;
	cmd->data_sn = 0;	/* every sequence counts from 0 */
	return bootsan_conn_send(conn, &r2t, NULL, 0);
}

/*
 * At the end of a data sequence: solicit the next burst, or run the
 * command once all its data is in. A command that failed (at decode, or
 * by a bad Data-Out) solicits nothing more and is answered at once.
 */
static int write_progress(struct bootsan_conn *conn, struct bootsan_cmd *cmd)
{
	bool failed = cmd->dout_error || cmd->req->status != SCSI_STATUS_GOOD;
	int ret;

	if (!failed && cmd->data_out_received < cmd->data_out_len)
		return send_r2t(conn, cmd);
	list_del(&cmd->node);
	conn->nr_pending--;
	ret = cmd_execute(cmd);
	cmd_free(cmd);
	return ret;
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
		luns = collect_luns(conn->sess->target, &info.nr_luns);
		info.all_luns = luns;
		scsi_decode(&info, req);
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
	scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, 0x25, 0x00);
}

/*
 * Decode a new SCSI command. Called when its header is complete: before
 * its immediate data is received, so the data can land in its buffer.
 */
static void dout_setup(struct bootsan_conn *conn, struct bootsan_cmd *cmd);

/*
 * What the LUN's state says before a decoded command runs: a pending UNIT
 * ATTENTION for this nexus, or a RESERVATION CONFLICT (checked only for
 * commands that are otherwise good, as their data-out is not wanted then).
 */
static void lun_gate(struct bootsan_conn *conn, struct bootsan_cmd *cmd)
{
	struct bootsan_lun_state *st = cmd->lun->state;
	struct scsi_req *req = cmd->req;
	struct pr_nexus n;

	conn_nexus(conn, &n);
	spin_lock(&st->lock);
	pr_nexus_seen(&st->pr, &n, conn->sess->id);
	if (!pr_ua_check(&st->pr, &n, cmd->cdb, req) &&
	    req->status == SCSI_STATUS_GOOD && pr_conflict(&st->pr, &n, cmd->cdb)) {
		req->action = SCSI_ACT_DONE;
		req->nr_blocks = 0;
		req->data_in_len = 0;
		req->data_out_len = 0;
		req->status = SCSI_STATUS_RESERVATION_CONFLICT;
		req->sense_len = 0;
	}
	spin_unlock(&st->lock);
}

static struct bootsan_cmd *cmd_setup(struct bootsan_conn *conn)
{
	struct iscsi_scsi_req *hdr = (struct iscsi_scsi_req *)conn->bhs;
	struct bootsan_target *t = conn->sess->target;
	struct scsi_lun_info info;
	struct bootsan_cmd *cmd;
	struct scsi_req *req;
	u32 *luns = NULL, lun_nr;

	cmd = kzalloc(sizeof(*cmd), GFP_KERNEL);
	req = kzalloc(sizeof(*req) + EMULATED_DATA_CAP, GFP_KERNEL);
	if (!cmd || !req) {
		kfree(cmd);
		kfree(req);
		return NULL;
	}
	cmd->conn = conn;
	cmd->req = req;
	cmd->itt = be32_to_cpu(hdr->itt);
	cmd->exp_xfer_len = be32_to_cpu(hdr->data_length);
	cmd->dir_read = hdr->flags & ISCSI_FLAG_CMD_READ;
	cmd->dir_write = hdr->flags & ISCSI_FLAG_CMD_WRITE;
	cmd->start_ns = local_clock();
	memcpy(cmd->cdb, hdr->cdb, sizeof(cmd->cdb));
	cmd->lun_raw = hdr->lun;
	atomic64_inc(&conn->sess->commands);

	req->cdb = cmd->cdb;
	req->cdb_len = sizeof(cmd->cdb);
	req->expected_xfer_len = cmd->exp_xfer_len;
	req->dir_read = cmd->dir_read;
	req->dir_write = cmd->dir_write;
	req->data_in = (u8 *)(req + 1);
	req->data_in_cap = EMULATED_DATA_CAP;

	lun_nr = decode_lun(&hdr->lun);
	cmd->lun = lun_nr == U32_MAX ? NULL : bootsan_lun_get(t, lun_nr);
	if (!cmd->lun) {
		no_lun_decode(conn, req);
		return cmd;
	}
	fill_lun_info(conn, cmd->lun, &info);
	if (cmd->cdb[0] == REPORT_LUNS) {
		luns = collect_luns(t, &info.nr_luns);
		info.all_luns = luns;
	}
	scsi_decode(&info, req);
	kfree(luns);
	lun_gate(conn, cmd);

	if (req->status == SCSI_STATUS_GOOD && req->action == SCSI_ACT_READ &&
	    (u64)req->nr_blocks * cmd->lun->block_size > BOOTSAN_MAX_IO) {
		scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, 0x24, 0x00);
		req->action = SCSI_ACT_DONE;
	}
	/* COMPARE AND WRITE takes exactly both halves, nothing more or less. */
	if (req->status == SCSI_STATUS_GOOD && cmd->cdb[0] == COMPARE_AND_WRITE &&
	    cmd->exp_xfer_len != req->data_out_len)
		scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, 0x24, 0x00);
	dout_setup(conn, cmd);
	return cmd;
}

/*
 * Plan a command's data-out. The initiator sends what it expects to
 * (EDTL), whatever the CDB says: collect all of it, and use the part the
 * CDB asks for. A command that already failed, or would take too much,
 * solicits nothing: it takes only the data that comes unsolicited.
 */
static void dout_setup(struct bootsan_conn *conn, struct bootsan_cmd *cmd)
{
	struct iscsi_scsi_req *hdr = (struct iscsi_scsi_req *)conn->bhs;
	struct iscsi_params *p = &conn->sess->params;
	struct scsi_req *req = cmd->req;
	u32 edtl = cmd->exp_xfer_len, unsol;

	if (!cmd->dir_write || !edtl)
		return;
	/* Immediate data, then unsolicited Data-Out up to FirstBurstLength. */
	unsol = min(edtl, conn->data_len);
	if (!p->initial_r2t && !(hdr->flags & ISCSI_FLAG_CMD_FINAL))
		unsol = max(unsol, min(edtl, p->first_burst_length));
	cmd->r2t_offset = unsol;
	cmd->ttt = cmd->itt;	/* our transfer tag: unique as the ITT is */

	if (req->status == SCSI_STATUS_GOOD && edtl > BOOTSAN_MAX_IO)
		scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, 0x24, 0x00);
	if (req->status != SCSI_STATUS_GOOD || !req->data_out_len) {
		/* Received and dropped: no buffer for it. */
		cmd->data_out_len = unsol;
		return;
	}
	cmd->data_out_len = edtl;
	if (bootsan_buf_alloc(&cmd->buf, edtl)) {
		scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, 0x55, 0x03);
		cmd->data_out_len = unsol;
	}
}

/* ---- receive hooks ---- */

static struct bootsan_cmd *find_pending(struct bootsan_conn *conn, u32 itt)
{
	struct bootsan_cmd *cmd;

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
static int dout_check(struct bootsan_cmd *cmd, const struct iscsi_data *d, u32 len)
{
	u32 ttt = be32_to_cpu(d->ttt), off = be32_to_cpu(d->offset);

	if (ttt != RESERVED_TAG && ttt != cmd->ttt)
		return 0x100 | 0x01;	/* INVALID TARGET PORT TRANSFER TAG RECEIVED */
	if (be32_to_cpu(d->datasn) != cmd->data_sn)
		return 0x100 | 0x00;	/* DATA PHASE ERROR */
	if (off != cmd->data_out_received)
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
	struct bootsan_cmd *cmd = NULL;
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

		cmd = find_pending(conn, be32_to_cpu(d->itt));
		if (!cmd || cmd->dout_error || dout_check(cmd, d, conn->data_len))
			goto scratch;
		off = be32_to_cpu(d->offset);
	}
	if (cmd && off < cmd->buf.len && conn->data_len <= cmd->buf.len - off) {
		conn->rx_cmd = cmd;
		conn->rx_cmd_off = off;
		return 0;
	}
scratch:
	conn->data = kvmalloc(conn->data_len, GFP_KERNEL);
	return conn->data ? 0 : -ENOMEM;
}

static int handle_scsi_cmd(struct bootsan_conn *conn)
{
	struct bootsan_cmd *cmd = conn->cur_cmd;
	struct iscsi_hdr *hdr = (struct iscsi_hdr *)conn->bhs;
	u32 immediate = conn->data_len;

	conn->cur_cmd = NULL;
	if (conn->sess->discovery)
		return send_reject(conn, ISCSI_REASON_PROTOCOL_ERROR);
	if (!cmd) {
		cmd = cmd_setup(conn);
		if (!cmd)
			return -ENOMEM;
	}
	if (!cmdsn_accept(conn, hdr)) {
		cmd_free(cmd);
		return 0;
	}
	/*
	 * Immediate commands bypass the CmdSN window: bound the writes they
	 * can leave waiting for data by the queue depth too (RFC 7143 11.17.1).
	 */
	if ((hdr->opcode & ISCSI_OP_IMMEDIATE) && cmd->data_out_len &&
	    conn->nr_pending >= conn->sess->queue_depth) {
		cmd_free(cmd);
		return send_reject(conn, ISCSI_REASON_IMM_CMD_REJECT);
	}
	if (!cmd->data_out_len) {
		int ret;

		/* Immediate data of a command that takes none. */
		if (immediate && cmd->req->status == SCSI_STATUS_GOOD)
			scsi_set_sense(cmd->req, SCSI_SK_ABORTED_COMMAND, 0x4b, 0x02);
		ret = cmd_execute(cmd);
		cmd_free(cmd);
		return ret;
	}

	/* Count the immediate data, then expect unsolicited or R2T data. */
	if (immediate > cmd->data_out_len) {
		cmd->dout_error = true;
		scsi_set_sense(cmd->req, SCSI_SK_ABORTED_COMMAND, 0x4b, 0x02);
	} else {
		cmd->data_out_received = immediate;
	}
	list_add_tail(&cmd->node, &conn->pending_writes);
	conn->nr_pending++;
	if (!cmd->dout_error && cmd->data_out_received < cmd->r2t_offset)
		return 0;	/* unsolicited Data-Out follows */
	return write_progress(conn, cmd);
}

static int handle_data_out(struct bootsan_conn *conn)
{
	struct iscsi_data *d = (struct iscsi_data *)conn->bhs;
	struct bootsan_cmd *cmd = find_pending(conn, be32_to_cpu(d->itt));
	int err;

	if (!cmd)
		return send_reject(conn, ISCSI_REASON_PROTOCOL_ERROR);
	if (!cmd->dout_error) {
		err = dout_check(cmd, d, conn->data_len);
		if (err) {
			/* ERL 0 keeps the connection: the command fails instead. */
			cmd->dout_error = true;
			scsi_set_sense(cmd->req, SCSI_SK_ABORTED_COMMAND, 0x4b, err & 0xff);
		} else {
			cmd->data_out_received += conn->data_len;
			cmd->data_sn++;
		}
	}
	/* Wait for the end of the sequence (F bit) or of the solicited data. */
	if (!(d->flags & ISCSI_FLAG_CMD_FINAL) &&
	    (cmd->dout_error || cmd->data_out_received < cmd->r2t_offset))
		return 0;
	if (!cmd->dout_error && cmd->data_out_received < cmd->r2t_offset) {
		/* The sequence ended short of what was asked for. */
		cmd->dout_error = true;
		scsi_set_sense(cmd->req, SCSI_SK_ABORTED_COMMAND, 0x4b, 0x00);
	}
	return write_progress(conn, cmd);
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
	struct bootsan_cmd *cmd;
	int ret;

	ret = send_reject(conn, ISCSI_REASON_DATA_DIGEST_ERROR);
	if (ret)
		return ret;
	switch (conn->bhs[0] & ISCSI_OPCODE_MASK) {
	case ISCSI_OP_SCSI_CMD:
		if (conn->cur_cmd) {
			cmd_free(conn->cur_cmd);
			conn->cur_cmd = NULL;
		}
		return 0;
	case ISCSI_OP_SCSI_DATA_OUT:
		cmd = find_pending(conn, be32_to_cpu(d->itt));
		if (!cmd)
			return 0;
		if (!cmd->dout_error) {
			cmd->dout_error = true;
			scsi_set_sense(cmd->req, SCSI_SK_ABORTED_COMMAND, 0x47, 0x05);
		}
		return handle_data_out(conn);
	default:
		return 0;
	}
}

static int handle_nop_out(struct bootsan_conn *conn)
{
	struct iscsi_nopout *req = (struct iscsi_nopout *)conn->bhs;
	struct iscsi_nopin rsp = {};

	if (!cmdsn_accept(conn, (struct iscsi_hdr *)req))
		return 0;
	if (req->itt == cpu_to_be32(RESERVED_TAG))
		return 0;	/* an answer to a ping of ours */
	rsp.opcode = ISCSI_OP_NOOP_IN;
	rsp.flags = ISCSI_FLAG_CMD_FINAL;
	memcpy(&rsp.lun, &req->lun, sizeof(rsp.lun));
	rsp.itt = req->itt;
	rsp.ttt = cpu_to_be32(RESERVED_TAG);
	rsp.statsn = cpu_to_be32(conn->stat_sn++);
	put_sn(conn, &rsp.exp_cmdsn, &rsp.max_cmdsn);
	return bootsan_conn_send(conn, &rsp, conn->data,
				 min(conn->data_len, conn->max_recv_dsl));
}

/*
 * A NOP-In ping (RFC 7143 11.19): a valid TTT asks for a NOP-Out answer,
 * which handle_nop_out() takes; no answer is never held against the
 * initiator (iPXE never answers).
 */
int bootsan_ffp_send_ping(struct bootsan_conn *conn)
{
	struct iscsi_nopin ping = {};

	if (++conn->ping_ttt == RESERVED_TAG)
		conn->ping_ttt = 1;
	ping.opcode = ISCSI_OP_NOOP_IN;
	ping.flags = ISCSI_FLAG_CMD_FINAL;
	ping.itt = cpu_to_be32(RESERVED_TAG);
	ping.ttt = cpu_to_be32(conn->ping_ttt);
	ping.statsn = cpu_to_be32(conn->stat_sn);	/* not advanced by a ping */
	put_sn(conn, &ping.exp_cmdsn, &ping.max_cmdsn);
	return bootsan_conn_send(conn, &ping, NULL, 0);
}

static int handle_logout(struct bootsan_conn *conn)
{
	struct iscsi_logout *req = (struct iscsi_logout *)conn->bhs;
	struct iscsi_logout_rsp rsp = {};
	u8 why = req->flags & ISCSI_FLAG_LOGOUT_REASON_MASK;
	int ret;

	cmdsn_accept(conn, (struct iscsi_hdr *)req);
	rsp.opcode = ISCSI_OP_LOGOUT_RSP;
	rsp.flags = ISCSI_FLAG_CMD_FINAL;
	rsp.response = ISCSI_LOGOUT_SUCCESS;
	if (why == ISCSI_LOGOUT_REASON_RECOVERY)
		rsp.response = ISCSI_LOGOUT_RECOVERY_UNSUPPORTED;	/* ERL 0 */
	else if (why == ISCSI_LOGOUT_REASON_CLOSE_CONNECTION &&
		 be16_to_cpu(req->cid) != conn->cid)
		rsp.response = ISCSI_LOGOUT_CID_NOT_FOUND;	/* we have one connection */
	rsp.itt = req->itt;
	rsp.statsn = cpu_to_be32(conn->stat_sn++);
	put_sn(conn, &rsp.exp_cmdsn, &rsp.max_cmdsn);
	if (rsp.response != ISCSI_LOGOUT_SUCCESS)
		return bootsan_conn_send(conn, &rsp, NULL, 0);
	conn->sess->logout = true;
	/*
	 * The I_T nexus ends here, not when the connection's teardown gets
	 * to run: an initiator may log in again and find its reservation
	 * still held otherwise.
	 */
	if (conn->sess->target)
		bootsan_lun_states_session_lost(conn->sess->target, conn->sess->id);
	ret = bootsan_conn_send(conn, &rsp, NULL, 0);
	/* Either reason ends our only connection, and with it the session. */
	return ret ? ret : -ECONNRESET;
}

/*
 * LOGICAL UNIT RESET of LUN @lun_nr, or of every LUN (TARGET WARM RESET)
 * when it is U32_MAX: SPC-2 reservations end, and every other nexus gets
 * BUS DEVICE RESET FUNCTION OCCURRED.
 */
static void reset_luns(struct bootsan_conn *conn, u32 lun_nr)
{
	struct bootsan_target *t = conn->sess->target;
	struct bootsan_lun *l;
	struct pr_nexus n;

	conn_nexus(conn, &n);
	rcu_read_lock();
	list_for_each_entry_rcu(l, &t->luns, node) {
		if (lun_nr != U32_MAX && l->lun != lun_nr)
			continue;
		if (!kref_get_unless_zero(&l->ref))
			continue;
		spin_lock(&l->state->lock);
		pr_lun_reset(&l->state->pr, &n);
		spin_unlock(&l->state->lock);
		bootsan_lun_put(l);
	}
	rcu_read_unlock();
}

static int handle_tmf(struct bootsan_conn *conn)
{
	struct iscsi_tm *req = (struct iscsi_tm *)conn->bhs;
	struct iscsi_tm_rsp rsp = {};
	struct bootsan_cmd *cmd, *next;
	u8 func = req->flags & ISCSI_FLAG_TM_FUNC_MASK;

	if (!cmdsn_accept(conn, (struct iscsi_hdr *)req))
		return 0;
	rsp.opcode = ISCSI_OP_SCSI_TMFUNC_RSP;
	rsp.flags = ISCSI_FLAG_CMD_FINAL;
	rsp.itt = req->itt;
	rsp.response = ISCSI_TMF_RSP_COMPLETE;
	switch (func) {
	case ISCSI_TM_FUNC_ABORT_TASK:
		cmd = find_pending(conn, be32_to_cpu(req->rtt));
		if (cmd) {
			list_del(&cmd->node);
			conn->nr_pending--;
			cmd_free(cmd);
		} else if (sn_lt(be32_to_cpu(req->refcmdsn), conn->sess->exp_cmd_sn)) {
			/* Received and answered already (RFC 7143 11.5.1). */
			rsp.response = ISCSI_TMF_RSP_NO_TASK;
		}
		/* Not received yet: it counts as received, and aborted. */
		break;
	case ISCSI_TM_FUNC_ABORT_TASK_SET:
	case ISCSI_TM_FUNC_CLEAR_TASK_SET:
	case ISCSI_TM_FUNC_LOGICAL_UNIT_RESET:
	case ISCSI_TM_FUNC_TARGET_WARM_RESET:
		list_for_each_entry_safe(cmd, next, &conn->pending_writes, node) {
			list_del(&cmd->node);
			conn->nr_pending--;
			cmd_free(cmd);
		}
		if (func == ISCSI_TM_FUNC_LOGICAL_UNIT_RESET)
			reset_luns(conn, decode_lun(&req->lun));
		else if (func == ISCSI_TM_FUNC_TARGET_WARM_RESET)
			reset_luns(conn, U32_MAX);
		break;
	default:
		rsp.response = ISCSI_TMF_RSP_NOT_SUPPORTED;
		break;
	}
	rsp.statsn = cpu_to_be32(conn->stat_sn++);
	put_sn(conn, &rsp.exp_cmdsn, &rsp.max_cmdsn);
	return bootsan_conn_send(conn, &rsp, NULL, 0);
}

/* "a.b.c.d:port,tpgt" or "[v6]:port,tpgt" for one portal. */
static void add_target_address(struct iscsi_text_buf *out, struct bootsan_conn *conn,
			       struct bootsan_portal *p)
{
	static const u8 any[16];
	struct sockaddr_storage local;
	const u8 *addr = p->addr;
	char text[80];

	/* A wildcard portal is reached at the address this connection came to. */
	if (!memcmp(p->addr, any, p->addr_len) &&
	    kernel_getsockname(conn->sock, (struct sockaddr *)&local) > 0) {
		if (local.ss_family == AF_INET && p->addr_len == 4)
			addr = (u8 *)&((struct sockaddr_in *)&local)->sin_addr;
		else if (local.ss_family == AF_INET6 && p->addr_len == 16)
			addr = (u8 *)&((struct sockaddr_in6 *)&local)->sin6_addr;
		else
			return;
	}
	if (p->addr_len == 4)
		snprintf(text, sizeof(text), "%pI4:%u,%u", addr, p->port, p->tpgt);
	else
		snprintf(text, sizeof(text), "[%pI6c]:%u,%u", addr, p->port, p->tpgt);
	iscsi_text_add(out, "TargetAddress", text);
}

static bool initiator_may_see(struct bootsan_target *t, const char *initiator)
{
	return list_empty(&t->acls) || bootsan_acl_find(t, initiator);
}

/* SendTargets=All or =<iqn>: the targets this initiator may log in to. */
static void send_targets(struct bootsan_conn *conn, const struct iscsi_kv *kv,
			 struct iscsi_text_buf *out)
{
	struct bootsan_target *t;
	struct bootsan_portal *p;
	unsigned long id;
	bool all = kv->value_len == 3 && !memcmp(kv->value, "All", 3);

	if (all && !conn->sess->discovery)
		return;	/* RFC 7143 12.3: All only in discovery sessions */
	mutex_lock(&bootsan_config_mutex);
	xa_for_each(&bootsan_targets, id, t) {
		if (!all && (kv->value_len ? (strlen(t->iqn) != kv->value_len ||
					      memcmp(t->iqn, kv->value, kv->value_len)) :
					     t != conn->sess->target))
			continue;
		if (!initiator_may_see(t, conn->sess->initiator))
			continue;
		iscsi_text_add(out, "TargetName", t->iqn);
		list_for_each_entry(p, &bootsan_portals, node)
			add_target_address(out, conn, p);
	}
	mutex_unlock(&bootsan_config_mutex);
}

static int handle_text(struct bootsan_conn *conn)
{
	struct iscsi_text *req = (struct iscsi_text *)conn->bhs;
	struct iscsi_text_rsp rsp = {};
	struct iscsi_text_buf out = {};
	struct iscsi_kv kv;
	u32 pos = 0;
	int ret;

	if (!cmdsn_accept(conn, (struct iscsi_hdr *)req))
		return 0;
	if (req->flags & ISCSI_FLAG_TEXT_CONTINUE)
		return send_reject(conn, ISCSI_REASON_CMD_NOT_SUPPORTED);
	out.cap = min_t(u32, conn->max_recv_dsl, 65536);
	out.data = kvmalloc(out.cap, GFP_KERNEL);
	if (!out.data)
		return -ENOMEM;
	while ((ret = iscsi_text_next(conn->data, conn->data_len, &pos, &kv)) > 0) {
		if (kv.key_len == 11 && !memcmp(kv.key, "SendTargets", 11)) {
			send_targets(conn, &kv, &out);
		} else {
			char key[64];

			/* iscsi_text_next() bounds keys to 63 bytes. */
			memcpy(key, kv.key, kv.key_len);
			key[kv.key_len] = '\0';
			iscsi_text_add(&out, key, "NotUnderstood");
		}
	}
	if (ret < 0) {
		kvfree(out.data);
		return send_reject(conn, ISCSI_REASON_PROTOCOL_ERROR);
	}
	if (out.overflow)
		pr_warn_ratelimited("SendTargets reply truncated to %u bytes\n", out.len);
	rsp.opcode = ISCSI_OP_TEXT_RSP;
	rsp.flags = ISCSI_FLAG_CMD_FINAL;
	rsp.itt = req->itt;
	rsp.ttt = cpu_to_be32(RESERVED_TAG);
	rsp.statsn = cpu_to_be32(conn->stat_sn++);
	put_sn(conn, &rsp.exp_cmdsn, &rsp.max_cmdsn);
	ret = bootsan_conn_send(conn, &rsp, out.data, out.len);
	kvfree(out.data);
	return ret;
}

int bootsan_ffp_pdu(struct bootsan_conn *conn)
{
	u8 op = conn->bhs[0] & ISCSI_OPCODE_MASK;

	switch (op) {
	case ISCSI_OP_SCSI_CMD:
		return handle_scsi_cmd(conn);
	case ISCSI_OP_SCSI_DATA_OUT:
		return handle_data_out(conn);
	case ISCSI_OP_NOOP_OUT:
		return handle_nop_out(conn);
	case ISCSI_OP_TEXT:
		return handle_text(conn);
	case ISCSI_OP_LOGOUT:
		return handle_logout(conn);
	case ISCSI_OP_SCSI_TMFUNC:
		return handle_tmf(conn);
	case ISCSI_OP_LOGIN:
		return send_reject(conn, ISCSI_REASON_PROTOCOL_ERROR);
	default:
		return send_reject(conn, ISCSI_REASON_CMD_NOT_SUPPORTED);
	}
}

/*
 * A PDU that pdu_check() refused: its data segment was skipped. A command
 * PDU still takes its CmdSN, so the window moves on. A rejected Data-Out
 * fails its command: a Reject never ends a task, a response must (RFC 7143
 * 11.17.1), sent when the sequence ends.
 */
int bootsan_ffp_reject(struct bootsan_conn *conn, u8 reason)
{
	struct iscsi_data *d = (struct iscsi_data *)conn->bhs;
	u8 op = conn->bhs[0] & ISCSI_OPCODE_MASK;
	struct bootsan_cmd *cmd;
	int ret;

	switch (op) {
	case ISCSI_OP_NOOP_OUT:
	case ISCSI_OP_SCSI_CMD:
	case ISCSI_OP_SCSI_TMFUNC:
	case ISCSI_OP_TEXT:
	case ISCSI_OP_LOGOUT:
		cmdsn_accept(conn, (struct iscsi_hdr *)conn->bhs);
		break;
	default:
		break;
	}
	ret = send_reject(conn, reason);
	if (ret || op != ISCSI_OP_SCSI_DATA_OUT)
		return ret;
	cmd = find_pending(conn, be32_to_cpu(d->itt));
	if (!cmd)
		return 0;
	if (!cmd->dout_error) {
		cmd->dout_error = true;
		/* DATA PHASE ERROR */
		scsi_set_sense(cmd->req, SCSI_SK_ABORTED_COMMAND, 0x4b, 0x00);
	}
	if (!(d->flags & ISCSI_FLAG_CMD_FINAL))
		return 0;
	return write_progress(conn, cmd);
}

void bootsan_conn_abort_cmds(struct bootsan_conn *conn)
{
	struct bootsan_cmd *cmd, *next;

	if (conn->cur_cmd) {
		cmd_free(conn->cur_cmd);
		conn->cur_cmd = NULL;
	}
	list_for_each_entry_safe(cmd, next, &conn->pending_writes, node) {
		list_del(&cmd->node);
		cmd_free(cmd);
	}
	conn->nr_pending = 0;
}
