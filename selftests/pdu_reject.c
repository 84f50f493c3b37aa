// SPDX-License-Identifier: GPL-2.0
/*
 * Raw iSCSI against a bootsan target over real TCP, printing TAP lines
 * numbered from $TAP_BASE + 1 (the calling script prints the plan).
 *
 *   pdu_reject reject ADDR PORT TARGET_IQN QUEUE_DEPTH
 *	Log in with a minimal Login request (no authentication), send PDUs
 *	that break RFC 7143 one rule at a time and expect a Reject with the
 *	reason the RFC names and the rejected header as its data; after each
 *	one a NOP-Out ping must still be answered. Check the CmdSN window
 *	(MaxCmdSN = ExpCmdSN + QUEUE_DEPTH - 1; a command beyond it is
 *	ignored) and that PDUs before login end the connection.
 *   pdu_reject idle ADDR PORT TARGET_IQN
 *	On a target with nop-in-interval 1: NOP-In pings come while idle,
 *	leaving them unanswered is harmless; then leave without a logout.
 *   pdu_reject vanish ADDR PORT TARGET_IQN
 *	Log in and drop the connection without a FIN or RST.
 *   pdu_reject digest ADDR PORT TARGET_IQN
 *	With CRC32C header and data digests (LUN 0 of at least 16 blocks, no
 *	NOP-In pings): bad immediate data is rejected and its command dropped
 *	(sent again, it runs); a Data-Out with a bad digest is rejected and
 *	fails its command; a bad header digest ends the connection.
 *   pdu_reject session-limit|connection-limit ADDR PORT TARGET_IQN
 *	With room for one session (or connection): a second login is refused
 *	with status 0x0206; for sessions, a login with the first ISID
 *	reinstates the first session instead.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "iscsi_client.h"
#include "tap_check.h"

static const char *addr, *target;
static int port;
static uint32_t cmd_sn, exp_stat_sn, itt = 1, max_cmd_sn, exp_cmd_sn;
static uint32_t pings_seen, last_ping_ttt;

static int connect_target(void)
{
	return tcp_connect(addr, port, 5);
}

/*
 * Receive one PDU: header into @h, up to @cap bytes of data into @data.
 * The target's own NOP-In pings (ITT 0xffffffff) are counted and skipped.
 */
static int recv_one(int fd, uint8_t *h, uint8_t *data, uint32_t cap);

static int recv_pdu(int fd, uint8_t *h, uint8_t *data, uint32_t cap)
{
	int ret;

	while (!(ret = recv_one(fd, h, data, cap)) && h[0] == OP_NOP_IN &&
	       get32(h + 16) == 0xffffffff) {
		pings_seen++;
		last_ping_ttt = get32(h + 20);
	}
	return ret;
}

static int recv_one(int fd, uint8_t *h, uint8_t *data, uint32_t cap)
{
	int ret = read_pdu(fd, h, data, cap);

	if (ret)
		return ret;
	if (h[0] != OP_REJECT && (h[0] & 0x3f) != OP_LOGIN_RSP && get32(h + 24))
		exp_stat_sn = get32(h + 24) + 1;
	if ((h[0] & 0x3f) != OP_LOGIN_RSP) {
		exp_cmd_sn = get32(h + 28);
		max_cmd_sn = get32(h + 32);
	}
	return 0;
}

static void header(uint8_t *h, uint8_t op, uint8_t flags, uint32_t tag)
{
	memset(h, 0, BHS);
	h[0] = op;
	h[1] = flags;
	put32(h + 16, tag);
	put32(h + 24, cmd_sn);
	put32(h + 28, exp_stat_sn);
}

/*
 * Log in as initiator ...:@who with ISID qualifier @isid into @l: -1, 0,
 * or the login status. The sequence numbers continue from the login.
 */
