// SPDX-License-Identifier: GPL-2.0
/* SCSI command decoder and emulator; see scsi.h. */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include "compat.h"
#else
#include "host_shim.h"
#endif

#include "scsi.h"
#include "resp_writer.h"

#define U32_ALL_ONES		0xffffffffU

/* Operation codes (SPC-4 annex D, SBC-3 table 12). */
#define OP_TEST_UNIT_READY	0x00
#define OP_REQUEST_SENSE	0x03
#define OP_READ_6		0x08
#define OP_WRITE_6		0x0a
#define OP_INQUIRY		0x12
#define OP_MODE_SELECT_6	0x15
#define OP_RESERVE_6		0x16
#define OP_RELEASE_6		0x17
#define OP_MODE_SENSE_6		0x1a
#define OP_START_STOP_UNIT	0x1b
#define OP_PREVENT_ALLOW	0x1e
#define OP_READ_CAPACITY_10	0x25
#define OP_READ_10		0x28
#define OP_WRITE_10		0x2a
#define OP_WRITE_VERIFY_10	0x2e
#define OP_VERIFY_10		0x2f
#define OP_SYNC_CACHE_10	0x35
#define OP_WRITE_SAME_10	0x41
#define OP_UNMAP		0x42
#define OP_MODE_SELECT_10	0x55
#define OP_RESERVE_10		0x56
#define OP_RELEASE_10		0x57
#define OP_MODE_SENSE_10	0x5a
#define OP_PR_IN		0x5e
#define OP_PR_OUT		0x5f
#define OP_READ_16		0x88
#define OP_COMPARE_AND_WRITE	0x89
#define OP_WRITE_16		0x8a
#define OP_WRITE_VERIFY_16	0x8e
#define OP_VERIFY_16		0x8f
#define OP_SYNC_CACHE_16	0x91
#define OP_WRITE_SAME_16	0x93
#define OP_SERVICE_ACTION_IN_16	0x9e
#define OP_REPORT_LUNS		0xa0
#define OP_MAINTENANCE_IN	0xa3
#define OP_READ_12		0xa8
#define OP_WRITE_12		0xaa

#define SA_READ_CAPACITY_16	0x10
#define SA_GET_LBA_STATUS	0x12
#define SA_REPORT_OPCODES	0x0c
#define SA_PR_READ_KEYS		0x00
#define SA_PR_READ_RESERVATION	0x01
#define SA_PR_REPORT_CAPS	0x02
#define SA_PR_READ_FULL_STATUS	0x03
#define SA_PR_REGISTER		0x00
#define SA_PR_RESERVE		0x01
#define SA_PR_RELEASE		0x02
#define SA_PR_CLEAR		0x03
#define SA_PR_PREEMPT		0x04
#define SA_PR_PREEMPT_ABORT	0x05
#define SA_PR_REGISTER_IGNORE	0x06
/* The basic PERSISTENT RESERVE OUT parameter list, the only one we take. */
#define PR_OUT_PARAM_LEN	24

/* Bits of byte 1 of the block commands (SBC-3). */
#define CDB_PROTECT		0xe0	/* RDPROTECT, WRPROTECT, VRPROTECT */
#define CDB_DPO			0x10
#define CDB_FUA			0x08
#define CDB_ANCHOR		0x10	/* WRITE SAME */
#define CDB_UNMAP		0x08	/* WRITE SAME */
#define CDB_WS_OBSOLETE		0x06	/* WRITE SAME PBDATA, LBDATA */
#define CDB_NDOB		0x01	/* WRITE SAME (16) */

/*
 * Control byte (SAM-5): NACA (we report NormACA=0), the obsolete FLAG and
 * LINK bits and the reserved bits must be zero; bits 7-6 are vendor's.
 */
#define CDB_CONTROL_CHECKED	0x3f

/* Mode pages (SPC-4 7.5, SBC-3 6.4). */
#define MODE_PAGE_RW_RECOVERY	0x01
#define MODE_PAGE_CACHING	0x08
#define MODE_PAGE_CONTROL	0x0a
#define MODE_PAGE_ALL		0x3f
#define MODE_SUBPAGE_ALL	0xff
#define MODE_PAGE_MAX_LEN	20
#define MODE_PC_CURRENT		0
#define MODE_PC_CHANGEABLE	1
#define MODE_PC_DEFAULT		2
#define MODE_PC_SAVED		3
#define MODE_CACHING_WCE	0x04
#define MODE_CONTROL_GLTSD	0x02
#define MODE_DSP_WP		0x80	/* device-specific parameter, SBC-3 */
#define MODE_DSP_DPOFUA		0x10

/* Longest serial number reported (VPD 80h and the T10 vendor ID). */
#define SERIAL_MAX_LEN		240
/* Longest iSCSI name (RFC 7143), for the SCSI name string designator. */
#define TARGET_NAME_MAX_LEN	223
/* The iSCSI target portal group tag in the target port name. */
#define TARGET_PORT_SUFFIX	",t,0x0001"
/* LUNs in the flat space addressing method (SAM-5 4.7.7). */
#define LUN_FLAT_MAX		16384

#define STD_INQUIRY_LEN		96
#define LBA_STATUS_LEN		24



static u32 min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

/* The most significant bit set in @v, for sense bit pointers. */
static int top_bit(u8 v)
{
	int bit;

	for (bit = 7; bit > 0; bit--)
		if (v & (1 << bit))
			break;
	return bit;
}

void bootsan_scsi_set_sense(struct scsi_req *req, u8 key, u8 asc, u8 ascq)
{
	req->action = SCSI_ACT_DONE;
	req->nr_blocks = 0;
	req->data_in_len = 0;
	req->data_out_len = 0;
	req->status = SCSI_STATUS_CHECK_CONDITION;
	memset(req->sense, 0, sizeof(req->sense));
	req->sense[0] = 0x70;			/* current, fixed format */
	req->sense[2] = key & 0x0f;
	req->sense[7] = SCSI_SENSE_LEN - 8;	/* additional sense length */
	req->sense[12] = asc;
	req->sense[13] = ascq;
	req->sense_len = SCSI_SENSE_LEN;
}

/*
 * The sense for a backend's failure @err of a command that reads, or
 * with @write changes, the medium. Out of space (the file system of a
 * thin image full, a quota, a thin block device: -ENOSPC, -EDQUOT) is
 * DATA PROTECT, SPACE ALLOCATION FAILED WRITE PROTECT, which SBC-4 asks
 * of a thin LU that cannot allocate, and which Linux's sd reports as
 * ENOSPC; no memory is a hardware error, resources exhausted (the
 * command may be retried); anything else is the medium's: UNRECOVERED
 * READ ERROR or WRITE ERROR.
 */
void bootsan_scsi_set_io_error(struct scsi_req *req, bool write, int err)
{
	if (err == -ENOSPC || err == -EDQUOT)
		bootsan_scsi_set_sense(req, SCSI_SK_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED,
				       SCSI_ASCQ_SPACE_ALLOC_FAILED);
	else if (err == -ENOMEM)
		bootsan_scsi_set_sense(req, SCSI_SK_HARDWARE_ERROR, SCSI_ASC_RESOURCES, 0x03);
	else if (write)
		bootsan_scsi_set_sense(req, SCSI_SK_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR, 0x00);
	else
		bootsan_scsi_set_sense(req, SCSI_SK_MEDIUM_ERROR, SCSI_ASC_UNRECOVERED_READ, 0x00);
}

/*
 * ILLEGAL REQUEST with a field pointer (SPC-4 4.5.2.4.2): byte @byte of the
 * CDB (@in_cdb) or of the parameter list, bit @bit (-1: whole byte).
 */
static void sense_field(struct scsi_req *req, u8 asc, bool in_cdb, u32 byte,
			int bit)
{
	bootsan_scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, asc, 0);
	req->sense[15] = 0x80 | (in_cdb ? 0x40 : 0) |
			 (bit >= 0 ? 0x08 | (bit & 7) : 0);
	put_unaligned_be16(byte, &req->sense[16]);
}

