// SPDX-License-Identifier: GPL-2.0
/* bootsan.ko over its netlink family, for the daemon; see kernel_nl.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_nl.h"
#include "nl.h"

static pthread_mutex_t knl_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bsnl *knl;
static char knl_error[512];

const char *knl_last_error(void)
{
	return knl_error;
}

static void note_error(int err, const char *what)
{
	const char *why = knl ? bsnl_extack(knl) : NULL;

	snprintf(knl_error, sizeof(knl_error), "%s: %s%s%s", what, strerror(-err),
		 why && *why ? ": " : "", why ? why : "");
}

/* With knl_lock held: a handle, reopened after the module came back. */
static int handle(void)
{
	int err;

	if (knl)
		return 0;
	err = bsnl_open(&knl);
	if (err) {
		knl = NULL;
		snprintf(knl_error, sizeof(knl_error), "bootsan.ko is not loaded (%s)",
			 strerror(-err));
	}
	return err;
}

/* A request failed: if the family went away, drop the handle. */
static int done(int err, const char *what)
{
	if (err)
		note_error(err, what);
	if (err == -ENOENT || err == -EOPNOTSUPP || err == -ECONNREFUSED) {
		/* ENOENT may be "no such object" too: probe the family. */
		struct bsnl *probe;

		if (bsnl_open(&probe)) {
			bsnl_close(knl);
			knl = NULL;
		} else {
			bsnl_close(probe);
		}
	}
	return err;
}

bool knl_available(void)
{
	bool ok;

	pthread_mutex_lock(&knl_lock);
	ok = handle() == 0;
	if (ok) {
		/* A handle from before an rmmod points at a stale family id. */
		struct bsnl *probe;

		if (bsnl_open(&probe)) {
			ok = false;
		} else {
			if (bsnl_family_id(probe) != bsnl_family_id(knl)) {
				bsnl_close(knl);
				knl = probe;
			} else {
				bsnl_close(probe);
			}
		}
	}
	pthread_mutex_unlock(&knl_lock);
	return ok;
}

static void copy_str(char *dst, size_t cap, const struct nlattr *a)
{
	snprintf(dst, cap, "%s", a ? nla_get_string((struct nlattr *)a) : "");
}

static void read_chap(struct ks_chap *c, struct nlattr *nest)
{
	struct nlattr *tb[BOOTSAN_A_CHAP_MAX + 1];

	memset(c, 0, sizeof(*c));
	if (!nest || nla_parse_nested(tb, BOOTSAN_A_CHAP_MAX, nest, NULL))
		return;
	copy_str(c->user, sizeof(c->user), tb[BOOTSAN_A_CHAP_USER]);
	c->set = tb[BOOTSAN_A_CHAP_SECRET_SET] != NULL;
}

static int on_portal(const struct bsnl_reply *r, void *arg)
{
	struct ks_portal *p = ks_add_portal(arg);
	struct nlattr *a = r->tb[BOOTSAN_A_PORTAL_ADDR];

	if (!p)
		return -ENOMEM;
	if (a && (nla_len(a) == 4 || nla_len(a) == 16)) {
		p->addr_len = nla_len(a);
		memcpy(p->addr, nla_data(a), p->addr_len);
	}
	p->port = r->tb[BOOTSAN_A_PORTAL_PORT] ? nla_get_u16(r->tb[BOOTSAN_A_PORTAL_PORT]) : 0;
	p->tpgt = r->tb[BOOTSAN_A_PORTAL_TPGT] ? nla_get_u16(r->tb[BOOTSAN_A_PORTAL_TPGT]) : 0;
	if (r->tb[BOOTSAN_A_PORTAL_MAX_CONNECTIONS])
		p->max_connections = nla_get_u32(r->tb[BOOTSAN_A_PORTAL_MAX_CONNECTIONS]);
	if (r->tb[BOOTSAN_A_PORTAL_LOGIN_TIMEOUT])
		p->login_timeout = nla_get_u32(r->tb[BOOTSAN_A_PORTAL_LOGIN_TIMEOUT]);
	return 0;
}

