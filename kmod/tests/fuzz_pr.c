// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: sequences of reservation commands (pr.c) from four
 * I_T nexuses, with arbitrary CDBs and parameter lists, checking that the
 * state stays consistent and responses stay within their buffers.
 *
 * Input: records of 1 byte nexus, 1 byte operation, 10 bytes of CDB, 1 byte
 * parameter list length and 24 bytes of parameter list.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../pr.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)
#define RECORD_LEN 37

static void consistent(const struct pr_state *s)
{
	int i, regs = 0;

	for (i = 0; i < PR_MAX_REGISTRANTS; i++)
		if (s->regs[i].used) {
			CHECK(s->regs[i].key);
			regs++;
		}
	if (s->reserved && s->type != PR_TYPE_WE_AR && s->type != PR_TYPE_EA_AR)
		CHECK(s->holder >= 0 && s->holder < PR_MAX_REGISTRANTS &&
		      s->regs[s->holder].used);
	if (s->reserved)
		CHECK(regs > 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pr_state s;
	static u8 out[1024];
	struct pr_nexus nx[4];
	struct scsi_req req;
	u8 cdb[16];
	int i;

	bootsan_pr_init(&s);
	for (i = 0; i < 4; i++) {
		memset(&nx[i], 0, sizeof(nx[i]));
		snprintf(nx[i].initiator, sizeof(nx[i].initiator),
			 "iqn.2024-01.fuzz:%d", i & 2);
		nx[i].isid = i & 1;
		nx[i].tpgt = 1;
	}
	for (; size >= RECORD_LEN; data += RECORD_LEN, size -= RECORD_LEN) {
		const struct pr_nexus *n = &nx[data[0] & 3];
		u32 len = data[12] % 32;

		memset(cdb, 0, sizeof(cdb));
		memcpy(cdb, data + 2, 10);
		memset(&req, 0, sizeof(req));
		req.cdb = cdb;
		req.cdb_len = sizeof(cdb);
		req.data_in = out;
		req.data_in_cap = sizeof(out);
		switch (data[1] & 7) {
		case 0:
			cdb[0] = 0x5f;
			bootsan_pr_out(&s, n, &req, data + 13, len < 24 ? len : 24);
			break;
		case 1:
			cdb[0] = 0x5e;
			bootsan_pr_in(&s, n, 1, &req);
			CHECK(req.data_in_len <= sizeof(out));
			CHECK(req.data_in_len <= get_unaligned_be16(&cdb[7]));
			break;
		case 2:
			bootsan_pr_spc2(&s, n, data[0] & 3, &req);
			break;
		case 3:
			bootsan_pr_conflict(&s, n, cdb);
			break;
		case 4:
			bootsan_pr_nexus_seen(&s, n, data[0] & 3);
			if (bootsan_pr_ua_check(&s, n, cdb, &req))
				CHECK(req.sense[2] == SCSI_SK_UNIT_ATTENTION);
			break;
		case 5:
			bootsan_pr_lun_reset(&s, n);
			break;
		case 6:
			bootsan_pr_session_lost(&s, data[0] & 3);
			break;
		default:
			bootsan_pr_ua_all(&s, n, data[2] % PR_UA_NR);
			break;
		}
		consistent(&s);
	}
	return 0;
}
