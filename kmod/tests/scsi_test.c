// SPDX-License-Identifier: GPL-2.0
/* Host unit test of the SCSI decoder (bootsan_scsi_decode() and friends), printing TAP. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../scsi.h"

static const u32 luns5[] = { 0, 1, 255, 256, 16383 };
static struct scsi_lun_info L;
static struct scsi_req R;
static u8 C[16];		/* the CDB of the next run() */
static u8 *buf;			/* exact-size data-in buffer, for ASan */

static void lun_default(void)
{
	memset(&L, 0, sizeof(L));
	L.nr_blocks = 0x100000;		/* fits READ(6)'s 21-bit LBA */
	L.block_size = 512;
	L.serial = "SN0001";
	L.naa = 0x6001405abcdef012ULL;
	L.target_name = "iqn.2024-01.org.example:disk1";
	L.relative_port = 1;
	L.target_port_group = 1;
	L.all_luns = luns5;
	L.nr_luns = 5;
	L.max_xfer_blocks = 2048;
	L.opt_xfer_blocks = 128;
	L.max_unmap_blocks = 8192;
	L.max_unmap_descriptors = 4;
	L.vendor = "BOOTSAN ";
	L.product = "bootsan disk";
	L.revision = "0001";
}

static void cdb(int len, ...)
{
	va_list ap;
	int i;

	memset(C, 0, sizeof(C));
	va_start(ap, len);
	for (i = 0; i < len; i++)
		C[i] = va_arg(ap, int);
	va_end(ap);
}

static void be(u8 *p, u64 v, int bytes)
{
	while (bytes--) {
		p[bytes] = v & 0xff;
		v >>= 8;
	}
}

/* A READ/WRITE/VERIFY-shaped CDB of the size of @op's group. */
static void c_rw(u8 op, u64 lba, u32 len, u8 flags)
{
	memset(C, 0, sizeof(C));
	C[0] = op;
	switch (op >> 5) {
	case 0:
		be(&C[1], lba, 3);
		C[1] = (C[1] & 0x1f) | flags;
		C[4] = len;
		break;
	case 1:
	case 2:
		C[1] = flags;
		be(&C[2], lba, 4);
		be(&C[7], len, 2);
		break;
	case 5:
		C[1] = flags;
		be(&C[2], lba, 4);
		be(&C[6], len, 4);
		break;
	default:
		C[1] = flags;
		be(&C[2], lba, 8);
		be(&C[10], len, 4);
		break;
	}
}

static int run_cap(u32 cap)
{
	int rc;

	free(buf);
	buf = cap ? malloc(cap) : NULL;
	memset(&R, 0xa5, sizeof(R));	/* out fields must all be set */
	R.cdb = C;
	R.cdb_len = 16;
	R.expected_xfer_len = 0;
	R.data_in = buf;
	R.data_in_cap = cap;
	rc = bootsan_scsi_decode(&L, &R);
	if (R.status == SCSI_STATUS_GOOD && R.action == SCSI_ACT_DONE &&
	    R.data_in_len > cap)
		ok(0, "data_in_len %u beyond cap %u", R.data_in_len, cap);
	return rc;
}

static int run(void)
{
	return run_cap(4096);
}

static int good(void)
{
	return R.status == SCSI_STATUS_GOOD && R.sense_len == 0;
}

static int done_good(void)
{
	return good() && R.action == SCSI_ACT_DONE;
}

static int sense_is(u8 key, u8 asc, u8 ascq)
{
	return R.status == SCSI_STATUS_CHECK_CONDITION &&
	       R.sense_len == 18 && R.sense[0] == 0x70 &&
	       R.sense[2] == key && R.sense[7] == 10 &&
	       R.sense[12] == asc && R.sense[13] == ascq &&
	       R.action == SCSI_ACT_DONE && R.data_in_len == 0 &&
	       R.data_out_len == 0;
}

static int lba_oob(void)
{
	return sense_is(0x5, 0x21, 0x00);
}

static int bad_opcode(void)
{
	return sense_is(0x5, 0x20, 0x00);
}

static int write_protected(void)
{
	return sense_is(0x7, 0x27, 0x00);
}

/* INVALID FIELD IN CDB pointing at @byte, bit @bit (-1: no bit). */
static int bad_field(int byte, int bit)
{
	u8 sks = 0xc0 | (bit >= 0 ? 0x08 | bit : 0);

	return sense_is(0x5, 0x24, 0x00) && R.sense[15] == sks &&
	       R.sense[16] == byte >> 8 && R.sense[17] == (byte & 0xff);
}

/* INVALID FIELD IN PARAMETER LIST pointing at @byte, bit @bit. */
static int bad_param(int byte, int bit)
{
	u8 sks = 0x80 | (bit >= 0 ? 0x08 | bit : 0);

	return sense_is(0x5, 0x26, 0x00) && R.sense[15] == sks &&
	       R.sense[16] == byte >> 8 && R.sense[17] == (byte & 0xff);
}