static int login_as(int fd, const char *who, uint8_t isid, struct iscsi_login *l)
{
	char name[256];
	int ret;

	snprintf(name, sizeof(name), "iqn.2024-01.org.bootsan.test:%s", who);
	memset(l, 0, sizeof(*l));
	l->initiator = name;
	l->target = target;
	l->isid[0] = 0x40;			/* random qualifier type */
	l->isid[5] = isid;
	ret = iscsi_login(fd, l);
	if (ret < 0)
		return -1;
	exp_stat_sn = l->exp_stat_sn;
	exp_cmd_sn = l->exp_cmd_sn;
	max_cmd_sn = l->max_cmd_sn;
	cmd_sn = exp_cmd_sn;
	return ret;
}

static int login(int fd, struct iscsi_login *l)
{
	return login_as(fd, "pdu-reject", getpid() & 0xff, l) ? -1 : 0;
}

/* A NOP-Out ping (immediate) is answered with a NOP-In of the same ITT. */
static int ping(int fd)
{
	uint8_t h[BHS], rsp[BHS];
	uint32_t tag = itt++;

	header(h, OP_NOP_OUT | OP_IMMEDIATE, 0x80, tag);
	put32(h + 20, 0xffffffff);
	if (send_pdu(fd, h, "ping", 4) || recv_pdu(fd, rsp, NULL, 0))
		return -1;
	return rsp[0] == OP_NOP_IN && get32(rsp + 16) == tag ? 0 : -1;
}

/*
 * Send @h (with @len bytes of data) and expect a Reject with @reason whose
 * data is the header we sent; then the connection must still answer.
 */
static void expect_reject(int fd, const char *what, uint8_t *h, uint32_t len, uint8_t reason)
{
	uint8_t rsp[BHS], back[BHS];
	int ok;

	ok = !send_pdu(fd, h, NULL, len) && !recv_pdu(fd, rsp, back, sizeof(back));
	ok = ok && rsp[0] == OP_REJECT && rsp[2] == reason && dsl_of(rsp) == BHS &&
	     !memcmp(back, h, BHS) && get32(rsp + 16) == 0xffffffff;
	if (!ok)
		printf("# got opcode 0x%02x reason 0x%02x dsl %u\n", rsp[0], rsp[2], dsl_of(rsp));
	check(ok, "%s: Reject reason 0x%02x with the header", what, reason);
	check(!ping(fd), "%s: the connection still answers a ping", what);
}

/* TEST UNIT READY to LUN 0 answers GOOD. */
static int test_unit_ready(int fd)
{
	uint8_t h[BHS], rsp[BHS];
	uint32_t tag = itt++;

	header(h, OP_SCSI_CMD, 0x80, tag);	/* F, no data */
	put32(h + 24, cmd_sn++);
	if (send_pdu(fd, h, NULL, 0) || recv_pdu(fd, rsp, NULL, 0))
		return -1;
	return rsp[0] == OP_SCSI_RSP && get32(rsp + 16) == tag && rsp[2] == 0 && rsp[3] == 0 ?
	       0 : -1;
}

/* The window: a non-immediate NOP-Out beyond MaxCmdSN is ignored. */
static void cmdsn_window(int fd, uint32_t depth)
{
	uint8_t h[BHS], rsp[BHS];
	uint32_t tag = itt++;
	int ok;

	check(!ping(fd) && max_cmd_sn - exp_cmd_sn + 1 == depth,
	      "MaxCmdSN - ExpCmdSN + 1 is the queue depth (%u, want %u)",
	      max_cmd_sn - exp_cmd_sn + 1, depth);
	header(h, OP_NOP_OUT, 0x80, tag);
	put32(h + 20, 0xffffffff);
	put32(h + 24, max_cmd_sn + 1);
	ok = !send_pdu(fd, h, NULL, 0);
	/* A ping right after is answered; the NOP-Out beyond the window is not. */
	ok = ok && !ping(fd);
	check(ok, "a command beyond MaxCmdSN is ignored");
	header(h, OP_NOP_OUT, 0x80, tag);
	put32(h + 20, 0xffffffff);
	put32(h + 24, cmd_sn);
	ok = !send_pdu(fd, h, NULL, 0) && !recv_pdu(fd, rsp, NULL, 0) &&
	     rsp[0] == OP_NOP_IN && get32(rsp + 16) == tag && exp_cmd_sn == cmd_sn + 1;
	cmd_sn++;
	check(ok, "a command at ExpCmdSN is answered and moves the window");
}

