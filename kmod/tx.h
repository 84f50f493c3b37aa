/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The send side of a connection: PDUs are queued, never written in place.
 * io_work pushes the queue into the socket without blocking; what does not
 * fit stays queued and goes when TCP calls sk_write_space (nvmet-tcp's
 * way), so a peer that stops reading never holds a worker.
 *
 * - Every PDU but the Data-In of a read is copied into its queue entry
 *   when it is queued (headers, sense, login and text payloads).
 * - A read's Data-In PDUs are one entry that owns the command's pages;
 *   each PDU's header is built when it goes, and the pages go by
 *   reference (zero-copy); they are released when the last byte went.
 * - The queue has a bound (BOOTSAN_TX_MAX_PDUS entries or
 *   BOOTSAN_TX_MAX_COPIED bytes of copies): while it is over it, io_work
 *   stops reading new PDUs, so the receive side waits rather than a worker.
 * - A connection whose queue makes no progress for BOOTSAN_TX_DEADLINE
 *   (its peer stopped reading) is closed, like the old 30 s send timeout.
 * - PDUs queued in one io_work run leave with MSG_MORE except the last:
 *   many small answers share TCP segments.
 */
#ifndef BOOTSAN_TX_H
#define BOOTSAN_TX_H

#include <linux/list.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <scsi/iscsi_proto.h>

#include "digest.h"

#define BOOTSAN_TX_MAX_PDUS	256
#define BOOTSAN_TX_MAX_COPIED	(1u << 20)
/* Seconds without a byte sent while PDUs wait before the connection ends. */
#define BOOTSAN_TX_DEADLINE_S	30

struct bootsan_conn;
struct bootsan_buf;

enum bootsan_tx_phase {
	TX_HEAD,		/* header and header digest */
	TX_DATA,
	TX_TAIL,		/* padding and data digest */
};

struct bootsan_tx_state {
	struct list_head queue;		/* struct bootsan_tx, oldest first */
	unsigned int nr;		/* entries queued */
	size_t copied;			/* bytes of copied PDUs queued */
	/* Where the oldest entry stands. */
	enum bootsan_tx_phase phase;
	u32 phase_off;			/* bytes of this phase sent */
	bool built;			/* Data-In: the current PDU's header is built */
	u32 pdu_off;			/* Data-In: the current PDU's data offset */
	u32 pdu_len;
	u32 data_sn;
	u8 head[ISCSI_HDR_LEN + BOOTSAN_DIGEST_LEN];
	u8 tail[3 + BOOTSAN_DIGEST_LEN];
	u8 head_len;
	u8 tail_len;
	/* The peer that stops reading. */
	bool waiting;			/* the socket is full, PDUs wait */
	bool expired;			/* the watchdog found no progress in time */
	bool drain_then_close;		/* the connection ends once the queue went */
	unsigned long progress;		/* jiffies: last byte sent, or wait start */
	struct delayed_work watchdog;
};

/* The Data-In of a read: what every PDU of it says. */
struct bootsan_data_in {
	u32 itt;
	u32 len;		/* bytes to send, > 0 */
	bool with_status;	/* the last PDU carries the status */
	u8 status;
	u8 resid_flags;
	u32 resid;
};

void bootsan_tx_init(struct bootsan_conn *conn);
/*
 * Queue one PDU with @data_len bytes of @data, both copied (the caller's
 * may go at once); its DataSegmentLength is set in @hdr. 0 or -ENOMEM.
 */
int bootsan_conn_send(struct bootsan_conn *conn, void *hdr,
		      const void *data, u32 data_len);
/*
 * Queue the Data-In of @buf's first d->len bytes; the entry takes over
 * the pages (@buf is left empty). The StatSN is taken now when the status
 * rides along, so answers keep the order they were queued in.
 */
int bootsan_conn_send_data_in(struct bootsan_conn *conn, const struct bootsan_data_in *d,
			      struct bootsan_buf *buf);
/* Push queued PDUs: 0 when all went, -EAGAIN when the socket is full. */
int bootsan_tx_push(struct bootsan_conn *conn);
/* Over the bound: io_work receives nothing until it drains. */
bool bootsan_tx_full(struct bootsan_conn *conn);
bool bootsan_tx_pending(struct bootsan_conn *conn);
/* Teardown, once io_work stopped: stop the watchdog, drop what is queued. */
void bootsan_tx_stop(struct bootsan_conn *conn);
void bootsan_tx_drop(struct bootsan_conn *conn);
/* sk_write_space of a connection's socket. */
void bootsan_conn_write_space(struct sock *sk);

#endif /* BOOTSAN_TX_H */
