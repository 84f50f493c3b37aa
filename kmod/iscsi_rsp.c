// SPDX-License-Identifier: GPL-2.0
/*
 * The PDUs that answer the initiator's commands and data: Data-In, SCSI
 * Response, R2T and Reject. Nothing else builds them; tx.c sends them
 * (a read's Data-In headers are built here when each one goes).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "compat.h"

#include "ffp.h"

/* How a command ended, as its last PDU says it. */
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

void bootsan_build_data_in(struct bootsan_conn *conn, struct iscsi_data_rsp *h,
			   const struct bootsan_data_in *d, u32 data_sn, u32 off, u32 len,
			   u32 stat_sn)
{
	memset(h, 0, sizeof(*h));
	h->opcode = ISCSI_OP_SCSI_DATA_IN;
	h->itt = cpu_to_be32(d->itt);
	h->ttt = cpu_to_be32(RESERVED_TAG);
	h->datasn = cpu_to_be32(data_sn);
	h->offset = cpu_to_be32(off);
	/* The window as it is now: it only ever opens further. */
	bootsan_put_sn(conn, &h->exp_cmdsn, &h->max_cmdsn);
	if (off + len == d->len) {
		h->flags = ISCSI_FLAG_CMD_FINAL;
		if (d->with_status) {
			h->flags |= ISCSI_FLAG_DATA_STATUS | d->resid_flags;
			h->cmd_status = d->status;
			h->statsn = cpu_to_be32(stat_sn);
			h->residual_count = cpu_to_be32(d->resid);
		}
	}
	bootsan_put_dlength(h->dlength, len);
}

/*
 * Send @len bytes of read data as Data-In PDUs no larger than the
 * initiator's MaxRecvDataSegmentLength; the status rides in the last one
 * when there is no sense data to send. The data is @buf's pages, sent by
 * reference, or the emulated response @kbuf, copied.
 */
static int send_data_in(struct bootsan_conn *conn, struct bootsan_iscsi_cmd *cmd,
			struct bootsan_buf *buf, const void *kbuf, u32 len,
			const struct cmd_result *r)
{
	struct bootsan_data_in in = {
		.itt = cmd->itt, .len = len, .with_status = !r->sense_len,
		.status = r->status, .resid_flags = r->resid_flags, .resid = r->resid,
	};
	struct iscsi_data_rsp d;
	u32 off = 0, sn = 0, chunk;
	int ret;

	if (buf && len) {
		/* The pages go by reference; the queue keeps them until sent. */
		ret = bootsan_conn_send_data_in(conn, &in, buf);
		if (ret)
			return ret;
		atomic64_add(len, &cmd->scsi.lun->stats.read_bytes_by_ref);
		return in.with_status ? 0 : send_scsi_rsp(conn, cmd->itt, r);
	}
	while (off < len) {
		chunk = min(len - off, conn->max_recv_dsl);
		bootsan_build_data_in(conn, &d, &in, sn++, off, chunk,
				      in.with_status && off + chunk == len ? conn->stat_sn++ : 0);
		ret = bootsan_conn_send(conn, &d, (const u8 *)kbuf + off, chunk);
		if (ret)
			return ret;
		off += chunk;
	}
	if (in.with_status && len)
		return 0;
	return send_scsi_rsp(conn, cmd->itt, r);
}

/* Answer a command the SCSI core ran: from io_work, the socket's only writer. */
int bootsan_send_response(struct bootsan_conn *conn, struct bootsan_iscsi_cmd *cmd)
{
	struct scsi_req *req = &cmd->scsi.req;
	u32 want = req->expected_xfer_len, len = cmd->scsi.xfer_len;
	struct cmd_result r = {};

	r.status = req->status;
	r.sense = req->sense;
	r.sense_len = req->sense_len;
	if (req->status == SCSI_STATUS_GOOD && req->action == SCSI_ACT_READ) {
		set_residual(&r, want, len);
		return send_data_in(conn, cmd, &cmd->scsi.buf, NULL, min(len, want), &r);
	}
	if (req->status == SCSI_STATUS_GOOD && req->data_in_len) {
		set_residual(&r, want, req->data_in_len);
		return send_data_in(conn, cmd, NULL, req->data_in,
				    min(req->data_in_len, want), &r);
	}
	/* Residuals against what the CDB asks for, moved or not. */
	if (req->status == SCSI_STATUS_GOOD)
		set_residual(&r, want, req->data_out_len);
	else if (want)
		set_residual(&r, want, 0);
	return send_scsi_rsp(conn, cmd->itt, &r);
}

/* Ask for the next burst of a write's data (one R2T outstanding at a time). */
int bootsan_send_r2t(struct bootsan_conn *conn, struct bootsan_iscsi_cmd *cmd)
{
	struct iscsi_r2t_rsp r2t = {};
	u32 len = min(cmd->data_out_len - cmd->r2t_offset,
		      conn->sess->params.max_burst_length);

	r2t.opcode = ISCSI_OP_R2T;
	r2t.flags = ISCSI_FLAG_CMD_FINAL;
	r2t.lun = cmd->lun_raw;
	r2t.itt = cpu_to_be32(cmd->itt);
	r2t.ttt = cpu_to_be32(cmd->itt);	/* our transfer tag: unique as the ITT is */
	r2t.statsn = cpu_to_be32(conn->stat_sn);
	bootsan_put_sn(conn, &r2t.exp_cmdsn, &r2t.max_cmdsn);
	r2t.r2tsn = cpu_to_be32(cmd->r2t_sn++);
	r2t.data_offset = cpu_to_be32(cmd->r2t_offset);
	r2t.data_length = cpu_to_be32(len);
	cmd->r2t_offset += len;
	cmd->data_sn = 0;	/* every sequence counts from 0 */
	return bootsan_conn_send(conn, &r2t, NULL, 0);
}

/* Reject the PDU whose header is in conn->bhs (RFC 7143 11.17). */
int bootsan_send_reject(struct bootsan_conn *conn, u8 reason)
{
	struct iscsi_reject rej = {};

	rej.opcode = ISCSI_OP_REJECT;
	rej.flags = ISCSI_FLAG_CMD_FINAL;
	rej.reason = reason;
	rej.ffffffff = cpu_to_be32(RESERVED_TAG);
	rej.statsn = cpu_to_be32(conn->stat_sn++);
	bootsan_put_sn(conn, &rej.exp_cmdsn, &rej.max_cmdsn);
	/* The data segment is the header of the rejected PDU. */
	return bootsan_conn_send(conn, &rej, conn->bhs, ISCSI_HDR_LEN);
}
