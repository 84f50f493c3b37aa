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

#include <linux/version.h>

/* 6.12 moved the unaligned helpers out of asm/; 6.1 has only asm/. */
#if __has_include("linux/unaligned.h")
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

#endif /* BOOTSAN_COMPAT_H */
