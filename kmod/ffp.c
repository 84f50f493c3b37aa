// SPDX-License-Identifier: GPL-2.0
/*
 * The full feature phase: where each PDU goes, the CmdSN window that
 * bounds the commands an initiator may send, NOP pings, Logout, and what
 * follows the Reject (iscsi_rsp.c) of PDUs that pdu_check.c refused.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "ffp.h"
#include "lun_state.h"

/*
 * The last CmdSN the initiator may send: the queue depth, less the SCSI
 * commands received and not answered yet. Receiving a command moves
 * ExpCmdSN and the count together, so MaxCmdSN never goes back; answering
 * one opens the window by one. ExpCmdSN - 1 means closed.
 */
static u32 max_cmd_sn(struct bootsan_session *s)
{
	return s->exp_cmd_sn + s->queue_depth - 1 - s->in_window;
}

void bootsan_put_sn(struct bootsan_conn *conn, __be32 *exp_cmdsn, __be32 *max_cmdsn)
{
	struct bootsan_session *s = conn->sess;

	*exp_cmdsn = cpu_to_be32(s->exp_cmd_sn);
	*max_cmdsn = cpu_to_be32(max_cmd_sn(s));
}

/*
 * Accept a command's CmdSN: immediate commands do not take a number;
 * others must be within the window (RFC 7143 3.2.2.1) or are dropped.
 * Only io_work calls this and bootsan_put_sn(): no lock.
 */
bool bootsan_cmdsn_accept(struct bootsan_conn *conn, const struct iscsi_hdr *hdr)
{
	struct bootsan_session *s = conn->sess;
	u32 sn = be32_to_cpu(hdr->statsn);	/* CmdSN sits where StatSN does in responses */

	if (hdr->opcode & ISCSI_OP_IMMEDIATE)
		return true;
	if (sn_lt(sn, s->exp_cmd_sn) || sn_lt(max_cmd_sn(s), sn))
		return false;
	s->exp_cmd_sn = sn + 1;
	return true;
}

/* Single level LUN, peripheral or flat space addressing; U32_MAX otherwise. */
u32 bootsan_decode_lun(const struct scsi_lun *lun)
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

/* The I_T nexus of @conn's session, as reservations know it. */
void bootsan_conn_nexus(struct bootsan_conn *conn, struct pr_nexus *n)
{
	memset(n, 0, sizeof(*n));
	strscpy(n->initiator, conn->sess->initiator, sizeof(n->initiator));
	n->isid = conn->sess->isid;
	n->tpgt = conn->portal ? conn->portal->tpgt : 0;
}

static int handle_nop_out(struct bootsan_conn *conn)
{
	struct iscsi_nopout *req = (struct iscsi_nopout *)conn->bhs;
	struct iscsi_nopin rsp = {};

	if (!bootsan_cmdsn_accept(conn, (struct iscsi_hdr *)req))
		return 0;
	if (req->itt == cpu_to_be32(RESERVED_TAG))
		return 0;	/* an answer to a ping of ours */
	rsp.opcode = ISCSI_OP_NOOP_IN;
	rsp.flags = ISCSI_FLAG_CMD_FINAL;
	memcpy(&rsp.lun, &req->lun, sizeof(rsp.lun));
	rsp.itt = req->itt;
	rsp.ttt = cpu_to_be32(RESERVED_TAG);
	rsp.statsn = cpu_to_be32(conn->stat_sn++);
	bootsan_put_sn(conn, &rsp.exp_cmdsn, &rsp.max_cmdsn);
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
	bootsan_put_sn(conn, &ping.exp_cmdsn, &ping.max_cmdsn);
	return bootsan_conn_send(conn, &ping, NULL, 0);
}

static int handle_logout(struct bootsan_conn *conn)
{
	struct iscsi_logout *req = (struct iscsi_logout *)conn->bhs;
	struct iscsi_logout_rsp rsp = {};
	u8 why = req->flags & ISCSI_FLAG_LOGOUT_REASON_MASK;
	int ret;

	bootsan_cmdsn_accept(conn, (struct iscsi_hdr *)req);
	ret = bootsan_ffp_quiesce(conn);
	if (ret)
		return ret;
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
	bootsan_put_sn(conn, &rsp.exp_cmdsn, &rsp.max_cmdsn);
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

int bootsan_ffp_pdu(struct bootsan_conn *conn)
{
	u8 op = conn->bhs[0] & ISCSI_OPCODE_MASK;

	switch (op) {
	case ISCSI_OP_SCSI_CMD:
		return bootsan_ffp_scsi_cmd(conn);
	case ISCSI_OP_SCSI_DATA_OUT:
		return bootsan_ffp_data_out(conn);
	case ISCSI_OP_NOOP_OUT:
		return handle_nop_out(conn);
	case ISCSI_OP_TEXT:
		return bootsan_ffp_text(conn);
	case ISCSI_OP_LOGOUT:
		return handle_logout(conn);
	case ISCSI_OP_SCSI_TMFUNC:
		return bootsan_ffp_tmf(conn);
	case ISCSI_OP_LOGIN:
		return bootsan_send_reject(conn, ISCSI_REASON_PROTOCOL_ERROR);
	default:
		return bootsan_send_reject(conn, ISCSI_REASON_CMD_NOT_SUPPORTED);
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
	struct bootsan_iscsi_cmd *cmd;
	int ret;

	switch (op) {
	case ISCSI_OP_NOOP_OUT:
	case ISCSI_OP_SCSI_CMD:
	case ISCSI_OP_SCSI_TMFUNC:
	case ISCSI_OP_TEXT:
	case ISCSI_OP_LOGOUT:
		bootsan_cmdsn_accept(conn, (struct iscsi_hdr *)conn->bhs);
		break;
	default:
		break;
	}
	ret = bootsan_send_reject(conn, reason);
	if (ret || op != ISCSI_OP_SCSI_DATA_OUT)
		return ret;
	cmd = bootsan_find_pending(conn, be32_to_cpu(d->itt));
	if (!cmd)
		return 0;
	if (!cmd->dout_error) {
		cmd->dout_error = true;
		/* DATA PHASE ERROR */
		bootsan_scsi_set_sense(&cmd->scsi.req, SCSI_SK_ABORTED_COMMAND, 0x4b, 0x00);
	}
	if (!(d->flags & ISCSI_FLAG_CMD_FINAL))
		return 0;
	return bootsan_write_progress(conn, cmd);
}
