/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iSCSI text keys (RFC 7143 sections 6, 12 and 13): walking a login or text
 * data segment, building the answer, negotiating the operational keys on the
 * target side and decoding CHAP binary values. Pure functions over untrusted
 * bytes without allocation, built into the module and, for unit tests and
 * fuzzing, into host programs.
 */
#ifndef BOOTSAN_ISCSI_TEXT_H
#define BOOTSAN_ISCSI_TEXT_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include "host_shim.h"
#endif

/* Longest key name and longest value in bytes (RFC 7143 section 6.1). */
#define ISCSI_TEXT_KEY_MAX	63
#define ISCSI_TEXT_VALUE_MAX	8192

/* One "key=value" pair; neither string is NUL-terminated. */
struct iscsi_kv {
	const char *key;
	u32 key_len;
	const char *value;
	u32 value_len;
};

/*
 * Fill @kv with the pair at offset *@pos of the @len bytes at @buf and move
 * *@pos past it. Returns 1 for a pair, 0 at the end of the segment (which
 * may be followed by NUL padding) and -EINVAL for a malformed pair: no '=',
 * an empty key, a key over 63 or a value over 8192 bytes, no terminating
 * NUL, or an empty string before the last pair. *@pos is left alone then.
 */
int bootsan_iscsi_text_next(const char *buf, u32 len, u32 *pos, struct iscsi_kv *kv);

/*
 * Output segment. An add that does not fit (or whose key or value is
 * longer than the limits above) appends nothing and sets @overflow; once set, later adds append nothing either, so the segment
 * always holds whole pairs in the order asked for, and a caller that sees
 * @overflow must not send it.
 */
struct iscsi_text_buf {
	char *data;
	u32 len;
	u32 cap;
	bool overflow;
};

/* Append "@key=@value" and a NUL. */
void bootsan_iscsi_text_add(struct iscsi_text_buf *b, const char *key, const char *value);
/* Append "@key=<@value in decimal>" and a NUL. */
void bootsan_iscsi_text_add_u32(struct iscsi_text_buf *b, const char *key, u32 value);

/*
 * Session and connection parameters. bootsan_iscsi_params_init() sets the RFC 7143
 * defaults and our limits. Until a key is negotiated, its field holds what
 * we offer: InitialR2T, ImmediateData, DataPDUInOrder, DataSequenceInOrder,
 * DefaultTime2Wait and DefaultTime2Retain are combined with the initiator's
 * value by the key's result function, so a caller may change them between
 * bootsan_iscsi_params_init() and the negotiation (e.g. initial_r2t = false to take
 * unsolicited data). The target_* fields bound the numerical keys.
 */
struct iscsi_params {
	bool header_digest, data_digest;	/* CRC32C chosen */
	u32 max_connections;			/* always 1: no MC/S */
	bool initial_r2t, immediate_data;
	u32 max_recv_dsl_initiator;		/* what we may send in a PDU */
	u32 max_recv_dsl_target;		/* what the initiator may send us */
	u32 max_burst_length, first_burst_length;
	u32 default_time2wait, default_time2retain;
	u32 max_outstanding_r2t;
	bool data_pdu_in_order, data_sequence_in_order;
	u32 error_recovery_level;
	bool session_type_discovery;
	char initiator_name[224], target_name[224], initiator_alias[256];
	/* Our limits and offers, set before the negotiation. */
	u32 target_max_recv_dsl;		/* our MaxRecvDataSegmentLength */
	u32 target_max_burst, target_first_burst;
	bool target_allow_digests;		/* false: always answer None */
	u32 target_max_outstanding_r2t;
};

void bootsan_iscsi_params_init(struct iscsi_params *p);

enum iscsi_neg_result {
	ISCSI_NEG_OK = 0,		/* handled; answer (if any) in out */
	ISCSI_NEG_IRRELEVANT,		/* not ours (AuthMethod, CHAP_*, SendTargets) */
	ISCSI_NEG_NOT_UNDERSTOOD,	/* answered "key=NotUnderstood" */
	ISCSI_NEG_REJECT,		/* answered "key=Reject" */
	ISCSI_NEG_PROTOCOL_ERROR,	/* fail the login; nothing written */
};

/*
 * One negotiation: the whole login of a connection (or one Text exchange).
 * @seen has a bit per key of the table in iscsi_text.c already received.
 */
struct iscsi_neg_state {
	struct iscsi_params *p;
	u64 seen;
	bool mrdsl_answered;
};

void bootsan_iscsi_neg_init(struct iscsi_neg_state *s, struct iscsi_params *p);

/*
 * Negotiate the key @kv the initiator sent, record the result in s->p and
 * append our answer to @out. Declarative keys the initiator sends
 * (InitiatorName, InitiatorAlias, TargetName, SessionType) are recorded
 * without an answer; MaxRecvDataSegmentLength is answered once with our own
 * declaration. In a discovery session the keys RFC 7143 calls irrelevant
 * there are answered "key=Irrelevant" and ISCSI_NEG_OK is returned.
 * SessionType must therefore come before them, as RFC 7143 requires.
 * ISCSI_NEG_IRRELEVANT means: security or Text key, nothing written, the
 * caller handles it. A key sent twice in one negotiation, or an
 * InitiatorName or TargetName over 223 bytes, is ISCSI_NEG_PROTOCOL_ERROR.
 */
enum iscsi_neg_result bootsan_iscsi_negotiate(struct iscsi_neg_state *s,
					      const struct iscsi_kv *kv,
					      struct iscsi_text_buf *out);

/*
 * At the end of the negotiation (the response that moves to Full Feature
 * Phase): declare our MaxRecvDataSegmentLength if not done yet and make
 * FirstBurstLength <= MaxBurstLength.
 */
void bootsan_iscsi_neg_finish(struct iscsi_neg_state *s, struct iscsi_text_buf *out);

/*
 * Decode a CHAP binary value, "0x" and an even number of hex digits or "0b"
 * and padded base64 (prefix case-insensitive), into at most @out_max bytes
 * at @out. Returns the decoded length, -EINVAL for a malformed value
 * (including an empty one) and -E2BIG when it does not fit. Reads only the
 * @value_len bytes at @value.
 */
int bootsan_iscsi_chap_decode(const char *value, u32 value_len, u8 *out, u32 out_max);

/*
 * Write "0x", @len bytes at @in in lower-case hex and a NUL into the @cap
 * bytes at @out. Returns 0, -E2BIG when it does not fit or -EINVAL for
 * @len 0 (which would be the malformed value "0x"); on error @out holds ""
 * if @cap allows.
 */
int bootsan_iscsi_chap_encode_hex(const u8 *in, u32 len, char *out, u32 cap);

#endif /* BOOTSAN_ISCSI_TEXT_H */
