// SPDX-License-Identifier: GPL-2.0
/* Host unit test of iscsi_text.c, printing TAP. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "../iscsi_text.h"

/* A segment as a C literal with its NULs: S("a=b\0c=d\0"). */
#define S(lit) lit, (unsigned int)(sizeof(lit) - 1)

/* Print a segment with its NULs as '|', for the TAP diagnostics. */
static const char *show(const char *buf, unsigned int len)
{
	static char text[2][1024];
	static int which;
	char *t = text[which ^= 1];
	unsigned int i;

	for (i = 0; i < len && i < sizeof(text[0]) - 1; i++)
		t[i] = buf[i] ? buf[i] : '|';
	t[i] = '\0';
	return t;
}

/* ---- bootsan_iscsi_text_next ---- */

/* Walk @buf; expect @pairs pairs and then @end (0 or -EINVAL). */
static void walk(const char *what, const char *buf, unsigned int len, int pairs, int end)
{
	struct iscsi_kv kv;
	u32 pos = 0;
	int got = 0, rc;

	while ((rc = bootsan_iscsi_text_next(buf, len, &pos, &kv)) == 1) {
		got++;
		if (got > 100)
			break;
	}
	ok(got == pairs && rc == end, "text_next %s: %d pairs then %d (got %d then %d)",
	   what, pairs, end, got, rc);
}

static void test_text_next(void)
{
	static char big[100 + ISCSI_TEXT_VALUE_MAX];
	struct iscsi_kv kv;
	u32 pos = 0;
	int rc;

	rc = bootsan_iscsi_text_next(S("HeaderDigest=None\0MaxConnections=1\0"), &pos, &kv);
	ok(rc == 1 && kv.key_len == 12 && !memcmp(kv.key, "HeaderDigest", 12) &&
	   kv.value_len == 4 && !memcmp(kv.value, "None", 4) && pos == 18,
	   "text_next splits key and value");
	walk("two pairs", S("a=b\0c=d\0"), 2, 0);
	walk("empty buffer", "", 0, 0, 0);
	walk("empty value", S("a=\0"), 1, 0);
	walk("value with '='", S("a=b=c\0"), 1, 0);
	walk("NUL padding", S("a=b\0\0\0\0"), 1, 0);
	walk("only padding", S("\0\0\0"), 0, 0);
	walk("no terminating NUL", S("a=b\0c=d"), 1, -EINVAL);
	walk("no '='", S("a=b\0cd\0"), 1, -EINVAL);
	walk("empty key", S("=b\0"), 0, -EINVAL);
	walk("empty pair in the middle", S("a=b\0\0c=d\0"), 1, -EINVAL);
	walk("junk after padding", S("a=b\0\0x"), 1, -EINVAL);

	memset(big, 'k', 63);
	memcpy(big + 63, "=v", 3);
	walk("63-byte key", big, 66, 1, 0);
	memset(big, 'k', 64);
	memcpy(big + 64, "=v", 3);
	walk("64-byte key", big, 67, 0, -EINVAL);

	memset(big, 'v', sizeof(big));
	memcpy(big, "CHAP_C=", 7);
	big[7 + ISCSI_TEXT_VALUE_MAX] = '\0';
	walk("8192-byte value", big, 8 + ISCSI_TEXT_VALUE_MAX, 1, 0);
	big[7 + ISCSI_TEXT_VALUE_MAX] = 'v';
	big[8 + ISCSI_TEXT_VALUE_MAX] = '\0';
	walk("8193-byte value", big, 9 + ISCSI_TEXT_VALUE_MAX, 0, -EINVAL);

	pos = 10;
	ok(bootsan_iscsi_text_next(S("a=b\0"), &pos, &kv) == -EINVAL,
	   "text_next refuses a position past the end");
	pos = 0;
	rc = bootsan_iscsi_text_next(S("a\0"), &pos, &kv);
	ok(rc == -EINVAL && pos == 0, "text_next leaves pos alone on an error");
}

/* ---- bootsan_iscsi_text_add ---- */

