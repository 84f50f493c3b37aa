/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The full feature phase, inside: what its files share.
 *
 *   ffp.c        PDU dispatch, the CmdSN window, NOP, Logout
 *   iscsi_cmd.c  SCSI Command and Data-Out PDUs: decode, data-out; hands
 *                commands to the SCSI core, takes them back, retires CmdSNs
 *   iscsi_rsp.c  building Data-In, SCSI Response, R2T and Reject PDUs
 *   exec.c       the SCSI core: running a command against its LUN; it
 *                completes through its transport's ops (engine.h)
 *   tmf.c        task management
 *   discovery.c  Text requests (SendTargets)
 */
#ifndef BOOTSAN_FFP_H
#define BOOTSAN_FFP_H

#include "engine.h"
#include "pr.h"
#include "scsi.h"

#define RESERVED_TAG		0xffffffff
/* Largest data transfer of one command: the block limits VPD says so too. */
#define BOOTSAN_MAX_IO		(8u << 20)
/* Room for the response data of an emulated command (INQUIRY, MODE SENSE...). */
#define EMULATED_DATA_CAP	8192

/* Serial number arithmetic (RFC 1982) for CmdSN and StatSN. */
static inline bool sn_lt(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

/* ffp.c */
void bootsan_put_sn(struct bootsan_conn *conn, __be32 *exp_cmdsn, __be32 *max_cmdsn);
bool bootsan_cmdsn_accept(struct bootsan_conn *conn, const struct iscsi_hdr *hdr);
u32 bootsan_decode_lun(const struct scsi_lun *lun);
void bootsan_conn_nexus(struct bootsan_conn *conn, struct pr_nexus *n);

/* iscsi_cmd.c */
int bootsan_ffp_scsi_cmd(struct bootsan_conn *conn);
int bootsan_ffp_data_out(struct bootsan_conn *conn);
struct bootsan_iscsi_cmd *bootsan_find_pending(struct bootsan_conn *conn, u32 itt);
int bootsan_write_progress(struct bootsan_conn *conn, struct bootsan_iscsi_cmd *cmd);
int bootsan_ffp_quiesce(struct bootsan_conn *conn);
void bootsan_cmd_free(struct bootsan_iscsi_cmd *cmd);

/* iscsi_rsp.c */
int bootsan_send_response(struct bootsan_conn *conn, struct bootsan_iscsi_cmd *cmd);
int bootsan_send_r2t(struct bootsan_conn *conn, struct bootsan_iscsi_cmd *cmd);
int bootsan_send_reject(struct bootsan_conn *conn, u8 reason);
/*
 * The header of one Data-In PDU of @d: @len bytes at @off, its DataSN,
 * and the StatSN taken for it if it is the last and carries the status.
 */
void bootsan_build_data_in(struct bootsan_conn *conn, struct iscsi_data_rsp *h,
			   const struct bootsan_data_in *d, u32 data_sn, u32 off, u32 len,
			   u32 stat_sn);

/* dout_mem.c */
enum bootsan_dout_mem {
	DOUT_MEM_OK,
	DOUT_MEM_WAIT,		/* the session's own writes will free enough */
	DOUT_MEM_FULL,		/* answer TASK SET FULL */
};

enum bootsan_dout_mem bootsan_dout_mem_take(struct bootsan_conn *conn, u32 len, bool may_wait);
void bootsan_dout_mem_give(struct bootsan_conn *conn, u32 len);
/* For netlink (mem-get): bytes; a session limit of 0 means no bound. */
unsigned long bootsan_dout_mem_limit(void);
unsigned long bootsan_dout_mem_session_limit(void);
unsigned long bootsan_dout_mem_used(void);

/* din_mem.c */
bool bootsan_din_mem_take(struct bootsan_conn *conn, struct bootsan_scsi_cmd *cmd);
void bootsan_din_mem_give(struct bootsan_conn *conn, struct bootsan_buf *buf);
/* For netlink (mem-get), as the write budget's. */
unsigned long bootsan_din_mem_limit(void);
unsigned long bootsan_din_mem_session_limit(void);
unsigned long bootsan_din_mem_used(void);

/* iscsi_cmd.c: a command's data-out memory goes with it (bootsan_cmd_free). */
void bootsan_dout_release(struct bootsan_iscsi_cmd *cmd);

/* exec.c: the SCSI core */
void bootsan_scsi_execute(struct bootsan_scsi_cmd *cmd);
void bootsan_scsi_cmd_release(struct bootsan_scsi_cmd *cmd);
void bootsan_fill_lun_info(struct bootsan_conn *conn, struct bootsan_lun *l,
			   struct scsi_lun_info *info);
u32 *bootsan_collect_luns(struct bootsan_target *t, u32 *nr);

/* tmf.c */
int bootsan_ffp_tmf(struct bootsan_conn *conn);

/* discovery.c */
int bootsan_ffp_text(struct bootsan_conn *conn);

#endif /* BOOTSAN_FFP_H */
