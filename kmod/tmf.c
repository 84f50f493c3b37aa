// SPDX-License-Identifier: GPL-2.0
/*
 * Task management (RFC 7143 11.5): ABORT TASK, ABORT/CLEAR TASK SET,
 * LOGICAL UNIT RESET and TARGET WARM RESET.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "ffp.h"
#include "lun_state.h"

/*
 * A LOGICAL UNIT RESET: SPC-2 reservations end, and every other nexus
 * gets BUS DEVICE RESET FUNCTION OCCURRED.
 */
static void reset_lun(struct bootsan_lun *l, const struct pr_nexus *n)
{
	spin_lock(&l->state->lock);
	bootsan_pr_lun_reset(&l->state->pr, n);
	spin_unlock(&l->state->lock);
}

/* A TARGET WARM RESET resets every LUN of the target. */
static void reset_all_luns(struct bootsan_conn *conn)
{
	struct bootsan_target *t = conn->sess->target;
	struct bootsan_lun *l;
	struct pr_nexus n;
	u32 next = 0;

	bootsan_conn_nexus(conn, &n);
	/* References are dropped outside RCU: the last one frees the LUN. */
	while ((l = bootsan_lun_get_next(t, next))) {
		reset_lun(l, &n);
		next = l->lun + 1;	/* LUN numbers stop at 16383: no wrap */
		bootsan_lun_put(l);
	}
}

/* The commands still collecting their data-out end, unanswered. */
static void abort_pending(struct bootsan_conn *conn)
{
	struct bootsan_iscsi_cmd *cmd, *next;

	list_for_each_entry_safe(cmd, next, &conn->pending_writes, node) {
		list_del(&cmd->node);
		conn->nr_pending--;
		bootsan_cmd_free(cmd);
	}
}

int bootsan_ffp_tmf(struct bootsan_conn *conn)
{
	struct iscsi_tm *req = (struct iscsi_tm *)conn->bhs;
	struct iscsi_tm_rsp rsp = {};
	struct bootsan_iscsi_cmd *cmd;
	struct bootsan_lun *lun;
	struct pr_nexus n;
	u8 func = req->flags & ISCSI_FLAG_TM_FUNC_MASK;
	u32 lun_nr;
	int ret;

	if (!bootsan_cmdsn_accept(conn, (struct iscsi_hdr *)req))
		return 0;
	ret = bootsan_ffp_quiesce(conn);
	if (ret)
		return ret;
	rsp.opcode = ISCSI_OP_SCSI_TMFUNC_RSP;
	rsp.flags = ISCSI_FLAG_CMD_FINAL;
	rsp.itt = req->itt;
	rsp.response = ISCSI_TMF_RSP_COMPLETE;
	switch (func) {
	case ISCSI_TM_FUNC_ABORT_TASK:
		cmd = bootsan_find_pending(conn, be32_to_cpu(req->rtt));
		if (cmd) {
			list_del(&cmd->node);
			conn->nr_pending--;
			bootsan_cmd_free(cmd);
		} else if (sn_lt(be32_to_cpu(req->refcmdsn), conn->sess->exp_cmd_sn)) {
			/* Received and answered already (RFC 7143 11.5.1). */
			rsp.response = ISCSI_TMF_RSP_NO_TASK;
		}
		/* Not received yet: it counts as received, and aborted. */
		break;
	case ISCSI_TM_FUNC_LOGICAL_UNIT_RESET:
		/*
		 * Only the LUN it names: one that does not decode, or that
		 * the target does not have, is answered as such and nothing
		 * is aborted or reset (RFC 7143 11.6.1).
		 */
		lun_nr = bootsan_decode_lun(&req->lun);
		lun = lun_nr == U32_MAX ? NULL : bootsan_lun_get(conn->sess->target, lun_nr);
		if (!lun) {
			rsp.response = ISCSI_TMF_RSP_NO_LUN;
			break;
		}
		abort_pending(conn);
		bootsan_conn_nexus(conn, &n);
		reset_lun(lun, &n);
		bootsan_lun_put(lun);
		break;
	case ISCSI_TM_FUNC_ABORT_TASK_SET:
	case ISCSI_TM_FUNC_CLEAR_TASK_SET:
	case ISCSI_TM_FUNC_TARGET_WARM_RESET:
		abort_pending(conn);
		if (func == ISCSI_TM_FUNC_TARGET_WARM_RESET)
			reset_all_luns(conn);
		break;
	default:
		rsp.response = ISCSI_TMF_RSP_NOT_SUPPORTED;
		break;
	}
	rsp.statsn = cpu_to_be32(conn->stat_sn++);
	bootsan_put_sn(conn, &rsp.exp_cmdsn, &rsp.max_cmdsn);
	return bootsan_conn_send(conn, &rsp, NULL, 0);
}
