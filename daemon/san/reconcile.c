// SPDX-License-Identifier: GPL-2.0
/* The difference between the wanted and the current kernel state; see kstate.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kstate.h"

#define GROW(arr, n)	((arr) = grow((arr), (n), sizeof(*(arr))))

static void *grow(void *arr, size_t n, size_t size)
{
	void *p = realloc(arr, (n + 1) * size);

	if (p)
		memset((char *)p + n * size, 0, size);
	else
		free(arr);
	return p;
}

void ks_state_free(struct ks_state *s)
{
	size_t i;

	for (i = 0; i < s->ntargets; i++) {
		free(s->targets[i].luns);
		free(s->targets[i].acls);
	}
	free(s->targets);
	free(s->portals);
	memset(s, 0, sizeof(*s));
}

struct ks_portal *ks_add_portal(struct ks_state *s)
{
	if (!GROW(s->portals, s->nportals)) {
		s->nportals = 0;
		return NULL;
	}
	return &s->portals[s->nportals++];
}

struct ks_target *ks_add_target(struct ks_state *s)
{
	if (!GROW(s->targets, s->ntargets)) {
		s->ntargets = 0;
		return NULL;
	}
	return &s->targets[s->ntargets++];
}

struct ks_lun *ks_add_lun(struct ks_target *t)
{
	if (!GROW(t->luns, t->nluns)) {
		t->nluns = 0;
		return NULL;
	}
	return &t->luns[t->nluns++];
}

struct ks_acl *ks_add_acl(struct ks_target *t)
{
	if (!GROW(t->acls, t->nacls)) {
		t->nacls = 0;
		return NULL;
	}
	return &t->acls[t->nacls++];
}

struct ks_target *ks_find_target(const struct ks_state *s, const char *iqn)
{
	size_t i;

	for (i = 0; i < s->ntargets; i++)
		if (!strcmp(s->targets[i].iqn, iqn))
			return &s->targets[i];
	return NULL;
}

static const struct ks_portal *find_portal(const struct ks_state *s,
					   const struct ks_portal *p)
{
	size_t i;

	for (i = 0; i < s->nportals; i++)
		if (s->portals[i].port == p->port && s->portals[i].addr_len == p->addr_len &&
		    !memcmp(s->portals[i].addr, p->addr, p->addr_len))
			return &s->portals[i];
	return NULL;
}

static const struct ks_lun *find_lun(const struct ks_target *t, uint32_t lun)
{
	size_t i;

	for (i = 0; i < t->nluns; i++)
		if (t->luns[i].lun == lun)
			return &t->luns[i];
	return NULL;
}

static const struct ks_acl *find_acl(const struct ks_target *t, const char *initiator)
{
	size_t i;

	for (i = 0; i < t->nacls; i++)
		if (!strcmp(t->acls[i].initiator, initiator))
			return &t->acls[i];
	return NULL;
}

static bool chap_same(const struct ks_chap *a, const struct ks_chap *b)
{
	return a->set == b->set && (!a->set || !strcmp(a->user, b->user));
}

/* Only a defaulted value (0) may differ from what the kernel reports. */
static bool default_same(uint32_t want, uint32_t have)
{
	return !want || want == have;
}

/* The kernel has no portal-set: a portal that differs is replaced. */
static bool portal_same(const struct ks_portal *w, const struct ks_portal *h)
{
	return w->tpgt == h->tpgt && default_same(w->max_connections, h->max_connections) &&
	       default_same(w->login_timeout, h->login_timeout);
}

/*
 * nop_in_interval 0 is a setting (no NOP-In), not a default: compared as
 * is. A 0 session limit or queue depth is the module's default value.
 */
static bool target_same(const struct ks_target *w, const struct ks_target *h)
{
	return !strcmp(w->alias, h->alias) && w->auth == h->auth &&
	       chap_same(&w->chap, &h->chap) && chap_same(&w->mutual, &h->mutual) &&
	       ks_max_sessions(w) == ks_max_sessions(h) &&
	       ks_queue_depth(w) == ks_queue_depth(h) &&
	       w->nop_in_interval == h->nop_in_interval &&
	       w->allow_any_initiator == h->allow_any_initiator;
}

