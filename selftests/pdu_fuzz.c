// SPDX-License-Identifier: GPL-2.0
/*
 * Mutation fuzzing of a live bootsan target over real TCP, printing TAP
 * lines numbered from $TAP_BASE + 1 (the calling script prints the plan).
 *
 *   pdu_fuzz ADDR PORT TARGET_IQN CHAP_TARGET_IQN CHAP_USER CHAP_SECRET
 *
 * Each case takes one PDU of a real session, mutates it and sends it:
 * login cases on a fresh connection (a normal, a discovery and a CHAP
 * login; one PDU of the exchange is mutated, the rest follow the target's
 * answers), full feature cases on a logged-in connection that is reused
 * until it breaks (SCSI commands with and without immediate data, Data-Out
 * for an R2T and unsolicited, NOP-Out, Text, task management, Logout,
 * SNACK; in a normal and in a discovery session). After a full feature
 * case a NOP-Out ping must come back, or the connection is dropped and a
 * new one logs in. A case whose framing lies (DataSegmentLength, AHS
 * length, a truncated PDU) is the last on its connection.
 *
 * Every case draws its randomness from (seed, case number) only, so a run
 * of cases FIRST..FIRST+N-1 replays with the same seed.
 *
 * Environment:
 *   FUZZ_SEED          the seed (default: from the clock; always printed)
 *   FUZZ_CASES         how many cases (default 10000)
 *   FUZZ_FIRST         number of the first case (default 0)
 *   FUZZ_CHECK_EVERY   a health check after this many cases (default 500):
 *                      a clean login, READ CAPACITY and a verified
 *                      write and read back on a fresh connection
 *   FUZZ_TIMEOUT_MS    how long to wait for an answer (default 2000)
 *   FUZZ_VERBOSE       1: print every case before it is sent
 *   FUZZ_SKIP          comma-separated PDU kinds never sent in discovery
 *                      sessions, for crashes known and not fixed yet:
 *                      discovery-tmf, discovery-scsi, discovery-data-out,
 *                      discovery-snack
 */
#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "iscsi_client.h"
#include "tap_check.h"

#define OP_DATA_IN	0x25
#define OP_R2T		0x31

static const char *addr, *target, *chap_target, *chap_user, *chap_secret;
static int port, timeout_ms = 2000, verbose;
static unsigned int skip_in_discovery;	/* FUZZ_SKIP: a bit per opcode (all are below 32) */

/* ---- randomness: splitmix64, one stream per case ---- */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static void rng_for_case(uint64_t seed, uint64_t n)
{
	rng_state = seed ^ (n * 0xd1342543de82ef95ull);
	rnd64();
}

/* ---- what a case did, for the log ---- */

static char desc[512];
static size_t desc_len;