/* Before login only Login requests count: anything else closes. */
static void before_login(const char *what, uint8_t op, uint32_t len)
{
	uint8_t h[BHS], rsp[BHS];
	int fd = connect_target(), ret = -1;

	if (fd >= 0) {
		header(h, op, 0x80, 1);
		/* The target may close while we still send the data segment. */
		ret = send_pdu(fd, h, NULL, len) ? -errno : recv_pdu(fd, rsp, NULL, 0);
		close(fd);
	}
	check(ret == -ECONNRESET || ret == -EPIPE, "%s before login closes the connection (%d)",
	      what, ret);
}

/* Wait @ms for PDUs, taking the target's pings; 0 unless the connection broke. */
static int idle_for(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint8_t h[BHS];

	while (ms > 0) {
		if (poll(&p, 1, 100) > 0) {
			if (recv_one(fd, h, NULL, 0))
				return -1;
			if (h[0] == OP_NOP_IN && get32(h + 16) == 0xffffffff) {
				pings_seen++;
				last_ping_ttt = get32(h + 20);
			}
		}
		ms -= 100;
	}
	return 0;
}

static int run_idle(void)
{
	struct iscsi_login l;
	uint8_t h[BHS];
	int fd = connect_target(), alive;

	if (fd < 0 || login(fd, &l)) {
		printf("Bail out! login to %s at %s:%d failed\n", target, addr, port);
		return 1;
	}
	alive = !idle_for(fd, 4500);
	check(alive && pings_seen >= 2,
	      "NOP-In pings every second on an idle connection (%u in 4.5 s)", pings_seen);
	check(last_ping_ttt != 0xffffffff, "the pings ask for an answer (TTT 0x%08x)",
	      last_ping_ttt);
	check(!ping(fd), "unanswered pings do not end the connection");
	header(h, OP_NOP_OUT | OP_IMMEDIATE, 0x80, 0xffffffff);
	put32(h + 20, last_ping_ttt);
	check(!send_pdu(fd, h, NULL, 0) && !ping(fd),
	      "an answer to a ping is taken without a reply");
	/* Leave without a logout, like a client that booted on. */
	close(fd);
	return tap_failed;
}

/*
 * Log in, then drop the connection without a FIN or RST (TCP_REPAIR mode,
 * as when a client is switched off): only the target's keepalive can find
 * out that the session is abandoned.
 */
static int run_vanish(void)
{
	struct iscsi_login l;
	int fd = connect_target(), one = 1, ok;

	check(fd >= 0 && !login(fd, &l), "logged in");
	/*
	 * A switched-off client had acknowledged what it was sent. An ACK
	 * still delayed here would be lost with the socket, the target would
	 * retransmit its last Login Response and get a reset back: the
	 * connection would end at once, not by keepalive.
	 */
	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	usleep(200 * 1000);
	ok = !setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &one, sizeof(one));
	check(ok, "the connection is dropped silently (TCP_REPAIR%s%s)", ok ? "" : ": ",
	      ok ? "" : strerror(errno));
	close(fd);
	return tap_failed;
}