static void test_text_add(void)
{
	char data[16];
	struct iscsi_text_buf b = { data, 0, sizeof(data), false };

	memset(data, 'X', sizeof(data));
	bootsan_iscsi_text_add(&b, "Key", "Value");
	ok(b.len == 10 && !memcmp(data, "Key=Value\0", 10) && !b.overflow,
	   "text_add appends key=value and a NUL");
	bootsan_iscsi_text_add_u32(&b, "N", 4294967295u);
	ok(b.len == 10 && b.overflow && data[10] == 'X',
	   "text_add_u32 that does not fit appends nothing and sets overflow");
	bootsan_iscsi_text_add(&b, "A", "B");
	ok(b.len == 10 && b.overflow, "text_add appends nothing after an overflow");

	b.len = 0;
	b.overflow = false;
	bootsan_iscsi_text_add(&b, "Key", "Value");
	bootsan_iscsi_text_add(&b, "Ab", "c");
	ok(b.len == 15 && !b.overflow && !memcmp(data, "Key=Value\0Ab=c\0", 15),
	   "text_add fills a buffer to one byte short");
	b.len = 0;
	bootsan_iscsi_text_add(&b, "Key", "Value");
	bootsan_iscsi_text_add(&b, "Ab", "cd");
	ok(b.len == 16 && !b.overflow && !memcmp(data, "Key=Value\0Ab=cd\0", 16),
	   "text_add fills a buffer exactly");
	bootsan_iscsi_text_add(&b, "", "");
	ok(b.len == 16 && b.overflow, "text_add into a full buffer overflows");

	b.len = 0;
	b.overflow = false;
	bootsan_iscsi_text_add_u32(&b, "N", 0);
	ok(b.len == 4 && !memcmp(data, "N=0\0", 4), "text_add_u32 writes 0");
	b.len = 0;
	bootsan_iscsi_text_add_u32(&b, "M", 4294967295u);
	ok(b.len == 13 && !b.overflow && !memcmp(data, "M=4294967295\0", 13),
	   "text_add_u32 writes 4294967295");

	b.len = 20;
	b.overflow = false;
	bootsan_iscsi_text_add(&b, "A", "B");
	ok(b.len == 20 && b.overflow, "text_add with len > cap overflows");
}

/* ---- negotiation ---- */

static char out_data[4096];

/*
 * Negotiate every pair of the segment @in, then finish if @finish;
 * expect the answer @want and every result @res (or, for a mixed
 * segment, the result of the last pair).
 */
static void negotiate(const char *what, struct iscsi_params *p, const char *in,
		      unsigned int in_len, int finish, const char *want, unsigned int want_len,
		      enum iscsi_neg_result res)
{
	struct iscsi_text_buf out = { out_data, 0, sizeof(out_data), false };
	struct iscsi_neg_state s;
	enum iscsi_neg_result r, last = ISCSI_NEG_OK;
	struct iscsi_kv kv;
	u32 pos = 0;
	int all_reject_free = 1, rc;

	bootsan_iscsi_neg_init(&s, p);
	while ((rc = bootsan_iscsi_text_next(in, in_len, &pos, &kv)) == 1) {
		r = bootsan_iscsi_negotiate(&s, &kv, &out);
		last = r;
		if (r == ISCSI_NEG_REJECT)
			all_reject_free = 0;
	}
	if (finish)
		bootsan_iscsi_neg_finish(&s, &out);
	ok(rc == 0 && !out.overflow && out.len == want_len &&
	   !memcmp(out.data, want, want_len) && last == res,
	   "negotiate %s: result %d%s (got %d, '%s')", what, res,
	   all_reject_free ? "" : " with Reject", last, show(out.data, out.len));
	if (res != ISCSI_NEG_REJECT)
		ok(all_reject_free, "negotiate %s: no Reject", what);
}