static int on_target(const struct bsnl_reply *r, void *arg)
{
	struct ks_target *t = ks_add_target(arg);
	struct nlattr **tb = r->tb;

	if (!t)
		return -ENOMEM;
	copy_str(t->iqn, sizeof(t->iqn), tb[BOOTSAN_A_TARGET_IQN]);
	copy_str(t->alias, sizeof(t->alias), tb[BOOTSAN_A_TARGET_ALIAS]);
	t->auth = tb[BOOTSAN_A_TARGET_AUTH] ? nla_get_u32(tb[BOOTSAN_A_TARGET_AUTH]) : 0;
	read_chap(&t->chap, tb[BOOTSAN_A_TARGET_CHAP]);
	read_chap(&t->mutual, tb[BOOTSAN_A_TARGET_MUTUAL_CHAP]);
	if (tb[BOOTSAN_A_TARGET_MAX_SESSIONS])
		t->max_sessions = nla_get_u32(tb[BOOTSAN_A_TARGET_MAX_SESSIONS]);
	if (tb[BOOTSAN_A_TARGET_QUEUE_DEPTH])
		t->queue_depth = nla_get_u32(tb[BOOTSAN_A_TARGET_QUEUE_DEPTH]);
	if (tb[BOOTSAN_A_TARGET_NOP_IN_INTERVAL])
		t->nop_in_interval = nla_get_u32(tb[BOOTSAN_A_TARGET_NOP_IN_INTERVAL]);
	if (tb[BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR])
		t->allow_any_initiator = nla_get_u8(tb[BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR]);
	return 0;
}

static int on_lun(const struct bsnl_reply *r, void *arg)
{
	struct nlattr **tb = r->tb;
	struct ks_target *t;
	struct ks_lun *l;

	if (!tb[BOOTSAN_A_LUN_TARGET])
		return 0;
	t = ks_find_target(arg, nla_get_string(tb[BOOTSAN_A_LUN_TARGET]));
	if (!t)
		return 0;	/* created between the two dumps */
	l = ks_add_lun(t);
	if (!l)
		return -ENOMEM;
	l->lun = tb[BOOTSAN_A_LUN_LUN] ? nla_get_u32(tb[BOOTSAN_A_LUN_LUN]) : 0;
	l->backend = tb[BOOTSAN_A_LUN_BACKEND] ? nla_get_u32(tb[BOOTSAN_A_LUN_BACKEND]) : 0;
	copy_str(l->path, sizeof(l->path), tb[BOOTSAN_A_LUN_PATH]);
	copy_str(l->delta_path, sizeof(l->delta_path), tb[BOOTSAN_A_LUN_DELTA_PATH]);
	l->read_only = tb[BOOTSAN_A_LUN_READ_ONLY] != NULL;
	l->direct = tb[BOOTSAN_A_LUN_DIRECT] != NULL;
	if (tb[BOOTSAN_A_LUN_BLOCK_SIZE])
		l->block_size = nla_get_u32(tb[BOOTSAN_A_LUN_BLOCK_SIZE]);
	if (tb[BOOTSAN_A_LUN_SIZE])
		l->size = nla_get_u64(tb[BOOTSAN_A_LUN_SIZE]);
	copy_str(l->serial, sizeof(l->serial), tb[BOOTSAN_A_LUN_SERIAL]);
	if (tb[BOOTSAN_A_LUN_NAA])
		l->naa = nla_get_u64(tb[BOOTSAN_A_LUN_NAA]);
	return 0;
}

