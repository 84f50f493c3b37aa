// SPDX-License-Identifier: GPL-2.0
/*
 * The bootsan generic netlink family. Attribute policies and the ops table
 * are generated from uapi/bootsan.yaml (netlink-gen.c); this file holds the
 * handlers. Every rejected request carries an extack message naming the
 * attribute at fault. Do handlers run between bootsan_nl_pre_doit() and
 * bootsan_nl_post_doit(), which refuse other namespaces and hold
 * bootsan_config_mutex for them; dump handlers run through dump_locked(),
 * which does the same for each pass of a dump.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#include "backend.h"
#include "compat.h"
#include "config.h"
#include "engine.h"
#include "ffp.h"
#include "lun_state.h"
#include "netlink.h"
#include "netlink-gen.h"

static const struct genl_multicast_group bootsan_nl_mcgrps[] = {
	[BOOTSAN_NLGRP_EVENTS] = {
		.name = BOOTSAN_MCGRP_EVENTS,
		/* Login failures name initiators and their addresses. */
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

struct genl_family bootsan_nl_family __ro_after_init = {
	.name = BOOTSAN_FAMILY_NAME,
	.version = BOOTSAN_FAMILY_VERSION,
	.netnsok = true,	/* so other namespaces get a clear refusal */
	.parallel_ops = false,
	.module = THIS_MODULE,
	/* The spec's pre and post of every do op; per-op tables cannot hold them. */
	.pre_doit = bootsan_nl_pre_doit,
	.post_doit = bootsan_nl_post_doit,
	.ops = bootsan_nl_ops,
	.n_ops = ARRAY_SIZE(bootsan_nl_ops),
	.mcgrps = bootsan_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(bootsan_nl_mcgrps),
};

/* NL_SET_ERR_MSG_ATTR takes only literals; our messages may come from parsers. */
static void set_err(struct netlink_ext_ack *extack, const struct nlattr *attr,
		    const char *msg)
{
	if (extack) {
		extack->_msg = msg;
		extack->bad_attr = attr;
	}
}

/* GENL_REQ_ATTR_CHECK names the attribute by number; add words for people. */
static bool missing(struct genl_info *info, int attr, const char *msg)
{
	if (!GENL_REQ_ATTR_CHECK(info, attr))
		return false;
	if (info->extack)
		info->extack->_msg = msg;
	return true;
}

static int check_netns(struct net *net, struct netlink_ext_ack *extack)
{
	if (net_eq(net, &init_net))
		return 0;
	NL_SET_ERR_MSG(extack, "bootsan works in the initial network namespace only");
	return -EOPNOTSUPP;
}

/*
 * LUN_NEW opens the backing store, which may sleep long: it takes the
 * mutex itself, only to insert the LUN, so logins do not wait for it.
 */
static bool op_locks_itself(u8 cmd)
{
	return cmd == BOOTSAN_CMD_LUN_NEW;
}

/* Before every do handler (the spec names it for each operation). */
int bootsan_nl_pre_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
			struct genl_info *info)
{
	int ret = check_netns(genl_info_net(info), info->extack);

	if (ret)
		return ret;
	if (!op_locks_itself(ops->cmd))
		mutex_lock(&bootsan_config_mutex);
	return 0;
}

/* After every do handler whose bootsan_nl_pre_doit() succeeded. */
void bootsan_nl_post_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
			  struct genl_info *info)
{
	if (!op_locks_itself(ops->cmd))
		mutex_unlock(&bootsan_config_mutex);
}

static int check_iscsi_name(const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	const char *why = iscsi_name_invalid(nla_data(attr), strlen(nla_data(attr)));

	if (why) {
		set_err(extack, attr, why);
		return -EINVAL;
	}
	return 0;
}

/* ---- CHAP credentials ---- */

/* Credential generations: unique while the module is loaded, never 0. */
static atomic64_t bootsan_chap_next_gen = ATOMIC64_INIT(0);

static int parse_chap(const struct nlattr *nest, struct bootsan_chap *chap,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[BOOTSAN_A_CHAP_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, BOOTSAN_A_CHAP_MAX, nest, bootsan_chap_nl_policy, extack);
	if (ret)
		return ret;
	if (!tb[BOOTSAN_A_CHAP_USER] || !*(char *)nla_data(tb[BOOTSAN_A_CHAP_USER])) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "CHAP credentials need a user name");
		return -EINVAL;
	}
	if (!tb[BOOTSAN_A_CHAP_SECRET]) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "CHAP credentials need a secret");
		return -EINVAL;
	}
	if (nla_len(tb[BOOTSAN_A_CHAP_SECRET]) < BOOTSAN_CHAP_SECRET_MIN_LEN ||
	    nla_len(tb[BOOTSAN_A_CHAP_SECRET]) > BOOTSAN_CHAP_SECRET_MAX_LEN) {
		NL_SET_ERR_MSG_ATTR(extack, tb[BOOTSAN_A_CHAP_SECRET],
				    "CHAP secret must be 12 to 255 bytes");
		return -EINVAL;
	}
	if (tb[BOOTSAN_A_CHAP_SECRET_SET]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[BOOTSAN_A_CHAP_SECRET_SET],
				    "secret-set is reported, not set");
		return -EINVAL;
	}
	memzero_explicit(chap, sizeof(*chap));
	nla_strscpy(chap->user, tb[BOOTSAN_A_CHAP_USER], sizeof(chap->user));
	chap->secret_len = nla_len(tb[BOOTSAN_A_CHAP_SECRET]);
	memcpy(chap->secret, nla_data(tb[BOOTSAN_A_CHAP_SECRET]), chap->secret_len);
	chap->gen = atomic64_inc_return(&bootsan_chap_next_gen);
	return 0;
}

/* The same user and secret: a re-sent setting, not a change. */
static bool chap_same(const struct bootsan_chap *a, const struct bootsan_chap *b)
{
	return a->secret_len == b->secret_len && !strcmp(a->user, b->user) &&
	       !crypto_memneq(a->secret, b->secret, a->secret_len);
}

/* Keep the generation of credentials set again unchanged. */
static void chap_keep_gen(struct bootsan_chap *new, const struct bootsan_chap *old)
{
	if (chap_same(new, old))
		new->gen = old->gen;
}

/*
 * A mutual secret equal to the initiator's would let anyone who watched one
 * exchange answer the other direction (RFC 7143 section 12.1.3).
 */
