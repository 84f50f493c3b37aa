// SPDX-License-Identifier: GPL-2.0
/* Unit tests of profile_fields.c: the fields each kind of profile takes. TAP. */
#include <string.h>

#include "boot/profile_fields.h"
#include "tap.h"

/* The path of the first unknown field of @json for @kind, or "" when none. */
static const char *unknown(const char *kind, const char *json, char *field)
{
	static char path[128];
	json_t *body = json_loads(json, 0, NULL);
	int rc;

	field[0] = path[0] = '\0';
	rc = profile_unknown_field(kind, body, field, 64, path, sizeof(path));
	json_decref(body);
	if (!rc && (field[0] || path[0]))
		return "(0 but a path)";
	return rc ? path : "";
}

int main(void)
{
	char field[64];

	tap_start();
	ok(!strcmp(unknown("linux", "{\"kernel\": \"k\", \"args\": \"a\", \"initrds\": [\"i\"],"
			   " \"title\": \"t\", \"raw_ipxe\": true, \"selector\": {\"gpu\": \"x\"}}",
			   field), ""), "linux: every field it takes");
	ok(!strcmp(unknown("linux", "{\"kernel\": \"k\", \"cmdline\": \"quiet\"}", field), "cmdline") &&
	   !strcmp(field, "cmdline"), "linux: a misspelt args is named");
	ok(!strcmp(unknown("linux", "{\"kernel\": \"k\", \"url\": \"http://x\"}", field), "url"),
	   "linux: another kind's field is refused");
	ok(!strcmp(unknown("linux", "{\"kernel\": {\"path\": \"k\", \"name\": \"vmlinuz\"}}", field),
		   ""), "linux: a file object with path and name");
	ok(!strcmp(unknown("linux", "{\"kernel\": {\"path\": \"k\", \"size\": 1}}", field),
		   "kernel.size") && !strcmp(field, "kernel"), "linux: a file object's stray key");
	ok(!strcmp(unknown("linux", "{\"initrds\": [\"a\", {\"path\": \"b\", \"sha\": \"x\"}]}", field),
		   "initrds[1].sha") && !strcmp(field, "initrds"), "linux: a file list's stray key");
	ok(!strcmp(unknown("winpe", "{\"wimboot\": \"w\", \"files\": [{\"path\": \"p\", \"name\": \"n\"}]}",
			   field), ""), "winpe: its fields");
	ok(!strcmp(unknown("iso", "{\"image\": \"i\", \"memdisk\": true}", field), ""), "iso: its fields");
	ok(!strcmp(unknown("sanboot", "{\"chap\": \"mutual\", \"keep_san\": true}", field), ""),
	   "sanboot: its fields");
	ok(!strcmp(unknown("sanboot", "{\"chap\": \"chap\", \"image\": \"x\"}", field), "image"),
	   "sanboot: image belongs to the client, not the profile");
	ok(!strcmp(unknown("linux", "{\"kernel\": \"k\", \"san_root\": true, \"chap\": \"mutual\"}",
			   field), ""), "linux: san_root, and chap for its disk");
	ok(!strcmp(unknown("iso", "{\"image\": \"i\", \"san_root\": true}", field), "san_root"),
	   "iso: no san_root");
	ok(!strcmp(unknown("chain", "{\"url\": \"http://x/\"}", field), ""), "chain: url");
	ok(!strcmp(unknown("local", "{\"title\": \"Disk\"}", field), ""), "local: the common fields");
	ok(!strcmp(unknown("local", "{\"keep_san\": true}", field), "keep_san"),
	   "local: nothing of its own");
	ok(!strcmp(unknown("menu", "{\"items\": [{\"profile\": \"a\", \"label\": \"A\", \"key\": \"a\"}],"
			   " \"default\": \"a\", \"timeout_ms\": 5}", field), ""), "menu: its fields");
	ok(!strcmp(unknown("menu", "{\"items\": [{\"profile\": \"a\"}, {\"profile\": \"b\", "
			   "\"colour\": \"red\"}]}", field), "items[1].colour") &&
	   !strcmp(field, "items"), "menu: an item's stray key, with its index");
	ok(!strcmp(unknown("menu", "{\"items\": \"x\", \"timeout\": 5}", field), "timeout"),
	   "menu: a misspelt timeout_ms (items' type is not this check's)");
	ok(!strcmp(unknown(NULL, "{\"title\": \"t\"}", field), ""),
	   "no kind: the common fields pass (the kind is refused elsewhere)");
	ok(!strcmp(unknown("nope", "{\"url\": \"u\"}", field), "url"), "an unknown kind takes no more");
	ok(!strcmp(unknown("linux", "{}", field), ""), "an empty body");
	return tap_end();
}
