// SPDX-License-Identifier: GPL-2.0
/* Header checks of initiator PDUs: see pdu_check.h. */
#include "pdu_check.h"

#define RESERVED_TAG	0xffffffffu

static u32 be32_at(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static u32 dsl_of(const u8 *bhs)
{
	return (u32)bhs[5] << 16 | (u32)bhs[6] << 8 | bhs[7];
}

static enum pdu_verdict reject(u8 *reason, u8 why)
{
	*reason = why;
	return PDU_REJECT;
}

/* Fields one opcode defines: the tags, flags and lengths it allows. */
static enum pdu_verdict check_fields(const u8 *bhs, u8 op, u8 *reason)
{
	bool immediate = bhs[0] & PDU_OP_IMMEDIATE;
	u32 itt = be32_at(bhs + 16), ttt = be32_at(bhs + 20);
	u32 dsl = dsl_of(bhs);
	u8 flags = bhs[1];

	switch (op) {
	case PDU_OP_NOP_OUT:
		/* 11.18: a ping carries TTT 0xffffffff; an answer to ours ITT 0xffffffff. */
		if (itt != RESERVED_TAG && ttt != RESERVED_TAG)
			return reject(reason, PDU_REJECT_INVALID_PDU_FIELD);
		/* An ITT of 0xffffffff takes no CmdSN: the I bit must say so. */
		if (itt == RESERVED_TAG && !immediate)
			return reject(reason, PDU_REJECT_INVALID_PDU_FIELD);
		return PDU_ACCEPT;
	case PDU_OP_SCSI_CMD:
	case PDU_OP_TEXT:
		if (itt == RESERVED_TAG)
			return reject(reason, PDU_REJECT_INVALID_PDU_FIELD);
		/* 11.10.1: C (0x40) and F (0x80) together are a protocol error. */
		if (op == PDU_OP_TEXT && (flags & 0xc0) == 0xc0)
			return reject(reason, PDU_REJECT_PROTOCOL_ERROR);
		return PDU_ACCEPT;
	case PDU_OP_TMF:
	case PDU_OP_LOGOUT:
		if (itt == RESERVED_TAG)
			return reject(reason, PDU_REJECT_INVALID_PDU_FIELD);
		/* 11.5, 11.14: these carry no data segment. */
		if (dsl)
			return reject(reason, PDU_REJECT_INVALID_PDU_FIELD);
		/* 11.14.1: reason codes above 3 are reserved; 3 (AEN) is not sent. */
		if (op == PDU_OP_LOGOUT && (flags & 0x7f) > 2)
			return reject(reason, PDU_REJECT_PROTOCOL_ERROR);
		return PDU_ACCEPT;
	case PDU_OP_DATA_OUT:
		return PDU_ACCEPT;
	case PDU_OP_LOGIN:
		/* 11.12: Login requests belong to the login phase only. */
		return reject(reason, PDU_REJECT_PROTOCOL_ERROR);
	case PDU_OP_SNACK:
		/* 7.1.4 / 11.16: ErrorRecoveryLevel 0 has no SNACK. */
		return reject(reason, PDU_REJECT_PROTOCOL_ERROR);
	default:
		/* Vendor-specific, target-only and reserved opcodes. */
		return reject(reason, PDU_REJECT_CMD_NOT_SUPPORTED);
	}
}

enum pdu_verdict pdu_check(const u8 *bhs, bool logged_in, u32 max_recv_dsl, u8 *reason)
{
	u8 op = bhs[0] & PDU_OP_MASK;
	u32 dsl = dsl_of(bhs);
	enum pdu_verdict v;

	*reason = 0;
	if (!logged_in) {
		if (op != PDU_OP_LOGIN || dsl > PDU_LOGIN_DSL_MAX || bhs[4])
			return PDU_DROP;
		return PDU_ACCEPT;
	}
	v = check_fields(bhs, op, reason);
	if (v != PDU_ACCEPT)
		return v;
	/* 11.2.1.5: only SCSI Command PDUs carry additional header segments. */
	if (bhs[4] && op != PDU_OP_SCSI_CMD)
		return reject(reason, PDU_REJECT_INVALID_PDU_FIELD);
	/* 13.12: the initiator must not send more than we declared. */
	if (dsl > max_recv_dsl)
		return reject(reason, PDU_REJECT_PROTOCOL_ERROR);
	return PDU_ACCEPT;
}

enum pdu_verdict pdu_check_discovery(const u8 *bhs, u8 *reason)
{
	switch (bhs[0] & PDU_OP_MASK) {
	case PDU_OP_NOP_OUT:
	case PDU_OP_TEXT:
	case PDU_OP_LOGOUT:
		*reason = 0;
		return PDU_ACCEPT;
	default:
		return reject(reason, PDU_REJECT_PROTOCOL_ERROR);
	}
}
