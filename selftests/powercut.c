// SPDX-License-Identifier: GPL-2.0
/*
 * powercut: the initiator of the power-cut test (powercut_test.sh). It runs
 * on the host, so it outlives the SAN VM it talks to, and keeps in a state
 * file exactly which writes the target acknowledged as stable: a FUA write,
 * a write covered by a later SYNCHRONIZE CACHE, or any write while the LUN
 * reports its write cache off (WCE=0).
 *
 *   powercut --portal HOST:PORT --target IQN --lun N --state FILE
 *            --label NAME --blocks N [--wce on|off] [--seed N]
 *            [--verify-only] [--max-seconds N]
 *
 * One run is one life of the SAN VM: log in; with --wce, ask for that
 * write-cache setting (MODE SELECT of the caching page) and read back what
 * the LUN reports; read the whole LUN and check every block against the
 * state; then (without --verify-only) write until the connection breaks
 * (the VM killed) or --max-seconds pass, and save the state.
 *
 * Each 512-byte block holds a stamp (magic, LUN tag, LBA, generation) and
 * a pattern derived from them, so a block is either all zeros (never
 * written) or exactly one write's content. Per block the state keeps the
 * generation last acknowledged as stable and the newest generation ever
 * sent: after a restart the block must hold the stable one or one sent
 * after it; older content (or zeros where something was stable) is a lost
 * write, anything else is garbage.
 *
 * Output: "# " lines, and one line "result LABEL lost=N garbage=N checked=N
 * wce=0|1 writes=N" per run; exit 0 when this run's check found nothing
 * lost, 1 when it did, 2 on a usage or setup error, 3 when the target
 * answered a command with an error while the link was up.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <iscsi/iscsi.h>
#include <iscsi/scsi-lowlevel.h>

#define BLOCK		512
#define MAX_BLOCKS	(1u << 16)
#define MAX_WRITE	16		/* blocks per WRITE */
#define READ_CHUNK	128		/* blocks per READ of the check */
#define STATE_MAGIC	0x42535043u	/* "BSPC" */
#define CMD_TIMEOUT	60		/* s; TCG on a loaded host is slow */
static const char stamp_magic[8] = "BSPCUT01";

struct block_state {
	uint32_t stable;	/* generation acknowledged as stable; 0: none */
	uint32_t acked;		/* newest acknowledged, maybe only cached */
	uint32_t sent;		/* newest ever sent */
};

struct state {
	uint32_t magic, blocks, next_gen, runs;
	uint64_t lost_total, garbage_total;
	struct block_state b[];
};

static struct {
	const char *portal, *target, *state_path, *label;
	int lun, wce;		/* wce: -1 as the LUN comes, 0 or 1 asked */
	uint32_t blocks;
	unsigned int seed;
	bool verify_only;
	int max_seconds;
} opt = { .lun = 0, .wce = -1, .max_seconds = 300 };

static uint32_t lun_tag;

/* xorshift64*: the pattern of a block and the workload's choices. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		p[n] = v & 0xff;
		v >>= 8;
	}
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* The content of @lba written by generation @gen. */
static void fill_block(uint8_t *p, uint64_t lba, uint32_t gen)
{
	uint64_t s = (lba + 1) * 0x9e3779b97f4a7c15ull ^ (uint64_t)gen << 32 ^ lun_tag;
	int i;

	memcpy(p, stamp_magic, 8);
	put_be(p + 8, lun_tag, 4);
	put_be(p + 12, lba, 8);
	put_be(p + 20, gen, 4);
	for (i = 24; i < BLOCK; i += 8) {
		uint64_t r = next_rand(&s);

		memcpy(p + i, &r, 8);
	}
}

/*
 * Which generation @p holds as block @lba: 0 for zeros, -1 if it is no
 * write of ours to this block (garbage, or another block's or LUN's data).
 */
static int64_t block_gen(const uint8_t *p, uint64_t lba)
{
	uint8_t want[BLOCK];
	uint32_t gen;
	int i;

	if (memcmp(p, stamp_magic, 8)) {
		for (i = 0; i < BLOCK; i++)
			if (p[i])
				return -1;
		return 0;
	}
	if (get_be(p + 8, 4) != lun_tag || get_be(p + 12, 8) != lba)
		return -1;
	gen = get_be(p + 20, 4);
	fill_block(want, lba, gen);
	return memcmp(p, want, BLOCK) ? -1 : (int64_t)gen;
}

