// SPDX-License-Identifier: GPL-2.0
/*
 * bootsand's kernel side: the store is the truth, bootsan.ko holds only
 * runtime objects. At start, when the module (re)appears (kernel_watch.c)
 * and after every change, the wanted state is built from the store and the
 * kernel is made to match it (kstate.h, kernel_nl.h). Objects that
 * already match are left alone, so restarting bootsand does not disturb
 * logged-in initiators.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bootsan.h>

#include "lib/bootsand.h"
#include "image_file.h"
#include "kernel.h"
#include "kernel_nl.h"
#include "kside.h"
#include "lib/log.h"
#include "lib/util.h"
#include "store/store.h"

/* ---- the wanted state, from the store ---- */

static void chap_from(struct ks_chap *c, const char *user, const char *secret)
{
	memset(c, 0, sizeof(*c));
	if (!user[0] || !secret[0])
		return;
	snprintf(c->user, sizeof(c->user), "%s", user);
	c->secret_len = strlen(secret) < sizeof(c->secret) ? strlen(secret) : sizeof(c->secret);
	memcpy(c->secret, secret, c->secret_len);
	c->set = true;
}

static uint32_t auth_code(const char *auth)
{
	if (!strcmp(auth, "chap"))
		return BOOTSAN_AUTH_CHAP;
	if (!strcmp(auth, "mutual-chap"))
		return BOOTSAN_AUTH_MUTUAL_CHAP;
	return BOOTSAN_AUTH_NONE;
}

/*
 * Is a LUN on @im kept out of the kernel? While it is cloned (half a copy
 * is nobody's disk, and its file may not exist yet: the clone's end syncs
 * the kernel), while an overlay is flattened (its delta must not change
 * under the copy) or its delta replaced.
 */
static bool withheld(struct bsd *d, const struct store_image *im)
{
	return !strcmp(im->state, "cloning") || !strcmp(im->state, "flattening") ||
	       (ks(d) && !strcmp(ks(d)->withheld, im->name));
}

static int want_lun(struct bsd *d, struct ks_target *t, const struct store_lun *sl,
		    bool read_only)
{
	struct store_image im = {};
	struct ks_lun *l;
	int err = 0;

	if (sl->image[0]) {
		err = store_image_get(d->store, sl->image, &im);
		if (err && err != -ENOENT)
			return err;
		if (!err && withheld(d, &im))
			return 0;
	}
	l = ks_add_lun(t);
	if (!l)
		return -ENOMEM;
	/* Exported, a missing file fails the LUN, and with it the whole reconcile. */
	if (sl->image[0] && (err || image_missing(d, &im))) {
		l->missing = true;
		log_err("LUN %u of %s is not exported to the kernel: the file of image %s is "
			"missing (one the kernel has already is left serving its open file; "
			"DELETE /api/v1/images/%s removes the image and the LUN)",
			sl->lun, t->iqn, sl->image, sl->image);
	}
	l->lun = sl->lun;
	l->backend = strcmp(sl->backend, "blockio") ? BOOTSAN_BACKEND_FILE : BOOTSAN_BACKEND_BLOCK;
	l->read_only = read_only;
	l->direct = sl->direct;
	l->block_size = sl->block_size;
	snprintf(l->serial, sizeof(l->serial), "%s", sl->serial);
	l->naa = sl->naa;
	if (!sl->image[0]) {
		snprintf(l->path, sizeof(l->path), "%s", sl->device);
		return 0;
	}
	if (im.golden[0]) {
		/* Its version of the golden, shared, and its own delta (san/overlays.h). */
		l->backend = BOOTSAN_BACKEND_OVERLAY;
		l->direct = false;
		if (golden_version_path(d, im.golden, im.golden_version, l->path,
					sizeof(l->path)) ||
		    overlay_delta_path(d, im.name, l->delta_path, sizeof(l->delta_path)))
			return -ENAMETOOLONG;
	} else if (image_path(d, sl->image, l->path, sizeof(l->path))) {
		return -ENAMETOOLONG;
	}
	/* A grown image grows its LUN: the whole image is the LUN. */
	if (!err && sl->block_size)
		l->size = im.size_bytes / sl->block_size * sl->block_size;
	return 0;
}

