// SPDX-License-Identifier: GPL-2.0
/* Reservations and unit attentions of one logical unit; see pr.h. */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include "compat.h"
#else
#include "host_shim.h"
#endif

#include "pr.h"
#include "resp_writer.h"

/* Which commands conflict is in scsi.c's table (enum scsi_res). */
#define OP_RESERVE_6		0x16
#define OP_RESERVE_10		0x56

/* PERSISTENT RESERVE IN service actions. */
#define PRIN_READ_KEYS		0x00
#define PRIN_READ_RESERVATION	0x01
#define PRIN_REPORT_CAPS	0x02
#define PRIN_READ_FULL_STATUS	0x03

/* PERSISTENT RESERVE OUT service actions. */
#define PROUT_REGISTER		0x00
#define PROUT_RESERVE		0x01
#define PROUT_RELEASE		0x02
#define PROUT_CLEAR		0x03
#define PROUT_PREEMPT		0x04
#define PROUT_PREEMPT_ABORT	0x05
#define PROUT_REGISTER_IGNORE	0x06
#define PROUT_REGISTER_MOVE	0x07

/* The basic PERSISTENT RESERVE OUT parameter list (SPC-4 6.16.3). */
#define PROUT_PARAM_LEN		24
#define PROUT_SPEC_I_PT		0x08
#define PROUT_ALL_TG_PT		0x04
#define PROUT_APTPL		0x01

/* iSCSI TransportID, initiator port format (SPC-4 7.6.4.6). */
#define TPID_ISCSI_PORT		0x45
#define PR_FULL_STATUS_DESC	24

void bootsan_pr_init(struct pr_state *s)
{
	memset(s, 0, sizeof(*s));
	s->holder = -1;
}

static bool nexus_eq(const struct pr_nexus *a, const struct pr_nexus *b)
{
	return a->isid == b->isid && a->tpgt == b->tpgt &&
	       !strcmp(a->initiator, b->initiator);
}

static void nexus_copy(struct pr_nexus *dst, const struct pr_nexus *src)
{
	size_t len = strnlen(src->initiator, PR_NAME_MAX_LEN);

	memset(dst, 0, sizeof(*dst));
	memcpy(dst->initiator, src->initiator, len);
	dst->isid = src->isid;
	dst->tpgt = src->tpgt;
}

/* ---- unit attentions ---- */

static struct pr_ua_entry *ua_find(struct pr_state *s, const struct pr_nexus *n)
{
	int i;

	for (i = 0; i < PR_MAX_UA_NEXUS; i++)
		if (s->ua[i].used && nexus_eq(&s->ua[i].nexus, n))
			return &s->ua[i];
	return NULL;
}

/*
 * The entry of @n, made if needed: in a free slot, or in place of the
 * least recent entry of the same initiator name when it holds its share
 * or the table is full. NULL when the table is full of other initiators'
 * entries: they are never pushed out (the new nexus then has no unit
 * attentions to report).
 */
static struct pr_ua_entry *ua_get(struct pr_state *s, const struct pr_nexus *n)
{
	struct pr_ua_entry *e = ua_find(s, n), *free = NULL, *own = NULL;
	int i, owned = 0;

	if (e)
		return e;
	for (i = 0; i < PR_MAX_UA_NEXUS; i++) {
		e = &s->ua[i];
		if (!e->used) {
			free = free ?: e;
		} else if (!strcmp(e->nexus.initiator, n->initiator)) {
			owned++;
			if (!own || e->last_use < own->last_use)
				own = e;
		}
	}
	e = owned >= PR_MAX_UA_PER_INITIATOR || !free ? own : free;
	if (!e)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->last_use = ++s->ua_clock;
	nexus_copy(&e->nexus, n);
	return e;
}

void bootsan_pr_nexus_seen(struct pr_state *s, const struct pr_nexus *n, u64 session)
{
	struct pr_ua_entry *e = ua_get(s, n);

	if (!e)
		return;
	e->session = session;
	e->last_use = ++s->ua_clock;
}