static void test_ipxe(void)
{
	struct iscsi_params p;

	bootsan_iscsi_params_init(&p);
	negotiate("iPXE security stage", &p,
		  S("InitiatorName=iqn.2010-04.org.ipxe:00112233\0"
		    "TargetName=iqn.2024-01.org.example:disk1\0"
		    "SessionType=Normal\0AuthMethod=CHAP,None\0"), 0,
		  S(""), ISCSI_NEG_IRRELEVANT);
	ok(!strcmp(p.initiator_name, "iqn.2010-04.org.ipxe:00112233") &&
	   !strcmp(p.target_name, "iqn.2024-01.org.example:disk1") &&
	   !p.session_type_discovery, "iPXE: names and session type recorded");

	bootsan_iscsi_params_init(&p);
	negotiate("iPXE operational stage", &p,
		  S("HeaderDigest=None\0DataDigest=None\0MaxConnections=1\0"
		    "InitialR2T=Yes\0ImmediateData=No\0MaxRecvDataSegmentLength=8192\0"
		    "MaxBurstLength=262144\0FirstBurstLength=65536\0"
		    "DefaultTime2Wait=0\0DefaultTime2Retain=0\0MaxOutstandingR2T=1\0"
		    "DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0ErrorRecoveryLevel=0\0"), 1,
		  S("HeaderDigest=None\0DataDigest=None\0MaxConnections=1\0"
		    "InitialR2T=Yes\0ImmediateData=No\0MaxRecvDataSegmentLength=262144\0"
		    "MaxBurstLength=262144\0FirstBurstLength=65536\0"
		    "DefaultTime2Wait=2\0DefaultTime2Retain=0\0MaxOutstandingR2T=1\0"
		    "DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0ErrorRecoveryLevel=0\0"),
		  ISCSI_NEG_OK);
	ok(!p.header_digest && !p.data_digest && p.max_connections == 1 &&
	   p.initial_r2t && !p.immediate_data && p.max_recv_dsl_initiator == 8192 &&
	   p.max_recv_dsl_target == 262144 && p.max_burst_length == 262144 &&
	   p.first_burst_length == 65536 && p.default_time2wait == 2 &&
	   p.default_time2retain == 0 && p.max_outstanding_r2t == 1 &&
	   p.data_pdu_in_order && p.data_sequence_in_order &&
	   p.error_recovery_level == 0, "iPXE: negotiated parameters");
}

static void test_open_iscsi(void)
{
	struct iscsi_params p;

	bootsan_iscsi_params_init(&p);
	negotiate("open-iscsi operational stage", &p,
		  S("HeaderDigest=CRC32C,None\0DataDigest=None\0"
		    "MaxRecvDataSegmentLength=262144\0MaxBurstLength=16776192\0"
		    "FirstBurstLength=262144\0InitialR2T=No\0ImmediateData=Yes\0"
		    "MaxConnections=1\0ErrorRecoveryLevel=0\0"
		    "DefaultTime2Wait=2\0DefaultTime2Retain=0\0"
		    "MaxOutstandingR2T=1\0IFMarker=No\0OFMarker=No\0"), 1,
		  S("HeaderDigest=CRC32C\0DataDigest=None\0"
		    "MaxRecvDataSegmentLength=262144\0MaxBurstLength=1048576\0"
		    "FirstBurstLength=262144\0InitialR2T=Yes\0ImmediateData=Yes\0"
		    "MaxConnections=1\0ErrorRecoveryLevel=0\0"
		    "DefaultTime2Wait=2\0DefaultTime2Retain=0\0"
		    "MaxOutstandingR2T=1\0IFMarker=No\0OFMarker=No\0"), ISCSI_NEG_OK);
	ok(p.header_digest && !p.data_digest && p.initial_r2t && p.immediate_data &&
	   p.max_recv_dsl_initiator == 262144 && p.max_burst_length == 1048576 &&
	   p.first_burst_length == 262144, "open-iscsi: negotiated parameters");

	/* A caller that takes unsolicited data offers InitialR2T=No. */
	bootsan_iscsi_params_init(&p);
	p.initial_r2t = false;
	negotiate("InitialR2T=No when we allow it", &p, S("InitialR2T=No\0"), 0,
		  S("InitialR2T=No\0"), ISCSI_NEG_OK);
	ok(!p.initial_r2t, "InitialR2T=No recorded");

	bootsan_iscsi_params_init(&p);
	negotiate("open-iscsi discovery", &p,
		  S("SessionType=Discovery\0HeaderDigest=None\0DataDigest=None\0"
		    "DefaultTime2Wait=2\0DefaultTime2Retain=0\0"
		    "MaxRecvDataSegmentLength=32768\0ErrorRecoveryLevel=0\0"), 1,
		  S("HeaderDigest=None\0DataDigest=None\0"
		    "DefaultTime2Wait=Irrelevant\0DefaultTime2Retain=Irrelevant\0"
		    "MaxRecvDataSegmentLength=262144\0ErrorRecoveryLevel=0\0"), ISCSI_NEG_OK);
	ok(p.session_type_discovery && p.max_recv_dsl_initiator == 32768 &&
	   p.default_time2wait == 2 && p.default_time2retain == 20,
	   "discovery: parameters recorded, irrelevant keys left alone");
	bootsan_iscsi_params_init(&p);
	negotiate("discovery: all normal-only keys Irrelevant", &p,
		  S("SessionType=Discovery\0MaxConnections=1\0InitialR2T=Yes\0"
		    "ImmediateData=Yes\0MaxBurstLength=x\0FirstBurstLength=1\0"
		    "MaxOutstandingR2T=1\0DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0"
		    "TaskReporting=RFC3720\0"), 0,
		  S("MaxConnections=Irrelevant\0InitialR2T=Irrelevant\0"
		    "ImmediateData=Irrelevant\0MaxBurstLength=Irrelevant\0"
		    "FirstBurstLength=Irrelevant\0MaxOutstandingR2T=Irrelevant\0"
		    "DataPDUInOrder=Irrelevant\0DataSequenceInOrder=Irrelevant\0"
		    "TaskReporting=Irrelevant\0"), ISCSI_NEG_OK);
}

