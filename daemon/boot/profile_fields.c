// SPDX-License-Identifier: GPL-2.0
/* Which fields a profile of each kind takes; see profile_fields.h. */
#include <stdio.h>
#include <string.h>

#include "profile_fields.h"

/* Every kind: a menu line's text, raw iPXE in args, the label selector. */
static const char *const common[] = { "title", "raw_ipxe", "selector", NULL };

static const struct {
	const char *kind;
	const char *const fields[7];
	/* Fields whose value may be a file object {"path", "name"} or a list of them. */
	const char *const files[3];
} kinds[] = {
	{ "sanboot", { "chap", "keep_san" }, { NULL } },
	/* chap: for the client's disk, with san_root */
	{ "linux", { "kernel", "args", "initrds", "san_root", "chap", "preseed" }, { "kernel", "initrds" } },
	{ "iso", { "image", "memdisk" }, { "image" } },
	{ "winpe", { "wimboot", "files" }, { "wimboot", "files" } },
	{ "menu", { "items", "default", "timeout_ms" }, { NULL } },
	{ "local", { NULL }, { NULL } },
	{ "chain", { "url" }, { NULL } },
};

static const char *const file_fields[] = { "path", "name", NULL };
static const char *const item_fields[] = { "profile", "label", "key", NULL };

static int in(const char *const *list, const char *key)
{
	for (; *list; list++)
		if (!strcmp(*list, key))
			return 1;
	return 0;
}

/* The first key of object @o not in @allowed, or NULL (also when @o is no object). */
static const char *stray_key(json_t *o, const char *const *allowed)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v)
		if (!in(allowed, k))
			return k;
	return NULL;
}

/* Reports @top as the field and "top", "top.key" or "top[i].key" (i >= 0) as the path. */
static int found(const char *top, long i, const char *key, char *field, size_t field_size,
		 char *path, size_t path_size)
{
	if (field && field_size)
		snprintf(field, field_size, "%s", top);
	if (path && path_size && !key)
		snprintf(path, path_size, "%s", top);
	else if (path && path_size && i < 0)
		snprintf(path, path_size, "%s.%s", top, key);
	else if (path && path_size)
		snprintf(path, path_size, "%s[%ld].%s", top, i, key);
	return -1;
}

int profile_unknown_field(const char *kind, json_t *body, char *field, size_t field_size,
			  char *path, size_t path_size)
{
	const char *const *own = NULL, *const *files = NULL, *k, *stray;
	json_t *v, *e;
	size_t i, n;

	for (n = 0; n < sizeof(kinds) / sizeof(kinds[0]); n++)
		if (kind && !strcmp(kind, kinds[n].kind)) {
			own = kinds[n].fields;
			files = kinds[n].files;
		}
	json_object_foreach(body, k, v) {
		if (!in(common, k) && !(own && in(own, k)))
			return found(k, -1, NULL, field, field_size, path, path_size);
		if (files && in(files, k)) {
			/* One file object, or a list of them. */
			if (json_is_object(v) && (stray = stray_key(v, file_fields)))
				return found(k, -1, stray, field, field_size, path, path_size);
			json_array_foreach(v, i, e)
				if (json_is_object(e) && (stray = stray_key(e, file_fields)))
					return found(k, (long)i, stray, field, field_size, path,
						     path_size);
		}
		if (!strcmp(k, "items") && own && in(own, "items"))
			json_array_foreach(v, i, e)
				if (json_is_object(e) && (stray = stray_key(e, item_fields)))
					return found(k, (long)i, stray, field, field_size, path,
						     path_size);
	}
	return 0;
}
