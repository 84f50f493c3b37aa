// SPDX-License-Identifier: GPL-2.0
/* iSCSI text keys and their negotiation; see iscsi_text.h. */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include "host_shim.h"
#endif

#include "iscsi_text.h"

/* Range of MaxRecvDataSegmentLength, MaxBurstLength, FirstBurstLength. */
#define DSL_MIN		512
#define DSL_MAX		16777215

/* A number too big for any key: what parse_num() saturates to. */
#define NUM_TOO_BIG	0x100000000ULL

int bootsan_iscsi_text_next(const char *buf, u32 len, u32 *pos, struct iscsi_kv *kv)
{
	u32 start = *pos, end, eq, i;
	const char *nul, *sep;

	if (start > len)
		return -EINVAL;
	if (start == len)
		return 0;
	if (buf[start] == '\0') {
		/* Only NUL padding may follow the last pair. */
		for (i = start; i < len; i++)
			if (buf[i] != '\0')
				return -EINVAL;
		*pos = len;
		return 0;
	}
	nul = memchr(buf + start, '\0', len - start);
	if (!nul)
		return -EINVAL;
	end = nul - buf;
	sep = memchr(buf + start, '=', end - start);
	if (!sep)
		return -EINVAL;
	eq = sep - buf;
	if (eq == start || eq - start > ISCSI_TEXT_KEY_MAX ||
	    end - eq - 1 > ISCSI_TEXT_VALUE_MAX)
		return -EINVAL;
	kv->key = buf + start;
	kv->key_len = eq - start;
	kv->value = sep + 1;
	kv->value_len = end - eq - 1;
	*pos = end + 1;
	return 1;
}

static void add_n(struct iscsi_text_buf *b, const char *key, u32 key_len,
		  const char *value, u32 value_len)
{
	u64 need = (u64)key_len + value_len + 2;

	if (b->overflow || b->len > b->cap || need > b->cap - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->data + b->len, key, key_len);
	b->data[b->len + key_len] = '=';
	memcpy(b->data + b->len + key_len + 1, value, value_len);
	b->data[b->len + key_len + 1 + value_len] = '\0';
	b->len += need;
}

void bootsan_iscsi_text_add(struct iscsi_text_buf *b, const char *key, const char *value)
{
	size_t kl = strlen(key), vl = strlen(value);

	if (kl > ISCSI_TEXT_KEY_MAX || vl > ISCSI_TEXT_VALUE_MAX) {
		b->overflow = true;
		return;
	}
	add_n(b, key, kl, value, vl);
}

void bootsan_iscsi_text_add_u32(struct iscsi_text_buf *b, const char *key, u32 value)
{
	char digits[10];
	int i = sizeof(digits);

	do {
		digits[--i] = '0' + value % 10;
		value /= 10;
	} while (value);
	add_n(b, key, strlen(key), digits + i, sizeof(digits) - i);
}

void bootsan_iscsi_params_init(struct iscsi_params *p)
{
	memset(p, 0, sizeof(*p));
	p->header_digest = false;
	p->data_digest = false;
	p->max_connections = 1;
	p->initial_r2t = true;
	p->immediate_data = true;
	p->max_recv_dsl_initiator = 8192;
	p->max_recv_dsl_target = 8192;
	p->max_burst_length = 262144;
	p->first_burst_length = 65536;
	p->default_time2wait = 2;
	p->default_time2retain = 20;
	p->max_outstanding_r2t = 1;
	p->data_pdu_in_order = true;
	p->data_sequence_in_order = true;
	p->error_recovery_level = 0;
	p->session_type_discovery = false;
	p->target_max_recv_dsl = 262144;
	p->target_max_burst = 4 * 262144;
	p->target_first_burst = 262144;
	p->target_allow_digests = true;
	p->target_max_outstanding_r2t = 1;
}

void bootsan_iscsi_neg_init(struct iscsi_neg_state *s, struct iscsi_params *p)
{
	s->p = p;
	s->seen = 0;
	s->mrdsl_answered = false;
}

