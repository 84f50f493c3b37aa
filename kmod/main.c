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
#include "digest.h"
#include "engine.h"
#include "netlink.h"

struct workqueue_struct *bootsan_wq;
struct workqueue_struct *bootsan_io_wq;

static int __init bootsan_init(void)
{
	int ret;

	/*
	 * Unbound: a connection's work item may sleep in file I/O or on a
	 * full socket, and must not hold up the others on its CPU.
	 */
	bootsan_wq = alloc_workqueue("bootsan", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!bootsan_wq)
		return -ENOMEM;
	/*
	 * Commands' backend I/O, apart from the connections' work items: a
	 * connection waiting for its socket never holds up a command's I/O,
	 * nor the reverse. The pool grows with the commands in flight, each
	 * bounded by its session's CmdSN window.
	 */
	bootsan_io_wq = alloc_workqueue("bootsan_io", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!bootsan_io_wq) {
		destroy_workqueue(bootsan_wq);
		return -ENOMEM;
	}
	ret = bootsan_nl_init();
	if (ret) {
		destroy_workqueue(bootsan_io_wq);
		destroy_workqueue(bootsan_wq);
		return ret;
	}
	pr_info("version %s\n", BOOTSAN_VERSION);
	return 0;
}

static void __exit bootsan_exit(void)
{
	/*
	 * Stop accepting, end every connection (their session-down events
	 * still go out), then close the family and drop the configuration.
	 */
	bootsan_portals_stop_all();
	bootsan_conns_shutdown_all();
	bootsan_nl_exit();
	bootsan_config_clear();
	destroy_workqueue(bootsan_io_wq);
	destroy_workqueue(bootsan_wq);
	bootsan_digest_exit();
}

module_init(bootsan_init);
module_exit(bootsan_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("bootsan: in-kernel iSCSI target for diskless network boot");
MODULE_VERSION(BOOTSAN_VERSION);
