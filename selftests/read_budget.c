// SPDX-License-Identifier: GPL-2.0
/*
 * The memory reads hold until their data is sent is bounded: per session
 * (module parameter read_mem_per_session_mib) and for the whole module
 * (read_mem_total_mib). Prints TAP lines numbered from $TAP_BASE + 1.
 *
 *   read_budget ADDR PORT TARGET IMAGE SESSIONS BOUND_MIB
 *
 * SESSIONS sessions, each on a connection with a tiny receive buffer, queue
 * READS_PER_SESSION READs of 256 KiB of LUN 0 (a block LUN: its reads fill
 * pages of the module's own) and read nothing: the target cannot send the
 * data, so whatever it read for them stays in its memory. MemFree may
 * drop by at most BOUND_MIB (the budget the script set, plus slack for the
 * sockets and sessions); with no budget it drops by every byte asked for.
 * Then "# holding" is printed and the program waits HOLD_S seconds (the
 * script looks at the budgets over netlink meanwhile), reads everything:
 * every READ is answered, those over the budget TASK SET FULL, the others
 * GOOD with the image's bytes; and a READ answered TASK SET FULL, sent
 * again, is GOOD. IMAGE is the LUN's backing file, for the comparison.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "iscsi_client.h"
#include "tap_check.h"

#define READS_PER_SESSION	32
#define READ_LEN		(256u << 10)
#define OP_DATA_IN		0x25
#define TASK_SET_FULL		0x28
#define STUCK_RCVBUF		4096
#define HOLD_S			4

static const char *addr, *target;
static int port, image_fd;

struct read {
	uint32_t itt, lba;
	int status;		/* -1 until answered */
	uint32_t got;		/* data bytes received */
	int mismatch;
};

struct sess {
	int fd;
	uint32_t cmd_sn, exp_stat_sn, max_cmd_sn;
	struct read r[READS_PER_SESSION];
	uint8_t *data;		/* READ_LEN per read */
};

static int sess_login(struct sess *s, unsigned int n)
{
	struct iscsi_login l = { .target = target };

	l.initiator = "iqn.2024-01.org.bootsan.test:read-budget";
	l.isid[0] = 0x40;
	l.isid[4] = getpid();
	l.isid[5] = n;
	s->fd = tcp_connect_rcvbuf(addr, port, 20, STUCK_RCVBUF);
	if (s->fd < 0 || iscsi_login(s->fd, &l))
		return -1;
	s->cmd_sn = l.exp_cmd_sn;
	s->exp_stat_sn = l.exp_stat_sn;
	s->max_cmd_sn = l.max_cmd_sn;
	s->data = calloc(READS_PER_SESSION, READ_LEN);
	return s->data ? 0 : -1;
}

/* An immediate NOP-Out learns the CmdSN window a Login Response does not open. */
static int learn_window(struct sess *s)
{
	uint8_t h[BHS] = { OP_NOP_OUT | OP_IMMEDIATE, 0x80 };
	int ret;

	put32(h + 16, 0x1000);
	put32(h + 20, TAG_NONE);
	put32(h + 24, s->cmd_sn);
	put32(h + 28, s->exp_stat_sn);
	if (send_pdu(s->fd, h, NULL, 0))
		return -1;
	do {
		ret = read_pdu(s->fd, h, NULL, 0);
	} while (!ret && get32(h + 16) != 0x1000);
	if (ret)
		return -1;
	s->max_cmd_sn = get32(h + 32);
	return 0;
}

static int send_read(struct sess *s, struct read *r)
{
	uint8_t h[BHS] = { OP_SCSI_CMD, 0xc1 };	/* F, R, SIMPLE */

	r->status = -1;
	r->got = 0;
	put32(h + 16, r->itt);
	put32(h + 20, READ_LEN);
	put32(h + 24, s->cmd_sn++);
	put32(h + 28, s->exp_stat_sn);
	h[32] = 0x28;			/* READ(10) */
	put32(h + 34, r->lba);
	h[39] = (READ_LEN / 512) >> 8;
	h[40] = (READ_LEN / 512) & 0xff;
	return send_pdu(s->fd, h, NULL, 0);
}

static struct read *find(struct sess *s, uint32_t itt)
{
	int i;

	for (i = 0; i < READS_PER_SESSION; i++)
		if (s->r[i].itt == itt)
			return &s->r[i];
	return NULL;
}

/* Read PDUs until @want more READs of @s are answered; 0 or -1. */
static int drain(struct sess *s, int want)
{
	uint8_t h[BHS], *chunk = malloc(READ_LEN);
	struct read *r;
	uint32_t off, len;
	int ret = 0;

	if (!chunk)
		return -1;
	while (want > 0) {
		ret = read_pdu(s->fd, h, chunk, READ_LEN);
		if (ret)
			break;
		if ((h[0] & 0x3f) == OP_NOP_IN)
			continue;
		r = find(s, get32(h + 16));
		if (!r) {
			ret = -1;
			break;
		}
		if ((h[0] & 0x3f) == OP_DATA_IN) {
			off = get32(h + 40);
			len = dsl_of(h);
			if (off + len > READ_LEN) {
				ret = -1;
				break;
			}
			memcpy(s->data + (size_t)(r - s->r) * READ_LEN + off, chunk, len);
			r->got += len;
			if (!(h[1] & 0x01))
				continue;
			r->status = h[3];
		} else if ((h[0] & 0x3f) == OP_SCSI_RSP) {
			r->status = h[3];
		} else {
			continue;
		}
		s->exp_stat_sn = get32(h + 24) + 1;
		want--;
	}
	free(chunk);
	return ret ? -1 : 0;
}