static int check_mutual_differs(const struct bootsan_credentials *c, struct nlattr *attr,
				struct netlink_ext_ack *extack)
{
	if (c->chap.secret_len && c->mutual.secret_len &&
	    c->chap.secret_len == c->mutual.secret_len &&
	    !crypto_memneq(c->chap.secret, c->mutual.secret, c->chap.secret_len)) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "the mutual-chap secret must differ from the chap secret");
		return -EINVAL;
	}
	return 0;
}

/* Replies say who the credentials name and that a secret exists, never what it is. */
static int put_chap(struct sk_buff *skb, int type, const struct bootsan_chap *chap)
{
	struct nlattr *nest;

	if (!chap->secret_len)
		return 0;
	nest = nla_nest_start(skb, type);
	if (!nest ||
	    nla_put_string(skb, BOOTSAN_A_CHAP_USER, chap->user) ||
	    nla_put_flag(skb, BOOTSAN_A_CHAP_SECRET_SET))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int parse_credentials(struct nlattr *chap, struct nlattr *mutual,
			     struct bootsan_credentials *creds,
			     struct netlink_ext_ack *extack)
{
	int ret = 0;

	if (chap)
		ret = parse_chap(chap, &creds->chap, extack);
	if (!ret && mutual)
		ret = parse_chap(mutual, &creds->mutual, extack);
	return ret;
}

/* ---- replies ---- */

/* A do request answered with one object built by @fill. */
static int reply_one(struct genl_info *info, u8 cmd,
		     int (*fill)(struct sk_buff *, const void *), const void *obj)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &bootsan_nl_family, 0, cmd);
	if (!hdr || fill(msg, obj)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* One object of a dump; -EMSGSIZE means "continue in the next message". */
static int dump_one(struct sk_buff *skb, struct netlink_callback *cb, u8 cmd,
		    int (*fill)(struct sk_buff *, const void *), const void *obj)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &bootsan_nl_family, NLM_F_MULTI, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (fill(skb, obj)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/* A dump that filled at least one message continues; an empty first one ends it. */
static int dump_result(struct sk_buff *skb, int err)
{
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ? err : skb->len;
}

/*
 * Every dump handler is one call of this: for each pass of a dump it does
 * what bootsan_nl_pre_doit() and bootsan_nl_post_doit() do around a do
 * handler (refuse other namespaces, hold bootsan_config_mutex), and @walk
 * only fills @skb, resuming from cb->args. The spec's dump pre and post
 * would become .start and .done, which run once per dump, not per pass.
 */
static int dump_locked(struct sk_buff *skb, struct netlink_callback *cb,
		       int (*walk)(struct sk_buff *skb, struct netlink_callback *cb))
{
	int ret = check_netns(sock_net(skb->sk), cb->extack);

	if (ret)
		return ret;
	mutex_lock(&bootsan_config_mutex);
	ret = walk(skb, cb);
	mutex_unlock(&bootsan_config_mutex);
	return dump_result(skb, ret);
}

/* ---- portals ---- */

static int portal_key(struct genl_info *info, u8 **addr, u8 *addr_len, u16 *port)
{
	struct nlattr *a;

	if (missing(info, BOOTSAN_A_PORTAL_ADDR, "portal: addr is required"))
		return -EINVAL;
	a = info->attrs[BOOTSAN_A_PORTAL_ADDR];
	if (nla_len(a) != 4 && nla_len(a) != 16) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "portal address must be 4 (IPv4) or 16 (IPv6) bytes");
		return -EINVAL;
	}
	*addr = nla_data(a);
	*addr_len = nla_len(a);
	*port = BOOTSAN_DEFAULT_PORT;
	if (info->attrs[BOOTSAN_A_PORTAL_PORT]) {
		*port = nla_get_u16(info->attrs[BOOTSAN_A_PORTAL_PORT]);
		if (!*port) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BOOTSAN_A_PORTAL_PORT],
					    "port 0 is not a TCP port");
			return -EINVAL;
		}
	}
	return 0;
}

static struct bootsan_portal *portal_lookup(struct genl_info *info)
{
	struct bootsan_portal *p;
	u8 *addr, len;
	u16 port;
	int ret;

	ret = portal_key(info, &addr, &len, &port);
	if (ret)
		return ERR_PTR(ret);
	p = bootsan_portal_find(addr, len, port);
	if (!p) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BOOTSAN_A_PORTAL_ADDR],
				    "no such portal");
		return ERR_PTR(-ENOENT);
	}
	return p;
}

static int portal_fill(struct sk_buff *skb, const void *obj)
{
	const struct bootsan_portal *p = obj;

	if (nla_put(skb, BOOTSAN_A_PORTAL_ADDR, p->addr_len, p->addr) ||
	    nla_put_u16(skb, BOOTSAN_A_PORTAL_PORT, p->port) ||
	    nla_put_u16(skb, BOOTSAN_A_PORTAL_TPGT, p->tpgt) ||
	    nla_put_u32(skb, BOOTSAN_A_PORTAL_CONNECTIONS, atomic_read(&p->connections)) ||
	    nla_put_u32(skb, BOOTSAN_A_PORTAL_MAX_CONNECTIONS, p->max_connections) ||
	    nla_put_u32(skb, BOOTSAN_A_PORTAL_LOGIN_TIMEOUT, p->login_timeout))
		return -EMSGSIZE;
	return 0;
}

int bootsan_nl_portal_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_portal *p;
	u8 *addr, len;
	u16 port;
	int ret;

	ret = portal_key(info, &addr, &len, &port);
	if (ret)
		return ret;
	if (bootsan_shutting_down)
		return -ESHUTDOWN;
	if (bootsan_portal_find(addr, len, port)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BOOTSAN_A_PORTAL_ADDR],
				    "portal exists");
		return -EEXIST;
	}
	p = bootsan_portal_alloc(addr, len, port);
	if (!p)
		return -ENOMEM;
	if (info->attrs[BOOTSAN_A_PORTAL_TPGT])
		p->tpgt = nla_get_u16(info->attrs[BOOTSAN_A_PORTAL_TPGT]);
	if (info->attrs[BOOTSAN_A_PORTAL_MAX_CONNECTIONS] &&
	    nla_get_u32(info->attrs[BOOTSAN_A_PORTAL_MAX_CONNECTIONS]))
		p->max_connections = nla_get_u32(info->attrs[BOOTSAN_A_PORTAL_MAX_CONNECTIONS]);
	if (info->attrs[BOOTSAN_A_PORTAL_LOGIN_TIMEOUT] &&
	    nla_get_u32(info->attrs[BOOTSAN_A_PORTAL_LOGIN_TIMEOUT]))
		p->login_timeout = nla_get_u32(info->attrs[BOOTSAN_A_PORTAL_LOGIN_TIMEOUT]);
	ret = bootsan_portal_open(p);
	if (ret) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BOOTSAN_A_PORTAL_ADDR],
				    "cannot bind the portal address (not local, or in use)");
		bootsan_portal_put(p);
		return ret;
	}
	list_add_tail(&p->node, &bootsan_portals);
	return 0;
}