static void ua_raise(struct pr_state *s, const struct pr_nexus *n, enum pr_ua ua)
{
	struct pr_ua_entry *e = ua_get(s, n);

	if (e)
		e->pending |= 1u << ua;
}

void bootsan_pr_ua_all(struct pr_state *s, const struct pr_nexus *except, enum pr_ua ua)
{
	int i;

	for (i = 0; i < PR_MAX_UA_NEXUS; i++)
		if (s->ua[i].used && (!except || !nexus_eq(&s->ua[i].nexus, except)))
			s->ua[i].pending |= 1u << ua;
}

/* The same UA for the nexus of every registrant except @except. */
static void ua_registrants(struct pr_state *s, const struct pr_nexus *except,
			   enum pr_ua ua)
{
	int i;

	for (i = 0; i < PR_MAX_REGISTRANTS; i++)
		if (s->regs[i].used && !nexus_eq(&s->regs[i].nexus, except))
			ua_raise(s, &s->regs[i].nexus, ua);
}

static const u8 ua_sense[PR_UA_NR][2] = {
	[PR_UA_RESET] = { 0x29, 0x03 },
	[PR_UA_REGISTRATIONS_PREEMPTED] = { 0x2a, 0x05 },
	[PR_UA_RESERVATIONS_PREEMPTED] = { 0x2a, 0x03 },
	[PR_UA_RESERVATIONS_RELEASED] = { 0x2a, 0x04 },
	[PR_UA_CAPACITY_CHANGED] = { 0x2a, 0x09 },
	[PR_UA_MODE_PARAMETERS_CHANGED] = { 0x2a, 0x01 },
};

/* The flags of @cdb's command in scsi.c's table; none if unsupported. */
static u8 cmd_flags(const u8 *cdb)
{
	const struct scsi_cmd_desc *d = bootsan_scsi_cmd_of(cdb);

	return d ? d->flags : 0;
}

bool bootsan_pr_ua_check(struct pr_state *s, const struct pr_nexus *n, const u8 *cdb,
			 struct scsi_req *req)
{
	struct pr_ua_entry *e;
	int ua;

	e = ua_find(s, n);
	if (!e || !e->pending || (cmd_flags(cdb) & SCSI_CMD_NO_UA))
		return false;
	for (ua = 0; ua < PR_UA_NR; ua++)
		if (e->pending & (1u << ua))
			break;
	e->pending &= ~(1u << ua);
	bootsan_scsi_set_sense(req, SCSI_SK_UNIT_ATTENTION, ua_sense[ua][0], ua_sense[ua][1]);
	return true;
}

/* ---- conflicts ---- */

static int reg_find(const struct pr_state *s, const struct pr_nexus *n)
{
	int i;

	for (i = 0; i < PR_MAX_REGISTRANTS; i++)
		if (s->regs[i].used && nexus_eq(&s->regs[i].nexus, n))
			return i;
	return -1;
}

static bool type_all_registrants(u8 type)
{
	return type == PR_TYPE_WE_AR || type == PR_TYPE_EA_AR;
}

static bool type_write_exclusive(u8 type)
{
	return type == PR_TYPE_WE || type == PR_TYPE_WE_RO || type == PR_TYPE_WE_AR;
}

/* Registrants only or all registrants: registered nexuses get access. */
static bool type_registrants(u8 type)
{
	return type != PR_TYPE_WE && type != PR_TYPE_EA;
}

static bool is_holder(const struct pr_state *s, int reg)
{
	if (!s->reserved || reg < 0)
		return false;
	return type_all_registrants(s->type) || s->holder == reg;
}

/* A command scsi.c does not support is treated as one that writes. */
static enum scsi_res cmd_res(const u8 *cdb)
{
	const struct scsi_cmd_desc *d = bootsan_scsi_cmd_of(cdb);

	return d ? d->res : SCSI_RES_WRITE;
}

static bool any_registrant(const struct pr_state *s)
{
	int i;

	for (i = 0; i < PR_MAX_REGISTRANTS; i++)
		if (s->regs[i].used)
			return true;
	return false;
}

