// SPDX-License-Identifier: GPL-2.0
/* What refers to a profile or an image, and the lock that keeps it so; see refs.h. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/bootsand.h"
#include "refs.h"
#include "store/store.h"

/*
 * Held from a reference check to the write it allows (a client naming a
 * profile, a profile deleted), so that two API calls cannot each pass
 * their check and together leave a dangling reference.
 */
static pthread_mutex_t refs_lock = PTHREAD_MUTEX_INITIALIZER;

void boot_refs_lock(void)
{
	pthread_mutex_lock(&refs_lock);
}

void boot_refs_unlock(void)
{
	pthread_mutex_unlock(&refs_lock);
}

/* A list "client a, menu b, setting c" being written into a buffer. */
struct users {
	char *out;
	size_t size;	/* at least 16 */
	size_t len;
	int n;
	bool full;
};

static void user_add(struct users *u, const char *what, const char *name)
{
	size_t room = u->size - u->len;
	int w;

	if (u->full)
		return;
	w = snprintf(u->out + u->len, room, "%s%s %s", u->n++ ? ", " : "", what, name);
	/* keep room for ", ..." */
	if (w < 0 || (size_t)w + 6 > room) {
		snprintf(u->out + u->len, room, ", ...");
		u->full = true;
		return;
	}
	u->len += (size_t)w;
}

/* Clients whose @field ("profile" or "image") is @name. */
static int client_users(struct bsd *d, const char *field, const char *name, struct users *u)
{
	struct store_client *cs;
	size_t n, i;
	int err = store_client_list(d->store, &cs, &n);

	if (err)
		return err;
	for (i = 0; i < n; i++)
		if (!strcmp(!strcmp(field, "image") ? cs[i].image : cs[i].profile, name))
			user_add(u, "client", cs[i].name);
	free(cs);
	return 0;
}

static void setting_user(struct bsd *d, const char *key, const char *name, struct users *u)
{
	char v[STORE_NAME_SIZE];

	if (store_setting_get(d->store, key, v, sizeof(v)))
		v[0] = '\0';
	if (!strcmp(v, name))
		user_add(u, "setting", key);
}

int boot_profile_users(struct bsd *d, const char *name, char *out, size_t size)
{
	struct users u = { .out = out, .size = size };
	struct store_profile *ps;
	size_t n, i;
	int err;

	out[0] = '\0';
	err = client_users(d, "profile", name, &u) ?: store_profile_list(d->store, &ps, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		json_t *body = strcmp(ps[i].kind, "menu") ? NULL : json_loads(ps[i].body, 0, NULL);
		json_t *v;
		size_t k;

		json_array_foreach(json_object_get(body, "items"), k, v)
			if (!strcmp(json_string_value(json_object_get(v, "profile")) ?: "", name))
				user_add(&u, "menu", ps[i].name);
		json_decref(body);
	}
	free(ps);
	setting_user(d, "default_profile", name, &u);
	return u.n;
}

int boot_image_users(struct bsd *d, const char *name, char *out, size_t size)
{
	struct users u = { .out = out, .size = size };
	int err;

	out[0] = '\0';
	err = client_users(d, "image", name, &u);
	if (err)
		return err;
	setting_user(d, "golden_image", name, &u);
	return u.n;
}
