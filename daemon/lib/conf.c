// SPDX-License-Identifier: GPL-2.0
/* bootsand.conf: splitting "key = value" lines, with bounds (conf.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/conf.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static const struct conf_key *find_key(const struct conf_key *keys, const char *k, size_t klen)
{
	for (; keys->name; keys++)
		if (strlen(keys->name) == klen && !memcmp(keys->name, k, klen))
			return keys;
	return NULL;
}

#define FAIL(...) do { \
		snprintf(err, errlen, "%s:%u: ", file, line); \
		snprintf(err + strlen(err), errlen - strlen(err), __VA_ARGS__); \
		return -1; \
	} while (0)

int conf_parse(const char *text, size_t len, const char *file,
	       const struct conf_key *keys, struct conf_entry *out, size_t max,
	       size_t *n, char *err, size_t errlen)
{
	unsigned int line = 0;
	size_t pos = 0;

	*n = 0;
	if (errlen)
		err[0] = '\0';
	if (len > CONF_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %d bytes", file, CONF_MAX_BYTES);
		return -1;
	}
	while (pos < len) {
		const char *s = text + pos, *eol = memchr(s, '\n', len - pos);
		size_t l = eol ? (size_t)(eol - s) : len - pos;
		size_t a = 0, b, keyend, v, vend;
		const struct conf_key *k;

		pos += l + (eol ? 1 : 0);
		line++;
		if (l && s[l - 1] == '\r')	/* a file edited on Windows */
			l--;
		for (size_t i = 0; i < l; i++)
			if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
				FAIL("a control character (byte 0x%02x) in the line",
				     (unsigned char)s[i]);
		while (a < l && is_blank(s[a]))
			a++;
		if (a == l || s[a] == '#')
			continue;
		b = a;
		while (b < l && s[b] != '=')
			b++;
		if (b == l)
			FAIL("want 'key = value', not '%.*s'", (int)(l - a > 80 ? 80 : l - a), s + a);
		keyend = b;
		while (keyend > a && is_blank(s[keyend - 1]))
			keyend--;
		if (keyend == a)
			FAIL("a value without a key");
		k = find_key(keys, s + a, keyend - a);
		if (!k)
			FAIL("unknown key '%.*s' (the keys are the long options of "
			     "bootsand --help)", (int)(keyend - a > 64 ? 64 : keyend - a), s + a);
		v = b + 1;
		while (v < l && is_blank(s[v]))
			v++;
		vend = l;
		while (vend > v && is_blank(s[vend - 1]))
			vend--;
		if (vend == v)
			FAIL("%s has no value", k->name);
		if (vend - v >= CONF_VALUE_SIZE)
			FAIL("the value of %s is longer than %d bytes", k->name,
			     CONF_VALUE_SIZE - 1);
		if (!k->repeatable)
			for (size_t i = 0; i < *n; i++)
				if (!strcmp(out[i].key, k->name))
					FAIL("%s is given again (first on line %u)", k->name,
					     out[i].line);
		if (*n == max)
			FAIL("more than %zu settings", max);
		snprintf(out[*n].key, sizeof(out[*n].key), "%s", k->name);
		memcpy(out[*n].value, s + v, vend - v);
		out[*n].value[vend - v] = '\0';
		out[*n].line = line;
		(*n)++;
	}
	return 0;
}

int conf_read(const char *path, bool missing_ok, const struct conf_key *keys,
	      struct conf_entry *out, size_t max, size_t *n, char *err, size_t errlen)
{
	size_t len = 0, size = CONF_MAX_BYTES + 1;
	char *buf;
	ssize_t r;
	int fd, rc;

	*n = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && missing_ok)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(size);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	/* One byte more than allowed, so conf_parse() sees a file too large. */
	while (len < size && (r = read(fd, buf + len, size - len)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			free(buf);
			return -1;
		}
		len += (size_t)r;
	}
	close(fd);
	rc = conf_parse(buf, len, path, keys, out, max, n, err, errlen);
	free(buf);
	return rc;
}
