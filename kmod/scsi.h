/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SCSI command decoder and emulator of the target (SPC-4, SBC-3).
 *
 * Pure functions over untrusted bytes: no I/O, no allocation. The transport
 * calls bootsan_scsi_decode() for every SCSI command; the command is either
 * completed here (emulated commands, whose response lands in a buffer the
 * caller supplies) or turned into one block I/O action for the transport.
 * Built into the module and, for unit tests and fuzzing, into host programs.
 */
#ifndef BOOTSAN_SCSI_H
#define BOOTSAN_SCSI_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "host_shim.h"
#endif

/* Longest CDB we take: the 16 bytes of the iSCSI header, no AHS. */
#define SCSI_CDB_MAX_LEN		16
/* Fixed format sense data, response code 70h. */
#define SCSI_SENSE_LEN			18

/* Status codes (SAM-5). */
#define SCSI_STATUS_GOOD		0x00
#define SCSI_STATUS_CHECK_CONDITION	0x02
#define SCSI_STATUS_RESERVATION_CONFLICT 0x18
#define SCSI_STATUS_TASK_SET_FULL	0x28

/* Sense keys (SPC-4 table 45). */
#define SCSI_SK_NO_SENSE		0x0
#define SCSI_SK_NOT_READY		0x2
#define SCSI_SK_MEDIUM_ERROR		0x3
#define SCSI_SK_HARDWARE_ERROR		0x4
#define SCSI_SK_ILLEGAL_REQUEST		0x5
#define SCSI_SK_UNIT_ATTENTION		0x6
#define SCSI_SK_DATA_PROTECT		0x7
#define SCSI_SK_ABORTED_COMMAND		0xb
#define SCSI_SK_MISCOMPARE		0xe

/* Additional sense codes used here (with ASCQ 00h unless said). */
#define SCSI_ASC_PARAM_LIST_LENGTH	0x1a	/* PARAMETER LIST LENGTH ERROR */
#define SCSI_ASC_INVALID_OPCODE		0x20	/* INVALID COMMAND OPERATION CODE */
#define SCSI_ASC_LBA_OUT_OF_RANGE	0x21	/* LOGICAL BLOCK ADDRESS OUT OF RANGE */
#define SCSI_ASC_INVALID_FIELD_IN_CDB	0x24	/* INVALID FIELD IN CDB */
#define SCSI_ASC_INVALID_FIELD_IN_PARAM	0x26	/* INVALID FIELD IN PARAMETER LIST */
#define SCSI_ASC_WRITE_PROTECTED	0x27	/* WRITE PROTECTED */
#define SCSI_ASC_SAVING_NOT_SUPPORTED	0x39	/* SAVING PARAMETERS NOT SUPPORTED */
#define SCSI_ASC_MISCOMPARE_VERIFY	0x1d	/* MISCOMPARE DURING VERIFY OPERATION */
#define SCSI_ASC_WRITE_ERROR		0x0c	/* WRITE ERROR */
#define SCSI_ASC_UNRECOVERED_READ	0x11	/* UNRECOVERED READ ERROR */
#define SCSI_ASC_RESOURCES		0x55	/* with ASCQ 03h: INSUFFICIENT RESOURCES */
/* With SCSI_ASC_WRITE_PROTECTED: SPACE ALLOCATION FAILED WRITE PROTECT (SBC-4). */
#define SCSI_ASCQ_SPACE_ALLOC_FAILED	0x07

/* What a logical unit is; filled by the caller, read-only here. */
struct scsi_lun_info {
	u64 nr_blocks;			/* capacity in blocks, > 0 */
	u32 block_size;			/* 512 or 4096 */
	bool read_only;			/* writes fail with DATA PROTECT */
	bool write_cache;		/* WCE=1 in the caching mode page */
	/*
	 * Thin provisioning: UNMAP, WRITE SAME with UNMAP, LBPME and LBPRZ
	 * (unmapped blocks must read back as zeros), VPD B2h LBPU/LBPWS.
	 */
	bool thin;
	bool rotational;		/* false: rotation rate 1 (non-rotating) */
	const char *serial;		/* VPD 80h; NULL or "" for none */
	u64 naa;			/* 0, or an 8-byte NAA designator (83h) */
	const char *target_name;	/* target IQN, for the 83h name string */
	u16 relative_port;		/* relative target port, 0 taken as 1 */
	u16 target_port_group;
	u32 lun;			/* this LUN's number */
	const u32 *all_luns;		/* REPORT LUNS: the target's LUNs, */
	u32 nr_luns;			/* sorted, each < 16384; NULL/0: @lun */
	u32 max_xfer_blocks;		/* VPD B0h; 0: no limit */
	u32 opt_xfer_blocks;		/* VPD B0h; 0: not reported */
	u32 max_unmap_blocks;		/* per UNMAP command; 0: no limit */
	u32 max_unmap_descriptors;	/* per UNMAP command; 0: no limit */
	u32 max_write_same_blocks;	/* per WRITE SAME command; 0: no limit */
	const char *vendor;		/* 8 chars, NULL: "BOOTSAN " */
	const char *product;		/* 16 chars, NULL: "bootsan disk" */
	const char *revision;		/* 4 chars, NULL: "0001" */
};

