// SPDX-License-Identifier: GPL-2.0
/*
 * The send queue of a connection (tx.h): queueing PDUs, pushing them into
 * the socket without blocking, and what happens when the peer stops
 * reading.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/net.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <net/sock.h>

#include "compat.h"
#include "digest.h"
#include "engine.h"
#include "ffp.h"
#include "tx.h"

struct bootsan_tx {
	struct list_head node;
	/* A read's Data-In (the pages are ours to release), or a copied PDU. */
	bool data_in;
	struct bootsan_data_in d;
	u32 stat_sn;			/* of the last Data-In, when with status */
	u32 chunk;			/* largest Data-In data segment */
	struct bootsan_buf buf;
	u32 len;			/* copied PDU: bytes in bytes[] */
	u8 bytes[];
};

/* Copied PDUs that one sendmsg takes at most. */
#define TX_GATHER	16

static const u8 zero_pad[4];

/* Digests apply from the first PDU after the last login response. */
static bool tx_header_digest(struct bootsan_conn *conn)
{
	return conn->logged_in && conn->params.header_digest;
}

static bool tx_data_digest(struct bootsan_conn *conn)
{
	return conn->logged_in && conn->params.data_digest;
}

static void tx_queue(struct bootsan_conn *conn, struct bootsan_tx *t)
{
	list_add_tail(&t->node, &conn->tx.queue);
	conn->tx.nr++;
	conn->tx.copied += t->len;
}

/*
 * Queue one PDU: the 48-byte header, then @data and padding to a multiple
 * of four bytes, each followed by its digest when those were negotiated.
 * All of it is copied: the caller's header and data may go right away.
 */
int bootsan_conn_send(struct bootsan_conn *conn, void *hdr,
		      const void *data, u32 data_len)
{
	u32 pad = (4 - (data_len & 3)) & 3, len = ISCSI_HDR_LEN;
	bool hd = tx_header_digest(conn), dd = data_len && tx_data_digest(conn);
	struct bootsan_tx *t;
	u8 *p;

	len += (hd ? BOOTSAN_DIGEST_LEN : 0) + data_len + pad + (dd ? BOOTSAN_DIGEST_LEN : 0);
	t = kmalloc(struct_size(t, bytes, len), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->data_in = false;
	t->buf.nr_pages = 0;
	t->buf.bvec = NULL;
	t->buf.charged = 0;
	t->len = len;
	bootsan_put_dlength(((struct iscsi_hdr *)hdr)->dlength, data_len);
	p = t->bytes;
	memcpy(p, hdr, ISCSI_HDR_LEN);
	p += ISCSI_HDR_LEN;
	if (hd) {
		bootsan_digest_put(bootsan_crc32c(BOOTSAN_CRC_SEED, hdr, ISCSI_HDR_LEN), p);
		p += BOOTSAN_DIGEST_LEN;
	}
	if (data_len) {
		memcpy(p, data, data_len);
		p += data_len;
	}
	memset(p, 0, pad);
	p += pad;
	if (dd) {
		u32 crc = bootsan_crc32c(BOOTSAN_CRC_SEED, data, data_len);

		bootsan_digest_put(bootsan_crc32c(crc, zero_pad, pad), p);
	}
	tx_queue(conn, t);
	return 0;
}

int bootsan_conn_send_data_in(struct bootsan_conn *conn, const struct bootsan_data_in *d,
			      struct bootsan_buf *buf)
{
	struct bootsan_tx *t = kmalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	t->data_in = true;
	t->d = *d;
	t->chunk = conn->max_recv_dsl;
	t->len = 0;
	if (d->with_status)
		t->stat_sn = conn->stat_sn++;
	t->buf = *buf;
	buf->bvec = NULL;
	buf->nr_pages = 0;
	buf->len = 0;
	buf->charged = 0;
	tx_queue(conn, t);
	return 0;
}

static void tx_free(struct bootsan_tx *t)
{
	bootsan_buf_free(&t->buf);
	kfree(t);
}

/* The next Data-In PDU of @t: its header, padding and digests. */
static void tx_build_data_in(struct bootsan_conn *conn, struct bootsan_tx *t)
{
	struct bootsan_tx_state *tx = &conn->tx;
	struct iscsi_data_rsp *h = (struct iscsi_data_rsp *)tx->head;
	u32 len = min(t->d.len - tx->pdu_off, t->chunk);
	u32 pad = (4 - (len & 3)) & 3;

	bootsan_build_data_in(conn, h, &t->d, tx->data_sn, tx->pdu_off, len, t->stat_sn);
	tx->head_len = ISCSI_HDR_LEN;
	if (tx_header_digest(conn)) {
		bootsan_digest_put(bootsan_crc32c(BOOTSAN_CRC_SEED, h, ISCSI_HDR_LEN),
				   tx->head + ISCSI_HDR_LEN);
		tx->head_len += BOOTSAN_DIGEST_LEN;
	}
	memset(tx->tail, 0, pad);
	tx->tail_len = pad;
	if (tx_data_digest(conn)) {
		/*
		 * With data digests a read fills pages of its own (see
		 * cmd_run()): they cannot change under the digest.
		 */
		u32 crc = bootsan_crc32c_buf(BOOTSAN_CRC_SEED, &t->buf, tx->pdu_off, len);

		bootsan_digest_put(bootsan_crc32c(crc, zero_pad, pad), tx->tail + pad);
		tx->tail_len += BOOTSAN_DIGEST_LEN;
	}
	tx->pdu_len = len;
	tx->built = true;
}

static void tx_progress(struct bootsan_conn *conn)
{
	WRITE_ONCE(conn->tx.progress, jiffies);
}

/* Send bytes [*off, len) of @p: 0 when all went, -EAGAIN or an error. */
static int tx_bytes(struct bootsan_conn *conn, const void *p, u32 len, u32 *off, int more)
{
	struct kvec v = { .iov_base = (u8 *)p + *off, .iov_len = len - *off };
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL | more };
	int ret;

	iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, &v, 1, v.iov_len);
	while (msg_data_left(&msg)) {
		ret = sock_sendmsg(conn->sock, &msg);
		if (ret <= 0)
			return ret ? ret : -EPIPE;
		*off += ret;
		tx_progress(conn);
	}
	return 0;
}

