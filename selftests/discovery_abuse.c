// SPDX-License-Identifier: GPL-2.0
/*
 * A discovery session takes Text, NOP-Out and Logout requests only (RFC
 * 7143 4.3, 11.17): everything else an unauthenticated initiator sends in
 * it must be answered with a Reject, and the target must survive it.
 * Prints TAP lines numbered from $TAP_BASE + 1 (the script prints the plan).
 *
 *   discovery_abuse strict ADDR PORT
 *	For each PDU below, on a fresh connection: log in with
 *	SessionType=Discovery, send it, expect a Reject with reason
 *	"protocol error" (0x04) and the header as its data, then a
 *	SendTargets=All that lists a target, then a Logout that succeeds.
 *   discovery_abuse survive ADDR PORT
 *	The same PDUs, for a reference target (LIO): print what it answers
 *	as "# " lines and check only that a fresh discovery session still
 *	works afterwards.
 *   discovery_abuse late-session-type ADDR PORT TARGET
 *	A login whose first request is for a normal session of TARGET and
 *	whose second says SessionType=Discovery, and one that starts as a
 *	discovery session and names TARGET later: both are refused with an
 *	initiator error (what the session is was settled by the first
 *	request: the target looked up, authentication decided).
 *
 * The PDUs: Task Management requests with every function (1-8, and an
 * unassigned one), SCSI Commands (TEST UNIT READY, REPORT LUNS, READ(10),
 * WRITE(10) with immediate data), an unsolicited Data-Out, a SNACK and a
 * Login request.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iscsi_client.h"
#include "tap_check.h"

#define INITIATOR	"iqn.2024-01.org.bootsan.test:discovery-abuse"
#define REASON_PROTOCOL_ERROR	0x04
#define OP_TEXT_RSP	0x24

static const char *addr;
static int port;
/* The sequence numbers of the connection under test. */
static uint32_t cmd_sn, exp_stat_sn, itt = 1;

/* A request header carrying our CmdSN and ExpStatSN. */
static void header(uint8_t *h, uint8_t op, uint8_t flags)
{
	memset(h, 0, BHS);
	h[0] = op;
	h[1] = flags;
	put32(h + 16, itt++);
	put32(h + 24, cmd_sn);
	put32(h + 28, exp_stat_sn);
}

/* Receive one PDU and follow the target's sequence numbers. */
static int recv_pdu(int fd, uint8_t *h, uint8_t *data, uint32_t cap)
{
	int ret = read_pdu(fd, h, data, cap);

	if (ret)
		return ret;
	if ((h[0] & 0x3f) != OP_REJECT)
		exp_stat_sn = get32(h + 24) + 1;
	cmd_sn = get32(h + 28);		/* ExpCmdSN: the next one we may use */
	return 0;
}

/* A new connection in a discovery session, or -1. */
static int discovery_login(void)
{
	struct iscsi_login l = { .initiator = INITIATOR, .discovery = 1 };
	int fd = tcp_connect(addr, port, 10);

	if (fd < 0)
		return -1;
	l.isid[0] = 0x40;		/* random qualifier type */
	l.isid[5] = getpid() & 0xff;
	if (iscsi_login(fd, &l)) {
		close(fd);
		return -1;
	}
	exp_stat_sn = l.exp_stat_sn;
	cmd_sn = l.exp_cmd_sn;
	return fd;
}

/* SendTargets=All is answered with a Text Response naming a target. */
static int send_targets(int fd)
{
	static const char keys[] = "SendTargets=All";
	uint8_t h[BHS];
	char text[4096];
	int ret;

	header(h, OP_TEXT, 0x80);	/* F */
	put32(h + 20, TAG_NONE);	/* TTT: a new request */
	if (send_pdu(fd, h, keys, sizeof(keys)))
		return -1;
	ret = recv_pdu(fd, h, (uint8_t *)text, sizeof(text) - 1);
	if (ret)
		return ret;
	text[dsl_of(h) < sizeof(text) - 1 ? dsl_of(h) : sizeof(text) - 1] = '\0';
	return h[0] == OP_TEXT_RSP && !memcmp(text, "TargetName=", 11) ? 0 : -1;
}

/* A Logout (close the session) is answered with success. */
static int logout(int fd)
{
	uint8_t h[BHS];

	header(h, OP_LOGOUT | OP_IMMEDIATE, 0x80);
	if (send_pdu(fd, h, NULL, 0) || recv_pdu(fd, h, NULL, 0))
		return -1;
	return h[0] == OP_LOGOUT_RSP && h[2] == 0 ? 0 : -1;
}

