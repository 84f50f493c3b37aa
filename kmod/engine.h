/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The iSCSI engine: connections, sessions and commands.
 *
 * Every connection is driven by one work item (io_work) on bootsan_wq,
 * queued from the socket callbacks: no thread per connection or command.
 * Receives are non-blocking and resume where they stopped. A command that
 * needs its backend runs as its own work item on bootsan_io_wq, so one
 * session has many commands in flight; when it is done it goes on the
 * connection's done list and io_work answers it. io_work is the only
 * writer of the socket, and never waits for it: answers are queued and
 * go when there is room (tx.h); while too many wait, nothing new is
 * received. The CmdSN window counts every command until it is answered,
 * so an initiator never has more than the queue depth in flight.
 */
#ifndef BOOTSAN_ENGINE_H
#define BOOTSAN_ENGINE_H

#include <linux/bvec.h>
#include <linux/kref.h>
#include <linux/socket.h>
#include <linux/workqueue.h>
#include <scsi/iscsi_proto.h>

#include "chap_alg.h"
#include "config.h"
#include "iscsi_text.h"
#include "scsi.h"
#include "tx.h"

extern struct workqueue_struct *bootsan_wq;
extern struct workqueue_struct *bootsan_io_wq;

/* Largest login or text data segment we accept (RFC 7143: 8192 by default). */
#define BOOTSAN_LOGIN_DSL_MAX	8192

/*
 * A command's data: pages of our own (whole pages, which backends read
 * into and the socket receives into), or page-cache pages a read borrowed
 * (one reference each; a bvec may cover part of its page but never
 * crosses into the next). Freeing drops one reference per bvec either way.
 */
struct bootsan_buf {
	struct bio_vec *bvec;
	unsigned int nr_pages;
	size_t len;
	/* Bytes of the read budget it holds (din_mem.c), moved with the pages. */
	unsigned long charged;
};

int bootsan_buf_alloc(struct bootsan_buf *buf, size_t len);
void bootsan_buf_free(struct bootsan_buf *buf);
/* An iterator over [off, off + len) of @buf, for recvmsg/sendmsg/read_iter. */
void bootsan_buf_iter(struct bootsan_buf *buf, struct iov_iter *iter,
		      unsigned int direction, size_t off, size_t len);

struct bootsan_scsi_cmd;

/*
 * What the SCSI core (exec.c) needs from the transport that carries its
 * commands, as nvmet's core has req->ops (nvmet_fabrics_ops).
 */
struct bootsan_transport_ops {
	/*
	 * @cmd ran: its status, sense and data are set. The transport owns
	 * it again and answers it. Called once per command, from any context
	 * (a bio's completion included), before or after
	 * bootsan_scsi_execute() returns.
	 */
	void (*queue_response)(struct bootsan_scsi_cmd *cmd);
};

/*
 * A SCSI command as the core runs it (exec.c): the LUN it addresses, its
 * CDB, data and result. It knows nothing of the transport's PDUs, tags or
 * sequence numbers; the transport embeds it in a command of its own.
 */
struct bootsan_scsi_cmd {
	const struct bootsan_transport_ops *ops;
	struct bootsan_conn *conn;	/* its I_T nexus: session and target */
	struct bootsan_lun *lun;	/* holds a reference */
	u8 cdb[16];
	struct bootsan_buf buf;		/* data-out received or data-in to send */
	u32 data_out_received;		/* bytes of data-out in buf, from 0 */
	u32 xfer_len;			/* bytes the backend moved */
	u64 start_ns;
	struct work_struct work;	/* running on bootsan_io_wq */
	/* The SCSI decoder's result: block I/O to do, or a finished response. */
	struct scsi_req req;
};

/*
 * One iSCSI command in flight: its tags and sequence numbers, the
 * progress of its data-out, and the SCSI command inside. 256 bytes, so
 * kmalloc's 256-byte slab holds it exactly: keep it so.
 */
