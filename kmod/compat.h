/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels bootsan supports (Debian 12's 6.1
 * and 6.12) is resolved here, so the rest of the module is written once.
 *
 * Debian's 6.1 carries many later APIs through stable backports, so a
 * LINUX_VERSION_CODE test at the upstream boundary is often wrong: test
 * for the feature itself where that is possible.
 */
#ifndef BOOTSAN_COMPAT_H
#define BOOTSAN_COMPAT_H

/* 6.12 moved the unaligned helpers out of asm/; 6.1 has only asm/. */
#if __has_include("linux/unaligned.h")
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * Attributes of a dump request: 6.2 put a genl_info into the dump info
 * (genl_info_dump()), which Debian's 6.1 does not have. GENL_SET_ERR_MSG_FMT
 * came with the same genetlink rework and, being a macro, can be tested.
 */
#include <net/genetlink.h>
#ifdef GENL_SET_ERR_MSG_FMT
#define bootsan_dump_attrs(cb)	(genl_info_dump(cb)->attrs)
#else
#define bootsan_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#endif

#endif /* BOOTSAN_COMPAT_H */
