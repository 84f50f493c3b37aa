/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The boot service: the public boot endpoints (/boot.ipxe, /boot/ipxe)
 * that match a client to a profile and render its script
 * (boot_render.h), and the clients and profiles API. A thin layer over
 * one core, boot_resolve(), in the way matchbox does it.
 */
#ifndef BOOTSAND_BOOT_H
#define BOOTSAND_BOOT_H

struct bsd;
struct http;

int boot_add_routes(struct bsd *d, struct http *h);
/* OpenAPI "paths" of those routes, as JSON object text. */
const char *boot_openapi_paths(void);

#endif /* BOOTSAND_BOOT_H */