static void bad_cdb(struct scsi_req *req, u32 byte, int bit)
{
	sense_field(req, SCSI_ASC_INVALID_FIELD_IN_CDB, true, byte, bit);
}

static void bad_param(struct scsi_req *req, u32 byte, int bit)
{
	sense_field(req, SCSI_ASC_INVALID_FIELD_IN_PARAM, false, byte, bit);
}

static void illegal(struct scsi_req *req, u8 asc)
{
	bootsan_scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, asc, 0);
}

/*
 * @n bytes of ASCII from @s (up to its NUL), left-aligned and padded with
 * spaces; anything but printable ASCII becomes a space (SPC-4 4.4.1).
 */
static void put_ascii(struct resp *r, u32 off, const char *s, u32 n)
{
	u32 i;
	char c;

	for (i = 0; i < n; i++) {
		c = (s && *s) ? *s++ : ' ';
		put_u8(r, off + i, (c >= 0x20 && c <= 0x7e) ? c : ' ');
	}
}

/* @nr blocks from @lba lie within the medium (no 64-bit wrap). */
static bool range_ok(const struct scsi_lun_info *lun, u64 lba, u64 nr)
{
	return nr <= lun->nr_blocks && lba <= lun->nr_blocks - nr;
}

/* Write protection and capacity: true if the command may go on. */
static bool block_checks(const struct scsi_lun_info *lun, struct scsi_req *req,
			 u64 lba, u64 nr, bool write)
{
	if (write && lun->read_only) {
		bootsan_scsi_set_sense(req, SCSI_SK_DATA_PROTECT,
			       SCSI_ASC_WRITE_PROTECTED, 0);
		return false;
	}
	if (!range_ok(lun, lba, nr)) {
		illegal(req, SCSI_ASC_LBA_OUT_OF_RANGE);
		return false;
	}
	return true;
}

/*
 * Transfer of @nr blocks, @copies times: within MAXIMUM TRANSFER LENGTH and
 * expressible in 32 bits (the iSCSI expected data transfer length).
 * @len_off is the CDB offset of the transfer length field.
 */
static bool xfer_ok(const struct scsi_lun_info *lun, struct scsi_req *req,
		    u32 nr, u32 copies, u32 len_off)
{
	u64 bytes = (u64)nr * lun->block_size * copies;

	if ((lun->max_xfer_blocks && nr > lun->max_xfer_blocks) ||
	    bytes > U32_ALL_ONES) {
		bad_cdb(req, len_off, 7);
		return false;
	}
	return true;
}

/*
 * LBA and transfer length of a 10, 12 or 16-byte block command; returns
 * the offset of the length field.
 */
static u32 lba_len(const u8 *cdb, u64 *lba, u32 *nr)
{
	switch (cdb[0] >> 5) {
	case 1:
	case 2:
		*lba = get_unaligned_be32(&cdb[2]);
		*nr = get_unaligned_be16(&cdb[7]);
		return 7;
	case 5:
		*lba = get_unaligned_be32(&cdb[2]);
		*nr = get_unaligned_be32(&cdb[6]);
		return 6;
	default:
		*lba = get_unaligned_be64(&cdb[2]);
		*nr = get_unaligned_be32(&cdb[10]);
		return 10;
	}
}

static bool do_read_write(const struct scsi_lun_info *lun, struct scsi_req *req)
{
	const u8 *cdb = req->cdb;
	bool write = cdb[0] == OP_WRITE_6 || cdb[0] == OP_WRITE_10 ||
		     cdb[0] == OP_WRITE_12 || cdb[0] == OP_WRITE_16;
	u8 flags = 0;
	u32 nr, len_off;
	u64 lba;

	if (cdb[0] == OP_READ_6 || cdb[0] == OP_WRITE_6) {
		lba = (cdb[1] & 0x1f) << 16 | get_unaligned_be16(&cdb[2]);
		nr = cdb[4] ? cdb[4] : 256;
		len_off = 4;
	} else {
		flags = cdb[1];
		len_off = lba_len(cdb, &lba, &nr);
	}
	if (flags & CDB_PROTECT) {
		bad_cdb(req, 1, 7);
		return false;
	}
	if (!block_checks(lun, req, lba, nr, write) || !nr)
		return false;
	if (!xfer_ok(lun, req, nr, 1, len_off))
		return false;
	req->lba = lba;
	req->nr_blocks = nr;
	req->fua = flags & CDB_FUA;
	req->dpo = flags & CDB_DPO;
	if (write)
		req->data_out_len = nr * lun->block_size;
	return true;
}

static bool do_verify(const struct scsi_lun_info *lun, struct scsi_req *req)
{
	const u8 *cdb = req->cdb;
	u8 bytchk = (cdb[1] >> 1) & 3;
	u32 nr, len_off;
	u64 lba;

	len_off = lba_len(cdb, &lba, &nr);
	if (cdb[1] & CDB_PROTECT) {
		bad_cdb(req, 1, 7);
		return false;
	}
	/* 10b is reserved; 11b (one block against all) is not implemented. */
	if (bytchk > 1) {
		bad_cdb(req, 1, 2);
		return false;
	}
	if (!block_checks(lun, req, lba, nr, false) || !nr)
		return false;
	/* BYTCHK 0: medium verification, which a file or device passes. */
	if (!bytchk)
		return false;
	if (!xfer_ok(lun, req, nr, 1, len_off))
		return false;
	req->lba = lba;
	req->nr_blocks = nr;
	req->dpo = cdb[1] & CDB_DPO;
	req->data_out_len = nr * lun->block_size;
	return true;
}

static bool do_write_verify(const struct scsi_lun_info *lun,
			    struct scsi_req *req)
{
	const u8 *cdb = req->cdb;
	u32 nr, len_off;
	u64 lba;

	len_off = lba_len(cdb, &lba, &nr);
	if (cdb[1] & CDB_PROTECT) {
		bad_cdb(req, 1, 7);
		return false;
	}
	if (!block_checks(lun, req, lba, nr, true) || !nr)
		return false;
	if (!xfer_ok(lun, req, nr, 1, len_off))
		return false;
	req->lba = lba;
	req->nr_blocks = nr;
	req->dpo = cdb[1] & CDB_DPO;
	req->data_out_len = nr * lun->block_size;
	return true;
}

static bool do_sync_cache(const struct scsi_lun_info *lun, struct scsi_req *req)
{
	u32 nr;
	u64 lba;

	lba_len(req->cdb, &lba, &nr);
	/* IMMED may be ignored: GOOD comes when the cache is flushed. */
	if (!block_checks(lun, req, lba, nr, false))
		return false;
	req->lba = lba;
	req->nr_blocks = nr;
	return true;
}

static bool do_write_same(const struct scsi_lun_info *lun,
			  struct scsi_req *req)
{
	const u8 *cdb = req->cdb;
	u8 flags = cdb[1];
	u32 nr, len_off;
	u64 lba;

	len_off = lba_len(cdb, &lba, &nr);
	if (flags & CDB_PROTECT) {
		bad_cdb(req, 1, 7);
		return false;
	}
	/* ANC_SUP is 0 in VPD B2h. */
	if (flags & CDB_ANCHOR) {
		bad_cdb(req, 1, 4);
		return false;
	}
	if ((flags & CDB_UNMAP) && !lun->thin) {
		bad_cdb(req, 1, 3);
		return false;
	}
	if (flags & CDB_WS_OBSOLETE) {
		bad_cdb(req, 1, top_bit(flags & CDB_WS_OBSOLETE));
		return false;
	}
	/* WSNZ is 1 in VPD B0h: zero blocks does not mean "to the end". */
	if (!nr || (lun->max_write_same_blocks && nr > lun->max_write_same_blocks)) {
		bad_cdb(req, len_off, 7);
		return false;
	}
	if (!block_checks(lun, req, lba, nr, true))
		return false;
	req->lba = lba;
	req->nr_blocks = nr;
	req->unmap = flags & CDB_UNMAP;
	req->ndob = cdb[0] == OP_WRITE_SAME_16 && (flags & CDB_NDOB);
	req->data_out_len = req->ndob ? 0 : lun->block_size;
	return true;
}