/* What the transport runs for a decoded command (exec.c). */
enum scsi_action {
	SCSI_ACT_DONE,		/* complete with status/sense/data_in now */
	SCSI_ACT_READ,		/* read nr_blocks at lba into data-in */
	SCSI_ACT_WRITE,		/* write data-out (data_out_len) at lba */
	SCSI_ACT_VERIFY_READ,	/* read and compare with data-out (BYTCHK=1) */
	SCSI_ACT_WRITE_VERIFY,	/* write through to the medium, then verify */
	/* data-out: nr_blocks to compare, then nr_blocks to write */
	SCSI_ACT_COMPARE_AND_WRITE,
	SCSI_ACT_FLUSH,		/* nr_blocks 0: from lba to the end */
	SCSI_ACT_UNMAP,		/* data-out goes to bootsan_scsi_parse_unmap() */
	/*
	 * Replicate the single block of data-out over the range; ndob: no
	 * data-out, write zeros; unmap: may deallocate (reads give zeros).
	 */
	SCSI_ACT_WRITE_SAME,
	/* ask the backend about lba, then call bootsan_scsi_fill_lba_status() */
	SCSI_ACT_GET_LBA_STATUS,
	/* data-out (data_out_len) goes to bootsan_scsi_mode_select() */
	SCSI_ACT_MODE_SELECT,
	/* reservations: the transport runs pr.c on the LUN's state */
	SCSI_ACT_PR_IN,		/* bootsan_pr_in() fills data-in */
	SCSI_ACT_PR_OUT,	/* data-out (data_out_len) goes to bootsan_pr_out() */
	SCSI_ACT_RESERVE,	/* RESERVE or RELEASE (6)/(10): bootsan_pr_spc2() */
};

struct scsi_req {
	/* in */
	const u8 *cdb;
	u32 cdb_len;			/* 1..16 */
	u32 expected_xfer_len;		/* from the iSCSI header */
	bool dir_read, dir_write;	/* iSCSI R and W bits */
	u8 *data_in;			/* emulated responses go here, */
	u32 data_in_cap;		/* never more than this many bytes */
	/* out */
	enum scsi_action action;
	u64 lba;
	u32 nr_blocks;
	bool fua, dpo;
	bool unmap, ndob;		/* WRITE SAME */
	bool anchor;			/* never set: ANC_SUP is 0 */
	u32 alloc_len;			/* allocation length of the CDB, if any */
	u32 data_in_len;		/* bytes of emulated response */
	u32 data_out_len;		/* bytes the initiator must send */
	u8 status;			/* SCSI_STATUS_* */
	u8 sense[SCSI_SENSE_LEN];
	u32 sense_len;			/* 0 or SCSI_SENSE_LEN */
};

/*
 * How reservations treat a command (SPC-4 5.13, table 63): pr.c reads it from
 * the command's table entry. An entry that names none is SCSI_RES_WRITE,
 * which conflicts with every reservation the nexus does not hold.
 */
enum scsi_res {
	SCSI_RES_WRITE = 0,		/* changes data or state */
	SCSI_RES_ALLOWED,		/* never conflicts with a PR */
	SCSI_RES_READ,			/* allowed under Write Exclusive types */
	SCSI_RES_PR_REGISTER,		/* PR OUT REGISTER (AND IGNORE EXISTING KEY) */
	SCSI_RES_PR_REGISTERED,		/* PR OUT that needs a registered nexus */
	SCSI_RES_PR_HOLDER,		/* PR OUT RESERVE: the holder only */
	SCSI_RES_SPC2,			/* RESERVE and RELEASE (6) and (10) */
};

/*
 * One supported command: the single table in scsi.c is what decoding,
 * REPORT SUPPORTED OPERATION CODES and the transport read. A new command
 * is one entry and its decode function; if it must reach the backend, its
 * action is run by exec.c's table of actions (one entry per action).
 */
