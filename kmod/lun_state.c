// SPDX-License-Identifier: GPL-2.0
/* Per-LUN engine state; see lun_state.h. */
#include <linux/rculist.h>
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
	pr_init(&st->pr);
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
	pr_ua_all(&l->state->pr, NULL, PR_UA_CAPACITY_CHANGED);
	spin_unlock(&l->state->lock);
}

void bootsan_lun_states_session_lost(struct bootsan_target *t, u64 session)
{
	struct bootsan_lun *l;

	rcu_read_lock();
	list_for_each_entry_rcu(l, &t->luns, node) {
		/* A LUN on its way out frees its state with the last reference. */
		if (!kref_get_unless_zero(&l->ref))
			continue;
		spin_lock(&l->state->lock);
		pr_session_lost(&l->state->pr, session);
		spin_unlock(&l->state->lock);
		bootsan_lun_put(l);
	}
	rcu_read_unlock();
}
