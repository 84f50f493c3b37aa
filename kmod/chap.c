// SPDX-License-Identifier: GPL-2.0
/* The CHAP response function, with the kernel's hashes. */
#include <crypto/hash.h>
#include <linux/err.h>

#include "chap.h"

int bootsan_chap_response(const struct bootsan_chap_alg *alg, u8 id, const u8 *secret,
			  u32 secret_len, const u8 *challenge, u32 challenge_len, u8 *digest)
{
	struct crypto_shash *tfm;
	int ret;

	tfm = crypto_alloc_shash(alg->hash, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	if (crypto_shash_digestsize(tfm) != alg->digest_len) {
		crypto_free_shash(tfm);
		return -EINVAL;
	}
	{
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		ret = crypto_shash_init(desc) ?:
		      crypto_shash_update(desc, &id, 1) ?:
		      crypto_shash_update(desc, secret, secret_len) ?:
		      crypto_shash_update(desc, challenge, challenge_len) ?:
		      crypto_shash_final(desc, digest);
		shash_desc_zero(desc);
	}
	crypto_free_shash(tfm);
	return ret;
}

/*
 * Asked per CHAP login, not cached: a hash module (sha3_generic) may be
 * loaded later, and crypto_has_shash() loads it on demand.
 */
unsigned int bootsan_chap_usable_algs(void)
{
	unsigned int i, mask = 0;

	for (i = 0; i < bootsan_chap_nr_algs; i++)
		if (crypto_has_shash(bootsan_chap_algs[i].hash, 0, 0))
			mask |= BOOTSAN_CHAP_ALG_BIT(bootsan_chap_algs[i].id);
	return mask;
}
