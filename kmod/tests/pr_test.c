// SPDX-License-Identifier: GPL-2.0
/* Host unit test of reservations and unit attentions (pr.c), printing TAP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../pr.h"

static struct pr_state S;
static struct pr_nexus A, B, C;
static struct scsi_req R;
static u8 cdb[16];
static u8 data[8192];

static void nexus(struct pr_nexus *x, const char *name, u64 isid)
{
	memset(x, 0, sizeof(*x));
	strcpy(x->initiator, name);
	x->isid = isid;
	x->tpgt = 1;
}

static void req_reset(void)
{
	memset(&R, 0, sizeof(R));
	R.cdb = cdb;
	R.cdb_len = sizeof(cdb);
	R.data_in = data;
	R.data_in_cap = sizeof(data);
}

static void op(u8 opcode)
{
	memset(cdb, 0, sizeof(cdb));
	cdb[0] = opcode;
}

/* PERSISTENT RESERVE OUT @sa from @x; returns the SCSI status. */
static int prout_flags(const struct pr_nexus *x, u8 sa, u8 type, u64 key,
		       u64 sakey, u8 flags)
{
	u8 p[24] = {0};

	op(0x5f);
	cdb[1] = sa;
	cdb[2] = type;
	put_unaligned_be32(24, &cdb[5]);
	put_unaligned_be64(key, p);
	put_unaligned_be64(sakey, p + 8);
	p[20] = flags;
	req_reset();
	bootsan_pr_out(&S, x, &R, p, sizeof(p));
	return R.status;
}

static int prout(const struct pr_nexus *x, u8 sa, u8 type, u64 key, u64 sakey)
{
	return prout_flags(x, sa, type, key, sakey, 0);
}

static void prin(const struct pr_nexus *x, u8 sa, u16 alloc)
{
	op(0x5e);
	cdb[1] = sa;
	put_unaligned_be16(alloc, &cdb[7]);
	req_reset();
	bootsan_pr_in(&S, x, 1, &R);
}

/* Would READ(10) / WRITE(10) / MODE SENSE(6) from @x conflict? */
static int conflicts(const struct pr_nexus *x, u8 opcode)
{
	op(opcode);
	return bootsan_pr_conflict(&S, x, cdb);
}

static int spc2(const struct pr_nexus *x, u8 opcode, u64 session)
{
	op(opcode);
	req_reset();
	bootsan_pr_spc2(&S, x, session, &R);
	return R.status;
}

/* The UA @x gets on TEST UNIT READY: ASC << 8 | ASCQ, or 0. */
static int ua(const struct pr_nexus *x)
{
	op(0x00);
	req_reset();
	if (!bootsan_pr_ua_check(&S, x, cdb, &R))
		return 0;
	return R.sense[12] << 8 | R.sense[13];
}

#define GOOD		0x00
#define CHECK		0x02
#define CONFLICT	0x18
#define RD		0x28
#define WR		0x2a

static void test_spc2(void)
{
	bootsan_pr_init(&S);
	ok(spc2(&A, 0x16, 1) == GOOD, "spc2: A reserves");
	ok(spc2(&A, 0x16, 1) == GOOD, "spc2: A reserves again");
	ok(spc2(&B, 0x16, 2) == CONFLICT, "spc2: B's RESERVE conflicts");
	ok(conflicts(&B, 0x1a) && conflicts(&B, 0x00) && conflicts(&B, RD),
	   "spc2: MODE SENSE, TUR, READ from B conflict");
	ok(!conflicts(&B, 0x12) && !conflicts(&B, 0xa0) && !conflicts(&B, 0x03) &&
	   !conflicts(&B, 0x17), "spc2: INQUIRY, REPORT LUNS, REQUEST SENSE, RELEASE from B pass");
	ok(!conflicts(&A, WR), "spc2: the holder writes");
	ok(spc2(&B, 0x17, 2) == GOOD && S.spc2_reserved, "spc2: B's RELEASE is a no-op");
	ok(spc2(&A, 0x57, 1) == GOOD && !S.spc2_reserved, "spc2: A's RELEASE(10) releases");
	ok(spc2(&B, 0x56, 2) == GOOD, "spc2: then B reserves");
	bootsan_pr_session_lost(&S, 1);
	ok(S.spc2_reserved, "spc2: loss of another session keeps it");
	bootsan_pr_session_lost(&S, 2);
	ok(!S.spc2_reserved, "spc2: I_T nexus loss releases");
	spc2(&A, 0x16, 1);
	bootsan_pr_lun_reset(&S, &B);
	ok(!S.spc2_reserved, "spc2: LUN reset releases");
	bootsan_pr_init(&S);
	ok(prout(&A, 0x06, 0, 0, 0x11) == GOOD, "spc2: A registers a key");
	ok(spc2(&B, 0x16, 2) == CONFLICT && spc2(&A, 0x17, 1) == CONFLICT,
	   "spc2: RESERVE and RELEASE conflict while a key is registered (CRH 0)");
}

