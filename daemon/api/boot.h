/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The boot service: the public boot endpoints (/boot.ipxe, /boot/ipxe,
 * /boot/pxelinux.cfg/<name>), the assets and settings routes of boot/, and
 * the profiles API (a profile is checked by rendering it). An endpoint
 * parses its request, asks the one boot decision, boot_resolve()
 * (boot_resolve.h, in the way matchbox matches a machine to a profile),
 * and renders the answer (boot_render.h).
 */
#ifndef BOOTSAND_BOOT_H
#define BOOTSAND_BOOT_H

#include <stddef.h>

struct bsd;
struct http;

int boot_add_routes(struct bsd *d, struct http *h);

#endif /* BOOTSAND_BOOT_H */