/* Everything but the size: a change means a new LUN. */
static bool lun_same(const struct ks_lun *w, const struct ks_lun *h)
{
	return w->backend == h->backend && !strcmp(w->path, h->path) &&
	       !strcmp(w->delta_path, h->delta_path) && w->read_only == h->read_only && w->direct == h->direct &&
	       default_same(w->block_size, h->block_size) &&
	       !strcmp(w->serial, h->serial) && w->naa == h->naa;
}

static bool acl_same(const struct ks_acl *w, const struct ks_acl *h)
{
	return chap_same(&w->chap, &h->chap) && chap_same(&w->mutual, &h->mutual);
}

struct op_list {
	struct ks_op *ops;
	size_t n;
	int err;
};

static void add(struct op_list *l, enum ks_op_kind kind, const struct ks_portal *p,
		const struct ks_target *t, const struct ks_lun *lun, const struct ks_acl *acl)
{
	if (l->err)
		return;
	if (!GROW(l->ops, l->n)) {
		l->err = -ENOMEM;
		return;
	}
	l->ops[l->n++] = (struct ks_op){ kind, p, t, lun, acl };
}

static void reconcile_target(struct op_list *l, const struct ks_target *w,
			     const struct ks_target *h)
{
	const struct ks_lun *hl;
	const struct ks_acl *ha;
	size_t i;

	if (!h) {
		add(l, KS_TARGET_NEW, NULL, w, NULL, NULL);
		for (i = 0; i < w->nluns; i++)
			if (!w->luns[i].missing)
				add(l, KS_LUN_NEW, NULL, w, &w->luns[i], NULL);
		for (i = 0; i < w->nacls; i++)
			add(l, KS_ACL_NEW, NULL, w, NULL, &w->acls[i]);
		return;
	}
	if (!target_same(w, h))
		add(l, KS_TARGET_SET, NULL, w, NULL, NULL);
	for (i = 0; i < h->nluns; i++) {
		const struct ks_lun *wl = find_lun(w, h->luns[i].lun);

		if (!wl || (!wl->missing && !lun_same(wl, &h->luns[i])))
			add(l, KS_LUN_DEL, NULL, h, &h->luns[i], NULL);
	}
	for (i = 0; i < w->nluns; i++) {
		if (w->luns[i].missing)
			continue;
		hl = find_lun(h, w->luns[i].lun);
		if (!hl || !lun_same(&w->luns[i], hl))
			add(l, KS_LUN_NEW, NULL, w, &w->luns[i], NULL);
		else if (w->luns[i].size && w->luns[i].size != hl->size)
			add(l, KS_LUN_RESIZE, NULL, w, &w->luns[i], NULL);
	}
	for (i = 0; i < h->nacls; i++) {
		const struct ks_acl *wa = find_acl(w, h->acls[i].initiator);

		if (!wa || !acl_same(wa, &h->acls[i]))
			add(l, KS_ACL_DEL, NULL, h, NULL, &h->acls[i]);
	}
	for (i = 0; i < w->nacls; i++) {
		ha = find_acl(h, w->acls[i].initiator);
		if (!ha || !acl_same(&w->acls[i], ha))
			add(l, KS_ACL_NEW, NULL, w, NULL, &w->acls[i]);
	}
}

int ks_reconcile(const struct ks_state *want, const struct ks_state *have,
		 struct ks_op **ops, size_t *nops)
{
	struct op_list l = {};
	const struct ks_portal *hp;
	size_t i;

	/* Portals first: a portal whose settings changed is replaced. */
	for (i = 0; i < have->nportals; i++) {
		const struct ks_portal *wp = find_portal(want, &have->portals[i]);

		if (!wp || !portal_same(wp, &have->portals[i]))
			add(&l, KS_PORTAL_DEL, &have->portals[i], NULL, NULL, NULL);
	}
	for (i = 0; i < want->nportals; i++) {
		hp = find_portal(have, &want->portals[i]);
		if (!hp || !portal_same(&want->portals[i], hp))
			add(&l, KS_PORTAL_NEW, &want->portals[i], NULL, NULL, NULL);
	}
	for (i = 0; i < have->ntargets; i++)
		if (!ks_find_target(want, have->targets[i].iqn))
			add(&l, KS_TARGET_DEL, NULL, &have->targets[i], NULL, NULL);
	for (i = 0; i < want->ntargets; i++)
		reconcile_target(&l, &want->targets[i],
				 ks_find_target(have, want->targets[i].iqn));
	if (l.err) {
		free(l.ops);
		return l.err;
	}
	*ops = l.ops;
	*nops = l.n;
	return 0;
}
