// SPDX-License-Identifier: GPL-2.0
/*
 * slow_readers: many sessions that ask for data and never read it, while a
 * fresh initiator must still be served. Prints TAP lines numbered from
 * $TAP_BASE + 1 (the calling script prints the plan).
 *
 *   slow_readers ADDR PORT TARGET_IQN INITIATOR_IQN SESSIONS
 *
 * Opens SESSIONS connections with a tiny receive buffer (so the target's
 * send buffer fills and stays full), logs each into its own session (one
 * initiator name, distinct ISIDs) and queues 32 READ(10)s of 128 KiB on
 * it (as many as the CmdSN window allows), then never reads again. The
 * target (LUN 0 of at least 16 MiB, queue depth of at least 32) must
 * still let a new connection log in and answer its READ CAPACITY(10)
 * within 3 s (SLOW_READERS_PROBE_LIMIT=S sets another bound: a debug
 * kernel under TCG, sharing two cores with another VM, is an order of
 * magnitude slower at everything; a target that is locked out never
 * answers, so a bound of a few seconds still tells the two apart). With SLOW_READERS_HOLD=S in the environment the stuck
 * connections then stay open S seconds more ("# holding" says when: the
 * calling script checks that the target drops them by itself). Then every
 * stuck connection is closed; the calling script checks that the sessions
 * went away and the module unloads.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "iscsi_client.h"
#include "tap_check.h"

#define READS_PER_SESSION	32
#define READ_BLOCKS		256		/* 128 KiB of 512-byte blocks */
#define IMAGE_BLOCKS		(16u << 11)	/* the LUN's first 16 MiB */
#define STUCK_RCVBUF		4096
#define LOGIN_TIMEOUT_S		10
#define PROBE_LIMIT_S		3.0		/* the default bound */

static const char *addr, *target, *initiator;
static int port;

static int raise_nofile(unsigned long n)
{
	struct rlimit rl;
	rlim_t want = n + 16;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	if (rl.rlim_cur >= want)
		return 0;
	if (rl.rlim_max < want)
		rl.rlim_max = want;
	rl.rlim_cur = want;
	return setrlimit(RLIMIT_NOFILE, &rl);
}

static int login(int fd, unsigned int n, struct iscsi_login *l)
{
	memset(l, 0, sizeof(*l));
	l->initiator = initiator;
	l->target = target;
	l->isid[0] = 0x40;			/* random qualifier type */
	l->isid[1] = getpid() >> 8;
	l->isid[2] = getpid();
	l->isid[3] = n >> 16;
	l->isid[4] = n >> 8;
	l->isid[5] = n;
	return iscsi_login(fd, l);
}

/* A SCSI Command PDU header: F, R, SIMPLE; @len bytes expected in. */
static void scsi_read_hdr(uint8_t *h, uint32_t itt, uint32_t cmd_sn,
			  uint32_t exp_stat_sn, uint32_t len)
{
	memset(h, 0, BHS);
	h[0] = OP_SCSI_CMD;
	h[1] = 0x80 | 0x40 | 0x01;
	put32(h + 16, itt);
	put32(h + 20, len);
	put32(h + 24, cmd_sn);
	put32(h + 28, exp_stat_sn);
}

/*
 * A Login Response opens a window of one command: an immediate NOP-Out
 * learns the real one (and the answer is the last thing we read).
 */
static int learn_window(int fd, struct iscsi_login *l)
{
	uint8_t h[BHS];
	int ret;

	memset(h, 0, BHS);
	h[0] = OP_NOP_OUT | OP_IMMEDIATE;
	h[1] = 0x80;
	put32(h + 16, 0x1000);			/* ITT: answer me */
	put32(h + 20, TAG_NONE);
	put32(h + 24, l->exp_cmd_sn);
	put32(h + 28, l->exp_stat_sn);
	if (send_pdu(fd, h, NULL, 0))
		return -errno;
	do {
		ret = read_pdu(fd, h, NULL, 0);
	} while (!ret && get32(h + 16) != 0x1000);
	if (ret)
		return ret;
	l->exp_cmd_sn = get32(h + 28);
	l->max_cmd_sn = get32(h + 32);
	return 0;
}

/* Queue up to READS_PER_SESSION reads of 128 KiB; how many went out, or -1. */
static int queue_reads(int fd, unsigned int n, struct iscsi_login *l)
{
	uint32_t sn, lba;
	uint8_t h[BHS];
	int i;

	if (learn_window(fd, l))
		return -1;
	sn = l->exp_cmd_sn;

	for (i = 0; i < READS_PER_SESSION; i++) {
		if ((int32_t)(l->max_cmd_sn - sn) < 0)
			break;		/* the window is full */
		scsi_read_hdr(h, i + 1, sn++, l->exp_stat_sn, READ_BLOCKS * 512);
		lba = ((n * READS_PER_SESSION + i) * READ_BLOCKS) % IMAGE_BLOCKS;
		h[32] = 0x28;		/* READ(10) */
		put32(h + 34, lba);
		h[39] = READ_BLOCKS >> 8;
		h[40] = READ_BLOCKS & 0xff;
		if (send_pdu(fd, h, NULL, 0))
			return -1;
	}
	return i;
}

