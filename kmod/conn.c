// SPDX-License-Identifier: GPL-2.0
/*
 * iSCSI connections: the socket callbacks, the non-blocking receive state
 * machine that cuts the byte stream into PDUs, and teardown (sending is
 * tx.c).
 * What a PDU means is decided in login.c (before login completes) and
 * iscsi_cmd.c (full feature phase).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "compat.h"
#include "digest.h"
#include "engine.h"
#include "pdu_check.h"

/* TCP keepalive: idle seconds before probing, seconds between probes, probes. */
#define BOOTSAN_KEEPALIVE_IDLE		60
#define BOOTSAN_KEEPALIVE_INTERVAL	10
#define BOOTSAN_KEEPALIVE_PROBES	6

static LIST_HEAD(bootsan_conns);
static DEFINE_SPINLOCK(bootsan_conns_lock);
static DECLARE_WAIT_QUEUE_HEAD(bootsan_conns_wait);

/* ---- command buffers ---- */

int bootsan_buf_alloc(struct bootsan_buf *buf, size_t len)
{
	unsigned int i, nr = DIV_ROUND_UP(len, PAGE_SIZE);

	buf->len = 0;
	buf->nr_pages = 0;
	buf->bvec = NULL;
	if (!nr)
		return 0;
	buf->bvec = kvcalloc(nr, sizeof(*buf->bvec), GFP_KERNEL);
	if (!buf->bvec)
		return -ENOMEM;
	for (i = 0; i < nr; i++) {
		struct page *page = alloc_page(GFP_KERNEL);
		size_t chunk = min_t(size_t, PAGE_SIZE, len - (size_t)i * PAGE_SIZE);

		if (!page) {
			bootsan_buf_free(buf);
			return -ENOMEM;
		}
		bvec_set_page(&buf->bvec[i], page, chunk, 0);
		buf->nr_pages++;
	}
	buf->len = len;
	return 0;
}

void bootsan_buf_free(struct bootsan_buf *buf)
{
	unsigned int i;

	/* Our own pages are freed; borrowed page-cache pages given back. */
	for (i = 0; i < buf->nr_pages; i++)
		put_page(buf->bvec[i].bv_page);
	kvfree(buf->bvec);
	buf->bvec = NULL;
	buf->nr_pages = 0;
	buf->len = 0;
}

void bootsan_buf_iter(struct bootsan_buf *buf, struct iov_iter *iter,
		      unsigned int direction, size_t off, size_t len)
{
	iov_iter_bvec(iter, direction, buf->bvec, buf->nr_pages, buf->len);
	iov_iter_advance(iter, off);
	iov_iter_truncate(iter, len);
}

/* ---- PDU framing helpers ---- */

void bootsan_put_dlength(u8 *dlength, u32 len)
{
	dlength[0] = (len >> 16) & 0xff;
	dlength[1] = (len >> 8) & 0xff;
	dlength[2] = len & 0xff;
}

u32 bootsan_get_dlength(const u8 *dlength)
{
	return (dlength[0] << 16) | (dlength[1] << 8) | dlength[2];
}

/* Digests apply from the first PDU after the last login response. */
static bool header_digest(struct bootsan_conn *conn)
{
	return conn->logged_in && conn->params.header_digest;
}

static bool data_digest(struct bootsan_conn *conn)
{
	return conn->logged_in && conn->params.data_digest;
}

/* ---- receive ---- */

/* Read what is available into @iter; 0 when it is all there, -EAGAIN if not. */
static int recv_iter(struct bootsan_conn *conn, struct iov_iter *iter, u32 *got)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	int ret;

	msg.msg_iter = *iter;
	while (msg_data_left(&msg)) {
		ret = sock_recvmsg(conn->sock, &msg, MSG_DONTWAIT);
		if (ret == 0)
			return -ECONNRESET;	/* the peer closed */
		if (ret < 0)
			return ret;
		*got += ret;
	}
	return 0;
}

