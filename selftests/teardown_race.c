// SPDX-License-Identifier: GPL-2.0
/*
 * Initiators that keep the target's teardown paths busy while the
 * administrator (the calling script) changes the configuration under them.
 * A stock kernel shows little of what goes wrong here; a debug kernel
 * (lockdep, KASAN, sleep-in-atomic and RCU checks) reports it. Prints TAP
 * lines numbered from $TAP_BASE + 1 (the script prints the plan).
 *
 *   teardown_race hold ADDR PORT TARGET N
 *	Log N sessions in and open N more connections that never log in,
 *	print "READY", then wait (up to 60 s) until the target has closed
 *	every one of them (the script deletes the portal with force).
 *   teardown_race tmf-storm ADDR PORT TARGET SECONDS
 *	For SECONDS: LOGICAL UNIT RESETs of LUNs 0-7 and TARGET WARM
 *	RESETs, one after the other, on a session; when the target ends the
 *	session (the script deletes LUNs with force), log in again. A LUN
 *	RESET of a LUN deleted just then is answered "LUN does not exist".
 *   teardown_race reinstate ADDR PORT TARGET SECONDS
 *	For SECONDS, four processes log in with one initiator name and ISID
 *	over and over, each login reinstating the session of the one before
 *	(on a target that sends NOP-In pings, so every login arms one).
 *   teardown_race spray ADDR PORT TARGET SECONDS
 *	For SECONDS, connections that send the start of a login at once and
 *	close, as fast as they can, while the script deletes and adds the
 *	portal: data reaches connections TCP made from the listener before
 *	the target took them over, or after their portal was gone.
 *   teardown_race slam ADDR PORT TARGET SECONDS
 *	For SECONDS, four processes open connections that send a PDU no
 *	login may start with and close at once, as fast as they can, on a
 *	portal that stays: the target ends each one from its first io_work,
 *	which may run while the accept that made it is still finishing.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "iscsi_client.h"
#include "tap_check.h"

#define INITIATOR	"iqn.2024-01.org.bootsan.test:teardown-race"
#define OP_TMF_RSP	0x22
#define TMF_LUN_RESET	5
#define TMF_TARGET_WARM_RESET	6
#define REINSTATERS	4

static const char *addr, *target;
static int port;
static uint32_t cmd_sn, exp_stat_sn, itt = 1;

/*
 * A new connection logged in with ISID qualifier @isid: the fd, or -1
 * (*@status: the login status when the target refused, else 0).
 */
static int login(uint8_t isid, int *status)
{
	struct iscsi_login l = { .initiator = INITIATOR, .target = target };
	int fd = tcp_connect(addr, port, 10), ret;

	*status = 0;
	if (fd < 0)
		return -1;
	l.isid[0] = 0x40;
	l.isid[5] = isid;
	ret = iscsi_login(fd, &l);
	if (ret) {
		if (ret > 0)
			*status = ret;
		close(fd);
		return -1;
	}
	exp_stat_sn = l.exp_stat_sn;
	cmd_sn = l.exp_cmd_sn;
	return fd;
}

/* Receive one PDU other than a NOP-In ping, and follow the numbers. */
static int recv_pdu(int fd, uint8_t *h)
{
	int ret;

	do {
		ret = read_pdu(fd, h, NULL, 0);
	} while (!ret && h[0] == OP_NOP_IN && get32(h + 16) == TAG_NONE);
	if (ret)
		return ret;
	if ((h[0] & 0x3f) != OP_REJECT)
		exp_stat_sn = get32(h + 24) + 1;
	cmd_sn = get32(h + 28);
	return 0;
}

static int logout(int fd)
{
	uint8_t h[BHS] = { OP_LOGOUT | OP_IMMEDIATE, 0x80 };

	put32(h + 16, itt++);
	put32(h + 24, cmd_sn);
	put32(h + 28, exp_stat_sn);
	if (send_pdu(fd, h, NULL, 0) || recv_pdu(fd, h))
		return -1;
	return h[0] == OP_LOGOUT_RSP && h[2] == 0 ? 0 : -1;
}

