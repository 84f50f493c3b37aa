// SPDX-License-Identifier: GPL-2.0
/*
 * A raw iSCSI initiator's wire helpers: see iscsi_client.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "iscsi_client.h"

int tcp_connect(const char *addr, int port, int timeout_s)
{
	return tcp_connect_rcvbuf(addr, port, timeout_s, 0);
}

int tcp_connect_rcvbuf(const char *addr, int port, int timeout_s, int rcvbuf)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = timeout_s };
	int fd, one = 1, err;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	/* Set before connect(): the window the socket advertises stays small. */
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int tcp_connect_from(const char *src, const char *addr, int port, int timeout_s)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_in local = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = timeout_s };
	int fd, one = 1, err;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    (src && inet_pton(AF_INET, src, &local.sin_addr) != 1)) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* connect() gives up after the send timeout: a target that stopped accepting. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((src && bind(fd, (struct sockaddr *)&local, sizeof(local))) ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

int read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n <= 0)
			return n == 0 ? -ECONNRESET : -errno;
		p += n;
		len -= n;
	}
	return 0;
}

int send_pdu(int fd, uint8_t *h, const void *data, uint32_t len)
{
	static const uint8_t zeros[4096];
	uint32_t pad = (4 - (len & 3)) & 3, off = 0;

	h[5] = len >> 16;
	h[6] = len >> 8;
	h[7] = len;
	if (write_all(fd, h, BHS))
		return -1;
	while (off < len) {
		uint32_t chunk = len - off < sizeof(zeros) ? len - off : sizeof(zeros);

		if (write_all(fd, data ? (const uint8_t *)data + off : zeros, chunk))
			return -1;
		off += chunk;
	}
	return pad ? write_all(fd, zeros, pad) : 0;
}

int read_pdu(int fd, uint8_t *h, uint8_t *data, uint32_t cap)
{
	uint8_t sink[4096];
	uint32_t len, want, got = 0;
	int ret = read_all(fd, h, BHS);

	if (ret)
		return ret;
	len = dsl_of(h);
	want = len + ((4 - (len & 3)) & 3);
	while (got < want) {
		uint32_t chunk = want - got;
		uint8_t *dst = sink;

		if (got < cap) {
			dst = data + got;
			if (chunk > cap - got)
				chunk = cap - got;
		} else if (chunk > sizeof(sink)) {
			chunk = sizeof(sink);
		}
		ret = read_all(fd, dst, chunk);
		if (ret)
			return ret;
		got += chunk;
	}
	return 0;
}

/*
 * The operational keys open-iscsi proposes, less its larger burst sizes:
 * the digests asked for, and the RFC 7143 defaults for the rest.
 */
static const char operational_keys[] =
	"MaxRecvDataSegmentLength=65536\0"
	"InitialR2T=Yes\0ImmediateData=Yes\0MaxBurstLength=262144\0"
	"FirstBurstLength=65536\0MaxConnections=1\0DefaultTime2Wait=2\0"
	"DefaultTime2Retain=0\0MaxOutstandingR2T=1\0DataPDUInOrder=Yes\0"
	"DataSequenceInOrder=Yes\0ErrorRecoveryLevel=0\0";

#define STAGE_SECURITY		0
#define STAGE_OPERATIONAL	1
#define STAGE_FULL_FEATURE	3

int iscsi_login(int fd, struct iscsi_login *l)
{
	const char *digest = l->digest ? l->digest : "None";
	char security_keys[600], op_keys[sizeof(operational_keys) + 64];
	int stage = STAGE_SECURITY, keys_sent = 0, pdus, n, n_op, ret;
	uint8_t h[BHS];

	if (l->discovery)
		n = snprintf(security_keys, sizeof(security_keys),
			     "InitiatorName=%s%cSessionType=Discovery%cAuthMethod=None%c",
			     l->initiator, 0, 0, 0);
	else
		n = snprintf(security_keys, sizeof(security_keys),
			     "InitiatorName=%s%cTargetName=%s%cSessionType=Normal%cAuthMethod=None%c",
			     l->initiator, 0, l->target, 0, 0, 0);
	if (n < 0 || (size_t)n >= sizeof(security_keys))
		return -ENAMETOOLONG;
	n_op = snprintf(op_keys, sizeof(op_keys), "HeaderDigest=%s%cDataDigest=%s%c",
			digest, 0, digest, 0);
	if (n_op < 0 || (size_t)n_op + sizeof(operational_keys) > sizeof(op_keys))
		return -ENAMETOOLONG;
	memcpy(op_keys + n_op, operational_keys, sizeof(operational_keys));
	n_op += sizeof(operational_keys) - 1;
	l->exp_stat_sn = 0;
	/*
	 * One request per response: our keys first, then empty requests
	 * while the target has more to say (C) or does not move on yet (no T).
	 */
	for (pdus = 0; pdus < 16; pdus++) {
		const char *keys = NULL;
		uint32_t len = 0;

		if (!keys_sent) {
			keys = stage == STAGE_SECURITY ? security_keys : op_keys;
			len = stage == STAGE_SECURITY ? (uint32_t)n : (uint32_t)n_op;
			keys_sent = 1;
		}
		memset(h, 0, BHS);
		h[0] = OP_LOGIN | OP_IMMEDIATE;
		/* T, CSG, NSG: security -> operational -> full feature phase */
		h[1] = 0x80 | stage << 2 |
		       (stage == STAGE_SECURITY ? STAGE_OPERATIONAL : STAGE_FULL_FEATURE);
		memcpy(h + 8, l->isid, sizeof(l->isid));
		h[14] = l->tsih >> 8;
		h[15] = l->tsih;
		put32(h + 28, l->exp_stat_sn);
		if (send_pdu(fd, h, keys, len))
			return -errno;
		ret = read_pdu(fd, h, (uint8_t *)l->text, sizeof(l->text) - 1);
		if (ret)
			return ret;
		if ((h[0] & 0x3f) != OP_LOGIN_RSP)
			return -EPROTO;
		l->text_len = dsl_of(h) < sizeof(l->text) - 1 ? dsl_of(h) : sizeof(l->text) - 1;
		l->text[l->text_len] = '\0';
		l->status = h[36] << 8 | h[37];
		l->tsih = h[14] << 8 | h[15];
		l->exp_stat_sn = get32(h + 24) + 1;
		l->exp_cmd_sn = get32(h + 28);
		l->max_cmd_sn = get32(h + 32);
		if (l->status)
			return l->status;
		if (!(h[1] & 0x80) || (h[1] & 0x40))
			continue;
		if ((h[1] & 3) == STAGE_FULL_FEATURE)
			return 0;
		if ((h[1] & 3) <= stage)
			return -EPROTO;
		stage = h[1] & 3;
		keys_sent = 0;
	}
	return -EPROTO;
}

const char *iscsi_login_key(const struct iscsi_login *l, const char *key)
{
	size_t klen = strlen(key);
	uint32_t i;

	for (i = 0; i < l->text_len; i += strlen(l->text + i) + 1)
		if (!strncmp(l->text + i, key, klen) && l->text[i + klen] == '=')
			return l->text + i + klen + 1;
	return NULL;
}

const char *iscsi_login_status_class(uint16_t status)
{
	switch (status >> 8) {
	case 0:
		return "success";
	case 1:
		return "redirection";
	case 2:
		return "initiator error";
	case 3:
		return "target error";
	}
	return "unknown class";
}
