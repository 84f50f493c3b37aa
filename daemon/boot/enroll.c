// SPDX-License-Identifier: GPL-2.0
/* Enrollment and the per-client SAN objects; see enroll.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdlib.h>

#include <jansson.h>

#include "refs.h"
#include "boot_render.h"
#include "lib/bootsand.h"
#include "enroll.h"
#include "enroll_limit.h"
#include "boot_metrics.h"
#include "settings_cache.h"
#include "lib/http.h"
#include "san/images.h"
#include "san/overlays.h"
#include "san/kernel.h"
#include "lib/log.h"
#include "store/store.h"
#include "lib/util.h"

static const char *const policies[] = {
	[ENROLL_DENY] = "deny", [ENROLL_REGISTER] = "register", [ENROLL_PROVISION] = "provision",
};

void enroll_setting(struct bsd *d, const char *key, const char *dflt, char *out, size_t size)
{
	if (settings_cache_get(d->store, key, out, size) || !out[0])
		snprintf(out, size, "%s", dflt);
}

enum enroll_policy enroll_policy(struct bsd *d)
{
	char v[16];

	enroll_setting(d, "enrollment", "deny", v, sizeof(v));
	for (size_t i = 0; i < ARRAY_SIZE(policies); i++)
		if (!strcmp(v, policies[i]))
			return (enum enroll_policy)i;
	return ENROLL_DENY;
}

int enroll_name_for(const char *mac, const char *uuid, char *out, size_t size)
{
	size_t o = 0;
	const char *src = mac && mac[0] ? mac : uuid;
	const char *tag = mac && mac[0] ? "mac-" : "uuid-";
	int n;

	if (!src || !src[0])
		return -EINVAL;
	n = snprintf(out, size, "%s", tag);
	if (n < 0 || (size_t)n >= size)
		return -EINVAL;
	o = (size_t)n;
	for (; *src; src++) {
		if (*src == ':' || *src == '-')
			continue;
		if (o + 1 >= size)
			return -EINVAL;
		out[o++] = *src;
	}
	out[o] = '\0';
	return 0;
}

/*
 * The "chap" field of a profile whose clients boot from their own disk
 * (sanboot, linux with san_root): 0 none, 1 forward, 2 mutual; -1 for any
 * other profile.
 */
static int profile_chap(const struct store_profile *sp)
{
	json_t *body = json_loads(sp->body, 0, NULL);
	const char *v = json_string_value(json_object_get(body, "chap"));
	int mode = v && !strcmp(v, "mutual") ? 2 : v && !strcmp(v, "chap") ? 1 : 0;

	if (strcmp(sp->kind, "sanboot") &&
	    !(!strcmp(sp->kind, "linux") && json_is_true(json_object_get(body, "san_root"))))
		mode = -1;
	json_decref(body);
	return mode;
}

static int make_secrets(struct store_target *t, const char *client, int mode)
{
	int err = 0;

	snprintf(t->auth, sizeof(t->auth), "%s", mode == 2 ? "mutual-chap" :
		 mode == 1 ? "chap" : "none");
	t->chap_user[0] = t->chap_secret[0] = t->mutual_user[0] = t->mutual_secret[0] = '\0';
	if (mode >= 1) {
		snprintf(t->chap_user, sizeof(t->chap_user), "%s", client);
		err = random_hex(t->chap_secret, 12);
	}
	if (mode == 2 && !err) {
		snprintf(t->mutual_user, sizeof(t->mutual_user), "bootsan");
		err = random_hex(t->mutual_secret, 12);
	}
	return err;
}

bool enroll_target_of(const struct store_target *t, const char *name)
{
	size_t ni = strlen(t->iqn), nn = strlen(name);

	return !strncmp(t->alias, "disk of ", 8) && !strcmp(t->alias + 8, name) &&
	       ni > nn && t->iqn[ni - nn - 1] == ':' && !strcmp(t->iqn + ni - nn, name);
}