static int run_hold(int n)
{
	struct pollfd *fds = calloc(2 * n, sizeof(*fds));
	int i, status, open_fds = 0, closed = 0;
	uint8_t byte;
	double end;

	if (!fds)
		return 1;
	for (i = 0; i < 2 * n; i++) {
		fds[i].fd = i < n ? login(i, &status) : tcp_connect(addr, port, 10);
		fds[i].events = POLLIN;
		if (fds[i].fd >= 0)
			open_fds++;
	}
	check(open_fds == 2 * n, "%d sessions and %d connections before login are open", n, n);
	printf("READY\n");
	fflush(stdout);
	end = now_s() + 60;
	while (closed < open_fds && now_s() < end) {
		if (poll(fds, 2 * n, 1000) <= 0)
			continue;
		for (i = 0; i < 2 * n; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			/* A ping is read and dropped; an end of stream counts. */
			if (fds[i].revents & ~POLLIN || recv(fds[i].fd, &byte, 1, 0) <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				closed++;
			}
		}
	}
	check(closed == open_fds, "the target closed all %d of them (%d)", open_fds, closed);
	free(fds);
	return tap_failed;
}

#define TMF_RSP_NO_LUN	2

/*
 * A TMF request of @func on LUN @lun: its response code (0 "Function
 * complete"), or -errno when the connection ended.
 */
static int tmf(int fd, uint8_t func, uint8_t lun)
{
	uint8_t h[BHS] = { OP_TMF | OP_IMMEDIATE, 0x80 | func };

	h[9] = lun;
	put32(h + 16, itt++);
	put32(h + 20, TAG_NONE);
	put32(h + 24, cmd_sn);
	put32(h + 28, exp_stat_sn);
	put32(h + 32, cmd_sn);
	if (send_pdu(fd, h, NULL, 0))
		return -errno;
	return recv_pdu(fd, h) ?: (h[0] == OP_TMF_RSP ? h[2] : 255);
}

static int run_tmf_storm(int seconds)
{
	double end = now_s() + seconds;
	int fd = -1, status, answered = 0, wrong = 0, ended = 0, refused = 0, i = 0, gone = 0;

	while (now_s() < end) {
		int ret, func;

		if (fd < 0) {
			fd = login(getpid() & 0xff, &status);
			if (fd < 0) {
				/* The target may be between a LUN delete and its sessions' end. */
				refused += status != 0;
				usleep(50000);
				continue;
			}
		}
		func = i % 9 == 8 ? TMF_TARGET_WARM_RESET : TMF_LUN_RESET;
		ret = tmf(fd, func, i % 8);
		i++;
		if (ret < 0) {
			close(fd);
			fd = -1;
			ended++;
		} else if (ret == TMF_RSP_NO_LUN && func == TMF_LUN_RESET) {
			gone++;		/* between its delete and its add */
		} else if (ret) {
			wrong++;
		} else {
			answered++;
		}
	}
	printf("# %d TMFs answered, %d of a LUN deleted just then, %d sessions ended by the target, %d logins refused\n",
	       answered, gone, ended, refused);
	check(answered > 0 && !wrong,
	      "every TMF is answered \"function complete\", or \"LUN does not exist\" for a deleted LUN (%d wrong)",
	      wrong);
	/*
	 * The script's last round of LUN deletes can outlast the storm (a
	 * round takes seconds under the debug kernel) and end the session
	 * just then: log in again, as an initiator would, until one logs out.
	 */
	for (i = 0; i < 20; i++) {
		if (fd < 0)
			fd = login(getpid() & 0xff, &status);
		if (fd >= 0 && !logout(fd))
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
		sleep(1);
	}
	check(i < 20, "the last session logs out (%d sessions ended before it could)", i);
	return tap_failed;
}

/* One of the reinstating processes: how many of its logins were refused. */
static int reinstater(double end, int *logins)
{
	int fd = -1, next, status, refused = 0;

	*logins = 0;
	while (now_s() < end) {
		next = login(1, &status);
		if (next >= 0)
			(*logins)++;
		else
			refused += status != 0;
		/* The older connection goes after the new login took its place. */
		if (fd >= 0)
			close(fd);
		fd = next;
	}
	if (fd >= 0)
		close(fd);
	return refused;
}