static void test_digests(void)
{
	struct iscsi_params p;

	bootsan_iscsi_params_init(&p);
	negotiate("digest lists", &p,
		  S("HeaderDigest=CRC32C,None\0DataDigest=CRC32C\0"), 0,
		  S("HeaderDigest=CRC32C\0DataDigest=CRC32C\0"), ISCSI_NEG_OK);
	ok(p.header_digest && p.data_digest, "digests: CRC32C chosen");
	bootsan_iscsi_params_init(&p);
	negotiate("digest list in the initiator's order", &p,
		  S("HeaderDigest=None,CRC32C\0DataDigest=SHA1,CRC32C,None\0"), 0,
		  S("HeaderDigest=None\0DataDigest=CRC32C\0"), ISCSI_NEG_OK);
	ok(!p.header_digest && p.data_digest, "digests: first acceptable value chosen");

	bootsan_iscsi_params_init(&p);
	p.target_allow_digests = false;
	negotiate("digests not allowed", &p,
		  S("HeaderDigest=CRC32C,None\0DataDigest=CRC32C\0"), 0,
		  S("HeaderDigest=None\0DataDigest=Reject\0"), ISCSI_NEG_REJECT);
	ok(!p.header_digest && !p.data_digest, "digests not allowed: None kept");

	bootsan_iscsi_params_init(&p);
	negotiate("unknown digests only", &p, S("HeaderDigest=MD5,SHA1\0"), 0,
		  S("HeaderDigest=Reject\0"), ISCSI_NEG_REJECT);
	negotiate("empty digest list", &p, S("DataDigest=\0"), 0,
		  S("DataDigest=Reject\0"), ISCSI_NEG_REJECT);
	negotiate("digest values are case-sensitive", &p, S("DataDigest=crc32c,none\0"), 0,
		  S("DataDigest=Reject\0"), ISCSI_NEG_REJECT);
	negotiate("digest list with an empty element", &p, S("DataDigest=,None\0"), 0,
		  S("DataDigest=None\0"), ISCSI_NEG_OK);
}

