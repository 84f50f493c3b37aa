// SPDX-License-Identifier: GPL-2.0
/*
 * overlay_model: random I/O on an overlay LUN's disk checked block by
 * block against a model kept in userspace (the golden plus every write).
 *
 *   overlay_model golden FILE SIZE            write the golden's pattern
 *   overlay_model run DEV GOLDEN MODEL SEED N [PROCS]
 *       N random operations (WRITE of 1 to 2048 blocks at any block,
 *       WRITE SAME(16) with and without UNMAP, UNMAP, READ compared on the
 *       spot) by PROCS processes at once (default 1); with more than one,
 *       each owns the 4 KiB stripes s with s % PROCS == its number and
 *       writes within them only, so their copy-ups meet in one chunk.
 *       Every 32nd chunk is only read: it stays unwritten.
 *       Then all of DEV is compared and the model saved to MODEL.
 *   overlay_model verify DEV MODEL            all of DEV equals MODEL
 *   overlay_model zeros DEV HOW LBA NR        zeros over NR blocks at LBA, sent
 *       as HOW: unmap (UNMAP), ws (WRITE SAME(16) of a zero block) or
 *       ws-unmap (the same with UNMAP set): what fstrim and blkdiscard send
 *
 * Writes and reads use O_DIRECT (no cache of the initiator's between us
 * and the target); WRITE SAME and UNMAP go through SG_IO. Exit 0 when all
 * matched; a mismatch prints its first block.
 */
#include <errno.h>
#include <fcntl.h>
#include <scsi/sg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define BS		512u
#define STRIPE		4096u
#define MAX_BLOCKS	2048u

static uint8_t *model;		/* the LUN as it must read, shared by the processes */
static uint64_t nr_blocks;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static uint64_t rnd_state;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Golden block @lba: its number and a byte pattern, never all zeros. */
static void golden_block(uint8_t *b, uint64_t lba)
{
	unsigned int i;

	for (i = 0; i < BS; i++)
		b[i] = (uint8_t)(lba * 7 + i + 1) | 1;
	memcpy(b, &lba, sizeof(lba));
	memcpy(b + 8, "GOLDEN!", 8);
}

static int sg_cmd(int fd, const uint8_t *cdb, int cdb_len, void *data, unsigned int len)
{
	uint8_t sense[32];
	struct sg_io_hdr h = {
		.interface_id = 'S',
		.dxfer_direction = len ? SG_DXFER_TO_DEV : SG_DXFER_NONE,
		.cmd_len = cdb_len,
		.mx_sb_len = sizeof(sense),
		.dxfer_len = len,
		.dxferp = data,
		.cmdp = (unsigned char *)cdb,
		.sbp = sense,
		.timeout = 60000,
	};

	if (ioctl(fd, SG_IO, &h))
		die("SG_IO");
	if (h.status || h.host_status || h.driver_status) {
		fprintf(stderr, "SCSI %02x failed: status %#x host %#x driver %#x sense %02x/%02x/%02x\n",
			cdb[0], h.status, h.host_status, h.driver_status, sense[2] & 0xf,
			sense[12], sense[13]);
		return -1;
	}
	return 0;
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		p[n] = v;
		v >>= 8;
	}
}

static int compare(int fd, uint64_t lba, uint64_t nr, uint8_t *buf)
{
	uint64_t i;

	if (pread(fd, buf, nr * BS, lba * BS) != (ssize_t)(nr * BS))
		die("pread");
	for (i = 0; i < nr; i++) {
		if (memcmp(buf + i * BS, model + (lba + i) * BS, BS)) {
			fprintf(stderr, "block %llu differs from the model (reads \"%.7s\" #%llu)\n",
				(unsigned long long)(lba + i), buf + i * BS + 8,
				(unsigned long long)*(uint64_t *)(buf + i * BS));
			return -1;
		}
	}
	return 0;
}

/* A range of up to @max blocks that process @me of @procs may write. */
static void pick(unsigned int me, unsigned int procs, uint64_t *lba, uint64_t *nr, uint64_t max)
{
	uint64_t per = STRIPE / BS, stripe, first;

	if (procs == 1) {
		/* Mostly short, some up to @max: chunks stay unwritten. */
		*nr = 1 + rnd() % (rnd() % 16 ? 64 : max);
		*lba = rnd() % (nr_blocks - *nr + 1);
		return;
	}
	stripe = rnd() % (nr_blocks / per);
	stripe -= stripe % procs;
	stripe += me;
	if (stripe >= nr_blocks / per)
		stripe = me;
	first = rnd() % per;
	*lba = stripe * per + first;
	*nr = 1 + rnd() % (per - first);
}

/*
 * Does [lba, lba + nr) touch a cold chunk (every 32nd 64 KiB), which is
 * only read: unwritten chunks between written ones, which a reopen must
 * find unwritten again.
 */
static int touches_cold(uint64_t lba, uint64_t nr)
{
	uint64_t c, per = 65536 / BS;

	for (c = lba / per; c <= (lba + nr - 1) / per; c++)
		if (c % 32 == 5)
			return 1;
	return 0;
}

