// SPDX-License-Identifier: GPL-2.0
/*
 * Connections that never finish a login, against any iSCSI target (bootsan
 * or LIO) over real TCP, printing TAP lines numbered from $TAP_BASE + 1.
 *
 *   login_flood flood ADDR PORT TARGET KIND N SOURCES [LOGIN_SOURCE]
 *	Open N connections that KIND, from the local addresses SOURCES
 *	(comma-separated, used in turn). KIND: silent (connect, send
 *	nothing), half (half a login header), partial (a first Login Request
 *	that stays in the security stage, then nothing more). While they are
 *	held, a real login from LOGIN_SOURCE (default: the kernel's choice)
 *	must reach the full feature phase and answer a NOP-Out. With
 *	$FLOOD_MAX_HELD set, the target must have closed all of the flood but
 *	that many (its bound on connections that have not logged in).
 *   login_flood hold ADDR PORT KIND N SOURCES SECONDS
 *	Open the same connections, print "held N" and keep them SECONDS: for
 *	a real initiator (open-iscsi) to log in meanwhile.
 *   login_flood deadline ADDR PORT TARGET KIND SECONDS
 *	A connection that KIND is closed by the target after its login
 *	deadline of SECONDS (not before, and not much later), while a session
 *	logged in at the same time is left alone.
 *
 * Exit status 0 when every check passed, 1 otherwise, 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "iscsi_client.h"
#include "tap_check.h"

#define MAX_FLOOD	4096
/* How long the whole flood may take to connect (a target may stop accepting). */
#define CONNECT_SECONDS	10

static const char *addr, *target;
static int port;

enum kind { SILENT, HALF, PARTIAL };

static int parse_kind(const char *s)
{
	if (!strcmp(s, "silent"))
		return SILENT;
	if (!strcmp(s, "half"))
		return HALF;
	if (!strcmp(s, "partial"))
		return PARTIAL;
	return -1;
}

/*
 * The first Login Request of an initiator that means to authenticate: the
 * security stage, no transit, so the target answers and waits for more.
 */
static int send_first_login(int fd, unsigned int n)
{
	char keys[512];
	uint8_t h[BHS] = { OP_LOGIN | OP_IMMEDIATE, 0x00 };
	int len;

	len = snprintf(keys, sizeof(keys),
		       "InitiatorName=iqn.2024-01.org.bootsan.test:flood-%u%cTargetName=%s%c"
		       "SessionType=Normal%cAuthMethod=CHAP,None%c", n, 0, target, 0, 0, 0);
	h[8] = 0x40;
	h[12] = n >> 8;
	h[13] = n;
	return send_pdu(fd, h, keys, len);
}

/* The first 24 bytes of a Login Request header, and never the rest. */
static int send_half_header(int fd)
{
	uint8_t h[BHS / 2] = { OP_LOGIN | OP_IMMEDIATE, 0x87 };

	return write_all(fd, h, sizeof(h));
}

/*
 * Open @n connections from @sources without blocking on any one of them
 * (a target that stops accepting leaves them in SYN_SENT): the ones
 * connected within CONNECT_SECONDS are kept in @fds, the others closed.
 * Returns how many connected.
 */
static int open_flood(int *fds, int n, char *sources, int kind)
{
	char *src[256], *save = NULL, *s;
	struct pollfd *p = calloc(n, sizeof(*p));
	int nsrc = 0, i, pending = 0, connected = 0;
	double end = now_s() + CONNECT_SECONDS;

	for (s = strtok_r(sources, ",", &save); s && nsrc < 256; s = strtok_r(NULL, ",", &save))
		src[nsrc++] = s;
	if (!p || !nsrc)
		return 0;
	for (i = 0; i < n; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
		struct sockaddr_in local = { .sin_family = AF_INET };

		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		p[i].fd = fds[i];
		p[i].events = POLLOUT;
		if (fds[i] < 0)
			continue;
		inet_pton(AF_INET, addr, &sa.sin_addr);
		inet_pton(AF_INET, src[i % nsrc], &local.sin_addr);
		if (bind(fds[i], (struct sockaddr *)&local, sizeof(local)) ||
		    (connect(fds[i], (struct sockaddr *)&sa, sizeof(sa)) && errno != EINPROGRESS)) {
			close(fds[i]);
			fds[i] = p[i].fd = -1;
			continue;
		}
		pending++;
	}
	while (pending && now_s() < end) {
		if (poll(p, n, 200) < 0)
			break;
		for (i = 0; i < n; i++) {
			int err = 0;
			socklen_t len = sizeof(err);

			if (p[i].fd < 0 || !p[i].revents)
				continue;
			getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err, &len);
			pending--;
			p[i].fd = -1;
			if (err) {
				close(fds[i]);
				fds[i] = -1;
				continue;
			}
			connected++;
		}
	}
	for (i = 0; i < n; i++) {
		if (p[i].fd >= 0) {	/* never connected */
			close(fds[i]);
			fds[i] = -1;
		}
		if (fds[i] < 0)
			continue;
		fcntl(fds[i], F_SETFL, 0);
		if ((kind == HALF && send_half_header(fds[i])) ||
		    (kind == PARTIAL && send_first_login(fds[i], i)))
			fprintf(stderr, "flood connection %d: send: %s\n", i, strerror(errno));
	}
	free(p);
	return connected;
}