struct bootsan_iscsi_cmd {
	struct bootsan_scsi_cmd scsi;
	u32 itt;			/* also our Target Transfer Tag in R2Ts */
	/*
	 * Data-out: the command collects data_out_len bytes (its expected
	 * transfer length, or only the unsolicited part when it already
	 * failed), in order: scsi.data_out_received is the next offset due.
	 */
	u32 data_out_len;
	u32 r2t_offset;			/* end of what was solicited so far */
	u32 r2t_sn;
	u32 data_sn;			/* next DataSN of the current sequence */
	struct scsi_lun lun_raw;	/* as the initiator addressed it */
	/* Bits, to fit the slab: only io_work writes them. */
	bool dout_error:1;		/* a Data-Out broke the rules: sense set */
	bool in_window:1;		/* took a CmdSN: counted until answered */
	bool immediate:1;		/* counted in conn->nr_immediate */
	bool dout_wait:1;		/* its R2T waits for memory (dout_mem.c) */
	bool dout_charged:1;		/* its buffer counts in the budgets */
	struct list_head node;		/* in conn->pending_writes or conn->done */
};

struct bootsan_session {
	u64 id;
	u64 isid;			/* 48 bits */
	u16 tsih;
	bool discovery;
	struct bootsan_target *target;	/* NULL for discovery */
	char initiator[ISCSI_NAME_MAX_LEN + 1];
	struct iscsi_params params;
	u32 exp_cmd_sn;
	u32 queue_depth;
	u32 in_window;			/* commands with a CmdSN not yet answered */
	u32 nop_in_interval;		/* seconds, 0 for no pings */
	struct bootsan_conn *conn;	/* one connection per session (no MC/S) */
	struct sockaddr_storage peer;
	struct list_head node;		/* in bootsan_sessions */
	bool reinstated;		/* why it ended, for the event */
	bool logout;
	bool killed;
	bool revoked;
	u64 chap_gen;			/* the credentials it proved (0: none), for rechecks */
	atomic64_t commands;
	atomic64_t read_bytes;
	atomic64_t write_bytes;
};

enum bootsan_rx_stage {
	RX_BHS,
	RX_AHS,
	RX_HDIGEST,
	RX_DATA,
	RX_PAD,
	RX_DDIGEST,
};

struct bootsan_conn {
	struct socket *sock;
	struct bootsan_portal *portal;
	struct work_struct io_work;
	struct work_struct release_work;
	/* NOP-In pings on an idle connection; never fatal when unanswered. */
	struct delayed_work ping_work;
	unsigned long ping_interval;	/* jiffies, 0 for none */
	unsigned long last_rx;		/* jiffies of the last PDU header received */
	bool ping_due;			/* io_work sends a NOP-In */
	u32 ping_ttt;
	int rx_error;			/* why the receive side ended */
	struct list_head node;		/* in bootsan_conns */
	bool closing;
	/* Before login: in portal->prelogin, closed at the login deadline. */
	struct list_head prelogin_node;
	struct delayed_work login_deadline;
	bool holds_slot;		/* counted in portal->logged_in */
	struct sockaddr_storage peer;
	u16 cid;

	/* receive state: resumes where a non-blocking read stopped */
	enum bootsan_rx_stage rx_stage;
	u8 bhs[ISCSI_HDR_LEN];
	u8 *ahs;			/* allocated for a PDU that has one */
	u8 pad[4];
	u8 digest[4];			/* a header or data digest received */
	u32 ahs_len;
	u32 pad_len;
	u32 rx_off;			/* bytes of the current stage received */
	u32 data_len;			/* DataSegmentLength of the current PDU */
	u8 *data;			/* non-command data segment (login, text, nop) */
	struct bootsan_iscsi_cmd *rx_cmd;	/* or: data goes into this command's buffer */
	u32 rx_cmd_off;
	u8 rx_reject;			/* Reject reason for this PDU, 0 if none */

	/* login state */
	bool logged_in;
	int login_stage;		/* current stage (CSG), -1 before the first PDU */
	bool auth_done;
	bool auth_required;
	bool mutual_required;
	struct bootsan_credentials *creds;	/* what it must present; login only */
	struct bootsan_target *target;	/* found at login; the session takes it */
	struct iscsi_params params;
	struct iscsi_neg_state neg;
	u8 chap_challenge[BOOTSAN_CHAP_DIGEST_MAX];
	const struct bootsan_chap_alg *chap_alg;	/* agreed by CHAP_A */
	u64 chap_gen;			/* generation of the credentials proved, 0: none */
	u8 chap_id;
	int chap_state;
	u8 isid[6];
	u16 tsih;
	u8 *login_text;			/* continued login text (C bit) so far */
	u32 login_text_len;
	int login_text_csg;		/* the stage of the request it belongs to */

