// SPDX-License-Identifier: GPL-2.0
/* Unit tests of daemon/boot/preseed.c: which preseed files a profile takes. TAP. */
#include <string.h>

#include "../boot/preseed.h"
#include "tap.h"

static unsigned int line;

/* The refusal of NUL-terminated @s, or "" when it is taken. */
static const char *refused(const char *s)
{
	const char *why = preseed_refusal(s, strlen(s), &line);

	return why ? why : "";
}

int main(void)
{
	static char big[PRESEED_MAX + 2];

	tap_start();
	ok(!*refused("d-i debian-installer/locale string en_US\n"), "one answer");
	ok(!*refused("# a comment\n\n   \nd-i netcfg/get_hostname string client\n"
		     "d-i passwd/make-user boolean false\n"
		     "d-i preseed/early_command string echo hi > /dev/ttyS0\n"),
	   "comments, blank lines and answers");
	ok(!*refused("d-i mirror/http/proxy string\n"), "an empty value");
	ok(!*refused("d-i mirror/http/proxy string"), "no line break at the end");
	ok(!*refused("d-i partman-auto/expert_recipe string \\\n  boot-root :: \\\n  1 1 1 ext4 .\n"),
	   "a value continued over lines");
	ok(!*refused("d-i\tpasswd/root-password\tpassword\tr00t\r\n"), "tabs and CRLF");
	ok(!*refused("tasksel tasksel/first multiselect standard, ssh-server\n"),
	   "another owner, multiselect");
	ok(!*refused("d-i debian-installer/locale seen true\n"), "the seen flag");
	ok(!*refused("d-i keyboard-configuration/xkb-keymap select fr # café\n"), "UTF-8 text");

	ok(!strcmp(refused(""), "a preseed file has at least one line"), "empty: refused");
	ok(preseed_refusal(NULL, 3, &line) != NULL, "NULL: refused");
	ok(strstr(refused("d-i a/b string x\nd-i a/c strnig y\n"), "unknown debconf type") &&
	   line == 2, "a misspelt type is refused with its line");
	ok(strstr(refused("d-i a/b string x\n\nd-i a/c\n"), "no debconf type") && line == 3,
	   "a line without a type");
	ok(strstr(refused("just-one-word\n"), "owner, question, type") && line == 1,
	   "a line of one word");
	ok(strstr(refused("d-i a/b string x\nd-i a/c string \\\n y\nd-i\n"), "owner") && line == 4,
	   "a line after a continued line is numbered right");
	ok(strstr(refused("d-i a/b string x\nd-i a/c string \\"), "backslash") && line == 2,
	   "a backslash at the very end");
	ok(strstr(refused("d-i a/b string x\x1b[2J\n"), "control character") && line == 1,
	   "an escape sequence");
	ok(strstr(refused("d-i a/b string x\rd-i a/c string y\n"), "control character"),
	   "a carriage return alone");
	ok(strstr(preseed_refusal("d-i a/b string x\0y\n", 19, &line), "NUL") && line == 1,
	   "a NUL byte");
	ok(preseed_refusal("x", 1, NULL) != NULL, "line may be NULL");

	memset(big, '#', sizeof(big));
	ok(!preseed_refusal(big, PRESEED_MAX, &line), "PRESEED_MAX bytes of comment");
	ok(strstr(preseed_refusal(big, PRESEED_MAX + 1, &line), "12 KiB") != NULL, "one byte more");
	return tap_end();
}
