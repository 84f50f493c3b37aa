/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iSCSI header and data digests: CRC32C (RFC 7143 12.1), with the
 * kernel's crc32c through the crypto API, which loads crc32c_generic (or
 * the CPU's own) on demand: bootsan.ko itself needs no other module.
 */
#ifndef BOOTSAN_DIGEST_H
#define BOOTSAN_DIGEST_H

#include <linux/types.h>

struct bootsan_buf;

#define BOOTSAN_DIGEST_LEN	4
#define BOOTSAN_CRC_SEED	(~0u)

/* Can we compute digests? Loads crc32c the first time; may sleep. */
bool bootsan_digest_available(void);
void bootsan_digest_exit(void);

/* Running CRC32C: start with BOOTSAN_CRC_SEED, feed pieces in order. */
u32 bootsan_crc32c(u32 crc, const void *data, size_t len);
u32 bootsan_crc32c_buf(u32 crc, struct bootsan_buf *buf, size_t off, size_t len);
/* The four bytes that go on the wire for a running CRC. */
void bootsan_digest_put(u32 crc, u8 *out);

#endif /* BOOTSAN_DIGEST_H */