/* One PDU a discovery session must refuse. */
struct abuse {
	const char *name;
	uint8_t op;
	uint8_t flags;
	uint8_t cdb0;			/* SCSI Command: the operation code */
	uint32_t edtl;			/* SCSI Command: expected transfer length */
	uint32_t data_len;		/* bytes of data segment sent */
};

static const struct abuse abuses[] = {
	{ "TMF ABORT TASK", OP_TMF | OP_IMMEDIATE, 0x80 | 1, 0, 0, 0 },
	{ "TMF ABORT TASK SET", OP_TMF | OP_IMMEDIATE, 0x80 | 2, 0, 0, 0 },
	{ "TMF CLEAR ACA", OP_TMF | OP_IMMEDIATE, 0x80 | 3, 0, 0, 0 },
	{ "TMF CLEAR TASK SET", OP_TMF | OP_IMMEDIATE, 0x80 | 4, 0, 0, 0 },
	{ "TMF LOGICAL UNIT RESET", OP_TMF | OP_IMMEDIATE, 0x80 | 5, 0, 0, 0 },
	{ "TMF TARGET WARM RESET", OP_TMF | OP_IMMEDIATE, 0x80 | 6, 0, 0, 0 },
	{ "TMF TARGET COLD RESET", OP_TMF | OP_IMMEDIATE, 0x80 | 7, 0, 0, 0 },
	{ "TMF TASK REASSIGN", OP_TMF | OP_IMMEDIATE, 0x80 | 8, 0, 0, 0 },
	{ "TMF unassigned function 14", OP_TMF | OP_IMMEDIATE, 0x80 | 14, 0, 0, 0 },
	{ "non-immediate TMF LOGICAL UNIT RESET", OP_TMF, 0x80 | 5, 0, 0, 0 },
	{ "SCSI TEST UNIT READY", OP_SCSI_CMD, 0x80, 0x00, 0, 0 },
	{ "SCSI REPORT LUNS", OP_SCSI_CMD, 0x80 | 0x40, 0xa0, 256, 0 },
	{ "SCSI READ(10)", OP_SCSI_CMD, 0x80 | 0x40, 0x28, 512, 0 },
	{ "SCSI WRITE(10) with immediate data", OP_SCSI_CMD, 0x80 | 0x20, 0x2a, 512, 512 },
	{ "unsolicited Data-Out", OP_DATA_OUT, 0x80, 0, 0, 512 },
	{ "SNACK", OP_SNACK, 0x80, 0, 0, 0 },
	{ "Login request", OP_LOGIN | OP_IMMEDIATE, 0x87, 0, 0, 0 },
};

static void build(const struct abuse *a, uint8_t *h)
{
	header(h, a->op, a->flags);
	h[9] = 0;			/* LUN 0 */
	switch (a->op & 0x3f) {
	case OP_TMF:
		put32(h + 20, 0x1234);	/* Referenced Task Tag */
		put32(h + 32, cmd_sn);	/* RefCmdSN */
		break;
	case OP_SCSI_CMD:
		put32(h + 20, a->edtl);
		h[32] = a->cdb0;
		if (a->cdb0 == 0xa0)
			put32(h + 32 + 6, a->edtl);	/* REPORT LUNS allocation length */
		else if (a->cdb0)
			h[32 + 8] = 1;		/* one block at LBA 0 */
		break;
	case OP_DATA_OUT:
		put32(h + 16, 0x5678);		/* an ITT of no command */
		put32(h + 20, TAG_NONE);	/* unsolicited */
		put32(h + 24, 0);		/* reserved here */
		break;
	case OP_LOGIN:
		h[8] = 0x40;			/* an ISID */
		break;
	}
}

static void strict_case(const struct abuse *a)
{
	uint8_t h[BHS], rsp[BHS], back[BHS];
	int fd = discovery_login(), ok;

	check(fd >= 0, "%s: discovery login", a->name);
	if (fd < 0)
		return;
	build(a, h);
	ok = !send_pdu(fd, h, NULL, a->data_len) && !recv_pdu(fd, rsp, back, sizeof(back));
	ok = ok && rsp[0] == OP_REJECT && rsp[2] == REASON_PROTOCOL_ERROR &&
	     dsl_of(rsp) == BHS && !memcmp(back, h, BHS);
	if (!ok)
		printf("# got opcode 0x%02x reason 0x%02x dsl %u\n", rsp[0], rsp[2], dsl_of(rsp));
	check(ok, "%s: Reject, protocol error, with the header", a->name);
	check(!send_targets(fd), "%s: then SendTargets=All still answers", a->name);
	check(!logout(fd), "%s: then Logout succeeds", a->name);
	close(fd);
}