bool bootsan_pr_conflict(const struct pr_state *s, const struct pr_nexus *n, const u8 *cdb)
{
	enum scsi_res res;
	int reg;

	/* Nothing reserved or registered: the common case, no lookup. */
	if (!s->spc2_reserved && !s->reserved && !any_registrant(s))
		return false;
	if (s->spc2_reserved && !nexus_eq(&s->spc2_holder, n)) {
		/* Another nexus holds the whole LUN (SPC-2 7.21). */
		return !(cmd_flags(cdb) & SCSI_CMD_SPC2_OK);
	}
	res = cmd_res(cdb);
	/* CRH 0: RESERVE and RELEASE conflict once anyone is registered. */
	if (res == SCSI_RES_SPC2)
		return any_registrant(s);
	if (!s->reserved || res == SCSI_RES_ALLOWED || res == SCSI_RES_PR_REGISTER)
		return false;
	reg = reg_find(s, n);
	if (is_holder(s, reg))
		return false;
	switch (res) {
	case SCSI_RES_PR_REGISTERED:
		return reg < 0;
	case SCSI_RES_PR_HOLDER:
		return true;
	case SCSI_RES_READ:
		if (type_write_exclusive(s->type))
			return false;
		return !(type_registrants(s->type) && reg >= 0);
	default:
		return !(type_registrants(s->type) && reg >= 0);
	}
}

/* ---- SPC-2 RESERVE and RELEASE ---- */

static void conflict(struct scsi_req *req)
{
	req->action = SCSI_ACT_DONE;
	req->nr_blocks = 0;
	req->data_in_len = 0;
	req->data_out_len = 0;
	req->status = SCSI_STATUS_RESERVATION_CONFLICT;
	req->sense_len = 0;
}

void bootsan_pr_spc2(struct pr_state *s, const struct pr_nexus *n, u64 session,
		     struct scsi_req *req)
{
	bool reserve = req->cdb[0] == OP_RESERVE_6 || req->cdb[0] == OP_RESERVE_10;
	bool mine = s->spc2_reserved && nexus_eq(&s->spc2_holder, n);

	req->action = SCSI_ACT_DONE;
	req->status = SCSI_STATUS_GOOD;
	if (any_registrant(s) || (reserve && s->spc2_reserved && !mine)) {
		conflict(req);
		return;
	}
	if (reserve) {
		s->spc2_reserved = true;
		nexus_copy(&s->spc2_holder, n);
		s->spc2_session = session;
	} else if (mine) {
		/* RELEASE by another nexus is GOOD and changes nothing. */
		s->spc2_reserved = false;
	}
}

/* ---- PERSISTENT RESERVE IN ---- */

static void invalid_cdb_field(struct scsi_req *req, u16 byte, int bit)
{
	bootsan_scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_CDB, 0);
	req->sense[15] = 0x80 | 0x40 | (bit >= 0 ? 0x08 | (bit & 7) : 0);
	put_unaligned_be16(byte, &req->sense[16]);
}

static void invalid_param_field(struct scsi_req *req, u16 byte, int bit)
{
	bootsan_scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_INVALID_FIELD_IN_PARAM, 0);
	req->sense[15] = 0x80 | (bit >= 0 ? 0x08 | (bit & 7) : 0);
	put_unaligned_be16(byte, &req->sense[16]);
}

/* "<name>,i,0x<isid>" with its NUL, padded to 4 bytes: the TransportID. */
static u32 put_transport_id(struct resp *r, u32 off, const struct pr_nexus *n)
{
	static const char hex[] = "0123456789abcdef";
	u32 name_len = strnlen(n->initiator, PR_NAME_MAX_LEN);
	u32 len = name_len + 3 + 2 + 12 + 1, i, p;

	len = (len + 3) & ~3u;
	put_u8(r, off, TPID_ISCSI_PORT);
	put_be16(r, off + 2, len);
	p = off + 4;
	for (i = 0; i < name_len; i++)
		put_u8(r, p++, n->initiator[i]);
	put_u8(r, p++, ',');
	put_u8(r, p++, 'i');
	put_u8(r, p++, ',');
	put_u8(r, p++, '0');
	put_u8(r, p++, 'x');
	for (i = 0; i < 12; i++)
		put_u8(r, p++, hex[(n->isid >> (44 - 4 * i)) & 0xf]);
	for (; p < off + 4 + len; p++)
		put_u8(r, p, 0);
	return 4 + len;
}