	struct bootsan_session *sess;
	struct bootsan_tx_state tx;	/* the send queue (tx.c) */
	u32 stat_sn;
	u32 max_recv_dsl;		/* largest data segment we may send */

	struct bootsan_iscsi_cmd *cur_cmd;	/* set up before its immediate data */
	struct list_head pending_writes;	/* commands waiting for data-out */
	unsigned int nr_pending;
	unsigned int nr_dout_waiting;	/* of those, waiting for memory first */
	unsigned long dout_mem;		/* bytes their buffers hold (dout_mem.c) */
	unsigned long din_mem;		/* bytes reads hold until sent (din_mem.c) */
	unsigned int nr_immediate;	/* immediate commands not answered yet */

	/* commands the SCSI core holds, and those done that io_work answers */
	spinlock_t done_lock;
	atomic_t nr_running;
	struct list_head done;
	wait_queue_head_t running_wait;
	/*
	 * The command io_work is handing to the core, and whether the core
	 * handed it back before returning (iscsi_cmd.c): io_work's only.
	 */
	struct bootsan_iscsi_cmd *in_place;
	bool in_place_done;

	void (*saved_data_ready)(struct sock *sk);
	void (*saved_state_change)(struct sock *sk);
	void (*saved_write_space)(struct sock *sk);
};

/* listen.c */
int bootsan_portal_listen(struct bootsan_portal *p);
void bootsan_portal_stop(struct bootsan_portal *p);

/* conn.c */
int bootsan_conn_create(struct bootsan_portal *portal, struct socket *sock);
void bootsan_conn_shutdown(struct bootsan_conn *conn);
void bootsan_conn_start_pings(struct bootsan_conn *conn, u32 seconds);
void bootsan_conns_shutdown_all(void);
void bootsan_conns_shutdown_portal(struct bootsan_portal *p);
void bootsan_put_dlength(u8 *dlength, u32 len);
u32 bootsan_get_dlength(const u8 *dlength);

/* login.c */
int bootsan_login_pdu(struct bootsan_conn *conn);

/* prelogin.c: connections not logged in yet, and the portal's limit */
void bootsan_prelogin_portal_init(struct bootsan_portal *p);
void bootsan_prelogin_add(struct bootsan_conn *conn);
bool bootsan_prelogin_portal_full(struct bootsan_portal *p);
bool bootsan_prelogin_take_slot(struct bootsan_conn *conn);
void bootsan_prelogin_done(struct bootsan_conn *conn);
void bootsan_prelogin_release(struct bootsan_conn *conn);
/* The same peer address (the port aside): one source for the per-source bounds. */
bool bootsan_same_source(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

/* session.c */
extern struct mutex bootsan_session_mutex;
extern struct list_head bootsan_sessions;
struct bootsan_session *bootsan_session_create(struct bootsan_conn *conn,
					       struct bootsan_target *t,
					       bool discovery);
void bootsan_session_close(struct bootsan_session *sess, int reason);
void bootsan_sessions_close_target(struct bootsan_target *t);
bool bootsan_session_kill(u64 id);
/*
 * After a change of @t's ACL or authentication (under bootsan_config_mutex):
 * end the sessions it no longer allows (bootsan_target_still_admits).
 */
void bootsan_sessions_recheck(struct bootsan_target *t);

/* ffp.c and its neighbours (ffp.h): the full feature phase */
int bootsan_ffp_pdu(struct bootsan_conn *conn);
int bootsan_ffp_send_done(struct bootsan_conn *conn);
/* After writes finished: those waiting for memory get it (iscsi_cmd.c). */
int bootsan_dout_resume(struct bootsan_conn *conn);
void bootsan_conn_wait_running(struct bootsan_conn *conn);
int bootsan_ffp_data_digest_error(struct bootsan_conn *conn);
int bootsan_ffp_data_ready(struct bootsan_conn *conn);
int bootsan_ffp_reject(struct bootsan_conn *conn, u8 reason);
int bootsan_ffp_send_ping(struct bootsan_conn *conn);
void bootsan_conn_abort_cmds(struct bootsan_conn *conn);

/* netlink.c: events */
void bootsan_nl_notify_session_up(struct bootsan_session *sess);
void bootsan_nl_notify_session_down(struct bootsan_session *sess, int reason);
void bootsan_nl_notify_login_failed(struct bootsan_conn *conn, const char *target,
				    int reason);

#endif /* BOOTSAN_ENGINE_H */
