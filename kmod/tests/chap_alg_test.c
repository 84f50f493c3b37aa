// SPDX-License-Identifier: GPL-2.0
/* Host unit test of chap_alg.c, printing TAP. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "../chap_alg.h"

#define ALL (BOOTSAN_CHAP_ALG_BIT(5) | BOOTSAN_CHAP_ALG_BIT(6) | \
	     BOOTSAN_CHAP_ALG_BIT(7) | BOOTSAN_CHAP_ALG_BIT(8))

/* The CHAP_A number picked from @list with the algorithms @usable, 0 for none. */
static int pick(const char *list, unsigned int usable)
{
	const struct bootsan_chap_alg *a = bootsan_chap_alg_pick(list, strlen(list), usable);

	return a ? a->id : 0;
}

static void test_pick(void)
{
	is_int(pick("5", ALL), 5, "iPXE's CHAP_A=5: MD5");
	is_int(pick("7", ALL), 7, "CHAP_A=7: SHA-256");
	is_int(pick("8", ALL), 8, "CHAP_A=8: SHA3-256");
	is_int(pick("6", ALL), 6, "CHAP_A=6: SHA-1");
	is_int(pick("5,6,7,8", ALL), 8, "the strongest listed wins over the initiator's order");
	is_int(pick("5,7", ALL), 7, "SHA-256 over MD5");
	is_int(pick("6,5", ALL), 6, "SHA-1 over MD5");
	is_int(pick("8,7,6,5", ALL & ~BOOTSAN_CHAP_ALG_BIT(8)), 7,
	       "an algorithm the kernel lacks is skipped");
	is_int(pick("8", ALL & ~BOOTSAN_CHAP_ALG_BIT(8)), 0, "nothing usable: none");
	is_int(pick("4,3", ALL), 0, "unknown numbers only: none");
	is_int(pick("", ALL), 0, "an empty list: none");
	is_int(pick(",", ALL), 0, "a lone comma: none");
	is_int(pick("None", ALL), 0, "None: none");
	is_int(pick("x,5", ALL), 5, "a junk item is skipped");
	is_int(pick("05", ALL), 5, "a leading zero is still 5");
	is_int(pick("0005", ALL), 0, "more than three digits is no number of ours");
	is_int(pick("5 ", ALL), 0, "trailing blank: not a number");
	is_int(pick("-5", ALL), 0, "a sign: not a number");
	is_int(pick("261", ALL), 0, "261 is not 5 modulo anything");
	is_int(pick("999,5", ALL), 5, "an out-of-range number is skipped");
	is_int(pick("5,,7", ALL), 7, "an empty item in the middle is skipped");

	/* Only the given bytes are read: "7" followed by more in memory. */
	{
		const struct bootsan_chap_alg *a = bootsan_chap_alg_pick("5,8", 1, ALL);

		ok(a && a->id == 5, "the list ends at its length, not at a NUL");
	}
	ok(bootsan_chap_alg_find(5)->digest_len == 16 && bootsan_chap_alg_find(6)->digest_len == 20 &&
	   bootsan_chap_alg_find(7)->digest_len == 32 && bootsan_chap_alg_find(8)->digest_len == 32,
	   "response lengths follow the digest sizes: 16, 20, 32, 32");
	ok(!strcmp(bootsan_chap_alg_find(8)->hash, "sha3-256") &&
	   !strcmp(bootsan_chap_alg_find(7)->hash, "sha256") &&
	   !strcmp(bootsan_chap_alg_find(6)->hash, "sha1") &&
	   !strcmp(bootsan_chap_alg_find(5)->hash, "md5"), "crypto API names");
	ok(!bootsan_chap_alg_find(4) && !bootsan_chap_alg_find(9), "no other algorithms");
}

static int parse_id(const char *s, int *out)
{
	unsigned char id = 0xee;
	int rc = bootsan_chap_parse_id(s, strlen(s), &id);

	*out = id;
	return rc;
}

static void test_id(void)
{
	int id;

	ok(parse_id("0", &id) == 0 && id == 0, "CHAP_I=0");
	ok(parse_id("255", &id) == 0 && id == 255, "CHAP_I=255");
	ok(parse_id("0xff", &id) == 0 && id == 255, "CHAP_I=0xff");
	ok(parse_id("0X1A", &id) == 0 && id == 26, "CHAP_I=0X1A");
	ok(parse_id("256", &id) == -EINVAL, "CHAP_I=256 is too big");
	ok(parse_id("0x100", &id) == -EINVAL, "CHAP_I=0x100 is too big");
	ok(parse_id("", &id) == -EINVAL, "an empty CHAP_I");
	ok(parse_id("0x", &id) == -EINVAL, "CHAP_I=0x");
	ok(parse_id("12a", &id) == -EINVAL, "CHAP_I=12a");
	ok(parse_id("-1", &id) == -EINVAL, "CHAP_I=-1");
	ok(parse_id("00000001", &id) == -EINVAL, "an overlong CHAP_I");
}

static void test_peer_challenge(void)
{
	unsigned char ours[32], c[32];

	memset(ours, 0x5a, sizeof(ours));
	memset(c, 0x33, sizeof(c));
	is_int(bootsan_chap_check_peer_challenge(c, 15, ours, 32), -EINVAL,
	       "a 15-byte challenge is too short");
	is_int(bootsan_chap_check_peer_challenge(c, 1, ours, 16), -EINVAL,
	       "a 1-byte challenge is too short");
	is_int(bootsan_chap_check_peer_challenge(c, 16, ours, 16), 0,
	       "iPXE's 16-byte challenge is fine");
	is_int(bootsan_chap_check_peer_challenge(c, 32, ours, 32), 0, "a 32-byte challenge is fine");
	is_int(bootsan_chap_check_peer_challenge(ours, 32, ours, 32), -EACCES,
	       "our own challenge reflected is refused");
	is_int(bootsan_chap_check_peer_challenge(ours, 16, ours, 32), 0,
	       "a prefix of ours is a different challenge");
}

int main(void)
{
	tap_start();
	test_pick();
	test_id();
	test_peer_challenge();
	return tap_end();
}