void bootsan_pr_in(const struct pr_state *s, const struct pr_nexus *n,
		   u16 relative_port, struct scsi_req *req)
{
	u32 alloc = get_unaligned_be16(&req->cdb[7]);
	struct resp r;
	u32 off = 8, i, d;
	bool holder;

	(void)n;
	req->action = SCSI_ACT_DONE;
	req->status = SCSI_STATUS_GOOD;
	req->sense_len = 0;
	resp_init(&r, req, alloc);
	switch (req->cdb[1] & 0x1f) {
	case PRIN_READ_KEYS:
		put_be32(&r, 0, s->generation);
		for (i = 0; i < PR_MAX_REGISTRANTS; i++) {
			if (!s->regs[i].used)
				continue;
			put_be64(&r, off, s->regs[i].key);
			off += 8;
		}
		put_be32(&r, 4, off - 8);
		break;
	case PRIN_READ_RESERVATION:
		put_be32(&r, 0, s->generation);
		put_be32(&r, 4, s->reserved ? 16 : 0);
		if (s->reserved) {
			/* The AR types have no single holder: key 0. */
			put_be64(&r, 8, s->holder >= 0 ? s->regs[s->holder].key : 0);
			put_u8(&r, 21, s->type);	/* scope 0: LU_SCOPE */
			put_u8(&r, 23, 0);
		}
		break;
	case PRIN_REPORT_CAPS:
		put_be16(&r, 0, 8);
		put_u8(&r, 2, 0);	/* CRH, SIP_C, ATP_C, PTPL_C: none */
		put_u8(&r, 3, 0x80);	/* TMV: the type mask is valid */
		put_u8(&r, 4, 0x80 | 0x40 | 0x20 | 0x08 | 0x02);
		put_u8(&r, 5, 0x01);
		put_be16(&r, 6, 0);
		break;
	case PRIN_READ_FULL_STATUS:
		put_be32(&r, 0, s->generation);
		for (i = 0; i < PR_MAX_REGISTRANTS; i++) {
			if (!s->regs[i].used)
				continue;
			holder = is_holder(s, i);
			put_be64(&r, off, s->regs[i].key);
			put_u8(&r, off + 12, holder ? 0x01 : 0);
			put_u8(&r, off + 13, holder ? s->type : 0);
			put_be16(&r, off + 18, relative_port ? relative_port : 1);
			d = put_transport_id(&r, off + PR_FULL_STATUS_DESC,
					     &s->regs[i].nexus);
			put_be32(&r, off + 20, d);
			off += PR_FULL_STATUS_DESC + d;
		}
		put_be32(&r, 4, off - 8);
		break;
	default:
		invalid_cdb_field(req, 1, 4);
		return;
	}
	resp_done(req, &r);
}

/* ---- PERSISTENT RESERVE OUT ---- */

static bool type_valid(u8 type)
{
	return type == PR_TYPE_WE || type == PR_TYPE_EA || type == PR_TYPE_WE_RO ||
	       type == PR_TYPE_EA_RO || type == PR_TYPE_WE_AR || type == PR_TYPE_EA_AR;
}

static void release(struct pr_state *s)
{
	s->reserved = false;
	s->type = 0;
	s->holder = -1;
}

static void reserve(struct pr_state *s, int reg, u8 type)
{
	s->reserved = true;
	s->type = type;
	s->holder = type_all_registrants(type) ? -1 : reg;
}

/* Drop registration @reg, with what that does to the reservation. */
static void unregister(struct pr_state *s, int reg)
{
	struct pr_nexus n;
	bool was_holder = s->reserved && !type_all_registrants(s->type) &&
			  s->holder == reg;
	u8 type = s->type;

	nexus_copy(&n, &s->regs[reg].nexus);
	memset(&s->regs[reg], 0, sizeof(s->regs[reg]));
	if (was_holder) {
		release(s);
		if (type == PR_TYPE_WE_RO || type == PR_TYPE_EA_RO)
			ua_registrants(s, &n, PR_UA_RESERVATIONS_RELEASED);
	} else if (s->reserved && type_all_registrants(s->type) && !any_registrant(s)) {
		release(s);
	}
}

