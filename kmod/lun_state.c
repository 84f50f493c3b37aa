// SPDX-License-Identifier: GPL-2.0
/* Per-LUN engine state; see lun_state.h. */
#include <linux/slab.h>
#include <net/sock.h>

#include "config.h"
#include "lun_state.h"

int bootsan_lun_state_alloc(struct bootsan_lun *l)
{
	struct bootsan_lun_state *st = kvzalloc(sizeof(*st), GFP_KERNEL);

	if (!st)
		return -ENOMEM;
	mutex_init(&st->caw_lock);
	spin_lock_init(&st->lock);
	bootsan_pr_init(&st->pr);
	l->state = st;
	return 0;
}

void bootsan_lun_state_free(struct bootsan_lun *l)
{
	if (!l->state)
		return;
	mutex_destroy(&l->state->caw_lock);
	kvfree(l->state);
	l->state = NULL;
}

void bootsan_lun_capacity_changed(struct bootsan_lun *l)
{
	spin_lock(&l->state->lock);
	bootsan_pr_ua_all(&l->state->pr, NULL, PR_UA_CAPACITY_CHANGED);
	spin_unlock(&l->state->lock);
}

void bootsan_lun_states_session_lost(struct bootsan_target *t, u64 session)
{
	struct bootsan_lun *l;
	u32 next = 0;

	/* A LUN on its way out frees its state with the last reference. */
	while ((l = bootsan_lun_get_next(t, next))) {
		spin_lock(&l->state->lock);
		bootsan_pr_session_lost(&l->state->pr, session);
		spin_unlock(&l->state->lock);
		next = l->lun + 1;	/* LUN numbers stop at 16383: no wrap */
		bootsan_lun_put(l);
	}
}
