/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validation of the 48-byte header of a PDU an initiator sent (RFC 7143
 * sections 7.6, 11 and 11.17): decides, before its data segment is read,
 * whether the PDU is processed, answered with a Reject (its data segment
 * is then read and thrown away: the stream stays in step), or ends the
 * connection. A pure function over untrusted bytes, built into the module
 * and, for unit tests and fuzzing, into host programs.
 */
#ifndef BOOTSAN_PDU_CHECK_H
#define BOOTSAN_PDU_CHECK_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "host_shim.h"
#endif

#define PDU_BHS_LEN		48

/* Opcodes an initiator sends (RFC 7143 11.1.1), without the I bit. */
#define PDU_OP_NOP_OUT		0x00
#define PDU_OP_SCSI_CMD		0x01
#define PDU_OP_TMF		0x02
#define PDU_OP_LOGIN		0x03
#define PDU_OP_TEXT		0x04
#define PDU_OP_DATA_OUT		0x05
#define PDU_OP_LOGOUT		0x06
#define PDU_OP_SNACK		0x10
#define PDU_OP_MASK		0x3f
#define PDU_OP_IMMEDIATE	0x40

/* Reject reasons (RFC 7143 11.17.1). */
#define PDU_REJECT_PROTOCOL_ERROR	0x04
#define PDU_REJECT_CMD_NOT_SUPPORTED	0x05
#define PDU_REJECT_INVALID_PDU_FIELD	0x09

/* Largest login data segment we take (RFC 7143 13.12: 8192 until negotiated). */
#define PDU_LOGIN_DSL_MAX	8192

enum pdu_verdict {
	PDU_ACCEPT,		/* process it */
	PDU_REJECT,		/* answer Reject(reason), skip its data segment */
	PDU_DROP,		/* end the connection */
};

/*
 * Check the header @bhs of the next PDU. @logged_in: the connection is in
 * the full feature phase, where @max_recv_dsl is the
 * MaxRecvDataSegmentLength we declared. Sets *@reason for PDU_REJECT.
 *
 * Before login only Login requests no larger than 8192 bytes are taken
 * (RFC 7143 6.3: anything else ends the connection). In the full feature
 * phase every PDU can be skipped by its lengths, so a bad one is rejected
 * and the connection goes on.
 */
enum pdu_verdict pdu_check(const u8 *bhs, bool logged_in, u32 max_recv_dsl, u8 *reason);

/*
 * A header pdu_check() accepted, in a discovery session: only Text,
 * NOP-Out and Logout requests belong there (RFC 7143 4.3); anything else
 * is a protocol error, answered with a Reject. A discovery session has
 * no target, no LUNs and no tasks for a command to reach.
 */
enum pdu_verdict pdu_check_discovery(const u8 *bhs, u8 *reason);

#endif /* BOOTSAN_PDU_CHECK_H */
