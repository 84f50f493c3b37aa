// SPDX-License-Identifier: GPL-2.0
/*
 * The memory writes hold before their data arrives is bounded: per session
 * (module parameter write_mem_per_session_mib) and for the whole module
 * (write_mem_total_mib). A write over the bound waits for its R2T while
 * the session's own writes finish, or is answered TASK SET FULL when it
 * cannot wait (its data comes unsolicited, or its session holds nothing
 * that would free). Nothing acknowledged is lost: every write answered
 * GOOD reads back. Prints TAP lines numbered from $TAP_BASE + 1.
 *
 *   write_budget session ADDR PORT TARGET
 *	With 1 MiB per session: 8 writes of 512 KiB sent at once get R2Ts
 *	for two of them at a time, never more; all end GOOD and read back.
 *	A write with immediate data while the session is at its bound is
 *	answered TASK SET FULL; sent again later, it is GOOD. A first write
 *	larger than the bound (2 MiB) runs: a session holding nothing always
 *	gets one.
 *   write_budget total ADDR PORT TARGET
 *	With 1 MiB for the module: session A holds 1 MiB (R2T answered, no
 *	data sent); session B's write is answered TASK SET FULL; A's second
 *	write gets no R2T until its first is done; then B's write, sent
 *	again, is GOOD.
 *
 * The target is LUN 0 of 512-byte blocks, at least 16 MiB, on a session
 * with InitialR2T=Yes and ImmediateData=Yes (iscsi_login's keys).
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iscsi_client.h"
#include "tap_check.h"

#define OP_R2T		0x31
#define OP_DATA_IN	0x25
#define TASK_SET_FULL	0x28
#define KIB		1024u
#define MAX_CMDS	16

static const char *addr, *target;
static int port;

struct sess {
	int fd;
	uint32_t cmd_sn, exp_stat_sn, itt, mrdsl;
};

/* What happened to one write: R2Ts seen, and its status once answered. */
struct write {
	uint32_t itt, lba, len;
	int status;		/* -1 until answered */
	int r2ts;
	uint8_t seed;
	uint8_t r2t[BHS];	/* the last R2T */
};

static int sess_login(struct sess *s, const char *who)
{
	struct iscsi_login l = { .target = target };
	char name[128];
	const char *v;

	snprintf(name, sizeof(name), "iqn.2024-01.org.bootsan.test:write-budget-%s", who);
	l.initiator = name;
	l.isid[0] = 0x40;
	l.isid[5] = who[0];
	s->fd = tcp_connect(addr, port, 10);
	if (s->fd < 0 || iscsi_login(s->fd, &l))
		return -1;
	s->cmd_sn = l.exp_cmd_sn;
	s->exp_stat_sn = l.exp_stat_sn;
	s->itt = 0x100;
	v = iscsi_login_key(&l, "MaxRecvDataSegmentLength");
	s->mrdsl = v ? strtoul(v, NULL, 10) : 8192;
	return 0;
}

static uint8_t pattern(uint8_t seed, uint32_t off)
{
	return seed ^ (off * 7 + (off >> 9));
}

/* A WRITE(10) of @w with @imm bytes of immediate data. */
static int send_write(struct sess *s, struct write *w, uint32_t imm)
{
	uint8_t h[BHS] = { OP_SCSI_CMD, 0xa0 }, *data = NULL;	/* F, W */
	uint32_t i;
	int ret;

	w->itt = s->itt++;
	w->status = -1;
	w->r2ts = 0;
	memset(h + 8, 0, 8);
	put32(h + 16, w->itt);
	put32(h + 20, w->len);
	put32(h + 24, s->cmd_sn++);
	put32(h + 28, s->exp_stat_sn);
	h[32] = 0x2a;
	put32(h + 34, w->lba);
	h[39] = (w->len / 512) >> 8;
	h[40] = w->len / 512;
	if (imm) {
		data = malloc(imm);
		if (!data)
			return -1;
		for (i = 0; i < imm; i++)
			data[i] = pattern(w->seed, i);
	}
	ret = send_pdu(s->fd, h, data, imm);
	free(data);
	return ret;
}

/* Data-Out for the R2T in @r2t, in PDUs of the target's MaxRecvDataSegmentLength. */
static int send_data(struct sess *s, const struct write *w, const uint8_t *r2t)
{
	uint32_t off = get32(r2t + 40), len = get32(r2t + 44), done = 0, sn = 0, i;
	uint8_t h[BHS], *buf = malloc(len);
	int ret = 0;

	if (!buf)
		return -1;
	for (i = 0; i < len; i++)
		buf[i] = pattern(w->seed, off + i);
	while (!ret && done < len) {
		uint32_t chunk = len - done < s->mrdsl ? len - done : s->mrdsl;

		memset(h, 0, BHS);
		h[0] = OP_DATA_OUT;
		h[1] = done + chunk == len ? 0x80 : 0;
		put32(h + 16, w->itt);
		put32(h + 20, get32(r2t + 20));
		put32(h + 28, s->exp_stat_sn);
		put32(h + 36, sn++);
		put32(h + 40, off + done);
		ret = send_pdu(s->fd, h, buf + done, chunk);
		done += chunk;
	}
	free(buf);
	return ret;
}

