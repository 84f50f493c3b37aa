// SPDX-License-Identifier: GPL-2.0
/*
 * Listening on portals: the listening socket's data_ready callback queues
 * accept_work, which accepts every pending connection without blocking.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/net.h>
#include <net/sock.h>
#include <net/tcp_states.h>

#include "engine.h"

#define BOOTSAN_LISTEN_BACKLOG	128

static void bootsan_accept_work(struct work_struct *work)
{
	struct bootsan_portal *p = container_of(work, struct bootsan_portal, accept_work);
	struct socket *sock;
	int ret;

	for (;;) {
		ret = kernel_accept(p->sock, &sock, O_NONBLOCK);
		if (ret)
			break;
		ret = bootsan_conn_create(p, sock);
		if (ret) {
			pr_warn_ratelimited("dropping a connection: %d\n", ret);
			sock_release(sock);
		}
	}
	if (ret != -EAGAIN)
		pr_warn_ratelimited("accept failed: %d\n", ret);
}

/*
 * A connection TCP makes from the listener is a clone of it, callbacks
 * included. The portal is stored with SK_USER_DATA_NOCOPY, so a clone's
 * sk_user_data starts NULL and its data, before the connection takes the
 * socket over (or once the portal is gone), queues nothing: only the
 * listener itself may queue accept_work, whose portal outlives it.
 */
static void bootsan_listen_data_ready(struct sock *sk)
{
	struct bootsan_portal *p;

	read_lock_bh(&sk->sk_callback_lock);
	p = __locked_read_sk_user_data_with_flags(sk, SK_USER_DATA_NOCOPY);
	if (p && sk->sk_state == TCP_LISTEN)
		queue_work(bootsan_wq, &p->accept_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

int bootsan_portal_listen(struct bootsan_portal *p)
{
	struct sock *sk = p->sock->sk;
	int ret;

	INIT_WORK(&p->accept_work, bootsan_accept_work);
	write_lock_bh(&sk->sk_callback_lock);
	__rcu_assign_sk_user_data_with_flags(sk, p, SK_USER_DATA_NOCOPY);
	p->saved_data_ready = sk->sk_data_ready;
	sk->sk_data_ready = bootsan_listen_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	ret = kernel_listen(p->sock, BOOTSAN_LISTEN_BACKLOG);
	if (ret)
		bootsan_portal_stop(p);
	return ret;
}

/* Stop accepting; connections already made stay until they end. */
void bootsan_portal_stop(struct bootsan_portal *p)
{
	struct sock *sk = p->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	rcu_assign_sk_user_data(sk, NULL);
	sk->sk_data_ready = p->saved_data_ready;
	write_unlock_bh(&sk->sk_callback_lock);
	cancel_work_sync(&p->accept_work);
}
