// SPDX-License-Identifier: GPL-2.0
/*
 * Logins a plain initiator never sends, over real TCP: each one must get
 * the answer RFC 7143 names, and the target must stay usable. Prints TAP
 * lines numbered from $TAP_BASE + 1 (the calling script prints the plan).
 *
 *   login_abuse continue ADDR PORT TARGET
 *	Login text split over several Login Requests with the Continue bit
 *	(RFC 7143 11.12.2), once between keys and once in the middle of a
 *	key and of a value: each partial request gets an empty Login
 *	Response (C=0, T=0), the last one the answer to all the keys, and the
 *	session reaches the full feature phase. Text that keeps continuing
 *	past what the target holds is refused (Target Error, out of
 *	resources) and the connection closes.
 *   login_abuse chap ADDR PORT TARGET USER SECRET MUTUAL_USER MUTUAL_SECRET
 *	Mutual CHAP (MD5) where the initiator's challenge is shorter than 16
 *	bytes, or is the target's own challenge sent back (a reflection):
 *	both fail with Initiator Error, authentication failure (0x0201). A
 *	16-byte challenge of its own logs in.
 *   login_abuse discovery-limit ADDR PORT N
 *	N discovery sessions from 127.0.0.1 log in; one more from there is
 *	refused with Target Error, out of resources (0x0302); one from
 *	127.0.0.2 logs in; after one of the first N logs out, 127.0.0.1 gets
 *	one again.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iscsi_client.h"
#include "tap_check.h"

#define INITIATOR	"iqn.2024-01.org.bootsan.test:login-abuse"
#define FLAG_T		0x80
#define FLAG_C		0x40
#define STAGE_SEC	0
#define STAGE_OP	1
#define STAGE_FFP	3

static const char *addr, *target;
static int port;

/* A Login Response: its header and text (NUL-terminated). */
struct login_rsp {
	uint8_t h[BHS];
	char text[8192];
	uint32_t len;
};

static uint16_t rsp_status(const struct login_rsp *r)
{
	return r->h[36] << 8 | r->h[37];
}

/*
 * Send one Login Request of @len bytes of @keys in stage @csg (to @nsg
 * when @flags has T) and read the answer. 0, or -errno.
 */
static int login_req(int fd, uint8_t flags, int csg, int nsg, const void *keys, uint32_t len,
		     uint32_t exp_stat_sn, struct login_rsp *r)
{
	uint8_t h[BHS] = { OP_LOGIN | OP_IMMEDIATE };
	int ret;

	h[1] = flags | csg << 2 | ((flags & FLAG_T) ? nsg : 0);
	h[8] = 0x40;		/* ISID: random qualifier type */
	h[13] = getpid() & 0xff;
	put32(h + 16, 1);	/* ITT */
	put32(h + 28, exp_stat_sn);
	if (send_pdu(fd, h, keys, len))
		return -errno;
	ret = read_pdu(fd, r->h, (uint8_t *)r->text, sizeof(r->text) - 1);
	if (ret)
		return ret;
	if ((r->h[0] & 0x3f) != OP_LOGIN_RSP)
		return -EPROTO;
	r->len = dsl_of(r->h) < sizeof(r->text) - 1 ? dsl_of(r->h) : sizeof(r->text) - 1;
	r->text[r->len] = '\0';
	return 0;
}

/* The value of @key in a response's text, or NULL. */
static const char *rsp_key(const struct login_rsp *r, const char *key)
{
	size_t klen = strlen(key);
	uint32_t i;

	for (i = 0; i < r->len; i += strnlen(r->text + i, r->len - i) + 1)
		if (!strncmp(r->text + i, key, klen) && r->text[i + klen] == '=')
			return r->text + i + klen + 1;
	return NULL;
}

/* A NOP-Out ping in the full feature phase is answered. */
static int ping(int fd, uint32_t cmd_sn, uint32_t exp_stat_sn)
{
	uint8_t h[BHS] = { OP_NOP_OUT | OP_IMMEDIATE, 0x80 };

	put32(h + 16, 0x1234);
	put32(h + 20, TAG_NONE);
	put32(h + 24, cmd_sn);
	put32(h + 28, exp_stat_sn);
	if (send_pdu(fd, h, NULL, 0) || read_pdu(fd, h, NULL, 0))
		return -1;
	return h[0] == OP_NOP_IN && get32(h + 16) == 0x1234 ? 0 : -1;
}

/*
 * Send @len bytes of @keys cut at the offsets in @cuts (ascending, 0
 * ended) as Login Requests with C, the last with @flags. Each partial one
 * must get an empty response with C and T clear. 0, or -1.
 */
