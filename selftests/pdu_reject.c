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
 *   pdu_reject session-limit|connection-limit ADDR PORT TARGET_IQN
 *	With room for one session (or connection): a second login is refused
 *	with status 0x0206; for sessions, a login with the first ISID
 *	reinstates the first session instead.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define BHS		48
#define OP_NOP_OUT	0x00
#define OP_SCSI_CMD	0x01
#define OP_TMF		0x02
#define OP_LOGIN	0x03
#define OP_TEXT		0x04
#define OP_DATA_OUT	0x05
#define OP_LOGOUT	0x06
#define OP_SNACK	0x10
#define OP_IMMEDIATE	0x40
#define OP_NOP_IN	0x20
#define OP_SCSI_RSP	0x21
#define OP_LOGIN_RSP	0x23
#define OP_LOGOUT_RSP	0x26
#define OP_REJECT	0x3f

static const char *addr, *target;
static int port, tap_n, tap_failed;	/* numbering continues from $TAP_BASE */
static uint32_t cmd_sn, exp_stat_sn, itt = 1, max_cmd_sn, exp_cmd_sn;
static uint32_t pings_seen, last_ping_ttt;

static void check(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("%s %d ", cond ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed = 1;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t dsl_of(const uint8_t *h)
{
	return (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
}

static int connect_target(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	inet_pton(AF_INET, addr, &sa.sin_addr);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n <= 0)
			return n == 0 ? -ECONNRESET : -errno;
		p += n;
		len -= n;
	}
	return 0;
}

/* Send header @h with @len bytes of @data (zeros when NULL) and padding. */
static int send_pdu(int fd, uint8_t *h, const void *data, uint32_t len)
{
	static const uint8_t zeros[4096];
	uint32_t pad = (4 - (len & 3)) & 3, off = 0;

	h[5] = len >> 16;
	h[6] = len >> 8;
	h[7] = len;
	if (write_all(fd, h, BHS))
		return -1;
	while (off < len) {
		uint32_t chunk = len - off < sizeof(zeros) ? len - off : sizeof(zeros);

		if (write_all(fd, data ? (const uint8_t *)data + off : zeros, chunk))
			return -1;
		off += chunk;
	}
	return pad ? write_all(fd, zeros, pad) : 0;
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
	uint8_t sink[4096];
	uint32_t len, want, got = 0;
	int ret = read_all(fd, h, BHS);

	if (ret)
		return ret;
	len = dsl_of(h);
	want = len + ((4 - (len & 3)) & 3);
	while (got < want) {
		uint32_t chunk = want - got;
		uint8_t *dst = sink;

		if (got < cap) {
			dst = data + got;
			if (chunk > cap - got)
				chunk = cap - got;
		} else if (chunk > sizeof(sink)) {
			chunk = sizeof(sink);
		}
		ret = read_all(fd, dst, chunk);
		if (ret)
			return ret;
		got += chunk;
	}
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

/* Log in as initiator ...:@who with ISID qualifier @isid; -1 or the login status. */
static int login_as(int fd, const char *who, uint8_t isid, uint8_t *rsp, char *text,
		    uint32_t cap)
{
	uint8_t h[BHS];
	char keys[512];
	int n;

	n = snprintf(keys, sizeof(keys),
		     "InitiatorName=iqn.2024-01.org.bootsan.test:%s%cTargetName=%s%c"
		     "SessionType=Normal%cAuthMethod=None%cHeaderDigest=None%cDataDigest=None%c"
		     "MaxRecvDataSegmentLength=65536%c", who, 0, target, 0, 0, 0, 0, 0, 0);
	header(h, OP_LOGIN | OP_IMMEDIATE, 0x80 | 0x03, 0);	/* T, CSG 0, NSG 3 */
	h[8] = 0x40;				/* ISID: random qualifier type */
	h[13] = isid;
	if (send_pdu(fd, h, keys, n) || recv_pdu(fd, rsp, (uint8_t *)text, cap - 1))
		return -1;
	if (rsp[0] != OP_LOGIN_RSP)
		return -1;
	text[dsl_of(rsp) < cap - 1 ? dsl_of(rsp) : cap - 1] = '\0';
	exp_stat_sn = get32(rsp + 24) + 1;
	exp_cmd_sn = get32(rsp + 28);
	max_cmd_sn = get32(rsp + 32);
	cmd_sn = exp_cmd_sn;
	return rsp[36] << 8 | rsp[37];	/* status class and detail */
}

static int login(int fd, uint8_t *rsp, char *text, uint32_t cap)
{
	return login_as(fd, "pdu-reject", getpid() & 0xff, rsp, text, cap) ? -1 : 0;
}

/* The target's declared MaxRecvDataSegmentLength from the login text. */
static uint32_t target_mrdsl(const char *text, uint32_t len)
{
	const char *key = "MaxRecvDataSegmentLength=";
	uint32_t i;

	for (i = 0; i < len; i += strlen(text + i) + 1)
		if (!strncmp(text + i, key, strlen(key)))
			return strtoul(text + i + strlen(key), NULL, 10);
	return 8192;
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
	uint8_t h[BHS], rsp[BHS];
	char text[8192];
	int fd = connect_target(), alive;

	if (fd < 0 || login(fd, rsp, text, sizeof(text))) {
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
	uint8_t rsp[BHS];
	char text[8192];
	int fd = connect_target(), one = 1, ok;

	check(fd >= 0 && !login(fd, rsp, text, sizeof(text)), "logged in");
	ok = !setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &one, sizeof(one));
	check(ok, "the connection is dropped silently (TCP_REPAIR%s%s)", ok ? "" : ": ",
	      ok ? "" : strerror(errno));
	close(fd);
	return tap_failed;
}

/* With room for one session or connection: the second login is refused. */
static int run_limit(int sessions)
{
	uint8_t rsp[BHS];
	char text[8192];
	int fd1 = connect_target(), fd2 = connect_target(), fd3, status;

	status = fd1 < 0 ? -1 : login_as(fd1, "first", 1, rsp, text, sizeof(text));
	check(!status, "the first login succeeds (status 0x%04x)", status);
	status = fd2 < 0 ? -1 : login_as(fd2, "second", 2, rsp, text, sizeof(text));
	check(status == 0x0206, "a second login is refused: status 0x%04x, want 0x0206", status);
	check(recv_one(fd2, rsp, NULL, 0) == -ECONNRESET, "and its connection is closed");
	close(fd2);
	check(!ping(fd1), "the first session still works");
	if (!sessions) {
		close(fd1);
			return tap_failed;
	}
	fd3 = connect_target();
	status = fd3 < 0 ? -1 : login_as(fd3, "first", 1, rsp, text, sizeof(text));
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
	uint8_t h[BHS], rsp[BHS];
	char text[8192];
	uint32_t mrdsl;
	int fd;

	before_login("a SCSI command", OP_SCSI_CMD, 0);
	before_login("a Login request of 9000 bytes", OP_LOGIN | OP_IMMEDIATE, 9000);

	fd = connect_target();
	if (fd < 0 || login(fd, rsp, text, sizeof(text))) {
		printf("Bail out! login to %s at %s:%d failed\n", target, addr, port);
		return 1;
	}
	mrdsl = target_mrdsl(text, dsl_of(rsp));
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

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (argc < 5 || (!strcmp(mode, "reject") && argc != 6)) {
		fprintf(stderr, "usage: %s reject|idle|vanish|session-limit|connection-limit "
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
	return run_limit(!strcmp(mode, "session-limit"));
}