static void test_numbers(void)
{
	struct iscsi_params p;

	bootsan_iscsi_params_init(&p);
	negotiate("hex numbers", &p,
		  S("MaxBurstLength=0x1000\0FirstBurstLength=0X2000\0MaxOutstandingR2T=0x10\0"), 1,
		  S("MaxBurstLength=4096\0FirstBurstLength=4096\0MaxOutstandingR2T=1\0"
		    "MaxRecvDataSegmentLength=262144\0"), ISCSI_NEG_OK);
	ok(p.max_burst_length == 4096 && p.first_burst_length == 4096,
	   "FirstBurstLength offered after MaxBurstLength is held to it");

	bootsan_iscsi_params_init(&p);
	negotiate("FirstBurstLength above MaxBurstLength", &p,
		  S("FirstBurstLength=65536\0MaxBurstLength=8192\0"), 1,
		  S("FirstBurstLength=65536\0MaxBurstLength=8192\0"
		    "MaxRecvDataSegmentLength=262144\0"), ISCSI_NEG_OK);
	ok(p.first_burst_length == 8192 && p.max_burst_length == 8192,
	   "finish makes FirstBurstLength <= MaxBurstLength");

	bootsan_iscsi_params_init(&p);
	p.target_max_outstanding_r2t = 8;
	negotiate("our limits", &p,
		  S("MaxConnections=8\0ErrorRecoveryLevel=2\0MaxOutstandingR2T=16\0"
		    "DefaultTime2Wait=3600\0DefaultTime2Retain=3600\0"), 0,
		  S("MaxConnections=1\0ErrorRecoveryLevel=0\0MaxOutstandingR2T=8\0"
		    "DefaultTime2Wait=3600\0DefaultTime2Retain=20\0"), ISCSI_NEG_OK);
	ok(p.max_connections == 1 && p.error_recovery_level == 0 &&
	   p.max_outstanding_r2t == 8 && p.default_time2wait == 3600 &&
	   p.default_time2retain == 20, "our limits: parameters");

	bootsan_iscsi_params_init(&p);
	negotiate("range minima", &p,
		  S("MaxBurstLength=512\0FirstBurstLength=512\0DefaultTime2Wait=0\0"
		    "DefaultTime2Retain=0\0MaxRecvDataSegmentLength=512\0"), 0,
		  S("MaxBurstLength=512\0FirstBurstLength=512\0DefaultTime2Wait=2\0"
		    "DefaultTime2Retain=0\0MaxRecvDataSegmentLength=262144\0"), ISCSI_NEG_OK);
	bootsan_iscsi_params_init(&p);
	negotiate("range maxima", &p,
		  S("MaxBurstLength=16777215\0MaxRecvDataSegmentLength=16777215\0"
		    "MaxConnections=65535\0MaxOutstandingR2T=65535\0"), 0,
		  S("MaxBurstLength=1048576\0MaxRecvDataSegmentLength=262144\0"
		    "MaxConnections=1\0MaxOutstandingR2T=1\0"), ISCSI_NEG_OK);
	ok(p.max_recv_dsl_initiator == 16777215, "MaxRecvDataSegmentLength 16777215 recorded");

	bootsan_iscsi_params_init(&p);
	negotiate("out of range", &p,
		  S("MaxBurstLength=511\0FirstBurstLength=16777216\0MaxConnections=0\0"
		    "MaxOutstandingR2T=65536\0DefaultTime2Wait=3601\0"
		    "DefaultTime2Retain=4294967296\0ErrorRecoveryLevel=3\0"), 0,
		  S("MaxBurstLength=Reject\0FirstBurstLength=Reject\0MaxConnections=Reject\0"
		    "MaxOutstandingR2T=Reject\0DefaultTime2Wait=Reject\0"
		    "DefaultTime2Retain=Reject\0ErrorRecoveryLevel=Reject\0"), ISCSI_NEG_REJECT);
	ok(p.max_burst_length == 262144 && p.first_burst_length == 65536 &&
	   p.default_time2wait == 2 && p.default_time2retain == 20,
	   "out of range: defaults kept");
	negotiate("not numbers", &p,
		  S("MaxBurstLength=\0FirstBurstLength=0x\0MaxConnections=one\0"
		    "MaxOutstandingR2T=-1\0DefaultTime2Wait=+2\0DefaultTime2Retain= 2\0"
		    "ErrorRecoveryLevel=0x0g\0"), 0,
		  S("MaxBurstLength=Reject\0FirstBurstLength=Reject\0MaxConnections=Reject\0"
		    "MaxOutstandingR2T=Reject\0DefaultTime2Wait=Reject\0"
		    "DefaultTime2Retain=Reject\0ErrorRecoveryLevel=Reject\0"), ISCSI_NEG_REJECT);
	negotiate("huge number", &p,
		  S("MaxBurstLength=99999999999999999999999999999999999999999\0"
		    "FirstBurstLength=0xffffffffffffffffffffffff00001000\0"), 0,
		  S("MaxBurstLength=Reject\0FirstBurstLength=Reject\0"), ISCSI_NEG_REJECT);
	negotiate("bad MaxRecvDataSegmentLength", &p,
		  S("MaxRecvDataSegmentLength=511\0"), 1,
		  S("MaxRecvDataSegmentLength=Reject\0"), ISCSI_NEG_REJECT);
	ok(p.max_recv_dsl_initiator == 8192 && p.max_recv_dsl_target == 8192,
	   "bad MaxRecvDataSegmentLength: both sides keep 8192");

	bootsan_iscsi_params_init(&p);
	p.target_max_recv_dsl = 0;
	p.target_max_burst = 0xffffffff;
	negotiate("our limits outside the RFC ranges are clamped", &p,
		  S("MaxBurstLength=16777215\0"), 1,
		  S("MaxBurstLength=16777215\0MaxRecvDataSegmentLength=512\0"), ISCSI_NEG_OK);
}