static int send_split(int fd, int csg, int nsg, const char *keys, uint32_t len,
		      const uint32_t *cuts, uint32_t *exp_stat_sn, struct login_rsp *r,
		      const char *what)
{
	uint32_t from = 0;
	int ok = 1, part = 0;

	for (; *cuts; cuts++, part++) {
		int ret = login_req(fd, FLAG_C, csg, nsg, keys + from, *cuts - from,
				    *exp_stat_sn, r);

		ok = !ret && !rsp_status(r) && !dsl_of(r->h) && !(r->h[1] & (FLAG_T | FLAG_C));
		if (!ret)
			*exp_stat_sn = get32(r->h + 24) + 1;
		check(ok, "%s, part %d: an empty Login Response, C=0 T=0 (ret %d, status 0x%04x, dsl %u, flags 0x%02x)",
		      what, part + 1, ret, ret ? 0 : rsp_status(r), ret ? 0 : dsl_of(r->h),
		      ret ? 0 : r->h[1]);
		if (!ok)
			return -1;
		from = *cuts;
	}
	if (login_req(fd, FLAG_T, csg, nsg, keys + from, len - from, *exp_stat_sn, r))
		return -1;
	*exp_stat_sn = get32(r->h + 24) + 1;
	return 0;
}

static int run_continue(void)
{
	char sec[512], op[] =
		"HeaderDigest=None\0DataDigest=None\0MaxRecvDataSegmentLength=65536\0"
		"InitialR2T=Yes\0ImmediateData=Yes\0MaxBurstLength=262144\0"
		"FirstBurstLength=65536\0ErrorRecoveryLevel=0\0";
	struct login_rsp *r = calloc(1, sizeof(*r));
	uint32_t exp_stat_sn = 0, sec_len, cuts[4];
	static uint8_t big[8192];
	int fd, ret, i, ok;

	if (!r)
		return 1;
	sec_len = snprintf(sec, sizeof(sec),
			   "InitiatorName=%s%cTargetName=%s%cSessionType=Normal%cAuthMethod=None%c",
			   INITIATOR, 0, target, 0, 0, 0);
	fd = tcp_connect(addr, port, 5);
	check(fd >= 0, "connect");
	if (fd < 0)
		return 1;
	/* Between keys (after InitiatorName), then inside "SessionType". */
	cuts[0] = strlen(INITIATOR) + strlen("InitiatorName=") + 1;
	cuts[1] = (uint32_t)(strstr(sec + cuts[0] + strlen(target) + 12, "SessionType") - sec) + 5;
	cuts[2] = 0;
	ok = !send_split(fd, STAGE_SEC, STAGE_OP, sec, sec_len, cuts, &exp_stat_sn, r,
			 "security keys in three requests");
	ok = ok && !rsp_status(r) && (r->h[1] & FLAG_T) && (r->h[1] & 3) == STAGE_OP &&
	     rsp_key(r, "AuthMethod") && !strcmp(rsp_key(r, "AuthMethod"), "None");
	check(ok, "the last request gets the answer to all the security keys: AuthMethod=None, on to the operational stage (status 0x%04x)",
	      rsp_status(r));
	/* Inside the value "65536", then inside the key "MaxBurstLength". */
	cuts[0] = (uint32_t)((char *)memmem(op, sizeof(op), "=65536", 6) - op) + 3;
	cuts[1] = (uint32_t)((char *)memmem(op, sizeof(op), "MaxBurstLength", 14) - op) + 7;
	cuts[2] = 0;
	ok = ok && !send_split(fd, STAGE_OP, STAGE_FFP, op, sizeof(op) - 1, cuts, &exp_stat_sn, r,
			       "operational keys in three requests");
	ok = ok && !rsp_status(r) && (r->h[1] & FLAG_T) && (r->h[1] & 3) == STAGE_FFP &&
	     rsp_key(r, "MaxBurstLength") && !strcmp(rsp_key(r, "MaxBurstLength"), "262144") &&
	     rsp_key(r, "MaxRecvDataSegmentLength");
	check(ok, "the last request gets the answer to all the operational keys (MaxBurstLength=%s), full feature phase",
	      rsp_key(r, "MaxBurstLength") ? rsp_key(r, "MaxBurstLength") : "none");
	check(ok && !ping(fd, get32(r->h + 28), exp_stat_sn), "the session answers a ping");
	close(fd);

	/* Text that never ends: 8 KiB requests with C, until the target gives up. */
	fd = tcp_connect(addr, port, 5);
	memset(big, 'a', sizeof(big));
	memcpy(big, "InitiatorName=", 14);
	exp_stat_sn = 0;
	ret = 0;
	for (i = 0; fd >= 0 && i < 64; i++) {
		ret = login_req(fd, FLAG_C, STAGE_SEC, STAGE_OP, big, sizeof(big), exp_stat_sn, r);
		if (ret || rsp_status(r))
			break;
		exp_stat_sn = get32(r->h + 24) + 1;
	}
	check(!ret && rsp_status(r) == 0x0302 && i > 0,
	      "endless continued text: refused after %d requests, Target Error, out of resources (ret %d, status 0x%04x)",
	      i + 1, ret, ret ? 0 : rsp_status(r));
	ret = fd >= 0 ? read_pdu(fd, r->h, NULL, 0) : -1;
	check(ret == -ECONNRESET, "then the connection closes (%d)", ret);
	if (fd >= 0)
		close(fd);
	free(r);
	return tap_failed;
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

/* "0x..." into bytes: the count, or -1. */
static int hex_decode(const char *s, uint8_t *out, int cap)
{
	int n = 0;

	if (!s || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -1;
	for (s += 2; *s; s += 2) {
		if (n == cap || hex_nibble(s[0]) < 0 || hex_nibble(s[1]) < 0)
			return -1;
		out[n++] = hex_nibble(s[0]) << 4 | hex_nibble(s[1]);
	}
	return n;
}

static void hex_encode(const uint8_t *p, int n, char *out)
{
	int i;

	out[0] = '0';
	out[1] = 'x';
	for (i = 0; i < n; i++)
		sprintf(out + 2 + 2 * i, "%02x", p[i]);
}

/* CHAP_R = MD5(id, secret, challenge), as "0x" hex into @out (35 bytes). */
static void chap_md5(uint8_t id, const char *secret, const uint8_t *c, int clen, char *out)
{
	uint8_t buf[1 + 256 + 1024], md[EVP_MAX_MD_SIZE];
	size_t slen = strlen(secret);
	unsigned int mdlen = 0;

	buf[0] = id;
	memcpy(buf + 1, secret, slen);
	memcpy(buf + 1 + slen, c, clen);
	EVP_Digest(buf, 1 + slen + clen, md, &mdlen, EVP_md5(), NULL);
	hex_encode(md, mdlen, out);
}

/*
 * A mutual CHAP login whose challenge is @clen bytes of @challenge, or the
 * target's own challenge when @challenge is NULL. The final status, or -1.
 */
static int chap_login(const char *user, const char *secret, const uint8_t *challenge,
		      int clen, const char *mutual_user, const char *mutual_secret)
{
	char keys[1024], resp[2 + 2 * 64 + 1], chal_hex[2 + 2 * 1024 + 1];
	struct login_rsp *r = calloc(1, sizeof(*r));
	uint8_t tc[1024];
	uint32_t exp_stat_sn = 0;
	int fd, n, tclen, status = -1;
	uint8_t id;

	fd = tcp_connect(addr, port, 5);
	if (fd < 0 || !r)
		goto out;
	n = snprintf(keys, sizeof(keys),
		     "InitiatorName=%s%cTargetName=%s%cSessionType=Normal%cAuthMethod=CHAP%c",
		     INITIATOR, 0, target, 0, 0, 0);
	if (login_req(fd, FLAG_T, STAGE_SEC, STAGE_OP, keys, n, exp_stat_sn, r) || rsp_status(r))
		goto out;
	exp_stat_sn = get32(r->h + 24) + 1;
	if (login_req(fd, 0, STAGE_SEC, STAGE_OP, "CHAP_A=5", 9, exp_stat_sn, r) || rsp_status(r))
		goto out;
	exp_stat_sn = get32(r->h + 24) + 1;
	tclen = hex_decode(rsp_key(r, "CHAP_C"), tc, sizeof(tc));
	if (tclen <= 0 || !rsp_key(r, "CHAP_I"))
		goto out;
	id = strtoul(rsp_key(r, "CHAP_I"), NULL, 0);
	chap_md5(id, secret, tc, tclen, resp);
	if (challenge)
		hex_encode(challenge, clen, chal_hex);
	else
		hex_encode(tc, tclen, chal_hex);	/* reflected */
	n = snprintf(keys, sizeof(keys), "CHAP_N=%s%cCHAP_R=%s%cCHAP_I=%u%cCHAP_C=%s%c",
		     user, 0, resp, 0, (id + 1) & 0xff, 0, chal_hex, 0);
	if (login_req(fd, FLAG_T, STAGE_SEC, STAGE_OP, keys, n, exp_stat_sn, r))
		goto out;
	status = rsp_status(r);
	if (!status && challenge) {
		/* The target's answer to our challenge must be right. */
		chap_md5((id + 1) & 0xff, mutual_secret, challenge, clen, resp);
		if (!rsp_key(r, "CHAP_N") || strcmp(rsp_key(r, "CHAP_N"), mutual_user) ||
		    !rsp_key(r, "CHAP_R") || strcasecmp(rsp_key(r, "CHAP_R"), resp))
			status = -1;
	}
out:
	if (fd >= 0)
		close(fd);
	free(r);
	return status;
}

static int run_chap(const char *user, const char *secret, const char *muser,
		    const char *msecret)
{
	uint8_t c[16];
	int status, i;

	for (i = 0; i < 16; i++)
		c[i] = 0xa0 + i;
	status = chap_login(user, secret, c, 15, muser, msecret);
	check(status == 0x0201,
	      "mutual CHAP, a 15-byte initiator challenge: authentication failure 0x0201 (0x%04x)",
	      status);
	status = chap_login(user, secret, c, 1, muser, msecret);
	check(status == 0x0201,
	      "mutual CHAP, a 1-byte initiator challenge: authentication failure 0x0201 (0x%04x)",
	      status);
	status = chap_login(user, secret, NULL, 0, muser, msecret);
	check(status == 0x0201,
	      "mutual CHAP, the target's own challenge reflected: authentication failure 0x0201 (0x%04x)",
	      status);
	status = chap_login(user, secret, c, 16, muser, msecret);
	check(status == 0, "mutual CHAP, a 16-byte challenge of its own: logged in, the target's answer right (0x%04x)",
	      status);
	return tap_failed;
}

/* A discovery login from @src: 0 logged in (fd in *fd), the status, or -1. */
static int discovery_login(const char *src, int *fd)
{
	struct iscsi_login l = { .initiator = INITIATOR, .discovery = 1 };
	int ret;

	l.isid[0] = 0x40;
	l.isid[4] = getpid() & 0xff;
	l.isid[5] = rand() & 0xff;
	*fd = tcp_connect_from(src, addr, port, 5);
	if (*fd < 0)
		return -1;
	ret = iscsi_login(*fd, &l);
	if (ret) {
		close(*fd);
		*fd = -1;
	}
	return ret < 0 ? -1 : ret;
}

static int logout(int fd)
{
	uint8_t h[BHS] = { OP_LOGOUT | OP_IMMEDIATE, 0x80 };

	put32(h + 16, 0x77);
	if (send_pdu(fd, h, NULL, 0) || read_pdu(fd, h, NULL, 0))
		return -1;
	return h[0] == OP_LOGOUT_RSP && !h[2] ? 0 : -1;
}

static int run_discovery_limit(int n)
{
	int fds[64], extra, other, ret, i, ok = 1;

	if (n < 1 || n > 64)
		return 1;
	for (i = 0; i < n; i++) {
		ret = discovery_login("127.0.0.1", &fds[i]);
		ok = ok && !ret;
	}
	check(ok, "%d discovery sessions from 127.0.0.1 log in", n);
	ret = discovery_login("127.0.0.1", &extra);
	check(ret == 0x0302, "one more from 127.0.0.1: Target Error, out of resources 0x0302 (%d)",
	      ret);
	ret = discovery_login("127.0.0.2", &other);
	check(!ret, "one from 127.0.0.2 logs in (%d)", ret);
	check(!logout(fds[0]), "one of the first logs out");
	close(fds[0]);
	fds[0] = -1;
	/* The logout is answered before its session is gone: retry a while. */
	for (i = 0; i < 50; i++) {
		ret = discovery_login("127.0.0.1", &fds[0]);
		if (ret != 0x0302)
			break;
		usleep(100000);
	}
	check(!ret, "then 127.0.0.1 gets one again (%d)", ret);
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (extra >= 0)
		close(extra);
	if (other >= 0)
		close(other);
	return tap_failed;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	const char *base = getenv("TAP_BASE");

	if (argc < 4) {
		fprintf(stderr, "usage: %s continue|chap|discovery-limit ADDR PORT ...\n", argv[0]);
		return 2;
	}
	tap_n = base ? atoi(base) : 0;
	addr = argv[2];
	port = atoi(argv[3]);
	if (!strcmp(mode, "continue") && argc == 5) {
		target = argv[4];
		return run_continue();
	}
	if (!strcmp(mode, "chap") && argc == 9) {
		target = argv[4];
		return run_chap(argv[5], argv[6], argv[7], argv[8]);
	}
	if (!strcmp(mode, "discovery-limit") && argc == 5)
		return run_discovery_limit(atoi(argv[4]));
	fprintf(stderr, "%s: bad arguments\n", argv[0]);
	return 2;
}