static void test_register(void)
{
	u32 gen;

	bootsan_pr_init(&S);
	ok(prout(&A, 0x00, 0, 5, 0x11) == CONFLICT,
	   "register: unregistered nexus with a non-zero key conflicts");
	ok(prout(&A, 0x00, 0, 0, 0) == GOOD && S.generation == 0,
	   "register: key 0 from an unregistered nexus is a no-op");
	ok(prout(&A, 0x00, 0, 0, 0x11) == GOOD && S.generation == 1, "register: A");
	ok(prout(&A, 0x00, 0, 0, 0x12) == CONFLICT, "register: wrong key conflicts");
	ok(prout(&A, 0x00, 0, 0x11, 0x12) == GOOD, "register: change key");
	ok(prout(&B, 0x06, 0, 99, 0x21) == GOOD, "register and ignore: B");
	prin(&A, 0x00, 8);
	ok(R.status == GOOD && get_unaligned_be32(data + 4) == 16 && R.data_in_len == 8,
	   "read keys: additional length 16 with allocation length 8");
	prin(&A, 0x00, 100);
	ok(R.data_in_len == 24 && get_unaligned_be64(data + 8) == 0x12 &&
	   get_unaligned_be64(data + 16) == 0x21, "read keys: both keys");
	gen = get_unaligned_be32(data);
	ok(prout(&B, 0x06, 0, 0, 0) == GOOD, "register and ignore: key 0 unregisters B");
	prin(&A, 0x00, 100);
	ok(get_unaligned_be32(data + 4) == 8 && get_unaligned_be32(data) == gen + 1,
	   "read keys: one key left, generation + 1");
	ok(prout_flags(&A, 0x00, 0, 0x12, 0x13, 0x01) == CHECK && R.sense[12] == 0x26,
	   "register: APTPL is not supported");
	ok(prout_flags(&A, 0x00, 0, 0x12, 0x13, 0x08) == CHECK && R.sense[12] == 0x26,
	   "register: SPEC_I_PT is not supported");
}

