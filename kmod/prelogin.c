// SPDX-License-Identifier: GPL-2.0
/*
 * Connections that have not logged in yet. Anyone on the network can open
 * them, so they are bounded apart from logged-in ones: each has a login
 * deadline (the portal's login-timeout), and a portal holds at most
 * prelogin_max of them, prelogin_per_source from one address. A new
 * connection over a bound makes room by closing the pre-login connection
 * idle longest (of its own source first): a flood of silent sockets or
 * half-done logins costs the flooder its own oldest sockets, and a real
 * initiator, whose login takes a few round trips, still gets in.
 *
 * Logged-in connections are counted against the portal's max-connections
 * when their login completes, never before.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/moduleparam.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/spinlock.h>
#include <net/ipv6.h>

#include "engine.h"

static unsigned int prelogin_max = 256;
module_param(prelogin_max, uint, 0644);
MODULE_PARM_DESC(prelogin_max,
		 "Connections a portal holds before they log in; the one idle longest makes room (default 256)");

static unsigned int prelogin_per_source = 16;
module_param(prelogin_per_source, uint, 0644);
MODULE_PARM_DESC(prelogin_per_source,
		 "Connections from one address a portal holds before they log in (default 16)");

void bootsan_prelogin_portal_init(struct bootsan_portal *p)
{
	spin_lock_init(&p->prelogin_lock);
	INIT_LIST_HEAD(&p->prelogin);
	p->nr_prelogin = 0;
	atomic_set(&p->logged_in, 0);
}

bool bootsan_same_source(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return ipv6_addr_equal(&((const struct sockaddr_in6 *)a)->sin6_addr,
				       &((const struct sockaddr_in6 *)b)->sin6_addr);
	return true;	/* no address known: one bucket */
}

/* Idle longest: nothing received for the longest time (or never anything). */
static bool idle_longer(struct bootsan_conn *a, struct bootsan_conn *b)
{
	return !b || time_before(READ_ONCE(a->last_rx), READ_ONCE(b->last_rx));
}

/*
 * The connection to close for @conn to fit in @p, or NULL. The caller
 * holds prelogin_lock; the victim is claimed (closing set) and off the
 * list, so only the caller shuts it down.
 */
static struct bootsan_conn *prelogin_victim(struct bootsan_portal *p,
					    struct bootsan_conn *conn)
{
	struct bootsan_conn *c, *oldest = NULL, *oldest_here = NULL;
	unsigned int from_here = 0, per_source = READ_ONCE(prelogin_per_source);
	unsigned int max = READ_ONCE(prelogin_max);

	lockdep_assert_held(&p->prelogin_lock);
	list_for_each_entry(c, &p->prelogin, prelogin_node) {
		if (READ_ONCE(c->closing))
			continue;	/* on its way out already */
		if (idle_longer(c, oldest))
			oldest = c;
		if (bootsan_same_source(&c->peer, &conn->peer)) {
			from_here++;
			if (idle_longer(c, oldest_here))
				oldest_here = c;
		}
	}
	if (per_source && from_here >= per_source)
		c = oldest_here;
	else if (max && p->nr_prelogin >= max)
		c = oldest;
	else
		return NULL;
	if (!c || xchg(&c->closing, true))
		return NULL;
	list_del_init(&c->prelogin_node);
	p->nr_prelogin--;
	return c;
}

static void login_deadline_work(struct work_struct *work)
{
	struct bootsan_conn *conn = container_of(to_delayed_work(work), struct bootsan_conn,
						 login_deadline);

	if (READ_ONCE(conn->logged_in))
		return;
	pr_debug("closing a connection that did not log in within %u s\n",
		 conn->portal->login_timeout);
	bootsan_conn_shutdown(conn);
}

/* A new connection, before its socket callbacks are in place. */
void bootsan_prelogin_add(struct bootsan_conn *conn)
{
	struct bootsan_portal *p = conn->portal;
	struct bootsan_conn *victim;

	INIT_LIST_HEAD(&conn->prelogin_node);
	INIT_DELAYED_WORK(&conn->login_deadline, login_deadline_work);
	spin_lock(&p->prelogin_lock);
	victim = prelogin_victim(p, conn);
	list_add_tail(&conn->prelogin_node, &p->prelogin);
	p->nr_prelogin++;
	spin_unlock(&p->prelogin_lock);
	queue_delayed_work(bootsan_wq, &conn->login_deadline,
			   (unsigned long)p->login_timeout * HZ);
	if (victim) {
		pr_debug("too many connections logging in: closing the one idle longest\n");
		/* bootsan_conn_shutdown() past its claim, which we made. */
		kernel_sock_shutdown(victim->sock, SHUT_RDWR);
		queue_work(bootsan_wq, &victim->release_work);
	}
}

static void prelogin_leave(struct bootsan_conn *conn)
{
	struct bootsan_portal *p = conn->portal;

	spin_lock(&p->prelogin_lock);
	if (!list_empty(&conn->prelogin_node)) {
		list_del_init(&conn->prelogin_node);
		p->nr_prelogin--;
	}
	spin_unlock(&p->prelogin_lock);
}

/* Is the portal's max-connections reached? A first Login PDU is refused. */
bool bootsan_prelogin_portal_full(struct bootsan_portal *p)
{
	return atomic_read(&p->logged_in) >= READ_ONCE(p->max_connections);
}

/*
 * The login is about to complete: take one of the portal's connections.
 * False when none is left (the login is refused).
 */
bool bootsan_prelogin_take_slot(struct bootsan_conn *conn)
{
	struct bootsan_portal *p = conn->portal;

	if (conn->holds_slot)
		return true;
	if (atomic_inc_return(&p->logged_in) > READ_ONCE(p->max_connections)) {
		atomic_dec(&p->logged_in);
		return false;
	}
	conn->holds_slot = true;
	return true;
}

/* The login completed (io_work): no deadline, no pre-login bound any more. */
void bootsan_prelogin_done(struct bootsan_conn *conn)
{
	cancel_delayed_work(&conn->login_deadline);
	prelogin_leave(conn);
}

/* From release_work: nothing of the connection is left here. */
void bootsan_prelogin_release(struct bootsan_conn *conn)
{
	cancel_delayed_work_sync(&conn->login_deadline);
	prelogin_leave(conn);
	if (conn->holds_slot)
		atomic_dec(&conn->portal->logged_in);
}
