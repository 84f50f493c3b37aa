// SPDX-License-Identifier: GPL-2.0
/*
 * The bootsan generic netlink client; see nl.h.
 *
 * libnl 3.7 has no extended ACK support: the socket gets NETLINK_EXT_ACK
 * and NETLINK_CAP_ACK, and the NLMSGERR_ATTR_* TLVs are read here, from
 * NLMSG_ERROR (a failed "do", or a dump refused at its start) and from
 * NLMSG_DONE (a dump that failed in the kernel's dumpit, which libnl does
 * not look into). libnl's NLE_ codes lose the errno, so the kernel's error
 * is taken from the message itself.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Room for the longest request: a LUN path of 4095 bytes and the rest. */
#define BSNL_MSG_SIZE	16384

/* Attribute set of each command's replies and notifications. */
static const uint8_t cmd_maxattr[BOOTSAN_CMD_MAX + 1] = {
	[BOOTSAN_CMD_PORTAL_NEW ... BOOTSAN_CMD_PORTAL_GET] = BOOTSAN_A_PORTAL_MAX,
	[BOOTSAN_CMD_TARGET_NEW ... BOOTSAN_CMD_TARGET_SET] = BOOTSAN_A_TARGET_MAX,
	[BOOTSAN_CMD_LUN_NEW ... BOOTSAN_CMD_LUN_RESIZE] = BOOTSAN_A_LUN_MAX,
	[BOOTSAN_CMD_ACL_NEW ... BOOTSAN_CMD_ACL_GET] = BOOTSAN_A_ACL_MAX,
	[BOOTSAN_CMD_SESSION_GET ... BOOTSAN_CMD_SESSION_KILL] = BOOTSAN_A_SESSION_MAX,
	[BOOTSAN_CMD_STATS_GET] = BOOTSAN_A_STATS_MAX,
	[BOOTSAN_CMD_SESSION_UP_NTF ... BOOTSAN_CMD_LOGIN_FAILED_NTF] = BOOTSAN_A_EVENT_MAX,
	[BOOTSAN_CMD_MEM_GET] = BOOTSAN_A_MEM_MAX,
};
#define TB_SIZE 32
_Static_assert(BOOTSAN_A_PORTAL_MAX < TB_SIZE && BOOTSAN_A_TARGET_MAX < TB_SIZE &&
	       BOOTSAN_A_LUN_MAX < TB_SIZE && BOOTSAN_A_ACL_MAX < TB_SIZE &&
	       BOOTSAN_A_SESSION_MAX < TB_SIZE && BOOTSAN_A_STATS_MAX < TB_SIZE &&
	       BOOTSAN_A_EVENT_MAX < TB_SIZE && BOOTSAN_A_MEM_MAX < TB_SIZE, "TB_SIZE too small");

/* The request being answered. */
struct bsnl_req {
	bsnl_cb cb;
	void *arg;
	int error;		/* first error: the kernel's or the callback's */
	bool done;		/* ACK, error or end of dump seen */
	bool got;		/* a message was given to cb */
};

struct bsnl {
	struct nl_sock *sk;	/* requests */
	struct nl_cb *cb;
	struct nl_sock *ev;	/* events, once subscribed */
	struct nl_cb *evcb;
	int family;
	int group;
	struct bsnl_req *req;
	char extack[512];
	int miss_type;
	unsigned int offset;
};

/* A libnl error code as an errno, as near as libnl lets us. */
static int nle_errno(int nle)
{
	switch (abs(nle)) {
	case 0:			return 0;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_EXIST:		return -EEXIST;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_INTR:		return -EINTR;
	case NLE_DUMP_INTR:	return -EINTR;
	case NLE_PERM:		return -EPERM;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_INVAL:		return -EINVAL;
	case NLE_RANGE:		return -ERANGE;
	case NLE_BUSY:		return -EBUSY;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_NODEV:		return -ENODEV;
	case NLE_NOADDR:	return -EADDRNOTAVAIL;
	case NLE_BAD_SOCK:	return -EBADF;
	case NLE_AF_NOSUPPORT:	return -EAFNOSUPPORT;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	case NLE_MSGSIZE:	return -EMSGSIZE;
	case NLE_MSG_TOOSHORT:
	case NLE_MSG_TRUNC:
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_OVERFLOW:
	case NLE_PARSE_ERR:	return -EPROTO;
	default:		return -EIO;
	}
}

