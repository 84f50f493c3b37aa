/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small client of the bootsan generic netlink family, on libnl-genl-3.
 *
 *	struct bsnl *h;
 *	struct nl_msg *m;
 *	int err = bsnl_open(&h);
 *
 *	m = bsnl_msg(h, BOOTSAN_CMD_TARGET_NEW);
 *	nla_put_string(m, BOOTSAN_A_TARGET_IQN, "iqn.2024-01.org.example:t0");
 *	err = bsnl_do(h, m, NULL, NULL);	// 0 or -errno
 *	if (err)
 *		fprintf(stderr, "%s: %s\n", strerror(-err), bsnl_extack(h));
 *
 * Every request waits for the kernel's answer; errors are -errno values as
 * the kernel gave them (not libnl's NLE_ codes), and the kernel's extended
 * ACK message of the last request is kept for bsnl_extack(). Replies and
 * notifications reach a callback with their attributes already parsed into
 * a table indexed by attribute type, sized for the command's attribute set.
 *
 * A handle is not thread-safe; use one per thread.
 */
#ifndef BOOTSAN_NL_H
#define BOOTSAN_NL_H

#include <stdint.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <linux/bootsan.h>

struct bsnl;

/* One reply, dump entry or notification, as given to a callback. */
struct bsnl_reply {
	uint8_t cmd;			/* genetlink command of the message */
	int maxattr;			/* highest valid index of tb */
	struct nlattr **tb;		/* tb[type] or NULL, 0 < type <= maxattr */
	const struct nlmsghdr *nlh;	/* the whole message */
};

/*
 * Return 0 to go on, or a negative errno to stop: the rest of the answer
 * is read and dropped and the request returns that error.
 */
typedef int (*bsnl_cb)(const struct bsnl_reply *r, void *arg);

/*
 * Connect and resolve the family and its "events" group by name. 0, or
 * -ENOENT when bootsan.ko is not loaded (or the group is missing), or
 * another -errno.
 */
int bsnl_open(struct bsnl **hp);
void bsnl_close(struct bsnl *h);

int bsnl_family_id(const struct bsnl *h);
int bsnl_events_group(const struct bsnl *h);

/* A new request for @cmd, for the caller to add attributes to; NULL on ENOMEM. */
struct nl_msg *bsnl_msg(struct bsnl *h, uint8_t cmd);

/*
 * Send a "do" request and wait for its ACK, calling @cb (may be NULL) for
 * a reply. Consumes @msg, also on error. 0 or -errno.
 */
int bsnl_do(struct bsnl *h, struct nl_msg *msg, bsnl_cb cb, void *arg);

/* Send @msg as a dump request, calling @cb for each entry. Consumes @msg. */
int bsnl_dump(struct bsnl *h, struct nl_msg *msg, bsnl_cb cb, void *arg);

/*
 * The kernel's extack message for the last failed request, "" if it sent
 * none; the type of a missing required attribute it reported, or 0; the
 * offset in the request of the attribute it rejected, or 0.
 */
const char *bsnl_extack(const struct bsnl *h);
int bsnl_extack_missing(const struct bsnl *h);
unsigned int bsnl_extack_offset(const struct bsnl *h);

/* Join the events group (on a socket of its own). 0 or -errno. */
int bsnl_subscribe(struct bsnl *h);

/* The events socket, for the caller's poll loop; -1 when not subscribed. */
int bsnl_events_fd(const struct bsnl *h);

/*
 * Wait up to @timeout_ms (-1: forever) for one notification and give it to
 * @cb. 0, -ETIMEDOUT, -ENOTCONN when not subscribed, or another -errno.
 */
int bsnl_recv_event(struct bsnl *h, int timeout_ms, bsnl_cb cb, void *arg);

#endif /* BOOTSAN_NL_H */