static void test_booleans(void)
{
	struct iscsi_params p;

	bootsan_iscsi_params_init(&p);
	negotiate("booleans", &p,
		  S("InitialR2T=No\0ImmediateData=No\0DataPDUInOrder=No\0"
		    "DataSequenceInOrder=No\0"), 0,
		  S("InitialR2T=Yes\0ImmediateData=No\0DataPDUInOrder=Yes\0"
		    "DataSequenceInOrder=Yes\0"), ISCSI_NEG_OK);
	ok(p.initial_r2t && !p.immediate_data && p.data_pdu_in_order &&
	   p.data_sequence_in_order, "booleans: OR and AND with our Yes");
	bootsan_iscsi_params_init(&p);
	negotiate("booleans are exact", &p,
		  S("InitialR2T=yes\0ImmediateData=YES\0DataPDUInOrder=\0"
		    "DataSequenceInOrder=1\0"), 0,
		  S("InitialR2T=Reject\0ImmediateData=Reject\0DataPDUInOrder=Reject\0"
		    "DataSequenceInOrder=Reject\0"), ISCSI_NEG_REJECT);
	ok(p.initial_r2t && p.immediate_data, "booleans rejected: defaults kept");
}

/* Write "@key=" and @n times @c and a NUL to @buf; return the length. */
static unsigned int pair(char *buf, const char *key, char c, unsigned int n)
{
	unsigned int k = strlen(key);

	memcpy(buf, key, k);
	buf[k] = '=';
	memset(buf + k + 1, c, n);
	buf[k + 1 + n] = '\0';
	return k + n + 2;
}