static int one_op(int fd, unsigned int me, unsigned int procs, uint8_t *buf)
{
	uint8_t cdb[16] = { 0 }, param[24] = { 0 };
	uint64_t lba, nr, i;
	unsigned int kind = rnd() % 10;

	pick(me, procs, &lba, &nr, MAX_BLOCKS);
	if (touches_cold(lba, nr))
		kind = 9;
	if (kind < 5) {				/* WRITE */
		for (i = 0; i < nr * BS; i++)
			buf[i] = rnd();
		if (pwrite(fd, buf, nr * BS, lba * BS) != (ssize_t)(nr * BS))
			die("pwrite");
		memcpy(model + lba * BS, buf, nr * BS);
	} else if (kind < 7) {			/* WRITE SAME(16), maybe UNMAP */
		int zero = rnd() % 2;

		for (i = 0; i < BS; i++)
			buf[i] = zero ? 0 : rnd();
		cdb[0] = 0x93;
		cdb[1] = rnd() % 2 ? 0x08 : 0;
		put_be(cdb + 2, lba, 8);
		put_be(cdb + 10, nr, 4);
		if (sg_cmd(fd, cdb, 16, buf, BS))
			return -1;
		for (i = 0; i < nr; i++)
			memcpy(model + (lba + i) * BS, buf, BS);
	} else if (kind < 8) {			/* UNMAP: reads zeros (LBPRZ) */
		cdb[0] = 0x42;
		put_be(cdb + 7, sizeof(param), 2);
		put_be(param, sizeof(param) - 2, 2);
		put_be(param + 2, 16, 2);
		put_be(param + 8, lba, 8);
		put_be(param + 16, nr, 4);
		if (sg_cmd(fd, cdb, 10, param, sizeof(param)))
			return -1;
		memset(model + lba * BS, 0, nr * BS);
	} else {				/* READ, compared now */
		return compare(fd, lba, nr, buf);
	}
	return 0;
}

/* One zeroing command (the "zeros" subcommand); 0 when it succeeded. */
static int zeros(int fd, const char *how, uint64_t lba, uint64_t nr)
{
	uint8_t cdb[16] = { 0 }, param[24] = { 0 }, block[BS] = { 0 };

	if (!strcmp(how, "unmap")) {
		cdb[0] = 0x42;
		put_be(cdb + 7, sizeof(param), 2);
		put_be(param, sizeof(param) - 2, 2);
		put_be(param + 2, 16, 2);
		put_be(param + 8, lba, 8);
		put_be(param + 16, nr, 4);
		return sg_cmd(fd, cdb, 10, param, sizeof(param));
	}
	if (strcmp(how, "ws") && strcmp(how, "ws-unmap")) {
		fprintf(stderr, "zeros: HOW is unmap, ws or ws-unmap, not '%s'\n", how);
		return -1;
	}
	cdb[0] = 0x93;
	cdb[1] = strcmp(how, "ws") ? 0x08 : 0;
	put_be(cdb + 2, lba, 8);
	put_be(cdb + 10, nr, 4);
	return sg_cmd(fd, cdb, 16, block, BS);
}

static int compare_all(int fd, uint8_t *buf)
{
	uint64_t lba;

	for (lba = 0; lba < nr_blocks; lba += MAX_BLOCKS)
		if (compare(fd, lba, nr_blocks - lba < MAX_BLOCKS ? nr_blocks - lba : MAX_BLOCKS,
			    buf))
			return -1;
	return 0;
}

static int open_dev(const char *dev, uint8_t **buf)
{
	int fd = open(dev, O_RDWR | O_DIRECT);
	uint64_t size;

	if (fd < 0)
		die(dev);
	size = lseek(fd, 0, SEEK_END);
	nr_blocks = size / BS;
	if (posix_memalign((void **)buf, 4096, MAX_BLOCKS * BS))
		die("posix_memalign");
	model = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (model == MAP_FAILED)
		die("mmap");
	return fd;
}

static void load(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0 || read(fd, model, nr_blocks * BS) != (ssize_t)(nr_blocks * BS))
		die(path);
	close(fd);
}

static void save(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, model, nr_blocks * BS) != (ssize_t)(nr_blocks * BS))
		die(path);
	close(fd);
}

int main(int argc, char **argv)
{
	unsigned int procs = 1, me, bad = 0;
	uint64_t n, i;
	uint8_t *buf;
	int fd, st;

	if (argc == 4 && !strcmp(argv[1], "golden")) {
		uint8_t b[BS];
		uint64_t size = strtoull(argv[3], NULL, 0);
		FILE *f = fopen(argv[2], "w");

		if (!f)
			die(argv[2]);
		for (i = 0; i < size / BS; i++) {
			golden_block(b, i);
			if (fwrite(b, BS, 1, f) != 1)
				die("fwrite");
		}
		return fclose(f) ? 2 : 0;
	}
	if (argc == 4 && !strcmp(argv[1], "verify")) {
		fd = open_dev(argv[2], &buf);
		load(argv[3]);
		return compare_all(fd, buf) ? 1 : 0;
	}
	if (argc == 6 && !strcmp(argv[1], "zeros")) {
		fd = open(argv[2], O_RDWR);
		if (fd < 0)
			die(argv[2]);
		return zeros(fd, argv[3], strtoull(argv[4], NULL, 0),
			     strtoull(argv[5], NULL, 0)) ? 1 : 0;
	}
	if (argc < 7 || strcmp(argv[1], "run")) {
		fprintf(stderr, "usage: see the comment at the top of overlay_model.c\n");
		return 2;
	}
	fd = open_dev(argv[2], &buf);
	load(argv[3]);
	n = strtoull(argv[6], NULL, 0);
	if (argc > 7)
		procs = atoi(argv[7]);
	for (me = 0; me < procs; me++) {
		if (fork() == 0) {
			rnd_state = strtoull(argv[5], NULL, 0) * 2654435761u + me + 1;
			for (i = 0; i < n / procs; i++)
				if (one_op(fd, me, procs, buf))
					_exit(1);
			_exit(0);
		}
	}
	while (wait(&st) > 0)
		bad |= !WIFEXITED(st) || WEXITSTATUS(st);
	if (bad || compare_all(fd, buf))
		return 1;
	save(argv[4]);
	return 0;
}
