// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions: creation at the end of login, reinstatement (same initiator,
 * ISID and target with TSIH 0 replaces the old session), and teardown when
 * the session's only connection ends.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "compat.h"
#include "engine.h"
#include "lun_state.h"
#include "tsih.h"

DEFINE_MUTEX(bootsan_session_mutex);
LIST_HEAD(bootsan_sessions);
static u64 bootsan_next_session_id = 1;
/* Under bootsan_session_mutex. */
static struct tsih_map bootsan_tsihs = TSIH_MAP_INIT;

/*
 * A discovery session needs no target and, with authentication off, no
 * credentials: bound what one address can hold, so that no machine can
 * take all the TSIHs or the portal's connections with them.
 */
static unsigned int discovery_per_source = 8;
module_param(discovery_per_source, uint, 0644);
MODULE_PARM_DESC(discovery_per_source,
		 "Discovery sessions one address may hold at once; 0 for no limit (default 8)");

/*
 * Create the session for a connection whose login succeeded. @t carries a
 * reference that the session takes over. An older session of the same
 * initiator and ISID on the same target is closed first (reinstatement:
 * open-iscsi logs in again that way after a connection failure).
 */
struct bootsan_session *bootsan_session_create(struct bootsan_conn *conn,
					       struct bootsan_target *t,
					       bool discovery)
{
	struct bootsan_session *sess, *old;
	u32 live = 0;

	sess = kzalloc(sizeof(*sess), GFP_KERNEL);
	if (!sess)
		return ERR_PTR(-ENOMEM);
	sess->isid = get_unaligned_be48(conn->isid);
	sess->discovery = discovery;
	sess->target = t;
	sess->conn = conn;
	sess->peer = conn->peer;
	sess->params = conn->params;
	strscpy(sess->initiator, conn->params.initiator_name, sizeof(sess->initiator));
	/* target-set may change these meanwhile: new sessions see the change. */
	sess->queue_depth = t ? READ_ONCE(t->queue_depth) : 1;
	sess->nop_in_interval = t ? READ_ONCE(t->nop_in_interval) : 0;
	sess->chap_gen = conn->chap_gen;

	mutex_lock(&bootsan_session_mutex);
	list_for_each_entry(old, &bootsan_sessions, node) {
		if (old->target != t)
			continue;
		if (old->isid == sess->isid && !strcmp(old->initiator, sess->initiator) &&
		    old->conn && !old->reinstated) {
			bootsan_conn_shutdown(old->conn);
			old->reinstated = true;
		}
		/* Sessions on their way out do not count against the limits. */
		if (old->reinstated || old->killed || old->logout)
			continue;
		if (t || bootsan_same_source(&old->peer, &sess->peer))
			live++;
	}
	if (t && live >= READ_ONCE(t->max_sessions)) {
		mutex_unlock(&bootsan_session_mutex);
		kfree(sess);
		return ERR_PTR(-EUSERS);
	}
	if (!t && READ_ONCE(discovery_per_source) && live >= READ_ONCE(discovery_per_source)) {
		mutex_unlock(&bootsan_session_mutex);
		kfree(sess);
		return ERR_PTR(-EBUSY);	/* Target Error, out of resources */
	}
	/* 65535 sessions at once (discovery ones have no limit): refused. */
	sess->tsih = bootsan_tsih_alloc(&bootsan_tsihs);
	if (!sess->tsih) {
		mutex_unlock(&bootsan_session_mutex);
		kfree(sess);
		return ERR_PTR(-ENOSPC);
	}
	sess->id = bootsan_next_session_id++;
	if (t)
		atomic_inc(&t->nr_sessions);
	list_add_tail(&sess->node, &bootsan_sessions);
	mutex_unlock(&bootsan_session_mutex);
	return sess;
}

/* Called once, when the session's connection is released. */
void bootsan_session_close(struct bootsan_session *sess, int reason)
{
	mutex_lock(&bootsan_session_mutex);
	list_del(&sess->node);
	bootsan_tsih_free(&bootsan_tsihs, sess->tsih);
	mutex_unlock(&bootsan_session_mutex);
	if (sess->reinstated)
		reason = BOOTSAN_SESSION_DOWN_REASON_REINSTATED;
	if (sess->logout)
		reason = BOOTSAN_SESSION_DOWN_REASON_LOGOUT;
	if (sess->killed)
		reason = BOOTSAN_SESSION_DOWN_REASON_KILLED;
	if (sess->revoked)
		reason = BOOTSAN_SESSION_DOWN_REASON_REVOKED;
	if (sess->target) {
		/* I_T nexus loss: SPC-2 reservations and pending UAs go. */
		bootsan_lun_states_session_lost(sess->target, sess->id);
		bootsan_nl_notify_session_down(sess, reason);
		atomic_dec(&sess->target->nr_sessions);
		bootsan_target_put(sess->target);
	}
	kfree(sess);
}

/* End every session of @t (a forced delete); they go asynchronously. */
void bootsan_sessions_close_target(struct bootsan_target *t)
{
	struct bootsan_session *s;

	mutex_lock(&bootsan_session_mutex);
	list_for_each_entry(s, &bootsan_sessions, node) {
		if (s->target == t && s->conn) {
			s->killed = true;
			bootsan_conn_shutdown(s->conn);
		}
	}
	mutex_unlock(&bootsan_session_mutex);
}

bool bootsan_session_kill(u64 id)
{
	struct bootsan_session *s;
	bool found = false;

	mutex_lock(&bootsan_session_mutex);
	list_for_each_entry(s, &bootsan_sessions, node) {
		if (s->id == id) {
			s->killed = true;
			bootsan_conn_shutdown(s->conn);
			found = true;
			break;
		}
	}
	mutex_unlock(&bootsan_session_mutex);
	return found;
}

void bootsan_sessions_recheck(struct bootsan_target *t)
{
	struct bootsan_session *s;

	lockdep_assert_held(&bootsan_config_mutex);
	mutex_lock(&bootsan_session_mutex);
	list_for_each_entry(s, &bootsan_sessions, node) {
		if (s->target != t || !s->conn || s->revoked || s->killed ||
		    s->reinstated || s->logout)
			continue;
		if (bootsan_target_still_admits(t, s->initiator, s->chap_gen))
			continue;
		pr_info("%s: ending session %llu of %s: no longer allowed\n",
			t->iqn, s->id, s->initiator);
		s->revoked = true;
		bootsan_conn_shutdown(s->conn);
	}
	mutex_unlock(&bootsan_session_mutex);
}