static int run_reinstate(int seconds)
{
	double end = now_s() + seconds;
	int pipes[2], i, refused = 0, total = 0, status, fd;
	pid_t pid;

	if (pipe(pipes))
		return 1;
	for (i = 0; i < REINSTATERS; i++) {
		pid = fork();
		if (pid < 0)
			return 1;
		if (!pid) {
			int r[2];

			r[1] = reinstater(end, &r[0]);
			if (write(pipes[1], r, sizeof(r)) != sizeof(r))
				_exit(1);
			_exit(0);
		}
	}
	close(pipes[1]);
	for (i = 0; i < REINSTATERS; i++) {
		int r[2];

		if (read(pipes[0], r, sizeof(r)) == sizeof(r)) {
			total += r[0];
			refused += r[1];
		}
		wait(NULL);
	}
	printf("# %d logins, %d refused\n", total, refused);
	check(total > 0 && !refused, "logins reinstating each other are never refused");
	fd = login(1, &status);
	check(fd >= 0 && !logout(fd), "a last login reinstates and logs out");
	return tap_failed;
}

static int run_spray(int seconds)
{
	static const uint8_t login_start[48] = { 0x43, 0x87 };
	double end = now_s() + seconds;
	int sent = 0;

	while (now_s() < end) {
		int fd = tcp_connect(addr, port, 1);

		if (fd < 0) {
			usleep(1000);	/* the portal is gone just now */
			continue;
		}
		if (send(fd, login_start, sizeof(login_start), MSG_NOSIGNAL) > 0)
			sent++;
		close(fd);
	}
	printf("# %d connections sent the start of a login\n", sent);
	check(sent > 0, "connections sprayed at a portal that comes and goes");
	return tap_failed;
}

#define SLAMMERS 4

/* Connections that send a PDU no login starts with, and close at once. */
static int slammer(double end)
{
	static const uint8_t scsi_cmd[48] = { 0x01, 0x80 };
	int sent = 0;

	while (now_s() < end) {
		int fd = tcp_connect(addr, port, 1);

		if (fd < 0)
			continue;
		if (send(fd, scsi_cmd, sizeof(scsi_cmd), MSG_NOSIGNAL) > 0)
			sent++;
		close(fd);
	}
	return sent;
}

static int run_slam(int seconds)
{
	double end = now_s() + seconds;
	int pipes[2], i, sent = 0;
	pid_t pid;

	if (pipe(pipes))
		return 1;
	for (i = 0; i < SLAMMERS; i++) {
		pid = fork();
		if (pid < 0)
			return 1;
		if (!pid) {
			int n = slammer(end);

			_exit(write(pipes[1], &n, sizeof(n)) != sizeof(n));
		}
	}
	close(pipes[1]);
	for (i = 0; i < SLAMMERS; i++) {
		int n;

		if (read(pipes[0], &n, sizeof(n)) == sizeof(n))
			sent += n;
		wait(NULL);
	}
	printf("# %d connections sent a SCSI command first and closed\n", sent);
	check(sent > 0, "connections ended by their first PDU, as fast as they come");
	return tap_failed;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int n;

	if (argc != 6) {
		fprintf(stderr, "usage: %s hold|tmf-storm|reinstate|spray|slam ADDR PORT TARGET N|SECONDS\n",
			argv[0]);
		return 2;
	}
	addr = argv[2];
	port = atoi(argv[3]);
	target = argv[4];
	n = atoi(argv[5]);
	tap_n = atoi(getenv("TAP_BASE") ?: "0");
	if (!strcmp(mode, "hold"))
		return run_hold(n);
	if (!strcmp(mode, "tmf-storm"))
		return run_tmf_storm(n);
	if (!strcmp(mode, "reinstate"))
		return run_reinstate(n);
	if (!strcmp(mode, "spray"))
		return run_spray(n);
	if (!strcmp(mode, "slam"))
		return run_slam(n);
	fprintf(stderr, "%s: unknown mode '%s'\n", argv[0], mode);
	return 2;
}