static struct state *load_state(void)
{
	size_t size = sizeof(struct state) + opt.blocks * sizeof(struct block_state);
	struct state *st = calloc(1, size);
	FILE *f;

	if (!st)
		return NULL;
	f = fopen(opt.state_path, "rb");
	if (f) {
		size_t n = fread(st, 1, size, f);

		fclose(f);
		if (n != size || st->magic != STATE_MAGIC || st->blocks != opt.blocks) {
			fprintf(stderr, "powercut: %s is not a state of %u blocks\n",
				opt.state_path, opt.blocks);
			free(st);
			return NULL;
		}
		return st;
	}
	if (errno != ENOENT) {
		perror(opt.state_path);
		free(st);
		return NULL;
	}
	st->magic = STATE_MAGIC;
	st->blocks = opt.blocks;
	st->next_gen = 1;
	return st;
}

/* Written whole to a new file, then renamed over the old one. */
static int save_state(const struct state *st)
{
	size_t size = sizeof(*st) + st->blocks * sizeof(st->b[0]);
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.new", opt.state_path);
	f = fopen(tmp, "wb");
	if (!f || fwrite(st, 1, size, f) != size || fclose(f)) {
		perror(tmp);
		return -1;
	}
	if (rename(tmp, opt.state_path)) {
		perror(opt.state_path);
		return -1;
	}
	return 0;
}

/*
 * How a command ended: GOOD, an error the target answered while the link
 * was up (CHECK CONDITION etc.), or no answer (the link or the VM gone).
 */
enum outcome { GOOD, SCSI_ERROR, NO_ANSWER };

static enum outcome outcome(struct iscsi_context *iscsi, struct scsi_task *task,
			    const char *what)
{
	if (!task) {
		printf("# %s: %s: no answer: %s\n", opt.label, what, iscsi_get_error(iscsi));
		return NO_ANSWER;
	}
	if (task->status == SCSI_STATUS_GOOD)
		return GOOD;
	if (task->status == SCSI_STATUS_CHECK_CONDITION || task->status == SCSI_STATUS_BUSY ||
	    task->status == SCSI_STATUS_RESERVATION_CONFLICT ||
	    task->status == SCSI_STATUS_TASK_SET_FULL) {
		printf("# %s: %s: status 0x%02x, sense %s ascq 0x%04x\n", opt.label, what,
		       task->status, scsi_sense_key_str(task->sense.key), task->sense.ascq);
		return SCSI_ERROR;
	}
	printf("# %s: %s: no answer (status %d): %s\n", opt.label, what, task->status,
	       iscsi_get_error(iscsi));
	return NO_ANSWER;
}

static struct iscsi_context *login(void)
{
	struct iscsi_context *iscsi;
	char name[256];
	int tries;

	snprintf(name, sizeof(name), "iqn.2024-01.org.bootsan.test:powercut-%s", opt.label);
	/* The orchestrator starts us once the target serves; a slow VM may lag. */
	for (tries = 0; tries < 60; tries++) {
		iscsi = iscsi_create_context(name);
		if (!iscsi)
			return NULL;
		iscsi_set_targetname(iscsi, opt.target);
		iscsi_set_session_type(iscsi, ISCSI_SESSION_NORMAL);
		iscsi_set_header_digest(iscsi, ISCSI_HEADER_DIGEST_NONE);
		/*
		 * No silent replays: a command lost with the VM must count as
		 * unacknowledged, not be sent again to the next VM.
		 */
		iscsi_set_noautoreconnect(iscsi, 1);
		iscsi_set_timeout(iscsi, CMD_TIMEOUT);
		if (!iscsi_full_connect_sync(iscsi, opt.portal, opt.lun))
			return iscsi;
		if (tries == 59)
			printf("# %s: login to %s at %s failed: %s\n", opt.label, opt.target,
			       opt.portal, iscsi_get_error(iscsi));
		iscsi_destroy_context(iscsi);
		sleep(1);
	}
	return NULL;
}

/* The caching mode page as the LUN reports it now (@page: 20 bytes). */
static enum outcome caching_page(struct iscsi_context *iscsi, uint8_t *page)
{
	uint8_t cdb[10] = { 0x5a, 0x08, 0x08, 0, 0, 0, 0, 0, 255, 0 };	/* DBD */
	struct scsi_task *task = scsi_create_task(10, cdb, SCSI_XFER_READ, 255);
	enum outcome o;

