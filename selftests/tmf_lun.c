// SPDX-License-Identifier: GPL-2.0
/*
 * A LOGICAL UNIT RESET resets the LUN it names and nothing else (RFC 7143
 * 11.6.1): one whose LUN field does not decode, or names no LUN of the
 * target, is answered "Logical unit does not exist" (response 2) and
 * touches nothing. Prints TAP lines numbered from $TAP_BASE + 1.
 *
 *   tmf_lun ADDR PORT TARGET
 *	Two sessions A and B of TARGET (LUN 0 only). A sends LUN RESETs with
 *	undecodable LUN fields and with LUN 5: each gets response 2, and B's
 *	next TEST UNIT READY is GOOD (no BUS DEVICE RESET unit attention).
 *	Then a LUN RESET of LUN 0 is answered "complete" and B does get the
 *	unit attention: the check can see a reset.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iscsi_client.h"
#include "tap_check.h"

#define OP_TMF_RSP	0x22
#define TMF_LUN_RESET	5

static const char *addr, *target;
static int port;

struct sess {
	int fd;
	uint32_t cmd_sn, exp_stat_sn, itt;
};

static int sess_login(struct sess *s, const char *who, uint8_t q)
{
	struct iscsi_login l = { .target = target };
	char name[128];

	snprintf(name, sizeof(name), "iqn.2024-01.org.bootsan.test:tmf-lun-%s", who);
	l.initiator = name;
	l.isid[0] = 0x40;
	l.isid[5] = q;
	s->fd = tcp_connect(addr, port, 5);
	if (s->fd < 0 || iscsi_login(s->fd, &l))
		return -1;
	s->cmd_sn = l.exp_cmd_sn;
	s->exp_stat_sn = l.exp_stat_sn;
	s->itt = 1;
	return 0;
}

/* Receive one PDU (skipping NOP-In pings) and follow StatSN. */
static int sess_recv(struct sess *s, uint8_t *h, uint8_t *data, uint32_t cap)
{
	int ret;

	do {
		ret = read_pdu(s->fd, h, data, cap);
	} while (!ret && h[0] == OP_NOP_IN && get32(h + 16) == TAG_NONE);
	if (!ret && h[0] != OP_REJECT)
		s->exp_stat_sn = get32(h + 24) + 1;
	return ret;
}

/* TEST UNIT READY on LUN 0: its SCSI status, with the sense key/ASC/ASCQ in *sense; -1. */
static int tur(struct sess *s, uint32_t *sense)
{
	uint8_t h[BHS] = { OP_SCSI_CMD, 0x80 }, data[64];
	uint32_t tag = s->itt++;

	put32(h + 16, tag);
	put32(h + 24, s->cmd_sn++);
	put32(h + 28, s->exp_stat_sn);
	*sense = 0;
	if (send_pdu(s->fd, h, NULL, 0) || sess_recv(s, h, data, sizeof(data)))
		return -1;
	if (h[0] != OP_SCSI_RSP || get32(h + 16) != tag)
		return -1;
	/* The data segment: a 2-byte SenseLength, then fixed-format sense. */
	if (h[3] == 2 && dsl_of(h) >= 2 + 14)
		*sense = (data[2 + 2] & 0xf) << 16 | data[2 + 12] << 8 | data[2 + 13];
	return h[3];
}

/* TURs until one is GOOD: the unit attentions of a new nexus are gone. */
static int settle(struct sess *s)
{
	uint32_t sense;
	int i, st = -1;

	for (i = 0; i < 8 && st; i++)
		st = tur(s, &sense);
	return st;
}

/* A LUN RESET with the 8-byte LUN field @lun: the TMF response code, or -1. */
static int lun_reset(struct sess *s, const uint8_t *lun)
{
	uint8_t h[BHS] = { OP_TMF | OP_IMMEDIATE, 0x80 | TMF_LUN_RESET };
	uint32_t tag = s->itt++;

	memcpy(h + 8, lun, 8);
	put32(h + 16, tag);
	put32(h + 20, TAG_NONE);
	put32(h + 24, s->cmd_sn);
	put32(h + 28, s->exp_stat_sn);
	put32(h + 32, s->cmd_sn);
	if (send_pdu(s->fd, h, NULL, 0) || sess_recv(s, h, NULL, 0))
		return -1;
	if (h[0] != OP_TMF_RSP || get32(h + 16) != tag)
		return -1;
	return h[2];
}

int main(int argc, char **argv)
{
	static const struct {
		const char *what;
		uint8_t lun[8];
	} bad[] = {
		{ "a LUN with bytes 2-7 set", { 0, 0, 0, 1 } },
		{ "extended addressing (method 3)", { 0xc0, 0x01 } },
		{ "logical unit addressing (method 2)", { 0x80, 0x01 } },
		{ "peripheral addressing with a bus number", { 0x01, 0x00 } },
		{ "LUN 5, which the target does not have", { 0x00, 0x05 } },
	};
	const uint8_t lun0[8] = {};
	const char *base = getenv("TAP_BASE");
	struct sess a, b;
	uint32_t sense;
	unsigned int i;
	int rsp, st;

	if (argc != 4) {
		fprintf(stderr, "usage: %s ADDR PORT TARGET\n", argv[0]);
		return 2;
	}
	tap_n = base ? atoi(base) : 0;
	addr = argv[1];
	port = atoi(argv[2]);
	target = argv[3];
	check(!sess_login(&a, "a", 1) && !sess_login(&b, "b", 2), "sessions A and B log in");
	check(!settle(&a) && !settle(&b), "both answer TEST UNIT READY with GOOD");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rsp = lun_reset(&a, bad[i].lun);
		check(rsp == 2, "LUN RESET of %s: response 2, logical unit does not exist (%d)",
		      bad[i].what, rsp);
		st = tur(&b, &sense);
		check(st == 0, "then B's TEST UNIT READY is GOOD: nothing was reset (status 0x%02x, sense %06x)",
		      st, sense);
	}
	rsp = lun_reset(&a, lun0);
	check(rsp == 0, "LUN RESET of LUN 0: function complete (%d)", rsp);
	st = tur(&b, &sense);
	check(st == 2 && sense == 0x062903,
	      "B's next TEST UNIT READY: UNIT ATTENTION, BUS DEVICE RESET FUNCTION OCCURRED (0x%02x, %06x)",
	      st, sense);
	close(a.fd);
	close(b.fd);
	return tap_failed;
}