/* Keep the extended ACK TLVs found at @tlv, @len bytes. */
static void read_extack(struct bsnl *h, void *tlv, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, tlv, len, NULL) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(h->extack, tb[NLMSGERR_ATTR_MSG], sizeof(h->extack));
	if (tb[NLMSGERR_ATTR_MISS_TYPE] && nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4)
		h->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
	if (tb[NLMSGERR_ATTR_OFFS] && nla_len(tb[NLMSGERR_ATTR_OFFS]) >= 4)
		h->offset = nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
}

static void set_error(struct bsnl_req *req, int err)
{
	if (!req->error)
		req->error = err;
}

/* Parse one genetlink message and hand it to the request's callback. */
static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct bsnl *h = arg;
	struct bsnl_req *req = h->req;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[TB_SIZE];
	struct bsnl_reply r;
	struct genlmsghdr *g;

	if (!req || req->error)
		return NL_SKIP;
	if (!genlmsg_valid_hdr(nlh, 0)) {
		set_error(req, -EPROTO);
		return NL_SKIP;
	}
	g = nlmsg_data(nlh);
	r.cmd = g->cmd;
	r.maxattr = g->cmd <= BOOTSAN_CMD_MAX ? cmd_maxattr[g->cmd] : 0;
	r.tb = tb;
	r.nlh = nlh;
	if (nla_parse(tb, r.maxattr, genlmsg_attrdata(g, 0),
		      genlmsg_attrlen(g, 0), NULL) < 0) {
		set_error(req, -EPROTO);
		return NL_SKIP;
	}
	req->got = true;
	if (req->cb)
		set_error(req, req->cb(&r, req->arg));
	return NL_OK;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	struct bsnl *h = arg;

	(void)msg;
	h->req->done = true;
	return NL_STOP;
}

/* NLMSG_DONE: an int error, then (NLM_F_ACK_TLVS) the extack TLVs. */
static int finish_cb(struct nl_msg *msg, void *arg)
{
	struct bsnl *h = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int err;

	h->req->done = true;
	if (nlmsg_datalen(nlh) >= (int)sizeof(int)) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0) {
			set_error(h->req, err);
			if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
				read_extack(h, (char *)nlmsg_data(nlh) + NLMSG_ALIGN(sizeof(int)),
					    nlmsg_datalen(nlh) - NLMSG_ALIGN(sizeof(int)));
		}
	}
	return NL_STOP;
}

/*
 * NLMSG_ERROR with an error: struct nlmsgerr, the request unless capped,
 * then the TLVs. libnl hands over only the nlmsgerr, which sits right
 * after the header of the message it came in.
 */
static int error_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct bsnl *h = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	int off = sizeof(*e);

	(void)nla;
	h->req->done = true;
	set_error(h->req, e->error < 0 ? e->error : -e->error);
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += NLMSG_ALIGN(e->msg.nlmsg_len - NLMSG_HDRLEN);
		read_extack(h, (char *)e + off, nlmsg_datalen(nlh) - off);
	}
	return NL_STOP;
}

int bsnl_open(struct bsnl **hp)
{
	struct bsnl *h = calloc(1, sizeof(*h));
	int one = 1, err;

	*hp = NULL;
	if (!h)
		return -ENOMEM;
	h->sk = nl_socket_alloc();
	h->cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!h->sk || !h->cb) {
		err = -ENOMEM;
		goto fail;
	}
	err = genl_connect(h->sk);
	if (err < 0) {
		err = nle_errno(err);
		goto fail;
	}
	/* Both are best effort: without them errors carry no message. */
	setsockopt(nl_socket_get_fd(h->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(h->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));

	h->family = genl_ctrl_resolve(h->sk, BOOTSAN_FAMILY_NAME);
	if (h->family < 0) {
		err = nle_errno(h->family);
		goto fail;
	}
	h->group = genl_ctrl_resolve_grp(h->sk, BOOTSAN_FAMILY_NAME, BOOTSAN_MCGRP_EVENTS);
	if (h->group < 0) {
		err = nle_errno(h->group);
		goto fail;
	}
	nl_cb_set(h->cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, h);
	nl_cb_set(h->cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, h);
	nl_cb_set(h->cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, h);
	nl_cb_err(h->cb, NL_CB_CUSTOM, error_cb, h);
	*hp = h;
	return 0;
fail:
	bsnl_close(h);
	return err;
}