/* With room for one session or connection: the second login is refused. */
static int run_limit(int sessions)
{
	struct iscsi_login l;
	uint8_t rsp[BHS];
	int fd1 = connect_target(), fd2 = connect_target(), fd3, status;

	status = fd1 < 0 ? -1 : login_as(fd1, "first", 1, &l);
	check(!status, "the first login succeeds (status 0x%04x)", status);
	status = fd2 < 0 ? -1 : login_as(fd2, "second", 2, &l);
	check(status == 0x0206, "a second login is refused: status 0x%04x, want 0x0206", status);
	check(recv_one(fd2, rsp, NULL, 0) == -ECONNRESET, "and its connection is closed");
	close(fd2);
	check(!ping(fd1), "the first session still works");
	if (!sessions) {
		close(fd1);
			return tap_failed;
	}
	fd3 = connect_target();
	status = fd3 < 0 ? -1 : login_as(fd3, "first", 1, &l);
	check(!status, "a login with the first ISID reinstates the session (status 0x%04x)",
	      status);
	check(recv_one(fd1, rsp, NULL, 0) == -ECONNRESET,
	      "the reinstated session's connection is closed");
	close(fd1);
	check(!ping(fd3), "the new session works");
	close(fd3);
	return tap_failed;
}

static int run_reject(uint32_t depth)
{
	struct iscsi_login l;
	uint8_t h[BHS], rsp[BHS];
	const char *mrdsl_key;
	uint32_t mrdsl;
	int fd;

	before_login("a SCSI command", OP_SCSI_CMD, 0);
	before_login("a Login request of 9000 bytes", OP_LOGIN | OP_IMMEDIATE, 9000);

	fd = connect_target();
	if (fd < 0 || login(fd, &l)) {
		printf("Bail out! login to %s at %s:%d failed\n", target, addr, port);
		return 1;
	}
	/* The target's declared MaxRecvDataSegmentLength; 8192 when it says nothing. */
	mrdsl_key = iscsi_login_key(&l, "MaxRecvDataSegmentLength");
	mrdsl = mrdsl_key ? strtoul(mrdsl_key, NULL, 10) : 8192;
	check(1, "logged in; the target takes data segments of %u bytes", mrdsl);

	header(h, 0x1c | OP_IMMEDIATE, 0x80, itt++);
	expect_reject(fd, "a vendor-specific opcode", h, 0, 0x05);
	header(h, 0x2a | OP_IMMEDIATE, 0x80, itt++);
	expect_reject(fd, "a reserved opcode with data", h, 100, 0x05);
	header(h, OP_LOGOUT | OP_IMMEDIATE, 0x80, itt++);
	expect_reject(fd, "a Logout with a data segment", h, 8, 0x09);
	header(h, OP_LOGOUT | OP_IMMEDIATE, 0x80 | 0x05, itt++);
	expect_reject(fd, "a Logout with a reserved reason code", h, 0, 0x04);
	header(h, OP_TMF | OP_IMMEDIATE, 0x80 | 0x01, itt++);
	put32(h + 20, 12345);
	expect_reject(fd, "a task management request with data", h, 20, 0x09);
	header(h, OP_SCSI_CMD | OP_IMMEDIATE, 0x80, 0xffffffff);
	expect_reject(fd, "a SCSI command with the reserved ITT", h, 0, 0x09);
	header(h, OP_NOP_OUT | OP_IMMEDIATE, 0x80, itt++);
	put32(h + 20, 77);
	expect_reject(fd, "a NOP-Out with both tags set", h, 0, 0x09);
	header(h, OP_NOP_OUT | OP_IMMEDIATE, 0x80, itt++);
	put32(h + 20, 0xffffffff);
	expect_reject(fd, "a NOP-Out one byte over MaxRecvDataSegmentLength", h, mrdsl + 1,
		      0x04);
	header(h, OP_DATA_OUT, 0x80, itt++);
	expect_reject(fd, "a Data-Out of 4 MiB", h, 4u << 20, 0x04);
	header(h, OP_TEXT | OP_IMMEDIATE, 0xc0, itt++);
	put32(h + 20, 0xffffffff);
	expect_reject(fd, "a Text request with F and C", h, 0, 0x04);
	header(h, OP_LOGIN | OP_IMMEDIATE, 0x87, itt++);
	expect_reject(fd, "a Login request after login", h, 0, 0x04);
	header(h, OP_SNACK, 0x80, itt++);
	expect_reject(fd, "a SNACK at ErrorRecoveryLevel 0", h, 0, 0x04);
	header(h, OP_NOP_OUT | OP_IMMEDIATE, 0x80, itt++);
	put32(h + 20, 0xffffffff);
	h[4] = 2;	/* an AHS of 8 bytes: it follows the header */
	send_pdu(fd, h, NULL, 0);
	write_all(fd, "\0\0\0\0\0\0\0\0", 8);
	check(!recv_pdu(fd, rsp, NULL, 0) && rsp[0] == OP_REJECT && rsp[2] == 0x09,
	      "a NOP-Out with an AHS: Reject reason 0x09");
	check(!ping(fd), "a NOP-Out with an AHS: the connection still answers a ping");

	check(!test_unit_ready(fd), "TEST UNIT READY still answers GOOD");
	cmdsn_window(fd, depth);

	header(h, OP_LOGOUT | OP_IMMEDIATE, 0x80 | 0x02, itt++);
	check(!send_pdu(fd, h, NULL, 0) && !recv_pdu(fd, rsp, NULL, 0) &&
	      rsp[0] == OP_LOGOUT_RSP && rsp[2] == 2,
	      "Logout for connection recovery: not supported at ErrorRecoveryLevel 0");
	header(h, OP_LOGOUT | OP_IMMEDIATE, 0x80, itt++);
	check(!send_pdu(fd, h, NULL, 0) && !recv_pdu(fd, rsp, NULL, 0) &&
	      rsp[0] == OP_LOGOUT_RSP && rsp[2] == 0, "Logout closes the session");
	close(fd);
	return tap_failed;
}