static bool do_compare_and_write(const struct scsi_lun_info *lun,
				 struct scsi_req *req)
{
	const u8 *cdb = req->cdb;
	u64 lba = get_unaligned_be64(&cdb[2]);
	u32 nr = cdb[13];

	if (cdb[1] & CDB_PROTECT) {
		bad_cdb(req, 1, 7);
		return false;
	}
	/* MAXIMUM COMPARE AND WRITE LENGTH is 1 in VPD B0h. */
	if (nr > 1) {
		bad_cdb(req, 13, 7);
		return false;
	}
	if (!block_checks(lun, req, lba, nr, true) || !nr)
		return false;
	if (!xfer_ok(lun, req, nr, 2, 13))
		return false;
	req->lba = lba;
	req->nr_blocks = nr;
	req->fua = cdb[1] & CDB_FUA;
	req->dpo = cdb[1] & CDB_DPO;
	req->data_out_len = 2 * nr * lun->block_size;
	return true;
}

static bool do_unmap(const struct scsi_lun_info *lun, struct scsi_req *req)
{
	u32 len = get_unaligned_be16(&req->cdb[7]);

	if (req->cdb[1] & 0x01) {	/* ANCHOR; ANC_SUP is 0 */
		bad_cdb(req, 1, 0);
		return false;
	}
	if (!block_checks(lun, req, 0, 0, true) || !len)
		return false;
	if (len < 8) {			/* shorter than the header */
		illegal(req, SCSI_ASC_PARAM_LIST_LENGTH);
		return false;
	}
	req->data_out_len = len;
	return true;
}

static bool do_read_capacity_10(const struct scsi_lun_info *lun,
				struct scsi_req *req)
{
	const u8 *cdb = req->cdb;
	u64 last = lun->nr_blocks - 1;
	struct resp r;

	/* PMI 0 with a non-zero LBA (SBC-2; both obsolete in SBC-3). */
	if (!(cdb[8] & 0x01) && get_unaligned_be32(&cdb[2])) {
		bad_cdb(req, 2, 7);
		return false;
	}
	resp_init(&r, req, 8);
	put_be32(&r, 0, last > 0xfffffffeULL ? U32_ALL_ONES : (u32)last);
	put_be32(&r, 4, lun->block_size);
	resp_done(req, &r);
	return false;
}

static bool do_read_capacity_16(const struct scsi_lun_info *lun,
				struct scsi_req *req)
{
	const u8 *cdb = req->cdb;
	struct resp r;

	if (!(cdb[14] & 0x01) && get_unaligned_be64(&cdb[2])) {
		bad_cdb(req, 2, 7);
		return false;
	}
	resp_init(&r, req, get_unaligned_be32(&cdb[10]));
	put_be64(&r, 0, lun->nr_blocks - 1);
	put_be32(&r, 8, lun->block_size);
	/* LBPME and LBPRZ: unmapped blocks read back as zeros. */
	put_u8(&r, 14, lun->thin ? 0xc0 : 0);
	put_u8(&r, 31, 0);
	resp_done(req, &r);
	return false;
}

void bootsan_scsi_fill_lba_status(struct scsi_req *req, u64 lba, u64 nr_blocks,
				  bool mapped, u32 alloc_len)
{
	struct resp r;

	if (!req || (!req->data_in && req->data_in_cap))
		return;
	req->action = SCSI_ACT_DONE;
	req->status = SCSI_STATUS_GOOD;
	req->sense_len = 0;
	req->data_out_len = 0;
	resp_init(&r, req, alloc_len);
	put_be32(&r, 0, LBA_STATUS_LEN - 4);	/* PARAMETER DATA LENGTH */
	put_be64(&r, 8, lba);
	put_be32(&r, 16, nr_blocks > U32_ALL_ONES ? U32_ALL_ONES : nr_blocks);
	put_u8(&r, 20, mapped ? 0 : 1);		/* mapped or deallocated */
	put_u8(&r, LBA_STATUS_LEN - 1, 0);
	resp_done(req, &r);
}

static bool do_get_lba_status(const struct scsi_lun_info *lun,
			      struct scsi_req *req)
{
	u64 lba = get_unaligned_be64(&req->cdb[2]);
	u32 alloc_len = get_unaligned_be32(&req->cdb[10]);

	if (lba >= lun->nr_blocks) {
		illegal(req, SCSI_ASC_LBA_OUT_OF_RANGE);
		return false;
	}
	req->alloc_len = alloc_len;
	if (!alloc_len)
		return false;
	if (!lun->thin) {		/* fully provisioned: all mapped */
		bootsan_scsi_fill_lba_status(req, lba, lun->nr_blocks - lba,
					     true, alloc_len);
		return false;
	}
	req->lba = lba;
	return true;
}

static void std_inquiry(const struct scsi_lun_info *lun, struct resp *r)
{
	/* SAM-5, iSCSI, SPC-4, SBC-3: no version claimed. */
	static const u8 versions[] = { 0x00, 0xa0, 0x09, 0x60,
				       0x04, 0x60, 0x04, 0xc0 };

	put_u8(r, 0, 0x00);		/* connected, direct access block */
	put_u8(r, 2, 0x06);		/* SPC-4 */
	put_u8(r, 3, 0x12);		/* HISUP, response data format 2 */
	put_u8(r, 4, STD_INQUIRY_LEN - 5);
	put_u8(r, 7, 0x02);		/* CMDQUE */
	put_ascii(r, 8, lun->vendor ? lun->vendor : "BOOTSAN ", 8);
	put_ascii(r, 16, lun->product ? lun->product : "bootsan disk", 16);
	put_ascii(r, 32, lun->revision ? lun->revision : "0001", 4);
	put_bytes(r, 58, versions, sizeof(versions));
	put_u8(r, STD_INQUIRY_LEN - 1, 0);
}

static u32 serial_len(const struct scsi_lun_info *lun)
{
	return lun->serial ? strnlen(lun->serial, SERIAL_MAX_LEN) : 0;
}

/* VPD pages we have, in ascending order (VPD 00h). */
static const u8 vpd_pages[] = { 0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2 };

static void vpd_device_id(const struct scsi_lun_info *lun, struct resp *r)
{
	static const char suffix[] = TARGET_PORT_SUFFIX;
	u32 off = 4, n, dlen;
	const char *id;

	if (lun->naa) {			/* binary, LU, NAA */
		put_u8(r, off, 0x01);
		put_u8(r, off + 1, 0x03);
		put_u8(r, off + 3, 8);
		put_be64(r, off + 4, lun->naa);
		off += 12;
	}
	/* ASCII, LU, T10 vendor ID: vendor, then serial or product. */
	n = serial_len(lun);
	id = n ? lun->serial : (lun->product ? lun->product : "bootsan disk");
	if (!n)
		n = 16;
	put_u8(r, off, 0x02);
	put_u8(r, off + 1, 0x01);
	put_u8(r, off + 3, 8 + n);
	put_ascii(r, off + 4, lun->vendor ? lun->vendor : "BOOTSAN ", 8);
	put_ascii(r, off + 12, id, n);
	off += 4 + 8 + n;
	/*
	 * UTF-8, iSCSI, target port, SCSI name string "<iqn>,t,0x0001":
	 * NUL-terminated, padded with NULs to a multiple of 4 (SPC-4 7.8.6.11).
	 */
	n = lun->target_name ? strnlen(lun->target_name,
				       TARGET_NAME_MAX_LEN + 1) : 0;
	if (n && n <= TARGET_NAME_MAX_LEN) {
		dlen = (n + sizeof(suffix) + 3) & ~3U;
		put_u8(r, off, 0x53);
		put_u8(r, off + 1, 0x98);
		put_u8(r, off + 3, dlen);
		put_bytes(r, off + 4, (const u8 *)lun->target_name, n);
		put_bytes(r, off + 4 + n, (const u8 *)suffix, sizeof(suffix));
		put_u8(r, off + 4 + dlen - 1, 0);
		off += 4 + dlen;
	}
	/* binary, iSCSI, target port, relative target port */
	put_u8(r, off, 0x51);
	put_u8(r, off + 1, 0x94);
	put_u8(r, off + 3, 4);
	put_be16(r, off + 6, lun->relative_port ? lun->relative_port : 1);
	off += 8;
	/* binary, iSCSI, target port, target port group */
	put_u8(r, off, 0x51);
	put_u8(r, off + 1, 0x95);
	put_u8(r, off + 3, 4);
	put_be16(r, off + 6, lun->target_port_group);
	off += 8;
	put_be16(r, 2, off - 4);
}