static void test_other_keys(void)
{
	struct iscsi_params p;
	struct iscsi_text_buf out = { out_data, 0, sizeof(out_data), false };
	struct iscsi_neg_state s;
	struct iscsi_kv kv;
	char name[300];

	bootsan_iscsi_params_init(&p);
	negotiate("unknown and private keys", &p,
		  S("X-com.example.Foo=1\0X#bar=2\0iSCSIProtocolLevel=1\0Foo=\0"), 0,
		  S("X-com.example.Foo=NotUnderstood\0X#bar=NotUnderstood\0"
		    "iSCSIProtocolLevel=NotUnderstood\0Foo=NotUnderstood\0"),
		  ISCSI_NEG_NOT_UNDERSTOOD);
	negotiate("keys are case-sensitive", &p, S("headerdigest=None\0"), 0,
		  S("headerdigest=NotUnderstood\0"), ISCSI_NEG_NOT_UNDERSTOOD);
	negotiate("security keys are the caller's", &p,
		  S("AuthMethod=CHAP,None\0CHAP_A=5\0CHAP_I=1\0CHAP_C=0x00\0CHAP_N=x\0"
		    "CHAP_R=0x00\0CHAP_A=5\0"), 0, S(""), ISCSI_NEG_IRRELEVANT);
	negotiate("SendTargets is the caller's", &p, S("SendTargets=All\0"), 0, S(""),
		  ISCSI_NEG_IRRELEVANT);
	negotiate("target-declared keys", &p,
		  S("TargetAlias=x\0TargetAddress=10.0.0.1:3260,1\0TargetPortalGroupTag=1\0"), 0,
		  S("TargetAlias=Reject\0TargetAddress=Reject\0TargetPortalGroupTag=Reject\0"),
		  ISCSI_NEG_REJECT);
	negotiate("obsolete markers", &p,
		  S("IFMarker=Yes\0OFMarker=No\0IFMarkInt=2048~8192\0OFMarkInt=2048\0"), 0,
		  S("IFMarker=No\0OFMarker=No\0IFMarkInt=Reject\0OFMarkInt=Reject\0"),
		  ISCSI_NEG_REJECT);
	negotiate("TaskReporting", &p, S("TaskReporting=ResponseFence,RFC3720\0"), 0,
		  S("TaskReporting=RFC3720\0"), ISCSI_NEG_OK);
	negotiate("TaskReporting without RFC3720", &p, S("TaskReporting=FastAbort\0"), 0,
		  S("TaskReporting=Reject\0"), ISCSI_NEG_REJECT);
	negotiate("bad SessionType", &p, S("SessionType=discovery\0"), 0,
		  S("SessionType=Reject\0"), ISCSI_NEG_REJECT);

	negotiate("a key twice", &p, S("MaxBurstLength=4096\0MaxBurstLength=4096\0"), 0,
		  S("MaxBurstLength=4096\0"), ISCSI_NEG_PROTOCOL_ERROR);
	negotiate("a declarative key twice", &p,
		  S("InitiatorName=iqn.2024-01.org.a\0InitiatorName=iqn.2024-01.org.b\0"), 0,
		  S(""), ISCSI_NEG_PROTOCOL_ERROR);
	ok(!strcmp(p.initiator_name, "iqn.2024-01.org.a"), "a key twice: first value kept");
	negotiate("an unknown key twice", &p, S("Foo=1\0Foo=1\0"), 0,
		  S("Foo=NotUnderstood\0Foo=NotUnderstood\0"), ISCSI_NEG_NOT_UNDERSTOOD);

	/* MaxRecvDataSegmentLength is answered once per negotiation. */
	bootsan_iscsi_params_init(&p);
	bootsan_iscsi_neg_init(&s, &p);
	bootsan_iscsi_neg_finish(&s, &out);
	kv.key = "MaxRecvDataSegmentLength";
	kv.key_len = 24;
	kv.value = "65536";
	kv.value_len = 5;
	ok(bootsan_iscsi_negotiate(&s, &kv, &out) == ISCSI_NEG_OK && out.len == 32 &&
	   !memcmp(out.data, "MaxRecvDataSegmentLength=262144", 32) &&
	   p.max_recv_dsl_initiator == 65536 && p.max_recv_dsl_target == 262144,
	   "MaxRecvDataSegmentLength after our declaration is recorded, not answered");
	bootsan_iscsi_neg_finish(&s, &out);
	ok(out.len == 32, "finish declares MaxRecvDataSegmentLength once");

	/* Names. */
	bootsan_iscsi_params_init(&p);
	negotiate("223-byte InitiatorName", &p, name, pair(name, "InitiatorName", 'a', 223), 0,
		  S(""), ISCSI_NEG_OK);
	ok(strlen(p.initiator_name) == 223, "223-byte InitiatorName recorded");
	bootsan_iscsi_params_init(&p);
	negotiate("224-byte InitiatorName", &p, name, pair(name, "InitiatorName", 'a', 224), 0,
		  S(""), ISCSI_NEG_PROTOCOL_ERROR);
	ok(p.initiator_name[0] == '\0', "224-byte InitiatorName not recorded");
	negotiate("224-byte TargetName", &p, name, pair(name, "TargetName", 'a', 224), 0,
		  S(""), ISCSI_NEG_PROTOCOL_ERROR);
	negotiate("long InitiatorAlias", &p, name, pair(name, "InitiatorAlias", 'b', 280), 0,
		  S(""), ISCSI_NEG_OK);
	ok(strlen(p.initiator_alias) == 255, "long InitiatorAlias cut to 255 bytes");

	/* A full output buffer. */
	bootsan_iscsi_params_init(&p);
	bootsan_iscsi_neg_init(&s, &p);
	out.cap = 20;
	out.len = 0;
	out.overflow = false;
	kv.key = "HeaderDigest";
	kv.key_len = 12;
	kv.value = "None";
	kv.value_len = 4;
	bootsan_iscsi_negotiate(&s, &kv, &out);
	kv.key = "DataDigest";
	kv.key_len = 10;
	bootsan_iscsi_negotiate(&s, &kv, &out);
	ok(out.len == 18 && out.overflow, "negotiate into a full buffer sets overflow");
}

/* ---- CHAP values ---- */

static void decode(const char *what, const char *value, unsigned int out_max, int want,
		   const char *bytes)
{
	unsigned char buf[600];
	int rc;

	memset(buf, 0xa5, sizeof(buf));
	rc = bootsan_iscsi_chap_decode(value, strlen(value), buf, out_max);
	ok(rc == want && (rc < 0 || !memcmp(buf, bytes, rc)) &&
	   buf[out_max] == 0xa5, "chap_decode %s: %d (got %d)", what, want, rc);
}