static int recv_kbuf(struct bootsan_conn *conn, void *base, u32 len)
{
	struct kvec v = { .iov_base = (u8 *)base + conn->rx_off,
			  .iov_len = len - conn->rx_off };
	struct iov_iter iter;

	iov_iter_kvec(&iter, ITER_DEST, &v, 1, v.iov_len);
	return recv_iter(conn, &iter, &conn->rx_off);
}

static void rx_reset(struct bootsan_conn *conn)
{
	conn->rx_stage = RX_BHS;
	conn->rx_off = 0;
	kvfree(conn->data);
	conn->data = NULL;
	kfree(conn->ahs);
	conn->ahs = NULL;
	conn->rx_cmd = NULL;
	conn->rx_reject = 0;
}

/*
 * Decide where the data segment of the PDU whose header we hold goes:
 * straight into a command's buffer (immediate data, Data-Out), into a
 * small buffer for login, text and NOP-Out payloads, or nowhere for a PDU
 * we reject.
 */
static int rx_start_data(struct bootsan_conn *conn)
{
	u8 op = conn->bhs[0] & ISCSI_OPCODE_MASK;

	if (conn->rx_reject)
		return 0;
	if (conn->logged_in && (op == ISCSI_OP_SCSI_CMD || op == ISCSI_OP_SCSI_DATA_OUT))
		return bootsan_ffp_data_ready(conn);
	conn->data = kvmalloc(conn->data_len, GFP_KERNEL);
	return conn->data ? 0 : -ENOMEM;
}

/* Check the header just received (pdu_check.c): go on, reject or close. */
static int rx_check_header(struct bootsan_conn *conn)
{
	u8 reason;
	enum pdu_verdict v = pdu_check(conn->bhs, conn->logged_in,
				       conn->params.max_recv_dsl_target, &reason);

	/* Never let a command or TMF reach a session without a target. */
	if (v == PDU_ACCEPT && conn->logged_in && conn->sess->discovery)
		v = pdu_check_discovery(conn->bhs, &reason);
	switch (v) {
	case PDU_ACCEPT:
		conn->rx_reject = 0;
		return 0;
	case PDU_REJECT:
		pr_debug("rejecting PDU opcode 0x%02x: reason 0x%02x\n",
			 conn->bhs[0], reason);
		conn->rx_reject = reason;
		return 0;
	default:
		pr_warn_ratelimited("malformed PDU opcode 0x%02x before login: closing\n",
				    conn->bhs[0]);
		return -EPROTO;
	}
}

/* Read and drop the data segment of a rejected PDU. */
static int recv_discard(struct bootsan_conn *conn)
{
	struct iov_iter iter;

	iov_iter_discard(&iter, ITER_DEST, conn->data_len - conn->rx_off);
	return recv_iter(conn, &iter, &conn->rx_off);
}

static int rx_dispatch(struct bootsan_conn *conn)
{
	if (conn->rx_reject)
		return bootsan_ffp_reject(conn, conn->rx_reject);
	return conn->logged_in ? bootsan_ffp_pdu(conn) : bootsan_login_pdu(conn);
}

/* Does the received digest match @crc? */
static bool digest_ok(struct bootsan_conn *conn, u32 crc)
{
	u8 want[BOOTSAN_DIGEST_LEN];

	bootsan_digest_put(crc, want);
	return !memcmp(want, conn->digest, sizeof(want));
}

/*
 * A data digest covers the data segment and its padding, wherever the
 * data was received to. A PDU that fails it is discarded (RFC 7143 7.8):
 * iscsi_cmd.c answers with a Reject and fails what it belonged to.
 */
static int rx_check_data_digest(struct bootsan_conn *conn)
{
	u32 crc;

	if (conn->rx_reject)	/* its data was dropped unread: the Reject goes out */
		return rx_dispatch(conn);
	if (conn->rx_cmd)
		crc = bootsan_crc32c_buf(BOOTSAN_CRC_SEED, &conn->rx_cmd->scsi.buf,
					 conn->rx_cmd_off, conn->data_len);
	else
		crc = bootsan_crc32c(BOOTSAN_CRC_SEED, conn->data, conn->data_len);
	crc = bootsan_crc32c(crc, conn->pad, conn->pad_len);
	if (digest_ok(conn, crc))
		return rx_dispatch(conn);
	pr_warn_ratelimited("data digest error: PDU discarded\n");
	return bootsan_ffp_data_digest_error(conn);
}