/* How a key is negotiated. */
enum key_kind {
	KIND_CALLER,		/* security stage or Text: not handled here */
	KIND_DIGEST,		/* list of CRC32C, None */
	KIND_MIN,		/* number, result function Minimum */
	KIND_MAX,		/* number, result function Maximum */
	KIND_OR,		/* boolean, result function OR */
	KIND_AND,		/* boolean, result function AND */
	KIND_MRDSL,		/* MaxRecvDataSegmentLength: declarative */
	KIND_NAME,		/* InitiatorName, TargetName: declarative */
	KIND_ALIAS,		/* InitiatorAlias: declarative */
	KIND_SESSION_TYPE,	/* declarative */
	KIND_TARGET_ONLY,	/* only a target declares it: Reject */
	KIND_MARKER,		/* obsolete IFMarker, OFMarker: answer No */
	KIND_MARKINT,		/* obsolete IFMarkInt, OFMarkInt: Reject */
	KIND_TASK_REPORTING,	/* list; we do RFC3720 only */
};

/* Irrelevant in a discovery session (RFC 7143 section 13). */
#define F_NORMAL_ONLY	1

enum key_id {
	K_HEADER_DIGEST,
	K_DATA_DIGEST,
	K_MAX_CONNECTIONS,
	K_INITIAL_R2T,
	K_IMMEDIATE_DATA,
	K_MRDSL,
	K_MAX_BURST,
	K_FIRST_BURST,
	K_TIME2WAIT,
	K_TIME2RETAIN,
	K_MAX_R2T,
	K_PDU_IN_ORDER,
	K_SEQUENCE_IN_ORDER,
	K_ERL,
	K_SESSION_TYPE,
	K_INITIATOR_NAME,
	K_TARGET_NAME,
	K_INITIATOR_ALIAS,
	K_TARGET_ALIAS,
	K_TARGET_ADDRESS,
	K_TPGT,
	K_IFMARKER,
	K_OFMARKER,
	K_IFMARKINT,
	K_OFMARKINT,
	K_TASK_REPORTING,
	K_AUTH_METHOD,
	K_CHAP_A,
	K_CHAP_I,
	K_CHAP_C,
	K_CHAP_N,
	K_CHAP_R,
	K_SEND_TARGETS,
	K_COUNT
};

struct key_desc {
	const char *name;
	u8 kind;
	u8 flags;
	u32 min, max;		/* range of a numerical value */
};