int bootsan_nl_portal_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_portal *p;

	p = portal_lookup(info);
	if (IS_ERR(p))
		return PTR_ERR(p);
	if (atomic_read(&p->connections) && !info->attrs[BOOTSAN_A_PORTAL_FORCE]) {
		NL_SET_ERR_MSG(info->extack, "portal has connections (use force)");
		return -EBUSY;
	}
	bootsan_portal_remove(p);
	/*
	 * The list's reference is gone, and with it @p unless a connection
	 * holds one: the shutdown only compares connections' portals with it.
	 */
	bootsan_conns_shutdown_portal(p);
	return 0;
}

int bootsan_nl_portal_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_portal *p = portal_lookup(info);

	if (IS_ERR(p))
		return PTR_ERR(p);
	return reply_one(info, BOOTSAN_CMD_PORTAL_GET, portal_fill, p);
}

static int portal_walk(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct bootsan_portal *p;
	long idx = 0;
	int ret;

	list_for_each_entry(p, &bootsan_portals, node) {
		if (idx++ < cb->args[0])
			continue;
		ret = dump_one(skb, cb, BOOTSAN_CMD_PORTAL_GET, portal_fill, p);
		if (ret)
			return ret;
		cb->args[0] = idx;
	}
	return 0;
}

int bootsan_nl_portal_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_locked(skb, cb, portal_walk);
}

/* ---- targets ---- */

static int target_check_auth(const struct bootsan_target *t, struct genl_info *info)
{
	if (t->auth != BOOTSAN_AUTH_NONE && !t->creds.chap.secret_len) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BOOTSAN_A_TARGET_AUTH],
				    "CHAP authentication needs chap credentials");
		return -EINVAL;
	}
	if (t->auth == BOOTSAN_AUTH_MUTUAL_CHAP && !t->creds.mutual.secret_len) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BOOTSAN_A_TARGET_AUTH],
				    "mutual CHAP needs mutual-chap credentials too");
		return -EINVAL;
	}
	return check_mutual_differs(&t->creds,
				    info->attrs[BOOTSAN_A_TARGET_MUTUAL_CHAP] ?:
				    info->attrs[BOOTSAN_A_TARGET_CHAP], info->extack);
}

/* Apply the settable attributes present in @info to @t. */
static int target_apply(struct bootsan_target *t, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	int ret;

	if (a[BOOTSAN_A_TARGET_ALIAS])
		nla_strscpy(t->alias, a[BOOTSAN_A_TARGET_ALIAS], sizeof(t->alias));
	if (a[BOOTSAN_A_TARGET_AUTH])
		t->auth = nla_get_u32(a[BOOTSAN_A_TARGET_AUTH]);
	ret = parse_credentials(a[BOOTSAN_A_TARGET_CHAP], a[BOOTSAN_A_TARGET_MUTUAL_CHAP],
				&t->creds, info->extack);
	if (ret)
		return ret;
	if (a[BOOTSAN_A_TARGET_MAX_SESSIONS]) {
		t->max_sessions = nla_get_u32(a[BOOTSAN_A_TARGET_MAX_SESSIONS]);
		if (!t->max_sessions)
			t->max_sessions = BOOTSAN_MAX_SESSIONS_DEFAULT;
	}
	if (a[BOOTSAN_A_TARGET_QUEUE_DEPTH]) {
		t->queue_depth = nla_get_u32(a[BOOTSAN_A_TARGET_QUEUE_DEPTH]);
		if (!t->queue_depth) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[BOOTSAN_A_TARGET_QUEUE_DEPTH],
					    "queue depth must be 1 to 128");
			return -EINVAL;
		}
	}
	if (a[BOOTSAN_A_TARGET_NOP_IN_INTERVAL])
		t->nop_in_interval = nla_get_u32(a[BOOTSAN_A_TARGET_NOP_IN_INTERVAL]);
	if (a[BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR])
		t->allow_any_initiator = nla_get_u8(a[BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR]);
	return target_check_auth(t, info);
}

static struct bootsan_target *target_lookup(struct nlattr *iqn,
					    struct netlink_ext_ack *extack)
{
	struct bootsan_target *t = bootsan_target_find(nla_data(iqn));

	if (!t) {
		NL_SET_ERR_MSG_ATTR(extack, iqn, "no such target");
		return ERR_PTR(-ENOENT);
	}
	return t;
}

static int target_fill(struct sk_buff *skb, const void *obj)
{
	const struct bootsan_target *t = obj;

	if (nla_put_string(skb, BOOTSAN_A_TARGET_IQN, t->iqn) ||
	    (t->alias[0] && nla_put_string(skb, BOOTSAN_A_TARGET_ALIAS, t->alias)) ||
	    nla_put_u32(skb, BOOTSAN_A_TARGET_AUTH, t->auth) ||
	    put_chap(skb, BOOTSAN_A_TARGET_CHAP, &t->creds.chap) ||
	    put_chap(skb, BOOTSAN_A_TARGET_MUTUAL_CHAP, &t->creds.mutual) ||
	    nla_put_u32(skb, BOOTSAN_A_TARGET_MAX_SESSIONS, t->max_sessions) ||
	    nla_put_u32(skb, BOOTSAN_A_TARGET_QUEUE_DEPTH, t->queue_depth) ||
	    nla_put_u32(skb, BOOTSAN_A_TARGET_LUNS, t->nr_luns) ||
	    nla_put_u32(skb, BOOTSAN_A_TARGET_SESSIONS, atomic_read(&t->nr_sessions)) ||
	    nla_put_u32(skb, BOOTSAN_A_TARGET_NOP_IN_INTERVAL, t->nop_in_interval) ||
	    nla_put_u8(skb, BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR, t->allow_any_initiator))
		return -EMSGSIZE;
	return 0;
}

int bootsan_nl_target_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_target *t;
	int ret;

	if (missing(info, BOOTSAN_A_TARGET_IQN, "target: iqn is required"))
		return -EINVAL;
	ret = check_iscsi_name(info->attrs[BOOTSAN_A_TARGET_IQN], info->extack);
	if (ret)
		return ret;
	t = bootsan_target_alloc(nla_data(info->attrs[BOOTSAN_A_TARGET_IQN]));
	if (!t)
		return -ENOMEM;
	ret = target_apply(t, info);
	if (ret)
		goto put;
	if (bootsan_target_find(t->iqn)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BOOTSAN_A_TARGET_IQN],
				    "target exists");
		ret = -EEXIST;
		goto put;
	}
	ret = bootsan_target_add(t);
	if (!ret)
		return 0;