static u32 be32_at(const u8 *p)
{
	return (u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static u64 be64_at(const u8 *p)
{
	return (u64)be32_at(p) << 32 | be32_at(p + 4);
}

static u16 be16_at(const u8 *p)
{
	return p[0] << 8 | p[1];
}

static void test_args(void)
{
	struct scsi_req r = { .cdb = C, .cdb_len = 16 };
	struct scsi_lun_info bad;

	cdb(6, 0x00, 0, 0, 0, 0, 0);
	ok(bootsan_scsi_decode(NULL, &r) == -EINVAL, "NULL lun -> -EINVAL");
	ok(bootsan_scsi_decode(&L, NULL) == -EINVAL, "NULL req -> -EINVAL");
	r.cdb = NULL;
	ok(bootsan_scsi_decode(&L, &r) == -EINVAL, "NULL cdb -> -EINVAL");
	r.cdb = C;
	r.data_in_cap = 10;
	ok(bootsan_scsi_decode(&L, &r) == -EINVAL, "NULL data_in with a capacity -> -EINVAL");
	r.data_in_cap = 0;
	bad = L;
	bad.nr_blocks = 0;
	ok(bootsan_scsi_decode(&bad, &r) == -EINVAL, "zero capacity -> -EINVAL");
	bad = L;
	bad.block_size = 1000;
	ok(bootsan_scsi_decode(&bad, &r) == -EINVAL, "block size 1000 -> -EINVAL");
	ok(bootsan_scsi_decode(&L, &r) == 0 && r.status == 0,
	   "TEST UNIT READY without a data-in buffer");
}

static void test_generic(void)
{
	static const u8 unsupported[] = { 0x04, 0x83, 0x84, 0x7f, 0xc0,
					  0x1d, 0x4d, 0x3b, 0x48, 0xa4, 0xff };
	size_t i;

	cdb(6, 0x00, 0, 0, 0, 0, 0);
	ok(run() == 0 && done_good() && R.data_in_len == 0 &&
	   R.data_out_len == 0, "TEST UNIT READY: GOOD");
	cdb(6, 0x00, 0, 0, 0, 0, 0x04);
	run();
	ok(bad_field(5, 2), "TEST UNIT READY NACA=1: INVALID FIELD IN CDB, byte 5 bit 2");
	c_rw(0x28, 0, 1, 0);
	C[9] = 0x01;
	run();
	ok(bad_field(9, 0), "READ(10) LINK=1: INVALID FIELD IN CDB, byte 9 bit 0");
	c_rw(0x88, 0, 1, 0);
	C[15] = 0xc0;
	run();
	ok(R.status == 0 && R.action == SCSI_ACT_READ,
	   "READ(16) vendor-specific control bits are ignored");
	for (i = 0; i < sizeof(unsupported); i++) {
		cdb(1, unsupported[i]);
		run();
		ok(bad_opcode(), "opcode %02xh: INVALID COMMAND OPERATION CODE",
		   unsupported[i]);
	}
	c_rw(0x28, 0, 1, 0);
	R.cdb_len = 0;
	free(buf);
	buf = malloc(64);
	memset(&R, 0, sizeof(R));
	R.cdb = C;
	R.data_in = buf;
	R.data_in_cap = 64;
	R.cdb_len = 6;
	bootsan_scsi_decode(&L, &R);
	ok(sense_is(0x5, 0x24, 0), "READ(10) in a 6-byte CDB: INVALID FIELD IN CDB");
	R.cdb_len = 17;
	bootsan_scsi_decode(&L, &R);
	ok(sense_is(0x5, 0x24, 0), "17-byte CDB (AHS): INVALID FIELD IN CDB");
	R.cdb_len = 0;
	bootsan_scsi_decode(&L, &R);
	ok(sense_is(0x5, 0x24, 0), "empty CDB: INVALID FIELD IN CDB");
	R.cdb_len = 10;
	bootsan_scsi_decode(&L, &R);
	ok(R.status == 0 && R.action == SCSI_ACT_READ, "READ(10) in a 10-byte CDB");
	bootsan_scsi_set_sense(&R, 0x3, 0x11, 0x00);
	ok(sense_is(0x3, 0x11, 0x00) && R.sense[15] == 0 && R.sense[16] == 0,
	   "bootsan_scsi_set_sense: fixed format, key/ASC/ASCQ, no SKS");
}

struct rw_op {
	u8 op;
	const char *name;
	int write;
	u64 max_lba;	/* largest LBA the CDB can carry */
};

static const struct rw_op rw_ops[] = {
	{ 0x08, "READ(6)", 0, 0x1fffff },
	{ 0x0a, "WRITE(6)", 1, 0x1fffff },
	{ 0x28, "READ(10)", 0, 0xffffffff },
	{ 0x2a, "WRITE(10)", 1, 0xffffffff },
	{ 0xa8, "READ(12)", 0, 0xffffffff },
	{ 0xaa, "WRITE(12)", 1, 0xffffffff },
	{ 0x88, "READ(16)", 0, ~0ULL },
	{ 0x8a, "WRITE(16)", 1, ~0ULL },
};

static void test_read_write(void)
{
	u64 last = L.nr_blocks - 1;
	size_t i;

	for (i = 0; i < sizeof(rw_ops) / sizeof(*rw_ops); i++) {
		const struct rw_op *o = &rw_ops[i];
		enum scsi_action act = o->write ? SCSI_ACT_WRITE : SCSI_ACT_READ;

		c_rw(o->op, last, 1, 0);
		run();
		ok(good() && R.action == act && R.lba == last &&
		   R.nr_blocks == 1 && R.data_out_len == (o->write ? 512U : 0),
		   "%s of the last block", o->name);
		c_rw(o->op, last + 1, 1, 0);
		run();
		ok(lba_oob(), "%s one past the last block: LBA OUT OF RANGE", o->name);
		c_rw(o->op, last, 2, 0);
		run();
		ok(lba_oob(), "%s of 2 blocks from the last: LBA OUT OF RANGE", o->name);
		c_rw(o->op, o->max_lba, 1, 0);
		run();
		ok(lba_oob(), "%s at the largest LBA of the CDB: LBA OUT OF RANGE",
		   o->name);
		if (o->write) {
			L.read_only = true;
			c_rw(o->op, 0, 1, 0);
			run();
			ok(write_protected(), "%s on a read-only LUN: DATA PROTECT, WRITE PROTECTED",
			   o->name);
			L.read_only = false;
		}
		if (o->op >> 5) {
			c_rw(o->op, 0, 1, 0x20);
			run();
			ok(bad_field(1, 7), "%s %sPROTECT=1: INVALID FIELD IN CDB, byte 1 bit 7",
			   o->name, o->write ? "WR" : "RD");
			c_rw(o->op, 5, 4, 0x18);
			run();
			ok(good() && R.action == act && R.fua && R.dpo &&
			   R.lba == 5 && R.nr_blocks == 4,
			   "%s FUA and DPO", o->name);
			c_rw(o->op, 7, 0, 0);
			run();
			ok(done_good() && R.nr_blocks == 0 && R.data_out_len == 0,
			   "%s of 0 blocks: GOOD, no transfer", o->name);
			c_rw(o->op, L.nr_blocks + 1, 0, 0);
			run();
			ok(lba_oob(), "%s of 0 blocks past the end: LBA OUT OF RANGE",
			   o->name);
			c_rw(o->op, 0, 2049, 0);
			run();
			ok(bad_field((o->op >> 5) == 5 ? 6 : (o->op >> 5) == 4 ? 10 : 7, 7),
			   "%s beyond MAXIMUM TRANSFER LENGTH: INVALID FIELD IN CDB",
			   o->name);
		}
	}
	c_rw(0x08, 0, 0, 0);
	run();
	ok(good() && R.action == SCSI_ACT_READ && R.nr_blocks == 256,
	   "READ(6) transfer length 0 means 256 blocks");
	c_rw(0x0a, L.nr_blocks - 256, 0, 0);
	run();
	ok(good() && R.action == SCSI_ACT_WRITE && R.nr_blocks == 256 &&
	   R.data_out_len == 256 * 512, "WRITE(6) of 256 blocks ending at the last block");
	c_rw(0x08, L.nr_blocks - 255, 0, 0);
	run();
	ok(lba_oob(), "READ(6) of 256 blocks crossing the end: LBA OUT OF RANGE");
	L.max_xfer_blocks = 128;
	c_rw(0x08, 0, 0, 0);
	run();
	ok(bad_field(4, 7), "READ(6) of 256 blocks beyond a 128-block limit: INVALID FIELD");
	L.max_xfer_blocks = 2048;
	c_rw(0x88, ~0ULL, 2, 0);
	run();
	ok(lba_oob(), "READ(16) LBA 2^64-1, 2 blocks (64-bit wrap): LBA OUT OF RANGE");
	c_rw(0x88, ~0ULL - 0xfffff, 0x100001, 0);
	run();
	ok(lba_oob(), "READ(16) wrapping to LBA 0: LBA OUT OF RANGE");
	L.nr_blocks = 1ULL << 40;
	c_rw(0x88, (1ULL << 40) - 1, 1, 0);
	run();
	ok(good() && R.lba == (1ULL << 40) - 1, "READ(16) of the last block of a 2^40-block LUN");
	L.max_xfer_blocks = 0;
	c_rw(0x8a, 0, 0xffffffff, 0);
	run();
	ok(bad_field(10, 7), "WRITE(16) of 2^32-1 blocks (data-out beyond 32 bits): INVALID FIELD");
	L.max_xfer_blocks = 2048;
	L.nr_blocks = 0x100000;
	L.block_size = 4096;
	c_rw(0x2a, 10, 8, 0);
	run();
	ok(good() && R.action == SCSI_ACT_WRITE && R.data_out_len == 32768,
	   "WRITE(10) of 8 4096-byte blocks: data_out_len 32768");
	L.block_size = 512;
}

static void test_verify(void)
{
	c_rw(0x2f, 10, 4, 0x00);
	run();
	ok(done_good(), "VERIFY(10) BYTCHK=0: GOOD");
	c_rw(0x2f, 10, 4, 0x02 | 0x10);
	run();
	ok(good() && R.action == SCSI_ACT_VERIFY_READ && R.lba == 10 &&
	   R.nr_blocks == 4 && R.data_out_len == 2048 && R.dpo,
	   "VERIFY(10) BYTCHK=1: VERIFY_READ with 4 blocks of data-out");
	c_rw(0x8f, L.nr_blocks - 1, 1, 0x02);
	run();
	ok(good() && R.action == SCSI_ACT_VERIFY_READ, "VERIFY(16) BYTCHK=1 of the last block");
	c_rw(0x2f, 10, 4, 0x04);
	run();
	ok(bad_field(1, 2), "VERIFY(10) BYTCHK=2 (reserved): INVALID FIELD IN CDB");
	c_rw(0x8f, 10, 4, 0x06);
	run();
	ok(bad_field(1, 2), "VERIFY(16) BYTCHK=3: INVALID FIELD IN CDB");
	c_rw(0x8f, L.nr_blocks, 1, 0);
	run();
	ok(lba_oob(), "VERIFY(16) past the end: LBA OUT OF RANGE");
	c_rw(0x2f, 0, 1, 0x20);
	run();
	ok(bad_field(1, 7), "VERIFY(10) VRPROTECT: INVALID FIELD IN CDB");
	c_rw(0x2e, 3, 2, 0x10);
	run();
	ok(good() && R.action == SCSI_ACT_WRITE_VERIFY && R.data_out_len == 1024 &&
	   R.dpo, "WRITE AND VERIFY(10)");
	c_rw(0x8e, L.nr_blocks - 1, 2, 0);
	run();
	ok(lba_oob(), "WRITE AND VERIFY(16) past the end: LBA OUT OF RANGE");
	L.read_only = true;
	c_rw(0x8e, 0, 1, 0);
	run();
	ok(write_protected(), "WRITE AND VERIFY(16) read-only: DATA PROTECT");
	L.read_only = false;
}

/* Commands that get no data_in buffer in the kernel never need one. */
static void test_moves_blocks(void)
{
	static const u8 ops[] = { 0x08, 0x28, 0xa8, 0x88, 0x0a, 0x2a, 0xaa, 0x8a, 0x35, 0x91 };
	unsigned int i, n_ops = 0, op;

	for (op = 0; op < 256; op++)
		n_ops += bootsan_scsi_cdb_moves_blocks(op);
	ok(n_ops == sizeof(ops), "%u opcodes need no data_in buffer", n_ops);
	for (i = 0; i < sizeof(ops); i++) {
		ok(bootsan_scsi_cdb_moves_blocks(ops[i]), "opcode 0x%02x needs no data_in buffer", ops[i]);
		c_rw(ops[i], 8, 1, 0);
		ok(run_cap(0) == 0 && R.data_in_len == 0 && good() && R.action != SCSI_ACT_DONE,
		   "opcode 0x%02x decodes with no data_in buffer", ops[i]);
		c_rw(ops[i], L.nr_blocks, 1, 0);
		ok(run_cap(0) == 0 && R.data_in_len == 0 && lba_oob(),
		   "opcode 0x%02x out of range: sense only, no data", ops[i]);
	}
}

static void test_sync_cache(void)
{
	c_rw(0x35, 0, 0, 0x02);
	run();
	ok(good() && R.action == SCSI_ACT_FLUSH && R.lba == 0 && R.nr_blocks == 0,
	   "SYNCHRONIZE CACHE(10) whole LUN: FLUSH");
	c_rw(0x91, 100, 50, 0);
	run();
	ok(good() && R.action == SCSI_ACT_FLUSH && R.lba == 100 && R.nr_blocks == 50,
	   "SYNCHRONIZE CACHE(16) of a range: FLUSH");
	c_rw(0x91, L.nr_blocks - 10, 11, 0);
	run();
	ok(lba_oob(), "SYNCHRONIZE CACHE(16) past the end: LBA OUT OF RANGE");
	L.read_only = true;
	c_rw(0x35, 0, 0, 0);
	run();
	ok(good() && R.action == SCSI_ACT_FLUSH, "SYNCHRONIZE CACHE on a read-only LUN: FLUSH");
	L.read_only = false;
}

static void test_write_same(void)
{
	L.thin = true;
	c_rw(0x41, 8, 16, 0x08);
	run();
	ok(good() && R.action == SCSI_ACT_WRITE_SAME && R.unmap && !R.ndob &&
	   R.lba == 8 && R.nr_blocks == 16 && R.data_out_len == 512,
	   "WRITE SAME(10) UNMAP on a thin LUN: one block of data-out");
	c_rw(0x93, 8, 16, 0x09);
	run();
	ok(good() && R.action == SCSI_ACT_WRITE_SAME && R.unmap && R.ndob &&
	   R.data_out_len == 0, "WRITE SAME(16) UNMAP NDOB: no data-out");
	c_rw(0x93, 8, 0, 0);
	run();
	ok(bad_field(10, 7), "WRITE SAME(16) of 0 blocks (WSNZ=1): INVALID FIELD, byte 10");
	c_rw(0x41, 8, 0, 0);
	run();
	ok(bad_field(7, 7), "WRITE SAME(10) of 0 blocks: INVALID FIELD, byte 7");
	c_rw(0x41, 8, 1, 0x10);
	run();
	ok(bad_field(1, 4), "WRITE SAME(10) ANCHOR: INVALID FIELD, byte 1 bit 4");
	c_rw(0x41, 8, 1, 0x04);
	run();
	ok(bad_field(1, 2), "WRITE SAME(10) PBDATA (obsolete): INVALID FIELD, byte 1 bit 2");
	c_rw(0x93, L.nr_blocks - 1, 2, 0);
	run();
	ok(lba_oob(), "WRITE SAME(16) past the end: LBA OUT OF RANGE");
	L.max_write_same_blocks = 16;
	c_rw(0x93, 8, 17, 0x08);
	run();
	ok(bad_field(10, 7), "WRITE SAME(16) beyond MAXIMUM WRITE SAME LENGTH: INVALID FIELD");
	c_rw(0x93, 8, 16, 0x08);
	run();
	ok(good(), "WRITE SAME(16) of MAXIMUM WRITE SAME LENGTH blocks: GOOD");
	L.max_write_same_blocks = 0;
	L.thin = false;
	c_rw(0x93, 8, 16, 0x08);
	run();
	ok(bad_field(1, 3), "WRITE SAME(16) UNMAP on a thick LUN: INVALID FIELD, byte 1 bit 3");
	c_rw(0x93, 8, 16, 0);
	run();
	ok(good() && R.action == SCSI_ACT_WRITE_SAME && !R.unmap &&
	   R.data_out_len == 512, "WRITE SAME(16) without UNMAP on a thick LUN");
	L.read_only = true;
	run();
	ok(write_protected(), "WRITE SAME(16) read-only: DATA PROTECT");
	L.read_only = false;
}

static int unmap_calls;
static u64 unmap_lba[8];
static u32 unmap_nr[8];

static void unmap_cb(void *ctx, u64 lba, u32 nr)
{
	(void)ctx;
	if (unmap_calls < 8) {
		unmap_lba[unmap_calls] = lba;
		unmap_nr[unmap_calls] = nr;
	}
	unmap_calls++;
}

static int parse_unmap(const u8 *p, u32 len)
{
	u8 *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, p, len);
	unmap_calls = 0;
	memset(&R, 0, sizeof(R));
	rc = bootsan_scsi_parse_unmap(copy, len, &L, &R, unmap_cb, NULL);
	free(copy);
	return rc;
}

static void unmap_desc(u8 *p, u64 lba, u32 nr)
{
	be(p, lba, 8);
	be(p + 8, nr, 4);
	memset(p + 12, 0, 4);
}

static void test_unmap(void)
{
	u8 list[8 + 16 * 5 + 4];
	int rc;

	cdb(10, 0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0);
	run();
	ok(bad_opcode(), "UNMAP on a thick LUN: INVALID COMMAND OPERATION CODE");
	L.thin = true;
	run();
	ok(good() && R.action == SCSI_ACT_UNMAP && R.data_out_len == 24,
	   "UNMAP on a thin LUN: data_out_len is the parameter list length");
	C[1] = 0x01;
	run();
	ok(bad_field(1, 0), "UNMAP ANCHOR: INVALID FIELD, byte 1 bit 0");
	C[1] = 0;
	C[8] = 0;
	run();
	ok(done_good(), "UNMAP with parameter list length 0: GOOD");
	C[8] = 4;
	run();
	ok(sense_is(0x5, 0x1a, 0x00), "UNMAP with parameter list length 4: PARAMETER LIST LENGTH ERROR");
	C[8] = 24;
	L.read_only = true;
	run();
	ok(write_protected(), "UNMAP read-only: DATA PROTECT");
	L.read_only = false;

	memset(list, 0, sizeof(list));
	be(list, 6 + 32, 2);
	be(list + 2, 32, 2);
	unmap_desc(list + 8, 100, 8);
	unmap_desc(list + 24, L.nr_blocks - 4, 4);
	rc = parse_unmap(list, 40);
	ok(rc == 0 && R.status == 0 && unmap_calls == 2 && unmap_lba[0] == 100 &&
	   unmap_nr[0] == 8 && unmap_lba[1] == L.nr_blocks - 4 && unmap_nr[1] == 4,
	   "bootsan_scsi_parse_unmap: two descriptors, up to the last block");
	unmap_desc(list + 24, L.nr_blocks - 4, 5);
	rc = parse_unmap(list, 40);
	ok(rc == -EINVAL && lba_oob() && unmap_calls == 0,
	   "bootsan_scsi_parse_unmap: a range past the end: LBA OUT OF RANGE, nothing unmapped");
	unmap_desc(list + 24, ~0ULL, 2);
	rc = parse_unmap(list, 40);
	ok(rc == -EINVAL && lba_oob() && unmap_calls == 0,
	   "bootsan_scsi_parse_unmap: a range wrapping 2^64: LBA OUT OF RANGE");
	unmap_desc(list + 24, 0, 0);
	rc = parse_unmap(list, 40);
	ok(rc == 0 && unmap_calls == 1, "bootsan_scsi_parse_unmap: a 0-block descriptor is skipped");
	unmap_desc(list + 24, 200, 8190);
	rc = parse_unmap(list, 40);
	ok(rc == -EINVAL && bad_param(32, 7) && unmap_calls == 0,
	   "bootsan_scsi_parse_unmap: more blocks than MAXIMUM UNMAP LBA COUNT: INVALID FIELD IN PARAMETER LIST");
	be(list + 2, 80, 2);
	rc = parse_unmap(list, 88);
	ok(rc == -EINVAL && bad_param(2, 7) && unmap_calls == 0,
	   "bootsan_scsi_parse_unmap: 5 descriptors, limit 4: INVALID FIELD IN PARAMETER LIST");
	unmap_desc(list + 24, 200, 8);
	be(list + 2, 40, 2);
	rc = parse_unmap(list, 48);
	ok(rc == 0 && unmap_calls == 2,
	   "bootsan_scsi_parse_unmap: incomplete last descriptor ignored");
	be(list + 2, 32, 2);
	rc = parse_unmap(list, 30);
	ok(rc == 0 && unmap_calls == 1,
	   "bootsan_scsi_parse_unmap: descriptor length beyond what came is bounded");
	rc = parse_unmap(list, 5);
	ok(rc == -EINVAL && sense_is(0x5, 0x1a, 0) && unmap_calls == 0,
	   "bootsan_scsi_parse_unmap: 5-byte list: PARAMETER LIST LENGTH ERROR");
	rc = parse_unmap(list, 0);
	ok(rc == 0 && unmap_calls == 0, "bootsan_scsi_parse_unmap: empty list");
	L.thin = false;
}

static void test_compare_and_write(void)
{
	cdb(16, 0x89, 0x08, 0, 0, 0, 0, 0, 0, 0, 42, 0, 0, 0, 1, 0, 0);
	run();
	ok(good() && R.action == SCSI_ACT_COMPARE_AND_WRITE && R.lba == 42 &&
	   R.nr_blocks == 1 && R.data_out_len == 1024 && R.fua,
	   "COMPARE AND WRITE of 1 block: 2 blocks of data-out");
	C[13] = 2;
	run();
	ok(bad_field(13, 7), "COMPARE AND WRITE of 2 blocks: INVALID FIELD, byte 13");
	C[13] = 0;
	run();
	ok(done_good(), "COMPARE AND WRITE of 0 blocks: GOOD");
	C[13] = 1;
	be(&C[2], L.nr_blocks, 8);
	run();
	ok(lba_oob(), "COMPARE AND WRITE past the end: LBA OUT OF RANGE");
	L.read_only = true;
	be(&C[2], 0, 8);
	run();
	ok(write_protected(), "COMPARE AND WRITE read-only: DATA PROTECT");
	L.read_only = false;
}

static void test_read_capacity(void)
{
	cdb(10, 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	run();
	ok(done_good() && R.data_in_len == 8 && be32_at(buf) == 0xfffff &&
	   be32_at(buf + 4) == 512, "READ CAPACITY(10): last LBA and block length");
	L.nr_blocks = 0x100000000ULL;
	run();
	ok(good() && be32_at(buf) == 0xffffffff,
	   "READ CAPACITY(10) of 2^32 blocks: FFFFFFFFh");
	L.nr_blocks = 0xffffffffULL;
	run();
	ok(good() && be32_at(buf) == 0xfffffffe,
	   "READ CAPACITY(10) of 2^32-1 blocks: FFFFFFFEh");
	L.nr_blocks = 0x100000;
	C[5] = 1;
	run();
	ok(bad_field(2, 7), "READ CAPACITY(10) PMI=0 with an LBA: INVALID FIELD, byte 2");
	C[8] = 1;
	run();
	ok(good(), "READ CAPACITY(10) PMI=1 with an LBA: GOOD");
	run_cap(4);
	ok(good() && R.data_in_len == 4, "READ CAPACITY(10) into a 4-byte buffer: 4 bytes");

	cdb(16, 0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0);
	L.nr_blocks = 1ULL << 40;
	L.block_size = 4096;
	run();
	ok(done_good() && R.data_in_len == 32 && be64_at(buf) == (1ULL << 40) - 1 &&
	   be32_at(buf + 8) == 4096 && buf[12] == 0 && buf[13] == 0 && buf[14] == 0,
	   "READ CAPACITY(16): last LBA, block length, LBPME=0");
	L.thin = true;
	run();
	ok(good() && buf[14] == 0xc0, "READ CAPACITY(16) thin: LBPME and LBPRZ");
	L.thin = false;
	L.nr_blocks = 0x100000;
	L.block_size = 512;
	C[13] = 12;
	run();
	ok(good() && R.data_in_len == 12 && R.alloc_len == 12,
	   "READ CAPACITY(16) allocation length 12: 12 bytes");
	C[13] = 0;
	run();
	ok(done_good() && R.data_in_len == 0, "READ CAPACITY(16) allocation length 0: no data");
	C[13] = 32;
	run_cap(16);
	ok(good() && R.data_in_len == 16, "READ CAPACITY(16) into a 16-byte buffer: 16 bytes");
	C[9] = 1;
	run();
	ok(bad_field(2, 7), "READ CAPACITY(16) PMI=0 with an LBA: INVALID FIELD");
	cdb(16, 0x9e, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0);
	run();
	ok(bad_field(1, 4), "SERVICE ACTION IN(16) SA 11h: INVALID FIELD, byte 1 bit 4");
}

static void test_get_lba_status(void)
{
	cdb(16, 0x9e, 0x12, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 24, 0, 0);
	run();
	ok(done_good() && R.data_in_len == 24 && be32_at(buf) == 20 &&
	   be64_at(buf + 8) == 0x1000 && be32_at(buf + 16) == L.nr_blocks - 0x1000 &&
	   buf[20] == 0, "GET LBA STATUS thick: one mapped extent to the end");
	L.thin = true;
	run();
	ok(good() && R.action == SCSI_ACT_GET_LBA_STATUS && R.lba == 0x1000 &&
	   R.alloc_len == 24, "GET LBA STATUS thin: asks the backend");
	bootsan_scsi_fill_lba_status(&R, 0x1000, 77, false, R.alloc_len);
	ok(done_good() && R.data_in_len == 24 && be32_at(buf) == 20 &&
	   be64_at(buf + 8) == 0x1000 && be32_at(buf + 16) == 77 && buf[20] == 1,
	   "bootsan_scsi_fill_lba_status: deallocated extent");
	bootsan_scsi_fill_lba_status(&R, 0, 1ULL << 33, true, 16);
	ok(R.data_in_len == 16 && be32_at(buf) == 20,
	   "bootsan_scsi_fill_lba_status truncated to the allocation length");
	bootsan_scsi_fill_lba_status(&R, 0, 1ULL << 33, true, 24);
	ok(be32_at(buf + 16) == 0xffffffff, "bootsan_scsi_fill_lba_status: count clipped to 32 bits");
	be(&C[2], L.nr_blocks, 8);
	run();
	ok(lba_oob(), "GET LBA STATUS at the capacity: LBA OUT OF RANGE");
	L.thin = false;
}

static const char *inquiry(u8 evpd, u8 page, u16 alloc, u32 cap)
{
	cdb(6, 0x12, evpd, page, alloc >> 8, alloc & 0xff, 0);
	run_cap(cap);
	return (const char *)buf;
}

static void test_inquiry(void)
{
	const u8 *p, *d, *end;
	int naa = 0, t10 = 0, name = 0, rel = 0, tpg = 0, lens_ok = 1;
	u32 plen;

	p = (const u8 *)inquiry(0, 0, 255, 4096);
	ok(done_good() && R.data_in_len == 96 && p[0] == 0 && p[1] == 0 &&
	   p[2] == 0x06 && p[3] == 0x12 && p[4] == 91 && p[5] == 0 &&
	   p[6] == 0 && p[7] == 0x02,
	   "standard INQUIRY: direct access, SPC-4, HISUP, format 2, CMDQUE");
	ok(!memcmp(p + 8, "BOOTSAN bootsan disk    0001", 28),
	   "standard INQUIRY: vendor, product, revision space-padded");
	ok(be16_at(p + 58) == 0x00a0 && be16_at(p + 60) == 0x0960 &&
	   be16_at(p + 62) == 0x0460 && be16_at(p + 64) == 0x04c0,
	   "standard INQUIRY: version descriptors SAM-5, iSCSI, SPC-4, SBC-3");
	L.vendor = "a\tb";
	L.product = NULL;
	p = (const u8 *)inquiry(0, 0, 36, 4096);
	ok(R.data_in_len == 36 && !memcmp(p + 8, "a b     bootsan disk    ", 24),
	   "standard INQUIRY: non-printable vendor bytes become spaces, NULL product defaults");
	L.vendor = "BOOTSAN ";
	L.product = "bootsan disk";
	inquiry(0, 0, 5, 4096);
	ok(good() && R.data_in_len == 5 && buf[4] == 91,
	   "standard INQUIRY allocation length 5: 5 bytes, full ADDITIONAL LENGTH");
	inquiry(0, 0, 0, 4096);
	ok(done_good() && R.data_in_len == 0, "INQUIRY allocation length 0: GOOD, no data");
	inquiry(0, 0, 96, 20);
	ok(good() && R.data_in_len == 20, "INQUIRY into a 20-byte buffer: 20 bytes");
	inquiry(0, 0x80, 255, 4096);
	ok(bad_field(2, 7), "INQUIRY page code without EVPD: INVALID FIELD, byte 2");
	inquiry(2, 0, 255, 4096);
	ok(bad_field(1, 1), "INQUIRY CMDDT=1: INVALID FIELD, byte 1 bit 1");
	inquiry(1, 0x89, 255, 4096);
	ok(bad_field(2, 7), "INQUIRY VPD 89h (unsupported): INVALID FIELD, byte 2");

	p = (const u8 *)inquiry(1, 0x00, 255, 4096);
	ok(good() && R.data_in_len == 10 && p[1] == 0 && be16_at(p + 2) == 6 &&
	   !memcmp(p + 4, "\x00\x80\x83\xb0\xb1\xb2", 6),
	   "VPD 00h: pages 00 80 83 B0 B1 B2");
	p = (const u8 *)inquiry(1, 0x80, 255, 4096);
	ok(good() && R.data_in_len == 10 && p[1] == 0x80 && be16_at(p + 2) == 6 &&
	   !memcmp(p + 4, "SN0001", 6), "VPD 80h: serial number");
	L.serial = NULL;
	p = (const u8 *)inquiry(1, 0x80, 255, 4096);
	ok(good() && R.data_in_len == 4 && be16_at(p + 2) == 0, "VPD 80h without a serial: empty");
	L.serial = "SN0001";

	p = (const u8 *)inquiry(1, 0x83, 1024, 4096);
	plen = be16_at(p + 2);
	ok(good() && p[1] == 0x83 && R.data_in_len == plen + 4,
	   "VPD 83h: page length matches the data (%u)", plen);
	end = p + 4 + plen;
	for (d = p + 4; d < end; d += 4 + d[3]) {
		if (d + 4 > end || d + 4 + d[3] > end) {
			lens_ok = 0;
			break;
		}
		switch (d[1] & 0x0f) {
		case 3:
			naa = d[0] == 0x01 && (d[1] & 0xb0) == 0x00 && d[3] == 8 &&
			      be64_at(d + 4) == L.naa;
			break;
		case 1:
			t10 = d[0] == 0x02 && d[3] == 8 + 6 &&
			      !memcmp(d + 4, "BOOTSAN SN0001", 14);
			break;
		case 8:
			name = d[0] == 0x53 && d[1] == 0x98 && d[3] % 4 == 0 &&
			       d[3] == 40 &&
			       !memcmp(d + 4, "iqn.2024-01.org.example:disk1,t,0x0001", 39) &&
			       d[4 + 38] == 0 && d[4 + 39] == 0;
			break;
		case 4:
			rel = d[0] == 0x51 && d[1] == 0x94 && d[3] == 4 &&
			      be16_at(d + 6) == 1;
			break;
		case 5:
			tpg = d[0] == 0x51 && d[1] == 0x95 && d[3] == 4 &&
			      be16_at(d + 6) == 1;
			break;
		}
	}
	ok(lens_ok && d == end, "VPD 83h: designator lengths add up to the page length");
	ok(naa, "VPD 83h: NAA designator (binary, LU, 8 bytes)");
	ok(t10, "VPD 83h: T10 vendor ID designator (vendor + serial)");
	ok(name, "VPD 83h: SCSI name string, iSCSI target port, NUL-padded to 40");
	ok(rel, "VPD 83h: relative target port 1");
	ok(tpg, "VPD 83h: target port group 1");
	L.naa = 0;
	L.target_name = NULL;
	L.serial = "";
	p = (const u8 *)inquiry(1, 0x83, 1024, 4096);
	ok(good() && be16_at(p + 2) == 4 + 24 + 8 + 8 && p[5] == 0x01 &&
	   !memcmp(p + 8, "BOOTSAN bootsan disk    ", 24) && p[33] == 0x94 && p[41] == 0x95,
	   "VPD 83h without NAA, serial or name: T10 vendor ID (vendor + product), ports");
	L.naa = 0x6001405abcdef012ULL;
	L.target_name = "iqn.2024-01.org.example:disk1";
	L.serial = "SN0001";
	inquiry(1, 0x83, 10, 4096);
	ok(good() && R.data_in_len == 10 && be16_at(buf + 2) == plen,
	   "VPD 83h allocation length 10: 10 bytes, full page length");

	p = (const u8 *)inquiry(1, 0xb0, 255, 4096);
	ok(good() && R.data_in_len == 64 && be16_at(p + 2) == 0x3c && p[4] == 1 &&
	   p[5] == 1 && be32_at(p + 8) == 2048 && be32_at(p + 12) == 128 &&
	   be32_at(p + 20) == 0 && be32_at(p + 24) == 0,
	   "VPD B0h thick: WSNZ, CAW length 1, transfer lengths, no UNMAP");
	L.thin = true;
	p = (const u8 *)inquiry(1, 0xb0, 255, 4096);
	ok(good() && be32_at(p + 20) == 8192 && be32_at(p + 24) == 4,
	   "VPD B0h thin: MAXIMUM UNMAP LBA COUNT, BLOCK DESCRIPTOR COUNT");
	L.max_unmap_blocks = 0;
	p = (const u8 *)inquiry(1, 0xb0, 255, 4096);
	ok(good() && be32_at(p + 20) == 0xffffffff, "VPD B0h thin without a limit: FFFFFFFFh");
	L.max_write_same_blocks = 16;
	p = (const u8 *)inquiry(1, 0xb0, 255, 4096);
	ok(good() && be32_at(p + 36) == 0 && be32_at(p + 40) == 16,
	   "VPD B0h: MAXIMUM WRITE SAME LENGTH");
	L.max_write_same_blocks = 0;
	L.max_unmap_blocks = 8192;
	p = (const u8 *)inquiry(1, 0xb2, 255, 4096);
	ok(good() && R.data_in_len == 8 && be16_at(p + 2) == 4 && p[5] == 0xe4 && p[6] == 2,
	   "VPD B2h thin: LBPU LBPWS LBPWS10 LBPRZ, thin provisioned");
	L.thin = false;
	p = (const u8 *)inquiry(1, 0xb2, 255, 4096);
	ok(good() && p[5] == 0 && p[6] == 0, "VPD B2h thick: nothing");
	p = (const u8 *)inquiry(1, 0xb1, 255, 4096);
	ok(good() && R.data_in_len == 64 && be16_at(p + 2) == 0x3c && be16_at(p + 4) == 1,
	   "VPD B1h: non-rotating medium");
	L.rotational = true;
	p = (const u8 *)inquiry(1, 0xb1, 255, 4096);
	ok(good() && be16_at(p + 4) == 0, "VPD B1h rotational: rate not reported");
	L.rotational = false;
}

static void report_luns(u8 select, u32 alloc)
{
	cdb(12, 0xa0, 0, select, 0, 0, 0, alloc >> 24, alloc >> 16, alloc >> 8,
	    alloc, 0, 0);
	run();
}

static void test_report_luns(void)
{
	static const u8 want[] = {
		0x00, 0x00, 0, 0, 0, 0, 0, 0,
		0x00, 0x01, 0, 0, 0, 0, 0, 0,
		0x00, 0xff, 0, 0, 0, 0, 0, 0,
		0x41, 0x00, 0, 0, 0, 0, 0, 0,
		0x7f, 0xff, 0, 0, 0, 0, 0, 0,
	};

	report_luns(0, 4096);
	ok(done_good() && R.data_in_len == 48 && be32_at(buf) == 40 &&
	   be32_at(buf + 4) == 0, "REPORT LUNS: 5 LUNs, LUN LIST LENGTH 40");
	ok(!memcmp(buf + 8, want, sizeof(want)),
	   "REPORT LUNS: LUN 0, 1, 255 peripheral; 256, 16383 flat space");
	report_luns(2, 16);
	ok(good() && R.data_in_len == 16 && be32_at(buf) == 40 && buf[9] == 0,
	   "REPORT LUNS allocation length 16: truncated, full list length");
	report_luns(0, 15);
	ok(bad_field(6, 7), "REPORT LUNS allocation length 15: INVALID FIELD, byte 6");
	report_luns(1, 4096);
	ok(good() && R.data_in_len == 8 && be32_at(buf) == 0,
	   "REPORT LUNS select 1 (well known): empty list");
	report_luns(3, 4096);
	ok(bad_field(2, 7), "REPORT LUNS select 3: INVALID FIELD, byte 2");
	L.all_luns = NULL;
	L.nr_luns = 0;
	L.lun = 300;
	report_luns(0, 4096);
	ok(good() && R.data_in_len == 16 && be32_at(buf) == 8 && buf[8] == 0x41 &&
	   buf[9] == 44, "REPORT LUNS without a LUN list: this LUN (300, flat)");
	L.all_luns = luns5;
	L.nr_luns = 5;
	L.lun = 0;
}

static void mode_sense6(u8 dbd, u8 pc_page, u8 sub, u8 alloc)
{
	cdb(6, 0x1a, dbd, pc_page, sub, alloc, 0);
	run();
}

static void mode_sense10(u8 flags, u8 pc_page, u8 sub, u16 alloc)
{
	cdb(10, 0x5a, flags, pc_page, sub, 0, 0, 0, alloc >> 8, alloc & 0xff, 0);
	run();
}

static void test_mode_sense(void)
{
	static const u8 pages[] = {
		0x01, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x08, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x0a, 0x0a, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};

	mode_sense6(0, 0x3f, 0, 255);
	ok(done_good() && R.data_in_len == 56 && buf[0] == 55 && buf[1] == 0 &&
	   buf[2] == 0x10 && buf[3] == 8, "MODE SENSE(6) all pages: header, DPOFUA, 8-byte descriptor");
	ok(be32_at(buf + 4) == 0x100000 && buf[8] == 0 && buf[9] == 0 &&
	   buf[10] == 0x02 && buf[11] == 0x00, "MODE SENSE(6): block descriptor count and length");
	ok(!memcmp(buf + 12, pages, sizeof(pages)),
	   "MODE SENSE(6): pages 01h, 08h (WCE=0), 0Ah in order");
	L.write_cache = true;
	L.read_only = true;
	mode_sense6(0x08, 0x08, 0, 255);
	ok(good() && R.data_in_len == 24 && buf[0] == 23 && buf[2] == 0x90 &&
	   buf[3] == 0 && buf[4] == 0x08 && buf[5] == 0x12 && buf[6] == 0x04,
	   "MODE SENSE(6) DBD caching page: WP, WCE=1");
	L.write_cache = false;
	L.read_only = false;
	mode_sense6(0, 0x48, 0, 255);
	ok(good() && buf[4 + 8 + 2] == 0x04, "MODE SENSE(6) changeable caching page: WCE");
	mode_sense6(0, 0x4a, 0, 255);
	ok(good() && buf[4 + 8 + 2] == 0 && be32_at(buf + 4) == 0,
	   "MODE SENSE(6) changeable control page and block descriptor: nothing");
	mode_sense6(0, 0x88, 0, 255);
	ok(good() && R.data_in_len == 32, "MODE SENSE(6) default values");
	mode_sense6(0, 0xc8, 0, 255);
	ok(sense_is(0x5, 0x39, 0x00), "MODE SENSE(6) saved values: SAVING PARAMETERS NOT SUPPORTED");
	mode_sense6(0, 0x1c, 0, 255);
	ok(bad_field(2, 5), "MODE SENSE(6) page 1Ch: INVALID FIELD, byte 2 bit 5");
	mode_sense6(0, 0x3f, 0xff, 255);
	ok(good() && R.data_in_len == 56, "MODE SENSE(6) page 3Fh subpage FFh: all pages");
	mode_sense6(0, 0x08, 0xff, 255);
	ok(bad_field(3, 7), "MODE SENSE(6) page 08h subpage FFh: INVALID FIELD, byte 3");
	mode_sense6(0, 0x08, 0x01, 255);
	ok(bad_field(3, 7), "MODE SENSE(6) subpage 01h: INVALID FIELD, byte 3");
	mode_sense6(0, 0x3f, 0, 4);
	ok(good() && R.data_in_len == 4 && buf[0] == 55,
	   "MODE SENSE(6) allocation length 4: truncated, full MODE DATA LENGTH");
	L.nr_blocks = 1ULL << 33;
	mode_sense6(0, 0x01, 0, 255);
	ok(good() && be32_at(buf + 4) == 0xffffffff,
	   "MODE SENSE(6) beyond 2^32 blocks: FFFFFFFFh in the descriptor");
	mode_sense10(0x10, 0x01, 0, 1024);
	ok(good() && R.data_in_len == 8 + 16 + 12 && be16_at(buf) == 34 &&
	   buf[3] == 0x10 && buf[4] == 0x01 && be16_at(buf + 6) == 16 &&
	   be64_at(buf + 8) == 1ULL << 33 && be32_at(buf + 20) == 512,
	   "MODE SENSE(10) LLBAA: LONGLBA, 16-byte descriptor");
	L.nr_blocks = 0x100000;
	mode_sense10(0, 0x3f, 0, 1024);
	ok(good() && R.data_in_len == 60 && be16_at(buf) == 58 && buf[4] == 0 &&
	   be16_at(buf + 6) == 8 && !memcmp(buf + 16, pages, sizeof(pages)),
	   "MODE SENSE(10) all pages, 8-byte descriptor");
	mode_sense10(0x08, 0x0a, 0, 1024);
	ok(good() && R.data_in_len == 20 && be16_at(buf + 6) == 0 && buf[8] == 0x0a,
	   "MODE SENSE(10) DBD control page");
	mode_sense10(0, 0xca, 0, 1024);
	ok(sense_is(0x5, 0x39, 0x00), "MODE SENSE(10) saved: SAVING PARAMETERS NOT SUPPORTED");
}

static int mode_select(u8 op, const u8 *list, u32 len, bool *wce)
{
	u8 *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, list, len);
	if (op == 0x15)
		cdb(6, 0x15, 0x10, 0, 0, len, 0);
	else
		cdb(10, 0x55, 0x10, 0, 0, 0, 0, 0, len >> 8, len & 0xff, 0);
	memset(&R, 0, sizeof(R));
	R.cdb = C;
	R.cdb_len = 16;
	rc = bootsan_scsi_mode_select(&L, &R, copy, len, wce);
	free(copy);
	return rc;
}

static void test_mode_select(void)
{
	u8 l6[4 + 8 + 20] = { 0, 0, 0, 8, 0, 0x10, 0, 0, 0, 0, 0x02, 0,
			      0x08, 0x12, 0x04 };
	u8 l10[8 + 12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0x0a, 0x0a, 0x02 };
	bool wce = false;
	int rc;

	cdb(6, 0x15, 0x10, 0, 0, 24, 0);
	run();
	ok(good() && R.action == SCSI_ACT_MODE_SELECT && R.data_out_len == 24,
	   "MODE SELECT(6): parameter list to receive");
	C[1] = 0x11;
	run();
	ok(bad_field(1, 0), "MODE SELECT(6) SP=1: INVALID FIELD, byte 1 bit 0");
	C[1] = 0x00;
	run();
	ok(bad_field(1, 4), "MODE SELECT(6) PF=0: INVALID FIELD, byte 1 bit 4");
	C[1] = 0x10;
	C[4] = 0;
	run();
	ok(done_good(), "MODE SELECT(6) parameter list length 0: GOOD");
	cdb(10, 0x55, 0x10, 0, 0, 0, 0, 0, 0x01, 0x00, 0);
	run();
	ok(good() && R.action == SCSI_ACT_MODE_SELECT && R.data_out_len == 256,
	   "MODE SELECT(10): parameter list to receive");

	rc = mode_select(0x15, l6, sizeof(l6), &wce);
	ok(rc == 0 && good() && wce, "bootsan_scsi_mode_select(6): block descriptor and WCE=1 accepted");
	l6[4 + 8 + 2] = 0;
	rc = mode_select(0x15, l6, sizeof(l6), &wce);
	ok(rc == 0 && !wce, "bootsan_scsi_mode_select(6): WCE=0 accepted");
	l6[4 + 8 + 2] = 0x01;
	rc = mode_select(0x15, l6, sizeof(l6), &wce);
	ok(rc == -EINVAL && bad_param(14, 0),
	   "bootsan_scsi_mode_select: RCD change: INVALID FIELD IN PARAMETER LIST, byte 14 bit 0");
	l6[4 + 8 + 2] = 0x04;
	l6[4 + 8 + 13] = 4;
	rc = mode_select(0x15, l6, sizeof(l6), &wce);
	ok(rc == -EINVAL && bad_param(25, 2),
	   "bootsan_scsi_mode_select: number of cache segments change: INVALID FIELD IN PARAMETER LIST");
	l6[4 + 8 + 13] = 0;
	l6[10] = 0x10;
	rc = mode_select(0x15, l6, sizeof(l6), &wce);
	ok(rc == -EINVAL && bad_param(9, 7),
	   "bootsan_scsi_mode_select: block length change: INVALID FIELD IN PARAMETER LIST");
	l6[10] = 0x02;
	l6[7] = 1;
	rc = mode_select(0x15, l6, sizeof(l6), &wce);
	ok(rc == -EINVAL && bad_param(4, 7),
	   "bootsan_scsi_mode_select: capacity change: INVALID FIELD IN PARAMETER LIST");
	l6[7] = 0;
	l6[4 + 8 + 1] = 0x10;
	rc = mode_select(0x15, l6, sizeof(l6), &wce);
	ok(rc == -EINVAL && bad_param(13, 7),
	   "bootsan_scsi_mode_select: wrong page length: INVALID FIELD IN PARAMETER LIST");
	l6[4 + 8 + 1] = 0x12;
	rc = mode_select(0x15, l6, sizeof(l6) - 1, &wce);
	ok(rc == -EINVAL && sense_is(0x5, 0x1a, 0),
	   "bootsan_scsi_mode_select: truncated page: PARAMETER LIST LENGTH ERROR");
	rc = mode_select(0x15, l6, 3, &wce);
	ok(rc == -EINVAL && sense_is(0x5, 0x1a, 0),
	   "bootsan_scsi_mode_select: truncated header: PARAMETER LIST LENGTH ERROR");
	rc = mode_select(0x15, l6, 12, &wce);
	ok(rc == 0 && good(), "bootsan_scsi_mode_select: header and block descriptor only");
	l6[4 + 8] = 0x1c;
	rc = mode_select(0x15, l6, sizeof(l6), &wce);
	ok(rc == -EINVAL && bad_param(12, 5),
	   "bootsan_scsi_mode_select: unknown page 1Ch: INVALID FIELD IN PARAMETER LIST");
	l6[4 + 8] = 0x48;
	rc = mode_select(0x15, l6, sizeof(l6), &wce);
	ok(rc == -EINVAL && bad_param(12, 6),
	   "bootsan_scsi_mode_select: SPF=1: INVALID FIELD IN PARAMETER LIST");
	l6[4 + 8] = 0x08;
	l6[1] = 0x01;
	rc = mode_select(0x15, l6, sizeof(l6), &wce);
	ok(rc == -EINVAL && bad_param(1, 7),
	   "bootsan_scsi_mode_select: medium type 01h: INVALID FIELD IN PARAMETER LIST");
	l6[1] = 0;
	rc = mode_select(0x55, l10, sizeof(l10), &wce);
	ok(rc == 0 && good() && !wce, "bootsan_scsi_mode_select(10): unchanged control page");
	l10[8 + 2] = 0x06;
	rc = mode_select(0x55, l10, sizeof(l10), &wce);
	ok(rc == -EINVAL && bad_param(10, 2),
	   "bootsan_scsi_mode_select(10): D_SENSE change: INVALID FIELD IN PARAMETER LIST, byte 10 bit 2");
	ok(bootsan_scsi_mode_select(&L, &R, NULL, 4, &wce) == -EINVAL,
	   "bootsan_scsi_mode_select: NULL list -> -EINVAL");
}

static void test_misc(void)
{
	cdb(6, 0x03, 0, 0, 0, 252, 0);
	run();
	ok(done_good() && R.data_in_len == 18 && buf[0] == 0x70 && buf[2] == 0 &&
	   buf[7] == 10 && buf[12] == 0, "REQUEST SENSE: NO SENSE, fixed format");
	C[4] = 8;
	run();
	ok(good() && R.data_in_len == 8, "REQUEST SENSE allocation length 8: 8 bytes");
	C[1] = 1;
	C[4] = 252;
	run();
	ok(good() && R.data_in_len == 8 && buf[0] == 0x72 && buf[1] == 0 && buf[7] == 0,
	   "REQUEST SENSE DESC=1: descriptor format NO SENSE");
	cdb(6, 0x1b, 0, 0, 0, 0x01, 0);
	run();
	ok(done_good(), "START STOP UNIT: GOOD");
	cdb(6, 0x1e, 0, 0, 0, 0x01, 0);
	run();
	ok(done_good(), "PREVENT ALLOW MEDIUM REMOVAL prevent=1: GOOD");
	cdb(6, 0x16, 0, 0, 0, 0, 0);
	run();
	ok(good() && R.action == SCSI_ACT_RESERVE, "RESERVE(6): to the reservation state");
	cdb(6, 0x17, 0, 0, 0, 0, 0);
	run();
	ok(good() && R.action == SCSI_ACT_RESERVE, "RELEASE(6): to the reservation state");
	cdb(10, 0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	run();
	ok(good() && R.action == SCSI_ACT_RESERVE, "RESERVE(10): to the reservation state");
	cdb(10, 0x56, 0x10, 0, 0, 0, 0, 0, 0, 0, 0);
	run();
	ok(bad_field(1, 4), "RESERVE(10) 3RDPTY: INVALID FIELD IN CDB, byte 1 bit 4");
	cdb(10, 0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	run();
	ok(good() && R.action == SCSI_ACT_RESERVE, "RELEASE(10): to the reservation state");
	cdb(10, 0x5e, 0x00, 0, 0, 0, 0, 0, 0, 255, 0);
	run();
	ok(good() && R.action == SCSI_ACT_PR_IN && R.alloc_len == 255,
	   "PERSISTENT RESERVE IN READ KEYS: to the reservation state");
	C[1] = 0x03;
	run();
	ok(good() && R.action == SCSI_ACT_PR_IN, "PERSISTENT RESERVE IN READ FULL STATUS too");
	C[1] = 0x04;
	run();
	ok(bad_field(1, 4), "PERSISTENT RESERVE IN service action 4: INVALID FIELD, byte 1 bit 4");
	cdb(10, 0x5f, 0x00, 0, 0, 0, 0, 0, 0, 24, 0);
	run();
	ok(good() && R.action == SCSI_ACT_PR_OUT && R.data_out_len == 24,
	   "PERSISTENT RESERVE OUT REGISTER: 24 bytes of parameters");
	C[8] = 32;
	run();
	ok(sense_is(0x5, 0x1a, 0x00), "PERSISTENT RESERVE OUT 32 bytes: PARAMETER LIST LENGTH ERROR");
	cdb(10, 0x5f, 0x07, 0, 0, 0, 0, 0, 0, 24, 0);
	run();
	ok(bad_field(1, 4), "PERSISTENT RESERVE OUT REGISTER AND MOVE: INVALID FIELD, byte 1 bit 4");
}

static void rsoc(u8 opts, u8 op, u16 sa, u32 alloc)
{
	cdb(12, 0xa3, 0x0c, opts, op, sa >> 8, sa & 0xff, alloc >> 24, alloc >> 16,
	    alloc >> 8, alloc, 0, 0);
	run();
}

static void test_rsoc(void)
{
	u32 len, i, cmds;
	int found_read10 = 0, found_unmap = 0, consistent = 1, op;
	u8 listed[256] = { 0 };

	rsoc(0, 0, 0, 4096);
	len = be32_at(buf);
	cmds = len / 8;
	ok(done_good() && len % 8 == 0 && R.data_in_len == len + 4 && cmds > 30,
	   "REPORT SUPPORTED OPERATION CODES all: %u 8-byte descriptors", cmds);
	for (i = 0; i < cmds; i++) {
		const u8 *d = buf + 4 + 8 * i;

		listed[d[0]] = 1;
		if (d[0] == 0x28 && be16_at(d + 6) == 10 && d[5] == 0)
			found_read10 = 1;
		if (d[0] == 0x42)
			found_unmap = 1;
		if (d[0] == 0x9e && !(d[5] & 1))
			consistent = 0;
	}
	ok(found_read10 && !found_unmap && consistent,
	   "RSOC all, thick: READ(10) length 10, no UNMAP, SERVACTV on 9Eh");
	/* Every opcode is rejected as unsupported exactly when not listed. */
	for (op = 0; op < 256; op++) {
		memset(C, 0, sizeof(C));
		C[0] = op;
		if (op == 0x9e)
			C[1] = 0x10;
		if (op == 0xa3)
			C[1] = 0x0c;
		if (op == 0xa0)
			C[9] = 16;
		run();
		if (bad_opcode() == listed[op]) {
			consistent = 0;
			printf("# opcode %02x listed %d but decoded %s\n", op,
			       listed[op], bad_opcode() ? "unsupported" : "supported");
		}
	}
	rsoc(0, 0, 0, 4096);
	ok(consistent, "RSOC all agrees with bootsan_scsi_decode() on all 256 opcodes");
	L.thin = true;
	rsoc(0x80, 0, 0, 4096);
	len = be32_at(buf);
	found_unmap = 0;
	for (i = 0; i + 20 <= len; i += 20)
		if (buf[4 + i] == 0x42 && buf[4 + i + 5] == 0x02 &&
		    be16_at(buf + 4 + i + 8) == 10)
			found_unmap = 1;
	ok(good() && len == (cmds + 1) * 20 && found_unmap,
	   "RSOC all with RCTD, thin: 20-byte descriptors, UNMAP with CTDP");
	L.thin = false;
	rsoc(0, 0, 0, 10);
	ok(good() && R.data_in_len == 10 && be32_at(buf) == cmds * 8,
	   "RSOC allocation length 10: truncated, full COMMAND DATA LENGTH");
	rsoc(1, 0x28, 0, 4096);
	ok(good() && R.data_in_len == 14 && buf[1] == 0x03 && be16_at(buf + 2) == 10 &&
	   buf[4] == 0x28 && buf[5] == 0xf8 && buf[13] == 0,
	   "RSOC one command READ(10): supported, usage data");
	rsoc(0x81, 0x2a, 0, 4096);
	ok(good() && R.data_in_len == 26 && buf[1] == 0x83 && be16_at(buf + 14) == 10,
	   "RSOC one command WRITE(10) with RCTD: CTDP, timeouts descriptor");
	rsoc(1, 0x04, 0, 4096);
	ok(good() && R.data_in_len == 4 && buf[1] == 0x01,
	   "RSOC one command FORMAT UNIT: not supported");
	rsoc(1, 0x9e, 0, 4096);
	ok(bad_field(2, 2), "RSOC option 1 on 9Eh (has service actions): INVALID FIELD");
	rsoc(2, 0x9e, 0x10, 4096);
	ok(good() && R.data_in_len == 20 && buf[1] == 0x03 && be16_at(buf + 2) == 16 &&
	   buf[4] == 0x9e && buf[5] == 0x10 && buf[18] == 0x01,
	   "RSOC option 2 READ CAPACITY(16): supported, usage data");
	rsoc(2, 0x9e, 0x13, 4096);
	ok(good() && buf[1] == 0x01, "RSOC option 2 9Eh/13h: not supported");
	rsoc(2, 0x28, 0, 4096);
	ok(bad_field(2, 2), "RSOC option 2 on READ(10) (no service actions): INVALID FIELD");
	rsoc(3, 0x28, 0, 4096);
	ok(bad_field(2, 2), "RSOC reporting options 3: INVALID FIELD, byte 2");
	cdb(12, 0xa3, 0x0a, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0);
	run();
	ok(bad_field(1, 4), "MAINTENANCE IN REPORT TARGET PORT GROUPS: INVALID FIELD, byte 1 bit 4");
}

static int has_sa(const struct scsi_cmd_desc *d)
{
	return d->flags & SCSI_CMD_SA;
}

/* The table entry for @op (and @sa, if @op has service actions), or NULL. */
static const struct scsi_cmd_desc *table_find(u8 op, u8 sa)
{
	const struct scsi_cmd_desc *d;
	u32 i;

	for (i = 0; (d = bootsan_scsi_cmd(i)); i++)
		if (d->op == op && (!has_sa(d) || d->sa == sa))
			return d;
	return NULL;
}

static int op_in_table(u8 op)
{
	const struct scsi_cmd_desc *d;
	u32 i;

	for (i = 0; (d = bootsan_scsi_cmd(i)); i++)
		if (d->op == op)
			return 1;
	return 0;
}

/* A CDB of only the opcode (and service action) of @d. */
static void cdb_of(const struct scsi_cmd_desc *d)
{
	memset(C, 0, sizeof(C));
	C[0] = d->op;
	if (has_sa(d))
		C[1] = d->sa;
}

/*
 * The command table walked: every entry is well formed and decodes, REPORT
 * SUPPORTED OPERATION CODES lists exactly the table with each entry's usage
 * data, and every opcode or service action outside it is refused.
 */
static void test_cmd_table(void)
{
	int sane = 1, listed = 1, usage = 1, decodes = 1, checks = 1, refused = 1, moves = 1;
	const struct scsi_cmd_desc *d;
	u32 i, n, j, len, op, sa;
	const u8 *p;
	int thin;

	for (n = 0; (d = bootsan_scsi_cmd(n)); n++) {
		if ((d->len != 6 && d->len != 10 && d->len != 12 && d->len != 16) ||
		    d->usage[0] != d->op || (!d->decode && d->action != SCSI_ACT_DONE) ||
		    (has_sa(d) && d->sa > 0x1f) || (!has_sa(d) && d->sa) ||
		    table_find(d->op, d->sa) != d) {
			sane = 0;
			printf("# entry %u (opcode %02x/%02x) malformed or a duplicate\n",
			       n, d->op, d->sa);
		}
	}
	ok(n > 40 && sane, "command table: %u entries, each well formed, none twice", n);

	/* Reservations: what moves data to the medium conflicts as a write. */
	sane = 1;
	for (i = 0; (d = bootsan_scsi_cmd(i)); i++) {
		int reads = d->action == SCSI_ACT_READ || d->action == SCSI_ACT_VERIFY_READ ||
			    d->action == SCSI_ACT_GET_LBA_STATUS;
		int writes = d->action == SCSI_ACT_WRITE || d->action == SCSI_ACT_WRITE_VERIFY ||
			     d->action == SCSI_ACT_WRITE_SAME || d->action == SCSI_ACT_UNMAP ||
			     d->action == SCSI_ACT_COMPARE_AND_WRITE ||
			     d->action == SCSI_ACT_FLUSH || d->action == SCSI_ACT_MODE_SELECT;

		if ((reads && d->res != SCSI_RES_READ) || (writes && d->res != SCSI_RES_WRITE) ||
		    ((d->action == SCSI_ACT_RESERVE) != (d->res == SCSI_RES_SPC2)) ||
		    (d->action == SCSI_ACT_PR_IN && d->res != SCSI_RES_ALLOWED) ||
		    (d->op == 0x5f) != (d->res >= SCSI_RES_PR_REGISTER &&
					d->res <= SCSI_RES_PR_HOLDER) ||
		    bootsan_scsi_cmd_of((const u8[]){ d->op, d->sa }) != d) {
			sane = 0;
			printf("# entry %02x/%02x: reservation class %d\n", d->op, d->sa, d->res);
		}
	}
	ok(sane, "command table: each entry's reservation class fits its action, found by bootsan_scsi_cmd_of()");
	ok(!bootsan_scsi_cmd_of((const u8[]){ 0x5f, 0x07 }) &&
	   !bootsan_scsi_cmd_of((const u8[]){ 0x4d, 0x00 }),
	   "bootsan_scsi_cmd_of: REGISTER AND MOVE and LOG SENSE are not in the table");

	for (thin = 0; thin < 2; thin++) {
		L.thin = thin;
		rsoc(0, 0, 0, 4096);
		len = be32_at(buf);
		for (i = 0, j = 0; (d = bootsan_scsi_cmd(i)); i++) {
			if ((d->flags & SCSI_CMD_THIN) && !thin)
				continue;
			p = buf + 4 + 8 * j++;
			if (p[0] != d->op || be16_at(p + 2) != (has_sa(d) ? d->sa : 0) ||
			    p[5] != (has_sa(d) ? 0x01 : 0) || be16_at(p + 6) != d->len)
				listed = 0;
		}
		if (!done_good() || len != 8 * j)
			listed = 0;
	}
	ok(listed, "RSOC all lists exactly the command table, in order (thick and thin)");

	L.thin = true;
	for (i = 0; (d = bootsan_scsi_cmd(i)); i++) {
		rsoc(has_sa(d) ? 2 : 1, d->op, d->sa, 4096);
		if (!done_good() || buf[1] != 0x03 || be16_at(buf + 2) != d->len ||
		    R.data_in_len != 4u + d->len || memcmp(buf + 4, d->usage, d->len)) {
			usage = 0;
			printf("# RSOC of %02x/%02x: not the table's usage data\n", d->op, d->sa);
		}
	}
	ok(usage, "RSOC of each entry: supported, with the table's CDB usage data");

	/* SPC-4 6.35.3: the service action itself where the CDB has it. */
	usage = 1;
	for (i = 0; (d = bootsan_scsi_cmd(i)); i++) {
		if (!has_sa(d))
			continue;
		rsoc(2, d->op, d->sa, 4096);
		if (!done_good() || buf[5] != d->sa) {
			usage = 0;
			printf("# RSOC of %02x/%02x: usage byte 1 is %02x\n", d->op, d->sa, buf[5]);
		}
	}
	ok(usage, "RSOC of each service action: usage data byte 1 is the service action");

	for (i = 0; (d = bootsan_scsi_cmd(i)); i++) {
		cdb_of(d);
		run();
		if (R.status != SCSI_STATUS_GOOD && R.status != SCSI_STATUS_CHECK_CONDITION)
			decodes = 0;
		if (bad_opcode() || (has_sa(d) && bad_field(1, 4)) ||
		    (R.action != SCSI_ACT_DONE && R.action != d->action)) {
			decodes = 0;
			printf("# entry %02x/%02x does not decode as itself\n", d->op, d->sa);
		}
		if (bootsan_scsi_cdb_moves_blocks(d->op) !=
		    (d->action == SCSI_ACT_READ || d->action == SCSI_ACT_WRITE ||
		     d->action == SCSI_ACT_FLUSH))
			moves = 0;
		/* The control byte's LINK bit, then a CDB one byte short. */
		cdb_of(d);
		C[d->len - 1] = 0x01;
		run();
		if (!bad_field(d->len - 1, 0))
			checks = 0;
		cdb_of(d);
		memset(&R, 0, sizeof(R));
		R.cdb = C;
		R.cdb_len = d->len - 1;
		R.data_in = buf;
		R.data_in_cap = 0;
		bootsan_scsi_decode(&L, &R);
		if (!sense_is(0x5, 0x24, 0x00))
			checks = 0;
	}
	ok(decodes, "every entry's opcode and service action decode (action none or its own)");
	ok(checks, "every entry: control byte and CDB length checked from the table");
	ok(moves, "no data_in buffer exactly for the entries that read, write or flush");

	/* Outside the table: an opcode it lacks, or a service action it lacks. */
	for (op = 0; op < 256; op++) {
		for (sa = 0; sa < 32; sa++) {
			if (table_find(op, sa))
				continue;
			memset(C, 0, sizeof(C));
			C[0] = op;
			C[1] = sa;
			run();
			if (!(op_in_table(op) ? bad_field(1, 4) : bad_opcode())) {
				refused = 0;
				printf("# %02x/%02x is not in the table but decodes\n", op, sa);
			}
		}
	}
	L.thin = false;
	for (i = 0; (d = bootsan_scsi_cmd(i)); i++) {
		if (!(d->flags & SCSI_CMD_THIN))
			continue;
		cdb_of(d);
		run();
		if (!bad_opcode())
			refused = 0;
	}
	ok(refused, "opcodes and service actions outside the table, and thin-only ones on a thick LUN, refused");
}

/* The sense a backend's errno gives (bootsan_scsi_set_io_error()). */
static int io_error(bool write, int err, u8 key, u8 asc, u8 ascq)
{
	memset(&R, 0, sizeof(R));
	R.action = SCSI_ACT_WRITE;
	R.nr_blocks = 8;
	bootsan_scsi_set_io_error(&R, write, err);
	return R.status == SCSI_STATUS_CHECK_CONDITION && R.action == SCSI_ACT_DONE &&
	       R.sense_len == 18 && R.sense[0] == 0x70 && R.sense[2] == key &&
	       R.sense[12] == asc && R.sense[13] == ascq;
}

static void test_io_error(void)
{
	ok(io_error(true, -ENOSPC, 0x7, 0x27, 0x07),
	   "write, ENOSPC: DATA PROTECT, SPACE ALLOCATION FAILED WRITE PROTECT");
	ok(io_error(true, -EDQUOT, 0x7, 0x27, 0x07), "write, EDQUOT: the same");
	ok(io_error(false, -ENOSPC, 0x7, 0x27, 0x07), "flush-like, ENOSPC: the same");
	ok(io_error(true, -EIO, 0x3, 0x0c, 0x00), "write, EIO: MEDIUM ERROR, WRITE ERROR");
	ok(io_error(false, -EIO, 0x3, 0x11, 0x00), "read, EIO: MEDIUM ERROR, UNRECOVERED READ ERROR");
	ok(io_error(false, -ENOLINK, 0x3, 0x11, 0x00), "read, any other errno: medium error");
	ok(io_error(false, -ENOMEM, 0x4, 0x55, 0x03),
	   "ENOMEM: HARDWARE ERROR, INSUFFICIENT RESOURCES");
	ok(R.nr_blocks == 0, "no blocks are left to move");
}

int main(void)
{
	tap_start();
	lun_default();
	test_args();
	test_generic();
	test_read_write();
	test_verify();
	test_sync_cache();
	test_moves_blocks();
	test_write_same();
	test_unmap();
	test_compare_and_write();
	test_read_capacity();
	test_get_lba_status();
	test_inquiry();
	test_report_luns();
	test_mode_sense();
	test_mode_select();
	test_misc();
	test_rsoc();
	test_cmd_table();
	test_io_error();
	free(buf);
	return tap_end();
}