static void vpd_block_limits(const struct scsi_lun_info *lun, struct resp *r)
{
	put_be16(r, 2, 0x3c);
	put_u8(r, 4, 0x01);		/* WSNZ */
	put_u8(r, 5, 1);		/* MAXIMUM COMPARE AND WRITE LENGTH */
	put_be32(r, 8, lun->max_xfer_blocks);
	put_be32(r, 12, lun->opt_xfer_blocks);
	if (lun->thin) {		/* zero would mean "no UNMAP" */
		put_be32(r, 20, lun->max_unmap_blocks ?
				lun->max_unmap_blocks : U32_ALL_ONES);
		put_be32(r, 24, lun->max_unmap_descriptors ?
				lun->max_unmap_descriptors : U32_ALL_ONES);
	}
	put_be64(r, 36, lun->max_write_same_blocks);
	put_u8(r, 63, 0);
}

static bool do_inquiry(const struct scsi_lun_info *lun, struct scsi_req *req)
{
	const u8 *cdb = req->cdb;
	u8 page = cdb[2];
	struct resp r;
	u32 n;

	if (cdb[1] & 0x02) {		/* CMDDT, obsolete */
		bad_cdb(req, 1, 1);
		return false;
	}
	if (!(cdb[1] & 0x01)) {
		if (page) {
			bad_cdb(req, 2, 7);
			return false;
		}
		resp_init(&r, req, get_unaligned_be16(&cdb[3]));
		std_inquiry(lun, &r);
		resp_done(req, &r);
		return false;
	}
	if (!memchr(vpd_pages, page, sizeof(vpd_pages))) {
		bad_cdb(req, 2, 7);
		return false;
	}
	resp_init(&r, req, get_unaligned_be16(&cdb[3]));
	put_u8(&r, 1, page);
	switch (page) {
	case 0x00:
		put_be16(&r, 2, sizeof(vpd_pages));
		put_bytes(&r, 4, vpd_pages, sizeof(vpd_pages));
		break;
	case 0x80:
		n = serial_len(lun);
		put_be16(&r, 2, n);
		put_ascii(&r, 4, lun->serial, n);
		break;
	case 0x83:
		vpd_device_id(lun, &r);
		break;
	case 0xb0:
		vpd_block_limits(lun, &r);
		break;
	case 0xb1:
		put_be16(&r, 2, 0x3c);
		put_be16(&r, 4, lun->rotational ? 0 : 1);
		put_u8(&r, 63, 0);
		break;
	case 0xb2:
		put_be16(&r, 2, 4);
		/* LBPU, LBPWS, LBPWS10, LBPRZ; provisioning type thin */
		put_u8(&r, 5, lun->thin ? 0xe4 : 0);
		put_u8(&r, 6, lun->thin ? 0x02 : 0);
		put_u8(&r, 7, 0);
		break;
	}
	resp_done(req, &r);
	return false;
}

static void put_lun(struct resp *r, u32 off, u32 lun)
{
	if (lun < 256) {		/* peripheral device addressing */
		put_u8(r, off + 1, lun);
	} else {			/* flat space addressing */
		put_u8(r, off, 0x40 | lun >> 8);
		put_u8(r, off + 1, lun & 0xff);
	}
	put_u8(r, off + 7, 0);
}

static bool do_report_luns(const struct scsi_lun_info *lun,
			   struct scsi_req *req)
{
	const u8 *cdb = req->cdb;
	u32 alloc_len = get_unaligned_be32(&cdb[6]);
	u32 i, n = 0, prev = U32_ALL_ONES;
	struct resp r;

	/* 00h all, 01h well known (we have none), 02h both */
	if (cdb[2] > 2) {
		bad_cdb(req, 2, 7);
		return false;
	}
	if (alloc_len < 16) {
		bad_cdb(req, 6, 7);
		return false;
	}
	resp_init(&r, req, alloc_len);
	if (cdb[2] != 1 && (!lun->all_luns || !lun->nr_luns)) {
		put_lun(&r, 8, lun->lun < LUN_FLAT_MAX ? lun->lun : 0);
		n = 1;
	} else if (cdb[2] != 1) {
		for (i = 0; i < lun->nr_luns && n < LUN_FLAT_MAX; i++) {
			if (lun->all_luns[i] >= LUN_FLAT_MAX ||
			    lun->all_luns[i] == prev)
				continue;
			prev = lun->all_luns[i];
			put_lun(&r, 8 + 8 * n++, prev);
		}
	}
	put_be32(&r, 0, 8 * n);
	put_u8(&r, 7, 0);
	resp_done(req, &r);
	return false;
}

/*
 * Mode page @page as current/default (@pc 0 or 2) or changeable (1)
 * values into @buf (MODE_PAGE_MAX_LEN bytes); returns its length, 0 for a
 * page we do not have.
 */
static u32 mode_page(const struct scsi_lun_info *lun, u8 page, u8 pc, u8 *buf)
{
	bool mask = pc == MODE_PC_CHANGEABLE;

	memset(buf, 0, MODE_PAGE_MAX_LEN);
	buf[0] = page;
	switch (page) {
	case MODE_PAGE_RW_RECOVERY:
		buf[1] = 0x0a;
		return 12;
	case MODE_PAGE_CACHING:
		buf[1] = 0x12;
		if (mask || lun->write_cache)
			buf[2] = MODE_CACHING_WCE;
		return 20;
	case MODE_PAGE_CONTROL:
		buf[1] = 0x0a;
		if (!mask)
			buf[2] = MODE_CONTROL_GLTSD;
		return 12;
	}
	return 0;
}

static const u8 mode_pages[] = {
	MODE_PAGE_RW_RECOVERY, MODE_PAGE_CACHING, MODE_PAGE_CONTROL
};

static bool do_mode_sense(const struct scsi_lun_info *lun,
			  struct scsi_req *req)
{
	const u8 *cdb = req->cdb;
	bool ten = cdb[0] == OP_MODE_SENSE_10;
	bool llbaa = ten && (cdb[1] & 0x10);
	u8 pc = cdb[2] >> 6, page = cdb[2] & 0x3f, sub = cdb[3];
	u8 buf[MODE_PAGE_MAX_LEN];
	u32 hdr = ten ? 8 : 4, bd_len, off, i, n;
	struct resp r;

