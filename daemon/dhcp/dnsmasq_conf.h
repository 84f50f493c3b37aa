/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dnsmasq's configuration for the DHCP settings: a pure function from the
 * settings (dhcp_settings.h) and the run-time paths to the text of a
 * dnsmasq.conf, tested on the host (tests/dnsmasq_conf_test.c).
 *
 * What it makes dnsmasq answer (doc/dhcp.md):
 *   - a client whose user class is iPXE: http://SERVER:PORT/boot.ipxe;
 *   - UEFI HTTP Boot (vendor class HTTPClient, arch 16): vendor class
 *     HTTPClient back and http://SERVER:PORT/ipxe/ipxe.efi;
 *   - with TFTP on, PXE firmware: undionly.kpxe (arch 0, BIOS) and
 *     snponly.efi (arch 7 and 9, UEFI PXE) from the TFTP root, which holds
 *     those binaries only.
 */
#ifndef BOOTSAND_DNSMASQ_CONF_H
#define BOOTSAND_DNSMASQ_CONF_H

#include <stddef.h>

#include "dhcp/dhcp_settings.h"

struct dnsmasq_paths {
	const char *lease_file;	/* dhcp-leasefile */
	const char *tftp_root;	/* the iPXE binaries only; NULL: no TFTP */
	const char *user;	/* the user dnsmasq drops to */
};

/*
 * Render into @out (@size bytes). 0; -EINVAL with the reason in @why for
 * settings that do not pass dhcp_settings_check(), mode off, or a path
 * that cannot be put in a configuration line; -E2BIG when @out is short.
 */
int dnsmasq_conf_render(const struct dhcp_settings *s, const struct dnsmasq_paths *p,
			char *out, size_t size, char *why, size_t why_size);

#endif /* BOOTSAND_DNSMASQ_CONF_H */
