// SPDX-License-Identifier: GPL-2.0
/*
 * The boot script and the module take the same iSCSI names: a name the
 * renderer writes into a sanboot script (boot_client_iqns) is one the
 * module's iscsi_name_invalid() accepts, and the other way round. A name
 * only one side took would give a machine a script for a target the
 * kernel refuses to create. TAP.
 */
#include <stdio.h>
#include <string.h>

#include "../../kmod/iscsi_name.h"
#include "boot/boot_render.h"
#include "tap.h"

static const struct {
	const char *name;
	bool good;
} names[] = {
	{ "iqn.2026-01.org.bootsan:pc1", true },
	{ "iqn.2026-01.org.bootsan:pc1:initiator", true },
	{ "iqn.1994-05.com.redhat:0a1b2c3d", true },
	{ "iqn.2026-12.x", true },
	{ "eui.0123456789abcdef", true },
	{ "eui.0123456789ABCDEF", true },
	{ "naa.0123456789abcdef", true },
	{ "naa.0123456789abcdef0123456789abcdef", true },
	{ "", false },
	{ "iqn.", false },
	{ "iqn.x", false },
	{ "iqn.bootsan:pc1", false },
	{ "iqn.26-01.org.bootsan", false },
	{ "iqn.2026-1.org.bootsan", false },
	{ "iqn.2026-00.org.bootsan", false },
	{ "iqn.2026-13.org.bootsan", false },
	{ "iqn.2026-01org.bootsan", false },
	{ "iqn.2026-01.:pc1", false },
	{ "iqn.2026-01..bootsan", false },
	{ "iqn.2026-01.Org.bootsan", false },
	{ "iqn.2026-01.org.bootsan:PC1", false },
	{ "IQN.2026-01.org.bootsan", false },
	{ "iqn.2026-01.org.boot_san", false },
	{ "iqn.2026-01.org.bootsan:pc 1", false },
	{ "eui.0123456789abcde", false },
	{ "eui.0123456789abcdef0", false },
	{ "eui.0123456789abcdeg", false },
	{ "eui.anything-at-all", false },
	{ "naa.0123456789abcdef01", false },
	{ "naa.0123456789abcdef0123456789abcdeX", false },
	{ "iscsi.2026-01.org.bootsan", false },
	{ "-iqn.2026-01.org.bootsan", false },
};

/* Does the renderer take @name as both IQNs of a sanboot client? */
static bool renderer_takes(const char *name)
{
	struct boot_client c = {
		.name = "pc1", .initiator_iqn = name, .target_iqn = name,
	};
	char initiator[BOOT_IQN_MAX + 1], target[BOOT_IQN_MAX + 1];

	/* An empty given IQN means "the default": none without a prefix. */
	return !boot_client_iqns(&c, initiator, target);
}

static void agree(const char *name, bool good)
{
	bool kmod = !iscsi_name_invalid(name, strlen(name));
	bool render = renderer_takes(name);

	ok(kmod == good && render == good, "%s: %.40s%s (module %s, renderer %s)",
	   good ? "good" : "bad", name, strlen(name) > 40 ? "..." : "",
	   kmod ? "takes it" : "refuses", render ? "takes it" : "refuses");
}

int main(void)
{
	char longest[BOOT_IQN_MAX + 2];
	size_t n = strlen("iqn.2026-01.org.bootsan:");

	tap_start();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		agree(names[i].name, names[i].good);
	/* The longest name either side takes is 223 bytes. */
	memcpy(longest, "iqn.2026-01.org.bootsan:", n);
	memset(longest + n, 'a', BOOT_IQN_MAX - n);
	longest[BOOT_IQN_MAX] = '\0';
	agree(longest, true);
	longest[BOOT_IQN_MAX] = 'a';
	longest[BOOT_IQN_MAX + 1] = '\0';
	agree(longest, false);
	return tap_end();
}