static struct write *find(struct write *w, int n, uint32_t itt)
{
	int i;

	for (i = 0; i < n; i++)
		if (w[i].itt == itt)
			return &w[i];
	return NULL;
}

/*
 * Take the PDUs that come within @ms: R2Ts are counted (and answered with
 * their data when @feed), responses recorded. Returns 0, or -1 when the
 * connection broke or sent something unexpected. *@most: the most writes
 * that had R2Ts and were not answered, at any time.
 */
static int pump(struct sess *s, struct write *w, int n, int ms, int feed, int *most)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	uint8_t h[BHS];
	struct write *x;
	int i, open;

	while (poll(&p, 1, ms) == 1) {
		if (read_pdu(s->fd, h, NULL, 0))
			return -1;
		if (h[0] == OP_NOP_IN && get32(h + 16) == TAG_NONE)
			continue;
		x = find(w, n, get32(h + 16));
		if (!x)
			return -1;
		if (h[0] == OP_R2T) {
			x->r2ts++;
			memcpy(x->r2t, h, BHS);
			if (feed && send_data(s, x, h))
				return -1;
		} else if (h[0] == OP_SCSI_RSP) {
			s->exp_stat_sn = get32(h + 24) + 1;
			x->status = h[3];
		} else {
			return -1;
		}
		for (open = 0, i = 0; i < n; i++)
			open += w[i].r2ts && w[i].status < 0;
		if (most && open > *most)
			*most = open;
		if (feed) {
			for (i = 0; i < n && w[i].status >= 0; i++)
				;
			if (i == n)
				return 0;
		}
	}
	return 0;
}

/* Send the data of the R2Ts that came while nothing was fed. */
static int feed_held(struct sess *s, struct write *w, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (w[i].r2ts && w[i].status < 0 && send_data(s, &w[i], w[i].r2t))
			return -1;
	return 0;
}

/* Read back @w and compare; 0 when every byte is what was written. */
static int read_back(struct sess *s, const struct write *w)
{
	uint8_t h[BHS] = { OP_SCSI_CMD, 0xc0 }, *buf = malloc(w->len);	/* F, R */
	uint32_t tag = s->itt++, got = 0, i;
	int ret = -1;

	if (!buf)
		return -1;
	put32(h + 16, tag);
	put32(h + 20, w->len);
	put32(h + 24, s->cmd_sn++);
	put32(h + 28, s->exp_stat_sn);
	h[32] = 0x28;
	put32(h + 34, w->lba);
	h[39] = (w->len / 512) >> 8;
	h[40] = w->len / 512;
	if (send_pdu(s->fd, h, NULL, 0))
		goto out;
	for (;;) {
		uint32_t len, want;
		uint8_t sink[4096];

		if (read_all(s->fd, h, BHS))
			goto out;
		len = dsl_of(h);
		want = len + ((4 - (len & 3)) & 3);
		if (h[0] == OP_DATA_IN && get32(h + 16) == tag) {
			uint32_t off = get32(h + 40);

			if (off + len > w->len || read_all(s->fd, buf + off, len) ||
			    read_all(s->fd, sink, want - len))
				goto out;
			got += len;
			if (!(h[1] & 0x01))
				continue;
		} else {
			while (want) {
				uint32_t c = want < sizeof(sink) ? want : sizeof(sink);

				if (read_all(s->fd, sink, c))
					goto out;
				want -= c;
			}
			if (h[0] == OP_NOP_IN)
				continue;
			if (h[0] != OP_SCSI_RSP || get32(h + 16) != tag)
				goto out;
		}
		s->exp_stat_sn = get32(h + 24) + 1;
		if (h[3])
			goto out;
		break;
	}
	for (i = 0; i < w->len && got == w->len; i++)
		if (buf[i] != pattern(w->seed, i))
			break;
	ret = got == w->len && i == w->len ? 0 : -1;
out:
	free(buf);
	return ret;
}