/* Indexed by enum key_id, which is also the key's bit in the seen mask. */
static const struct key_desc keys[K_COUNT] = {
	[K_HEADER_DIGEST] = { "HeaderDigest", KIND_DIGEST, 0, 0, 0 },
	[K_DATA_DIGEST] = { "DataDigest", KIND_DIGEST, 0, 0, 0 },
	[K_MAX_CONNECTIONS] = { "MaxConnections", KIND_MIN, F_NORMAL_ONLY, 1, 65535 },
	[K_INITIAL_R2T] = { "InitialR2T", KIND_OR, F_NORMAL_ONLY, 0, 0 },
	[K_IMMEDIATE_DATA] = { "ImmediateData", KIND_AND, F_NORMAL_ONLY, 0, 0 },
	[K_MRDSL] = { "MaxRecvDataSegmentLength", KIND_MRDSL, 0, DSL_MIN, DSL_MAX },
	[K_MAX_BURST] = { "MaxBurstLength", KIND_MIN, F_NORMAL_ONLY, DSL_MIN, DSL_MAX },
	[K_FIRST_BURST] = { "FirstBurstLength", KIND_MIN, F_NORMAL_ONLY, DSL_MIN, DSL_MAX },
	[K_TIME2WAIT] = { "DefaultTime2Wait", KIND_MAX, F_NORMAL_ONLY, 0, 3600 },
	[K_TIME2RETAIN] = { "DefaultTime2Retain", KIND_MIN, F_NORMAL_ONLY, 0, 3600 },
	[K_MAX_R2T] = { "MaxOutstandingR2T", KIND_MIN, F_NORMAL_ONLY, 1, 65535 },
	[K_PDU_IN_ORDER] = { "DataPDUInOrder", KIND_OR, F_NORMAL_ONLY, 0, 0 },
	[K_SEQUENCE_IN_ORDER] = { "DataSequenceInOrder", KIND_OR, F_NORMAL_ONLY, 0, 0 },
	[K_ERL] = { "ErrorRecoveryLevel", KIND_MIN, 0, 0, 2 },
	[K_SESSION_TYPE] = { "SessionType", KIND_SESSION_TYPE, 0, 0, 0 },
	[K_INITIATOR_NAME] = { "InitiatorName", KIND_NAME, 0, 0, 0 },
	[K_TARGET_NAME] = { "TargetName", KIND_NAME, 0, 0, 0 },
	[K_INITIATOR_ALIAS] = { "InitiatorAlias", KIND_ALIAS, 0, 0, 0 },
	[K_TARGET_ALIAS] = { "TargetAlias", KIND_TARGET_ONLY, 0, 0, 0 },
	[K_TARGET_ADDRESS] = { "TargetAddress", KIND_TARGET_ONLY, 0, 0, 0 },
	[K_TPGT] = { "TargetPortalGroupTag", KIND_TARGET_ONLY, 0, 0, 0 },
	[K_IFMARKER] = { "IFMarker", KIND_MARKER, 0, 0, 0 },
	[K_OFMARKER] = { "OFMarker", KIND_MARKER, 0, 0, 0 },
	[K_IFMARKINT] = { "IFMarkInt", KIND_MARKINT, 0, 0, 0 },
	[K_OFMARKINT] = { "OFMarkInt", KIND_MARKINT, 0, 0, 0 },
	[K_TASK_REPORTING] = { "TaskReporting", KIND_TASK_REPORTING, F_NORMAL_ONLY, 0, 0 },
	[K_AUTH_METHOD] = { "AuthMethod", KIND_CALLER, 0, 0, 0 },
	[K_CHAP_A] = { "CHAP_A", KIND_CALLER, 0, 0, 0 },
	[K_CHAP_I] = { "CHAP_I", KIND_CALLER, 0, 0, 0 },
	[K_CHAP_C] = { "CHAP_C", KIND_CALLER, 0, 0, 0 },
	[K_CHAP_N] = { "CHAP_N", KIND_CALLER, 0, 0, 0 },
	[K_CHAP_R] = { "CHAP_R", KIND_CALLER, 0, 0, 0 },
	[K_SEND_TARGETS] = { "SendTargets", KIND_CALLER, 0, 0, 0 },
};

_Static_assert(K_COUNT <= 64, "the seen mask has 64 bits");

static bool str_is(const char *s, u32 n, const char *lit)
{
	return strlen(lit) == n && !memcmp(s, lit, n);
}

static int find_key(const struct iscsi_kv *kv)
{
	int i;

	for (i = 0; i < K_COUNT; i++)
		if (str_is(kv->key, kv->key_len, keys[i].name))
			return i;
	return -1;
}

static unsigned int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 16;
}

/*
 * A decimal or "0x"/"0X" hex constant; values above U32_MAX come out as
 * NUM_TOO_BIG, which no key's range includes.
 */
static bool parse_num(const char *s, u32 n, u64 *out)
{
	unsigned int base = 10, d;
	u64 v = 0;
	u32 i = 0;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return false;
	for (; i < n; i++) {
		d = digit_value(s[i]);
		if (d >= base)
			return false;
		v = v * base + d;
		if (v > 0xffffffffULL)
			v = NUM_TOO_BIG;
	}
	*out = v;
	return true;
}

static bool parse_bool(const char *s, u32 n, bool *out)
{
	if (str_is(s, n, "Yes"))
		*out = true;
	else if (str_is(s, n, "No"))
		*out = false;
	else
		return false;
	return true;
}