static void test_types(void)
{
	static const struct {
		u8 type;
		int reg_read, reg_write, unreg_read, unreg_write;
	} t[] = {
		{ PR_TYPE_EA, 0, 0, 0, 0 },
		{ PR_TYPE_WE, 1, 0, 1, 0 },
		{ PR_TYPE_EA_RO, 1, 1, 0, 0 },
		{ PR_TYPE_WE_RO, 1, 1, 1, 0 },
		{ PR_TYPE_EA_AR, 1, 1, 0, 0 },
		{ PR_TYPE_WE_AR, 1, 1, 1, 0 },
	};
	size_t i;
	u8 want_key;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bootsan_pr_init(&S);
		prout(&A, 0x06, 0, 0, 0xa);
		prout(&B, 0x06, 0, 0, 0xb);
		ok(prout(&A, 0x01, t[i].type, 0xa, 0) == GOOD, "type %u: A reserves", t[i].type);
		ok(prout(&A, 0x01, t[i].type, 0xa, 0) == GOOD, "type %u: again", t[i].type);
		prin(&A, 0x01, 100);
		want_key = t[i].type >= PR_TYPE_WE_AR ? 0 : 0xa;
		ok(get_unaligned_be32(data + 4) == 16 && data[15] == want_key &&
		   data[21] == t[i].type, "type %u: read reservation", t[i].type);
		ok(!conflicts(&A, RD) && !conflicts(&A, WR), "type %u: holder reads and writes",
		   t[i].type);
		ok(conflicts(&B, RD) == !t[i].reg_read && conflicts(&B, WR) == !t[i].reg_write,
		   "type %u: registered B", t[i].type);
		ok(conflicts(&C, RD) == !t[i].unreg_read && conflicts(&C, WR) == !t[i].unreg_write,
		   "type %u: unregistered C", t[i].type);
		ok(!conflicts(&C, 0x12) && !conflicts(&C, 0x00) && !conflicts(&C, 0x5e),
		   "type %u: INQUIRY, TUR, PR IN from C pass", t[i].type);
		ok(prout(&C, 0x06, 0, 0, 0xc) == GOOD, "type %u: C may register", t[i].type);
		ok(prout(&A, 0x01, t[i].type == PR_TYPE_EA ? PR_TYPE_WE : PR_TYPE_EA, 0xa, 0) ==
		   CONFLICT, "type %u: another type conflicts", t[i].type);
		ok(prout(&A, 0x02, t[i].type == PR_TYPE_EA ? PR_TYPE_WE : PR_TYPE_EA, 0xa, 0) ==
		   CHECK && R.sense[12] == 0x26 && R.sense[13] == 0x04,
		   "type %u: RELEASE of another type is INVALID RELEASE", t[i].type);
		ua(&B);
		ua(&C);
		ok(prout(&A, 0x02, t[i].type, 0xa, 0) == GOOD && !S.reserved,
		   "type %u: release", t[i].type);
		ok(ua(&B) == (t[i].type >= PR_TYPE_WE_RO ? 0x2a04 : 0) && ua(&A) == 0,
		   "type %u: RESERVATIONS RELEASED for the other registrants only", t[i].type);
	}
}

static void test_ownership(void)
{
	bootsan_pr_init(&S);
	prout(&A, 0x06, 0, 0, 0xa);
	prout(&B, 0x06, 0, 0, 0xb);
	prout(&A, 0x01, PR_TYPE_EA_RO, 0xa, 0);
	ok(prout(&A, 0x00, 0, 0xa, 0) == GOOD && !S.reserved,
	   "ownership: the holder unregistering releases EA-RO");
	ok(ua(&B) == 0x2a04, "ownership: B told RESERVATIONS RELEASED");
	bootsan_pr_init(&S);
	prout(&A, 0x06, 0, 0, 0xa);
	prout(&B, 0x06, 0, 0, 0xb);
	prout(&A, 0x01, PR_TYPE_WE_AR, 0xa, 0);
	ok(prout(&A, 0x00, 0, 0xa, 0) == GOOD && S.reserved,
	   "ownership: WE-AR stays while a registrant is left");
	ok(prout(&B, 0x02, PR_TYPE_WE_AR, 0xb, 0) == GOOD && !S.reserved,
	   "ownership: the other registrant releases it");
	prout(&B, 0x01, PR_TYPE_EA_AR, 0xb, 0);
	ok(prout(&B, 0x00, 0, 0xb, 0) == GOOD && !S.reserved,
	   "ownership: the last registrant gone, EA-AR goes");
}

static void test_clear_preempt(void)
{
	u32 gen;

	bootsan_pr_init(&S);
	prout(&A, 0x06, 0, 0, 0xa);
	prout(&B, 0x06, 0, 0, 0xb);
	prout(&A, 0x01, PR_TYPE_EA, 0xa, 0);
	gen = S.generation;
	ok(prout(&C, 0x03, 0, 0xc, 0) == CONFLICT, "clear: unregistered C conflicts");
	ok(prout(&B, 0x03, 0, 0xb, 0) == GOOD && !S.reserved && S.generation == gen + 1,
	   "clear: B clears everything, generation + 1");
	prin(&A, 0x00, 100);
	ok(get_unaligned_be32(data + 4) == 0, "clear: no keys left");
	ok(ua(&A) == 0x2a03 && ua(&B) == 0, "clear: RESERVATIONS PREEMPTED for A only");

	bootsan_pr_init(&S);
	prout(&A, 0x06, 0, 0, 0xa);
	prout(&B, 0x06, 0, 0, 0xb);
	gen = S.generation;
	ok(prout(&B, 0x04, PR_TYPE_EA, 0xb, 0xa) == GOOD && S.generation == gen + 1 &&
	   !S.reserved, "preempt: without a reservation removes A's registration");
	prin(&A, 0x00, 100);
	ok(get_unaligned_be32(data + 4) == 8 && get_unaligned_be64(data + 8) == 0xb,
	   "preempt: B's key is left");
	ok(ua(&A) == 0x2a05, "preempt: A told REGISTRATIONS PREEMPTED");
	ok(prout(&B, 0x04, PR_TYPE_EA, 0xb, 0x77) == CONFLICT, "preempt: unknown key conflicts");
	ok(prout(&B, 0x04, PR_TYPE_EA, 0xb, 0) == CHECK, "preempt: key 0 without a reservation");

	bootsan_pr_init(&S);
	prout(&A, 0x06, 0, 0, 0xa);
	prout(&B, 0x06, 0, 0, 0xb);
	prout(&A, 0x01, PR_TYPE_WE, 0xa, 0);
	ok(prout(&B, 0x05, PR_TYPE_EA, 0xb, 0xa) == GOOD && S.reserved &&
	   S.type == PR_TYPE_EA && S.regs[S.holder].key == 0xb,
	   "preempt and abort: B takes the reservation from A");
	ok(conflicts(&A, RD), "preempt: A now conflicts");
}