/* ---- digest errors: a session with CRC32C header and data digests ---- */

/* CRC32C (Castagnoli), bit by bit: a handful of small PDUs. */
static uint32_t crc32c(uint32_t crc, const uint8_t *p, size_t n)
{
	int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0x82f63b78 : crc >> 1;
	}
	return crc;
}

/* An iSCSI digest of @n bytes: the CRC's complement, least byte first. */
static void digest_of(const uint8_t *p, size_t n, uint8_t *out)
{
	uint32_t c = ~crc32c(~0u, p, n);

	out[0] = c;
	out[1] = c >> 8;
	out[2] = c >> 16;
	out[3] = c >> 24;
}

#define DIGEST_DATA_MAX	2048

/* Send @h and @len bytes of @data with both digests; break one if asked. */
static int send_digested(int fd, uint8_t *h, const uint8_t *data, uint32_t len,
			 int bad_header, int bad_data)
{
	uint8_t buf[BHS + 4 + DIGEST_DATA_MAX + 4];
	uint32_t padded = (len + 3) & ~3u, off = BHS + 4;

	if (len > DIGEST_DATA_MAX)
		return -1;
	h[5] = len >> 16;
	h[6] = len >> 8;
	h[7] = len;
	memcpy(buf, h, BHS);
	digest_of(buf, BHS, buf + BHS);
	buf[BHS] ^= bad_header;
	memset(buf + off, 0, padded);
	if (len)
		memcpy(buf + off, data, len);
	off += padded;
	if (len) {
		digest_of(buf + BHS + 4, padded, buf + off);
		buf[off] ^= bad_data;
		off += 4;
	}
	return write_all(fd, buf, off);
}

/*
 * Receive one PDU with both digests into @h and @data (its data segment
 * must fit @cap); -1 if it did not come, or a digest of the target's was
 * wrong.
 */
static int recv_digested(int fd, uint8_t *h, uint8_t *data, uint32_t cap)
{
	uint8_t dig[4], want[4], buf[DIGEST_DATA_MAX + 4];
	uint32_t len, padded;

	if (read_all(fd, h, BHS) || read_all(fd, dig, 4))
		return -1;
	digest_of(h, BHS, want);
	if (memcmp(dig, want, 4)) {
		printf("# the target's header digest is wrong\n");
		return -1;
	}
	/* R2Ts and Data-In without status repeat the StatSN, not take one. */
	if (h[0] != 0x31 && (h[0] != 0x25 || (h[1] & 0x01)))
		exp_stat_sn = get32(h + 24) + 1;
	len = dsl_of(h);
	padded = (len + 3) & ~3u;
	if (!len)
		return 0;
	if (len > cap || padded > DIGEST_DATA_MAX || read_all(fd, buf, padded) ||
	    read_all(fd, dig, 4))
		return -1;
	digest_of(buf, padded, want);
	if (memcmp(dig, want, 4)) {
		printf("# the target's data digest is wrong\n");
		return -1;
	}
	memcpy(data, buf, len);
	return 0;
}