static u32 clamp_u32(u32 v, u32 lo, u32 hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static u32 min_u32(u32 a, u32 b)
{
	return a < b ? a : b;
}

static void add_str(struct iscsi_text_buf *out, const char *key, const char *value)
{
	add_n(out, key, strlen(key), value, strlen(value));
}

static enum iscsi_neg_result reject(const struct key_desc *d, struct iscsi_text_buf *out)
{
	add_str(out, d->name, "Reject");
	return ISCSI_NEG_REJECT;
}

/*
 * Walk the comma-separated @list in the initiator's order and return the
 * index in @accept of the first element found there, or -1.
 */
static int pick_from_list(const char *list, u32 n, const char *const *accept, int n_accept)
{
	u32 start = 0, end;
	int i;

	for (;;) {
		for (end = start; end < n && list[end] != ','; end++)
			;
		for (i = 0; i < n_accept; i++)
			if (accept[i] && str_is(list + start, end - start, accept[i]))
				return i;
		if (end == n)
			return -1;
		start = end + 1;
	}
}

static enum iscsi_neg_result neg_digest(struct iscsi_params *p, const struct key_desc *d,
					const struct iscsi_kv *kv, struct iscsi_text_buf *out,
					bool *field)
{
	const char *accept[2] = { "None", p->target_allow_digests ? "CRC32C" : NULL };
	int i = pick_from_list(kv->value, kv->value_len, accept, 2);

	if (i < 0)
		return reject(d, out);
	*field = i == 1;
	add_str(out, d->name, accept[i]);
	return ISCSI_NEG_OK;
}

/* The field a numerical key sets, and our limit or offer for it. */
static u32 *num_field(struct iscsi_params *p, int id, u32 *ours)
{
	switch (id) {
	case K_MAX_CONNECTIONS:
		*ours = 1;
		return &p->max_connections;
	case K_MAX_BURST:
		*ours = p->target_max_burst;
		return &p->max_burst_length;
	case K_FIRST_BURST:
		*ours = p->target_first_burst;
		return &p->first_burst_length;
	case K_TIME2WAIT:
		*ours = p->default_time2wait;
		return &p->default_time2wait;
	case K_TIME2RETAIN:
		*ours = p->default_time2retain;
		return &p->default_time2retain;
	case K_MAX_R2T:
		*ours = p->target_max_outstanding_r2t;
		return &p->max_outstanding_r2t;
	default: /* K_ERL */
		*ours = 0;
		return &p->error_recovery_level;
	}
}

static enum iscsi_neg_result neg_number(struct iscsi_neg_state *s, int id,
					const struct iscsi_kv *kv, struct iscsi_text_buf *out)
{
	const struct key_desc *d = &keys[id];
	struct iscsi_params *p = s->p;
	u32 ours, result, *field;
	u64 v;

	if (!parse_num(kv->value, kv->value_len, &v) || v < d->min || v > d->max)
		return reject(d, out);
	field = num_field(p, id, &ours);
	ours = clamp_u32(ours, d->min, d->max);
	if (d->kind == KIND_MAX) {
		result = v > ours ? v : ours;
	} else {
		result = min_u32(v, ours);
		/* FirstBurstLength must not exceed MaxBurstLength. */
		if (id == K_FIRST_BURST && (s->seen & (1ULL << K_MAX_BURST)))
			result = min_u32(result, p->max_burst_length);
	}
	*field = result;
	bootsan_iscsi_text_add_u32(out, d->name, result);
	return ISCSI_NEG_OK;
}

static bool *bool_field(struct iscsi_params *p, int id)
{
	switch (id) {
	case K_INITIAL_R2T:
		return &p->initial_r2t;
	case K_IMMEDIATE_DATA:
		return &p->immediate_data;
	case K_PDU_IN_ORDER:
		return &p->data_pdu_in_order;
	default: /* K_SEQUENCE_IN_ORDER */
		return &p->data_sequence_in_order;
	}
}

static enum iscsi_neg_result neg_bool(struct iscsi_params *p, int id,
				      const struct iscsi_kv *kv, struct iscsi_text_buf *out)
{
	const struct key_desc *d = &keys[id];
	bool v, *field = bool_field(p, id);

	if (!parse_bool(kv->value, kv->value_len, &v))
		return reject(d, out);
	*field = d->kind == KIND_OR ? v || *field : v && *field;
	add_str(out, d->name, *field ? "Yes" : "No");
	return ISCSI_NEG_OK;
}

static enum iscsi_neg_result neg_mrdsl(struct iscsi_neg_state *s, const struct iscsi_kv *kv,
				       struct iscsi_text_buf *out)
{
	const struct key_desc *d = &keys[K_MRDSL];
	struct iscsi_params *p = s->p;
	u64 v;

	if (!parse_num(kv->value, kv->value_len, &v) || v < d->min || v > d->max) {
		/*
		 * Nothing declared: each side keeps the default 8192, which
		 * we can take; declaring ours now would repeat the key.
		 */
		s->mrdsl_answered = true;
		return reject(d, out);
	}
	p->max_recv_dsl_initiator = v;
	if (!s->mrdsl_answered) {
		p->max_recv_dsl_target = clamp_u32(p->target_max_recv_dsl, d->min, d->max);
		bootsan_iscsi_text_add_u32(out, d->name, p->max_recv_dsl_target);
		s->mrdsl_answered = true;
	}
	return ISCSI_NEG_OK;
}

static enum iscsi_neg_result neg_name(struct iscsi_params *p, int id, const struct iscsi_kv *kv)
{
	char *field = id == K_INITIATOR_NAME ? p->initiator_name : p->target_name;

	/* Both arrays have the same size: 223 bytes and a NUL. */
	if (kv->value_len >= sizeof(p->initiator_name))
		return ISCSI_NEG_PROTOCOL_ERROR;
	memcpy(field, kv->value, kv->value_len);
	field[kv->value_len] = '\0';
	return ISCSI_NEG_OK;
}

static enum iscsi_neg_result neg_alias(struct iscsi_params *p, const struct iscsi_kv *kv)
{
	/* Only informational: a long alias is cut short, not refused. */
	u32 n = min_u32(kv->value_len, sizeof(p->initiator_alias) - 1);

	memcpy(p->initiator_alias, kv->value, n);
	p->initiator_alias[n] = '\0';
	return ISCSI_NEG_OK;
}

enum iscsi_neg_result bootsan_iscsi_negotiate(struct iscsi_neg_state *s,
					      const struct iscsi_kv *kv,
					      struct iscsi_text_buf *out)
{
	static const char *const rfc3720[1] = { "RFC3720" };
	struct iscsi_params *p = s->p;
	const struct key_desc *d;
	int id = find_key(kv);
	bool b;

	if (id < 0) {
		/* Unknown, including X- and X# private and public extensions. */
		add_n(out, kv->key, kv->key_len, "NotUnderstood", 13);
		return ISCSI_NEG_NOT_UNDERSTOOD;
	}
	d = &keys[id];
	if (d->kind == KIND_CALLER)
		return ISCSI_NEG_IRRELEVANT;
	if (s->seen & (1ULL << id))
		return ISCSI_NEG_PROTOCOL_ERROR;
	s->seen |= 1ULL << id;
	if ((d->flags & F_NORMAL_ONLY) && p->session_type_discovery) {
		add_str(out, d->name, "Irrelevant");
		return ISCSI_NEG_OK;
	}

	switch (d->kind) {
	case KIND_DIGEST:
		return neg_digest(p, d, kv, out, id == K_HEADER_DIGEST ?
				  &p->header_digest : &p->data_digest);
	case KIND_MIN:
	case KIND_MAX:
		return neg_number(s, id, kv, out);
	case KIND_OR:
	case KIND_AND:
		return neg_bool(p, id, kv, out);
	case KIND_MRDSL:
		return neg_mrdsl(s, kv, out);
	case KIND_NAME:
		return neg_name(p, id, kv);
	case KIND_ALIAS:
		return neg_alias(p, kv);
	case KIND_SESSION_TYPE:
		if (str_is(kv->value, kv->value_len, "Discovery"))
			p->session_type_discovery = true;
		else if (str_is(kv->value, kv->value_len, "Normal"))
			p->session_type_discovery = false;
		else
			return reject(d, out);
		return ISCSI_NEG_OK;
	case KIND_MARKER:
		/* RFC 7143 section 13.26: Reject, or No, which old peers take. */
		if (!parse_bool(kv->value, kv->value_len, &b))
			return reject(d, out);
		add_str(out, d->name, "No");
		return ISCSI_NEG_OK;
	case KIND_TASK_REPORTING:
		if (pick_from_list(kv->value, kv->value_len, rfc3720, 1) < 0)
			return reject(d, out);
		add_str(out, d->name, rfc3720[0]);
		return ISCSI_NEG_OK;
	default: /* KIND_TARGET_ONLY, KIND_MARKINT */
		return reject(d, out);
	}
}

void bootsan_iscsi_neg_finish(struct iscsi_neg_state *s, struct iscsi_text_buf *out)
{
	struct iscsi_params *p = s->p;

	if (!s->mrdsl_answered) {
		p->max_recv_dsl_target = clamp_u32(p->target_max_recv_dsl, DSL_MIN, DSL_MAX);
		bootsan_iscsi_text_add_u32(out, keys[K_MRDSL].name, p->max_recv_dsl_target);
		s->mrdsl_answered = true;
	}
	p->first_burst_length = min_u32(p->first_burst_length, p->max_burst_length);
}

static int base64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int decode_hex(const char *s, u32 n, u8 *out, u32 out_max)
{
	u32 i;

	if (n == 0 || n % 2)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (digit_value(s[i]) >= 16)
			return -EINVAL;
	if (n / 2 > out_max)
		return -E2BIG;
	for (i = 0; i < n; i += 2)
		out[i / 2] = digit_value(s[i]) << 4 | digit_value(s[i + 1]);
	return n / 2;
}

static int decode_base64(const char *s, u32 n, u8 *out, u32 out_max)
{
	u32 i, pad = 0, o = 0, len, acc = 0;

	if (n == 0 || n % 4)
		return -EINVAL;
	if (s[n - 1] == '=')
		pad = s[n - 2] == '=' ? 2 : 1;
	for (i = 0; i < n - pad; i++)
		if (base64_value(s[i]) < 0)
			return -EINVAL;
	/* Canonical form only: the bits the padding drops must be zero. */
	if ((pad == 2 && (base64_value(s[n - 3]) & 0xf)) ||
	    (pad == 1 && (base64_value(s[n - 2]) & 0x3)))
		return -EINVAL;
	len = n / 4 * 3 - pad;
	if (len > out_max || len > 0x7fffffff)
		return -E2BIG;
	for (i = 0; i < n - pad; i++) {
		acc = acc << 6 | base64_value(s[i]);
		if (i % 4 == 3) {
			out[o++] = acc >> 16;
			out[o++] = acc >> 8;
			out[o++] = acc;
			acc = 0;
		}
	}
	if (pad == 2) {
		out[o++] = acc >> 4;
	} else if (pad == 1) {
		out[o++] = acc >> 10;
		out[o++] = acc >> 2;
	}
	return len;
}

int bootsan_iscsi_chap_decode(const char *value, u32 value_len, u8 *out, u32 out_max)
{
	if (value_len < 2 || value[0] != '0')
		return -EINVAL;
	if (value[1] == 'x' || value[1] == 'X')
		return decode_hex(value + 2, value_len - 2, out, out_max);
	if (value[1] == 'b' || value[1] == 'B')
		return decode_base64(value + 2, value_len - 2, out, out_max);
	return -EINVAL;
}

int bootsan_iscsi_chap_encode_hex(const u8 *in, u32 len, char *out, u32 cap)
{
	static const char hex[] = "0123456789abcdef";
	u32 i;

	if (len == 0 || 2 * (u64)len + 3 > cap) {
		if (cap)
			out[0] = '\0';
		return len ? -E2BIG : -EINVAL;
	}
	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < len; i++) {
		out[2 + 2 * i] = hex[in[i] >> 4];
		out[3 + 2 * i] = hex[in[i] & 0xf];
	}
	out[2 + 2 * len] = '\0';
	return 0;
}