/* Advance the receive state machine as far as the socket allows. */
static int rx_step(struct bootsan_conn *conn)
{
	struct iscsi_hdr *hdr = (struct iscsi_hdr *)conn->bhs;
	struct iov_iter iter;
	u32 crc;
	int ret;

	switch (conn->rx_stage) {
	case RX_BHS:
		ret = recv_kbuf(conn, conn->bhs, ISCSI_HDR_LEN);
		if (ret)
			return ret;
		conn->data_len = bootsan_get_dlength(hdr->dlength);
		conn->rx_off = 0;
		WRITE_ONCE(conn->last_rx, jiffies);
		conn->ahs_len = hdr->hlength * 4;
		conn->rx_stage = RX_AHS;
		fallthrough;
	case RX_AHS:
		if (conn->ahs_len) {
			/* Rare (bidirectional or long CDBs): no room kept for it. */
			if (!conn->ahs) {
				conn->ahs = kmalloc(conn->ahs_len, GFP_KERNEL);
				if (!conn->ahs)
					return -ENOMEM;
			}
			ret = recv_kbuf(conn, conn->ahs, conn->ahs_len);
			if (ret)
				return ret;
			conn->rx_off = 0;
		}
		conn->rx_stage = RX_HDIGEST;
		fallthrough;
	case RX_HDIGEST:
		if (header_digest(conn)) {
			ret = recv_kbuf(conn, conn->digest, sizeof(conn->digest));
			if (ret)
				return ret;
			conn->rx_off = 0;
			crc = bootsan_crc32c(BOOTSAN_CRC_SEED, conn->bhs, ISCSI_HDR_LEN);
			if (conn->ahs_len)
				crc = bootsan_crc32c(crc, conn->ahs, conn->ahs_len);
			if (!digest_ok(conn, crc)) {
				/* ErrorRecoveryLevel 0: the connection ends. */
				pr_warn_ratelimited("header digest error: closing\n");
				return -EPROTO;
			}
		}
		conn->rx_stage = RX_DATA;
		conn->rx_cmd = NULL;
		ret = rx_check_header(conn);
		if (!ret && conn->data_len)
			ret = rx_start_data(conn);
		if (ret)
			return ret;
		fallthrough;
	case RX_DATA:
		if (conn->rx_reject) {
			ret = recv_discard(conn);
		} else if (conn->rx_cmd) {
			bootsan_buf_iter(&conn->rx_cmd->scsi.buf, &iter, ITER_DEST,
					 conn->rx_cmd_off + conn->rx_off,
					 conn->data_len - conn->rx_off);
			ret = recv_iter(conn, &iter, &conn->rx_off);
		} else if (conn->data_len) {
			ret = recv_kbuf(conn, conn->data, conn->data_len);
		} else {
			ret = 0;
		}
		if (ret)
			return ret;
		conn->rx_off = 0;
		conn->rx_stage = RX_PAD;
		conn->pad_len = (4 - (conn->data_len & 3)) & 3;
		fallthrough;
	case RX_PAD:
		if (conn->pad_len) {
			ret = recv_kbuf(conn, conn->pad, conn->pad_len);
			if (ret)
				return ret;
			conn->rx_off = 0;
		}
		conn->rx_stage = RX_DDIGEST;
		fallthrough;
	case RX_DDIGEST:
		if (conn->data_len && data_digest(conn)) {
			ret = recv_kbuf(conn, conn->digest, sizeof(conn->digest));
			if (ret)
				return ret;
			ret = rx_check_data_digest(conn);
		} else {
			ret = rx_dispatch(conn);
		}
		rx_reset(conn);
		return ret;
	}
	return -EINVAL;
}

/* The peer read nothing for the whole deadline while answers waited. */
static bool tx_expired(struct bootsan_conn *conn)
{
	if (!xchg(&conn->tx.expired, false) || !conn->tx.waiting)
		return false;
	return time_after_eq(jiffies, conn->tx.progress + BOOTSAN_TX_DEADLINE_S * HZ);
}

