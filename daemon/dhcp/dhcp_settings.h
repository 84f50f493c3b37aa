/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the admin sets for the DHCP side of network boot (doc/dhcp.md):
 * whether bootsand's dnsmasq answers at all, as the link's only DHCP server
 * (full) or next to the site's own (proxy), on which interface, and which
 * addresses it hands out. Kept as one JSON text in the store's settings
 * table under the key "dhcp"; read and checked here, used by
 * dnsmasq_conf.c (the configuration) and dhcp_run.c (the process).
 */
#ifndef BOOTSAND_DHCP_SETTINGS_H
#define BOOTSAND_DHCP_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define DHCP_SETTINGS_KEY "dhcp"
#define DHCP_IFNAME_SIZE 16	/* IFNAMSIZ */
#define DHCP_ADDR_SIZE 16	/* dotted IPv4 and its NUL */

enum dhcp_mode {
	DHCP_MODE_OFF,		/* no dnsmasq: the site's DHCP does it all */
	DHCP_MODE_FULL,		/* addresses and boot information */
	DHCP_MODE_PROXY,	/* boot information only (ProxyDHCP, PXE spec) */
};

struct dhcp_settings {
	enum dhcp_mode mode;
	char interface[DHCP_IFNAME_SIZE];
	/* Where clients reach bootsand's HTTP service: the boot URLs. */
	char server_address[DHCP_ADDR_SIZE];
	uint16_t http_port;
	/* full: the pool, its netmask ("" = the interface's), router ("" = none). */
	char range_start[DHCP_ADDR_SIZE];
	char range_end[DHCP_ADDR_SIZE];
	char netmask[DHCP_ADDR_SIZE];
	char router[DHCP_ADDR_SIZE];
	uint32_t lease_seconds;
	/* proxy: the site's subnet the clients get addresses in, and its netmask. */
	char proxy_subnet[DHCP_ADDR_SIZE];
	/*
	 * Serve the iPXE binaries (and nothing else) over TFTP for firmware
	 * that can only PXE: BIOS ROMs and UEFI PXE. UEFI HTTP Boot needs none.
	 */
	bool tftp;
};

/* The defaults: off, port 8080, one-hour leases, TFTP on. */
void dhcp_settings_default(struct dhcp_settings *s);

const char *dhcp_mode_name(enum dhcp_mode m);

/*
 * Apply the members of the JSON object @patch onto @s: every member
 * replaces that field, unknown members and wrong types are refused.
 * 0, or -EINVAL with the reason in @why. Does not check that the
 * result is usable (dhcp_settings_check()).
 */
int dhcp_settings_apply_json(struct dhcp_settings *s, const json_t *patch,
			     char *why, size_t why_size);

/* @s as a JSON object (new reference). */
json_t *dhcp_settings_to_json(const struct dhcp_settings *s);

/*
 * Is @s complete and sane for its mode: addresses are dotted IPv4, the
 * interface a plain name, the fields the mode needs are there. 0, or
 * -EINVAL with the reason in @why.
 */
int dhcp_settings_check(const struct dhcp_settings *s, char *why, size_t why_size);

#endif /* BOOTSAND_DHCP_SETTINGS_H */