put:
	bootsan_target_put(t);
	return ret;
}

int bootsan_nl_target_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_target *t, *draft;
	int ret;

	if (missing(info, BOOTSAN_A_TARGET_IQN, "target: iqn is required"))
		return -EINVAL;
	/* Changes are made on a copy, so a rejected request changes nothing. */
	draft = kmalloc(sizeof(*draft), GFP_KERNEL);
	if (!draft)
		return -ENOMEM;
	t = target_lookup(info->attrs[BOOTSAN_A_TARGET_IQN], info->extack);
	if (IS_ERR(t)) {
		ret = PTR_ERR(t);
		goto out;
	}
	memcpy(draft, t, sizeof(*draft));
	ret = target_apply(draft, info);
	if (ret)
		goto out;
	chap_keep_gen(&draft->creds.chap, &t->creds.chap);
	chap_keep_gen(&draft->creds.mutual, &t->creds.mutual);
	/* Logins read these under the mutex; new sessions without it. */
	memcpy(t->alias, draft->alias, sizeof(t->alias));
	t->auth = draft->auth;
	memcpy(&t->creds, &draft->creds, sizeof(t->creds));
	WRITE_ONCE(t->max_sessions, draft->max_sessions);
	WRITE_ONCE(t->queue_depth, draft->queue_depth);
	WRITE_ONCE(t->nop_in_interval, draft->nop_in_interval);
	WRITE_ONCE(t->allow_any_initiator, draft->allow_any_initiator);
	bootsan_sessions_recheck(t);
out:
	kfree_sensitive(draft);
	return ret;
}

int bootsan_nl_target_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_target *t;

	if (missing(info, BOOTSAN_A_TARGET_IQN, "target: iqn is required"))
		return -EINVAL;
	t = target_lookup(info->attrs[BOOTSAN_A_TARGET_IQN], info->extack);
	if (IS_ERR(t))
		return PTR_ERR(t);
	if (atomic_read(&t->nr_sessions) && !info->attrs[BOOTSAN_A_TARGET_FORCE]) {
		NL_SET_ERR_MSG(info->extack, "target has sessions (use force)");
		return -EBUSY;
	}
	/* Sessions end on their own time; they hold the target until then. */
	bootsan_sessions_close_target(t);
	bootsan_target_remove(t);
	return 0;
}

int bootsan_nl_target_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_target *t;

	if (missing(info, BOOTSAN_A_TARGET_IQN, "target: iqn is required"))
		return -EINVAL;
	t = target_lookup(info->attrs[BOOTSAN_A_TARGET_IQN], info->extack);
	if (IS_ERR(t))
		return PTR_ERR(t);
	return reply_one(info, BOOTSAN_CMD_TARGET_GET, target_fill, t);
}

static int target_walk(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct bootsan_target *t;
	unsigned long id;
	int ret;

	xa_for_each_start(&bootsan_targets, id, t, cb->args[0]) {
		ret = dump_one(skb, cb, BOOTSAN_CMD_TARGET_GET, target_fill, t);
		if (ret)
			return ret;
		cb->args[0] = id + 1;
	}
	return 0;
}

int bootsan_nl_target_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_locked(skb, cb, target_walk);
}

/* ---- LUNs ---- */

static int lun_fill(struct sk_buff *skb, const void *obj)
{
	const struct bootsan_lun *l = obj;
	const struct bootsan_target *t = l->target;

	if (nla_put_string(skb, BOOTSAN_A_LUN_TARGET, t->iqn) ||
	    nla_put_u32(skb, BOOTSAN_A_LUN_LUN, l->lun) ||
	    nla_put_u32(skb, BOOTSAN_A_LUN_BACKEND, l->backend) ||
	    nla_put_string(skb, BOOTSAN_A_LUN_PATH, l->path) ||
	    (l->read_only && nla_put_flag(skb, BOOTSAN_A_LUN_READ_ONLY)) ||
	    (l->direct && nla_put_flag(skb, BOOTSAN_A_LUN_DIRECT)) ||
	    nla_put_u32(skb, BOOTSAN_A_LUN_BLOCK_SIZE, l->block_size) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_LUN_SIZE, l->size, BOOTSAN_A_LUN_UNSPEC) ||
	    (l->serial[0] && nla_put_string(skb, BOOTSAN_A_LUN_SERIAL, l->serial)) ||
	    (l->naa && nla_put_u64_64bit(skb, BOOTSAN_A_LUN_NAA, l->naa, BOOTSAN_A_LUN_UNSPEC)) ||
	    (l->delta_path && nla_put_string(skb, BOOTSAN_A_LUN_DELTA_PATH, l->delta_path)))
		return -EMSGSIZE;
	return 0;
}

static int lun_check_size(struct bootsan_lun *l, u64 size, struct nlattr *attr,
			  struct netlink_ext_ack *extack)
{
	u64 avail = l->ops->capacity(l);

	if (!size || size % l->block_size) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "size must be a non-zero multiple of the block size");
		return -EINVAL;
	}
	if (size > avail) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "size is larger than the image or device (grow it first)");
		return -EINVAL;
	}
	return 0;
}