static int on_acl(const struct bsnl_reply *r, void *arg)
{
	struct nlattr **tb = r->tb;
	struct ks_target *t;
	struct ks_acl *a;

	if (!tb[BOOTSAN_A_ACL_TARGET])
		return 0;
	t = ks_find_target(arg, nla_get_string(tb[BOOTSAN_A_ACL_TARGET]));
	if (!t)
		return 0;
	a = ks_add_acl(t);
	if (!a)
		return -ENOMEM;
	copy_str(a->initiator, sizeof(a->initiator), tb[BOOTSAN_A_ACL_INITIATOR]);
	read_chap(&a->chap, tb[BOOTSAN_A_ACL_CHAP]);
	read_chap(&a->mutual, tb[BOOTSAN_A_ACL_MUTUAL_CHAP]);
	return 0;
}

static int dump_locked(struct ks_state *have)
{
	static const struct {
		uint8_t cmd;
		bsnl_cb cb;
	} steps[] = {
		{ BOOTSAN_CMD_PORTAL_GET, on_portal },
		{ BOOTSAN_CMD_TARGET_GET, on_target },
		{ BOOTSAN_CMD_LUN_GET, on_lun },
		{ BOOTSAN_CMD_ACL_GET, on_acl },
	};
	size_t i;
	int err;

	memset(have, 0, sizeof(*have));
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct nl_msg *m = bsnl_msg(knl, steps[i].cmd);

		if (!m)
			return -ENOMEM;
		err = bsnl_dump(knl, m, steps[i].cb, have);
		if (err) {
			ks_state_free(have);
			return done(err, "reading the kernel state");
		}
	}
	return 0;
}

int knl_dump(struct ks_state *have)
{
	int err;

	pthread_mutex_lock(&knl_lock);
	err = handle() ?: dump_locked(have);
	pthread_mutex_unlock(&knl_lock);
	return err;
}

static void put_chap(struct nl_msg *m, int type, const struct ks_chap *c)
{
	struct nlattr *n;

	if (!c->set || !c->secret_len)
		return;
	n = nla_nest_start(m, type);
	nla_put_string(m, BOOTSAN_A_CHAP_USER, c->user);
	nla_put(m, BOOTSAN_A_CHAP_SECRET, c->secret_len, c->secret);
	nla_nest_end(m, n);
}

static struct nl_msg *build(const struct ks_op *op, const char **what)
{
	const struct ks_target *t = op->target;
	const struct ks_lun *l = op->lun;
	struct nl_msg *m = NULL;

