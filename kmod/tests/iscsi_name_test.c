// SPDX-License-Identifier: GPL-2.0
/* Host unit test of iscsi_name_invalid(), printing TAP. */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "../iscsi_name.h"

static void expect(const char *name, int valid)
{
	const char *why = iscsi_name_invalid(name, strlen(name));

	ok((why == NULL) == valid, "%s '%.60s': %s", valid ? "accepts" : "rejects",
	   name, why ? why : "valid");
}

int main(void)
{
	char long_name[300];
	static const char embedded_nul[] = "iqn.2024-01.org\0x";

	tap_start();
	expect("iqn.2024-01.org.example:disk1", 1);
	expect("iqn.2010-04.org.ipxe:00112233-4455-6677-8899-aabbccddeeff", 1);
	expect("iqn.1991-05.com.microsoft:win-pc42", 1);
	expect("iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test", 1);
	expect("iqn.2024-01.org", 1);
	expect("eui.02004567A425678D", 1);
	expect("naa.52004567BA64678D", 1);
	expect("naa.62004567BA64678D0123456789ABCDEF", 1);
	expect("", 0);
	expect("foo", 0);
	expect("iqn.", 0);
	expect("iqn.2024-13.org.example", 0);
	expect("iqn.2024-00.org.example", 0);
	expect("iqn.24-01.org.example", 0);
	expect("iqn.2024-1.org.example", 0);
	expect("iqn.2024-01:org.example", 0);
	expect("iqn.2024-01.:x", 0);
	expect("iqn.2024-01.org.Example", 0);
	expect("iqn.2024-01.org.example:disk 1", 0);
	expect("iqn.2024-01.org.example:disk/1", 0);
	expect("eui.02004567A425678", 0);
	expect("eui.02004567A425678DX", 0);
	expect("eui.02004567A425678G", 0);
	expect("naa.52004567BA64678D01", 0);
	expect("IQN.2024-01.org.example", 0);

	memcpy(long_name, "iqn.2024-01.org.example:", 24);
	memset(long_name + 24, 'a', 223 - 24);
	long_name[223] = '\0';
	expect(long_name, 1);
	long_name[223] = 'a';
	long_name[224] = '\0';
	expect(long_name, 0);

	ok(iscsi_name_invalid(embedded_nul, sizeof(embedded_nul) - 1),
	   "rejects a name with an embedded NUL");
	return tap_end();
}