int kernel_want(struct bsd *d, struct ks_state *want)
{
	struct store_portal *ps = NULL;
	struct store_target *ts = NULL;
	size_t np = 0, nt = 0, i, j;
	int err;

	memset(want, 0, sizeof(*want));
	err = store_portal_list(d->store, &ps, &np);
	for (i = 0; !err && i < np; i++) {
		struct ks_portal *p = ks_add_portal(want);

		if (!p) {
			err = -ENOMEM;
			break;
		}
		if (inet_pton(AF_INET, ps[i].address, p->addr) == 1)
			p->addr_len = 4;
		else if (inet_pton(AF_INET6, ps[i].address, p->addr) == 1)
			p->addr_len = 16;
		p->port = ps[i].port;
		p->tpgt = ps[i].tpgt;
		p->max_connections = ps[i].max_connections;
		p->login_timeout = ps[i].login_timeout;
	}
	if (!err)
		err = store_target_list(d->store, &ts, &nt);
	for (i = 0; !err && i < nt; i++) {
		struct ks_target *t = ks_add_target(want);
		struct store_lun *ls = NULL;
		struct store_acl *as = NULL;
		size_t nl = 0, na = 0;

		if (!t) {
			err = -ENOMEM;
			break;
		}
		snprintf(t->iqn, sizeof(t->iqn), "%s", ts[i].iqn);
		snprintf(t->alias, sizeof(t->alias), "%s", ts[i].alias);
		t->auth = auth_code(ts[i].auth);
		chap_from(&t->chap, ts[i].chap_user, ts[i].chap_secret);
		chap_from(&t->mutual, ts[i].mutual_user, ts[i].mutual_secret);
		t->max_sessions = ts[i].max_sessions;
		t->queue_depth = ts[i].queue_depth;
		t->nop_in_interval = ts[i].nop_in_interval;
		t->allow_any_initiator = ts[i].allow_any_initiator;
		err = store_lun_list(d->store, ts[i].iqn, &ls, &nl);
		for (j = 0; !err && j < nl; j++)
			err = want_lun(d, t, &ls[j], ts[i].read_only);
		if (!err)
			err = store_acl_list(d->store, ts[i].iqn, &as, &na);
		for (j = 0; !err && j < na; j++) {
			struct ks_acl *a = ks_add_acl(t);

			if (!a) {
				err = -ENOMEM;
				break;
			}
			snprintf(a->initiator, sizeof(a->initiator), "%s", as[j].initiator);
			chap_from(&a->chap, as[j].chap_user, as[j].chap_secret);
		}
		free(ls);
		free(as);
	}
	free(ps);
	free_wiped(ts, nt * sizeof(*ts));
	if (err)
		ks_state_free(want);
	return err;
}

/* With the lock held: make the kernel match the store. */
int kernel_reconcile_locked(struct bsd *d)
{
	struct ks_state want;
	unsigned int changes = 0;
	int err = kernel_want(d, &want);

	if (err) {
		snprintf(ks(d)->last_error, sizeof(ks(d)->last_error),
			 "reading the store: %s", strerror(-err));
		return err;
	}
	err = knl_reconcile(&want, &changes);
	ks_state_free(&want);
	ks(d)->reconciles++;
	ks(d)->in_sync = !err;
	if (err) {
		snprintf(ks(d)->last_error, sizeof(ks(d)->last_error), "%s", knl_last_error());
		log_warn("kernel reconcile: %s", ks(d)->last_error);
	} else {
		ks(d)->last_error[0] = '\0';
		if (changes)
			log_info("kernel reconcile: %u change%s applied", changes,
				 changes == 1 ? "" : "s");
	}
	return err;
}

int kernel_start(struct bsd *d)
{
	struct kside *k = calloc(1, sizeof(*k));

	if (!k)
		return -ENOMEM;
	pthread_mutex_init(&k->lock, NULL);
	d->kernel = k;
	pthread_mutex_lock(&k->lock);
	if (knl_available())
		kernel_reconcile_locked(d);
	else
		log_warn("bootsan.ko is not loaded: serving without the iSCSI target");
	pthread_mutex_unlock(&k->lock);
	kernel_watch_start(d);
	return 0;
}

void kernel_stop(struct bsd *d)
{
	struct kside *k = ks(d);

	if (!k)
		return;
	kernel_watch_stop(d);
	pthread_mutex_destroy(&k->lock);
	free(k);
	d->kernel = NULL;
}

json_t *kernel_status(struct bsd *d)
{
	struct kside *k = ks(d);
	struct knl_session *v;
	size_t n = 0;
	bool available = knl_available();
	json_t *o;

	if (!available)
		return json_pack("{s:b, s:s}", "available", 0, "error", knl_last_error());
	if (!knl_sessions(&v, &n))
		free(v);
	o = json_pack("{s:b, s:b, s:i, s:I}", "available", 1, "in_sync", k && k->in_sync,
		      "sessions", (int)n, "reconciles", (json_int_t)(k ? k->reconciles : 0));
	if (k && k->last_error[0])
		json_object_set_new(o, "error", json_string(k->last_error));
	return o;
}

/* ---- for the handlers of the targets API (api/targets.c) ---- */

void kernel_lock(struct bsd *d)
{
	pthread_mutex_lock(&ks(d)->lock);
}

void kernel_unlock(struct bsd *d)
{
	pthread_mutex_unlock(&ks(d)->lock);
}

int kernel_apply_locked(struct bsd *d)
{
	return kernel_reconcile_locked(d);
}

int kernel_withhold_locked(struct bsd *d, const char *image)
{
	snprintf(ks(d)->withheld, sizeof(ks(d)->withheld), "%s", image ? image : "");
	return knl_available() ? kernel_reconcile_locked(d) : 0;
}

const char *kernel_last_error(struct bsd *d)
{
	return ks(d)->last_error[0] ? ks(d)->last_error : knl_last_error();
}

int kernel_sync(struct bsd *d)
{
	int err;

	if (!ks(d) || !knl_available())
		return 0;
	pthread_mutex_lock(&ks(d)->lock);
	err = kernel_reconcile_locked(d);
	pthread_mutex_unlock(&ks(d)->lock);
	return err;
}