int enroll_ensure_target(struct bsd *d, const struct store_client *c)
{
	struct store_profile sp;
	struct boot_client bc = {};
	struct store_target t = {};
	struct store_lun l = {};
	struct store_acl a = {};
	char prefix[STORE_IQN_SIZE], initiator[224], target[224];
	int err, mode;

	if (!c->image[0] || !c->profile[0] || store_profile_get(d->store, c->profile, &sp))
		return 0;
	mode = profile_chap(&sp);
	if (mode < 0)
		return 0;
	enroll_setting(d, "iqn_prefix", ENROLL_DEFAULT_IQN_PREFIX, prefix, sizeof(prefix));
	bc.name = c->name;
	bc.iqn_prefix = prefix;
	if (boot_client_iqns(&bc, initiator, target))
		return -EINVAL;
	if (!store_target_get(d->store, target, &t) && enroll_target_of(&t, c->name)) {
		/*
		 * Enrollment made it for an earlier client of this name (this
		 * one is new: the target of a deleted client is deleted with it,
		 * but a database restored from a backup may hold one): never
		 * hand its secrets on. It is made afresh.
		 */
		log_warn("client %s: replacing the target %s an earlier client of the name left",
			 c->name, target);
		err = store_target_delete(d->store, target);
		if (err)
			return err;
		memset(&t, 0, sizeof(t));
	} else if (t.iqn[0]) {
		/* Secrets are made once; only a change of the profile's mode redoes them. */
		if (!strcmp(t.auth, mode == 2 ? "mutual-chap" : mode == 1 ? "chap" : "none"))
			return 0;
		err = make_secrets(&t, c->name, mode) ?: store_target_update(d->store, &t);
		return err ?: kernel_sync(d);
	}
	snprintf(t.iqn, sizeof(t.iqn), "%s", target);
	snprintf(t.alias, sizeof(t.alias), "disk of %s", c->name);
	snprintf(l.target, sizeof(l.target), "%s", target);
	snprintf(l.image, sizeof(l.image), "%s", c->image);
	snprintf(l.backend, sizeof(l.backend), "fileio");
	l.block_size = 512;
	snprintf(a.target, sizeof(a.target), "%s", target);
	snprintf(a.initiator, sizeof(a.initiator), "%s", initiator);
	err = make_secrets(&t, c->name, mode) ?: store_tx_begin(d->store);
	if (err)
		return err;
	/* The target, its LUN and its ACL: all three or none. */
	err = store_target_create(d->store, &t) ?: store_lun_create(d->store, &l) ?:
	      store_acl_create(d->store, &a);
	if (err) {
		store_tx_rollback(d->store);
		return err;
	}
	return store_tx_commit(d->store) ?: kernel_sync(d);
}

int enroll_forget_client(struct bsd *d, const char *name)
{
	struct store_target *ts = NULL;
	size_t n = 0;
	bool removed = false;
	int gone = 0, err = store_tx_begin(d->store);

	if (err)
		return err;
	/* Its targets (with their LUNs, ACLs and secrets) and its record: all or none. */
	err = store_target_list(d->store, &ts, &n);
	for (size_t i = 0; !err && i < n; i++) {
		if (!enroll_target_of(&ts[i], name))
			continue;
		err = store_target_delete(d->store, ts[i].iqn);	/* its LUN and ACL too */
		if (err)
			log_err("client %s: removing its target %s: %s", name, ts[i].iqn,
				strerror(-err));
		else
			removed = true;
	}
	/* A record already gone (-ENOENT) still takes the targets with it. */
	if (!err)
		gone = store_client_delete(d->store, name);
	if (err || (gone && gone != -ENOENT)) {
		store_tx_rollback(d->store);
		removed = false;
	} else {
		err = store_tx_commit(d->store);
	}
	for (size_t i = 0; !err && removed && i < n; i++)
		if (enroll_target_of(&ts[i], name))
			log_info("client %s: target %s removed, with its secrets", name,
				 ts[i].iqn);
	free_wiped(ts, n * sizeof(*ts));	/* it held secrets */
	if (!err && removed)
		kernel_sync(d);
	return err ?: gone;
}

void enroll_client_san(struct bsd *d, const struct store_client *c, struct enroll_san *m,
		       struct boot_client *bc)
{
	struct store_target t;
	struct boot_client probe = {};
	char initiator[224], target[224];