/* Send pages of @buf by reference: [start + *off, start + len). */
static int tx_pages(struct bootsan_conn *conn, struct bootsan_buf *buf, u32 start,
		    u32 len, u32 *off, int more)
{
	struct msghdr msg = {};
	int ret;

	bootsan_buf_iter(buf, &msg.msg_iter, ITER_SOURCE, start + *off, len - *off);
	while (msg_data_left(&msg)) {
		msg.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL | more;
		ret = bootsan_send_pages(conn->sock, &msg);
		if (ret <= 0)
			return ret ? ret : -EPIPE;
		*off += ret;
		tx_progress(conn);
	}
	return 0;
}

static void tx_next(struct bootsan_conn *conn, struct bootsan_tx *t);

/*
 * Push the copied PDUs at the head of the queue, up to TX_GATHER of them
 * in one sendmsg: many small answers (SCSI Responses, R2Ts) cost one call.
 */
static int tx_push_copied(struct bootsan_conn *conn)
{
	struct bootsan_tx_state *tx = &conn->tx;
	struct kvec v[TX_GATHER];
	struct msghdr msg = {};
	struct bootsan_tx *t, *next;
	size_t total = 0, sent;
	int n = 0, more = 0, ret;

	list_for_each_entry(t, &tx->queue, node) {
		if (t->data_in || n == TX_GATHER) {
			more = MSG_MORE;
			break;
		}
		v[n].iov_base = t->bytes + (n ? 0 : tx->phase_off);
		v[n].iov_len = t->len - (n ? 0 : tx->phase_off);
		total += v[n++].iov_len;
	}
	msg.msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL | more;
	iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, v, n, total);
	ret = sock_sendmsg(conn->sock, &msg);
	if (ret <= 0)
		return ret ? ret : -EPIPE;
	tx_progress(conn);
	/* Retire what went whole; the rest resumes where it stopped. */
	sent = ret;
	list_for_each_entry_safe(t, next, &tx->queue, node) {
		if (!sent || t->data_in)
			break;
		if (sent < t->len - tx->phase_off) {
			tx->phase_off += sent;
			break;
		}
		sent -= t->len - tx->phase_off;
		tx_next(conn, t);
	}
	return 0;
}