/* The read's bytes are the image's. */
static void verify(struct sess *s, struct read *r)
{
	uint8_t *want = malloc(READ_LEN);

	r->mismatch = !want ||
		pread(image_fd, want, READ_LEN, (off_t)r->lba * 512) != READ_LEN ||
		r->got != READ_LEN ||
		memcmp(want, s->data + (size_t)(r - s->r) * READ_LEN, READ_LEN);
	free(want);
}

static long mem_free_kib(void)
{
	char line[128];
	long kib = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemFree: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int main(int argc, char **argv)
{
	unsigned int sessions, logged, i, j, up = 0, queued = 0;
	int good = 0, full = 0, other = 0, bad = 0, lost = 0, again = -1;
	long before, after, bound_mib;
	struct sess *ss, *retry_s = NULL;
	struct read *retry = NULL;

	if (argc != 7) {
		fprintf(stderr, "usage: %s ADDR PORT TARGET IMAGE SESSIONS BOUND_MIB\n", argv[0]);
		return 2;
	}
	addr = argv[1];
	port = atoi(argv[2]);
	target = argv[3];
	image_fd = open(argv[4], O_RDONLY);
	sessions = strtoul(argv[5], NULL, 10);
	bound_mib = strtol(argv[6], NULL, 10);
	tap_n = atoi(getenv("TAP_BASE") ?: "0");
	ss = calloc(sessions, sizeof(*ss));
	if (!ss || image_fd < 0) {
		perror("read_budget");
		return 2;
	}

	sync();
	before = mem_free_kib();
	/*
	 * All log in first, then all queue their READs at once: the target
	 * drops a connection whose peer reads nothing for 30 s, and
	 * logins are slow under a debug kernel.
	 */
	for (logged = 0; logged < sessions; logged++)
		if (sess_login(&ss[logged], logged) || learn_window(&ss[logged]))
			break;
	for (i = 0; i < logged; i++) {
		struct sess *s = &ss[i];

		for (j = 0; j < READS_PER_SESSION; j++) {
			if ((int32_t)(s->max_cmd_sn - s->cmd_sn) < 0)
				break;
			s->r[j].itt = j + 1;
			s->r[j].lba = ((i * READS_PER_SESSION + j) * (READ_LEN / 512)) % (64u << 11);
			if (send_read(s, &s->r[j]))
				break;
			queued++;
		}
		up++;
	}
	check(up == sessions && queued == sessions * READS_PER_SESSION,
	      "%u sessions that read nothing queue %d READs of 256 KiB each (%u queued)",
	      sessions, READS_PER_SESSION, queued);
	/* Time for every READ to run and fill what it fills. */
	sleep(3);
	after = mem_free_kib();
	check(before > 0 && after > 0 && before - after <= bound_mib * 1024,
	      "memory they pin stays within %ld MiB (MemFree dropped %ld MiB; %u MiB asked for)",
	      bound_mib, (before - after) / 1024, queued * (READ_LEN >> 10) / 1024);
	printf("# holding\n");
	fflush(stdout);
	sleep(HOLD_S);

	for (i = 0; i < up; i++) {
		struct sess *s = &ss[i];

		if (drain(s, READS_PER_SESSION)) {
			lost++;
			continue;
		}
		for (j = 0; j < READS_PER_SESSION; j++) {
			struct read *r = &s->r[j];

			if (r->status == 0) {
				verify(s, r);
				if (r->mismatch)
					bad++;
				else
					good++;
			} else if (r->status == TASK_SET_FULL) {
				full++;
				if (!retry) {
					retry = r;
					retry_s = s;
				}
			} else {
				other++;
			}
		}
	}
	check(!lost && !bad && !other && good && full &&
	      good + full == (int)(sessions * READS_PER_SESSION),
	      "every READ is answered: %d GOOD with the image's bytes, %d TASK SET FULL "
	      "(%d wrong data, %d other status, %d sessions broke)", good, full, bad, other, lost);

	if (retry) {
		if (!send_read(retry_s, retry) && !drain(retry_s, 1)) {
			verify(retry_s, retry);
			again = retry->status == 0 && !retry->mismatch ? 0 : retry->status;
		}
	}
	check(again == 0, "a READ answered TASK SET FULL, sent again, is GOOD (%d)", again);
	for (i = 0; i < up; i++) {
		close(ss[i].fd);
		free(ss[i].data);
	}
	free(ss);
	return tap_failed;
}