/* Registrations held by initiator name @initiator, whatever its ISIDs. */
static int registrations_of(const struct pr_state *s, const char *initiator)
{
	int i, n = 0;

	for (i = 0; i < PR_MAX_REGISTRANTS; i++)
		n += s->regs[i].used && !strcmp(s->regs[i].nexus.initiator, initiator);
	return n;
}

static int do_register(struct pr_state *s, const struct pr_nexus *n, int reg,
		       u64 res_key, u64 sa_key, bool ignore, struct scsi_req *req)
{
	int i;

	if (reg < 0) {
		if (!ignore && res_key) {
			conflict(req);
			return -EINVAL;
		}
		if (!sa_key)
			return 0;
		if (registrations_of(s, n->initiator) >= PR_MAX_REGISTRANTS_PER_INITIATOR)
			i = PR_MAX_REGISTRANTS;
		else
			for (i = 0; i < PR_MAX_REGISTRANTS; i++)
				if (!s->regs[i].used)
					break;
		if (i == PR_MAX_REGISTRANTS) {
			/* INSUFFICIENT REGISTRATION RESOURCES */
			bootsan_scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, 0x55, 0x04);
			return -EINVAL;
		}
		s->regs[i].used = true;
		s->regs[i].key = sa_key;
		nexus_copy(&s->regs[i].nexus, n);
	} else {
		if (!ignore && res_key != s->regs[reg].key) {
			conflict(req);
			return -EINVAL;
		}
		if (sa_key)
			s->regs[reg].key = sa_key;
		else
			unregister(s, reg);
	}
	s->generation++;
	return 0;
}

/* Remove every registration with @key but @keep's; returns how many went. */
static int remove_key(struct pr_state *s, u64 key, int keep)
{
	int i, removed = 0;

	for (i = 0; i < PR_MAX_REGISTRANTS; i++) {
		if (!s->regs[i].used || s->regs[i].key != key || i == keep)
			continue;
		ua_raise(s, &s->regs[i].nexus, PR_UA_REGISTRATIONS_PREEMPTED);
		memset(&s->regs[i], 0, sizeof(s->regs[i]));
		removed++;
	}
	return removed;
}

static int do_preempt(struct pr_state *s, const struct pr_nexus *n, int reg,
		      u64 sa_key, u8 type, struct scsi_req *req)
{
	int i;
	bool changed;

	if (s->reserved && type_all_registrants(s->type) && !sa_key) {
		/* Everybody else goes; the reservation is ours, new type. */
		for (i = 0; i < PR_MAX_REGISTRANTS; i++) {
			if (!s->regs[i].used || i == reg)
				continue;
			ua_raise(s, &s->regs[i].nexus, PR_UA_REGISTRATIONS_PREEMPTED);
			memset(&s->regs[i], 0, sizeof(s->regs[i]));
		}
		reserve(s, reg, type);
	} else if (s->reserved && !type_all_registrants(s->type) &&
		   s->regs[s->holder].key == sa_key) {
		/* Preempt the holder: its reservation becomes ours. */
		changed = s->type != type;
		remove_key(s, sa_key, reg);
		reserve(s, reg, type);
		if (changed)
			ua_registrants(s, n, PR_UA_RESERVATIONS_RELEASED);
	} else {
		/* Only registrations go; the reservation stays as it is. */
		if (!sa_key) {
			invalid_param_field(req, 8, -1);
			return -EINVAL;
		}
		if (!remove_key(s, sa_key, reg)) {
			conflict(req);
			return -EINVAL;
		}
	}
	s->generation++;
	return 0;
}

