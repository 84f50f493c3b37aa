// SPDX-License-Identifier: GPL-2.0
/* The DHCP settings' row in the store; see dhcp_store.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/settings_cache.h"
#include "dhcp/dhcp_store.h"

int dhcp_store_get(struct store *st, struct dhcp_settings *s, char *why, size_t why_size)
{
	char text[4096];
	json_t *j;
	int err;

	dhcp_settings_default(s);
	err = settings_cache_get(st, DHCP_SETTINGS_KEY, text, sizeof(text));
	if (err == -ENOENT)
		return 0;
	if (err) {
		snprintf(why, why_size, "reading the DHCP settings: %s", strerror(-err));
		return err;
	}
	j = json_loads(text, 0, NULL);
	if (!j) {
		snprintf(why, why_size, "the stored DHCP settings are not JSON");
		return -EINVAL;
	}
	err = dhcp_settings_apply_json(s, j, why, why_size);
	json_decref(j);
	return err;
}

int dhcp_store_put(struct store *st, const struct dhcp_settings *s)
{
	json_t *j = dhcp_settings_to_json(s);
	char *text;
	int err;

	if (!j)
		return -ENOMEM;
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	if (!text)
		return -ENOMEM;
	err = settings_cache_set(st, DHCP_SETTINGS_KEY, text);
	free(text);
	return err;
}
