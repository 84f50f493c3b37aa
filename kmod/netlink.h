/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BOOTSAN_NETLINK_H
#define BOOTSAN_NETLINK_H

#include <net/genetlink.h>

extern struct genl_family bootsan_nl_family;

int bootsan_nl_init(void);
void bootsan_nl_exit(void);

#endif /* BOOTSAN_NETLINK_H */