static int ping_digested(int fd)
{
	uint8_t h[BHS], data[8];
	uint32_t tag = itt++;

	header(h, OP_NOP_OUT | OP_IMMEDIATE, 0x80, tag);
	put32(h + 20, 0xffffffff);
	if (send_digested(fd, h, (const uint8_t *)"ping", 4, 0, 0) ||
	    recv_digested(fd, h, data, sizeof(data)))
		return -1;
	return h[0] == OP_NOP_IN && get32(h + 16) == tag && !memcmp(data, "ping", 4) ? 0 : -1;
}

/* A READ(10) or WRITE(10) of @blocks 512-byte blocks at @lba. */
static void rw10(uint8_t *h, uint8_t op, uint32_t lba, uint16_t blocks, uint32_t tag)
{
	int write = op == 0x2a;

	header(h, OP_SCSI_CMD, 0x80 | (write ? 0x20 : 0x40) | 0x01, tag);	/* F, W|R, SIMPLE */
	put32(h + 20, blocks * 512u);
	put32(h + 24, cmd_sn);
	h[32] = op;
	put32(h + 34, lba);
	h[39] = blocks >> 8;
	h[40] = blocks;
}

static void expect_digest_reject(int fd, const char *what, const uint8_t *sent)
{
	uint8_t rsp[BHS], back[BHS];
	int ok = !recv_digested(fd, rsp, back, sizeof(back));

	ok = ok && rsp[0] == OP_REJECT && rsp[2] == 0x02 && dsl_of(rsp) == BHS &&
	     !memcmp(back, sent, BHS);
	if (!ok)
		printf("# got opcode 0x%02x reason 0x%02x\n", rsp[0], rsp[2]);
	check(ok, "%s: Reject reason 0x02 (data digest error) with the header", what);
}