	switch (op->kind) {
	case KS_PORTAL_NEW:
	case KS_PORTAL_DEL:
		*what = op->kind == KS_PORTAL_NEW ? "creating a portal" : "deleting a portal";
		m = bsnl_msg(knl, op->kind == KS_PORTAL_NEW ? BOOTSAN_CMD_PORTAL_NEW :
							     BOOTSAN_CMD_PORTAL_DEL);
		if (!m)
			break;
		nla_put(m, BOOTSAN_A_PORTAL_ADDR, op->portal->addr_len, op->portal->addr);
		nla_put_u16(m, BOOTSAN_A_PORTAL_PORT, op->portal->port);
		if (op->kind == KS_PORTAL_NEW && op->portal->tpgt)
			nla_put_u16(m, BOOTSAN_A_PORTAL_TPGT, op->portal->tpgt);
		if (op->kind == KS_PORTAL_NEW && op->portal->max_connections)
			nla_put_u32(m, BOOTSAN_A_PORTAL_MAX_CONNECTIONS,
				    op->portal->max_connections);
		if (op->kind == KS_PORTAL_NEW && op->portal->login_timeout)
			nla_put_u32(m, BOOTSAN_A_PORTAL_LOGIN_TIMEOUT, op->portal->login_timeout);
		if (op->kind == KS_PORTAL_DEL)
			nla_put_flag(m, BOOTSAN_A_PORTAL_FORCE);
		break;
	case KS_TARGET_NEW:
	case KS_TARGET_SET:
		*what = op->kind == KS_TARGET_NEW ? "creating a target" : "changing a target";
		m = bsnl_msg(knl, op->kind == KS_TARGET_NEW ? BOOTSAN_CMD_TARGET_NEW :
							     BOOTSAN_CMD_TARGET_SET);
		if (!m)
			break;
		nla_put_string(m, BOOTSAN_A_TARGET_IQN, t->iqn);
		if (t->alias[0] || op->kind == KS_TARGET_SET)
			nla_put_string(m, BOOTSAN_A_TARGET_ALIAS, t->alias);
		nla_put_u32(m, BOOTSAN_A_TARGET_AUTH, t->auth);
		put_chap(m, BOOTSAN_A_TARGET_CHAP, &t->chap);
		put_chap(m, BOOTSAN_A_TARGET_MUTUAL_CHAP, &t->mutual);
		/* Always: a limit taken back to 0 is the module's default again. */
		nla_put_u32(m, BOOTSAN_A_TARGET_MAX_SESSIONS, ks_max_sessions(t));
		nla_put_u32(m, BOOTSAN_A_TARGET_QUEUE_DEPTH, ks_queue_depth(t));
		/* Always: 0 turns NOP-In off on a target that had it. */
		nla_put_u32(m, BOOTSAN_A_TARGET_NOP_IN_INTERVAL, t->nop_in_interval);
		/* Always: 0 closes a target that was open to every initiator. */
		nla_put_u8(m, BOOTSAN_A_TARGET_ALLOW_ANY_INITIATOR, t->allow_any_initiator);
		break;
	case KS_TARGET_DEL:
		*what = "deleting a target";
		m = bsnl_msg(knl, BOOTSAN_CMD_TARGET_DEL);
		if (!m)
			break;
		nla_put_string(m, BOOTSAN_A_TARGET_IQN, t->iqn);
		nla_put_flag(m, BOOTSAN_A_TARGET_FORCE);
		break;
	case KS_LUN_NEW:
		*what = "creating a LUN";
		m = bsnl_msg(knl, BOOTSAN_CMD_LUN_NEW);
		if (!m)
			break;
		nla_put_string(m, BOOTSAN_A_LUN_TARGET, t->iqn);
		nla_put_u32(m, BOOTSAN_A_LUN_LUN, l->lun);
		nla_put_u32(m, BOOTSAN_A_LUN_BACKEND, l->backend);
		nla_put_string(m, BOOTSAN_A_LUN_PATH, l->path);
		if (l->delta_path[0])
			nla_put_string(m, BOOTSAN_A_LUN_DELTA_PATH, l->delta_path);
		if (l->read_only)
			nla_put_flag(m, BOOTSAN_A_LUN_READ_ONLY);
		if (l->direct)
			nla_put_flag(m, BOOTSAN_A_LUN_DIRECT);
		if (l->block_size)
			nla_put_u32(m, BOOTSAN_A_LUN_BLOCK_SIZE, l->block_size);
		if (l->size)
			nla_put_u64(m, BOOTSAN_A_LUN_SIZE, l->size);
		if (l->serial[0])
			nla_put_string(m, BOOTSAN_A_LUN_SERIAL, l->serial);
		if (l->naa)
			nla_put_u64(m, BOOTSAN_A_LUN_NAA, l->naa);
		break;
	case KS_LUN_DEL:
	case KS_LUN_RESIZE:
		*what = op->kind == KS_LUN_DEL ? "deleting a LUN" : "resizing a LUN";
		m = bsnl_msg(knl, op->kind == KS_LUN_DEL ? BOOTSAN_CMD_LUN_DEL :
							  BOOTSAN_CMD_LUN_RESIZE);
		if (!m)
			break;
		nla_put_string(m, BOOTSAN_A_LUN_TARGET, t->iqn);
		nla_put_u32(m, BOOTSAN_A_LUN_LUN, l->lun);
		if (op->kind == KS_LUN_DEL)
			nla_put_flag(m, BOOTSAN_A_LUN_FORCE);
		else
			nla_put_u64(m, BOOTSAN_A_LUN_SIZE, l->size);
		break;
	case KS_ACL_NEW:
	case KS_ACL_DEL:
		*what = op->kind == KS_ACL_NEW ? "adding an ACL entry" : "removing an ACL entry";
		m = bsnl_msg(knl, op->kind == KS_ACL_NEW ? BOOTSAN_CMD_ACL_NEW :
							  BOOTSAN_CMD_ACL_DEL);
		if (!m)
			break;
		nla_put_string(m, BOOTSAN_A_ACL_TARGET, t->iqn);
		nla_put_string(m, BOOTSAN_A_ACL_INITIATOR, op->acl->initiator);
		if (op->kind == KS_ACL_NEW) {
			put_chap(m, BOOTSAN_A_ACL_CHAP, &op->acl->chap);
			put_chap(m, BOOTSAN_A_ACL_MUTUAL_CHAP, &op->acl->mutual);
		}
		break;
	}
	return m;
}