static int lun_parse(struct bootsan_lun *l, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct netlink_ext_ack *extack = info->extack;
	struct bootsan_backend_attrs at = {
		.backend = a[BOOTSAN_A_LUN_BACKEND],
		.path = a[BOOTSAN_A_LUN_PATH],
		.direct = a[BOOTSAN_A_LUN_DIRECT],
		.block_size = a[BOOTSAN_A_LUN_BLOCK_SIZE],
		.delta_path = a[BOOTSAN_A_LUN_DELTA_PATH],
	};
	int ret;

	l->lun = nla_get_u32(a[BOOTSAN_A_LUN_LUN]);
	l->backend = BOOTSAN_BACKEND_FILE;
	if (a[BOOTSAN_A_LUN_BACKEND])
		l->backend = nla_get_u32(a[BOOTSAN_A_LUN_BACKEND]);
	l->read_only = nla_get_flag(a[BOOTSAN_A_LUN_READ_ONLY]);
	l->direct = nla_get_flag(a[BOOTSAN_A_LUN_DIRECT]);
	l->block_size = 512;
	if (a[BOOTSAN_A_LUN_BLOCK_SIZE]) {
		l->block_size = nla_get_u32(a[BOOTSAN_A_LUN_BLOCK_SIZE]);
		if (l->block_size != 512 && l->block_size != 4096) {
			NL_SET_ERR_MSG_ATTR(extack, a[BOOTSAN_A_LUN_BLOCK_SIZE],
					    "block size must be 512 or 4096");
			return -EINVAL;
		}
	}
	if (a[BOOTSAN_A_LUN_SERIAL])
		nla_strscpy(l->serial, a[BOOTSAN_A_LUN_SERIAL], sizeof(l->serial));
	if (a[BOOTSAN_A_LUN_NAA]) {
		l->naa = nla_get_u64(a[BOOTSAN_A_LUN_NAA]);
		if (l->naa >> 60 != 5 && l->naa >> 60 != 6) {
			NL_SET_ERR_MSG_ATTR(extack, a[BOOTSAN_A_LUN_NAA],
					    "NAA identifier must be of type 5 or 6");
			return -EINVAL;
		}
	}
	l->path = nla_strdup(a[BOOTSAN_A_LUN_PATH], GFP_KERNEL);
	if (!l->path)
		return -ENOMEM;
	if (a[BOOTSAN_A_LUN_DELTA_PATH]) {
		l->delta_path = nla_strdup(a[BOOTSAN_A_LUN_DELTA_PATH], GFP_KERNEL);
		if (!l->delta_path)
			return -ENOMEM;
	}
	ret = bootsan_backend_open(l, &at, extack);
	if (ret)
		return ret;
	l->size = round_down(l->ops->capacity(l), l->block_size);
	if (a[BOOTSAN_A_LUN_SIZE]) {
		l->size = nla_get_u64(a[BOOTSAN_A_LUN_SIZE]);
		ret = lun_check_size(l, l->size, a[BOOTSAN_A_LUN_SIZE], extack);
	}
	return ret;
}

static struct bootsan_lun *lun_lookup(struct genl_info *info, struct bootsan_target **tp)
{
	struct bootsan_target *t;
	struct bootsan_lun *l;

	t = target_lookup(info->attrs[BOOTSAN_A_LUN_TARGET], info->extack);
	if (IS_ERR(t))
		return ERR_CAST(t);
	l = bootsan_lun_find(t, nla_get_u32(info->attrs[BOOTSAN_A_LUN_LUN]));
	if (!l) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BOOTSAN_A_LUN_LUN], "no such LUN");
		return ERR_PTR(-ENOENT);
	}
	if (tp)
		*tp = t;
	return l;
}

int bootsan_nl_lun_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_target *t;
	struct bootsan_lun *l;
	int ret;

	if (missing(info, BOOTSAN_A_LUN_TARGET, "lun: target is required") ||
	    missing(info, BOOTSAN_A_LUN_LUN, "lun: lun is required") ||
	    missing(info, BOOTSAN_A_LUN_PATH, "lun: path is required"))
		return -EINVAL;
	l = bootsan_lun_alloc();
	if (!l)
		return -ENOMEM;
	/* Opening the backing store may sleep long: do it outside the lock. */
	ret = lun_parse(l, info);
	if (ret)
		goto put;

	mutex_lock(&bootsan_config_mutex);
	t = target_lookup(info->attrs[BOOTSAN_A_LUN_TARGET], info->extack);
	if (IS_ERR(t)) {
		ret = PTR_ERR(t);
	} else if (bootsan_lun_find(t, l->lun)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BOOTSAN_A_LUN_LUN], "LUN exists");
		ret = -EEXIST;
	} else {
		l->target = t;
		bootsan_lun_insert(t, l);
	}
	mutex_unlock(&bootsan_config_mutex);
	if (!ret)
		return 0;
put:
	bootsan_lun_put(l);
	return ret;
}

int bootsan_nl_lun_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_target *t;
	struct bootsan_lun *l;

	if (missing(info, BOOTSAN_A_LUN_TARGET, "lun: target is required") ||
	    missing(info, BOOTSAN_A_LUN_LUN, "lun: lun is required"))
		return -EINVAL;
	l = lun_lookup(info, &t);
	if (IS_ERR(l))
		return PTR_ERR(l);
	if (atomic_read(&t->nr_sessions) && !info->attrs[BOOTSAN_A_LUN_FORCE]) {
		NL_SET_ERR_MSG(info->extack, "the LUN's target has sessions (use force)");
		return -EBUSY;
	}
	if (atomic_read(&t->nr_sessions))
		bootsan_sessions_close_target(t);
	bootsan_lun_remove(t, l);
	return 0;
}

int bootsan_nl_lun_resize_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_lun *l;
	u64 size;
	int ret;

	if (missing(info, BOOTSAN_A_LUN_TARGET, "lun: target is required") ||
	    missing(info, BOOTSAN_A_LUN_LUN, "lun: lun is required") ||
	    missing(info, BOOTSAN_A_LUN_SIZE, "lun: size is required"))
		return -EINVAL;
	l = lun_lookup(info, NULL);
	if (IS_ERR(l))
		return PTR_ERR(l);
	size = nla_get_u64(info->attrs[BOOTSAN_A_LUN_SIZE]);
	ret = lun_check_size(l, size, info->attrs[BOOTSAN_A_LUN_SIZE], info->extack);
	if (!ret && size != l->size) {
		/* Commands read it without the mutex. */
		WRITE_ONCE(l->size, size);
		bootsan_lun_capacity_changed(l);
	}
	return ret;
}

int bootsan_nl_lun_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_lun *l;

	if (missing(info, BOOTSAN_A_LUN_TARGET, "lun: target is required") ||
	    missing(info, BOOTSAN_A_LUN_LUN, "lun: lun is required"))
		return -EINVAL;
	l = lun_lookup(info, NULL);
	if (IS_ERR(l))
		return PTR_ERR(l);
	return reply_one(info, BOOTSAN_CMD_LUN_GET, lun_fill, l);
}

/*
 * Walk the LUNs of every target (or of the one named by @filter) for a dump,
 * calling @fill on each. cb->args[0] is the target id and cb->args[1] the
 * LUN number to resume from.
 */