static void test_in(void)
{
	bootsan_pr_init(&S);
	prin(&A, 0x02, 100);
	ok(R.status == GOOD && R.data_in_len == 8 && get_unaligned_be16(data) == 8 &&
	   (data[3] & 0x80) && data[4] == 0xea && data[5] == 0x01,
	   "report capabilities: every type");
	prout(&A, 0x06, 0, 0, 0xa);
	prout(&A, 0x01, PR_TYPE_WE, 0xa, 0);
	prin(&A, 0x03, 8192);
	ok(R.status == GOOD && get_unaligned_be64(data + 8) == 0xa && data[8 + 12] == 1 &&
	   data[8 + 13] == PR_TYPE_WE && data[8 + 24] == 0x45 &&
	   !memcmp(data + 8 + 28, "iqn.2024-01.test:a,i,0x00023d000001", 35),
	   "read full status: key, holder, type, iSCSI TransportID");
	ok(get_unaligned_be32(data + 4) == 24u + 4 + get_unaligned_be16(data + 8 + 26) &&
	   get_unaligned_be16(data + 8 + 26) % 4 == 0, "read full status: lengths");
	prin(&A, 0x04, 100);
	ok(R.status == CHECK && R.sense[12] == 0x24, "PR IN: service action 4 is invalid");
	ok(prout(&A, 0x07, 0, 0xa, 0) == CHECK, "PR OUT: REGISTER AND MOVE unsupported");
	ok(prout(&A, 0x01, 0x02, 0xa, 0) == CHECK && R.sense[12] == 0x24,
	   "PR OUT: reservation type 2 is invalid");
}

static void test_ua(void)
{
	int i;

	bootsan_pr_init(&S);
	bootsan_pr_nexus_seen(&S, &A, 1);
	bootsan_pr_nexus_seen(&S, &B, 2);
	ok(ua(&A) == 0, "ua: none for a new nexus");
	bootsan_pr_lun_reset(&S, &A);
	bootsan_pr_ua_all(&S, NULL, PR_UA_CAPACITY_CHANGED);
	ok(ua(&A) == 0x2a09 && ua(&A) == 0, "ua: LUN reset not for its sender");
	op(0x12);
	req_reset();
	ok(!bootsan_pr_ua_check(&S, &B, cdb, &R), "ua: INQUIRY passes and keeps it");
	ok(ua(&B) == 0x2903 && ua(&B) == 0x2a09 && ua(&B) == 0, "ua: reset first, then capacity");
	bootsan_pr_ua_all(&S, NULL, PR_UA_CAPACITY_CHANGED);
	bootsan_pr_session_lost(&S, 2);
	ok(ua(&B) == 0, "ua: nexus loss forgets them");
	bootsan_pr_init(&S);
	for (i = 0; i < PR_MAX_UA_NEXUS + 5; i++) {
		struct pr_nexus x;

		nexus(&x, "iqn.2024-01.test:many", i + 1);
		bootsan_pr_nexus_seen(&S, &x, i + 1);
	}
	ok(1, "ua: more nexuses than slots");
}

