// SPDX-License-Identifier: GPL-2.0
/* Host unit test of pdu_check.c, printing TAP. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "../pdu_check.h"

static void put32(unsigned char *p, unsigned int v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* A header with opcode @op, ITT @itt, TTT @ttt and DataSegmentLength @dsl. */
static void make(unsigned char *bhs, int op, unsigned int itt, unsigned int ttt,
		 unsigned int dsl)
{
	memset(bhs, 0, PDU_BHS_LEN);
	bhs[0] = op;
	bhs[1] = 0x80;
	bhs[5] = dsl >> 16;
	bhs[6] = dsl >> 8;
	bhs[7] = dsl;
	put32(bhs + 16, itt);
	put32(bhs + 20, ttt);
}

/* The verdict in the full feature phase with MaxRecvDataSegmentLength 8192. */
static int ffp(const unsigned char *bhs, unsigned char *reason)
{
	return pdu_check(bhs, true, 8192, reason);
}

static void expect(const char *what, const unsigned char *bhs, int verdict, int why)
{
	unsigned char reason = 0xee;
	int v = ffp(bhs, &reason);

	ok(v == verdict && (verdict != PDU_REJECT || reason == why),
	   "%s: verdict %d reason 0x%02x (want %d, 0x%02x)", what, v, reason, verdict, why);
}