static void bootsan_conn_io_work(struct work_struct *work)
{
	struct bootsan_conn *conn = container_of(work, struct bootsan_conn, io_work);
	int budget = 64, ret = 0;

	if (READ_ONCE(conn->closing))
		return;
	if (tx_expired(conn)) {
		pr_debug("closing connection: its peer reads nothing\n");
		conn->rx_error = -ETIMEDOUT;
		bootsan_conn_shutdown(conn);
		return;
	}
	if (conn->tx.drain_then_close)
		goto drain;
	if (xchg(&conn->ping_due, false)) {
		ret = bootsan_ffp_send_ping(conn);
		if (ret)
			goto end;
	}
	while (budget--) {
		/* Answers first: they reopen the initiator's window. */
		ret = bootsan_ffp_send_done(conn);
		if (!ret)
			ret = bootsan_dout_resume(conn);
		if (ret)
			break;
		/* Too much waits for the peer: read nothing new until it went. */
		if (bootsan_tx_full(conn)) {
			ret = bootsan_tx_push(conn);
			if (ret)
				break;
		}
		ret = rx_step(conn);
		if (ret)
			break;
	}
	if (!ret) {
		/* Let other connections run; we come back at once. */
		ret = bootsan_tx_push(conn);
		if (!ret || ret == -EAGAIN) {
			queue_work(bootsan_wq, &conn->io_work);
			return;
		}
		goto end;
	}
	/*
	 * Nothing more to receive, or no room to send. A command that
	 * finishes after this queues io_work again; so does room in the
	 * socket (bootsan_conn_write_space).
	 */
	if (ret == -EAGAIN) {
		ret = bootsan_ffp_send_done(conn);
		if (!ret)
			ret = bootsan_dout_resume(conn);
		if (!ret)
			ret = bootsan_tx_push(conn);
		if (!ret || ret == -EAGAIN)
			return;
	}
end:
	/* What was queued still goes: a Logout or a login failure response. */
	conn->rx_error = ret;
	conn->tx.drain_then_close = true;
drain:
	ret = bootsan_tx_push(conn);
	if (ret == -EAGAIN)
		return;		/* the watchdog bounds the wait */
	if (conn->rx_error != -ECONNRESET && conn->rx_error != -EPIPE)
		pr_debug("closing connection: %d\n", conn->rx_error);
	bootsan_conn_shutdown(conn);
}

/*
 * Every ping interval: when nothing came in for a whole interval, have
 * io_work send a NOP-In (only io_work writes to the socket).
 */
static void bootsan_conn_ping_work(struct work_struct *work)
{
	struct bootsan_conn *conn = container_of(to_delayed_work(work),
						 struct bootsan_conn, ping_work);

	if (READ_ONCE(conn->closing))
		return;
	if (time_after_eq(jiffies, READ_ONCE(conn->last_rx) + conn->ping_interval)) {
		WRITE_ONCE(conn->ping_due, true);
		queue_work(bootsan_wq, &conn->io_work);
	}
	queue_delayed_work(bootsan_wq, &conn->ping_work, conn->ping_interval);
}

/* Called from io_work when a normal session starts on this connection. */
void bootsan_conn_start_pings(struct bootsan_conn *conn, u32 seconds)
{
	/* A closing connection's release_work may have cancelled pings already. */
	if (!seconds || READ_ONCE(conn->closing))
		return;
	conn->ping_interval = (unsigned long)seconds * HZ;
	queue_delayed_work(bootsan_wq, &conn->ping_work, conn->ping_interval);
}

/* ---- socket callbacks (softirq context: queue work, never sleep) ---- */

static void bootsan_conn_data_ready(struct sock *sk)
{
	struct bootsan_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	if (conn && !READ_ONCE(conn->closing))
		queue_work(bootsan_wq, &conn->io_work);
	read_unlock_bh(&sk->sk_callback_lock);
}