	task = iscsi_scsi_command_sync(iscsi, opt.lun, task, NULL);
	o = outcome(iscsi, task, "MODE SENSE(10) caching page");
	if (o == GOOD) {
		uint32_t bd = task->datain.size >= 8 ? get_be(task->datain.data + 6, 2) : 0;

		if (task->datain.size < (int)(8 + bd + 20) ||
		    (task->datain.data[8 + bd] & 0x3f) != 0x08) {
			printf("# %s: MODE SENSE: no caching page\n", opt.label);
			o = SCSI_ERROR;
		} else {
			memcpy(page, task->datain.data + 8 + bd, 20);
		}
	}
	if (task)
		scsi_free_scsi_task(task);
	return o;
}

/*
 * Ask for WCE=@wce with MODE SELECT(10) (the current page with that bit
 * changed); print whether the target took it. Returns the outcome of the
 * MODE SELECT; a refusal (CHECK CONDITION) is an answer, not a failure.
 */
static enum outcome set_wce(struct iscsi_context *iscsi, uint8_t *page, int wce)
{
	uint8_t cdb[10] = { 0x55, 0x10, 0, 0, 0, 0, 0, 0, 28, 0 };	/* PF */
	uint8_t param[28] = { 0 };
	struct iscsi_data data = { .size = sizeof(param), .data = param };
	struct scsi_task *task = scsi_create_task(10, cdb, SCSI_XFER_WRITE, sizeof(param));
	enum outcome o;

	memcpy(param + 8, page, 20);
	param[8] &= 0x3f;	/* PS is reserved in MODE SELECT */
	param[10] = (param[10] & ~0x04) | (wce ? 0x04 : 0);
	task = iscsi_scsi_command_sync(iscsi, opt.lun, task, &data);
	o = outcome(iscsi, task, "MODE SELECT(10) WCE");
	printf("# %s: MODE SELECT WCE=%d %s\n", opt.label, wce,
	       o == GOOD ? "accepted" : o == SCSI_ERROR ? "refused" : "unanswered");
	if (task)
		scsi_free_scsi_task(task);
	return o;
}

/* Read every block and compare it with the state; count what is wrong. */
static enum outcome check_all(struct iscsi_context *iscsi, struct state *st,
			      uint64_t *lost, uint64_t *garbage)
{
	uint32_t lba, i;
	int shown = 0;

	for (lba = 0; lba < st->blocks; lba += READ_CHUNK) {
		uint32_t n = st->blocks - lba < READ_CHUNK ? st->blocks - lba : READ_CHUNK;
		struct scsi_task *task;
		enum outcome o;

		task = iscsi_read10_sync(iscsi, opt.lun, lba, n * BLOCK, BLOCK, 0, 0, 0, 0, 0);
		o = outcome(iscsi, task, "READ(10) of the check");
		if (o == GOOD && task->datain.size != (int)(n * BLOCK)) {
			printf("# %s: READ(10) returned %d bytes\n", opt.label,
			       task->datain.size);
			o = SCSI_ERROR;
		}
		if (o != GOOD) {
			if (task)
				scsi_free_scsi_task(task);
			return o;
		}
		for (i = 0; i < n; i++) {
			struct block_state *b = &st->b[lba + i];
			int64_t g = block_gen(task->datain.data + i * BLOCK, lba + i);

			if (g >= 0 && (uint32_t)g >= b->stable && (uint32_t)g <= b->sent)
				continue;
			if (g < 0 || (uint32_t)g > b->sent)
				(*garbage)++;
			else
				(*lost)++;
			if (shown++ < 8)
				printf("# %s: LBA %u holds %s %" PRId64
				       "; stable %u, sent up to %u\n", opt.label, lba + i,
				       g < 0 ? "garbage" : "generation", g, b->stable, b->sent);
			/* What is there now is the new baseline: report each loss once. */
			if (g >= 0)
				b->stable = g;
		}
		scsi_free_scsi_task(task);
	}
	return GOOD;
}

/* SYNCHRONIZE CACHE of [lba, lba + n) answered: what it covered is stable. */
static void synced(struct state *st, uint32_t lba, uint32_t n)
{
	uint32_t i;

	for (i = lba; i < lba + n; i++)
		if (st->b[i].acked > st->b[i].stable)
			st->b[i].stable = st->b[i].acked;
}

struct counts {
	uint64_t writes, fua, syncs;
};

/*
 * Each life of the VM has one mix, in turn: plain writes and SYNCHRONIZE
 * CACHE only, then plain and FUA writes only, then all three; so that each
 * way to stability is tested alone once in every three cuts. Mixed, one
 * hides another's failure: a FUA write on ext4 (RWF_DSYNC) or on a device
 * without native FUA (flush, write, flush) flushes the whole device, and
 * with it every write a skipped flush left in the device's cache (seen:
 * a build whose SYNCHRONIZE CACHE did nothing passed on its block LUN).
 */