int main(void)
{
	unsigned char b[PDU_BHS_LEN], reason;
	int op;

	tap_start();

	make(b, PDU_OP_SCSI_CMD, 1, 0, 512);
	expect("SCSI command with immediate data", b, PDU_ACCEPT, 0);
	make(b, PDU_OP_SCSI_CMD, 1, 0, 8192);
	expect("data segment of exactly MaxRecvDataSegmentLength", b, PDU_ACCEPT, 0);
	make(b, PDU_OP_SCSI_CMD, 1, 0, 8193);
	expect("data segment over MaxRecvDataSegmentLength", b, PDU_REJECT,
	       PDU_REJECT_PROTOCOL_ERROR);
	make(b, PDU_OP_DATA_OUT, 1, 5, 0xffffff);
	expect("Data-Out of 16 MiB", b, PDU_REJECT, PDU_REJECT_PROTOCOL_ERROR);
	make(b, PDU_OP_SCSI_CMD, 0xffffffff, 0, 0);
	expect("SCSI command with the reserved ITT", b, PDU_REJECT,
	       PDU_REJECT_INVALID_PDU_FIELD);
	make(b, PDU_OP_SCSI_CMD, 1, 0, 0);
	b[4] = 5;
	expect("SCSI command with an AHS", b, PDU_ACCEPT, 0);

	make(b, PDU_OP_NOP_OUT | PDU_OP_IMMEDIATE, 7, 0xffffffff, 64);
	expect("NOP-Out ping with data", b, PDU_ACCEPT, 0);
	make(b, PDU_OP_NOP_OUT | PDU_OP_IMMEDIATE, 0xffffffff, 9, 0);
	expect("NOP-Out answering a NOP-In", b, PDU_ACCEPT, 0);
	make(b, PDU_OP_NOP_OUT, 0xffffffff, 9, 0);
	expect("NOP-Out with ITT 0xffffffff but no I bit", b, PDU_REJECT,
	       PDU_REJECT_INVALID_PDU_FIELD);
	make(b, PDU_OP_NOP_OUT, 7, 9, 0);
	expect("NOP-Out with both tags valid", b, PDU_REJECT, PDU_REJECT_INVALID_PDU_FIELD);
	make(b, PDU_OP_NOP_OUT | PDU_OP_IMMEDIATE, 7, 0xffffffff, 0);
	b[4] = 1;
	expect("NOP-Out with an AHS", b, PDU_REJECT, PDU_REJECT_INVALID_PDU_FIELD);

	make(b, PDU_OP_TMF | PDU_OP_IMMEDIATE, 3, 0, 0);
	expect("task management request", b, PDU_ACCEPT, 0);
	make(b, PDU_OP_TMF | PDU_OP_IMMEDIATE, 3, 0, 4);
	expect("task management request with data", b, PDU_REJECT,
	       PDU_REJECT_INVALID_PDU_FIELD);
	make(b, PDU_OP_LOGOUT, 3, 0, 0);
	expect("Logout", b, PDU_ACCEPT, 0);
	make(b, PDU_OP_LOGOUT, 3, 0, 100);
	expect("Logout with data", b, PDU_REJECT, PDU_REJECT_INVALID_PDU_FIELD);
	make(b, PDU_OP_LOGOUT, 0xffffffff, 0, 0);
	expect("Logout with the reserved ITT", b, PDU_REJECT, PDU_REJECT_INVALID_PDU_FIELD);
	make(b, PDU_OP_LOGOUT, 3, 0, 0);
	b[1] = 0x80 | 2;
	expect("Logout to remove a connection for recovery", b, PDU_ACCEPT, 0);
	b[1] = 0x80 | 3;
	expect("Logout with a reserved reason code", b, PDU_REJECT, PDU_REJECT_PROTOCOL_ERROR);

	make(b, PDU_OP_TEXT, 4, 0xffffffff, 20);
	expect("Text request", b, PDU_ACCEPT, 0);
	b[1] = 0xc0;
	expect("Text request with F and C", b, PDU_REJECT, PDU_REJECT_PROTOCOL_ERROR);

	make(b, PDU_OP_LOGIN | PDU_OP_IMMEDIATE, 4, 0, 100);
	expect("Login in the full feature phase", b, PDU_REJECT, PDU_REJECT_PROTOCOL_ERROR);
	make(b, PDU_OP_SNACK, 4, 0, 0);
	expect("SNACK at ErrorRecoveryLevel 0", b, PDU_REJECT, PDU_REJECT_PROTOCOL_ERROR);

	for (op = 0; op < 0x40; op++) {
		int known = op <= PDU_OP_LOGOUT || op == PDU_OP_SNACK;

		make(b, op, 1, 0xffffffff, 0);
		if (!known && (ffp(b, &reason) != PDU_REJECT ||
			       reason != PDU_REJECT_CMD_NOT_SUPPORTED))
			break;
	}
	ok(op == 0x40, "every unknown opcode is rejected as not supported (stopped at 0x%02x)", op);

	for (op = 0; op < 0x40; op++) {
		int allowed = op == PDU_OP_NOP_OUT || op == PDU_OP_TEXT || op == PDU_OP_LOGOUT;
		int v;

		make(b, op | PDU_OP_IMMEDIATE, 1, 0xffffffff, 0);
		reason = 0xee;
		v = pdu_check_discovery(b, &reason);
		if (allowed ? v != PDU_ACCEPT :
			      v != PDU_REJECT || reason != PDU_REJECT_PROTOCOL_ERROR)
			break;
	}
	ok(op == 0x40, "a discovery session takes Text, NOP-Out and Logout only; "
	   "anything else is a protocol error (stopped at 0x%02x)", op);

	make(b, PDU_OP_LOGIN | PDU_OP_IMMEDIATE, 0, 0, 8192);
	ok(pdu_check(b, false, 0, &reason) == PDU_ACCEPT, "Login request before login");
	make(b, PDU_OP_LOGIN | PDU_OP_IMMEDIATE, 0, 0, 8193);
	ok(pdu_check(b, false, 0, &reason) == PDU_DROP,
	   "a login data segment over 8192 bytes ends the connection");
	make(b, PDU_OP_SCSI_CMD, 0, 0, 0);
	ok(pdu_check(b, false, 0, &reason) == PDU_DROP,
	   "a SCSI command before login ends the connection");
	make(b, PDU_OP_LOGIN | PDU_OP_IMMEDIATE, 0, 0, 0);
	b[4] = 1;
	ok(pdu_check(b, false, 0, &reason) == PDU_DROP,
	   "a Login request with an AHS ends the connection");

	return tap_end();
}