static void test_chap(void)
{
	static char big[1003], aa[500];
	unsigned char bin[4] = { 0x00, 0xab, 0x7f, 0xff };
	char hex[16];

	decode("hex", "0x00ab7fFF", 16, 4, "\x00\xab\x7f\xff");
	decode("hex, upper-case prefix", "0X0102", 16, 2, "\x01\x02");
	decode("hex of exactly out_max bytes", "0x0102030405060708090a0b0c0d0e0f10", 16, 16,
	       "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10");
	decode("hex one byte over out_max", "0x0102030405060708090a0b0c0d0e0f1011", 16, -E2BIG,
	       NULL);
	decode("odd hex", "0x123", 16, -EINVAL, NULL);
	decode("one hex digit", "0x1", 16, -EINVAL, NULL);
	decode("non-hex", "0x12g4", 16, -EINVAL, NULL);
	decode("hex with a space", "0x12 4", 16, -EINVAL, NULL);
	decode("empty hex", "0x", 16, -EINVAL, NULL);
	decode("empty base64", "0b", 16, -EINVAL, NULL);
	decode("no prefix", "1234", 16, -EINVAL, NULL);
	decode("decimal", "12", 16, -EINVAL, NULL);
	decode("prefix only half", "0", 16, -EINVAL, NULL);
	decode("empty", "", 16, -EINVAL, NULL);
	decode("unknown prefix", "0y1234", 16, -EINVAL, NULL);
	decode("into 0 bytes", "0x00", 0, -E2BIG, NULL);
	memcpy(big, "0x", 2);
	memset(big + 2, 'a', 1000);
	decode("1000 hex digits into 16 bytes", big, 16, -E2BIG, NULL);
	memset(aa, 0xaa, sizeof(aa));
	decode("1000 hex digits into 500 bytes", big, 500, 500, aa);

	decode("base64", "0bAKt//w==", 16, 4, "\x00\xab\x7f\xff");
	decode("base64, upper-case prefix", "0BAQID", 16, 3, "\x01\x02\x03");
	decode("base64 one pad", "0bAQI=", 16, 2, "\x01\x02");
	decode("base64 exactly out_max", "0bAQID", 3, 3, "\x01\x02\x03");
	decode("base64 over out_max", "0bAQIDBA==", 3, -E2BIG, NULL);
	decode("base64 unpadded", "0bAQI", 16, -EINVAL, NULL);
	decode("base64 bad char", "0bAQ*D", 16, -EINVAL, NULL);
	decode("base64 pad in the middle", "0bAQ==AQID", 16, -EINVAL, NULL);
	decode("base64 three pads", "0bA===", 16, -EINVAL, NULL);
	decode("base64 all pads", "0b====", 16, -EINVAL, NULL);
	decode("base64 non-zero dropped bits", "0bAQJ=", 16, -EINVAL, NULL);
	decode("base64 non-zero dropped bits, two pads", "0bAR==", 16, -EINVAL, NULL);

	ok(bootsan_iscsi_chap_encode_hex(bin, 4, hex, 11) == 0 && !strcmp(hex, "0x00ab7fff"),
	   "chap_encode_hex into exactly enough room");
	ok(bootsan_iscsi_chap_encode_hex(bin, 4, hex, 10) == -E2BIG && hex[0] == '\0',
	   "chap_encode_hex one byte short: -E2BIG");
	ok(bootsan_iscsi_chap_encode_hex(bin, 0, hex, 16) == -EINVAL && hex[0] == '\0',
	   "chap_encode_hex of nothing: -EINVAL");
	ok(bootsan_iscsi_chap_encode_hex(bin, 0x80000000u, hex, 16) == -E2BIG,
	   "chap_encode_hex with a huge length: -E2BIG");
	ok(bootsan_iscsi_chap_decode(hex, 0, NULL, 0) == -EINVAL, "chap_decode of length 0");
}

int main(void)
{
	tap_start();
	test_text_next();
	test_text_add();
	test_ipxe();
	test_open_iscsi();
	test_digests();
	test_numbers();
	test_booleans();
	test_other_keys();
	test_chap();
	return tap_end();
}