enum mix { SYNC_ONLY, FUA_ONLY, MIXED };
static const char *const mix_name[] = { "plain writes and SYNCHRONIZE CACHE",
					"plain and FUA writes", "mixed" };

/* Which command next: below 20 SYNCHRONIZE CACHE, below 45 FUA, else plain. */
static uint32_t next_kind(uint64_t *r, enum mix mix)
{
	uint32_t kind = next_rand(r) % 100;

	if (mix == SYNC_ONLY)
		return kind < 25 ? kind * 20 / 25 : 45 + kind % 55;
	if (mix == FUA_ONLY)
		return 20 + kind % 80;
	return kind;
}

/* Write until the link breaks or the time is up; update the state. */
static enum outcome workload(struct iscsi_context *iscsi, struct state *st, bool wce,
			     struct counts *c)
{
	uint8_t buf[MAX_WRITE * BLOCK];
	uint64_t r = ((uint64_t)opt.seed << 32 | st->runs) * 0x9e3779b97f4a7c15ull + 1;
	time_t end = time(NULL) + opt.max_seconds;
	enum mix mix = (st->runs - 1) % 3;

	while (time(NULL) < end) {
		uint32_t kind, lba, n, i, gen;
		struct scsi_task *task;
		enum outcome o;
		bool fua;

		kind = next_kind(&r, mix);
		if (kind < 20) {
			/* SYNCHRONIZE CACHE(10): all of it, or a range. */
			if (kind < 12) {
				lba = 0;
				n = st->blocks;
			} else {
				lba = next_rand(&r) % st->blocks;
				n = 1 + next_rand(&r) % (st->blocks - lba);
			}
			task = iscsi_synchronizecache10_sync(iscsi, opt.lun, lba,
							     kind < 12 ? 0 : n, 0, 0);
			o = outcome(iscsi, task, "SYNCHRONIZE CACHE(10)");
			if (task)
				scsi_free_scsi_task(task);
			if (o != GOOD)
				return o;
			synced(st, lba, n);
			c->syncs++;
			continue;
		}
		fua = kind < 45;
		n = 1 + next_rand(&r) % MAX_WRITE;
		lba = next_rand(&r) % (st->blocks - n + 1);
		gen = st->next_gen++;
		for (i = 0; i < n; i++) {
			fill_block(buf + i * BLOCK, lba + i, gen);
			st->b[lba + i].sent = gen;	/* before it can land */
		}
		task = iscsi_write10_sync(iscsi, opt.lun, lba, buf, n * BLOCK, BLOCK, 0, 0,
					  fua, 0, 0);
		o = outcome(iscsi, task, fua ? "WRITE(10) FUA" : "WRITE(10)");
		if (task)
			scsi_free_scsi_task(task);
		if (o != GOOD)
			return o;
		for (i = 0; i < n; i++) {
			st->b[lba + i].acked = gen;
			if (fua || !wce)
				st->b[lba + i].stable = gen;
		}
		c->writes++;
		c->fua += fua;
	}
	return GOOD;
}

static void usage(void)
{
	fprintf(stderr, "usage: powercut --portal HOST:PORT --target IQN --lun N --state FILE\n"
			"                --label NAME --blocks N [--wce on|off] [--seed N]\n"
			"                [--verify-only] [--max-seconds N]\n");
	exit(2);
}

static void parse(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "portal", required_argument, NULL, 'p' },
		{ "target", required_argument, NULL, 't' },
		{ "lun", required_argument, NULL, 'l' },
		{ "state", required_argument, NULL, 's' },
		{ "label", required_argument, NULL, 'L' },
		{ "blocks", required_argument, NULL, 'b' },
		{ "wce", required_argument, NULL, 'w' },
		{ "seed", required_argument, NULL, 'S' },
		{ "verify-only", no_argument, NULL, 'v' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 }
	};
	unsigned long v;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': opt.portal = optarg; break;
		case 't': opt.target = optarg; break;
		case 's': opt.state_path = optarg; break;
		case 'L': opt.label = optarg; break;
		case 'v': opt.verify_only = true; break;
		case 'w':
			if (!strcmp(optarg, "on"))
				opt.wce = 1;
			else if (!strcmp(optarg, "off"))
				opt.wce = 0;
			else
				usage();
			break;
		case 'l': case 'b': case 'S': case 'm':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || v > 1u << 30) {
				fprintf(stderr, "powercut: bad number '%s'\n", optarg);
				exit(2);
			}
			if (c == 'l')
				opt.lun = v;
			else if (c == 'b')
				opt.blocks = v;
			else if (c == 'S')
				opt.seed = v;
			else
				opt.max_seconds = v;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !opt.portal || !opt.target || !opt.state_path || !opt.label ||
	    opt.blocks < MAX_WRITE || opt.blocks > MAX_BLOCKS || opt.lun > 255)
		usage();
}

