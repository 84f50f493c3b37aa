/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BOOTSAN_CHAP_H
#define BOOTSAN_CHAP_H

#include <linux/types.h>

#define BOOTSAN_CHAP_MD5		5
#define BOOTSAN_CHAP_DIGEST_LEN		16
#define BOOTSAN_CHAP_CHALLENGE_LEN	16

/* MD5(id || secret || challenge), RFC 1994 section 4.1. */
int bootsan_chap_md5(u8 id, const u8 *secret, u32 secret_len,
		     const u8 *challenge, u32 challenge_len, u8 *digest);

#endif /* BOOTSAN_CHAP_H */