static int apply_locked(const struct ks_op *op)
{
	const char *what = "changing the kernel state";
	struct nl_msg *m = build(op, &what);

	if (!m)
		return -ENOMEM;
	return done(bsnl_do(knl, m, NULL, NULL), what);
}

int knl_apply(const struct ks_op *op)
{
	int err;

	pthread_mutex_lock(&knl_lock);
	err = handle() ?: apply_locked(op);
	pthread_mutex_unlock(&knl_lock);
	return err;
}

int knl_reconcile(const struct ks_state *want, unsigned int *changes)
{
	struct ks_state have;
	struct ks_op *ops = NULL;
	size_t i, n = 0;
	int err, first = 0;

	*changes = 0;
	pthread_mutex_lock(&knl_lock);
	err = handle() ?: dump_locked(&have);
	if (err)
		goto out;
	err = ks_reconcile(want, &have, &ops, &n);
	/* Carry on past a failure: one bad object must not block the others. */
	for (i = 0; !err && i < n; i++) {
		int e = apply_locked(&ops[i]);

		if (e && !first)
			first = e;
		if (!e)
			(*changes)++;
	}
	err = err ?: first;
	free(ops);
	ks_state_free(&have);
out:
	pthread_mutex_unlock(&knl_lock);
	return err;
}

struct session_list {
	struct knl_session *v;
	size_t n;
};