int main(int argc, char **argv)
{
	uint64_t lost = 0, garbage = 0, size;
	struct counts c = { 0 };
	struct iscsi_context *iscsi;
	struct scsi_task *task;
	uint8_t page[20];
	struct state *st;
	enum outcome o;
	const char *p;
	uint32_t i;
	int wce, rc;

	parse(argc, argv);
	/* A write to the socket of a VM just killed must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	lun_tag = 2166136261u;
	for (p = opt.label; *p; p++)
		lun_tag = (lun_tag ^ (uint8_t)*p) * 16777619u;
	st = load_state();
	if (!st)
		return 2;
	iscsi = login();
	if (!iscsi)
		return 2;

	task = iscsi_readcapacity16_sync(iscsi, opt.lun);
	o = outcome(iscsi, task, "READ CAPACITY(16)");
	if (o == GOOD) {
		struct scsi_readcapacity16 *rc16 = scsi_datain_unmarshall(task);

		size = rc16 ? (rc16->returned_lba + 1) : 0;
		if (!rc16 || rc16->block_length != BLOCK || size < opt.blocks) {
			printf("# %s: the LUN has %" PRIu64 " blocks of %u bytes; %u of %u needed\n",
			       opt.label, size, rc16 ? rc16->block_length : 0, opt.blocks, BLOCK);
			o = SCSI_ERROR;
		}
	}
	if (task)
		scsi_free_scsi_task(task);
	if (o != GOOD)
		return 2;

	o = caching_page(iscsi, page);
	if (o == GOOD && opt.wce >= 0 && !!(page[2] & 0x04) != opt.wce) {
		o = set_wce(iscsi, page, opt.wce);
		if (o == SCSI_ERROR)
			o = GOOD;	/* refused: the LUN's own setting stays */
		if (o == GOOD)
			o = caching_page(iscsi, page);
	}
	if (o != GOOD)
		return o == NO_ANSWER ? 2 : 3;
	wce = !!(page[2] & 0x04);

	o = check_all(iscsi, st, &lost, &garbage);
	if (o != GOOD) {
		iscsi_destroy_context(iscsi);
		return o == NO_ANSWER ? 2 : 3;
	}
	/*
	 * Writes of an earlier life that were only cached are gone or on the
	 * medium by now: a SYNCHRONIZE CACHE of this life covers none of them.
	 */
	for (i = 0; i < st->blocks; i++)
		st->b[i].acked = st->b[i].stable;
	st->lost_total += lost;
	st->garbage_total += garbage;
	st->runs++;
	rc = lost || garbage ? 1 : 0;
	printf("# %s: run %u: checked %u blocks: %" PRIu64 " lost, %" PRIu64
	       " garbage (WCE=%d)\n", opt.label, st->runs, st->blocks, lost, garbage, wce);
	if (!opt.verify_only) {
		/* The state as checked is saved before any write of this run. */
		if (save_state(st))
			return 2;
		o = workload(iscsi, st, wce, &c);
		if (o == SCSI_ERROR)
			rc = rc ? rc : 3;
		printf("# %s: run %u (%s): %" PRIu64 " writes (%" PRIu64 " FUA), %" PRIu64
		       " SYNCHRONIZE CACHE, then %s\n", opt.label, st->runs,
		       mix_name[(st->runs - 1) % 3], c.writes, c.fua, c.syncs,
		       o == NO_ANSWER ? "the link broke" : "stopped");
	}
	if (save_state(st))
		return 2;
	printf("result %s lost=%" PRIu64 " garbage=%" PRIu64 " checked=%u wce=%d writes=%" PRIu64
	       " lost_total=%" PRIu64 " garbage_total=%" PRIu64 "\n", opt.label, lost, garbage,
	       st->blocks, wce, c.writes, st->lost_total, st->garbage_total);
	iscsi_destroy_context(iscsi);
	free(st);
	return rc;
}
