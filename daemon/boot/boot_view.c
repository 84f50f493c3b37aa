// SPDX-License-Identifier: GPL-2.0
/* The boot decision's view of bootsand; see boot_view.h. */
#include "boot_view.h"
#include "lib/bootsand.h"
#include "enroll.h"
#include "settings_cache.h"
#include "store/store.h"

static struct bsd *bsd_of(void *ctx)
{
	return ((struct boot_store_view *)ctx)->d;
}

static void read_begin(void *ctx)
{
	settings_cache_snapshot_begin();
	store_read_begin(bsd_of(ctx)->store);
}

static void read_end(void *ctx)
{
	store_read_end(bsd_of(ctx)->store);
	settings_cache_snapshot_end();
}

static int client_find(void *ctx, const struct boot_identity *id, struct store_client *out)
{
	return store_client_find(bsd_of(ctx)->store, id->mac, id->uuid[0], id->uuid[1],
				 id->serial, out);
}

static enum enroll_policy policy(void *ctx)
{
	return enroll_policy(bsd_of(ctx));
}

static void default_profile(void *ctx, char *out, size_t size)
{
	enroll_setting(bsd_of(ctx), "default_profile", "", out, size);
}

static int profile_get(void *ctx, const char *name, struct store_profile *out)
{
	return store_profile_get(bsd_of(ctx)->store, name, out);
}

static int profile_list(void *ctx, struct store_profile **out, size_t *n)
{
	return store_profile_list(bsd_of(ctx)->store, out, n);
}

static int image_get(void *ctx, const char *name, struct store_image *out)
{
	return store_image_get(bsd_of(ctx)->store, name, out);
}

static void client_san(void *ctx, const struct store_client *c, struct enroll_san *mem,
		       struct boot_client *bc)
{
	enroll_client_san(bsd_of(ctx), c, mem, bc);
}

static const char *admit(void *ctx)
{
	return enroll_admit(bsd_of(ctx), ((struct boot_store_view *)ctx)->peer);
}

static int enroll(void *ctx, enum enroll_policy p, const struct boot_identity *id,
		  struct store_client *out, const char **why)
{
	return enroll_unknown(bsd_of(ctx), p, id->mac, id->uuid[0], id->serial, out, why);
}

void boot_store_view(struct boot_view *v, struct boot_store_view *ctx)
{
	*v = (struct boot_view){
		.ctx = ctx,
		.read_begin = read_begin,
		.read_end = read_end,
		.client_find = client_find,
		.policy = policy,
		.default_profile = default_profile,
		.profile_get = profile_get,
		.profile_list = profile_list,
		.image_get = image_get,
		.client_san = client_san,
		.admit = admit,
		.enroll = enroll,
	};
}
