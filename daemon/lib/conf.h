/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bootsand.conf: one "key = value" a line, '#' starts a comment line, blank
 * lines are skipped. The keys are the long command-line options' names
 * (listen = 0.0.0.0:8080 is --listen 0.0.0.0:8080); main.c checks each
 * value as it checks the flag. This parser only splits and bounds: it never
 * reads the file itself (conf_read() does) and touches nothing else.
 */
#ifndef BOOTSAND_CONF_H
#define BOOTSAND_CONF_H

#include <stdbool.h>
#include <stddef.h>

#define CONF_DEFAULT_PATH "/etc/bootsan/bootsand.conf"
#define CONF_MAX_BYTES	65536	/* a larger file is refused */
#define CONF_MAX_ENTRIES 64
#define CONF_KEY_SIZE	32
#define CONF_VALUE_SIZE	1024	/* a PATH_MAX-ish path fits */

struct conf_key {
	const char *name;
	bool repeatable;	/* may appear on several lines (listen) */
};

struct conf_entry {
	char key[CONF_KEY_SIZE];
	char value[CONF_VALUE_SIZE];
	unsigned int line;
};

/*
 * Split @len bytes of @text into entries, in file order. @keys ends with a
 * { NULL } entry; an unknown key, a line without '=', an empty value, a
 * value too long, a control byte, a non-repeatable key given twice or more
 * than @max entries is an error: -1 with "FILE:LINE: what" in @err (@file is
 * only used in messages). 0 and *@n entries otherwise.
 */
int conf_parse(const char *text, size_t len, const char *file,
	       const struct conf_key *keys, struct conf_entry *out, size_t max,
	       size_t *n, char *err, size_t errlen);

/*
 * Read @path and conf_parse() it. A missing file is 0 with *@n = 0 when
 * @missing_ok, an error otherwise.
 */
int conf_read(const char *path, bool missing_ok, const struct conf_key *keys,
	      struct conf_entry *out, size_t max, size_t *n, char *err, size_t errlen);

#endif /* BOOTSAND_CONF_H */