static int run_session(void)
{
	struct write w[MAX_CMDS] = {};
	struct sess s;
	int i, most = 0, ok, n = 8, good;

	check(!sess_login(&s, "s"), "log in");
	for (i = 0; i < n; i++) {
		w[i].lba = i * 1024;
		w[i].len = 512 * KIB;
		w[i].seed = 0x11 * (i + 1);
		send_write(&s, &w[i], 0);
	}
	ok = !pump(&s, w, n, 2000, 0, &most);
	for (good = 0, i = 0; i < n; i++)
		good += w[i].r2ts > 0;
	check(ok && good == 2, "8 writes of 512 KiB at 1 MiB per session: R2Ts for 2 of them (%d)",
	      good);
	/* At the bound: a write with immediate data cannot wait. */
	w[n].lba = 8192;
	w[n].len = 4 * KIB;
	w[n].seed = 0x5a;
	ok = !send_write(&s, &w[n], 4 * KIB) && !pump(&s, w, n + 1, 1000, 0, NULL);
	check(ok && w[n].status == TASK_SET_FULL,
	      "a write with immediate data at the bound: TASK SET FULL (0x%02x)", w[n].status);
	ok = !feed_held(&s, w, n) && !pump(&s, w, n, 30000, 1, &most);
	for (good = 0, i = 0; i < n; i++)
		good += w[i].status == 0;
	check(ok && good == n, "fed their data, all 8 end GOOD (%d)", good);
	check(most <= 2, "never more than 2 writes had R2Ts at once (%d)", most);
	for (good = 0, i = 0; i < n; i++)
		good += !read_back(&s, &w[i]);
	check(good == n, "all 8 read back what was written (%d)", good);
	ok = !send_write(&s, &w[n], 4 * KIB) && !pump(&s, w, n + 1, 2000, 0, NULL);
	check(ok && w[n].status == 0 && !read_back(&s, &w[n]),
	      "the write refused TASK SET FULL, sent again: GOOD, and it reads back (0x%02x)",
	      w[n].status);
	w[0].lba = 12288;
	w[0].len = 2048 * KIB;
	w[0].seed = 0x77;
	ok = !send_write(&s, &w[0], 0) && !pump(&s, w, 1, 30000, 1, NULL);
	check(ok && w[0].status == 0 && !read_back(&s, &w[0]),
	      "a 2 MiB write on a session holding nothing: GOOD, and it reads back (0x%02x)",
	      w[0].status);
	close(s.fd);
	return tap_failed;
}

static int run_total(void)
{
	struct write a[2] = {}, b[1] = {};
	struct sess sa, sb;
	int ok;

	check(!sess_login(&sa, "a") && !sess_login(&sb, "b"), "sessions A and B log in");
	a[0] = (struct write){ .lba = 0, .len = 1024 * KIB, .seed = 0x21 };
	ok = !send_write(&sa, &a[0], 0) && !pump(&sa, a, 1, 2000, 0, NULL);
	check(ok && a[0].r2ts == 1, "A's 1 MiB write gets its R2T; A sends no data yet");
	b[0] = (struct write){ .lba = 4096, .len = 512 * KIB, .seed = 0x42 };
	ok = !send_write(&sb, &b[0], 0) && !pump(&sb, b, 1, 2000, 0, NULL);
	check(ok && b[0].status == TASK_SET_FULL,
	      "the module's 1 MiB is held: B's write, its session holding nothing, is TASK SET FULL (0x%02x)",
	      b[0].status);
	a[1] = (struct write){ .lba = 2048, .len = 512 * KIB, .seed = 0x63 };
	ok = !send_write(&sa, &a[1], 0) && !pump(&sa, a, 2, 2000, 0, NULL);
	check(ok && !a[1].r2ts && a[1].status < 0, "A's second write waits: no R2T, no answer");
	/* Feed the R2T A already has, then whatever comes. */
	ok = !feed_held(&sa, a, 2);
	ok = ok && !pump(&sa, a, 2, 30000, 1, NULL);
	check(ok && a[0].status == 0 && a[1].status == 0,
	      "A's data sent: both its writes end GOOD (0x%02x 0x%02x)", a[0].status, a[1].status);
	check(!read_back(&sa, &a[0]) && !read_back(&sa, &a[1]), "and read back");
	ok = !send_write(&sb, &b[0], 0) && !pump(&sb, b, 1, 30000, 1, NULL);
	check(ok && b[0].status == 0 && !read_back(&sb, &b[0]),
	      "B's write sent again: GOOD, and it reads back (0x%02x)", b[0].status);
	close(sa.fd);
	close(sb.fd);
	return tap_failed;
}

int main(int argc, char **argv)
{
	const char *base = getenv("TAP_BASE");

	if (argc != 5) {
		fprintf(stderr, "usage: %s session|total ADDR PORT TARGET\n", argv[0]);
		return 2;
	}
	tap_n = base ? atoi(base) : 0;
	addr = argv[2];
	port = atoi(argv[3]);
	target = argv[4];
	if (!strcmp(argv[1], "session"))
		return run_session();
	if (!strcmp(argv[1], "total"))
		return run_total();
	return 2;
}