	memset(m, 0, sizeof(*m));
	enroll_setting(d, "iqn_prefix", ENROLL_DEFAULT_IQN_PREFIX, m->prefix, sizeof(m->prefix));
	bc->name = c->name;
	bc->iqn_prefix = m->prefix;
	probe.name = c->name;
	probe.iqn_prefix = m->prefix;
	if (boot_client_iqns(&probe, initiator, target) || store_target_get(d->store, target, &t))
		return;
	if (strcmp(t.auth, "chap") && strcmp(t.auth, "mutual-chap"))
		return;
	snprintf(m->user, sizeof(m->user), "%s", t.chap_user);
	snprintf(m->secret, sizeof(m->secret), "%s", t.chap_secret);
	bc->chap_user = m->user;
	bc->chap_secret = m->secret;
	if (!strcmp(t.auth, "mutual-chap")) {
		snprintf(m->muser, sizeof(m->muser), "%s", t.mutual_user);
		snprintf(m->msecret, sizeof(m->msecret), "%s", t.mutual_secret);
		bc->mutual_user = m->muser;
		bc->mutual_secret = m->msecret;
	}
}

/* enroll_unknown() with boot_refs_lock held. */
static int enroll_locked(struct bsd *d, enum enroll_policy policy, const char *mac,
			 const char *uuid, struct store_client *out, const char **why)
{
	struct store_client c = {};
	struct store_image im;
	char golden[STORE_NAME_SIZE], mode[16], whyo[300];
	int64_t job;
	int err;

	if (enroll_name_for(mac, uuid, c.name, sizeof(c.name))) {
		*why = "this machine sent neither a MAC address nor a UUID";
		return -EINVAL;
	}
	if (!store_client_get(d->store, c.name, out))
		return 0;	/* the same machine asked twice at once */
	if (!store_client_find(d->store, mac ? mac : "", uuid ? uuid : "", "", "", out))
		return -EAGAIN;
	if (mac && mac[0])
		snprintf(c.macs, sizeof(c.macs), "[\"%s\"]", mac);
	if (uuid && uuid[0])
		snprintf(c.uuid, sizeof(c.uuid), "%s", uuid);
	snprintf(c.origin, sizeof(c.origin), "%s", policies[policy]);
	snprintf(c.state, sizeof(c.state), "%s", policy == ENROLL_REGISTER ? "pending" : "active");
	if (policy == ENROLL_PROVISION) {
		enroll_setting(d, "golden_image", "", golden, sizeof(golden));
		enroll_setting(d, "default_profile", "", c.profile, sizeof(c.profile));
		if (!golden[0] || !c.profile[0]) {
			*why = "provisioning needs the golden_image and default_profile settings";
			boot_metrics_enroll(BOOT_ENROLL_FAILED);
			return -EINVAL;
		}
		snprintf(c.image, sizeof(c.image), "%s", c.name);
		enroll_setting(d, "provision_disk", "clone", mode, sizeof(mode));
		if (store_image_get(d->store, c.image, &im) && !strcmp(mode, "overlay")) {
			/* Made at once: the machine boots now, not after a copy. */
			err = overlay_create(d, c.image, golden, &im, whyo, sizeof(whyo));
			if (err && err != -EEXIST) {
				log_warn("provision %s: overlay of %s: %s %s", c.name, golden,
					 strerror(-err), whyo);
				*why = "its disk cannot be made as an overlay of the golden image";
				boot_metrics_enroll(BOOT_ENROLL_FAILED);
				return err;
			}
		} else if (store_image_get(d->store, c.image, &im)) {
			err = image_clone_start(d, c.image, golden, &job);
			if (err && err != -EEXIST) {
				log_warn("provision %s: clone of %s: %s", c.name, golden,
					 strerror(-err));
				*why = "its disk cannot be cloned from the golden image";
				boot_metrics_enroll(BOOT_ENROLL_FAILED);
				return err;
			}
		}
	}
	err = store_client_create(d->store, &c);
	if (err == -EEXIST)	/* a writer that does not hold the lock */
		return store_client_get(d->store, c.name, out) ? -EAGAIN : 0;
	if (err) {
		*why = "it cannot be recorded";
		boot_metrics_enroll(BOOT_ENROLL_FAILED);
		return err;
	}
	log_info("enrollment: %s %s", policy == ENROLL_REGISTER ? "registered" : "provisioned",
		 c.name);
	boot_metrics_enroll(policy == ENROLL_REGISTER ? BOOT_ENROLL_REGISTERED :
			    BOOT_ENROLL_PROVISIONED);
	err = enroll_ensure_target(d, &c);
	if (err)
		log_warn("provision %s: its target: %s", c.name, strerror(-err));
	return store_client_get(d->store, c.name, out);
}