/*
 * A fresh initiator: connect, log in, READ CAPACITY(10). The seconds it
 * took, or a negative number when it failed.
 */
static double probe(unsigned int n, char *why, size_t why_len)
{
	double t0 = now_s();
	struct iscsi_login l;
	uint8_t h[BHS], data[8];
	int fd, ret;

	fd = tcp_connect(addr, port, 10);
	if (fd < 0) {
		snprintf(why, why_len, "connect: %s", strerror(errno));
		return -1;
	}
	ret = login(fd, n, &l);
	if (ret) {
		snprintf(why, why_len, "login: %d after %.1f s", ret, now_s() - t0);
		close(fd);
		return -1;
	}
	scsi_read_hdr(h, 1, l.exp_cmd_sn, l.exp_stat_sn, 8);
	h[32] = 0x25;		/* READ CAPACITY(10) */
	if (send_pdu(fd, h, NULL, 0)) {
		snprintf(why, why_len, "send: %s", strerror(errno));
		close(fd);
		return -1;
	}
	/* NOP-In pings may come first; the answer is a Data-In with status. */
	do {
		ret = read_pdu(fd, h, data, sizeof(data));
	} while (!ret && (h[0] & 0x3f) == OP_NOP_IN);
	close(fd);
	if (ret) {
		snprintf(why, why_len, "READ CAPACITY: %d after %.1f s", ret, now_s() - t0);
		return -1;
	}
	if ((h[0] & 0x3f) != 0x25 || !(h[1] & 0x01) || h[3]) {
		snprintf(why, why_len, "READ CAPACITY: opcode 0x%02x flags 0x%02x status 0x%02x",
			 h[0], h[1], h[3]);
		return -1;
	}
	snprintf(why, why_len, "%.2f s", now_s() - t0);
	return now_s() - t0;
}

int main(int argc, char **argv)
{
	unsigned int sessions, up = 0, reads = 0, i;
	struct iscsi_login l;
	char why[128] = "";
	double t0, took, limit;
	int *fds, ret, hold;

	if (argc != 6) {
		fprintf(stderr, "usage: %s ADDR PORT TARGET_IQN INITIATOR_IQN SESSIONS\n", argv[0]);
		return 2;
	}
	addr = argv[1];
	port = atoi(argv[2]);
	target = argv[3];
	initiator = argv[4];
	sessions = strtoul(argv[5], NULL, 10);
	tap_n = atoi(getenv("TAP_BASE") ?: "0");
	limit = atof(getenv("SLOW_READERS_PROBE_LIMIT") ?: "0");
	if (limit <= 0)
		limit = PROBE_LIMIT_S;
	fds = calloc(sessions, sizeof(*fds));
	if (!fds || raise_nofile(sessions + 8)) {
		perror("slow_readers");
		return 2;
	}

	t0 = now_s();
	for (i = 0; i < sessions; i++) {
		fds[i] = tcp_connect_rcvbuf(addr, port, LOGIN_TIMEOUT_S, STUCK_RCVBUF);
		if (fds[i] < 0) {
			snprintf(why, sizeof(why), "session %u: connect: %s", i, strerror(errno));
			break;
		}
		ret = login(fds[i], i + 1, &l);
		if (ret) {
			snprintf(why, sizeof(why), "session %u: login: %d", i, ret);
			break;
		}
		ret = queue_reads(fds[i], i, &l);
		if (ret < 0) {
			snprintf(why, sizeof(why), "session %u: send: %s", i, strerror(errno));
			break;
		}
		reads += ret;
		up++;
	}
	printf("# %u sessions up in %.1f s, %u reads of 128 KiB queued\n",
	       up, now_s() - t0, reads);
	check(up == sessions && reads == sessions * READS_PER_SESSION,
	      "%u sessions that never read log in and queue %d reads each%s%s",
	      sessions, READS_PER_SESSION, *why ? ": " : "", why);

	/* Let the target fill every send buffer it will fill. */
	sleep(3);
	took = probe(sessions + 1, why, sizeof(why));
	check(took >= 0 && took <= limit,
	      "a fresh login and READ CAPACITY are answered within %.0f s (%s)",
	      limit, why);
	took = probe(sessions + 2, why, sizeof(why));
	check(took >= 0 && took <= limit,
	      "and again (%s)", why);

	hold = atoi(getenv("SLOW_READERS_HOLD") ?: "0");
	if (hold > 0) {
		printf("# holding the stuck connections for %d s\n", hold);
		fflush(stdout);
		sleep(hold);
	}
	for (i = 0; i < sessions; i++)
		if (fds[i] > 0)
			close(fds[i]);
	free(fds);
	return tap_failed;
}
