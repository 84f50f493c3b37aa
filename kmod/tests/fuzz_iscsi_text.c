// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: a login data segment through bootsan_iscsi_text_next(),
 * bootsan_iscsi_negotiate() with a small answer buffer and bootsan_iscsi_chap_decode().
 * Input: one byte of flags, one byte of answer capacity, the segment.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../iscsi_text.h"

/* Exact-size heap copies, so ASan sees any access past the given length. */
static void *copy(const void *data, size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		abort();
	memcpy(p, data, size);
	return p;
}

static void check_pair(const char *buf, u32 len, u32 start, u32 pos, const struct iscsi_kv *kv)
{
	if (kv->key != buf + start || kv->key_len < 1 || kv->key_len > ISCSI_TEXT_KEY_MAX ||
	    kv->value_len > ISCSI_TEXT_VALUE_MAX || kv->value != kv->key + kv->key_len + 1 ||
	    kv->value + kv->value_len >= buf + len || pos != kv->value + kv->value_len + 1 - buf)
		abort();
	if (kv->value[-1] != '=' || kv->value[kv->value_len] != '\0' ||
	    memchr(kv->key, '=', kv->key_len) || memchr(kv->key, '\0', kv->key_len) ||
	    memchr(kv->value, '\0', kv->value_len))
		abort();
}

/* Whatever was appended is whole "key=value" pairs. */
static void check_segment(const char *buf, u32 len)
{
	struct iscsi_kv kv;
	u32 pos = 0, start;
	int rc;

	for (;;) {
		start = pos;
		rc = bootsan_iscsi_text_next(buf, len, &pos, &kv);
		if (rc == 0 && start == len)
			return;
		if (rc != 1)
			abort();
		check_pair(buf, len, start, pos, &kv);
	}
}

static void check_chap(const struct iscsi_kv *kv, u32 out_max)
{
	u8 *out = malloc(out_max ? out_max : 1);
	char *hex;
	int rc;

	if (!out)
		abort();
	rc = bootsan_iscsi_chap_decode(kv->value, kv->value_len, out, out_max);
	if (rc != -EINVAL && rc != -E2BIG && (rc < 1 || (u32)rc > out_max))
		abort();
	if (rc > 0 && (kv->value[1] == 'x' || kv->value[1] == 'X')) {
		/* Hex round-trips, up to case. */
		hex = malloc(2 * rc + 3);
		if (!hex || bootsan_iscsi_chap_encode_hex(out, rc, hex, 2 * rc + 3) ||
		    strlen(hex) != kv->value_len || strncasecmp(hex, kv->value, kv->value_len))
			abort();
		if (bootsan_iscsi_chap_encode_hex(out, rc, hex, 2 * rc + 2) != -E2BIG)
			abort();
		free(hex);
	}
	if (rc == -E2BIG && out_max > 0 &&
	    bootsan_iscsi_chap_decode(kv->value, kv->value_len, out, out_max - 1) != -E2BIG)
		abort();
	free(out);
}

static void check_params(const struct iscsi_params *p)
{
	if (p->max_connections != 1 || p->error_recovery_level != 0 ||
	    p->first_burst_length > p->max_burst_length ||
	    p->max_burst_length < 512 ||
	    /* the default 262144 stands unless MaxBurstLength was offered */
	    (p->max_burst_length > p->target_max_burst && p->max_burst_length != 262144) ||
	    p->max_recv_dsl_initiator < 512 || p->max_recv_dsl_initiator > 16777215 ||
	    p->max_recv_dsl_target < 512 || p->max_recv_dsl_target > 16777215 ||
	    p->max_outstanding_r2t < 1 || p->max_outstanding_r2t > 65535 ||
	    p->default_time2wait > 3600 || p->default_time2retain > 3600 ||
	    ((p->header_digest || p->data_digest) && !p->target_allow_digests) ||
	    !p->data_pdu_in_order || !p->data_sequence_in_order ||
	    !memchr(p->initiator_name, '\0', sizeof(p->initiator_name)) ||
	    !memchr(p->target_name, '\0', sizeof(p->target_name)) ||
	    !memchr(p->initiator_alias, '\0', sizeof(p->initiator_alias)))
		abort();
}

/*
 * Key names, so that a second negotiation can reach every key with the
 * fuzzed values without libFuzzer having to spell the names first.
 */
