// SPDX-License-Identifier: GPL-2.0
/* CHAP algorithm choice and mutual CHAP checks; see chap_alg.h. */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include "host_shim.h"
#endif

#include "chap_alg.h"

/* Strongest first: the order bootsan_chap_alg_pick() prefers. */
const struct bootsan_chap_alg bootsan_chap_algs[] = {
	{ BOOTSAN_CHAP_A_SHA3_256, 32, "sha3-256" },
	{ BOOTSAN_CHAP_A_SHA256, 32, "sha256" },
	{ BOOTSAN_CHAP_A_SHA1, 20, "sha1" },
	{ BOOTSAN_CHAP_A_MD5, 16, "md5" },	/* the only one iPXE speaks */
};

const unsigned int bootsan_chap_nr_algs = sizeof(bootsan_chap_algs) /
					  sizeof(bootsan_chap_algs[0]);

const struct bootsan_chap_alg *bootsan_chap_alg_find(unsigned int id)
{
	unsigned int i;

	for (i = 0; i < bootsan_chap_nr_algs; i++)
		if (bootsan_chap_algs[i].id == id)
			return &bootsan_chap_algs[i];
	return NULL;
}

/* The item [start, end) as a number below 256, or -1. */
static int list_item_number(const char *s, u32 start, u32 end)
{
	int v = 0;
	u32 i;

	if (end == start || end - start > 3)
		return -1;
	for (i = start; i < end; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

const struct bootsan_chap_alg *bootsan_chap_alg_pick(const char *list, u32 len,
						     unsigned int usable)
{
	unsigned int listed = 0, i;
	u32 start = 0, end;

	while (start <= len) {
		int v;

		for (end = start; end < len && list[end] != ','; end++)
			;
		v = list_item_number(list, start, end);
		if (v >= 0 && v < 32)
			listed |= BOOTSAN_CHAP_ALG_BIT(v);
		start = end + 1;
	}
	listed &= usable;
	for (i = 0; i < bootsan_chap_nr_algs; i++)
		if (listed & BOOTSAN_CHAP_ALG_BIT(bootsan_chap_algs[i].id))
			return &bootsan_chap_algs[i];
	return NULL;
}

int bootsan_chap_parse_id(const char *value, u32 len, u8 *id)
{
	unsigned int v = 0, base = 10, digit;
	u32 i = 0;

	if (len > 2 && value[0] == '0' && (value[1] == 'x' || value[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len || len - i > 3)
		return -EINVAL;
	for (; i < len; i++) {
		char c = value[i];

		if (c >= '0' && c <= '9')
			digit = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			digit = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			digit = c - 'A' + 10;
		else
			return -EINVAL;
		v = v * base + digit;
	}
	if (v > 255)
		return -EINVAL;
	*id = v;
	return 0;
}

int bootsan_chap_check_peer_challenge(const u8 *c, u32 len, const u8 *ours, u32 ours_len)
{
	if (len < BOOTSAN_CHAP_PEER_CHALLENGE_MIN)
		return -EINVAL;
	if (len == ours_len && !memcmp(c, ours, len))
		return -EACCES;
	return 0;
}
