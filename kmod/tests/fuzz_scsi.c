// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: bootsan_scsi_decode() on arbitrary CDBs and LUN descriptions,
 * then bootsan_scsi_parse_unmap(), bootsan_scsi_mode_select() and bootsan_scsi_fill_lba_status() on
 * the rest of the input as a parameter list.
 *
 * Input: 16 bytes of CDB, 32 bytes of LUN and request fields, then data.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../scsi.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static u64 take(const uint8_t **p, size_t *left, int bytes)
{
	u64 v = 0;

	while (bytes--) {
		v <<= 8;
		if (*left) {
			v |= **p;
			(*p)++;
			(*left)--;
		}
	}
	return v;
}

static u32 be32(const u8 *c)
{
	return (u32)c[0] << 24 | c[1] << 16 | c[2] << 8 | c[3];
}

/* The allocation length of a CDB, decoded independently of scsi.c. */
static u32 alloc_len(const u8 *c)
{
	switch (c[0]) {
	case 0x03:	/* REQUEST SENSE */
	case 0x1a:	/* MODE SENSE(6) */
		return c[4];
	case 0x12:	/* INQUIRY */
		return c[3] << 8 | c[4];
	case 0x25:	/* READ CAPACITY(10): none, 8 bytes */
		return 8;
	case 0x5a:	/* MODE SENSE(10) */
	case 0x5e:	/* PERSISTENT RESERVE IN */
		return c[7] << 8 | c[8];
	case 0x9e:	/* READ CAPACITY(16), GET LBA STATUS */
		return be32(c + 10);
	case 0xa0:	/* REPORT LUNS */
	case 0xa3:	/* REPORT SUPPORTED OPERATION CODES */
		return be32(c + 6);
	}
	return 0;	/* no data-in from anything else */
}