static void test_full(void)
{
	struct pr_nexus x;
	int i, st = GOOD;

	char name[64];

	bootsan_pr_init(&S);
	/* As many initiators as it takes, each with all the ISIDs it may use. */
	for (i = 0; i < PR_MAX_REGISTRANTS && st == GOOD; i++) {
		snprintf(name, sizeof(name), "iqn.2024-01.test:reg%d",
			 i / PR_MAX_REGISTRANTS_PER_INITIATOR);
		nexus(&x, name, i + 1);
		st = prout(&x, 0x06, 0, 0, i + 1);
	}
	ok(st == GOOD, "registrants: %d fit", PR_MAX_REGISTRANTS);
	nexus(&x, "iqn.2024-01.test:reg-last", 999);
	ok(prout(&x, 0x06, 0, 0, 999) == CHECK && R.sense[12] == 0x55 && R.sense[13] == 0x04,
	   "registrants: one more is INSUFFICIENT REGISTRATION RESOURCES");
	prin(&x, 0x03, 8192);
	ok(R.status == GOOD && R.data_in_len == 8 + get_unaligned_be32(data + 4) &&
	   R.data_in_len == 8 + PR_MAX_REGISTRANTS * 68, "read full status: every registrant");
	prin(&x, 0x03, 100);
	ok(R.status == GOOD && R.data_in_len == 100 &&
	   get_unaligned_be32(data + 4) == PR_MAX_REGISTRANTS * 68,
	   "read full status: truncated to the allocation length");
}

/*
 * An initiator that cycles through ISIDs (each a new I_T nexus) must not
 * push another initiator's state out, nor take every slot.
 */
static void test_isid_cycling(void)
{
	struct pr_nexus x;
	int i, st, refused = 0;

	bootsan_pr_init(&S);
	bootsan_pr_nexus_seen(&S, &A, 1);
	bootsan_pr_nexus_seen(&S, &B, 2);
	bootsan_pr_lun_reset(&S, &A);	/* B has a unit attention pending */
	for (i = 0; i < 4 * PR_MAX_UA_NEXUS; i++) {
		nexus(&x, "iqn.2024-01.test:cycler", 0x400000000000ULL + i);
		bootsan_pr_nexus_seen(&S, &x, 100 + i);
	}
	ok(ua(&B) == 0x2903, "ua: another initiator cycling ISIDs leaves B's pending UA");
	nexus(&x, "iqn.2024-01.test:cycler", 0x400000000000ULL + 4 * PR_MAX_UA_NEXUS - 1);
	bootsan_pr_lun_reset(&S, &A);
	ok(ua(&x) == 0x2903, "ua: the cycler's latest nexus is tracked (its own oldest went)");
	bootsan_pr_nexus_seen(&S, &C, 3);
	bootsan_pr_lun_reset(&S, &A);
	ok(ua(&C) == 0x2903, "ua: a newcomer still finds a slot");

	bootsan_pr_init(&S);
	for (i = 0; i < 4 * PR_MAX_REGISTRANTS; i++) {
		nexus(&x, "iqn.2024-01.test:cycler", 0x400000000000ULL + i);
		st = prout(&x, 0x06, 0, 0, 0x1000 + i);
		refused += st == CHECK && R.sense[12] == 0x55 && R.sense[13] == 0x04;
	}
	ok(refused == 4 * PR_MAX_REGISTRANTS - PR_MAX_REGISTRANTS_PER_INITIATOR,
	   "registrants: one initiator gets %d (refused %d of %d)",
	   PR_MAX_REGISTRANTS_PER_INITIATOR, refused, 4 * PR_MAX_REGISTRANTS);
	ok(prout(&B, 0x06, 0, 0, 0xb) == GOOD, "registrants: another initiator still registers");
}

int main(void)
{
	tap_start();
	nexus(&A, "iqn.2024-01.test:a", 0x00023d000001ULL);
	nexus(&B, "iqn.2024-01.test:b", 0x00023d000002ULL);
	nexus(&C, "iqn.2024-01.test:c", 0x00023d000003ULL);
	test_spc2();
	test_register();
	test_types();
	test_ownership();
	test_clear_preempt();
	test_in();
	test_ua();
	test_full();
	test_isid_cycling();
	return tap_end();
}
