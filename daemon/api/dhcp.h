/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GET|PUT|PATCH /api/v1/dhcp (the DHCP settings, dhcp_settings.h) and
 * GET /api/v1/dhcp/status (the dnsmasq bootsand runs for them), and the
 * iPXE binaries at /ipxe/<name>.
 */
#ifndef BOOTSAND_API_DHCP_H
#define BOOTSAND_API_DHCP_H

struct bsd;
struct http;

int dhcp_add_routes(struct bsd *d, struct http *h);

#endif /* BOOTSAND_API_DHCP_H */