/* Push a read's Data-In PDUs, from where the last push stopped. */
static int tx_push_data_in(struct bootsan_conn *conn, struct bootsan_tx *t, int more)
{
	struct bootsan_tx_state *tx = &conn->tx;
	int ret, after;

	for (;;) {
		if (!tx->built) {
			tx_build_data_in(conn, t);
			tx->phase = TX_HEAD;
			tx->phase_off = 0;
		}
		/* More of this entry after the current PDU, or another entry. */
		after = tx->pdu_off + tx->pdu_len < t->d.len ? MSG_MORE : more;
		switch (tx->phase) {
		case TX_HEAD:
			ret = tx_bytes(conn, tx->head, tx->head_len, &tx->phase_off, MSG_MORE);
			if (ret)
				return ret;
			tx->phase = TX_DATA;
			tx->phase_off = 0;
			fallthrough;
		case TX_DATA:
			ret = tx_pages(conn, &t->buf, tx->pdu_off, tx->pdu_len, &tx->phase_off,
				       tx->tail_len ? MSG_MORE : after);
			if (ret)
				return ret;
			tx->phase = TX_TAIL;
			tx->phase_off = 0;
			fallthrough;
		case TX_TAIL:
			if (tx->tail_len) {
				ret = tx_bytes(conn, tx->tail, tx->tail_len, &tx->phase_off, after);
				if (ret)
					return ret;
			}
			break;
		}
		tx->built = false;
		tx->pdu_off += tx->pdu_len;
		tx->data_sn++;
		if (tx->pdu_off == t->d.len)
			return 0;
	}
}

/* The head entry is sent (or dropped): the next one starts afresh. */
static void tx_next(struct bootsan_conn *conn, struct bootsan_tx *t)
{
	struct bootsan_tx_state *tx = &conn->tx;

	list_del(&t->node);
	bootsan_din_mem_give(conn, &t->buf);
	tx->nr--;
	tx->copied -= t->len;
	tx->phase = TX_HEAD;
	tx->phase_off = 0;
	tx->built = false;
	tx->pdu_off = 0;
	tx->data_sn = 0;
	tx_free(t);
}

int bootsan_tx_push(struct bootsan_conn *conn)
{
	struct bootsan_tx_state *tx = &conn->tx;
	struct bootsan_tx *t;
	bool data_in;
	int ret, more;

	while ((t = list_first_entry_or_null(&tx->queue, struct bootsan_tx, node))) {
		/* tx_push_copied() retires (frees) the entries it sent itself. */
		data_in = t->data_in;
		more = list_is_last(&t->node, &tx->queue) ? 0 : MSG_MORE;
		if (data_in)
			ret = tx_push_data_in(conn, t, more);
		else
			ret = tx_push_copied(conn);
		if (ret == -EAGAIN) {
			/* TCP calls sk_write_space when there is room again. */
			if (!tx->waiting) {
				tx->waiting = true;
				tx_progress(conn);
			}
			queue_delayed_work(bootsan_wq, &tx->watchdog,
					   BOOTSAN_TX_DEADLINE_S * HZ);
			return ret;
		}
		if (ret)
			return ret;
		if (data_in)
			tx_next(conn, t);
	}
	tx->waiting = false;
	return 0;
}

bool bootsan_tx_full(struct bootsan_conn *conn)
{
	return conn->tx.nr >= BOOTSAN_TX_MAX_PDUS ||
	       conn->tx.copied >= BOOTSAN_TX_MAX_COPIED;
}

bool bootsan_tx_pending(struct bootsan_conn *conn)
{
	return !list_empty(&conn->tx.queue);
}

/*
 * Runs while PDUs wait for room in the socket: when nothing was sent for
 * the whole deadline, io_work ends the connection.
 */
static void bootsan_tx_watchdog(struct work_struct *work)
{
	struct bootsan_conn *conn = container_of(to_delayed_work(work), struct bootsan_conn,
						 tx.watchdog);
	unsigned long due = READ_ONCE(conn->tx.progress) + BOOTSAN_TX_DEADLINE_S * HZ;

	if (READ_ONCE(conn->closing))
		return;
	if (time_before(jiffies, due)) {
		queue_delayed_work(bootsan_wq, &conn->tx.watchdog, due - jiffies);
		return;
	}
	WRITE_ONCE(conn->tx.expired, true);
	queue_work(bootsan_wq, &conn->io_work);
}

void bootsan_tx_init(struct bootsan_conn *conn)
{
	INIT_LIST_HEAD(&conn->tx.queue);
	INIT_DELAYED_WORK(&conn->tx.watchdog, bootsan_tx_watchdog);
}

void bootsan_tx_stop(struct bootsan_conn *conn)
{
	cancel_delayed_work_sync(&conn->tx.watchdog);
}

void bootsan_tx_drop(struct bootsan_conn *conn)
{
	struct bootsan_tx *t, *next;

	list_for_each_entry_safe(t, next, &conn->tx.queue, node)
		tx_next(conn, t);
}

/* Softirq context: room in the socket again, io_work goes on sending. */
void bootsan_conn_write_space(struct sock *sk)
{
	struct bootsan_conn *conn;

	read_lock_bh(&sk->sk_callback_lock);
	conn = sk->sk_user_data;
	if (conn && sk_stream_is_writeable(sk)) {
		clear_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		if (!READ_ONCE(conn->closing))
			queue_work(bootsan_wq, &conn->io_work);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}
