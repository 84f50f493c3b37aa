/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reservations and unit attentions of one logical unit (SPC-4 5.13, SAM-5
 * 5.14): SPC-2 RESERVE/RELEASE, persistent reservations of every type, and
 * the queue of pending UNIT ATTENTION conditions per I_T nexus.
 *
 * Pure functions over a fixed-size state: no locking, no allocation. The
 * caller serializes access to one struct pr_state (a spinlock per LUN in
 * the module) and feeds untrusted CDBs and parameter lists straight in.
 * Built into the module and, for unit tests and fuzzing, into host programs.
 */
#ifndef BOOTSAN_PR_H
#define BOOTSAN_PR_H

#include "scsi.h"

/* Longest iSCSI name (RFC 7143). */
#define PR_NAME_MAX_LEN		223
/* Registrations per LUN; one more is INSUFFICIENT REGISTRATION RESOURCES. */
#define PR_MAX_REGISTRANTS	32
/* I_T nexuses with unit attention state per LUN; the least recent goes. */
#define PR_MAX_UA_NEXUS		32
/*
 * What one initiator name may hold of each table, whatever ISIDs it
 * cycles through: its own oldest unit attention entry makes room for its
 * next nexus, a registration beyond the bound is refused. Another
 * initiator's entries are never pushed out.
 */
#define PR_MAX_REGISTRANTS_PER_INITIATOR	8
#define PR_MAX_UA_PER_INITIATOR			8

/* Reservation types (SPC-4 table 170). */
#define PR_TYPE_WE		0x1
#define PR_TYPE_EA		0x3
#define PR_TYPE_WE_RO		0x5
#define PR_TYPE_EA_RO		0x6
#define PR_TYPE_WE_AR		0x7
#define PR_TYPE_EA_AR		0x8

/* An I_T nexus: initiator port (name and ISID) and target portal group. */
struct pr_nexus {
	char initiator[PR_NAME_MAX_LEN + 1];
	u64 isid;			/* 48 bits */
	u16 tpgt;
};

struct pr_registrant {
	bool used;
	u64 key;			/* never 0 */
	struct pr_nexus nexus;
};

/* Unit attention conditions, in the order they are reported. */
enum pr_ua {
	PR_UA_RESET,			/* BUS DEVICE RESET FUNCTION OCCURRED */
	PR_UA_REGISTRATIONS_PREEMPTED,
	PR_UA_RESERVATIONS_PREEMPTED,
	PR_UA_RESERVATIONS_RELEASED,
	PR_UA_CAPACITY_CHANGED,
	PR_UA_MODE_PARAMETERS_CHANGED,
	PR_UA_NR,
};

struct pr_ua_entry {
	bool used;
	u32 pending;			/* bit per enum pr_ua */
	u64 session;			/* the caller's cookie of the last user */
	u64 last_use;
	struct pr_nexus nexus;
};

struct pr_state {
	u32 generation;			/* PRGENERATION */
	struct pr_registrant regs[PR_MAX_REGISTRANTS];
	bool reserved;			/* a persistent reservation exists */
	u8 type;			/* PR_TYPE_* when reserved */
	int holder;			/* index in regs; -1 for the AR types */
	/* SPC-2 RESERVE(6)/(10): held by one I_T nexus of one session. */
	bool spc2_reserved;
	struct pr_nexus spc2_holder;
	u64 spc2_session;
	struct pr_ua_entry ua[PR_MAX_UA_NEXUS];
	u64 ua_clock;
};

void bootsan_pr_init(struct pr_state *s);

/*
 * A command arrived from @n in the session with cookie @session: start
 * tracking unit attentions for that nexus if it is new (with none pending:
 * no POWER ON for a new nexus).
 */
void bootsan_pr_nexus_seen(struct pr_state *s, const struct pr_nexus *n, u64 session);

/*
 * If @cdb (whatever it is) must be answered with a pending UNIT ATTENTION
 * for @n, take the first one off the queue, set CHECK CONDITION in @req
 * and return true. Commands whose scsi.c table entry has SCSI_CMD_NO_UA
 * (INQUIRY, REPORT LUNS, REQUEST SENSE) neither report nor clear one
 * (SAM-5 5.14).
 */
bool bootsan_pr_ua_check(struct pr_state *s, const struct pr_nexus *n, const u8 *cdb,
			 struct scsi_req *req);

/* Establish @ua for every known nexus except @except (NULL: all of them). */
void bootsan_pr_ua_all(struct pr_state *s, const struct pr_nexus *except, enum pr_ua ua);

/*
 * RESERVATION CONFLICT check for @cdb (a supported, decoded command) from
 * @n: true when the reservations held forbid it (SPC-4 table 63 for
 * persistent reservations; SPC-2 7.21 for RESERVE). How each command is
 * treated is its scsi.c table entry's res and SCSI_CMD_SPC2_OK flag.
 */
bool bootsan_pr_conflict(const struct pr_state *s, const struct pr_nexus *n, const u8 *cdb);

/*
 * Execute RESERVE(6)/(10) or RELEASE(6)/(10) (@req->cdb) for @n in session
 * @session; status lands in @req.
 */
void bootsan_pr_spc2(struct pr_state *s, const struct pr_nexus *n, u64 session,
		     struct scsi_req *req);

/* PERSISTENT RESERVE IN (@req->cdb) for @n: data-in into @req. */
void bootsan_pr_in(const struct pr_state *s, const struct pr_nexus *n,
		   u16 relative_port, struct scsi_req *req);

/*
 * PERSISTENT RESERVE OUT (@req->cdb) from @n with the parameter list
 * @param of @len bytes. Returns 0 with GOOD, or -EINVAL with the error
 * (CHECK CONDITION or RESERVATION CONFLICT) in @req.
 */
int bootsan_pr_out(struct pr_state *s, const struct pr_nexus *n, struct scsi_req *req,
		   const u8 *param, u32 len);

/* LOGICAL UNIT RESET (also per LUN for TARGET WARM RESET) received from @by. */
void bootsan_pr_lun_reset(struct pr_state *s, const struct pr_nexus *by);

/*
 * The session with cookie @session ended (I_T nexus loss): its SPC-2
 * reservation goes, and its unit attention state. Registrations and
 * persistent reservations stay, as SPC-4 requires.
 */
void bootsan_pr_session_lost(struct pr_state *s, u64 session);

#endif /* BOOTSAN_PR_H */
