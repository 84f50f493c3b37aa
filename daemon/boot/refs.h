/* SPDX-License-Identifier: GPL-2.0 */
/*
 * References between the boot service's objects: which clients, menus and
 * settings name a profile or an image, checked before one is deleted or
 * named, under one lock.
 */
#ifndef BOOTSAND_REFS_H
#define BOOTSAND_REFS_H

#include <stddef.h>

struct bsd;

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

#endif /* BOOTSAND_REFS_H */
