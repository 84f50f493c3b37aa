/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel names the pure parsers (scsi.c, pr.c, iscsi_text.c,
 * iscsi_name.c, chap_alg.c, pdu_check.c, tsih.c) use, for their host
 * builds only: the unit tests and fuzzers in kmod/tests. The module never
 * includes it; there the kernel's own headers give the same names.
 */
#ifndef BOOTSAN_HOST_SHIM_H
#define BOOTSAN_HOST_SHIM_H

#ifdef __KERNEL__
#error "host_shim.h is for host builds; the kernel has these names"
#endif

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

/* A host program may have its own. */
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof(*(a)))
#endif

static inline u16 get_unaligned_be16(const void *p)
{
	const u8 *b = p;

	return (u16)(b[0] << 8 | b[1]);
}

static inline u32 get_unaligned_be32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static inline u64 get_unaligned_be64(const void *p)
{
	const u8 *b = p;

	return (u64)get_unaligned_be32(b) << 32 | get_unaligned_be32(b + 4);
}

static inline void put_unaligned_be16(u16 v, void *p)
{
	u8 *b = p;

	b[0] = v >> 8;
	b[1] = v;
}

static inline void put_unaligned_be32(u32 v, void *p)
{
	u8 *b = p;

	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

static inline void put_unaligned_be64(u64 v, void *p)
{
	put_unaligned_be32(v >> 32, p);
	put_unaligned_be32(v, (u8 *)p + 4);
}

#endif /* BOOTSAN_HOST_SHIM_H */