void bsnl_close(struct bsnl *h)
{
	if (!h)
		return;
	nl_cb_put(h->evcb);
	nl_socket_free(h->ev);
	nl_cb_put(h->cb);
	nl_socket_free(h->sk);
	free(h);
}

int bsnl_family_id(const struct bsnl *h)
{
	return h->family;
}

int bsnl_events_group(const struct bsnl *h)
{
	return h->group;
}

const char *bsnl_extack(const struct bsnl *h)
{
	return h->extack;
}

int bsnl_extack_missing(const struct bsnl *h)
{
	return h->miss_type;
}

unsigned int bsnl_extack_offset(const struct bsnl *h)
{
	return h->offset;
}

struct nl_msg *bsnl_msg(struct bsnl *h, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc_size(BSNL_MSG_SIZE);

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, h->family, 0, 0,
				cmd, BOOTSAN_FAMILY_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int request(struct bsnl *h, struct nl_msg *msg, int flags, bsnl_cb cb, void *arg)
{
	struct bsnl_req req = { .cb = cb, .arg = arg };
	int ret;

	h->extack[0] = '\0';
	h->miss_type = 0;
	h->offset = 0;
	if (!msg)
		return -ENOMEM;
	nlmsg_hdr(msg)->nlmsg_flags |= flags;
	ret = nl_send_auto(h->sk, msg);
	nlmsg_free(msg);
	if (ret < 0)
		return nle_errno(ret);

	h->req = &req;
	while (!req.done) {
		ret = nl_recvmsgs(h->sk, h->cb);
		if (ret == -NLE_DUMP_INTR)
			set_error(&req, -EINTR);	/* the dump is inconsistent: retry */
		else if (ret < 0 && !req.done)
			set_error(&req, nle_errno(ret));
		if (ret < 0)
			break;
	}
	h->req = NULL;
	return req.error;
}

int bsnl_do(struct bsnl *h, struct nl_msg *msg, bsnl_cb cb, void *arg)
{
	return request(h, msg, NLM_F_ACK, cb, arg);
}

int bsnl_dump(struct bsnl *h, struct nl_msg *msg, bsnl_cb cb, void *arg)
{
	return request(h, msg, NLM_F_DUMP, cb, arg);
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int bsnl_subscribe(struct bsnl *h)
{
	int err;

	if (h->ev)
		return 0;
	h->ev = nl_socket_alloc();
	h->evcb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!h->ev || !h->evcb) {
		err = -ENOMEM;
		goto fail;
	}
	/* Notifications carry no sequence number of ours. */
	nl_socket_disable_seq_check(h->ev);
	err = genl_connect(h->ev);
	if (!err)
		err = nl_socket_add_membership(h->ev, h->group);
	if (err < 0) {
		err = nle_errno(err);
		goto fail;
	}
	nl_cb_set(h->evcb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, h);
	/*
	 * nl_recvmsgs() runs evcb, not the socket's own callbacks, so the
	 * sequence check must be switched off here as well.
	 */
	nl_cb_set(h->evcb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	return 0;
fail:
	nl_cb_put(h->evcb);
	nl_socket_free(h->ev);
	h->evcb = NULL;
	h->ev = NULL;
	return err;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int bsnl_events_fd(const struct bsnl *h)
{
	return h->ev ? nl_socket_get_fd(h->ev) : -1;
}

int bsnl_recv_event(struct bsnl *h, int timeout_ms, bsnl_cb cb, void *arg)
{
	struct bsnl_req req = { .cb = cb, .arg = arg };
	long long end = now_ms() + timeout_ms;
	struct pollfd pfd;
	int ret, wait;

	if (!h->ev)
		return -ENOTCONN;
	pfd.fd = nl_socket_get_fd(h->ev);
	pfd.events = POLLIN;
	h->req = &req;
	while (!req.got && !req.error) {
		wait = timeout_ms < 0 ? -1 : (int)(end - now_ms());
		if (timeout_ms >= 0 && wait < 0)
			wait = 0;
		ret = poll(&pfd, 1, wait);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			req.error = -errno;
			break;
		}
		if (ret == 0) {
			req.error = -ETIMEDOUT;
			break;
		}
		ret = nl_recvmsgs(h->ev, h->evcb);
		/* ENOBUFS (NLE_NOMEM from recvmsg): events were lost. */
		if (ret < 0)
			set_error(&req, ret == -NLE_NOMEM ? -ENOBUFS : nle_errno(ret));
	}
	h->req = NULL;
	return req.error;
}
