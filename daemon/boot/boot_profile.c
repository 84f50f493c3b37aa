// SPDX-License-Identifier: GPL-2.0
/* Stored profiles as render-ready records; see boot_profile.h. */
#include <errno.h>
#include <string.h>

#include "boot_profile.h"

static const struct {
	const char *name;
	enum boot_kind kind;
} kinds[] = {
	{ "sanboot", BOOT_KIND_SANBOOT }, { "linux", BOOT_KIND_LINUX },
	{ "iso", BOOT_KIND_ISO }, { "winpe", BOOT_KIND_WINPE },
	{ "menu", BOOT_KIND_MENU }, { "local", BOOT_KIND_LOCAL },
	{ "chain", BOOT_KIND_CHAIN },
};

static int kind_of(const char *name, enum boot_kind *kind)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(kinds[i].name, name)) {
			*kind = kinds[i].kind;
			return 0;
		}
	}
	return -EINVAL;
}

static int refuse(struct boot_refusal *no, const char *field, const char *why)
{
	no->field = field;
	no->why = why;
	return -EINVAL;
}

/* A file: "path", or {"path": "...", "name": "..."}; absent is NULL. */
static int asset(json_t *j, struct boot_asset *a, const char *field, struct boot_refusal *no)
{
	json_t *path = json_object_get(j, "path"), *name = json_object_get(j, "name");

	a->path = a->name = NULL;
	if (!j)
		return 0;
	if (json_is_string(j)) {
		a->path = json_string_value(j);
		return 0;
	}
	if (!json_is_object(j) || !json_is_string(path) || (name && !json_is_string(name)))
		return refuse(no, field, "a file is a path (text) or {\"path\": text, \"name\": text}");
	a->path = json_string_value(path);
	a->name = json_string_value(name);
	return 0;
}

/* A list of at most @max files into @as; their number in *n. */
static int assets(json_t *j, struct boot_asset *as, unsigned int max, unsigned int *n,
		  const char *field, struct boot_refusal *no)
{
	json_t *v;
	size_t i;

	*n = 0;
	if (!j)
		return 0;
	if (!json_is_array(j))
		return refuse(no, field, "a list of files");
	if (json_array_size(j) > max)
		return refuse(no, field, "too many files (at most 8)");
	json_array_foreach(j, i, v)
		if (asset(v, &as[(*n)++], field, no))
			return -EINVAL;
	return 0;
}

/* The optional text field @key of @body: NULL when absent. */
static int text_field(json_t *body, const char *key, const char **out, struct boot_refusal *no)
{
	json_t *v = json_object_get(body, key);

	*out = json_string_value(v);
	return v && !json_is_string(v) ? refuse(no, key, "must be text") : 0;
}

/* The optional boolean field @key of @body: false when absent. */
static int bool_field(json_t *body, const char *key, bool *out, struct boot_refusal *no)
{
	json_t *v = json_object_get(body, key);

	*out = json_is_true(v);
	return v && !json_is_boolean(v) ? refuse(no, key, "must be true or false") : 0;
}

/* The longest menu timeout: an hour. */
#define MENU_TIMEOUT_MAX_MS 3600000

static int menu_from(json_t *body, struct boot_profile *p, struct boot_refusal *no)
{
	json_t *items = json_object_get(body, "items"), *t = json_object_get(body, "timeout_ms"), *v;
	size_t i;

	if (items && !json_is_array(items))
		return refuse(no, "items", "a menu's items are a list");
	if (json_array_size(items) > BOOT_MAX_ITEMS)
		return refuse(no, "items", "a menu has 1 to 16 items");
	json_array_foreach(items, i, v) {
		struct boot_menu_item *it = &p->menu.items[p->menu.n_items++];

		if (!json_is_object(v) || text_field(v, "profile", &it->profile, no) ||
		    text_field(v, "label", &it->label, no) || text_field(v, "key", &it->key, no))
			return refuse(no, "items", "an item is {\"profile\": name, \"label\": text, "
				      "\"key\": one letter or digit}");
	}
	if (text_field(body, "default", &p->menu.default_item, no))
		return -EINVAL;
	if (t && (!json_is_integer(t) || json_integer_value(t) < 0 ||
		  json_integer_value(t) > MENU_TIMEOUT_MAX_MS))
		return refuse(no, "timeout_ms", "timeout_ms is a whole number of milliseconds, "
			      "0 (wait for a choice) to 3600000");
	p->menu.timeout_ms = (unsigned int)json_integer_value(t);
	return 0;
}

