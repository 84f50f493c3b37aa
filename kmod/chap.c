// SPDX-License-Identifier: GPL-2.0
/* The CHAP response function, with the kernel's MD5. */
#include <crypto/hash.h>
#include <linux/err.h>

#include "chap.h"

int bootsan_chap_md5(u8 id, const u8 *secret, u32 secret_len,
		     const u8 *challenge, u32 challenge_len, u8 *digest)
{
	struct crypto_shash *tfm;
	int ret;

	tfm = crypto_alloc_shash("md5", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
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
