/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the engine keeps per logical unit beyond its configuration: the
 * COMPARE AND WRITE lock, reservations and pending unit attentions.
 */
#ifndef BOOTSAN_LUN_STATE_H
#define BOOTSAN_LUN_STATE_H

#include <linux/mutex.h>
#include <linux/spinlock.h>

#include "pr.h"

struct bootsan_lun;
struct bootsan_target;

struct bootsan_lun_state {
	/* COMPARE AND WRITE is atomic against every other one on the LUN. */
	struct mutex caw_lock;
	spinlock_t lock;		/* protects pr; never held across I/O */
	struct pr_state pr;
};

int bootsan_lun_state_alloc(struct bootsan_lun *l);
void bootsan_lun_state_free(struct bootsan_lun *l);

/* CAPACITY DATA HAS CHANGED for every nexus that used the LUN. */
void bootsan_lun_capacity_changed(struct bootsan_lun *l);
/* The session @session of target @t ended: I_T nexus loss on its LUNs. */
void bootsan_lun_states_session_lost(struct bootsan_target *t, u64 session);

#endif /* BOOTSAN_LUN_STATE_H */