static int run_digest(void)
{
	uint8_t h[BHS], rsp[BHS], sent[BHS], a[512], b[1024], back[1024];
	struct iscsi_login l;
	const char *hd, *dd;
	uint32_t tag, ttt, i;
	int fd, ok;

	for (i = 0; i < sizeof(a); i++)
		a[i] = i * 7 + 1;
	memset(b, 0x5a, sizeof(b));
	fd = connect_target();
	memset(&l, 0, sizeof(l));
	l.initiator = "iqn.2024-01.org.bootsan.test:digest-errors";
	l.target = target;
	l.isid[0] = 0x40;
	l.isid[5] = 7;
	l.digest = "CRC32C";
	ok = fd >= 0 && !iscsi_login(fd, &l);
	hd = ok ? iscsi_login_key(&l, "HeaderDigest") : NULL;
	dd = ok ? iscsi_login_key(&l, "DataDigest") : NULL;
	check(ok && hd && dd && !strcmp(hd, "CRC32C") && !strcmp(dd, "CRC32C"),
	      "login with CRC32C header and data digests");
	if (!ok)
		return 1;
	exp_stat_sn = l.exp_stat_sn;
	cmd_sn = l.exp_cmd_sn;
	check(!ping_digested(fd), "a digested NOP-Out is answered, digests right both ways");

	/* Immediate data with a bad digest: the command is dropped whole. */
	tag = itt++;
	rw10(h, 0x2a, 8, 1, tag);
	send_digested(fd, h, a, sizeof(a), 0, 1);
	memcpy(sent, h, BHS);
	expect_digest_reject(fd, "WRITE with bad immediate data", sent);
	check(!ping_digested(fd), "the command got no response; the connection answers a ping");
	rw10(h, 0x2a, 8, 1, tag);		/* the same CmdSN: it was never taken */
	ok = !send_digested(fd, h, a, sizeof(a), 0, 0) && !recv_digested(fd, rsp, back, sizeof(back));
	cmd_sn++;
	check(ok && rsp[0] == OP_SCSI_RSP && get32(rsp + 16) == tag && rsp[3] == 0,
	      "sent again with the same CmdSN and a good digest: GOOD");
	tag = itt++;
	rw10(h, 0x28, 8, 1, tag);
	ok = !send_digested(fd, h, NULL, 0, 0, 0) && !recv_digested(fd, rsp, back, sizeof(back));
	cmd_sn++;
	check(ok && rsp[0] == 0x25 && (rsp[1] & 0x01) && rsp[3] == 0 && dsl_of(rsp) == 512 &&
	      !memcmp(back, a, sizeof(a)), "and it reads back: Data-In with status, digests right");

	/* A Data-Out with a bad digest fails its command (after the Reject). */
	tag = itt++;
	rw10(h, 0x2a, 9, 2, tag);
	ok = !send_digested(fd, h, NULL, 0, 0, 0) && !recv_digested(fd, rsp, back, sizeof(back));
	cmd_sn++;
	ok = ok && rsp[0] == 0x31 && get32(rsp + 16) == tag && get32(rsp + 40) == 0 &&
	     get32(rsp + 44) == sizeof(b);
	check(ok, "WRITE without immediate data: R2T for all 1024 bytes");
	ttt = get32(rsp + 20);
	header(h, OP_DATA_OUT, 0x80, tag);	/* F: the whole burst */
	put32(h + 20, ttt);
	put32(h + 24, 0);			/* reserved in Data-Out */
	put32(h + 36, 0);			/* DataSN */
	put32(h + 40, 0);			/* buffer offset */
	send_digested(fd, h, b, sizeof(b), 0, 1);
	memcpy(sent, h, BHS);
	expect_digest_reject(fd, "Data-Out with a bad digest", sent);
	ok = !recv_digested(fd, rsp, back, sizeof(back));
	ok = ok && rsp[0] == OP_SCSI_RSP && get32(rsp + 16) == tag && rsp[3] == 0x02 &&
	     dsl_of(rsp) >= 16 && (back[2 + 2] & 0x0f) == 0x0b && back[2 + 12] == 0x47 &&
	     back[2 + 13] == 0x05;
	check(ok, "then the command fails: ABORTED COMMAND, PROTOCOL SERVICE CRC ERROR (47h/05h)");
	check(!ping_digested(fd), "the connection still answers a ping");

	/* A header digest error cannot be trusted at all: the connection ends. */
	header(h, OP_NOP_OUT | OP_IMMEDIATE, 0x80, itt++);
	put32(h + 20, 0xffffffff);
	ok = !send_digested(fd, h, NULL, 0, 1, 0) && read_all(fd, rsp, 1) != 0;
	check(ok, "a bad header digest ends the connection (ErrorRecoveryLevel 0)");
	close(fd);
	return tap_failed;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (argc < 5 || (!strcmp(mode, "reject") && argc != 6)) {
		fprintf(stderr, "usage: %s reject|idle|vanish|digest|session-limit|connection-limit "
			"ADDR PORT TARGET [QUEUE_DEPTH]\n", argv[0]);
		return 2;
	}
	addr = argv[2];
	port = atoi(argv[3]);
	target = argv[4];
	tap_n = atoi(getenv("TAP_BASE") ?: "0");
	if (!strcmp(mode, "reject"))
		return run_reject(strtoul(argv[5], NULL, 10));
	if (!strcmp(mode, "idle"))
		return run_idle();
	if (!strcmp(mode, "vanish"))
		return run_vanish();
	if (!strcmp(mode, "digest"))
		return run_digest();
	return run_limit(!strcmp(mode, "session-limit"));
}