static int on_session(const struct bsnl_reply *r, void *arg)
{
	struct session_list *l = arg;
	struct nlattr **tb = r->tb;
	struct knl_session *s, *grown;
	char addr[INET6_ADDRSTRLEN] = "";

	grown = realloc(l->v, (l->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	l->v = grown;
	s = memset(&l->v[l->n++], 0, sizeof(*s));
	s->id = tb[BOOTSAN_A_SESSION_ID] ? nla_get_u64(tb[BOOTSAN_A_SESSION_ID]) : 0;
	copy_str(s->target, sizeof(s->target), tb[BOOTSAN_A_SESSION_TARGET]);
	copy_str(s->initiator, sizeof(s->initiator), tb[BOOTSAN_A_SESSION_INITIATOR]);
	if (tb[BOOTSAN_A_SESSION_ISID])
		s->isid = nla_get_u64(tb[BOOTSAN_A_SESSION_ISID]);
	if (tb[BOOTSAN_A_SESSION_TSIH])
		s->tsih = nla_get_u16(tb[BOOTSAN_A_SESSION_TSIH]);
	if (tb[BOOTSAN_A_SESSION_PEER_ADDR]) {
		struct nlattr *a = tb[BOOTSAN_A_SESSION_PEER_ADDR];

		inet_ntop(nla_len(a) == 4 ? AF_INET : AF_INET6, nla_data(a), addr, sizeof(addr));
		snprintf(s->peer, sizeof(s->peer), nla_len(a) == 4 ? "%s:%u" : "[%s]:%u", addr,
			 tb[BOOTSAN_A_SESSION_PEER_PORT] ?
				nla_get_u16(tb[BOOTSAN_A_SESSION_PEER_PORT]) : 0);
	}
	if (tb[BOOTSAN_A_SESSION_COMMANDS])
		s->commands = nla_get_u64(tb[BOOTSAN_A_SESSION_COMMANDS]);
	if (tb[BOOTSAN_A_SESSION_READ_BYTES])
		s->read_bytes = nla_get_u64(tb[BOOTSAN_A_SESSION_READ_BYTES]);
	if (tb[BOOTSAN_A_SESSION_WRITE_BYTES])
		s->write_bytes = nla_get_u64(tb[BOOTSAN_A_SESSION_WRITE_BYTES]);
	return 0;
}

int knl_sessions(struct knl_session **out, size_t *n)
{
	struct session_list l = {};
	struct nl_msg *m;
	int err;

	pthread_mutex_lock(&knl_lock);
	err = handle();
	if (!err) {
		m = bsnl_msg(knl, BOOTSAN_CMD_SESSION_GET);
		err = m ? done(bsnl_dump(knl, m, on_session, &l), "listing sessions") : -ENOMEM;
	}
	pthread_mutex_unlock(&knl_lock);
	if (err) {
		free(l.v);
		return err;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}

int knl_session_kill(uint64_t id)
{
	struct nl_msg *m;
	int err;

	pthread_mutex_lock(&knl_lock);
	err = handle();
	if (!err) {
		m = bsnl_msg(knl, BOOTSAN_CMD_SESSION_KILL);
		if (m) {
			nla_put_u64(m, BOOTSAN_A_SESSION_ID, id);
			err = done(bsnl_do(knl, m, NULL, NULL), "ending a session");
		} else {
			err = -ENOMEM;
		}
	}
	pthread_mutex_unlock(&knl_lock);
	return err;
}

int knl_target_sessions(const char *iqn, uint32_t *count)
{
	struct knl_session *v;
	size_t i, n;
	int err = knl_sessions(&v, &n);

	if (err)
		return err;
	*count = 0;
	for (i = 0; i < n; i++)
		if (!strcmp(v[i].target, iqn))
			(*count)++;
	free(v);
	return 0;
}

struct stats_list {
	struct knl_lun_stats *v;
	size_t n;
};

static uint64_t u64_of(const struct nlattr *a)
{
	return a ? nla_get_u64((struct nlattr *)a) : 0;
}

static int on_stats(const struct bsnl_reply *r, void *arg)
{
	struct stats_list *l = arg;
	struct nlattr **tb = r->tb;
	struct knl_lun_stats *s, *grown;

	grown = realloc(l->v, (l->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	l->v = grown;
	s = memset(&l->v[l->n++], 0, sizeof(*s));
	copy_str(s->target, sizeof(s->target), tb[BOOTSAN_A_STATS_TARGET]);
	s->lun = tb[BOOTSAN_A_STATS_LUN] ? nla_get_u32(tb[BOOTSAN_A_STATS_LUN]) : 0;
	s->read_cmds = u64_of(tb[BOOTSAN_A_STATS_READ_CMDS]);
	s->write_cmds = u64_of(tb[BOOTSAN_A_STATS_WRITE_CMDS]);
	s->read_bytes = u64_of(tb[BOOTSAN_A_STATS_READ_BYTES]);
	s->write_bytes = u64_of(tb[BOOTSAN_A_STATS_WRITE_BYTES]);
	s->errors = u64_of(tb[BOOTSAN_A_STATS_ERRORS]);
	s->latency_ns = u64_of(tb[BOOTSAN_A_STATS_LATENCY_NS]);
	return 0;
}

int knl_lun_stats(struct knl_lun_stats **out, size_t *n)
{
	struct stats_list l = {};
	struct nl_msg *m;
	int err;

	pthread_mutex_lock(&knl_lock);
	err = handle();
	if (!err) {
		m = bsnl_msg(knl, BOOTSAN_CMD_STATS_GET);
		err = m ? done(bsnl_dump(knl, m, on_stats, &l), "listing LUN counters") : -ENOMEM;
	}
	pthread_mutex_unlock(&knl_lock);
	if (err) {
		free(l.v);
		return err;
	}
	*out = l.v;
	*n = l.n;
	return 0;
}