static void unmap_each(void *ctx, u64 lba, u32 nr)
{
	const struct scsi_lun_info *lun = ctx;

	CHECK(nr && nr <= lun->nr_blocks && lba <= lun->nr_blocks - nr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char long_name[240];	/* 239 bytes: beyond the 223 limit */
	const char *const names[] = {
		NULL, "", "iqn.2024-01.org.example:disk1", long_name,
	};
	static const char *const serials[] = {
		NULL, "", "SN0001", "\x01\x7f\xff odd bytes",
	};
	const uint8_t *p = data;
	size_t left = size;
	struct scsi_lun_info lun;
	struct scsi_req req;
	u8 cdb[16], *cdbcopy, *in = NULL, *param;
	u32 luns[8], cap, alloc, plen;
	u64 f;
	bool wce;
	int i, rc;

	if (!long_name[0]) {
		memset(long_name, 'a', sizeof(long_name) - 1);
		memcpy(long_name, "iqn.2024-01.org.example:", 24);
	}
	memset(&lun, 0, sizeof(lun));
	memset(&req, 0, sizeof(req));
	for (i = 0; i < 16; i++)
		cdb[i] = take(&p, &left, 1);
	f = take(&p, &left, 8);
	lun.nr_blocks = take(&p, &left, 8) >> (f & 63);
	if (!lun.nr_blocks)
		lun.nr_blocks = 1;
	lun.block_size = f & 0x40 ? 4096 : 512;
	lun.read_only = f & 0x80;
	lun.write_cache = f & 0x100;
	lun.thin = f & 0x200;
	lun.rotational = f & 0x400;
	lun.serial = serials[(f >> 11) & 3];
	lun.naa = f & 0x2000 ? 0x6001405000000000ULL | (f >> 40) : 0;
	lun.target_name = names[(f >> 14) & 3];
	lun.relative_port = (f >> 16) & 3;
	lun.target_port_group = (f >> 18) & 3;
	lun.max_xfer_blocks = f & 0x100000 ? (f >> 21) & 0xffff : 0;
	lun.opt_xfer_blocks = (f >> 37) & 0xff;
	lun.max_unmap_blocks = f & 0x200000 ? (f >> 45) & 0xffff : 0;
	lun.max_unmap_descriptors = (f >> 61) & 7;
	lun.lun = take(&p, &left, 2) & 0x3fff;
	lun.nr_luns = take(&p, &left, 1) & 7;
	for (i = 0; i < (int)lun.nr_luns; i++)
		luns[i] = take(&p, &left, 2) & 0x7fff;
	lun.all_luns = lun.nr_luns ? luns : NULL;
	cap = take(&p, &left, 2) & 0x1fff;
	req.cdb_len = take(&p, &left, 1) & 0x1f;

	/* Exact-size copies: ASan sees any access past the given lengths. */
	cdbcopy = malloc(req.cdb_len ? req.cdb_len : 1);
	memcpy(cdbcopy, cdb, req.cdb_len < 16 ? req.cdb_len : 16);
	if (req.cdb_len > 16)
		memset(cdbcopy + 16, 0, req.cdb_len - 16);
	if (cap)
		in = malloc(cap);
	req.cdb = cdbcopy;
	req.data_in = in;
	req.data_in_cap = cap;
	rc = bootsan_scsi_decode(&lun, &req);
	CHECK(rc == 0);
	CHECK(req.data_in_len <= cap);
	CHECK(req.sense_len == 0 || req.sense_len == SCSI_SENSE_LEN);
	if (req.status == SCSI_STATUS_CHECK_CONDITION) {
		CHECK(req.sense_len == SCSI_SENSE_LEN && req.sense[0] == 0x70 &&
		      req.action == SCSI_ACT_DONE && req.data_in_len == 0 &&
		      req.data_out_len == 0);
	} else {
		CHECK(req.status == SCSI_STATUS_GOOD && req.sense_len == 0);
		if (req.action == SCSI_ACT_DONE)
			CHECK(req.data_in_len <= alloc_len(cdb));
	}
	switch (req.action) {
	case SCSI_ACT_READ:
	case SCSI_ACT_WRITE:
	case SCSI_ACT_VERIFY_READ:
	case SCSI_ACT_WRITE_VERIFY:
	case SCSI_ACT_COMPARE_AND_WRITE:
	case SCSI_ACT_WRITE_SAME:
		CHECK(req.nr_blocks && req.nr_blocks <= lun.nr_blocks &&
		      req.lba <= lun.nr_blocks - req.nr_blocks);
		CHECK(!lun.max_xfer_blocks || req.action == SCSI_ACT_WRITE_SAME ||
		      req.nr_blocks <= lun.max_xfer_blocks);
		break;
	case SCSI_ACT_FLUSH:
		CHECK(req.lba <= lun.nr_blocks);
		break;
	case SCSI_ACT_GET_LBA_STATUS:
		CHECK(lun.thin && req.lba < lun.nr_blocks);
		break;
	case SCSI_ACT_UNMAP:
		CHECK(lun.thin && req.data_out_len >= 8);
		break;
	case SCSI_ACT_MODE_SELECT:
		CHECK(req.data_out_len > 0);
		break;
	case SCSI_ACT_PR_IN:
	case SCSI_ACT_RESERVE:
		CHECK(req.data_out_len == 0);
		break;
	case SCSI_ACT_PR_OUT:
		CHECK(req.data_out_len == 24); /* the basic parameter list only */
		break;
	case SCSI_ACT_DONE:
		break;
	default:
		abort();
	}
	if (lun.read_only)
		CHECK(req.action != SCSI_ACT_WRITE && req.action != SCSI_ACT_UNMAP &&
		      req.action != SCSI_ACT_WRITE_VERIFY &&
		      req.action != SCSI_ACT_COMPARE_AND_WRITE &&
		      req.action != SCSI_ACT_WRITE_SAME);
	if (req.action == SCSI_ACT_WRITE || req.action == SCSI_ACT_VERIFY_READ ||
	    req.action == SCSI_ACT_WRITE_VERIFY)
		CHECK(req.data_out_len == (u64)req.nr_blocks * lun.block_size);
	if (req.action == SCSI_ACT_COMPARE_AND_WRITE)
		CHECK(req.data_out_len == 2 * lun.block_size);

	/* The rest of the input as a parameter list. */
	plen = left;
	param = malloc(plen ? plen : 1);
	memcpy(param, p, plen);
	if (req.action == SCSI_ACT_GET_LBA_STATUS) {
		alloc = req.alloc_len;
		bootsan_scsi_fill_lba_status(&req, req.lba, f, f & 1, alloc);
		CHECK(req.data_in_len <= cap && req.data_in_len <= alloc &&
		      req.data_in_len <= 24);
	}
	rc = bootsan_scsi_parse_unmap(param, plen, &lun, &req, unmap_each, &lun);
	CHECK(rc == 0 || (rc == -EINVAL && req.status == SCSI_STATUS_CHECK_CONDITION));
	if (req.cdb_len && (cdb[0] == 0x15 || cdb[0] == 0x55)) {
		rc = bootsan_scsi_mode_select(&lun, &req, param, plen, &wce);
		CHECK(rc == 0 || (rc == -EINVAL && req.status == SCSI_STATUS_CHECK_CONDITION &&
				  wce == lun.write_cache));
		CHECK(req.sense_len == 0 || req.sense_len == SCSI_SENSE_LEN);
	}
	free(param);
	free(in);
	free(cdbcopy);
	return 0;
}
