/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The boot service: the public boot endpoints (/boot.ipxe, /boot/ipxe,
 * /boot/pxelinux.cfg/<name>) and the clients and profiles API. An endpoint
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

/*
 * What refers to profile / image @name: clients, menus and settings, as
 * "client a, menu b, setting default_profile" in @out (at least 16 bytes;
 * a long list ends in "..."). The number of them, or -errno.
 */
int boot_profile_users(struct bsd *d, const char *name, char *out, size_t size);
int boot_image_users(struct bsd *d, const char *name, char *out, size_t size);
/*
 * Held from such a check to the write it allows (DELETE of an image, a
 * client naming one), so that checks and writes of the API do not race.
 */
void boot_refs_lock(void);
void boot_refs_unlock(void);
/* OpenAPI "paths" of those routes, as JSON object text. */
const char *boot_openapi_paths(void);

#endif /* BOOTSAND_BOOT_H */
