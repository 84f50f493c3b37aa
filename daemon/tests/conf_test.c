// SPDX-License-Identifier: GPL-2.0
/* Unit tests of the bootsand.conf parser (lib/conf.c). TAP on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/conf.h"
#include "tap.h"

static const struct conf_key keys[] = {
	{ "listen", true },
	{ "state-dir", false },
	{ "log-level", false },
	{ NULL, false },
};

static struct conf_entry e[CONF_MAX_ENTRIES];
static size_t n;
static char err[512];

static int parse(const char *text)
{
	return conf_parse(text, strlen(text), "t.conf", keys, e, CONF_MAX_ENTRIES, &n,
			  err, sizeof(err));
}

/* @text is refused with an error naming @where and containing @what. */
static void refused(const char *text, const char *where, const char *what, const char *name)
{
	int rc = parse(text);

	ok(rc == -1 && !strncmp(err, where, strlen(where)) && strstr(err, what),
	   "%s is refused: %s", name, err);
}

int main(void)
{
	char *big;

	tap_start();
	is_int(parse(""), 0, "an empty file is fine");
	is_int((int)n, 0, "and has no settings");
	is_int(parse("# only a comment\n\n   \n\t# indented comment\n"), 0,
	       "comments and blank lines");
	is_int((int)n, 0, "are skipped");

	is_int(parse("state-dir = /srv/bootsan\nlisten=0.0.0.0:80\n  listen =  [::]:8080  \r\n"
		     "log-level\t=\tdebug"), 0, "settings, spaced or not, CRLF, no last newline");
	ok(n == 4, "four of them (%zu)", n);
	ok(!strcmp(e[0].key, "state-dir") && !strcmp(e[0].value, "/srv/bootsan") &&
	   e[0].line == 1, "first: key, value, line");
	ok(!strcmp(e[2].key, "listen") && !strcmp(e[2].value, "[::]:8080") && e[2].line == 3,
	   "blanks and CR around a value are trimmed");
	ok(!strcmp(e[3].value, "debug") && e[3].line == 4, "tabs too");
	is_int(parse("state-dir = /a b/c = d\n"), 0, "blanks and '=' inside a value");
	ok(n == 1 && !strcmp(e[0].value, "/a b/c = d"), "are kept");

	refused("\n\nnonsense\n", "t.conf:3: ", "want 'key = value'", "a line without '='");
	refused("colour = blue\n", "t.conf:1: ", "unknown key 'colour'", "an unknown key");
	refused("state-dir =   \n", "t.conf:1: ", "state-dir has no value", "an empty value");
	refused(" = x\n", "t.conf:1: ", "without a key", "a value without a key");
	refused("state-dir = /a\n#\nstate-dir = /b\n", "t.conf:3: ", "first on line 1",
		"a setting given twice");
	refused("log-level = info\x01\n", "t.conf:1: ", "control character", "a control byte");
	{
		char nul[] = "log-level = in\0fo\n";

		ok(conf_parse(nul, sizeof(nul) - 1, "t.conf", keys, e, CONF_MAX_ENTRIES, &n,
			      err, sizeof(err)) == -1 && strstr(err, "0x00"),
		   "a NUL byte is refused: %s", err);
	}

	big = malloc(CONF_MAX_BYTES + 2);
	if (!big)
		return 1;
	memset(big, '#', CONF_MAX_BYTES + 1);
	big[CONF_MAX_BYTES + 1] = '\0';
	ok(parse(big) == -1 && strstr(err, "larger than"), "a file too large: %s", err);
	memcpy(big, "state-dir = ", 12);
	memset(big + 12, 'x', CONF_VALUE_SIZE);
	big[12 + CONF_VALUE_SIZE] = '\0';
	refused(big, "t.conf:1: ", "longer than", "a value too long");
	memset(big + 12, 'x', CONF_VALUE_SIZE - 1);
	big[12 + CONF_VALUE_SIZE - 1] = '\0';
	is_int(parse(big), 0, "the longest value fits");
	big[0] = '\0';
	for (int i = 0; i <= CONF_MAX_ENTRIES; i++)
		strcat(big, "listen = 127.0.0.1:1\n");
	refused(big, "t.conf:65: ", "more than 64", "too many settings");
	free(big);

	{
		char path[] = "/tmp/bootsand-conf-test.XXXXXX";
		int fd = mkstemp(path);

		ok(fd >= 0 && write(fd, "listen = 1.2.3.4:5\nbad\n", 23) == 23, "(a file)");
		if (fd >= 0)
			close(fd);
		ok(conf_read(path, false, keys, e, CONF_MAX_ENTRIES, &n, err, sizeof(err)) == -1 &&
		   strstr(err, path) && strstr(err, ":2: "), "conf_read names file:line: %s", err);
		unlink(path);
		is_int(conf_read(path, true, keys, e, CONF_MAX_ENTRIES, &n, err, sizeof(err)), 0,
		       "a missing file is fine when allowed");
		ok(conf_read(path, false, keys, e, CONF_MAX_ENTRIES, &n, err, sizeof(err)) == -1 &&
		   strstr(err, "No such file"), "and an error otherwise: %s", err);
	}
	return tap_end();
}
