/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CHAP in the iSCSI security stage (RFC 7143 section 12.1.3, the algorithm
 * numbers of IANA's PPP registry): which algorithm to use from an
 * initiator's CHAP_A list, and the checks on what an initiator sends for
 * mutual CHAP. Pure functions over untrusted bytes, built into the module
 * and, for unit tests, into host programs.
 */
#ifndef BOOTSAN_CHAP_ALG_H
#define BOOTSAN_CHAP_ALG_H

#include "iscsi_text.h"

#define BOOTSAN_CHAP_A_MD5		5
#define BOOTSAN_CHAP_A_SHA1		6
#define BOOTSAN_CHAP_A_SHA256		7
#define BOOTSAN_CHAP_A_SHA3_256		8

/* The largest digest of any algorithm we offer, and so of any challenge. */
#define BOOTSAN_CHAP_DIGEST_MAX		32
/* The shortest challenge an initiator may send for mutual CHAP. */
#define BOOTSAN_CHAP_PEER_CHALLENGE_MIN	16
/* The longest one we decode (what LIO and open-iscsi allow). */
#define BOOTSAN_CHAP_PEER_CHALLENGE_MAX	1024

struct bootsan_chap_alg {
	u8 id;			/* the CHAP_A number */
	u8 digest_len;		/* response length, also our challenge length */
	const char *hash;	/* the kernel crypto API's name */
};

/* The bit of @id in a mask of usable algorithms. */
#define BOOTSAN_CHAP_ALG_BIT(id)	(1u << (id))

/*
 * The strongest algorithm of @usable (a mask of BOOTSAN_CHAP_ALG_BIT) that
 * the comma-separated CHAP_A list of @len bytes at @list names: SHA3-256,
 * then SHA-256, SHA-1, MD5, whatever the initiator's order. Items that are
 * not plain decimal numbers of ours are skipped. NULL when none fits.
 */
const struct bootsan_chap_alg *bootsan_chap_alg_pick(const char *list, u32 len,
						     unsigned int usable);

/* The algorithm numbered @id, or NULL. */
const struct bootsan_chap_alg *bootsan_chap_alg_find(unsigned int id);

/* Every algorithm we know, for probing which ones the kernel has. */
extern const struct bootsan_chap_alg bootsan_chap_algs[];
extern const unsigned int bootsan_chap_nr_algs;

/*
 * CHAP_I: a decimal or "0x" hexadecimal number 0 to 255 of @len bytes at
 * @value. Returns 0 with *@id set, or -EINVAL.
 */
int bootsan_chap_parse_id(const char *value, u32 len, u8 *id);

/*
 * Check the challenge @c of @len bytes an initiator sent (CHAP_C) for mutual
 * CHAP against our own @ours of @ours_len: -EINVAL when shorter than
 * BOOTSAN_CHAP_PEER_CHALLENGE_MIN bytes, -EACCES when it reflects ours (we
 * would answer our own question), else 0.
 */
int bootsan_chap_check_peer_challenge(const u8 *c, u32 len, const u8 *ours, u32 ours_len);

#endif /* BOOTSAN_CHAP_ALG_H */