/*
 * A render-ready profile from its stored JSON, each field of its kind
 * checked for its type (the renderer checks the values). Strings point
 * into @body, which must outlive @p. Menu items are not resolved to other
 * profiles (pxelinux rendering needs that; iPXE menus chain by name).
 */
int boot_profile_parse(const struct store_profile *sp, json_t *body, struct boot_profile *p,
		       struct boot_refusal *no)
{
	memset(p, 0, sizeof(*p));
	if (kind_of(sp->kind, &p->kind))
		return refuse(no, "kind", "kind is one of sanboot, linux, iso, winpe, menu, "
			      "local, chain");
	p->name = sp->name;
	if (text_field(body, "title", &p->title, no) || bool_field(body, "raw_ipxe", &p->raw_ipxe, no))
		return -EINVAL;
	switch (p->kind) {
	case BOOT_KIND_LINUX:
		return asset(json_object_get(body, "kernel"), &p->lnx.kernel, "kernel", no) ?:
		       text_field(body, "args", &p->lnx.args, no) ?:
		       text_field(body, "preseed", &p->lnx.preseed, no) ?:
		       assets(json_object_get(body, "initrds"), p->lnx.initrds, BOOT_MAX_INITRDS,
			      &p->lnx.n_initrds, "initrds", no) ?:
		       bool_field(body, "san_root", &p->lnx.san_root, no);
	case BOOT_KIND_ISO:
		return asset(json_object_get(body, "image"), &p->iso.image, "image", no) ?:
		       bool_field(body, "memdisk", &p->iso.memdisk, no);
	case BOOT_KIND_WINPE:
		return asset(json_object_get(body, "wimboot"), &p->winpe.wimboot, "wimboot", no) ?:
		       assets(json_object_get(body, "files"), p->winpe.files, BOOT_MAX_FILES,
			      &p->winpe.n_files, "files", no);
	case BOOT_KIND_MENU:
		return menu_from(body, p, no);
	case BOOT_KIND_CHAIN:
		return text_field(body, "url", &p->chain_url, no);
	case BOOT_KIND_SANBOOT: {
		bool keep_san;

		return bool_field(body, "keep_san", &keep_san, no);
	}
	default:
		return 0;
	}
}

int boot_profile_load(const struct store_profile *sp, struct boot_loaded_profile *l)
{
	l->sp = *sp;
	return boot_profile_parse_loaded(l);
}

int boot_profile_parse_loaded(struct boot_loaded_profile *l)
{
	struct boot_refusal no;

	l->body = json_loads(l->sp.body, 0, NULL);
	if (!l->body || boot_profile_parse(&l->sp, l->body, &l->p, &no)) {
		json_decref(l->body);
		l->body = NULL;
		return -EINVAL;
	}
	return 0;
}

void boot_profile_unload(struct boot_loaded_profile *l)
{
	json_decref(l->body);
	l->body = NULL;
}

bool boot_profile_keep_san(const struct boot_loaded_profile *l)
{
	return json_is_true(json_object_get(l->body, "keep_san"));
}

bool boot_profile_uses_disk(const struct boot_profile *p)
{
	return p->kind == BOOT_KIND_SANBOOT || (p->kind == BOOT_KIND_LINUX && p->lnx.san_root);
}
