// SPDX-License-Identifier: GPL-2.0
/* CRC32C digests of iSCSI PDUs: over flat buffers and over command pages. */
#include <crypto/hash.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>

#include "digest.h"
#include "engine.h"

/* One transform for every connection: shash transforms are reentrant. */
static struct crypto_shash *crc32c_tfm;
static DEFINE_MUTEX(crc32c_tfm_lock);
/* A failed load (no crc32c module) is retried once a minute, not per login. */
static unsigned long crc32c_retry;

bool bootsan_digest_available(void)
{
	struct crypto_shash *tfm;

	if (READ_ONCE(crc32c_tfm))
		return true;
	mutex_lock(&crc32c_tfm_lock);
	if (!crc32c_tfm && (!crc32c_retry || time_after(jiffies, crc32c_retry))) {
		crc32c_retry = jiffies + 60 * HZ;
		tfm = crypto_alloc_shash("crc32c", 0, 0);
		if (!IS_ERR(tfm))	/* published whole: readers skip the lock */
			smp_store_release(&crc32c_tfm, tfm);
	}
	mutex_unlock(&crc32c_tfm_lock);
	return crc32c_tfm;
}

void bootsan_digest_exit(void)
{
	if (crc32c_tfm)
		crypto_free_shash(crc32c_tfm);
	crc32c_tfm = NULL;
}

/*
 * The crc32c transform keeps the running CRC as the u32 of its context
 * (as lib/libcrc32c.c relies on too), so a CRC can be carried across
 * pieces without keeping a descriptor around.
 */
u32 bootsan_crc32c(u32 crc, const void *data, size_t len)
{
	/* Pairs with the release in bootsan_digest_available(). */
	struct crypto_shash *tfm = smp_load_acquire(&crc32c_tfm);
	SHASH_DESC_ON_STACK(desc, tfm);

	desc->tfm = tfm;
	*(u32 *)shash_desc_ctx(desc) = crc;
	crypto_shash_update(desc, data, len);
	return *(u32 *)shash_desc_ctx(desc);
}

/* CRC of [off, off + len) of a command buffer (no bvec crosses a page). */
u32 bootsan_crc32c_buf(u32 crc, struct bootsan_buf *buf, size_t off, size_t len)
{
	unsigned int i;

	for (i = 0; i < buf->nr_pages && len; i++) {
		const struct bio_vec *bv = &buf->bvec[i];
		size_t n;
		u8 *p;

		if (off >= bv->bv_len) {
			off -= bv->bv_len;
			continue;
		}
		n = min_t(size_t, bv->bv_len - off, len);
		p = kmap_local_page(bv->bv_page);
		crc = bootsan_crc32c(crc, p + bv->bv_offset + off, n);
		kunmap_local(p);
		len -= n;
		off = 0;
	}
	return crc;
}

/* RFC 7143 sends the complemented CRC least significant byte first. */
void bootsan_digest_put(u32 crc, u8 *out)
{
	__le32 v = cpu_to_le32(~crc);

	memcpy(out, &v, sizeof(v));
}
