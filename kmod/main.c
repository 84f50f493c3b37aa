// SPDX-License-Identifier: GPL-2.0
/*
 * bootsan: an in-kernel iSCSI target for diskless network boot.
 *
 * This file holds only the module entry points. The target keeps no
 * configuration of its own: everything is created at run time by userspace
 * (bootsand) over the bootsan generic netlink family, so loading the module
 * starts with nothing and unloading it must tear everything down.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

#include "config.h"
#include "netlink.h"

static int __init bootsan_init(void)
{
	int ret = bootsan_nl_init();

	if (ret)
		return ret;
	pr_info("version %s\n", BOOTSAN_VERSION);
	return 0;
}

static void __exit bootsan_exit(void)
{
	/* No request can arrive once the family is gone; then drop everything. */
	bootsan_nl_exit();
	bootsan_config_clear();
}

module_init(bootsan_init);
module_exit(bootsan_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bootsan: in-kernel iSCSI target for diskless network boot");
MODULE_VERSION(BOOTSAN_VERSION);
