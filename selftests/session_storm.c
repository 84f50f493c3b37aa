// SPDX-License-Identifier: GPL-2.0
/*
 * session_storm: many idle iSCSI sessions at once, to measure what a target
 * spends per idle session (scripts/bench/sessions).
 *
 *   session_storm ADDR PORT TARGET_IQN N [INITIATOR_IQN]
 *
 * Opens N TCP connections one after the other and logs each into its own
 * normal session: one initiator name, a distinct ISID per session, no
 * authentication, the usual operational keys. Prints "# K up after S s"
 * every 100 sessions and "UP N SECONDS" when all are in (SECONDS: how long
 * the logins took). The sessions then stay idle, answering the target's
 * NOP-In pings, until stdin ends or SIGTERM/SIGINT comes; then every
 * session logs out and "DOWN K" says how many Logout Responses came back.
 * So keep stdin open (a pipe or a fifo) as long as the sessions should live.
 *
 * Exit status 1 when a login fails or a session is lost while idle (the
 * message says which session and why), 2 for bad usage.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "iscsi_client.h"

#define MAX_SESSIONS		1000000
#define LOGIN_TIMEOUT_S		30
#define LOGOUT_TIMEOUT_MS	30000

struct storm_session {
	int fd;				/* -1 once closed */
	uint32_t cmd_sn;
	uint32_t exp_stat_sn;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One descriptor per session, and a few for stdio. */