static const char *const names[] = {
	"HeaderDigest", "DataDigest", "MaxConnections", "InitialR2T", "ImmediateData",
	"MaxRecvDataSegmentLength", "MaxBurstLength", "FirstBurstLength",
	"DefaultTime2Wait", "DefaultTime2Retain", "MaxOutstandingR2T", "DataPDUInOrder",
	"DataSequenceInOrder", "ErrorRecoveryLevel", "SessionType", "InitiatorName",
	"TargetName", "InitiatorAlias", "TargetAlias", "TargetAddress",
	"TargetPortalGroupTag", "IFMarker", "OFMarker", "IFMarkInt", "OFMarkInt",
	"TaskReporting", "AuthMethod", "CHAP_A", "CHAP_C", "SendTargets", "X-x", "X#y",
};

struct run {
	struct iscsi_params p;
	struct iscsi_neg_state s;
	struct iscsi_text_buf out;
};

static void run_init(struct run *r, u8 flags, u32 cap)
{
	r->out.cap = cap;
	r->out.data = malloc(cap ? cap : 1);
	r->out.len = 0;
	r->out.overflow = false;
	if (!r->out.data)
		abort();
	bootsan_iscsi_params_init(&r->p);
	r->p.session_type_discovery = flags & 1;
	r->p.target_allow_digests = !(flags & 2);
	r->p.initial_r2t = !(flags & 4);
	if (flags & 8) {
		r->p.target_max_recv_dsl = 0;
		r->p.target_max_burst = 4096;
		r->p.target_first_burst = 1 << 30;
	}
	bootsan_iscsi_neg_init(&r->s, &r->p);
}

static void run_negotiate(struct run *r, const struct iscsi_kv *kv)
{
	struct iscsi_text_buf *out = &r->out;
	u32 before = out->len;
	enum iscsi_neg_result res = bootsan_iscsi_negotiate(&r->s, kv, out);

	if (out->len > out->cap || out->len < before ||
	    (out->overflow && out->len != before) ||
	    ((res == ISCSI_NEG_IRRELEVANT || res == ISCSI_NEG_PROTOCOL_ERROR) &&
	     out->len != before))
		abort();
	switch (res) {
	case ISCSI_NEG_OK:
	case ISCSI_NEG_IRRELEVANT:
	case ISCSI_NEG_PROTOCOL_ERROR:
		break;
	case ISCSI_NEG_NOT_UNDERSTOOD:
		if (!out->overflow && (out->len != before + kv->key_len + 15 ||
				       memcmp(out->data + out->len - 14, "NotUnderstood", 14)))
			abort();
		break;
	case ISCSI_NEG_REJECT:
		if (!out->overflow && memcmp(out->data + out->len - 7, "Reject", 7))
			abort();
		break;
	default:
		abort();
	}
}

static void run_finish(struct run *r)
{
	bootsan_iscsi_neg_finish(&r->s, &r->out);
	if (r->out.len > r->out.cap)
		abort();
	check_segment(r->out.data, r->out.len);
	check_params(&r->p);
	free(r->out.data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run plain, mapped;
	struct iscsi_kv kv, kv2;
	u32 len, pos = 0, start, i;
	u8 flags;
	char *buf;
	int rc;

	if (size < 2)
		return 0;
	flags = data[0];
	len = size - 2;
	buf = copy(data + 2, len);
	run_init(&plain, flags, data[1]);
	run_init(&mapped, flags, data[1]);

	for (;;) {
		start = pos;
		rc = bootsan_iscsi_text_next(buf, len, &pos, &kv);
		if (rc == 0) {
			for (i = start; i < len; i++)
				if (buf[i] != '\0')
					abort();
			break;
		}
		if (rc == -EINVAL) {
			if (pos != start)
				abort();
			break;
		}
		if (rc != 1)
			abort();
		check_pair(buf, len, start, pos, &kv);
		run_negotiate(&plain, &kv);
		kv2 = kv;
		kv2.key = names[(u8)kv.key[0] % (sizeof(names) / sizeof(names[0]))];
		kv2.key_len = strlen(kv2.key);
		run_negotiate(&mapped, &kv2);
		check_chap(&kv, flags >> 4);
	}
	run_finish(&plain);
	run_finish(&mapped);
	free(buf);
	return 0;
}