struct scsi_cmd_desc {
	u8 op;
	u8 sa;				/* service action, with SCSI_CMD_SA */
	u8 flags;			/* SCSI_CMD_* */
	u8 len;				/* CDB length */
	/*
	 * CDB usage data as REPORT SUPPORTED OPERATION CODES returns it: a
	 * one for every CDB bit the device server evaluates (SPC-4 6.35.3),
	 * including the bits it rejects when set; control byte and group
	 * number bits read zero since nothing in them is supported. Where
	 * the CDB has a service action, its value stands there instead
	 * (byte 1 here, as sa).
	 */
	u8 usage[SCSI_CDB_MAX_LEN];
	/*
	 * Check the rest of the CDB (opcode, service action, CDB length and
	 * control byte are checked before) and fill the out fields of @req.
	 * True: the transport is to run @action; false: the command is
	 * complete (answered here, failed, or nothing to do). NULL: nothing
	 * to check, GOOD.
	 */
	bool (*decode)(const struct scsi_lun_info *lun, struct scsi_req *req);
	enum scsi_action action;
	enum scsi_res res;		/* how reservations treat it (pr.c) */
};

#define SCSI_CMD_SA		0x01	/* the opcode has service actions */
#define SCSI_CMD_THIN		0x02	/* supported on thin LUNs only */
/* Answered even with a UNIT ATTENTION pending (SAM-5 5.14, SPC-4 5.14). */
#define SCSI_CMD_NO_UA		0x04
/* Allowed to other nexuses while one holds an SPC-2 reservation (SPC-2 7.21). */
#define SCSI_CMD_SPC2_OK	0x08

/* Entry @i of the command table; NULL past its end. */
const struct scsi_cmd_desc *bootsan_scsi_cmd(u32 i);

/*
 * The table entry of the command in @cdb (opcode, and service action where
 * the opcode has them), on thick and thin LUNs alike; NULL if unsupported.
 */
const struct scsi_cmd_desc *bootsan_scsi_cmd_of(const u8 *cdb);

/*
 * Decode the CDB of @req for the logical unit @lun and fill the out fields.
 * Returns 0, SCSI errors being reported through status and sense, or
 * -EINVAL when the arguments themselves are unusable (NULL pointers, no
 * data_in buffer with a non-zero data_in_cap, a zero capacity, a block
 * size other than a power of two from 512 to 65536).
 */
int bootsan_scsi_decode(const struct scsi_lun_info *lun, struct scsi_req *req);

/*
 * Commands whose action is READ, WRITE or FLUSH: they move or flush blocks
 * and never answer with emulated data, so they need no data_in buffer.
 */
bool bootsan_scsi_cdb_moves_blocks(u8 opcode);

/* Terminate @req with CHECK CONDITION and fixed format sense data. */
void bootsan_scsi_set_sense(struct scsi_req *req, u8 key, u8 asc, u8 ascq);
/* CHECK CONDITION for a backend's failure -errno @err (reading, or @write). */
void bootsan_scsi_set_io_error(struct scsi_req *req, bool write, int err);

/*
 * Validate the UNMAP parameter list @param of @len bytes received for @req
 * (header lengths, descriptor count and total blocks against the VPD B0h
 * limits, every range within the capacity), then call @each once per
 * descriptor of one or more blocks. Returns 0 with status GOOD, or -EINVAL
 * with CHECK CONDITION set in @req and @each never called.
 */
int bootsan_scsi_parse_unmap(const u8 *param, u32 len, const struct scsi_lun_info *lun,
			     struct scsi_req *req,
			     void (*each)(void *ctx, u64 lba, u32 nr), void *ctx);

/*
 * Complete a GET LBA STATUS (action SCSI_ACT_GET_LBA_STATUS) with one LBA
 * status descriptor: @nr_blocks blocks from @lba are all mapped or all
 * deallocated. @alloc_len is req->alloc_len.
 */
void bootsan_scsi_fill_lba_status(struct scsi_req *req, u64 lba, u64 nr_blocks,
				  bool mapped, u32 alloc_len);

/*
 * Check the MODE SELECT(6) or (10) parameter list @param of @len bytes
 * received for @req (whose cdb is still set). Only WCE in the caching page
 * may change; *@wce_out gets the resulting WCE. Returns 0 with status GOOD,
 * or -EINVAL with CHECK CONDITION set in @req.
 */
int bootsan_scsi_mode_select(const struct scsi_lun_info *lun, struct scsi_req *req,
			     const u8 *param, u32 len, bool *wce_out);

#endif /* BOOTSAN_SCSI_H */