static int raise_nofile(unsigned long n)
{
	struct rlimit rl;
	rlim_t want = n + 16;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	if (rl.rlim_cur >= want)
		return 0;
	if (rl.rlim_max < want)
		rl.rlim_max = want;	/* root may raise the hard limit too */
	rl.rlim_cur = want;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/* The login's ISID: random qualifier type, our pid, then the session's number. */
static void make_isid(uint8_t *isid, unsigned int i)
{
	pid_t pid = getpid();

	isid[0] = 0x40;
	isid[1] = pid >> 8;
	isid[2] = pid;
	isid[3] = i >> 16;
	isid[4] = i >> 8;
	isid[5] = i;
}

static void header(uint8_t *h, const struct storm_session *s, uint8_t op, uint32_t itt)
{
	memset(h, 0, BHS);
	h[0] = op | OP_IMMEDIATE;
	h[1] = 0x80;
	put32(h + 16, itt);
	put32(h + 24, s->cmd_sn);
	put32(h + 28, s->exp_stat_sn);
}

/*
 * Take one PDU from an idle session: answer a NOP-In that asks for an
 * answer (LIO drops a connection that leaves its pings unanswered), note
 * anything else. 0, or -errno when the connection broke.
 */
static int idle_pdu(struct storm_session *s, int i)
{
	uint8_t h[BHS], out[BHS];
	int ret = read_pdu(s->fd, h, NULL, 0);

	if (ret)
		return ret;
	switch (h[0] & 0x3f) {
	case OP_NOP_IN:
		/* An unsolicited NOP-In carries the next StatSN, not advanced. */
		s->exp_stat_sn = get32(h + 24);
		if (get32(h + 20) == TAG_NONE)
			return 0;
		header(out, s, OP_NOP_OUT, TAG_NONE);
		memcpy(out + 8, h + 8, 8);		/* LUN */
		memcpy(out + 20, h + 20, 4);		/* the ping's TTT */
		return send_pdu(s->fd, out, NULL, 0) ? -errno : 0;
	case OP_ASYNC:
		s->exp_stat_sn = get32(h + 24) + 1;
		printf("# session %d: asynchronous message, event %u\n", i, h[36]);
		return 0;
	default:
		printf("# session %d: unexpected opcode 0x%02x while idle\n", i, h[0] & 0x3f);
		return 0;
	}
}

/* Log every open session out; the number of Logout Responses that came. */
static int logout_all(struct storm_session *s, int n, struct pollfd *pfd)
{
	double deadline = now_s() + LOGOUT_TIMEOUT_MS / 1000.0;
	int i, open = 0, answered = 0;
	uint8_t h[BHS];

	for (i = 0; i < n; i++) {
		if (s[i].fd < 0)
			continue;
		header(h, &s[i], OP_LOGOUT, 1);		/* reason 0: close the session */
		if (send_pdu(s[i].fd, h, NULL, 0)) {
			close(s[i].fd);
			s[i].fd = -1;
			continue;
		}
		open++;
	}
	while (open && now_s() < deadline) {
		for (i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ .fd = s[i].fd, .events = POLLIN };
		if (poll(pfd, n, 1000) < 0 && errno != EINTR)
			break;
		for (i = 0; i < n; i++) {
			if (s[i].fd < 0 || !pfd[i].revents)
				continue;
			if (!read_pdu(s[i].fd, h, NULL, 0) && (h[0] & 0x3f) != OP_LOGOUT_RSP)
				continue;
			if ((h[0] & 0x3f) == OP_LOGOUT_RSP && h[2] == 0)
				answered++;
			close(s[i].fd);
			s[i].fd = -1;
			open--;
		}
	}
	for (i = 0; i < n; i++)
		if (s[i].fd >= 0)
			close(s[i].fd);
	return answered;
}

static void usage(const char *argv0)
{
	fprintf(stderr, "usage: %s ADDR PORT TARGET_IQN N [INITIATOR_IQN]\n"
		"  N idle sessions until stdin ends or SIGTERM; see session_storm.c\n", argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *addr, *target, *initiator = "iqn.2024-01.org.bootsan.bench:session-storm";
	struct sigaction sa = { .sa_handler = on_signal };
	struct storm_session *s;
	int port, n, up = 0, i, lost = 0, stdin_open = 1, down;
	struct pollfd *pfd;
	double t0;
	char *end;

	if (argc != 5 && argc != 6)
		usage(argv[0]);
	addr = argv[1];
	port = strtol(argv[2], &end, 10);
	if (*end || port <= 0 || port > 65535)
		usage(argv[0]);
	target = argv[3];
	n = strtol(argv[4], &end, 10);
	if (*end || n <= 0 || n > MAX_SESSIONS)
		usage(argv[0]);
	if (argc == 6)
		initiator = argv[5];

	if (raise_nofile(n)) {
		fprintf(stderr, "session_storm: cannot raise RLIMIT_NOFILE to %d: %s\n", n + 16,
			strerror(errno));
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);	/* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	s = calloc(n, sizeof(*s));
	pfd = calloc(n + 1, sizeof(*pfd));
	if (!s || !pfd) {
		fprintf(stderr, "session_storm: out of memory for %d sessions\n", n);
		return 1;
	}
	for (i = 0; i < n; i++)
		s[i].fd = -1;

	t0 = now_s();
	for (i = 0; i < n && !stop_signal; i++) {
		struct iscsi_login l = { .initiator = initiator, .target = target };
		int ret;

		s[i].fd = tcp_connect(addr, port, LOGIN_TIMEOUT_S);
		if (s[i].fd < 0) {
			fprintf(stderr, "session_storm: session %d of %d: connect to %s:%d: %s\n",
				i + 1, n, addr, port, strerror(errno));
			break;
		}
		make_isid(l.isid, i);
		ret = iscsi_login(s[i].fd, &l);
		if (ret > 0) {
			fprintf(stderr, "session_storm: session %d of %d: login to %s refused: "
				"status class 0x%02x detail 0x%02x (%s)\n", i + 1, n, target,
				ret >> 8, ret & 0xff, iscsi_login_status_class(ret));
			break;
		}
		if (ret < 0) {
			fprintf(stderr, "session_storm: session %d of %d: login to %s failed: %s\n",
				i + 1, n, target, ret == -EAGAIN ? "no answer in time" :
				strerror(-ret));
			break;
		}
		s[i].cmd_sn = l.exp_cmd_sn;
		s[i].exp_stat_sn = l.exp_stat_sn;
		up++;
		if (up % 100 == 0 && up < n) {
			printf("# %d up after %.1f s\n", up, now_s() - t0);
			fflush(stdout);
		}
	}
	if (up < n) {
		if (stop_signal)
			fprintf(stderr, "session_storm: stopped by signal %d after %d of %d logins\n",
				(int)stop_signal, up, n);
		/* The failed connection goes too; the ones up log out. */
		if (i < n && s[i].fd >= 0) {
			close(s[i].fd);
			s[i].fd = -1;
		}
		printf("DOWN %d\n", logout_all(s, n, pfd));
		return 1;
	}
	printf("UP %d %.1f\n", n, now_s() - t0);
	fflush(stdout);

	while (!stop_signal && !lost) {
		pfd[n] = (struct pollfd){ .fd = stdin_open ? 0 : -1, .events = POLLIN };
		for (i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ .fd = s[i].fd, .events = POLLIN };
		if (poll(pfd, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("session_storm: poll");
			break;
		}
		if (pfd[n].revents) {
			char buf[256];
			ssize_t r = read(0, buf, sizeof(buf));

			if (r == 0)
				break;		/* EOF: time to go */
			if (r < 0)
				stdin_open = 0;
		}
		for (i = 0; i < n; i++) {
			int ret;

			if (!pfd[i].revents)
				continue;
			ret = idle_pdu(&s[i], i + 1);
			if (ret) {
				fprintf(stderr, "session_storm: session %d of %d lost while idle: %s\n",
					i + 1, n, strerror(-ret));
				close(s[i].fd);
				s[i].fd = -1;
				lost++;
			}
		}
	}
	down = logout_all(s, n, pfd);
	printf("DOWN %d\n", down);
	if (down < n - lost)
		printf("# %d session(s) closed without a Logout Response\n", n - lost - down);
	free(s);
	free(pfd);
	return lost ? 1 : 0;
}