/* How many of the flood's connections the target has closed. */
static int closed_by_target(const int *fds, int n)
{
	struct pollfd p;
	int i, closed = 0;

	for (i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		p.fd = fds[i];
		p.events = POLLRDHUP;
		if (poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
			closed++;
	}
	return closed;
}

static void close_all(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* A NOP-Out ping (immediate); the target's own NOP-In pings are skipped. */
static int ping(int fd, const struct iscsi_login *l)
{
	uint8_t h[BHS] = { OP_NOP_OUT | OP_IMMEDIATE, 0x80 };
	int ret;

	put32(h + 16, 0x1234);
	put32(h + 20, TAG_NONE);
	put32(h + 24, l->exp_cmd_sn);
	put32(h + 28, l->exp_stat_sn);
	if (send_pdu(fd, h, NULL, 0))
		return -errno;
	do {
		ret = read_pdu(fd, h, NULL, 0);
	} while (!ret && h[0] == OP_NOP_IN && get32(h + 16) == TAG_NONE);
	if (ret)
		return ret;
	return h[0] == OP_NOP_IN && get32(h + 16) == 0x1234 ? 0 : -EPROTO;
}

/* A real initiator's login from @src: 0 in the full feature phase and answering. */
static int real_login(const char *src, const char *who, int *fd_out, struct iscsi_login *l)
{
	int fd = tcp_connect_from(src, addr, port, 10), ret;

	if (fd < 0)
		return -errno;
	memset(l, 0, sizeof(*l));
	l->initiator = who;
	l->target = target;
	l->isid[0] = 0x40;
	l->isid[5] = getpid() & 0xff;
	ret = iscsi_login(fd, l);
	if (!ret)
		ret = ping(fd, l);
	if (ret || !fd_out)
		close(fd);
	else
		*fd_out = fd;
	return ret;
}

static const char *describe(int ret)
{
	static char buf[64];

	if (ret > 0)
		snprintf(buf, sizeof(buf), "refused, status 0x%04x", ret);
	else
		snprintf(buf, sizeof(buf), "%s", ret ? strerror(-ret) : "logged in");
	return buf;
}

static int count_sources(const char *sources)
{
	int n = 0;
	const char *s;

	for (s = sources; *s; s++)
		if (*s != ',' && (s == sources || s[-1] == ','))
			n++;
	return n;
}

static int run_flood(int kind, const char *kind_name, int n, char *sources,
		     const char *login_src)
{
	const char *max_held = getenv("FLOOD_MAX_HELD");
	int *fds = calloc(n, sizeof(*fds)), connected, closed, ret, i;
	char who_sources[256];
	struct iscsi_login l;
	double t;

	/* For the messages: the address, or how many take turns. */
	if (strchr(sources, ','))
		snprintf(who_sources, sizeof(who_sources), "%d addresses",
			 count_sources(sources));
	else
		snprintf(who_sources, sizeof(who_sources), "%s", sources);
	connected = open_flood(fds, n, sources, kind);
	printf("# %d of %d %s connections from %s connected\n", connected, n, kind_name,
	       who_sources);
	t = now_s();
	ret = real_login(login_src, "iqn.2024-01.org.bootsan.test:real", NULL, &l);
	printf("# the real login took %.2f s: %s\n", now_s() - t, describe(ret));
	closed = closed_by_target(fds, n);
	/*
	 * Connections the client sees as connected may still wait in the
	 * listen backlog: the target closes others when it accepts them.
	 */
	for (i = 0; max_held && connected - closed > atoi(max_held) && i < 50; i++) {
		usleep(200000);
		closed = closed_by_target(fds, n);
	}
	printf("# %d of the %d held connections were closed by the target\n", closed, connected);
	check(ret == 0, "with %d %s connections from %s held, a login from %s gets in",
	      n, kind_name, who_sources, login_src ?: "the default address");
	if (max_held)
		check(connected - closed <= atoi(max_held),
		      "the target keeps at most %s of them (%d)", max_held, connected - closed);
	close_all(fds, n);
	free(fds);
	return tap_failed;
}

static int run_hold(int kind, int n, char *sources, int seconds)
{
	int *fds = calloc(n, sizeof(*fds)), connected;

	connected = open_flood(fds, n, sources, kind);
	printf("held %d\n", connected);
	fflush(stdout);
	sleep(seconds);
	close_all(fds, n);
	free(fds);
	return 0;
}

/* Seconds until the target closes @fd, or -1 after @limit seconds. */
static double wait_closed(int fd, double start, double limit)
{
	struct pollfd p = { .fd = fd, .events = POLLRDHUP };
	char sink[4096];

	while (now_s() - start < limit) {
		if (poll(&p, 1, 100) > 0) {
			if (p.revents & (POLLRDHUP | POLLHUP | POLLERR))
				return now_s() - start;
			if (read(fd, sink, sizeof(sink)) <= 0)	/* a login response */
				return now_s() - start;
		}
	}
	return -1;
}

static int run_deadline(int kind, const char *kind_name, int seconds)
{
	struct iscsi_login l;
	int fd, session = -1, ret;
	double start, closed;

	fd = tcp_connect(addr, port, 5);
	if (fd < 0) {
		check(0, "connect: %s", strerror(errno));
		return 1;
	}
	start = now_s();
	if ((kind == HALF && send_half_header(fd)) || (kind == PARTIAL && send_first_login(fd, 1)))
		check(0, "send: %s", strerror(errno));
	ret = real_login(NULL, "iqn.2024-01.org.bootsan.test:logged-in", &session, &l);
	check(ret == 0, "a login next to it gets in (%s)", describe(ret));
	closed = wait_closed(fd, start, seconds + 15);
	printf("# the %s connection was closed after %.1f s\n", kind_name, closed);
	check(closed >= seconds - 1 && closed <= seconds + 6,
	      "a %s connection is closed by its %d s login deadline, not before", kind_name, seconds);
	close(fd);
	if (session >= 0) {
		ret = ping(session, &l);
		check(ret == 0, "the session logged in meanwhile still answers a ping (%s)",
		      describe(ret));
		close(session);
	}
	return tap_failed;
}

static void usage(const char *me)
{
	fprintf(stderr, "usage: %s flood ADDR PORT TARGET silent|half|partial N SOURCES [LOGIN_SOURCE]\n"
		"       %s hold ADDR PORT silent|half|partial N SOURCES SECONDS\n"
		"       %s deadline ADDR PORT TARGET silent|half|partial SECONDS\n", me, me, me);
	exit(2);
}

int main(int argc, char **argv)
{
	struct rlimit rl = { MAX_FLOOD + 64, MAX_FLOOD + 64 };
	const char *mode = argc > 1 ? argv[1] : "";
	int kind, n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	setrlimit(RLIMIT_NOFILE, &rl);
	tap_n = atoi(getenv("TAP_BASE") ?: "0");
	if (argc < 4)
		usage(argv[0]);
	addr = argv[2];
	port = atoi(argv[3]);
	if (!strcmp(mode, "hold") && argc == 8) {
		kind = parse_kind(argv[4]);
		n = atoi(argv[5]);
		if (kind < 0 || n <= 0 || n > MAX_FLOOD)
			usage(argv[0]);
		target = "iqn.2024-01.org.bootsan.test:none";
		return run_hold(kind, n, argv[6], atoi(argv[7]));
	}
	if (argc < 7)
		usage(argv[0]);
	target = argv[4];
	kind = parse_kind(argv[5]);
	if (kind < 0)
		usage(argv[0]);
	if (!strcmp(mode, "flood") && (argc == 8 || argc == 9)) {
		n = atoi(argv[6]);
		if (n <= 0 || n > MAX_FLOOD)
			usage(argv[0]);
		return run_flood(kind, argv[5], n, argv[7], argc == 9 ? argv[8] : NULL);
	}
	if (!strcmp(mode, "deadline") && argc == 7)
		return run_deadline(kind, argv[5], atoi(argv[6]));
	usage(argv[0]);
	return 2;
}