static void bootsan_conn_state_change(struct sock *sk)
{
	struct bootsan_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	if (conn) {
		switch (sk->sk_state) {
		case TCP_FIN_WAIT1:
		case TCP_CLOSE_WAIT:
		case TCP_CLOSE:
			/* io_work sees the end of the stream and closes. */
			queue_work(bootsan_wq, &conn->io_work);
			break;
		default:
			break;
		}
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

static void bootsan_conn_release_work(struct work_struct *work)
{
	struct bootsan_conn *conn = container_of(work, struct bootsan_conn, release_work);
	struct sock *sk = conn->sock->sk;

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = NULL;
	sk->sk_data_ready = conn->saved_data_ready;
	sk->sk_state_change = conn->saved_state_change;
	sk->sk_write_space = conn->saved_write_space;
	write_unlock_bh(&sk->sk_callback_lock);
	/*
	 * io_work may still start commands until it has stopped; commands
	 * that finish queue it again (it does nothing now, closing is set),
	 * so cancel it once more when none runs. A run that was under way
	 * when closing was set may have armed the ping (a login completing
	 * as its session is reinstated): the ping goes only after io_work
	 * has stopped for good, and a ping that was running may have queued
	 * io_work once more.
	 */
	cancel_work_sync(&conn->io_work);
	bootsan_conn_wait_running(conn);
	/* Its watchdog may have queued io_work (which does nothing now). */
	bootsan_tx_stop(conn);
	cancel_work_sync(&conn->io_work);
	cancel_delayed_work_sync(&conn->ping_work);
	cancel_work_sync(&conn->io_work);
	/* Before the session goes: dropping a command updates its window. */
	bootsan_conn_abort_cmds(conn);
	bootsan_tx_drop(conn);

	/*
	 * ERL 0: the session ends with its only connection. A peer that went
	 * silent (keepalive or retransmissions timed out: a client that was
	 * switched off, or booted on without logging out) expired.
	 */
	if (conn->sess)
		bootsan_session_close(conn->sess, conn->rx_error == -ETIMEDOUT ?
				      BOOTSAN_SESSION_DOWN_REASON_EXPIRED :
				      BOOTSAN_SESSION_DOWN_REASON_CONNECTION_LOST);
	if (conn->target)
		bootsan_target_put(conn->target);	/* login never completed */
	rx_reset(conn);
	kfree_sensitive(conn->creds);
	kfree_sensitive(conn->login_text);
	bootsan_prelogin_release(conn);
	sock_release(conn->sock);
	atomic_dec(&conn->portal->connections);
	bootsan_portal_put(conn->portal);

	spin_lock(&bootsan_conns_lock);
	list_del(&conn->node);
	spin_unlock(&bootsan_conns_lock);
	wake_up_all(&bootsan_conns_wait);
	kfree_sensitive(conn);
}

/* The caller set conn->closing: only it may end the connection. */
static void conn_end_claimed(struct bootsan_conn *conn)
{
	kernel_sock_shutdown(conn->sock, SHUT_RDWR);
	queue_work(bootsan_wq, &conn->release_work);
}

/*
 * Close a connection from any context that may sleep. The socket is shut
 * down at once (the peer sees it); the rest happens in release_work, which
 * waits for io_work to finish.
 */
void bootsan_conn_shutdown(struct bootsan_conn *conn)
{
	if (xchg(&conn->closing, true))
		return;
	conn_end_claimed(conn);
}

/*
 * Claim the next connection to end: one of portal @p, or of any portal
 * when @p is NULL. Claimed (closing set by us), it stays allocated until
 * we queue its release_work, so the socket is shut down after the
 * spinlock is dropped: kernel_sock_shutdown() sleeps.
 */
static struct bootsan_conn *conn_claim_next(struct bootsan_portal *p)
{
	struct bootsan_conn *conn;

	spin_lock(&bootsan_conns_lock);
	list_for_each_entry(conn, &bootsan_conns, node) {
		if ((!p || conn->portal == p) && !xchg(&conn->closing, true)) {
			spin_unlock(&bootsan_conns_lock);
			return conn;
		}
	}
	spin_unlock(&bootsan_conns_lock);
	return NULL;
}

/* A forced portal delete: end the connections that came in through it. */
void bootsan_conns_shutdown_portal(struct bootsan_portal *p)
{
	struct bootsan_conn *conn;

	while ((conn = conn_claim_next(p)))
		conn_end_claimed(conn);
}

void bootsan_conns_shutdown_all(void)
{
	struct bootsan_conn *conn;

	while ((conn = conn_claim_next(NULL)))
		conn_end_claimed(conn);
	wait_event(bootsan_conns_wait, list_empty_careful(&bootsan_conns));
}

int bootsan_conn_create(struct bootsan_portal *portal, struct socket *sock)
{
	struct bootsan_conn *conn;
	struct sock *sk = sock->sk;
	int ret;

	conn = kzalloc(sizeof(*conn), GFP_KERNEL);
	if (!conn)
		return -ENOMEM;
	conn->sock = sock;
	conn->portal = portal;
	bootsan_portal_get(portal);
	atomic_inc(&portal->connections);
	INIT_WORK(&conn->io_work, bootsan_conn_io_work);
	INIT_WORK(&conn->release_work, bootsan_conn_release_work);
	INIT_DELAYED_WORK(&conn->ping_work, bootsan_conn_ping_work);
	conn->last_rx = jiffies;
	INIT_LIST_HEAD(&conn->pending_writes);
	spin_lock_init(&conn->done_lock);
	INIT_LIST_HEAD(&conn->done);
	init_waitqueue_head(&conn->running_wait);
	bootsan_tx_init(conn);
	conn->rx_stage = RX_BHS;
	conn->login_stage = -1;
	bootsan_iscsi_params_init(&conn->params);
	/* CRC32C digests are offered when the kernel can compute them. */
	conn->params.target_allow_digests = bootsan_digest_available();
	ret = kernel_getpeername(sock, (struct sockaddr *)&conn->peer);
	if (ret < 0)
		memset(&conn->peer, 0, sizeof(conn->peer));
	/* It has until its login deadline; it may close an idle one for room. */
	bootsan_prelogin_add(conn);

	tcp_sock_set_nodelay(sk);
	/*
	 * A client switched off (or an iPXE session left behind by the OS it
	 * booted) never closes its connection: keepalive finds it dead after
	 * about two minutes of silence, and its session ends.
	 */
	sock_set_keepalive(sk);
	tcp_sock_set_keepidle(sk, BOOTSAN_KEEPALIVE_IDLE);
	tcp_sock_set_keepintvl(sk, BOOTSAN_KEEPALIVE_INTERVAL);
	tcp_sock_set_keepcnt(sk, BOOTSAN_KEEPALIVE_PROBES);
	/*
	 * A peer that stops reading leaves its last responses in the socket
	 * once the send queue (tx.c) is empty, where the send deadline does
	 * not see them: TCP itself drops a connection whose data stays
	 * unacknowledged, or unsent behind a zero window, for as long.
	 */
	tcp_sock_set_user_timeout(sk, BOOTSAN_TX_DEADLINE_S * 1000);

	spin_lock(&bootsan_conns_lock);
	list_add_tail(&conn->node, &bootsan_conns);
	spin_unlock(&bootsan_conns_lock);

	write_lock_bh(&sk->sk_callback_lock);
	sk->sk_user_data = conn;
	conn->saved_data_ready = sk->sk_data_ready;
	conn->saved_state_change = sk->sk_state_change;
	conn->saved_write_space = sk->sk_write_space;
	sk->sk_data_ready = bootsan_conn_data_ready;
	sk->sk_state_change = bootsan_conn_state_change;
	sk->sk_write_space = bootsan_conn_write_space;
	/*
	 * Data may have arrived before the callbacks were in place. Queued
	 * under the lock: once it is dropped, the callbacks (on another CPU,
	 * or in the softirqs that run when it is dropped) may start io_work,
	 * which may end the connection and free it before a later look here.
	 */
	queue_work(bootsan_wq, &conn->io_work);
	write_unlock_bh(&sk->sk_callback_lock);
	/* Nothing of @conn is touched past this point. */
	return 0;
}
