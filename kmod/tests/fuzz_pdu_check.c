// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: pdu_check() on arbitrary headers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../pdu_check.h"

static uint32_t dsl_of(const uint8_t *bhs)
{
	return (uint32_t)bhs[5] << 16 | (uint32_t)bhs[6] << 8 | bhs[7];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *bhs, reason;
	uint32_t limit;
	enum pdu_verdict v;

	if (size < PDU_BHS_LEN + 4)
		return 0;
	/* An exact-size copy, so ASan sees any read past the header. */
	bhs = malloc(PDU_BHS_LEN);
	if (!bhs)
		return 0;
	memcpy(bhs, data, PDU_BHS_LEN);
	memcpy(&limit, data + PDU_BHS_LEN, sizeof(limit));
	limit &= 0xffffff;

	v = pdu_check(bhs, true, limit, &reason);
	/* What is accepted fits what we declared; a rejection names a reason. */
	if (v == PDU_ACCEPT && dsl_of(bhs) > limit)
		abort();
	if (v == PDU_REJECT && !reason)
		abort();
	/* In the full feature phase every PDU can be skipped: never a drop. */
	if (v == PDU_DROP)
		abort();
	/* Discovery sessions: Text, NOP-Out and Logout, or a Reject. */
	v = pdu_check_discovery(bhs, &reason);
	if (v == PDU_DROP || (v == PDU_REJECT && !reason))
		abort();
	v = pdu_check(bhs, false, limit, &reason);
	if (v == PDU_ACCEPT && ((bhs[0] & PDU_OP_MASK) != PDU_OP_LOGIN ||
				dsl_of(bhs) > PDU_LOGIN_DSL_MAX))
		abort();
	free(bhs);
	return 0;
}