static int walk_luns(struct sk_buff *skb, struct netlink_callback *cb,
		     struct nlattr *filter, u8 cmd,
		     int (*fill)(struct sk_buff *, const void *))
{
	struct bootsan_target *t;
	struct bootsan_lun *l;
	unsigned long id;
	int ret;

	if (filter && !bootsan_target_find(nla_data(filter))) {
		NL_SET_ERR_MSG_ATTR(cb->extack, filter, "no such target");
		return -ENOENT;
	}
	xa_for_each_start(&bootsan_targets, id, t, cb->args[0]) {
		if (filter && strcmp(t->iqn, nla_data(filter)))
			continue;
		if (id != cb->args[0])
			cb->args[1] = 0;
		cb->args[0] = id;
		for (l = bootsan_lun_next(t, cb->args[1]); l;
		     l = list_is_last(&l->node, &t->luns) ? NULL : list_next_entry(l, node)) {
			ret = dump_one(skb, cb, cmd, fill, l);
			if (ret)
				return ret;
			cb->args[1] = l->lun + 1;
		}
		cb->args[0] = id + 1;
		cb->args[1] = 0;
	}
	return 0;
}

static int lun_walk(struct sk_buff *skb, struct netlink_callback *cb)
{
	return walk_luns(skb, cb, bootsan_dump_attrs(cb)[BOOTSAN_A_LUN_TARGET],
			 BOOTSAN_CMD_LUN_GET, lun_fill);
}

int bootsan_nl_lun_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_locked(skb, cb, lun_walk);
}

/* ---- statistics ---- */

static int stats_fill(struct sk_buff *skb, const void *obj)
{
	const struct bootsan_lun *l = obj;
	const struct bootsan_lun_stats *s = &l->stats;

	if (nla_put_string(skb, BOOTSAN_A_STATS_TARGET, l->target->iqn) ||
	    nla_put_u32(skb, BOOTSAN_A_STATS_LUN, l->lun) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_STATS_READ_CMDS,
			      atomic64_read(&s->read_cmds), BOOTSAN_A_STATS_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_STATS_WRITE_CMDS,
			      atomic64_read(&s->write_cmds), BOOTSAN_A_STATS_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_STATS_READ_BYTES,
			      atomic64_read(&s->read_bytes), BOOTSAN_A_STATS_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_STATS_WRITE_BYTES,
			      atomic64_read(&s->write_bytes), BOOTSAN_A_STATS_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_STATS_ERRORS,
			      atomic64_read(&s->errors), BOOTSAN_A_STATS_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_STATS_LATENCY_NS,
			      atomic64_read(&s->latency_ns), BOOTSAN_A_STATS_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_STATS_READ_BYTES_BY_REFERENCE,
			      atomic64_read(&s->read_bytes_by_ref), BOOTSAN_A_STATS_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_STATS_READ_BYTES_COPIED,
			      atomic64_read(&s->read_bytes_copied), BOOTSAN_A_STATS_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_STATS_WRITE_BYTES_COPIED,
			      atomic64_read(&s->write_bytes_copied), BOOTSAN_A_STATS_UNSPEC))
		return -EMSGSIZE;
	return 0;
}

int bootsan_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_lun *l;

	if (missing(info, BOOTSAN_A_STATS_TARGET, "stats: target is required") ||
	    missing(info, BOOTSAN_A_STATS_LUN, "stats: lun is required"))
		return -EINVAL;
	/* The stats and LUN attribute sets number target and lun alike. */
	BUILD_BUG_ON((int)BOOTSAN_A_STATS_TARGET != (int)BOOTSAN_A_LUN_TARGET ||
		     (int)BOOTSAN_A_STATS_LUN != (int)BOOTSAN_A_LUN_LUN);
	l = lun_lookup(info, NULL);
	if (IS_ERR(l))
		return PTR_ERR(l);
	return reply_one(info, BOOTSAN_CMD_STATS_GET, stats_fill, l);
}

static int stats_walk(struct sk_buff *skb, struct netlink_callback *cb)
{
	return walk_luns(skb, cb, bootsan_dump_attrs(cb)[BOOTSAN_A_STATS_TARGET],
			 BOOTSAN_CMD_STATS_GET, stats_fill);
}

int bootsan_nl_stats_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_locked(skb, cb, stats_walk);
}

/* ---- ACLs ---- */

struct acl_ref {
	const struct bootsan_target *target;
	const struct bootsan_acl *acl;
};

static int acl_fill(struct sk_buff *skb, const void *obj)
{
	const struct acl_ref *r = obj;

	if (nla_put_string(skb, BOOTSAN_A_ACL_TARGET, r->target->iqn) ||
	    nla_put_string(skb, BOOTSAN_A_ACL_INITIATOR, r->acl->initiator) ||
	    put_chap(skb, BOOTSAN_A_ACL_CHAP, &r->acl->creds.chap) ||
	    put_chap(skb, BOOTSAN_A_ACL_MUTUAL_CHAP, &r->acl->creds.mutual))
		return -EMSGSIZE;
	return 0;
}

static struct bootsan_acl *acl_lookup(struct genl_info *info, struct bootsan_target **tp)
{
	struct bootsan_target *t;
	struct bootsan_acl *acl;

	t = target_lookup(info->attrs[BOOTSAN_A_ACL_TARGET], info->extack);
	if (IS_ERR(t))
		return ERR_CAST(t);
	acl = bootsan_acl_find(t, nla_data(info->attrs[BOOTSAN_A_ACL_INITIATOR]));
	if (!acl) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BOOTSAN_A_ACL_INITIATOR],
				    "initiator is not in the target's ACL");
		return ERR_PTR(-ENOENT);
	}
	*tp = t;
	return acl;
}

int bootsan_nl_acl_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_target *t;
	struct bootsan_acl *acl;
	int ret;

	if (missing(info, BOOTSAN_A_ACL_TARGET, "acl: target is required") ||
	    missing(info, BOOTSAN_A_ACL_INITIATOR, "acl: initiator is required"))
		return -EINVAL;
	ret = check_iscsi_name(info->attrs[BOOTSAN_A_ACL_INITIATOR], info->extack);
	if (ret)
		return ret;
	acl = kzalloc(sizeof(*acl), GFP_KERNEL);
	if (!acl)
		return -ENOMEM;
	nla_strscpy(acl->initiator, info->attrs[BOOTSAN_A_ACL_INITIATOR],
		    sizeof(acl->initiator));
	ret = parse_credentials(info->attrs[BOOTSAN_A_ACL_CHAP],
				info->attrs[BOOTSAN_A_ACL_MUTUAL_CHAP],
				&acl->creds, info->extack);
	if (!ret)
		ret = check_mutual_differs(&acl->creds, info->attrs[BOOTSAN_A_ACL_MUTUAL_CHAP],
					   info->extack);
	if (ret)
		goto free;
	t = target_lookup(info->attrs[BOOTSAN_A_ACL_TARGET], info->extack);
	if (IS_ERR(t)) {
		ret = PTR_ERR(t);
		goto free;
	}
	if (bootsan_acl_find(t, acl->initiator)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BOOTSAN_A_ACL_INITIATOR],
				    "initiator is already in the target's ACL");
		ret = -EEXIST;
		goto free;
	}
	list_add_tail(&acl->node, &t->acls);
	/* Its own credentials replace the target's it may have proved. */
	bootsan_sessions_recheck(t);
	return 0;
