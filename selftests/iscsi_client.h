/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A raw iSCSI initiator's wire helpers, for the programs that speak PDUs
 * themselves (pdu_reject, session_storm): big-endian fields, whole PDUs
 * over a blocking TCP socket, and a login to the full feature phase.
 */
#ifndef BOOTSAN_ISCSI_CLIENT_H
#define BOOTSAN_ISCSI_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#define BHS		48
#define OP_NOP_OUT	0x00
#define OP_SCSI_CMD	0x01
#define OP_TMF		0x02
#define OP_LOGIN	0x03
#define OP_TEXT		0x04
#define OP_DATA_OUT	0x05
#define OP_LOGOUT	0x06
#define OP_SNACK	0x10
#define OP_IMMEDIATE	0x40
#define OP_NOP_IN	0x20
#define OP_SCSI_RSP	0x21
#define OP_LOGIN_RSP	0x23
#define OP_LOGOUT_RSP	0x26
#define OP_ASYNC	0x32
#define OP_REJECT	0x3f

/* The tag that means "none" (ITT of an unsolicited PDU, TTT of no ping). */
#define TAG_NONE	0xffffffffu

static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* DataSegmentLength of a header. */
static inline uint32_t dsl_of(const uint8_t *h)
{
	return (uint32_t)h[5] << 16 | (uint32_t)h[6] << 8 | h[7];
}

/* A connected TCP socket (Nagle off, receives time out after @timeout_s); -1 and errno. */
int tcp_connect(const char *addr, int port, int timeout_s);
/* The same with a receive buffer of @rcvbuf bytes (0: the default), for peers that read slowly. */
int tcp_connect_rcvbuf(const char *addr, int port, int timeout_s, int rcvbuf);
/*
 * The same from local address @src (NULL: the kernel's choice): a second
 * source address on one host, e.g. 127.0.0.2 on the loopback device.
 */
int tcp_connect_from(const char *src, const char *addr, int port, int timeout_s);
/* 0, or -1 and errno. */
int write_all(int fd, const void *buf, size_t len);
/* 0, -ECONNRESET when the peer closed, or -errno. */
int read_all(int fd, void *buf, size_t len);

/* Send header @h with @len bytes of @data (zeros when NULL) and padding. */
int send_pdu(int fd, uint8_t *h, const void *data, uint32_t len);
/*
 * Receive one PDU: its header into @h, the first @cap bytes of its data
 * segment into @data; the rest and the padding are read and dropped.
 * 0, -ECONNRESET when the peer closed, or -errno.
 */
int read_pdu(int fd, uint8_t *h, uint8_t *data, uint32_t cap);

/*
 * A login without authentication, as an initiator does it (a normal
 * session, or a discovery session when .discovery is set): the security
 * stage, then the operational stage with the usual keys (no digests, the
 * RFC 7143 defaults at ErrorRecoveryLevel 0), then the full feature phase.
 */
struct iscsi_login {
	const char *initiator;		/* InitiatorName */
	const char *target;		/* TargetName; unused for discovery */
	int discovery;			/* SessionType=Discovery, no TargetName */
	uint8_t isid[6];
	uint16_t tsih;			/* 0 for a new session */
	const char *digest;		/* Header/DataDigest to ask for; NULL: None */
	/* What the last Login Response said. */
	uint16_t status;		/* class << 8 | detail */
	uint32_t exp_stat_sn;		/* its StatSN + 1 */
	uint32_t exp_cmd_sn;
	uint32_t max_cmd_sn;
	uint32_t text_len;		/* its keys, NUL-separated and NUL-terminated */
	char text[8192];
};

/*
 * 0 in the full feature phase; the status (> 0) when the target refused;
 * -errno when the connection broke or the target broke the protocol.
 */
int iscsi_login(int fd, struct iscsi_login *l);
/* The value of @key in the last Login Response's text, or NULL. */
const char *iscsi_login_key(const struct iscsi_login *l, const char *key);
/* What a login status class means, in a few words. */
const char *iscsi_login_status_class(uint16_t status);

#endif
