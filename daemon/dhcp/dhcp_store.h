/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DHCP settings in the store: one row of the settings table, key
 * "dhcp", the JSON of dhcp_settings_to_json(). No row: the defaults (off).
 */
#ifndef BOOTSAND_DHCP_STORE_H
#define BOOTSAND_DHCP_STORE_H

#include <stddef.h>

#include "dhcp/dhcp_settings.h"
#include "store/store.h"

/* 0 (the defaults when none are kept), or -errno with the reason in @why. */
int dhcp_store_get(struct store *st, struct dhcp_settings *s, char *why, size_t why_size);
/* 0 or -errno. */
int dhcp_store_put(struct store *st, const struct dhcp_settings *s);

#endif /* BOOTSAND_DHCP_STORE_H */