free:
	kfree_sensitive(acl);
	return ret;
}

int bootsan_nl_acl_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_target *t;
	struct bootsan_acl *acl;

	if (missing(info, BOOTSAN_A_ACL_TARGET, "acl: target is required") ||
	    missing(info, BOOTSAN_A_ACL_INITIATOR, "acl: initiator is required"))
		return -EINVAL;
	acl = acl_lookup(info, &t);
	if (IS_ERR(acl))
		return PTR_ERR(acl);
	bootsan_acl_remove(acl);
	bootsan_sessions_recheck(t);
	return 0;
}

int bootsan_nl_acl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_target *t;
	struct bootsan_acl *acl;
	struct acl_ref r;

	if (missing(info, BOOTSAN_A_ACL_TARGET, "acl: target is required") ||
	    missing(info, BOOTSAN_A_ACL_INITIATOR, "acl: initiator is required"))
		return -EINVAL;
	acl = acl_lookup(info, &t);
	if (IS_ERR(acl))
		return PTR_ERR(acl);
	r.target = t;
	r.acl = acl;
	return reply_one(info, BOOTSAN_CMD_ACL_GET, acl_fill, &r);
}

/* cb->args[0]: target id, cb->args[1]: entries of it already sent. */
static int acl_walk(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr *filter = bootsan_dump_attrs(cb)[BOOTSAN_A_ACL_TARGET];
	struct acl_ref r;
	struct bootsan_target *t;
	struct bootsan_acl *acl;
	unsigned long id;
	long idx;
	int ret;

	if (filter && !bootsan_target_find(nla_data(filter))) {
		NL_SET_ERR_MSG_ATTR(cb->extack, filter, "no such target");
		return -ENOENT;
	}
	xa_for_each_start(&bootsan_targets, id, t, cb->args[0]) {
		if (filter && strcmp(t->iqn, nla_data(filter)))
			continue;
		if (id != cb->args[0])
			cb->args[1] = 0;
		cb->args[0] = id;
		idx = 0;
		list_for_each_entry(acl, &t->acls, node) {
			if (idx++ < cb->args[1])
				continue;
			r.target = t;
			r.acl = acl;
			ret = dump_one(skb, cb, BOOTSAN_CMD_ACL_GET, acl_fill, &r);
			if (ret)
				return ret;
			cb->args[1] = idx;
		}
		cb->args[0] = id + 1;
		cb->args[1] = 0;
	}
	return 0;
}

int bootsan_nl_acl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_locked(skb, cb, acl_walk);
}

/* ---- sessions ---- */

static int put_addr(struct sk_buff *skb, int addr_type, int port_type,
		    const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		return nla_put(skb, addr_type, 4, &sin->sin_addr) ?:
		       nla_put_u16(skb, port_type, ntohs(sin->sin_port));
	}
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		return nla_put(skb, addr_type, 16, &sin6->sin6_addr) ?:
		       nla_put_u16(skb, port_type, ntohs(sin6->sin6_port));
	}
	return 0;
}

static int put_params(struct sk_buff *skb, const struct iscsi_params *p)
{
	struct nlattr *nest = nla_nest_start(skb, BOOTSAN_A_SESSION_PARAMS);

	if (!nest ||
	    nla_put_u8(skb, BOOTSAN_A_PARAMS_HEADER_DIGEST, p->header_digest) ||
	    nla_put_u8(skb, BOOTSAN_A_PARAMS_DATA_DIGEST, p->data_digest) ||
	    nla_put_u32(skb, BOOTSAN_A_PARAMS_MAX_RECV_DATA_SEGMENT_LENGTH,
			p->max_recv_dsl_initiator) ||
	    nla_put_u32(skb, BOOTSAN_A_PARAMS_MAX_BURST_LENGTH, p->max_burst_length) ||
	    nla_put_u32(skb, BOOTSAN_A_PARAMS_FIRST_BURST_LENGTH, p->first_burst_length) ||
	    nla_put_u8(skb, BOOTSAN_A_PARAMS_IMMEDIATE_DATA, p->immediate_data) ||
	    nla_put_u8(skb, BOOTSAN_A_PARAMS_INITIAL_R2T, p->initial_r2t) ||
	    nla_put_u32(skb, BOOTSAN_A_PARAMS_MAX_OUTSTANDING_R2T, p->max_outstanding_r2t) ||
	    nla_put_u8(skb, BOOTSAN_A_PARAMS_ERROR_RECOVERY_LEVEL, p->error_recovery_level))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * What the session's I/O holds now (din_mem.c, dout_mem.c). Its connection
 * lives while the session is listed (bootsan_session_mutex is held); its
 * io_work changes the counts as we read them.
 */
static int session_put_mem(struct sk_buff *skb, const struct bootsan_session *s)
{
	u64 rd = s->conn ? READ_ONCE(s->conn->din_mem) : 0;
	u64 wr = s->conn ? READ_ONCE(s->conn->dout_mem) : 0;

	if (nla_put_u64_64bit(skb, BOOTSAN_A_SESSION_READ_MEM, rd, BOOTSAN_A_SESSION_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_SESSION_WRITE_MEM, wr, BOOTSAN_A_SESSION_UNSPEC))
		return -EMSGSIZE;
	return 0;
}

static int session_fill(struct sk_buff *skb, const void *obj)
{
	const struct bootsan_session *s = obj;

	if (nla_put_u64_64bit(skb, BOOTSAN_A_SESSION_ID, s->id, BOOTSAN_A_SESSION_UNSPEC) ||
	    (s->target && nla_put_string(skb, BOOTSAN_A_SESSION_TARGET, s->target->iqn)) ||
	    nla_put_string(skb, BOOTSAN_A_SESSION_INITIATOR, s->initiator) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_SESSION_ISID, s->isid, BOOTSAN_A_SESSION_UNSPEC) ||
	    nla_put_u16(skb, BOOTSAN_A_SESSION_TSIH, s->tsih) ||
	    put_addr(skb, BOOTSAN_A_SESSION_PEER_ADDR, BOOTSAN_A_SESSION_PEER_PORT,
		     &s->peer) ||
	    nla_put_u32(skb, BOOTSAN_A_SESSION_CONNECTIONS, 1) ||
	    put_params(skb, &s->params) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_SESSION_COMMANDS,
			      atomic64_read(&s->commands), BOOTSAN_A_SESSION_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_SESSION_READ_BYTES,
			      atomic64_read(&s->read_bytes), BOOTSAN_A_SESSION_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_SESSION_WRITE_BYTES,
			      atomic64_read(&s->write_bytes), BOOTSAN_A_SESSION_UNSPEC) ||
	    session_put_mem(skb, s))
		return -EMSGSIZE;
	return 0;
}