	if (pc == MODE_PC_SAVED) {
		illegal(req, SCSI_ASC_SAVING_NOT_SUPPORTED);
		return false;
	}
	if (page != MODE_PAGE_ALL && !mode_page(lun, page, pc, buf)) {
		bad_cdb(req, 2, 5);
		return false;
	}
	if (sub && !(sub == MODE_SUBPAGE_ALL && page == MODE_PAGE_ALL)) {
		bad_cdb(req, 3, 7);
		return false;
	}
	bd_len = (cdb[1] & 0x08) ? 0 : llbaa ? 16 : 8;
	resp_init(&r, req, ten ? get_unaligned_be16(&cdb[7]) : cdb[4]);
	off = hdr;
	if (bd_len && pc != MODE_PC_CHANGEABLE) {
		if (llbaa) {
			put_be64(&r, off, lun->nr_blocks);
			put_be32(&r, off + 12, lun->block_size);
		} else {
			put_be32(&r, off, lun->nr_blocks > U32_ALL_ONES ?
					  U32_ALL_ONES : lun->nr_blocks);
			put_u8(&r, off + 5, lun->block_size >> 16);
			put_be16(&r, off + 6, lun->block_size);
		}
	} else if (bd_len) {		/* nothing in it is changeable */
		put_u8(&r, off + bd_len - 1, 0);
	}
	off += bd_len;
	for (i = 0; i < sizeof(mode_pages); i++) {
		if (page != MODE_PAGE_ALL && page != mode_pages[i])
			continue;
		n = mode_page(lun, mode_pages[i], pc, buf);
		put_bytes(&r, off, buf, n);
		off += n;
	}
	n = (lun->read_only ? MODE_DSP_WP : 0) | MODE_DSP_DPOFUA;
	if (ten) {
		put_be16(&r, 0, off - 2);
		put_u8(&r, 3, n);
		put_u8(&r, 4, bd_len == 16 ? 0x01 : 0);	/* LONGLBA */
		put_be16(&r, 6, bd_len);
	} else {
		put_u8(&r, 0, off - 1);
		put_u8(&r, 2, n);
		put_u8(&r, 3, bd_len);
	}
	resp_done(req, &r);
	return false;
}

static bool do_mode_select(const struct scsi_lun_info *lun, struct scsi_req *req)
{
	const u8 *cdb = req->cdb;
	u32 len = cdb[0] == OP_MODE_SELECT_10 ?
		  get_unaligned_be16(&cdb[7]) : cdb[4];

	if (cdb[1] & 0x01) {		/* SP: we save nothing */
		bad_cdb(req, 1, 0);
		return false;
	}
	if (!len)
		return false;
	if (!(cdb[1] & 0x10)) {		/* PF 0: vendor-specific pages */
		bad_cdb(req, 1, 4);
		return false;
	}
	req->data_out_len = len;
	return true;
}

static void param_length_error(struct scsi_req *req)
{
	illegal(req, SCSI_ASC_PARAM_LIST_LENGTH);
}

/* A MODE SELECT block descriptor at @p (@off in the list): no change. */
static bool mode_select_bd_ok(const struct scsi_lun_info *lun,
			      struct scsi_req *req, const u8 *p, u32 off,
			      bool longlba)
{
	u64 nb = longlba ? get_unaligned_be64(p) : get_unaligned_be32(p);
	u64 cur = lun->nr_blocks;
	u32 bl;

	if (!longlba && cur > U32_ALL_ONES)
		cur = U32_ALL_ONES;
	bl = longlba ? get_unaligned_be32(p + 12) :
		       (u32)p[5] << 16 | get_unaligned_be16(p + 6);
	if (nb && nb != cur) {
		bad_param(req, off, 7);
		return false;
	}
	if (bl != lun->block_size) {
		bad_param(req, off + (longlba ? 12 : 5), 7);
		return false;
	}
	return true;
}

int bootsan_scsi_mode_select(const struct scsi_lun_info *lun, struct scsi_req *req,
			     const u8 *param, u32 len, bool *wce_out)
{
	u8 cur[MODE_PAGE_MAX_LEN], chg[MODE_PAGE_MAX_LEN];
	u32 hdr, bd_len, off, plen, i;
	bool ten, longlba, wce;
	u8 diff;

	if (!lun || !req || !req->cdb || !req->cdb_len || (!param && len) ||
	    !wce_out)
		return -EINVAL;
	if (req->cdb[0] != OP_MODE_SELECT_6 && req->cdb[0] != OP_MODE_SELECT_10)
		return -EINVAL;
	ten = req->cdb[0] == OP_MODE_SELECT_10;
	*wce_out = lun->write_cache;
	wce = lun->write_cache;
	req->action = SCSI_ACT_DONE;
	req->data_in_len = 0;
	req->status = SCSI_STATUS_GOOD;
	req->sense_len = 0;

	hdr = ten ? 8 : 4;
	if (len < hdr) {
		param_length_error(req);
		return -EINVAL;
	}
	/* MEDIUM TYPE 00h; mode data length and device-specific reserved */
	if (param[ten ? 2 : 1]) {
		bad_param(req, ten ? 2 : 1, 7);
		return -EINVAL;
	}
	bd_len = ten ? get_unaligned_be16(&param[6]) : param[3];
	longlba = ten && (param[4] & 0x01);
	if (bd_len && bd_len != (longlba ? 16U : 8U)) {
		bad_param(req, ten ? 6 : 3, 7);
		return -EINVAL;
	}
	if (len - hdr < bd_len) {
		param_length_error(req);
		return -EINVAL;
	}
	if (bd_len && !mode_select_bd_ok(lun, req, param + hdr, hdr, longlba))
		return -EINVAL;
	for (off = hdr + bd_len; off < len; off += plen) {
		if (len - off < 2) {
			param_length_error(req);
			return -EINVAL;
		}
		if (param[off] & 0x40) {	/* SPF: we have no subpages */
			bad_param(req, off, 6);
			return -EINVAL;
		}
		plen = mode_page(lun, param[off] & 0x3f, MODE_PC_CURRENT, cur);
		if (!plen) {
			bad_param(req, off, 5);
			return -EINVAL;
		}
		if (param[off + 1] != plen - 2) {
			bad_param(req, off + 1, 7);
			return -EINVAL;
		}
		if (len - off < plen) {
			param_length_error(req);
			return -EINVAL;
		}
		mode_page(lun, param[off] & 0x3f, MODE_PC_CHANGEABLE, chg);
		for (i = 2; i < plen; i++) {
			diff = (param[off + i] ^ cur[i]) & ~chg[i];
			if (diff) {
				bad_param(req, off + i, top_bit(diff));
				return -EINVAL;
			}
		}
		if ((param[off] & 0x3f) == MODE_PAGE_CACHING)
			wce = param[off + 2] & MODE_CACHING_WCE;
	}
	*wce_out = wce;
	return 0;
}

static bool do_request_sense(const struct scsi_lun_info *lun, struct scsi_req *req)
{
	struct resp r;

	/* No deferred or pending sense is kept: NO SENSE, in either format. */
	resp_init(&r, req, req->cdb[4]);
	if (req->cdb[1] & 0x01) {
		put_u8(&r, 0, 0x72);
		put_u8(&r, 7, 0);
	} else {
		put_u8(&r, 0, 0x70);
		put_u8(&r, 7, SCSI_SENSE_LEN - 8);
		put_u8(&r, SCSI_SENSE_LEN - 1, 0);
	}
	resp_done(req, &r);
	return false;
}

/*
 * PERSISTENT RESERVE IN and OUT, RESERVE and RELEASE: the reservation state
 * is the transport's (pr.c); only the CDB is checked here.
 */
static bool do_pr_in(const struct scsi_lun_info *lun, struct scsi_req *req)
{
	req->alloc_len = get_unaligned_be16(&req->cdb[7]);
	return true;
}

static bool do_pr_out(const struct scsi_lun_info *lun, struct scsi_req *req)
{
	u32 len = get_unaligned_be32(&req->cdb[5]);

	/* SPEC_I_PT lists are not supported: only the 24-byte basic list. */
	if (len != PR_OUT_PARAM_LEN) {
		param_length_error(req);
		return false;
	}
	req->data_out_len = len;
	return true;
}

