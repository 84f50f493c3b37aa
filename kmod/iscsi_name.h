/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iSCSI name validation (RFC 3720 section 3.2.6.3, RFC 7143 section 4.2.7).
 * A pure function over untrusted bytes, built into the module and, for unit
 * tests and fuzzing, into host programs.
 */
#ifndef BOOTSAN_ISCSI_NAME_H
#define BOOTSAN_ISCSI_NAME_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#endif

/* Longest iSCSI name in bytes, without the terminating NUL. */
#define ISCSI_NAME_MAX_LEN	223

/*
 * Check the @len bytes at @name (no NUL needed) against the three iSCSI
 * name forms: "iqn.YYYY-MM.<reversed domain>[:<anything>]", "eui.<16 hex>"
 * and "naa.<16 or 32 hex>". Returns NULL when the name is valid, otherwise
 * a static message saying what is wrong with it.
 */
const char *iscsi_name_invalid(const char *name, size_t len);

#endif /* BOOTSAN_ISCSI_NAME_H */