static void note(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (desc_len >= sizeof(desc) - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(desc + desc_len, sizeof(desc) - desc_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		desc_len += (size_t)n < sizeof(desc) - desc_len ? (size_t)n :
			    sizeof(desc) - desc_len - 1;
}

/* ---- one PDU as it goes on the wire, lies included ---- */

#define DATA_MAX	(160 * 1024)

struct pdu {
	uint8_t h[BHS];
	uint8_t ahs[1024];
	uint32_t ahs_len;	/* AHS bytes really sent */
	uint8_t data[DATA_MAX];
	uint32_t len;		/* data bytes really sent (before padding) */
	uint32_t truncate;	/* nonzero: send only this many bytes, then close */
};

static void set_len(struct pdu *p, uint32_t len)
{
	p->len = len;
	p->h[5] = len >> 16;
	p->h[6] = len >> 8;
	p->h[7] = len;
}

/* The header no longer says what follows it: the next PDU cannot be parsed. */
static int framing_lies(const struct pdu *p)
{
	return p->truncate || p->h[4] * 4u != p->ahs_len || dsl_of(p->h) != p->len;
}

static int send_wire(int fd, const struct pdu *p)
{
	static uint8_t wire[BHS + 1024 + DATA_MAX + 4];
	uint32_t n = 0;

	memcpy(wire, p->h, BHS);
	n = BHS;
	memcpy(wire + n, p->ahs, p->ahs_len);
	n += p->ahs_len;
	memcpy(wire + n, p->data, p->len);
	n += p->len;
	while (n & 3)
		wire[n++] = 0;
	if (p->truncate && p->truncate < n)
		n = p->truncate;
	return write_all(fd, wire, n);
}

/* ---- a session of the fuzzer ---- */

enum flavor { NORMAL, DISCOVERY, CHAP };

struct sess {
	int fd;			/* -1 when not connected */
	enum flavor flavor;
	int cases;		/* on this connection */
	uint8_t isid[6];
	uint32_t itt, cmd_sn, exp_stat_sn, exp_cmd_sn, max_cmd_sn;
	uint32_t last_ttt, last_r2t_itt, r2t_offset, r2t_len;
};

static uint32_t rx_rejects, rx_resets, rx_timeouts, logins_ok, logins_refused;

static void set_timeout(int fd, int ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static void sess_close(struct sess *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* Close a fuzzed connection: with a FIN mostly, sometimes with a reset. */
static void sess_drop(struct sess *s)
{
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };

	if (s->fd >= 0 && !rnd(4))
		setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
	sess_close(s);
}

/*
 * Receive one PDU; the sequence numbers it carries move ours. Data beyond
 * @cap is dropped.
 */
static int sess_recv(struct sess *s, uint8_t *h, uint8_t *data, uint32_t cap)
{
	int ret = read_pdu(s->fd, h, data, cap);
	uint8_t op;

	if (ret) {
		if (ret == -EAGAIN || ret == -EWOULDBLOCK)
			rx_timeouts++;
		else
			rx_resets++;
		if (verbose)
			printf("#   %s\n", ret == -EAGAIN ? "no answer" : "closed");
		return ret;
	}
	op = h[0] & 0x3f;
	if (verbose)
		printf("#   got 0x%02x itt %08x flags %02x status %02x%02x dsl %u\n", h[0],
		       get32(h + 16), h[1], h[2], h[3], dsl_of(h));
	if (op == OP_REJECT)
		rx_rejects++;
	if (op == OP_LOGIN_RSP)
		return 0;
	/* Data-In without status and R2T repeat the StatSN without taking one. */
	if (op != OP_R2T && (op != OP_DATA_IN || (h[1] & 0x01)) && op != OP_REJECT)
		s->exp_stat_sn = get32(h + 24) + 1;
	s->exp_cmd_sn = get32(h + 28);
	s->max_cmd_sn = get32(h + 32);
	if (op == OP_R2T) {
		s->last_r2t_itt = get32(h + 16);
		s->last_ttt = get32(h + 20);
		s->r2t_offset = get32(h + 40);
		s->r2t_len = get32(h + 44);
	}
	if (op == OP_NOP_IN && get32(h + 16) == TAG_NONE)
		s->last_ttt = get32(h + 20);
	return 0;
}

/* ---- login ---- */

static const char operational_normal[] =
	"HeaderDigest=None\0DataDigest=None\0MaxRecvDataSegmentLength=65536\0"
	"InitialR2T=No\0ImmediateData=Yes\0MaxBurstLength=262144\0"
	"FirstBurstLength=65536\0MaxConnections=1\0DefaultTime2Wait=2\0"
	"DefaultTime2Retain=0\0MaxOutstandingR2T=1\0DataPDUInOrder=Yes\0"
	"DataSequenceInOrder=Yes\0ErrorRecoveryLevel=0\0";
static const char operational_discovery[] =
	"HeaderDigest=None\0DataDigest=None\0MaxRecvDataSegmentLength=32768\0";

static int add_key(struct pdu *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf((char *)p->data + p->len, DATA_MAX - p->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (uint32_t)n >= DATA_MAX - p->len)
		return -1;
	p->len += n + 1;	/* with its NUL */
	return 0;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The value of @key in NUL-separated @text of @len bytes, or NULL. */
static const char *text_key(const char *text, uint32_t len, const char *key)
{
	size_t klen = strlen(key);
	uint32_t i;

	for (i = 0; i < len; i += strnlen(text + i, len - i) + 1)
		if (!strncmp(text + i, key, klen) && text[i + klen] == '=')
			return text + i + klen + 1;
	return NULL;
}

/* CHAP_R = MD5(CHAP_I, secret, CHAP_C) in 0x hex; -1 if the target's keys are unusable. */
static int chap_answer(const char *text, uint32_t len, char *out, size_t cap)
{
	const char *id = text_key(text, len, "CHAP_I"), *c = text_key(text, len, "CHAP_C");
	uint8_t buf[1 + 256 + 1024], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	size_t n = 0, slen = strlen(chap_secret);

	if (!id || !c || (c[0] != '0' || (c[1] != 'x' && c[1] != 'X')) || slen > 256)
		return -1;
	buf[n++] = (uint8_t)strtoul(id, NULL, 0);
	memcpy(buf + n, chap_secret, slen);
	n += slen;
	for (c += 2; hex_nibble(c[0]) >= 0 && hex_nibble(c[1]) >= 0 && n < sizeof(buf); c += 2)
		buf[n++] = hex_nibble(c[0]) << 4 | hex_nibble(c[1]);
	if (!EVP_Digest(buf, n, md, &mdlen, EVP_md5(), NULL) || cap < 3 + 2 * mdlen)
		return -1;
	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < mdlen; i++)
		sprintf(out + 2 + 2 * i, "%02x", md[i]);
	return 0;
}

#define STAGE_SECURITY		0
#define STAGE_OPERATIONAL	1
#define STAGE_FULL_FEATURE	3

/* Where a login is: its stage, and for CHAP the step within security. */
struct login_state {
	int stage, chap_step, keys_sent;
	char rsp_text[8192];
	uint32_t rsp_len;
};

/* The next Login Request of a @s->flavor login that is at @ls, as an initiator sends it. */
static void login_pdu(struct sess *s, struct login_state *ls, struct pdu *p)
{
	const char *op_keys = s->flavor == DISCOVERY ? operational_discovery : operational_normal;
	size_t op_len = s->flavor == DISCOVERY ? sizeof(operational_discovery) - 1 :
			sizeof(operational_normal) - 1;
	char answer[80];
	int transit = 1;

	memset(p->h, 0, BHS);
	p->ahs_len = 0;
	p->truncate = 0;
	p->len = 0;
	if (ls->stage == STAGE_SECURITY && !ls->keys_sent) {
		add_key(p, "InitiatorName=iqn.2024-01.org.bootsan.test:fuzz-%02x", s->isid[5]);
		if (s->flavor != DISCOVERY)
			add_key(p, "TargetName=%s", s->flavor == CHAP ? chap_target : target);
		add_key(p, "SessionType=%s", s->flavor == DISCOVERY ? "Discovery" : "Normal");
		add_key(p, "AuthMethod=%s", s->flavor == CHAP ? "CHAP,None" : "None");
		if (s->flavor == CHAP)
			transit = 0;
	} else if (ls->stage == STAGE_SECURITY && s->flavor == CHAP && ls->chap_step == 1) {
		add_key(p, "CHAP_A=5");
		transit = 0;
	} else if (ls->stage == STAGE_SECURITY && s->flavor == CHAP && ls->chap_step == 2) {
		add_key(p, "CHAP_N=%s", chap_user);
		if (chap_answer(ls->rsp_text, ls->rsp_len, answer, sizeof(answer)))
			snprintf(answer, sizeof(answer), "0x00");
		add_key(p, "CHAP_R=%s", answer);
	} else if (ls->stage == STAGE_OPERATIONAL && !ls->keys_sent) {
		memcpy(p->data, op_keys, op_len);
		p->len = op_len;
	}
	p->h[0] = OP_LOGIN | OP_IMMEDIATE;
	p->h[1] = (transit ? 0x80 : 0) | ls->stage << 2 |
		  (ls->stage == STAGE_SECURITY ? STAGE_OPERATIONAL : STAGE_FULL_FEATURE);
	p->h[2] = 0;	/* VersionMax */
	p->h[3] = 0;	/* VersionMin */
	memcpy(p->h + 8, s->isid, 6);
	put32(p->h + 16, s->itt);
	put32(p->h + 24, s->cmd_sn);
	put32(p->h + 28, s->exp_stat_sn);
	set_len(p, p->len);
}

static void mutate(struct sess *s, struct pdu *p, int login);

/*
 * Connect and log in as @s->flavor; the PDU of step @mutate_step (-1:
 * none) is mutated. 0 in the full feature phase, 1 when the login did not
 * get there (refused, closed, timed out), -1 when it could not connect.
 */
static int sess_login(struct sess *s, int mutate_step)
{
	static struct pdu p;
	struct login_state ls = { 0 };
	uint8_t h[BHS];
	int step, ret;

	s->fd = tcp_connect(addr, port, 5);
	if (s->fd < 0)
		return -1;
	set_timeout(s->fd, timeout_ms);
	s->cases = 0;
	s->itt = 0x1000;
	s->cmd_sn = 1;
	s->exp_stat_sn = 0;
	s->last_ttt = TAG_NONE;
	s->last_r2t_itt = TAG_NONE;
	for (step = 0; step < 12; step++) {
		login_pdu(s, &ls, &p);
		if (step == mutate_step) {
			note("login %s step %d:", s->flavor == NORMAL ? "normal" :
			     s->flavor == DISCOVERY ? "discovery" : "chap", step);
			mutate(s, &p, 1);
			if (verbose)
				printf("# %s\n", desc), fflush(stdout);
		}
		if (send_wire(s->fd, &p))
			break;
		if (step == mutate_step && framing_lies(&p))
			break;
		ls.keys_sent = 1;
		ret = read_pdu(s->fd, h, (uint8_t *)ls.rsp_text, sizeof(ls.rsp_text) - 1);
		if (ret) {
			ret == -EAGAIN ? rx_timeouts++ : rx_resets++;
			if (verbose)
				printf("#   login: %s\n", ret == -EAGAIN ? "no answer" : "closed");
			break;
		}
		if ((h[0] & 0x3f) != OP_LOGIN_RSP)
			break;
		ls.rsp_len = dsl_of(h) < sizeof(ls.rsp_text) - 1 ? dsl_of(h) :
			     sizeof(ls.rsp_text) - 1;
		ls.rsp_text[ls.rsp_len] = 0;
		s->exp_stat_sn = get32(h + 24) + 1;
		s->exp_cmd_sn = get32(h + 28);
		s->max_cmd_sn = get32(h + 32);
		if (h[36] || h[37]) {
			logins_refused++;
			break;
		}
		if (s->flavor == CHAP && ls.stage == STAGE_SECURITY && ls.chap_step < 2) {
			ls.chap_step++;
			continue;
		}
		if (!(h[1] & 0x80) || (h[1] & 0x40))
			continue;
		if ((h[1] & 3) == STAGE_FULL_FEATURE) {
			logins_ok++;
			s->cmd_sn = s->exp_cmd_sn;
			return 0;
		}
		if ((h[1] & 3) <= ls.stage)
			break;
		ls.stage = h[1] & 3;
		ls.keys_sent = 0;
	}
	sess_close(s);
	return 1;
}

/* ---- mutations ---- */

static const uint8_t interesting8[] = { 0, 1, 0x3f, 0x40, 0x7f, 0x80, 0xc0, 0xfe, 0xff };

static uint32_t interesting32(struct sess *s)
{
	static const uint32_t v[] = {
		0, 1, 2, 0x1ff, 0x200, 0x201, 0xffff, 0x10000, 0xffffff, 0x1000000,
		0x7fffffff, 0x80000000, 0xfffffe00, 0xfffffffe, 0xffffffff,
	};

	switch (rnd(4)) {
	case 0:
		return s->exp_cmd_sn + rnd(3) - 1;
	case 1:
		return (uint32_t)rnd64();
	default:
		return v[rnd(sizeof(v) / sizeof(v[0]))];
	}
}

static const char *const interesting_values[] = {
	"", "0", "1", "-1", "4294967295", "4294967296", "18446744073709551616",
	"99999999999999999999999999", "0x", "0x0", "0xffffffffffffffffffffffff", "0b101",
	"0Bzz", "Yes", "No", "Yes,No", "None,CRC32C,,,", "CRC32C,None", "Reject",
	"Irrelevant", "NotUnderstood", "Discovery", "Normal", "All", "CHAP,None", "CHAP",
	"5", "5,6,7,8", "=", "==", " ", "\xff\xfe", "iqn.", "eui.0123456789abcdef",
	"naa.0123456789abcdef0123456789abcdef", "iqn.2024-01.org.bootsan.test:fuzz",
	"65536", "512", "511", "16777215", "16777216", "3600", "3601", "65535", "65536",
};

static const char *const interesting_keys[] = {
	"InitiatorName", "TargetName", "SessionType", "AuthMethod", "HeaderDigest",
	"DataDigest", "MaxRecvDataSegmentLength", "MaxBurstLength", "FirstBurstLength",
	"InitialR2T", "ImmediateData", "MaxConnections", "MaxOutstandingR2T",
	"ErrorRecoveryLevel", "DefaultTime2Wait", "DefaultTime2Retain", "DataPDUInOrder",
	"DataSequenceInOrder", "IFMarker", "OFMarker", "IFMarkInt", "OFMarkInt",
	"TaskReporting", "TargetAlias", "TargetAddress", "TargetPortalGroupTag",
	"InitiatorAlias", "CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R", "SendTargets",
	"X-com.example.fuzz", "X#vendor", "x-lower", "",
};

#define PICK(a) (a)[rnd(sizeof(a) / sizeof((a)[0]))]

/* Append a formatted string and its NUL to @out at *@n, cut at DATA_MAX. */
static void emit(uint8_t *out, uint32_t *n, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*n >= DATA_MAX)
		return;
	va_start(ap, fmt);
	r = vsnprintf((char *)out + *n, DATA_MAX - *n, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	*n += (uint32_t)r + 1 <= DATA_MAX - *n ? (uint32_t)r + 1 : DATA_MAX - *n;
}

/* Key=value mutations of a text data segment (Login, Text). */
static void mutate_text(struct pdu *p)
{
	static uint8_t out[DATA_MAX];
	uint32_t starts[128], lens[128], nr = 0, i, n = 0, k, reps;
	const char *key, *val;
	int what = rnd(10);

	for (i = 0; i < p->len && nr < 128; ) {
		uint32_t l = strnlen((char *)p->data + i, p->len - i);

		starts[nr] = i;
		lens[nr++] = l;
		i += l + 1;
	}
	k = nr ? rnd(nr) : 0;
	note(" text%d", what);
	/* Copy the pairs over, one changed, with what the mutation adds. */
	for (i = 0; i < nr; i++) {
		const char *pair = (char *)p->data + starts[i];
		const char *eq = memchr(pair, '=', lens[i]);
		uint32_t klen = eq ? (uint32_t)(eq - pair) : lens[i], vlen;

		if (i != k || what > 5) {
			if (n + lens[i] + 1 > DATA_MAX)
				break;
			memcpy(out + n, pair, lens[i]);
			n += lens[i];
			out[n++] = 0;
			if (i == k && what == 6 && n + lens[i] + 1 <= DATA_MAX) {
				/* The same key again. */
				memcpy(out + n, pair, lens[i]);
				n += lens[i];
				out[n++] = 0;
			}
			continue;
		}
		switch (what) {
		case 0:	/* a huge value */
			vlen = PICK(((const uint32_t[]){ 64, 255, 256, 1024, 4095, 4096, 8191,
							 8192, 16384, 65536, 140000 }));
			if (n + klen + 2 > DATA_MAX)
				break;
			if (n + klen + 2 + vlen > DATA_MAX)
				vlen = DATA_MAX - n - klen - 2;
			memcpy(out + n, pair, klen);
			n += klen;
			out[n++] = '=';
			memset(out + n, rnd(2) ? 'A' : '1', vlen);
			n += vlen;
			out[n++] = 0;
			break;
		case 1:	/* an interesting value */
			val = PICK(interesting_values);
			emit(out, &n, "%.*s=%s", (int)klen, pair, val);
			break;
		case 2:	/* no '=' */
			memcpy(out + n, pair, lens[i]);
			if (eq)
				out[n + klen] = rnd(2) ? ' ' : 'x';
			n += lens[i];
			out[n++] = 0;
			break;
		case 3:	/* another key, the same value */
			key = PICK(interesting_keys);
			emit(out, &n, "%s%.*s", key, eq ? (int)(lens[i] - klen) : 2,
			     eq ? eq : "=x");
			break;
		case 4:	/* dropped */
			break;
		default:	/* a list value */
			reps = 1 + rnd(2000);
			memcpy(out + n, pair, klen);
			n += klen;
			out[n++] = '=';
			while (reps-- && n < DATA_MAX - 64) {
				emit(out, &n, "%s,", PICK(interesting_values));
				n--;	/* the list goes on over the NUL */
			}
			out[n++] = 0;
			break;
		}
	}
	switch (what) {
	case 7:	/* unknown keys, many of them */
		reps = rnd(2) ? 1 : 1 + rnd(1000);
		while (reps-- && n < DATA_MAX - 64)
			emit(out, &n, "%s%u=%s", PICK(interesting_keys), rnd(100),
			     PICK(interesting_values));
		break;
	case 8:	/* the last NUL missing */
		if (n)
			n--;
		break;
	case 9:	/* empty pairs, or stray bytes */
		reps = 1 + rnd(8);
		while (reps-- && n < DATA_MAX)
			out[n++] = rnd(2) ? 0 : (uint8_t)rnd64();
		break;
	}
	memcpy(p->data, out, n);
	set_len(p, n);
}

/* SCSI opcodes a target meets, and some it should not. */
static const uint8_t scsi_ops[] = {
	0x00, 0x03, 0x08, 0x0a, 0x12, 0x15, 0x1a, 0x1b, 0x1d, 0x1e, 0x25, 0x28, 0x2a, 0x2e,
	0x2f, 0x35, 0x41, 0x42, 0x55, 0x5a, 0x5e, 0x5f, 0x83, 0x84, 0x88, 0x89, 0x8a, 0x8e,
	0x8f, 0x91, 0x93, 0x9e, 0xa0, 0xa3, 0xa8, 0xaa, 0xff, 0x7f, 0x7e, 0xc0,
};

static void mutate_header(struct sess *s, struct pdu *p, int login, int what)
{
	static const uint8_t fields[] = { 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44 };
	static const uint8_t opcodes[] = {
		OP_NOP_OUT, OP_SCSI_CMD, OP_TMF, OP_LOGIN, OP_TEXT, OP_DATA_OUT, OP_LOGOUT,
		OP_SNACK, 0x1c, 0x1e, 0x3c, 0x3f, 0x07, 0x21, 0x25,
	};
	uint32_t off, v, i, n;

	if (what < 0)
		what = rnd(login ? 12 : 16);
	switch (what) {
	case 0:	/* bit flips */
		n = 1 + rnd(4);
		for (i = 0; i < n; i++) {
			off = rnd(BHS);
			/* Framing bytes are left to the mutations that lie on purpose. */
			if (off >= 4 && off < 8)
				off = 8 + rnd(40);
			p->h[off] ^= 1 << rnd(8);
		}
		note(" flip%u", n);
		break;
	case 1:	/* an interesting byte */
		off = rnd(BHS);
		if (off >= 4 && off < 8)
			off = 1;
		p->h[off] = PICK(interesting8);
		note(" byte[%u]=%02x", off, p->h[off]);
		break;
	case 2:	/* an interesting word */
		off = fields[1 + rnd(sizeof(fields) - 1)];
		v = interesting32(s);
		put32(p->h + off, v);
		note(" word[%u]=%08x", off, v);
		break;
	case 3:	/* another opcode */
		p->h[0] = ((p->h[0] & 0x40) ^ (rnd(4) ? 0 : 0x40)) | PICK(opcodes);
		note(" op=%02x", p->h[0]);
		break;
	case 4:	/* flags */
		p->h[1] = (uint8_t)rnd64();
		note(" flags=%02x", p->h[1]);
		break;
	case 5:	/* a random header byte */
		off = 1 + rnd(BHS - 1);
		if (off >= 4 && off < 8)
			off = 2;
		p->h[off] = (uint8_t)rnd64();
		note(" rbyte[%u]=%02x", off, p->h[off]);
		break;
	case 6:	/* ISID, TSIH */
		off = 8 + rnd(8);
		p->h[off] = PICK(interesting8);
		note(" isid/tsih[%u]=%02x", off, p->h[off]);
		break;
	case 7:	/* CmdSN */
		v = PICK(((const uint32_t[]){ s->exp_cmd_sn - 1, s->max_cmd_sn + 1,
					      s->exp_cmd_sn + 0x80000000u, s->max_cmd_sn,
					      (uint32_t)rnd64(), 0 }));
		put32(p->h + 24, v);
		note(" cmdsn=%08x", v);
		break;
	case 8:	/* ITT */
		v = PICK(((const uint32_t[]){ TAG_NONE, 0, s->itt - 1, s->last_r2t_itt,
					      (uint32_t)rnd64() }));
		put32(p->h + 16, v);
		note(" itt=%08x", v);
		break;
	case 9:	/* ExpStatSN */
		v = PICK(((const uint32_t[]){ s->exp_stat_sn + 1, s->exp_stat_sn - 1,
					      s->exp_stat_sn + 0x80000000u, (uint32_t)rnd64() }));
		put32(p->h + 28, v);
		note(" expstatsn=%08x", v);
		break;
	case 10:	/* an AHS that is really there */
		n = 1 + rnd(255);
		if (n * 4 > sizeof(p->ahs))
			n = sizeof(p->ahs) / 4;
		for (i = 0; i < n * 4; i++)
			p->ahs[i] = rnd(3) ? (uint8_t)rnd64() : 0;
		p->ahs_len = n * 4;
		p->h[4] = n;
		if (rnd(2)) {	/* an extended-CDB or bidi AHS of a plausible shape */
			p->ahs[0] = 0;
			p->ahs[1] = (n * 4 - 3) & 0xff;
			p->ahs[2] = 1 + rnd(2);
		}
		note(" ahs%u", n);
		break;
	case 11:	/* TTT */
		v = PICK(((const uint32_t[]){ TAG_NONE, 0, s->last_ttt, s->last_ttt + 1,
					      (uint32_t)rnd64() }));
		put32(p->h + 20, v);
		note(" ttt=%08x", v);
		break;
	case 12:	/* the CDB */
		n = 1 + rnd(4);
		for (i = 0; i < n; i++) {
			off = 32 + rnd(16);
			p->h[off] = rnd(2) ? PICK(interesting8) : (uint8_t)rnd64();
		}
		if (rnd(3) == 0)
			p->h[32] = PICK(scsi_ops);
		note(" cdb %02x..", p->h[32]);
		break;
	case 13:	/* ExpectedDataTransferLength */
		v = PICK(((const uint32_t[]){ 0, 1, p->len, p->len + 512, p->len - 1,
					      0xffffffff, 0x7fffffff, 0x800000, 0x800001,
					      (uint32_t)rnd64() }));
		put32(p->h + 20, v);
		note(" edtl=%08x", v);
		break;
	case 14:	/* Data-Out's DataSN and buffer offset */
		if (rnd(2)) {
			v = PICK(((const uint32_t[]){ s->r2t_offset + s->r2t_len,
						      s->r2t_offset + s->r2t_len + 512,
						      0x7fffffff, 0xfffffe00, 0xffffffff,
						      s->r2t_offset - 512, 4096, 1 }));
			put32(p->h + 40, v);
			note(" offset=%08x", v);
		} else {
			v = interesting32(s);
			put32(p->h + 36, v);
			note(" datasn=%08x", v);
		}
		break;
	default:	/* LUN */
		for (i = 8; i < 16; i++)
			p->h[i] = rnd(2) ? 0 : PICK(interesting8);
		note(" lun");
		break;
	}
}

/* The framing lies: each ends the connection's usefulness. */
static void mutate_framing(struct pdu *p)
{
	uint32_t v;

	switch (rnd(4)) {
	case 0:	/* DataSegmentLength larger than what comes */
		v = PICK(((const uint32_t[]){ p->len + 1, p->len + 4, p->len + 4096,
					      0xffffff, 0x10000, 0x2001 }));
		break;
	case 1:	/* smaller: the rest reads as the next header */
		v = p->len ? rnd(p->len) : 0;
		if (v == p->len)
			v = p->len + 5;
		break;
	case 2:	/* an AHS that is not there */
		p->h[4] = 1 + rnd(255);
		note(" ahs-lie=%u", p->h[4]);
		return;
	default:	/* cut short */
		p->truncate = 1 + rnd(BHS + p->ahs_len + p->len);
		note(" truncate=%u", p->truncate);
		return;
	}
	p->h[5] = v >> 16;
	p->h[6] = v >> 8;
	p->h[7] = v;
	note(" dsl-lie=%u/%u", v, p->len);
}

/* The data segment: bytes, length (told truthfully). */
static void mutate_data(struct pdu *p)
{
	uint32_t n, i;

	switch (rnd(3)) {
	case 0:
		n = 1 + rnd(8);
		for (i = 0; i < n && p->len; i++)
			p->data[rnd(p->len)] ^= 1 << rnd(8);
		note(" dflip");
		break;
	case 1:
		n = PICK(((const uint32_t[]){ 0, 1, 3, 511, 512, 513, 8191, 8192, 8193,
					      32768, 65535, 65536, 65537, 131072 }));
		if (n > p->len)
			memset(p->data + p->len, (uint8_t)rnd64(), n - p->len);
		set_len(p, n);
		note(" dlen=%u", n);
		break;
	default:
		if (p->len)
			p->data[rnd(p->len)] = PICK(interesting8);
		note(" dbyte");
		break;
	}
}

static void mutate(struct sess *s, struct pdu *p, int login)
{
	uint8_t op = p->h[0] & 0x3f;
	int n = 1 + rnd(3), text = op == OP_LOGIN || op == OP_TEXT;

	while (n--) {
		int r = rnd(20);

		if (r < 11 && op == OP_DATA_OUT && rnd(3) == 0)
			mutate_header(s, p, login, 14);	/* offsets beyond the R2T */
		else if (r < 11)
			mutate_header(s, p, login, -1);
		else if (r < 16 && text)
			mutate_text(p);
		else if (r < 18)
			mutate_data(p);
		else if (r == 18 && rnd(2))
			mutate_framing(p);
		else
			mutate_header(s, p, login, -1);
	}
}

/* ---- full feature seeds ---- */

enum seed {
	S_NOP_PING, S_NOP_CMD, S_TUR, S_INQUIRY, S_INQUIRY_VPD, S_REPORT_LUNS, S_READ_CAP10,
	S_READ_CAP16, S_READ10, S_READ16, S_WRITE_IMM, S_WRITE_PART_IMM, S_WRITE_UNSOLICITED,
	S_DATA_OUT_R2T, S_MODE_SENSE, S_REQUEST_SENSE, S_SYNC_CACHE, S_PR_OUT, S_PR_IN,
	S_UNMAP, S_TEXT_ALL, S_TEXT_TARGET, S_TEXT_NEGOTIATE, S_TMF_ABORT, S_TMF_ABORT_SET,
	S_TMF_LUN_RESET, S_TMF_WARM_RESET, S_TMF_CLEAR_SET, S_TMF_COLD_RESET,
	S_TMF_REASSIGN, S_LOGOUT, S_SNACK, S_NOP_REPLY, S_COUNT
};

static const char *const seed_names[S_COUNT] = {
	"nop-ping", "nop-cmd", "tur", "inquiry", "inquiry-vpd83", "report-luns", "read-cap10",
	"read-cap16", "read10", "read16", "write-imm", "write-part-imm", "write-unsolicited",
	"data-out-r2t", "mode-sense", "request-sense", "sync-cache", "pr-out", "pr-in",
	"unmap", "text-all", "text-target", "text-negotiate", "tmf-abort", "tmf-abort-set",
	"tmf-lun-reset", "tmf-warm-reset", "tmf-clear-set", "tmf-cold-reset",
	"tmf-reassign", "logout", "snack", "nop-reply",
};

static void ffp_header(struct sess *s, struct pdu *p, uint8_t op, uint8_t flags)
{
	memset(p->h, 0, BHS);
	p->ahs_len = 0;
	p->truncate = 0;
	p->h[0] = op;
	p->h[1] = flags;
	put32(p->h + 16, s->itt);
	put32(p->h + 20, TAG_NONE);
	put32(p->h + 24, s->cmd_sn);
	put32(p->h + 28, s->exp_stat_sn);
	set_len(p, 0);
}

static void scsi_cmd(struct sess *s, struct pdu *p, uint8_t rw, uint32_t edtl,
		     const uint8_t *cdb, size_t cdb_len)
{
	ffp_header(s, p, OP_SCSI_CMD, 0x80 | rw | 0x01);	/* F, R/W, SIMPLE */
	put32(p->h + 20, edtl);
	memcpy(p->h + 32, cdb, cdb_len);
}

static void rw_cdb(uint8_t *cdb, uint8_t op, uint32_t lba, uint16_t blocks)
{
	memset(cdb, 0, 16);
	cdb[0] = op;
	put32(cdb + 2, lba);
	cdb[7] = blocks >> 8;
	cdb[8] = blocks;
}

static void fill_pattern(uint8_t *d, uint32_t n, uint32_t tag)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		d[i] = (uint8_t)(tag * 31 + i * 7);
}

/*
 * Wait for an R2T of @itt (the target's other answers are taken on the
 * way); -1 when the target answered the command otherwise (a Reject, a
 * response) or not at all.
 */
static int wait_r2t(struct sess *s, uint32_t itt)
{
	uint8_t h[BHS], rejected[BHS];
	int i;

	for (i = 0; i < 16; i++) {
		if (sess_recv(s, h, rejected, sizeof(rejected)))
			return -1;
		if ((h[0] & 0x3f) == OP_R2T && get32(h + 16) == itt)
			return 0;
		if ((h[0] & 0x3f) == OP_REJECT && dsl_of(h) >= BHS && get32(rejected + 16) == itt)
			return -1;
		if ((h[0] & 0x3f) == OP_SCSI_RSP && get32(h + 16) == itt)
			return -1;
	}
	return -1;
}

/* Build seed @seed as the initiator would send it. -1 if the connection broke. */
static int build_seed(struct sess *s, enum seed seed, struct pdu *p)
{
	uint8_t cdb[16] = { 0 };
	uint32_t lba = rnd(1024);

	switch (seed) {
	case S_NOP_PING:
		ffp_header(s, p, OP_NOP_OUT | OP_IMMEDIATE, 0x80);
		memcpy(p->data, "fuzz-ping", 9);
		set_len(p, 9);
		break;
	case S_NOP_CMD:
		ffp_header(s, p, OP_NOP_OUT, 0x80);
		break;
	case S_NOP_REPLY:	/* an answer to a target's ping */
		ffp_header(s, p, OP_NOP_OUT | OP_IMMEDIATE, 0x80);
		put32(p->h + 16, TAG_NONE);
		put32(p->h + 20, s->last_ttt);
		break;
	case S_TUR:
		scsi_cmd(s, p, 0, 0, cdb, 6);
		break;
	case S_INQUIRY:
		cdb[0] = 0x12;
		cdb[4] = 0xff;
		scsi_cmd(s, p, 0x40, 255, cdb, 6);
		break;
	case S_INQUIRY_VPD:
		cdb[0] = 0x12;
		cdb[1] = 1;
		cdb[2] = PICK(((const uint8_t[]){ 0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2 }));
		cdb[4] = 0xff;
		scsi_cmd(s, p, 0x40, 255, cdb, 6);
		break;
	case S_REPORT_LUNS:
		cdb[0] = 0xa0;
		put32(cdb + 6, 4096);
		scsi_cmd(s, p, 0x40, 4096, cdb, 12);
		break;
	case S_READ_CAP10:
		cdb[0] = 0x25;
		scsi_cmd(s, p, 0x40, 8, cdb, 10);
		break;
	case S_READ_CAP16:
		cdb[0] = 0x9e;
		cdb[1] = 0x10;
		put32(cdb + 10, 32);
		scsi_cmd(s, p, 0x40, 32, cdb, 16);
		break;
	case S_READ10:
		rw_cdb(cdb, 0x28, lba, 8);
		scsi_cmd(s, p, 0x40, 4096, cdb, 10);
		break;
	case S_READ16:
		cdb[0] = 0x88;
		put32(cdb + 6, lba);
		put32(cdb + 10, 4);
		scsi_cmd(s, p, 0x40, 2048, cdb, 16);
		break;
	case S_WRITE_IMM:
		rw_cdb(cdb, 0x2a, lba, 2);
		scsi_cmd(s, p, 0x20, 1024, cdb, 10);
		fill_pattern(p->data, 1024, s->itt);
		set_len(p, 1024);
		break;
	case S_WRITE_PART_IMM:	/* the rest comes for an R2T */
		rw_cdb(cdb, 0x2a, lba, 8);
		scsi_cmd(s, p, 0x20, 4096, cdb, 10);
		fill_pattern(p->data, 512, s->itt);
		set_len(p, 512);
		break;
	case S_WRITE_UNSOLICITED:	/* the command, then its unsolicited Data-Out */
		rw_cdb(cdb, 0x2a, lba, 4);
		scsi_cmd(s, p, 0x20, 2048, cdb, 10);
		p->h[1] &= ~0x80;	/* not final: unsolicited data follows */
		fill_pattern(p->data, 512, s->itt);
		set_len(p, 512);
		if (send_wire(s->fd, p))
			return -1;
		ffp_header(s, p, OP_DATA_OUT, 0x80);
		put32(p->h + 24, 0);
		put32(p->h + 40, 512);
		fill_pattern(p->data, 1536, s->itt + 1);
		set_len(p, 1536);
		break;
	case S_DATA_OUT_R2T:	/* a write without data, then the Data-Out its R2T asks for */
		rw_cdb(cdb, 0x2a, lba, 4);
		scsi_cmd(s, p, 0x20, 2048, cdb, 10);
		if (send_wire(s->fd, p))
			return -1;
		if (wait_r2t(s, s->itt)) {
			/* No R2T: the window is shut or the session is busy; send it anyway. */
			s->r2t_offset = 0;
			s->r2t_len = 2048;
		}
		ffp_header(s, p, OP_DATA_OUT, 0x80);
		put32(p->h + 20, s->last_ttt);
		put32(p->h + 24, 0);
		put32(p->h + 40, s->r2t_offset);
		set_len(p, s->r2t_len <= 2048 ? s->r2t_len : 2048);
		fill_pattern(p->data, p->len, s->itt);
		break;
	case S_MODE_SENSE:
		cdb[0] = 0x1a;
		cdb[2] = PICK(((const uint8_t[]){ 0x3f, 0x08, 0x0a, 0x1c, 0x00 }));
		cdb[4] = 0xff;
		scsi_cmd(s, p, 0x40, 255, cdb, 6);
		break;
	case S_REQUEST_SENSE:
		cdb[0] = 0x03;
		cdb[4] = 252;
		scsi_cmd(s, p, 0x40, 252, cdb, 6);
		break;
	case S_SYNC_CACHE:
		cdb[0] = 0x35;
		scsi_cmd(s, p, 0, 0, cdb, 10);
		break;
	case S_PR_OUT:	/* REGISTER with a key, the parameter list as immediate data */
		cdb[0] = 0x5f;
		cdb[1] = rnd(8);
		cdb[2] = rnd(2) ? 0x01 : 0x03;	/* write exclusive, exclusive access */
		put32(cdb + 5, 24);
		scsi_cmd(s, p, 0x20, 24, cdb, 10);
		memset(p->data, 0, 24);
		p->data[15] = 0x10 + rnd(4);	/* service action reservation key */
		p->data[7] = rnd(2) ? p->data[15] : 0;
		set_len(p, 24);
		break;
	case S_PR_IN:
		cdb[0] = 0x5e;
		cdb[1] = rnd(4);
		cdb[7] = 0x10;
		scsi_cmd(s, p, 0x40, 4096, cdb, 10);
		break;
	case S_UNMAP:
		cdb[0] = 0x42;
		cdb[8] = 24;
		scsi_cmd(s, p, 0x20, 24, cdb, 10);
		memset(p->data, 0, 24);
		p->data[1] = 22;
		p->data[3] = 16;
		put32(p->data + 12, lba);
		put32(p->data + 16, 8);
		set_len(p, 24);
		break;
	case S_TEXT_ALL:
	case S_TEXT_TARGET:
	case S_TEXT_NEGOTIATE:
		ffp_header(s, p, OP_TEXT | OP_IMMEDIATE, 0x80);
		if (seed == S_TEXT_ALL)
			add_key(p, "SendTargets=All");
		else if (seed == S_TEXT_TARGET)
			add_key(p, "SendTargets=%s", target);
		else
			add_key(p, "MaxRecvDataSegmentLength=%u", 512 + rnd(65536));
		set_len(p, p->len);
		break;
	case S_TMF_ABORT:
	case S_TMF_ABORT_SET:
	case S_TMF_LUN_RESET:
	case S_TMF_WARM_RESET:
	case S_TMF_CLEAR_SET:
	case S_TMF_COLD_RESET:
	case S_TMF_REASSIGN:
		ffp_header(s, p, OP_TMF | OP_IMMEDIATE,
			   0x80 | (uint8_t[]){ 1, 2, 5, 6, 3, 7, 8 }[seed - S_TMF_ABORT]);
		put32(p->h + 20, s->itt - 1 - rnd(4));	/* RTT: a recent task */
		put32(p->h + 32, s->cmd_sn - 1);	/* RefCmdSN */
		put32(p->h + 36, s->exp_stat_sn);	/* ExpDataSN */
		break;
	case S_LOGOUT:
		ffp_header(s, p, OP_LOGOUT | OP_IMMEDIATE, 0x80 | rnd(3));
		break;
	case S_SNACK:
		ffp_header(s, p, OP_SNACK, 0x80 | rnd(4));
		put32(p->h + 20, s->last_ttt);
		put32(p->h + 24, 0);
		put32(p->h + 40, rnd(4));	/* BegRun */
		put32(p->h + 44, rnd(4));	/* RunLength */
		break;
	default:
		break;
	}
	return 0;
}

/* The opcodes seed @seed sends, a bit each. */
static unsigned int seed_opcodes(enum seed seed)
{
	if (seed >= S_TMF_ABORT && seed <= S_TMF_REASSIGN)
		return 1u << OP_TMF;
	switch (seed) {
	case S_NOP_PING:
	case S_NOP_CMD:
	case S_NOP_REPLY:
		return 1u << OP_NOP_OUT;
	case S_TEXT_ALL:
	case S_TEXT_TARGET:
	case S_TEXT_NEGOTIATE:
		return 1u << OP_TEXT;
	case S_LOGOUT:
		return 1u << OP_LOGOUT;
	case S_SNACK:
		return 1u << OP_SNACK;
	case S_WRITE_UNSOLICITED:
	case S_DATA_OUT_R2T:
		return 1u << OP_SCSI_CMD | 1u << OP_DATA_OUT;
	default:
		return 1u << OP_SCSI_CMD;
	}
}

/* The seeds of a session of @flavor, weighted by how often they come. */
static enum seed pick_seed(enum flavor flavor)
{
	static const uint8_t discovery_seeds[] = {
		S_TEXT_ALL, S_TEXT_ALL, S_TEXT_ALL, S_TEXT_TARGET, S_TEXT_NEGOTIATE, S_NOP_PING,
		S_NOP_PING, S_NOP_CMD, S_LOGOUT, S_TMF_LUN_RESET, S_TMF_WARM_RESET, S_TMF_ABORT,
		S_TUR, S_READ10, S_WRITE_IMM, S_DATA_OUT_R2T, S_SNACK, S_INQUIRY,
	};
	uint32_t r;

	if (flavor == DISCOVERY) {
		enum seed seed;

		do
			seed = PICK(discovery_seeds);
		while (seed_opcodes(seed) & skip_in_discovery);
		return seed;
	}
	r = rnd(100);
	if (r < 3)
		return S_LOGOUT;
	return rnd(S_COUNT);
}

/* Reserved in discovery sessions for now (FUZZ_SKIP): the final opcode is one of them. */
static int skipped(const struct sess *s, const struct pdu *p)
{
	uint8_t op = p->h[0] & 0x3f;

	return s->flavor == DISCOVERY && op < 32 && (skip_in_discovery & 1u << op);
}

/*
 * Wait for the answer to ping @tag, taking everything before it. 0, or -1
 * when the connection broke or the answer did not come.
 */
static int wait_ping(struct sess *s, uint32_t tag)
{
	static uint8_t data[65536];
	uint8_t h[BHS];
	int i;

	for (i = 0; i < 256; i++) {
		if (sess_recv(s, h, data, sizeof(data)))
			return -1;
		if (h[0] == OP_NOP_IN && get32(h + 16) == tag)
			return 0;
	}
	return -1;
}

static int ping(struct sess *s)
{
	static struct pdu p;
	uint32_t tag = ++s->itt;

	ffp_header(s, &p, OP_NOP_OUT | OP_IMMEDIATE, 0x80);
	put32(p.h + 16, tag);
	put32(p.h + 24, s->exp_cmd_sn);
	s->itt++;
	return send_wire(s->fd, &p) ? -1 : wait_ping(s, tag);
}

static uint32_t ffp_cases, login_cases, framing_cases, skipped_cases;

/* One full feature case on @s, logging in first if it is not connected. */
static void ffp_case(struct sess *s, int *isid_seq)
{
	static struct pdu p;
	enum seed seed;
	int tries;

	if (s->fd < 0 || s->cases > 40 + (int)rnd(80)) {
		sess_drop(s);
		/* A new ISID mostly; sometimes the old one, which reinstates. */
		if (rnd(8))
			s->isid[5] = (uint8_t)++*isid_seq;
		if (sess_login(s, -1))
			return;
	}
	s->cases++;
	s->cmd_sn = s->exp_cmd_sn;
	s->itt++;
	seed = pick_seed(s->flavor);
	note("ffp %s %s:", s->flavor == DISCOVERY ? "discovery" : "normal", seed_names[seed]);
	if (build_seed(s, seed, &p)) {
		sess_drop(s);
		return;
	}
	for (tries = 0; tries < 8; tries++) {
		static struct pdu orig;

		if (!tries)
			memcpy(&orig, &p, sizeof(p));
		else
			memcpy(&p, &orig, sizeof(p));
		mutate(s, &p, 0);
		if (!skipped(s, &p))
			break;
		note(" (skipped)");
	}
	if (skipped(s, &p)) {
		skipped_cases++;
		return;
	}
	ffp_cases++;
	if (verbose)
		printf("# %s\n", desc), fflush(stdout);
	if (send_wire(s->fd, &p)) {
		sess_drop(s);
		return;
	}
	if (framing_lies(&p)) {
		framing_cases++;
		/* Give the target a moment with the broken PDU, then go. */
		set_timeout(s->fd, 20);
		wait_ping(s, TAG_NONE - 1);
		sess_drop(s);
		return;
	}
	s->itt++;
	if (ping(s))
		sess_drop(s);
}

/* One login case on a fresh connection; a login that gets through sends a ping and goes. */
static void login_case(int *isid_seq)
{
	struct sess s = { .fd = -1 };
	uint32_t r = rnd(10);

	s.flavor = r < 5 ? NORMAL : r < 8 ? DISCOVERY : CHAP;
	s.isid[0] = 0x40;
	s.isid[5] = (uint8_t)++*isid_seq;
	login_cases++;
	if (!sess_login(&s, rnd(s.flavor == CHAP ? 4 : 2))) {
		if (rnd(2))
			ping(&s);
	}
	sess_drop(&s);
}

/* ---- the health check ---- */

/* A SCSI command and its answer; Data-In lands in @in. 0 when GOOD. */
static int health_cmd(struct sess *s, const uint8_t *cdb, uint8_t rw, uint32_t edtl,
		      const uint8_t *out, uint32_t out_len, uint8_t *in)
{
	static struct pdu p;
	static uint8_t data[65536];
	uint8_t h[BHS];
	uint32_t tag = ++s->itt, off, n;
	int i;

	s->cmd_sn = s->exp_cmd_sn;
	scsi_cmd(s, &p, rw, edtl, cdb, 16);
	put32(p.h + 16, tag);
	if (out_len)
		memcpy(p.data, out, out_len);
	set_len(&p, out_len);
	if (send_wire(s->fd, &p))
		return -1;
	for (i = 0; i < 256; i++) {
		if (sess_recv(s, h, data, sizeof(data)))
			return -1;
		if (get32(h + 16) != tag)
			continue;
		if (h[0] == OP_DATA_IN) {
			off = get32(h + 40);
			n = dsl_of(h);
			if (off > edtl || n > edtl - off || n > sizeof(data))
				return -1;
			memcpy(in + off, data, n);
			if (h[1] & 0x01)
				return h[3] ? -1 : 0;
		} else if (h[0] == OP_SCSI_RSP) {
			return h[2] || h[3] ? -1 : 0;
		} else {
			return -1;
		}
	}
	return -1;
}

static int health_check(uint32_t round, char *why, size_t cap)
{
	struct sess s = { .fd = -1, .flavor = NORMAL, .isid = { 0x40, 0, 0, 0, 0xfe, 0xee } };
	uint8_t cdb[16] = { 0x25 }, cap_data[8], out[4096], in[4096];
	uint32_t last_lba, lba;
	int ret = -1;

	if (sess_login(&s, -1)) {
		snprintf(why, cap, "clean login failed");
		return -1;
	}
	set_timeout(s.fd, 10000);
	if (health_cmd(&s, cdb, 0x40, 8, NULL, 0, cap_data)) {
		snprintf(why, cap, "READ CAPACITY failed");
		goto out;
	}
	last_lba = get32(cap_data);
	if (get32(cap_data + 4) != 512 || last_lba < 2048) {
		snprintf(why, cap, "READ CAPACITY: last LBA %u, block size %u", last_lba,
			 get32(cap_data + 4));
		goto out;
	}
	/* The end of the LUN, where no seed writes. */
	lba = last_lba - 8 * (1 + round % 8);
	fill_pattern(out, sizeof(out), 0xabc0 + round);
	rw_cdb(cdb, 0x2a, lba, 8);
	if (health_cmd(&s, cdb, 0x20, sizeof(out), out, sizeof(out), NULL)) {
		snprintf(why, cap, "WRITE(10) of 8 blocks at %u failed", lba);
		goto out;
	}
	memset(in, 0, sizeof(in));
	rw_cdb(cdb, 0x28, lba, 8);
	if (health_cmd(&s, cdb, 0x40, sizeof(in), NULL, 0, in) || memcmp(in, out, sizeof(in))) {
		snprintf(why, cap, "READ(10) at %u did not read back what was written", lba);
		goto out;
	}
	ret = 0;
out:
	sess_close(&s);
	return ret;
}

static void parse_skip(const char *list)
{
	static const struct { const char *name; uint8_t op; } kinds[] = {
		{ "discovery-tmf", OP_TMF }, { "discovery-scsi", OP_SCSI_CMD },
		{ "discovery-data-out", OP_DATA_OUT }, { "discovery-snack", OP_SNACK },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (list && strstr(list, kinds[i].name))
			skip_in_discovery |= 1u << kinds[i].op;
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

int main(int argc, char **argv)
{
	struct sess normal = { .fd = -1, .flavor = NORMAL, .isid = { 0x40, 0, 0, 0, 0x01 } };
	struct sess discovery = { .fd = -1, .flavor = DISCOVERY, .isid = { 0x40, 0, 0, 0, 0x02 } };
	uint64_t seed, first, cases, every, n;
	uint32_t checks = 0, checks_failed = 0;
	int isid_seq = 0;
	char why[160];
	time_t start;

	if (argc != 7) {
		fprintf(stderr, "usage: %s ADDR PORT TARGET CHAP_TARGET CHAP_USER CHAP_SECRET\n",
			argv[0]);
		return 2;
	}
	addr = argv[1];
	port = atoi(argv[2]);
	target = argv[3];
	chap_target = argv[4];
	chap_user = argv[5];
	chap_secret = argv[6];
	tap_n = atoi(getenv("TAP_BASE") ?: "0");
	seed = env_u64("FUZZ_SEED", (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32);
	first = env_u64("FUZZ_FIRST", 0);
	cases = env_u64("FUZZ_CASES", 10000);
	every = env_u64("FUZZ_CHECK_EVERY", 500);
	timeout_ms = env_u64("FUZZ_TIMEOUT_MS", 2000);
	verbose = env_u64("FUZZ_VERBOSE", 0);
	parse_skip(getenv("FUZZ_SKIP"));
	printf("# FUZZ_SEED=0x%016" PRIx64 " FUZZ_FIRST=%" PRIu64 " FUZZ_CASES=%" PRIu64
	       " FUZZ_SKIP=%s\n", seed, first, cases, getenv("FUZZ_SKIP") ?: "");
	fflush(stdout);

	if (health_check(0, why, sizeof(why))) {
		printf("Bail out! before fuzzing: %s\n", why);
		return 1;
	}
	start = time(NULL);
	for (n = first; n < first + cases; n++) {
		uint32_t r;

		rng_for_case(seed, n);
		desc_len = 0;
		note("case %" PRIu64 ": ", n);
		r = rnd(100);
		if (r < 30)
			login_case(&isid_seq);
		else
			ffp_case(r < 80 ? &normal : &discovery, &isid_seq);
		if ((n + 1 - first) % every == 0 || n + 1 == first + cases) {
			checks++;
			if (health_check(checks, why, sizeof(why))) {
				checks_failed++;
				printf("# health check after case %" PRIu64 " failed: %s\n", n, why);
			}
		}
		/* Where a run that the kernel ended got to, for a replay. */
		if ((n + 1 - first) % 100 == 0 || n + 1 == first + cases) {
			printf("# cases to %" PRIu64 " done, %ld s: %u login, %u full feature (%u"
			       " framing lies, %u skipped); %u logins, %u refused; %u rejects,"
			       " %u resets, %u timeouts\n", n, (long)(time(NULL) - start),
			       login_cases, ffp_cases, framing_cases, skipped_cases, logins_ok,
			       logins_refused, rx_rejects, rx_resets, rx_timeouts);
			fflush(stdout);
		}
	}
	sess_close(&normal);
	sess_close(&discovery);
	check(!checks_failed, "%u health checks (login, READ CAPACITY, verified write and read):"
	      " %u failed", checks, checks_failed);
	check(login_cases + ffp_cases + skipped_cases == cases,
	      "%u mutated login PDUs, %u mutated full feature PDUs (seed 0x%016" PRIx64 ")",
	      login_cases, ffp_cases, seed);
	return tap_failed;
}
