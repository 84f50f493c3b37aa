/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * The bootsan generic netlink family: the only interface between
 * bootsan.ko and userspace. Commands and attributes arrive with the
 * control-plane work; the family name and version are fixed now.
 */
#ifndef _UAPI_LINUX_BOOTSAN_H
#define _UAPI_LINUX_BOOTSAN_H

#define BOOTSAN_FAMILY_NAME	"bootsan"
#define BOOTSAN_FAMILY_VERSION	1

#endif /* _UAPI_LINUX_BOOTSAN_H */