int bootsan_nl_session_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct bootsan_session *s;
	u64 id;
	int ret;

	if (missing(info, BOOTSAN_A_SESSION_ID, "session: id is required"))
		return -EINVAL;
	id = nla_get_u64(info->attrs[BOOTSAN_A_SESSION_ID]);
	ret = -ENOENT;
	mutex_lock(&bootsan_session_mutex);
	list_for_each_entry(s, &bootsan_sessions, node) {
		if (s->id == id) {
			ret = reply_one(info, BOOTSAN_CMD_SESSION_GET, session_fill, s);
			break;
		}
	}
	mutex_unlock(&bootsan_session_mutex);
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BOOTSAN_A_SESSION_ID],
				    "no such session");
	return ret;
}

/*
 * Sessions are listed in creation order: resume after the last id sent.
 * bootsan_session_mutex nests in the config mutex, as for session get.
 */
static int session_walk(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct bootsan_session *s;
	int ret = 0;

	mutex_lock(&bootsan_session_mutex);
	list_for_each_entry(s, &bootsan_sessions, node) {
		if (s->id <= cb->args[0])
			continue;
		ret = dump_one(skb, cb, BOOTSAN_CMD_SESSION_GET, session_fill, s);
		if (ret)
			break;
		cb->args[0] = s->id;
	}
	mutex_unlock(&bootsan_session_mutex);
	return ret;
}

int bootsan_nl_session_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_locked(skb, cb, session_walk);
}

int bootsan_nl_session_kill_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (missing(info, BOOTSAN_A_SESSION_ID, "session: id is required"))
		return -EINVAL;
	if (bootsan_session_kill(nla_get_u64(info->attrs[BOOTSAN_A_SESSION_ID])))
		return 0;
	NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[BOOTSAN_A_SESSION_ID], "no such session");
	return -ENOENT;
}

/* ---- I/O memory budgets ---- */

static int mem_fill(struct sk_buff *skb, const void *obj)
{
	if (nla_put_u64_64bit(skb, BOOTSAN_A_MEM_READ_USED, bootsan_din_mem_used(),
			      BOOTSAN_A_MEM_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_MEM_READ_LIMIT, bootsan_din_mem_limit(),
			      BOOTSAN_A_MEM_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_MEM_READ_SESSION_LIMIT,
			      bootsan_din_mem_session_limit(), BOOTSAN_A_MEM_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_MEM_WRITE_USED, bootsan_dout_mem_used(),
			      BOOTSAN_A_MEM_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_MEM_WRITE_LIMIT, bootsan_dout_mem_limit(),
			      BOOTSAN_A_MEM_UNSPEC) ||
	    nla_put_u64_64bit(skb, BOOTSAN_A_MEM_WRITE_SESSION_LIMIT,
			      bootsan_dout_mem_session_limit(), BOOTSAN_A_MEM_UNSPEC))
		return -EMSGSIZE;
	return 0;
}

int bootsan_nl_mem_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return reply_one(info, BOOTSAN_CMD_MEM_GET, mem_fill, NULL);
}

/* ---- events ---- */

static void notify(u8 cmd, const struct bootsan_session *s, struct bootsan_conn *conn,
		   const char *target, int reason)
{
	struct sk_buff *msg;
	void *hdr;
	int err = 0;

	if (!genl_has_listeners(&bootsan_nl_family, &init_net, BOOTSAN_NLGRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &bootsan_nl_family, 0, cmd);
	if (!hdr)
		goto free;
	if (s) {
		err = nla_put_u64_64bit(msg, BOOTSAN_A_EVENT_SESSION_ID, s->id,
					BOOTSAN_A_EVENT_UNSPEC) ?:
		      nla_put_string(msg, BOOTSAN_A_EVENT_TARGET, s->target->iqn) ?:
		      nla_put_string(msg, BOOTSAN_A_EVENT_INITIATOR, s->initiator);
	} else {
		err = nla_put_string(msg, BOOTSAN_A_EVENT_TARGET, target) ?:
		      nla_put_string(msg, BOOTSAN_A_EVENT_INITIATOR,
				     conn->params.initiator_name);
	}
	if (!err && cmd == BOOTSAN_CMD_SESSION_UP_NTF)
		err = put_addr(msg, BOOTSAN_A_EVENT_PEER_ADDR, BOOTSAN_A_EVENT_PEER_PORT,
			       &s->peer);
	if (!err && cmd == BOOTSAN_CMD_SESSION_DOWN_NTF)
		err = nla_put_u32(msg, BOOTSAN_A_EVENT_DOWN_REASON, reason);
	if (!err && cmd == BOOTSAN_CMD_LOGIN_FAILED_NTF)
		err = put_addr(msg, BOOTSAN_A_EVENT_PEER_ADDR, BOOTSAN_A_EVENT_PEER_PORT,
			       &conn->peer) ?:
		      nla_put_u32(msg, BOOTSAN_A_EVENT_LOGIN_FAILURE, reason);
	if (err)
		goto free;
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&bootsan_nl_family, msg, 0, BOOTSAN_NLGRP_EVENTS, GFP_KERNEL);
	return;
free:
	nlmsg_free(msg);
}

void bootsan_nl_notify_session_up(struct bootsan_session *sess)
{
	notify(BOOTSAN_CMD_SESSION_UP_NTF, sess, NULL, NULL, 0);
}

void bootsan_nl_notify_session_down(struct bootsan_session *sess, int reason)
{
	notify(BOOTSAN_CMD_SESSION_DOWN_NTF, sess, NULL, NULL, reason);
}

void bootsan_nl_notify_login_failed(struct bootsan_conn *conn, const char *target,
				    int reason)
{
	notify(BOOTSAN_CMD_LOGIN_FAILED_NTF, NULL, conn, target ?: "", reason);
}

int __init bootsan_nl_init(void)
{
	return genl_register_family(&bootsan_nl_family);
}

void bootsan_nl_exit(void)
{
	genl_unregister_family(&bootsan_nl_family);
}
