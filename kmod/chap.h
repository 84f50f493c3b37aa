/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BOOTSAN_CHAP_H
#define BOOTSAN_CHAP_H

#include <linux/types.h>

#include "chap_alg.h"

/* HASH(id || secret || challenge), RFC 1994 section 4.1, into alg->digest_len bytes. */
int bootsan_chap_response(const struct bootsan_chap_alg *alg, u8 id, const u8 *secret,
			  u32 secret_len, const u8 *challenge, u32 challenge_len, u8 *digest);

/* The algorithms the running kernel can compute, as BOOTSAN_CHAP_ALG_BIT()s. */
unsigned int bootsan_chap_usable_algs(void);

#endif /* BOOTSAN_CHAP_H */