/*
 * Under boot_refs_lock, as every writer of clients: the identity check
 * and the create are one step, so an API create of a client with this
 * MAC, or a second machine sending this UUID, cannot slip in between and
 * have the schema refuse the create (nor leave a disk cloned for a client
 * never made). A machine that finds its MAC or UUID taken meanwhile lost
 * such a race: -EAGAIN, and it is told to ask again, when it is that
 * client.
 */
int enroll_unknown(struct bsd *d, enum enroll_policy policy, const char *mac,
		   const char *uuid, const char *serial, struct store_client *out,
		   const char **why)
{
	int err;

	(void)serial;	/* never a key: boards share "To be filled by O.E.M." */
	if (policy == ENROLL_DENY)
		return -EPERM;
	boot_refs_lock();
	err = enroll_locked(d, policy, mac, uuid, out, why);
	boot_refs_unlock();
	if (err == -EAGAIN) {
		log_info("enrollment of %s: another request took its MAC or UUID first; told to "
			 "ask again", mac && mac[0] ? mac : uuid);
		*why = "another request enrolled this machine at the same time";
	}
	return err;
}

static unsigned int limit_setting(struct bsd *d, const char *key, const char *dflt)
{
	char v[16];

	enroll_setting(d, key, dflt, v, sizeof(v));
	return (unsigned int)strtoul(v, NULL, 10);
}

const char *enroll_admit(struct bsd *d, const char *addr)
{
	unsigned int max_new = limit_setting(d, "enroll_max_new", ENROLL_DEFAULT_MAX_NEW);
	int64_t n = 0;

	if (!enroll_limit_take(addr, now_mono(),
			       limit_setting(d, "enroll_rate_per_address",
					     ENROLL_DEFAULT_RATE_PER_ADDRESS),
			       limit_setting(d, "enroll_rate", ENROLL_DEFAULT_RATE))) {
		boot_metrics_enroll(BOOT_ENROLL_LIMITED);
		return "too many new machines a minute";
	}
	if (max_new && (store_count(d->store, STORE_T_UNBOOTED_CLIENTS, &n) || n >= max_new)) {
		boot_metrics_enroll(BOOT_ENROLL_LIMITED);
		return "too many new machines not booted yet";
	}
	return NULL;
}

/* ---- GET|PUT /api/v1/settings ---- */

static const struct {
	const char *key, *dflt;
} settings[] = {
	{ "enrollment", "deny" }, { "default_profile", "" }, { "golden_image", "" },
	{ "provision_disk", "clone" },
	{ "iqn_prefix", ENROLL_DEFAULT_IQN_PREFIX }, { "san_server", "" },
	{ "enroll_max_new", ENROLL_DEFAULT_MAX_NEW },
	{ "enroll_rate", ENROLL_DEFAULT_RATE },
	{ "enroll_rate_per_address", ENROLL_DEFAULT_RATE_PER_ADDRESS },
};

static json_t *settings_json(struct bsd *d)
{
	json_t *o = json_object();
	char v[256];

	for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
		enroll_setting(d, settings[i].key, settings[i].dflt, v, sizeof(v));
		json_object_set_new(o, settings[i].key, json_string(v));
	}
	return o;
}

static void get_settings(struct http_req *r)
{
	http_reply_json(r, 200, settings_json(http_ctx(r)));
}

