// SPDX-License-Identifier: GPL-2.0
/*
 * Dropped links (issue 17, item 4): an initiator vanishes in the middle of
 * a WRITE and comes back; nothing of the old session's writes may land
 * after the new session has written over the same blocks. Prints TAP
 * lines numbered from $TAP_BASE + 1, or with "record" only "# " lines
 * (for LIO, the reference: printed, not judged).
 *
 *   dropped_link judge|record ADDR PORT TARGET ROUNDS
 *
 * Each round, session A writes 256 KiB at an LBA of its own ("old"
 * pattern) and vanishes part-way, one of three ways in turn:
 *
 *   cut        the link is cut during the data: A's socket stays open but
 *              silent with half of the R2T's data sent (the target sees no
 *              FIN). Session B logs in with A's name and ISID, TSIH 0
 *              (open-iscsi's way back): the target must reinstate, ending
 *              A's session and its commands. B writes the blocks ("new"
 *              pattern, FUA); then the rest of A's data arrives on A's old
 *              connection, as a link that comes back delivers it.
 *   cut-full   the same, but all of A's data had been sent when the link
 *              went (the WRITE complete on the wire, its response unread).
 *   reset      A's machine reset (iPXE after a firmware reset): A's socket
 *              closed with an RST during the data, B logs in with a new
 *              random ISID (iPXE makes one per connection), a new session.
 *
 * Then B waits, reads the blocks back and checks every byte is B's; A's
 * connection must have been closed by the target (cut, cut-full).
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "iscsi_client.h"
#include "tap_check.h"

#define OP_R2T		0x31
#define OP_DATA_IN	0x25
#define LEN		(256u * 1024)
#define BLOCKS		(LEN / 512)

static const char *addr, *target;
static int port, judge;

struct sess {
	int fd;
	uint32_t cmd_sn, exp_stat_sn, itt, mrdsl;
};

/* A result: a TAP line when judging, a "# " line when recording. */
static void result(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void result(int cond, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (judge)
		check(cond, "%s", msg);
	else
		printf("# %s: %s\n", cond ? "yes" : "NO", msg);
	fflush(stdout);
}

static int sess_login(struct sess *s, const uint8_t *isid)
{
	struct iscsi_login l = { .target = target,
				 .initiator = "iqn.2024-01.org.bootsan.test:dropped-link" };
	const char *v;

	memcpy(l.isid, isid, 6);
	s->fd = tcp_connect(addr, port, 10);
	if (s->fd < 0)
		return -1;
	if (iscsi_login(s->fd, &l)) {
		printf("# login failed: status 0x%04x (%s)\n", l.status,
		       iscsi_login_status_class(l.status));
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	s->cmd_sn = l.exp_cmd_sn;
	s->exp_stat_sn = l.exp_stat_sn;
	s->itt = 0x10;
	v = iscsi_login_key(&l, "MaxRecvDataSegmentLength");
	s->mrdsl = v ? strtoul(v, NULL, 10) : 8192;
	return 0;
}

static void fill(uint8_t *buf, uint32_t seed)
{
	uint32_t i;

	for (i = 0; i < LEN; i++)
		buf[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 9));
}

/* A WRITE(10) of LEN bytes at @lba with @imm bytes of @buf as immediate data. */
static int send_write(struct sess *s, uint32_t lba, const uint8_t *buf, uint32_t imm, int fua)
{
	uint8_t h[BHS] = { OP_SCSI_CMD, 0xa0 };	/* F, W; simple task */

	put32(h + 16, s->itt++);
	put32(h + 20, LEN);
	put32(h + 24, s->cmd_sn++);
	put32(h + 28, s->exp_stat_sn);
	h[32] = 0x2a;
	h[33] = fua ? 0x08 : 0;
	put32(h + 34, lba);
	h[39] = BLOCKS >> 8;
	h[40] = BLOCKS & 0xff;
	return send_pdu(s->fd, h, buf, imm);
}

/* Data-Out of [off, off + len) of @buf for the R2T @r2t, in PDUs of MRDSL. */
static int send_data(struct sess *s, const uint8_t *r2t, const uint8_t *buf, uint32_t off,
		     uint32_t len, uint32_t *datasn, int final)
{
	uint32_t done = 0;
	uint8_t h[BHS];

	while (done < len) {
		uint32_t chunk = len - done < s->mrdsl ? len - done : s->mrdsl;

		memset(h, 0, BHS);
		h[0] = OP_DATA_OUT;
		h[1] = final && done + chunk == len ? 0x80 : 0;
		memcpy(h + 16, r2t + 16, 4);		/* ITT */
		memcpy(h + 20, r2t + 20, 4);		/* TTT */
		put32(h + 28, s->exp_stat_sn);
		put32(h + 36, (*datasn)++);
		put32(h + 40, off + done);
		if (send_pdu(s->fd, h, buf + off + done, chunk))
			return -1;
		done += chunk;
	}
	return 0;
}

/* The next PDU that is not a NOP-In; -1 when the connection broke. */
static int next_pdu(struct sess *s, uint8_t *h, uint8_t *data, uint32_t cap)
{
	for (;;) {
		if (read_pdu(s->fd, h, data, cap))
			return -1;
		if ((h[0] & 0x3f) != OP_NOP_IN)
			return 0;
	}
}

/* Wait for an R2T; 0 with it in @r2t, -1 otherwise. */
static int wait_r2t(struct sess *s, uint8_t *r2t)
{
	if (next_pdu(s, r2t, NULL, 0))
		return -1;
	return (r2t[0] & 0x3f) == OP_R2T ? 0 : -1;
}

/* Write all of @buf at @lba and wait for the status (the SCSI status, or -1). */
static int write_whole(struct sess *s, uint32_t lba, const uint8_t *buf, int fua)
{
	uint32_t imm = s->mrdsl < 65536 ? s->mrdsl : 65536, datasn;
	uint8_t h[BHS];

	if (send_write(s, lba, buf, imm, fua))
		return -1;
	for (;;) {
		if (next_pdu(s, h, NULL, 0))
			return -1;
		if ((h[0] & 0x3f) == OP_SCSI_RSP) {
			s->exp_stat_sn = get32(h + 24) + 1;
			return h[3];
		}
		if ((h[0] & 0x3f) != OP_R2T)
			return -1;
		datasn = 0;
		if (send_data(s, h, buf, get32(h + 40), get32(h + 44), &datasn, 1))
			return -1;
	}
}

/* READ(10) LEN bytes at @lba into @buf: the status, or -1. */
static int read_whole(struct sess *s, uint32_t lba, uint8_t *buf)
{
	uint8_t h[BHS] = { OP_SCSI_CMD, 0xc0 };	/* F, R */
	uint8_t *seg = malloc(LEN);
	int ret = -1;

	if (!seg)
		return -1;
	put32(h + 16, s->itt++);
	put32(h + 20, LEN);
	put32(h + 24, s->cmd_sn++);
	put32(h + 28, s->exp_stat_sn);
	h[32] = 0x28;
	put32(h + 34, lba);
	h[39] = BLOCKS >> 8;
	h[40] = BLOCKS & 0xff;
	if (send_pdu(s->fd, h, NULL, 0))
		goto out;
	for (;;) {
		uint32_t off, len;

		if (next_pdu(s, h, seg, LEN))
			goto out;
		if ((h[0] & 0x3f) == OP_SCSI_RSP) {
			s->exp_stat_sn = get32(h + 24) + 1;
			ret = h[3];
			goto out;
		}
		if ((h[0] & 0x3f) != OP_DATA_IN)
			goto out;
		off = get32(h + 40);
		len = dsl_of(h);
		if (off > LEN || len > LEN - off)
			goto out;
		memcpy(buf + off, seg, len);
		if (h[1] & 0x01) {			/* S: the status is here */
			s->exp_stat_sn = get32(h + 24) + 1;
			ret = h[3];
			goto out;
		}
	}
out:
	free(seg);
	return ret;
}

static int logout(struct sess *s)
{
	uint8_t h[BHS] = { OP_LOGOUT | OP_IMMEDIATE, 0x80 };

	put32(h + 16, s->itt++);
	put32(h + 24, s->cmd_sn);
	put32(h + 28, s->exp_stat_sn);
	if (send_pdu(s->fd, h, NULL, 0) || next_pdu(s, h, NULL, 0))
		return -1;
	return (h[0] & 0x3f) == OP_LOGOUT_RSP && !h[2] ? 0 : -1;
}

/* Has the target closed @fd (EOF or reset) within @ms? */
static int closed_within(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint8_t junk[4096];
	double end = now_s() + ms / 1000.0;

	while (now_s() < end) {
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return 1;
	}
	return 0;
}

/* An RST instead of a FIN, as from a machine that lost the connection's state. */
static void reset_close(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

static const char *const way_name[] = { "cut", "cut-full", "reset" };

/* One round of way r % 3 on blocks of its own: one result. */
static void round_of(int r, uint8_t *old, uint8_t *new, uint8_t *got)
{
	int way = r % 3, st, a_closed = 1, same = 0;
	uint8_t isid_a[6] = { 0x40, 0, 0, 0x0d, 0x11, (uint8_t)r };
	uint8_t isid_b[6], r2t[BHS];
	uint32_t lba = (uint32_t)r * BLOCKS, imm, datasn = 0, half;
	struct sess a, b;

	memcpy(isid_b, isid_a, 6);
	if (way == 2) {
		isid_b[3] = rand();
		isid_b[4] = rand();
		isid_b[5] = rand();
	}
	fill(old, 2 * r + 1);
	fill(new, 2 * r + 2);
	if (sess_login(&a, isid_a)) {
		result(0, "round %d (%s): session A logs in", r, way_name[way]);
		return;
	}
	imm = a.mrdsl < 65536 ? a.mrdsl : 65536;
	/* A's WRITE: the command with immediate data, then its first R2T. */
	if (send_write(&a, lba, old, imm, 0) || wait_r2t(&a, r2t)) {
		result(0, "round %d (%s): A's WRITE gets an R2T", r, way_name[way]);
		close(a.fd);
		return;
	}
	half = get32(r2t + 44) / 2;
	if (way == 1) {
		/* All of it: this R2T's data and any further R2T's. */
		st = send_data(&a, r2t, old, get32(r2t + 40), get32(r2t + 44), &datasn, 1);
		while (!st && get32(r2t + 40) + get32(r2t + 44) < LEN) {
			datasn = 0;
			st = wait_r2t(&a, r2t) ||
			     send_data(&a, r2t, old, get32(r2t + 40), get32(r2t + 44), &datasn, 1);
		}
	} else {
		st = send_data(&a, r2t, old, get32(r2t + 40), half, &datasn, 0);
	}
	if (st) {
		result(0, "round %d (%s): A sends its data", r, way_name[way]);
		close(a.fd);
		return;
	}
	if (way == 2)
		reset_close(a.fd);

	/* B comes back. */
	if (sess_login(&b, isid_b)) {
		result(0, "round %d (%s): session B logs in (%s)", r, way_name[way],
		       way == 2 ? "a new session" : "reinstating A's");
		if (way != 2)
			close(a.fd);
		return;
	}
	st = write_whole(&b, lba, new, 1);
	if (way == 0) {
		/* The link comes back: the rest of A's data, stale now. */
		send_data(&a, r2t, old, get32(r2t + 40) + half, get32(r2t + 44) - half,
			  &datasn, 1);
	}
	if (way != 2)
		a_closed = closed_within(a.fd, 5000);
	usleep(500 * 1000);	/* time for anything stale to land */
	if (st == 0)
		st = read_whole(&b, lba, got);
	if (st == 0)
		same = !memcmp(got, new, LEN);
	if (way != 2)
		close(a.fd);
	result(st == 0 && same && a_closed,
	       "round %d (%s): %s; B's FUA write and read GOOD, every byte B's%s", r,
	       way_name[way], way == 2 ? "a new session beside A's" : "B reinstates A's session",
	       way == 2 ? "" : ", A's connection closed by the target");
	if (st)
		printf("#   status %d\n", st);
	else if (!same)
		printf("#   the blocks hold %s\n", !memcmp(got, old, LEN) ? "A's stale data" :
		       "a mix of A's and B's data, or other");
	if (!a_closed)
		printf("#   A's connection still open 5 s after B's login\n");
	logout(&b);
	close(b.fd);
}

int main(int argc, char **argv)
{
	uint8_t *old, *new, *got;
	int rounds, r;

	if (argc != 6 || (strcmp(argv[1], "judge") && strcmp(argv[1], "record"))) {
		fprintf(stderr, "usage: %s judge|record ADDR PORT TARGET ROUNDS\n", argv[0]);
		return 2;
	}
	judge = !strcmp(argv[1], "judge");
	if (getenv("TAP_BASE"))
		tap_n = atoi(getenv("TAP_BASE"));
	addr = argv[2];
	port = atoi(argv[3]);
	target = argv[4];
	rounds = atoi(argv[5]);
	if (rounds < 1 || rounds > 60) {
		fprintf(stderr, "dropped_link: 1 to 60 rounds\n");
		return 2;
	}
	srand(time(NULL));
	old = malloc(LEN);
	new = malloc(LEN);
	got = malloc(LEN);
	if (!old || !new || !got)
		return 2;
	for (r = 0; r < rounds; r++)
		round_of(r, old, new, got);
	free(old);
	free(new);
	free(got);
	return judge ? tap_failed : 0;
}