static void survive_case(const struct abuse *a)
{
	uint8_t h[BHS], rsp[BHS];
	int fd = discovery_login(), ret;

	check(fd >= 0, "%s: discovery login", a->name);
	if (fd < 0)
		return;
	build(a, h);
	ret = send_pdu(fd, h, NULL, a->data_len) ? -1 : recv_pdu(fd, rsp, NULL, 0);
	if (!ret)
		printf("# %s: answered with opcode 0x%02x (reason/response 0x%02x)\n",
		       a->name, rsp[0], rsp[2]);
	else
		printf("# %s: no answer (%s)\n", a->name,
		       ret == -ECONNRESET ? "connection closed" : strerror(-ret));
	if (!ret)
		printf("# %s: SendTargets on the same connection: %s\n", a->name,
		       send_targets(fd) ? "fails" : "answers");
	close(fd);
	fd = discovery_login();
	check(fd >= 0 && !send_targets(fd) && !logout(fd),
	      "%s: a fresh discovery session still works", a->name);
	if (fd >= 0)
		close(fd);
}

/*
 * Send login request @stage (0: security -> operational, 1: operational ->
 * full feature phase) with @keys (NUL-separated, @len bytes); the status
 * of the response (class << 8 | detail), or -1.
 */
static int login_request(int fd, int stage, const char *keys, uint32_t len)
{
	uint8_t h[BHS] = { OP_LOGIN | OP_IMMEDIATE };

	h[1] = 0x80 | stage << 2 | (stage ? 3 : 1);
	h[8] = 0x40;			/* ISID */
	h[13] = 0x77;
	put32(h + 16, 1);
	put32(h + 28, exp_stat_sn);
	if (send_pdu(fd, h, keys, len) || read_pdu(fd, h, NULL, 0) ||
	    (h[0] & 0x3f) != OP_LOGIN_RSP)
		return -1;
	exp_stat_sn = get32(h + 24) + 1;
	return h[36] << 8 | h[37];
}

static void late_key(const char *what, const char *first, uint32_t first_len,
		     const char *second, uint32_t second_len)
{
	int fd = tcp_connect(addr, port, 5), status;

	exp_stat_sn = 0;
	status = fd < 0 ? -1 : login_request(fd, 0, first, first_len);
	check(status == 0, "%s: the first login request is taken (0x%04x)", what, status);
	status = status ? -1 : login_request(fd, 1, second, second_len);
	check(status >> 8 == 2, "%s: the next is refused, initiator error (0x%04x)",
	      what, status);
	if (fd >= 0)
		close(fd);
}

static int run_late_session_type(const char *target)
{
	char first[512], second[512];
	int n, m;

	n = snprintf(first, sizeof(first), "InitiatorName=%s%cTargetName=%s%cAuthMethod=None%c",
		     INITIATOR, 0, target, 0, 0);
	m = snprintf(second, sizeof(second), "SessionType=Discovery%cHeaderDigest=None%c", 0, 0);
	late_key("normal, then SessionType=Discovery", first, n, second, m);
	n = snprintf(first, sizeof(first),
		     "InitiatorName=%s%cSessionType=Discovery%cAuthMethod=None%c",
		     INITIATOR, 0, 0, 0);
	m = snprintf(second, sizeof(second), "TargetName=%s%cHeaderDigest=None%c", target, 0, 0);
	late_key("discovery, then a TargetName", first, n, second, m);
	return tap_failed;
}

int main(int argc, char **argv)
{
	size_t i;
	int strict;

	tap_n = atoi(getenv("TAP_BASE") ?: "0");
	if (argc == 5 && !strcmp(argv[1], "late-session-type")) {
		addr = argv[2];
		port = atoi(argv[3]);
		return run_late_session_type(argv[4]);
	}
	if (argc != 4 || (strcmp(argv[1], "strict") && strcmp(argv[1], "survive"))) {
		fprintf(stderr, "usage: %s strict|survive ADDR PORT\n"
			"       %s late-session-type ADDR PORT TARGET\n", argv[0], argv[0]);
		return 2;
	}
	strict = !strcmp(argv[1], "strict");
	addr = argv[2];
	port = atoi(argv[3]);
	if (!strict) {
		/* A reference target's portal may take a moment to come up. */
		int fd = -1, tries;

		for (tries = 0; tries < 30 && fd < 0; tries++) {
			fd = discovery_login();
			if (fd < 0)
				sleep(1);
		}
		check(fd >= 0 && !send_targets(fd) && !logout(fd),
		      "the reference target answers discovery (after %d tries)", tries);
		if (fd >= 0)
			close(fd);
	}
	for (i = 0; i < sizeof(abuses) / sizeof(abuses[0]); i++) {
		if (strict)
			strict_case(&abuses[i]);
		else
			survive_case(&abuses[i]);
	}
	return tap_failed;
}