static bool chars_only(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

/* 0, or replies 400 naming the key. */
static int setting_check(struct http_req *r, struct bsd *d, const char *key, const char *v,
			 const char *golden_after)
{
	struct store_profile p;
	struct store_image im;

	if (!strcmp(key, "enrollment")) {
		for (size_t i = 0; i < ARRAY_SIZE(policies); i++)
			if (!strcmp(v, policies[i]))
				goto policy_ok;
		http_reply_error(r, 400, key, "enrollment is deny, register or provision");
		return -1;
policy_ok:
		if (!strcmp(v, "provision") && !golden_after[0]) {
			http_reply_error(r, 400, key, "provision needs golden_image");
			return -1;
		}
	} else if (!strcmp(key, "default_profile")) {
		if (v[0] && store_profile_get(d->store, v, &p)) {
			http_reply_error(r, 400, key, "no such profile: %s", v);
			return -1;
		}
	} else if (!strcmp(key, "golden_image")) {
		if (v[0] && store_image_get(d->store, v, &im)) {
			http_reply_error(r, 400, key, "no such image: %s", v);
			return -1;
		}
	} else if (!strcmp(key, "provision_disk")) {
		if (v[0] && strcmp(v, "clone") && strcmp(v, "overlay")) {
			http_reply_error(r, 400, key, "provision_disk is clone (a copy of "
					 "golden_image, made before the first boot) or overlay "
					 "(copy-on-write over it, made at once)");
			return -1;
		}
	} else if (!strcmp(key, "iqn_prefix")) {
		/* A client's target is <prefix>:<name>, and an eui. name has no ':'
		 * part: only an iqn. prefix makes valid names. */
		if (v[0] && (strlen(v) > 160 || strncmp(v, "iqn.", 4) ||
			     !chars_only(v, "abcdefghijklmnopqrstuvwxyz0123456789.-:"))) {
			http_reply_error(r, 400, key, "iqn_prefix is a lowercase iqn. name of at "
					 "most 160 characters (an eui. name cannot take :<client>)");
			return -1;
		}
	} else if (!strncmp(key, "enroll_", 7)) {
		if (v[0] && (strlen(v) > 6 || !chars_only(v, "0123456789"))) {
			http_reply_error(r, 400, key, "%s is a number from 0 (no limit) to 999999",
					 key);
			return -1;
		}
	} else if (!strcmp(key, "san_server")) {
		if (strlen(v) > 100 || !chars_only(v, "abcdefghijklmnopqrstuvwxyz"
						   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")) {
			http_reply_error(r, 400, key, "san_server is a host name or address, "
					 "with an optional :port");
			return -1;
		}
	}
	return 0;
}

static void put_settings(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	json_t *j = http_json(r), *v;
	const char *key;
	char golden[STORE_NAME_SIZE];
	int err;

	if (!json_is_object(j)) {
		http_reply_error(r, 400, NULL, "the body must be a JSON object of settings");
		return;
	}
	json_object_foreach(j, key, v) {
		size_t i;

		for (i = 0; i < ARRAY_SIZE(settings); i++)
			if (!strcmp(key, settings[i].key))
				break;
		if (i == ARRAY_SIZE(settings)) {
			http_reply_error(r, 400, key, "unknown setting '%s'", key);
			return;
		}
		if (!json_is_string(v)) {
			http_reply_error(r, 400, key, "field '%s': expected a string", key);
			return;
		}
	}
	v = json_object_get(j, "golden_image");
	if (v)
		snprintf(golden, sizeof(golden), "%s", json_string_value(v));
	else
		enroll_setting(d, "golden_image", "", golden, sizeof(golden));
	json_object_foreach(j, key, v)
		if (setting_check(r, d, key, json_string_value(v), golden))
			return;
	json_object_foreach(j, key, v) {
		const char *s = json_string_value(v);

		err = s[0] ? settings_cache_set(d->store, key, s) :
			     settings_cache_delete(d->store, key);
		if (err && err != -ENOENT) {
			http_reply_errno(r, err, key, "saving the setting");
			return;
		}
	}
	http_reply_json(r, 200, settings_json(d));
}

int enroll_add_routes(struct http *h)
{
	static const struct http_route routes[] = {
		{ "GET", "/api/v1/settings", get_settings, 0 },
		{ "PUT", "/api/v1/settings", put_settings, HTTP_ROUTE_JSON },
	};

	return http_add_routes(h, routes, ARRAY_SIZE(routes));
}