static bool do_reserve(const struct scsi_lun_info *lun, struct scsi_req *req)
{
	/* RESERVE(10)/RELEASE(10): no third-party reservations (3RDPTY, LONGID) */
	if ((req->cdb[0] == OP_RESERVE_10 || req->cdb[0] == OP_RELEASE_10) &&
	    (req->cdb[1] & 0x12)) {
		bad_cdb(req, 1, top_bit(req->cdb[1] & 0x12));
		return false;
	}
	return true;
}

static u32 put_timeouts(struct resp *r, u32 off)
{
	put_be16(r, off, 0x0a);		/* no timeouts given */
	put_u8(r, off + 11, 0);
	return 12;
}

static bool do_report_opcodes(const struct scsi_lun_info *lun,
			      struct scsi_req *req);

/*
 * Every command the target supports, in the order REPORT SUPPORTED
 * OPERATION CODES lists them (see struct scsi_cmd_desc). An opcode with
 * service actions has one entry per service action.
 */
static const struct scsi_cmd_desc scsi_cmds[] = {
	{ .op = OP_TEST_UNIT_READY, .len = 6,
	  .decode = NULL, .action = SCSI_ACT_DONE, .res = SCSI_RES_ALLOWED,
	  .usage = { OP_TEST_UNIT_READY, 0x00, 0x00, 0x00, 0x00, 0x00 } },
	{ .op = OP_REQUEST_SENSE, .flags = SCSI_CMD_NO_UA | SCSI_CMD_SPC2_OK, .len = 6,
	  .decode = do_request_sense, .action = SCSI_ACT_DONE, .res = SCSI_RES_ALLOWED,
	  .usage = { OP_REQUEST_SENSE, 0x01, 0x00, 0x00, 0xff, 0x00 } },
	{ .op = OP_READ_6, .len = 6,
	  .decode = do_read_write, .action = SCSI_ACT_READ, .res = SCSI_RES_READ,
	  .usage = { OP_READ_6, 0x1f, 0xff, 0xff, 0xff, 0x00 } },
	{ .op = OP_WRITE_6, .len = 6,
	  .decode = do_read_write, .action = SCSI_ACT_WRITE,
	  .usage = { OP_WRITE_6, 0x1f, 0xff, 0xff, 0xff, 0x00 } },
	{ .op = OP_INQUIRY, .flags = SCSI_CMD_NO_UA | SCSI_CMD_SPC2_OK, .len = 6,
	  .decode = do_inquiry, .action = SCSI_ACT_DONE, .res = SCSI_RES_ALLOWED,
	  .usage = { OP_INQUIRY, 0x03, 0xff, 0xff, 0xff, 0x00 } },
	{ .op = OP_MODE_SELECT_6, .len = 6,
	  .decode = do_mode_select, .action = SCSI_ACT_MODE_SELECT,
	  .usage = { OP_MODE_SELECT_6, 0x11, 0x00, 0x00, 0xff, 0x00 } },
	{ .op = OP_RESERVE_6, .len = 6,
	  .decode = do_reserve, .action = SCSI_ACT_RESERVE, .res = SCSI_RES_SPC2,
	  .usage = { OP_RESERVE_6, 0x00, 0x00, 0x00, 0x00, 0x00 } },
	{ .op = OP_RELEASE_6, .flags = SCSI_CMD_SPC2_OK, .len = 6,
	  .decode = do_reserve, .action = SCSI_ACT_RESERVE, .res = SCSI_RES_SPC2,
	  .usage = { OP_RELEASE_6, 0x00, 0x00, 0x00, 0x00, 0x00 } },
	{ .op = OP_MODE_SENSE_6, .len = 6,
	  .decode = do_mode_sense, .action = SCSI_ACT_DONE, .res = SCSI_RES_READ,
	  .usage = { OP_MODE_SENSE_6, 0x08, 0xff, 0xff, 0xff, 0x00 } },
	{ .op = OP_START_STOP_UNIT, .len = 6,
	  .decode = NULL, .action = SCSI_ACT_DONE,
	  .usage = { OP_START_STOP_UNIT, 0x00, 0x00, 0x00, 0x00, 0x00 } },
	{ .op = OP_PREVENT_ALLOW, .len = 6,
	  .decode = NULL, .action = SCSI_ACT_DONE,
	  .usage = { OP_PREVENT_ALLOW, 0x00, 0x00, 0x00, 0x00, 0x00 } },
	{ .op = OP_READ_CAPACITY_10, .len = 10,
	  .decode = do_read_capacity_10, .action = SCSI_ACT_DONE, .res = SCSI_RES_ALLOWED,
	  .usage = { OP_READ_CAPACITY_10, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00,
		     0x00, 0x01, 0x00 } },
	{ .op = OP_READ_10, .len = 10,
	  .decode = do_read_write, .action = SCSI_ACT_READ, .res = SCSI_RES_READ,
	  .usage = { OP_READ_10, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff,
		     0xff, 0x00 } },
	{ .op = OP_WRITE_10, .len = 10,
	  .decode = do_read_write, .action = SCSI_ACT_WRITE,
	  .usage = { OP_WRITE_10, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff,
		     0xff, 0x00 } },
	{ .op = OP_WRITE_VERIFY_10, .len = 10,
	  .decode = do_write_verify, .action = SCSI_ACT_WRITE_VERIFY,
	  .usage = { OP_WRITE_VERIFY_10, 0xf0, 0xff, 0xff, 0xff, 0xff, 0x00,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_VERIFY_10, .len = 10,
	  .decode = do_verify, .action = SCSI_ACT_VERIFY_READ, .res = SCSI_RES_READ,
	  .usage = { OP_VERIFY_10, 0xf6, 0xff, 0xff, 0xff, 0xff, 0x00, 0xff,
		     0xff, 0x00 } },
	{ .op = OP_SYNC_CACHE_10, .len = 10,
	  .decode = do_sync_cache, .action = SCSI_ACT_FLUSH,
	  .usage = { OP_SYNC_CACHE_10, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_WRITE_SAME_10, .len = 10,
	  .decode = do_write_same, .action = SCSI_ACT_WRITE_SAME,
	  .usage = { OP_WRITE_SAME_10, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_UNMAP, .flags = SCSI_CMD_THIN, .len = 10,
	  .decode = do_unmap, .action = SCSI_ACT_UNMAP,
	  .usage = { OP_UNMAP, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_MODE_SELECT_10, .len = 10,
	  .decode = do_mode_select, .action = SCSI_ACT_MODE_SELECT,
	  .usage = { OP_MODE_SELECT_10, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_RESERVE_10, .len = 10,
	  .decode = do_reserve, .action = SCSI_ACT_RESERVE, .res = SCSI_RES_SPC2,
	  .usage = { OP_RESERVE_10, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		     0x00, 0x00 } },
	{ .op = OP_RELEASE_10, .flags = SCSI_CMD_SPC2_OK, .len = 10,
	  .decode = do_reserve, .action = SCSI_ACT_RESERVE, .res = SCSI_RES_SPC2,
	  .usage = { OP_RELEASE_10, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		     0x00, 0x00 } },
	{ .op = OP_MODE_SENSE_10, .len = 10,
	  .decode = do_mode_sense, .action = SCSI_ACT_DONE, .res = SCSI_RES_READ,
	  .usage = { OP_MODE_SENSE_10, 0x18, 0xff, 0xff, 0x00, 0x00, 0x00,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_PR_IN, .sa = SA_PR_READ_KEYS, .flags = SCSI_CMD_SA, .len = 10,
	  .decode = do_pr_in, .action = SCSI_ACT_PR_IN, .res = SCSI_RES_ALLOWED,
	  .usage = { OP_PR_IN, SA_PR_READ_KEYS, 0x00, 0x00, 0x00, 0x00, 0x00,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_PR_IN, .sa = SA_PR_READ_RESERVATION, .flags = SCSI_CMD_SA, .len = 10,
	  .decode = do_pr_in, .action = SCSI_ACT_PR_IN, .res = SCSI_RES_ALLOWED,
	  .usage = { OP_PR_IN, SA_PR_READ_RESERVATION, 0x00, 0x00, 0x00, 0x00, 0x00,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_PR_IN, .sa = SA_PR_REPORT_CAPS, .flags = SCSI_CMD_SA, .len = 10,
	  .decode = do_pr_in, .action = SCSI_ACT_PR_IN, .res = SCSI_RES_ALLOWED,
	  .usage = { OP_PR_IN, SA_PR_REPORT_CAPS, 0x00, 0x00, 0x00, 0x00, 0x00,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_PR_IN, .sa = SA_PR_READ_FULL_STATUS, .flags = SCSI_CMD_SA, .len = 10,
	  .decode = do_pr_in, .action = SCSI_ACT_PR_IN, .res = SCSI_RES_ALLOWED,
	  .usage = { OP_PR_IN, SA_PR_READ_FULL_STATUS, 0x00, 0x00, 0x00, 0x00, 0x00,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_PR_OUT, .sa = SA_PR_REGISTER, .flags = SCSI_CMD_SA, .len = 10,
	  .decode = do_pr_out, .action = SCSI_ACT_PR_OUT, .res = SCSI_RES_PR_REGISTER,
	  .usage = { OP_PR_OUT, SA_PR_REGISTER, 0xff, 0x00, 0x00, 0xff, 0xff,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_PR_OUT, .sa = SA_PR_RESERVE, .flags = SCSI_CMD_SA, .len = 10,
	  .decode = do_pr_out, .action = SCSI_ACT_PR_OUT, .res = SCSI_RES_PR_HOLDER,
	  .usage = { OP_PR_OUT, SA_PR_RESERVE, 0xff, 0x00, 0x00, 0xff, 0xff,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_PR_OUT, .sa = SA_PR_RELEASE, .flags = SCSI_CMD_SA, .len = 10,
	  .decode = do_pr_out, .action = SCSI_ACT_PR_OUT, .res = SCSI_RES_PR_REGISTERED,
	  .usage = { OP_PR_OUT, SA_PR_RELEASE, 0xff, 0x00, 0x00, 0xff, 0xff,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_PR_OUT, .sa = SA_PR_CLEAR, .flags = SCSI_CMD_SA, .len = 10,
	  .decode = do_pr_out, .action = SCSI_ACT_PR_OUT, .res = SCSI_RES_PR_REGISTERED,
	  .usage = { OP_PR_OUT, SA_PR_CLEAR, 0xff, 0x00, 0x00, 0xff, 0xff,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_PR_OUT, .sa = SA_PR_PREEMPT, .flags = SCSI_CMD_SA, .len = 10,
	  .decode = do_pr_out, .action = SCSI_ACT_PR_OUT, .res = SCSI_RES_PR_REGISTERED,
	  .usage = { OP_PR_OUT, SA_PR_PREEMPT, 0xff, 0x00, 0x00, 0xff, 0xff,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_PR_OUT, .sa = SA_PR_PREEMPT_ABORT, .flags = SCSI_CMD_SA, .len = 10,
	  .decode = do_pr_out, .action = SCSI_ACT_PR_OUT, .res = SCSI_RES_PR_REGISTERED,
	  .usage = { OP_PR_OUT, SA_PR_PREEMPT_ABORT, 0xff, 0x00, 0x00, 0xff, 0xff,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_PR_OUT, .sa = SA_PR_REGISTER_IGNORE, .flags = SCSI_CMD_SA, .len = 10,
	  .decode = do_pr_out, .action = SCSI_ACT_PR_OUT, .res = SCSI_RES_PR_REGISTER,
	  .usage = { OP_PR_OUT, SA_PR_REGISTER_IGNORE, 0xff, 0x00, 0x00, 0xff, 0xff,
		     0xff, 0xff, 0x00 } },
	{ .op = OP_READ_16, .len = 16,
	  .decode = do_read_write, .action = SCSI_ACT_READ, .res = SCSI_RES_READ,
	  .usage = { OP_READ_16, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00 } },
	{ .op = OP_COMPARE_AND_WRITE, .len = 16,
	  .decode = do_compare_and_write, .action = SCSI_ACT_COMPARE_AND_WRITE,
	  .usage = { OP_COMPARE_AND_WRITE, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff,
		     0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00 } },
	{ .op = OP_WRITE_16, .len = 16,
	  .decode = do_read_write, .action = SCSI_ACT_WRITE,
	  .usage = { OP_WRITE_16, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00 } },
	{ .op = OP_WRITE_VERIFY_16, .len = 16,
	  .decode = do_write_verify, .action = SCSI_ACT_WRITE_VERIFY,
	  .usage = { OP_WRITE_VERIFY_16, 0xf0, 0xff, 0xff, 0xff, 0xff, 0xff,
		     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00 } },
	{ .op = OP_VERIFY_16, .len = 16,
	  .decode = do_verify, .action = SCSI_ACT_VERIFY_READ, .res = SCSI_RES_READ,
	  .usage = { OP_VERIFY_16, 0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00 } },
	{ .op = OP_SYNC_CACHE_16, .len = 16,
	  .decode = do_sync_cache, .action = SCSI_ACT_FLUSH,
	  .usage = { OP_SYNC_CACHE_16, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff,
		     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00 } },
	{ .op = OP_WRITE_SAME_16, .len = 16,
	  .decode = do_write_same, .action = SCSI_ACT_WRITE_SAME,
	  .usage = { OP_WRITE_SAME_16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00 } },
	{ .op = OP_SERVICE_ACTION_IN_16, .sa = SA_READ_CAPACITY_16,
	  .flags = SCSI_CMD_SA, .len = 16,
	  .decode = do_read_capacity_16, .action = SCSI_ACT_DONE, .res = SCSI_RES_ALLOWED,
	  .usage = { OP_SERVICE_ACTION_IN_16, SA_READ_CAPACITY_16, 0xff, 0xff, 0xff, 0xff,
		     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00 } },
	{ .op = OP_SERVICE_ACTION_IN_16, .sa = SA_GET_LBA_STATUS,
	  .flags = SCSI_CMD_SA, .len = 16,
	  .decode = do_get_lba_status, .action = SCSI_ACT_GET_LBA_STATUS, .res = SCSI_RES_READ,
	  .usage = { OP_SERVICE_ACTION_IN_16, SA_GET_LBA_STATUS, 0xff, 0xff, 0xff, 0xff,
		     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00 } },
	{ .op = OP_REPORT_LUNS, .flags = SCSI_CMD_NO_UA | SCSI_CMD_SPC2_OK, .len = 12,
	  .decode = do_report_luns, .action = SCSI_ACT_DONE, .res = SCSI_RES_ALLOWED,
	  .usage = { OP_REPORT_LUNS, 0x00, 0xff, 0x00, 0x00, 0x00, 0xff, 0xff,
		     0xff, 0xff, 0x00, 0x00 } },
	{ .op = OP_MAINTENANCE_IN, .sa = SA_REPORT_OPCODES, .flags = SCSI_CMD_SA, .len = 12,
	  .decode = do_report_opcodes, .action = SCSI_ACT_DONE, .res = SCSI_RES_READ,
	  .usage = { OP_MAINTENANCE_IN, SA_REPORT_OPCODES, 0x87, 0xff, 0xff, 0xff, 0xff,
		     0xff, 0xff, 0xff, 0x00, 0x00 } },
	{ .op = OP_READ_12, .len = 12,
	  .decode = do_read_write, .action = SCSI_ACT_READ, .res = SCSI_RES_READ,
	  .usage = { OP_READ_12, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		     0xff, 0xff, 0x00, 0x00 } },
	{ .op = OP_WRITE_12, .len = 12,
	  .decode = do_read_write, .action = SCSI_ACT_WRITE,
	  .usage = { OP_WRITE_12, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		     0xff, 0xff, 0x00, 0x00 } },
};

/*
 * The supported command @op (with service action @sa when @sa >= 0 and the
 * opcode has service actions), or NULL.
 */
static const struct scsi_cmd_desc *find_cmd(const struct scsi_lun_info *lun,
					    u8 op, int sa)
{
	const struct scsi_cmd_desc *d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scsi_cmds); i++) {
		d = &scsi_cmds[i];
		if (d->op != op || ((d->flags & SCSI_CMD_THIN) && !lun->thin))
			continue;
		if (sa >= 0 && (d->flags & SCSI_CMD_SA) && d->sa != sa)
			continue;
		return d;
	}
	return NULL;
}

const struct scsi_cmd_desc *bootsan_scsi_cmd(u32 i)
{
	return i < ARRAY_SIZE(scsi_cmds) ? &scsi_cmds[i] : NULL;
}

const struct scsi_cmd_desc *bootsan_scsi_cmd_of(const u8 *cdb)
{
	const struct scsi_cmd_desc *d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scsi_cmds); i++) {
		d = &scsi_cmds[i];
		if (d->op == cdb[0] &&
		    (!(d->flags & SCSI_CMD_SA) || d->sa == (cdb[1] & 0x1f)))
			return d;
	}
	return NULL;
}

static bool do_report_opcodes(const struct scsi_lun_info *lun,
			      struct scsi_req *req)
{
	const u8 *cdb = req->cdb;
	bool rctd = cdb[2] & 0x80;
	u8 opts = cdb[2] & 0x07, rop = cdb[3];
	u16 rsa = get_unaligned_be16(&cdb[4]);
	const struct scsi_cmd_desc *d;
	struct resp r;
	u32 off = 4;
	size_t i;

	if (opts > 2) {
		bad_cdb(req, 2, 2);
		return false;
	}
	d = opts ? find_cmd(lun, rop, -1) : NULL;
	if (d && (opts == 1) == !!(d->flags & SCSI_CMD_SA)) {
		bad_cdb(req, 2, 2);
		return false;
	}
	if (d && opts == 2)
		d = rsa <= 0x1f ? find_cmd(lun, rop, rsa) : NULL;
	resp_init(&r, req, get_unaligned_be32(&cdb[6]));
	if (!opts) {
		for (i = 0; i < ARRAY_SIZE(scsi_cmds); i++) {
			d = &scsi_cmds[i];
			if ((d->flags & SCSI_CMD_THIN) && !lun->thin)
				continue;
			put_u8(&r, off, d->op);
			put_be16(&r, off + 2, d->flags & SCSI_CMD_SA ? d->sa : 0);
			put_u8(&r, off + 5, (rctd ? 0x02 : 0) |
				(d->flags & SCSI_CMD_SA ? 0x01 : 0));
			put_be16(&r, off + 6, d->len);
			off += 8;
			if (rctd)
				off += put_timeouts(&r, off);
		}
		put_be32(&r, 0, off - 4);
	} else if (!d) {
		put_u8(&r, 1, 0x01);	/* not supported */
		put_be16(&r, 2, 0);
	} else {
		put_u8(&r, 1, (rctd ? 0x80 : 0) | 0x03);
		put_be16(&r, 2, d->len);
		put_bytes(&r, 4, d->usage, d->len);
		if (rctd)
			put_timeouts(&r, 4 + d->len);
	}
	resp_done(req, &r);
	return false;
}

static bool lun_valid(const struct scsi_lun_info *lun)
{
	return lun->nr_blocks && lun->block_size >= 512 &&
	       lun->block_size <= 65536 &&
	       !(lun->block_size & (lun->block_size - 1));
}

bool bootsan_scsi_cdb_moves_blocks(u8 opcode)
{
	const struct scsi_cmd_desc *d;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scsi_cmds); i++) {
		d = &scsi_cmds[i];
		if (d->op == opcode)
			return d->action == SCSI_ACT_READ ||
			       d->action == SCSI_ACT_WRITE ||
			       d->action == SCSI_ACT_FLUSH;
	}
	return false;
}

int bootsan_scsi_decode(const struct scsi_lun_info *lun, struct scsi_req *req)
{
	const struct scsi_cmd_desc *d;
	u8 ctl;

	if (!lun || !req || !req->cdb || (!req->data_in && req->data_in_cap) ||
	    !lun_valid(lun))
		return -EINVAL;
	req->action = SCSI_ACT_DONE;
	req->lba = 0;
	req->nr_blocks = 0;
	req->fua = false;
	req->dpo = false;
	req->unmap = false;
	req->ndob = false;
	req->anchor = false;
	req->alloc_len = 0;
	req->data_in_len = 0;
	req->data_out_len = 0;
	req->status = SCSI_STATUS_GOOD;
	memset(req->sense, 0, sizeof(req->sense));
	req->sense_len = 0;

	/* Longer CDBs would come in an AHS, which we do not take. */
	if (!req->cdb_len || req->cdb_len > SCSI_CDB_MAX_LEN) {
		illegal(req, SCSI_ASC_INVALID_FIELD_IN_CDB);
		return 0;
	}
	d = find_cmd(lun, req->cdb[0], -1);
	if (!d) {
		illegal(req, SCSI_ASC_INVALID_OPCODE);
		return 0;
	}
	if (req->cdb_len < d->len) {
		illegal(req, SCSI_ASC_INVALID_FIELD_IN_CDB);
		return 0;
	}
	if (d->flags & SCSI_CMD_SA) {
		d = find_cmd(lun, req->cdb[0], req->cdb[1] & 0x1f);
		if (!d) {
			bad_cdb(req, 1, 4);
			return 0;
		}
	}
	ctl = req->cdb[d->len - 1] & CDB_CONTROL_CHECKED;
	if (ctl) {
		bad_cdb(req, d->len - 1, top_bit(ctl));
		return 0;
	}
	/* A decoder that fails, or completes the command, leaves it DONE. */
	if (d->decode && d->decode(lun, req) &&
	    req->status == SCSI_STATUS_GOOD)
		req->action = d->action;
	return 0;
}

int bootsan_scsi_parse_unmap(const u8 *param, u32 len, const struct scsi_lun_info *lun,
			     struct scsi_req *req,
			     void (*each)(void *ctx, u64 lba, u32 nr), void *ctx)
{
	u32 bd_len, count, i;
	u64 total = 0, lba;
	const u8 *p;
	u32 nr;

	if (!lun || !req || !each || (!param && len) || !lun_valid(lun))
		return -EINVAL;
	req->action = SCSI_ACT_DONE;
	req->data_in_len = 0;
	req->status = SCSI_STATUS_GOOD;
	req->sense_len = 0;
	if (!len)
		return 0;
	if (len < 8) {
		param_length_error(req);
		return -EINVAL;
	}
	/*
	 * UNMAP BLOCK DESCRIPTOR DATA LENGTH, bounded by what came; an
	 * incomplete last descriptor is ignored (SBC-3 5.28.2).
	 */
	bd_len = min_u32(get_unaligned_be16(&param[2]), len - 8);
	count = bd_len / 16;
	if (lun->max_unmap_descriptors && count > lun->max_unmap_descriptors) {
		bad_param(req, 2, 7);
		return -EINVAL;
	}
	for (i = 0; i < count; i++) {
		p = param + 8 + 16 * i;
		lba = get_unaligned_be64(p);
		nr = get_unaligned_be32(p + 8);
		if (!range_ok(lun, lba, nr)) {
			illegal(req, SCSI_ASC_LBA_OUT_OF_RANGE);
			return -EINVAL;
		}
		total += nr;
		if (lun->max_unmap_blocks && total > lun->max_unmap_blocks) {
			bad_param(req, 8 + 16 * i + 8, 7);
			return -EINVAL;
		}
	}
	for (i = 0; i < count; i++) {
		p = param + 8 + 16 * i;
		nr = get_unaligned_be32(p + 8);
		if (nr)
			each(ctx, get_unaligned_be64(p), nr);
	}
	return 0;
}