int bootsan_pr_out(struct pr_state *s, const struct pr_nexus *n, struct scsi_req *req,
		   const u8 *param, u32 len)
{
	u8 sa = req->cdb[1] & 0x1f, scope = req->cdb[2] >> 4, type = req->cdb[2] & 0x0f;
	u64 res_key, sa_key;
	int reg, i;

	req->action = SCSI_ACT_DONE;
	req->status = SCSI_STATUS_GOOD;
	req->sense_len = 0;
	req->data_in_len = 0;
	if (sa == PROUT_REGISTER_MOVE || sa > PROUT_REGISTER_MOVE) {
		invalid_cdb_field(req, 1, 4);
		return -EINVAL;
	}
	if (len != PROUT_PARAM_LEN || !param ||
	    get_unaligned_be32(&req->cdb[5]) != PROUT_PARAM_LEN) {
		bootsan_scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, SCSI_ASC_PARAM_LIST_LENGTH, 0);
		return -EINVAL;
	}
	/* No SPEC_I_PT, ALL_TG_PT or APTPL: REPORT CAPABILITIES says so. */
	if (param[20] & (PROUT_SPEC_I_PT | PROUT_ALL_TG_PT | PROUT_APTPL)) {
		invalid_param_field(req, 20, param[20] & PROUT_SPEC_I_PT ? 3 :
					     param[20] & PROUT_ALL_TG_PT ? 2 : 0);
		return -EINVAL;
	}
	if (sa == PROUT_RESERVE || sa == PROUT_RELEASE || sa == PROUT_PREEMPT ||
	    sa == PROUT_PREEMPT_ABORT) {
		if (scope) {
			invalid_cdb_field(req, 2, 7);
			return -EINVAL;
		}
		if (!type_valid(type)) {
			invalid_cdb_field(req, 2, 3);
			return -EINVAL;
		}
	}
	res_key = get_unaligned_be64(param);
	sa_key = get_unaligned_be64(param + 8);
	reg = reg_find(s, n);
	if (sa == PROUT_REGISTER || sa == PROUT_REGISTER_IGNORE)
		return do_register(s, n, reg, res_key, sa_key,
				   sa == PROUT_REGISTER_IGNORE, req);
	/* Everything else needs a registered nexus that gives its key. */
	if (reg < 0 || s->regs[reg].key != res_key) {
		conflict(req);
		return -EINVAL;
	}
	switch (sa) {
	case PROUT_RESERVE:
		if (!s->reserved) {
			reserve(s, reg, type);
		} else if (!is_holder(s, reg) || s->type != type) {
			conflict(req);
			return -EINVAL;
		}
		return 0;
	case PROUT_RELEASE:
		if (!is_holder(s, reg))
			return 0;
		if (s->type != type) {
			/* INVALID RELEASE OF PERSISTENT RESERVATION */
			bootsan_scsi_set_sense(req, SCSI_SK_ILLEGAL_REQUEST, 0x26, 0x04);
			return -EINVAL;
		}
		if (type_registrants(s->type))
			ua_registrants(s, n, PR_UA_RESERVATIONS_RELEASED);
		release(s);
		return 0;
	case PROUT_CLEAR:
		ua_registrants(s, n, PR_UA_RESERVATIONS_PREEMPTED);
		for (i = 0; i < PR_MAX_REGISTRANTS; i++)
			memset(&s->regs[i], 0, sizeof(s->regs[i]));
		release(s);
		s->generation++;
		return 0;
	default:	/* PREEMPT, PREEMPT AND ABORT (no tasks wait here) */
		return do_preempt(s, n, reg, sa_key, type, req);
	}
}

/* ---- resets and nexus loss ---- */

void bootsan_pr_lun_reset(struct pr_state *s, const struct pr_nexus *by)
{
	/* SPC-2 reservations end with a reset; persistent ones do not. */
	s->spc2_reserved = false;
	bootsan_pr_ua_all(s, by, PR_UA_RESET);
}

void bootsan_pr_session_lost(struct pr_state *s, u64 session)
{
	int i;

	if (s->spc2_reserved && s->spc2_session == session)
		s->spc2_reserved = false;
	for (i = 0; i < PR_MAX_UA_NEXUS; i++)
		if (s->ua[i].used && s->ua[i].session == session)
			memset(&s->ua[i], 0, sizeof(s->ua[i]));
}
