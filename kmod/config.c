// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of configured objects. Netlink handlers validate requests
 * and call in here with bootsan_config_mutex held; nothing here allocates
 * on behalf of an unvalidated request.
 */
#include <linux/fs.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "backend.h"
#include "config.h"
#include "engine.h"
#include "lun_state.h"

DEFINE_MUTEX(bootsan_config_mutex);
bool bootsan_shutting_down;
DEFINE_XARRAY_ALLOC(bootsan_targets);
LIST_HEAD(bootsan_portals);

struct bootsan_target *bootsan_target_find(const char *iqn)
{
	struct bootsan_target *t;
	unsigned long id;

	lockdep_assert_held(&bootsan_config_mutex);
	xa_for_each(&bootsan_targets, id, t)
		if (!strcmp(t->iqn, iqn))
			return t;
	return NULL;
}

/*
 * A target named @iqn with the module's defaults, holding one reference:
 * bootsan_target_add() hands it to the registry, bootsan_target_put()
 * frees a target never added.
 */
struct bootsan_target *bootsan_target_alloc(const char *iqn)
{
	struct bootsan_target *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return NULL;
	kref_init(&t->ref);
	strscpy(t->iqn, iqn, sizeof(t->iqn));
	t->auth = BOOTSAN_AUTH_NONE;
	t->max_sessions = BOOTSAN_MAX_SESSIONS_DEFAULT;
	t->queue_depth = BOOTSAN_QUEUE_DEPTH_DEFAULT;
	INIT_LIST_HEAD(&t->luns);
	INIT_LIST_HEAD(&t->acls);
	atomic_set(&t->nr_sessions, 0);
	return t;
}

int bootsan_target_add(struct bootsan_target *t)
{
	lockdep_assert_held(&bootsan_config_mutex);
	return xa_alloc(&bootsan_targets, &t->id, t, xa_limit_31b, GFP_KERNEL);
}

/*
 * A LUN holding one reference, with its engine state and nothing else:
 * the caller fills it in and opens its backing store, then
 * bootsan_lun_insert() hands the reference to the registry, or
 * bootsan_lun_put() frees a LUN never inserted.
 */
struct bootsan_lun *bootsan_lun_alloc(void)
{
	struct bootsan_lun *lun = kzalloc(sizeof(*lun), GFP_KERNEL);

	if (!lun)
		return NULL;
	kref_init(&lun->ref);
	if (bootsan_lun_state_alloc(lun)) {
		kfree(lun);
		return NULL;
	}
	return lun;
}

static void bootsan_lun_release(struct kref *ref)
{
	struct bootsan_lun *lun = container_of(ref, struct bootsan_lun, ref);

	bootsan_backend_close(lun);
	bootsan_lun_state_free(lun);
	kfree(lun->path);
	kfree(lun->delta_path);
	kfree_rcu(lun, rcu);
}

/* The last reference closes the backing file or device: may sleep. */
void bootsan_lun_put(struct bootsan_lun *lun)
{
	might_sleep();
	kref_put(&lun->ref, bootsan_lun_release);
}

/*
 * The one walk of a target's LUNs without the mutex: a reference to the
 * first live LUN numbered @from to @to, or NULL; any context. A LUN whose
 * last reference is going is skipped (the list is in LUN order).
 */
static struct bootsan_lun *lun_get_range(struct bootsan_target *t, u32 from, u32 to)
{
	struct bootsan_lun *l, *found = NULL;

	rcu_read_lock();
	list_for_each_entry_rcu(l, &t->luns, node) {
		if (l->lun > to)
			break;
		if (l->lun >= from && kref_get_unless_zero(&l->ref)) {
			found = l;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/* A reference to LUN @lun of @t for a command, or NULL; any context. */
struct bootsan_lun *bootsan_lun_get(struct bootsan_target *t, u32 lun)
{
	return lun_get_range(t, lun, lun);
}

/*
 * A reference to the first LUN of @t numbered @from or higher, or NULL;
 * any context. To visit every LUN and sleep or drop the reference in
 * between (the last reference frees the LUN, which sleeps: never inside
 * rcu_read_lock()), go on from the LUN's number + 1: the list is in LUN
 * order, and a LUN removed meanwhile is simply skipped.
 */
struct bootsan_lun *bootsan_lun_get_next(struct bootsan_target *t, u32 from)
{
	return lun_get_range(t, from, U32_MAX);
}

static void bootsan_target_release(struct kref *ref)
{
	kfree_sensitive(container_of(ref, struct bootsan_target, ref));
}

/* For a session (or a login on its way to one): the target outlives its deletion. */
void bootsan_target_get(struct bootsan_target *t)
{
	kref_get(&t->ref);
}

void bootsan_target_put(struct bootsan_target *t)
{
	kref_put(&t->ref, bootsan_target_release);
}

void bootsan_target_remove(struct bootsan_target *t)
{
	struct bootsan_lun *lun, *ln;
	struct bootsan_acl *acl, *an;

	lockdep_assert_held(&bootsan_config_mutex);
	xa_erase(&bootsan_targets, t->id);
	list_for_each_entry_safe(lun, ln, &t->luns, node)
		bootsan_lun_remove(t, lun);
	list_for_each_entry_safe(acl, an, &t->acls, node)
		bootsan_acl_remove(acl);
	bootsan_target_put(t);
}

struct bootsan_lun *bootsan_lun_find(struct bootsan_target *t, u32 lun)
{
	struct bootsan_lun *l = bootsan_lun_next(t, lun);

	return l && l->lun == lun ? l : NULL;
}

struct bootsan_lun *bootsan_lun_next(struct bootsan_target *t, u32 from)
{
	struct bootsan_lun *l;

	lockdep_assert_held(&bootsan_config_mutex);
	list_for_each_entry(l, &t->luns, node)
		if (l->lun >= from)
			return l;
	return NULL;
}

/* Under bootsan_config_mutex (bootsan_lun_next() asserts it). */
void bootsan_lun_insert(struct bootsan_target *t, struct bootsan_lun *lun)
{
	struct bootsan_lun *next = bootsan_lun_next(t, lun->lun);

	/* Kept in LUN order: REPORT LUNS and resumed dumps rely on it. */
	list_add_tail_rcu(&lun->node, next ? &next->node : &t->luns);
	t->nr_luns++;
}

void bootsan_lun_remove(struct bootsan_target *t, struct bootsan_lun *lun)
{
	lockdep_assert_held(&bootsan_config_mutex);
	list_del_rcu(&lun->node);
	t->nr_luns--;
	bootsan_lun_put(lun);
}

struct bootsan_acl *bootsan_acl_find(struct bootsan_target *t, const char *initiator)
{
	struct bootsan_acl *acl;

	lockdep_assert_held(&bootsan_config_mutex);
	list_for_each_entry(acl, &t->acls, node)
		if (!strcmp(acl->initiator, initiator))
			return acl;
	return NULL;
}

bool bootsan_target_admits(struct bootsan_target *t, const char *initiator,
			   struct bootsan_acl **acl)
{
	*acl = bootsan_acl_find(t, initiator);
	return *acl || t->allow_any_initiator;
}

const struct bootsan_credentials *bootsan_target_credentials(const struct bootsan_target *t,
							     const struct bootsan_acl *acl)
{
	if (acl && acl->creds.chap.secret_len)
		return &acl->creds;
	return &t->creds;
}

bool bootsan_target_auth_required(const struct bootsan_target *t,
				  const struct bootsan_acl *acl)
{
	return t->auth != BOOTSAN_AUTH_NONE || (acl && acl->creds.chap.secret_len);
}

bool bootsan_target_still_admits(struct bootsan_target *t, const char *initiator,
				 u64 chap_gen)
{
	struct bootsan_acl *acl;

	lockdep_assert_held(&bootsan_config_mutex);
	if (!bootsan_target_admits(t, initiator, &acl))
		return false;
	if (!bootsan_target_auth_required(t, acl))
		return true;
	return chap_gen && chap_gen == bootsan_target_credentials(t, acl)->chap.gen;
}

void bootsan_acl_remove(struct bootsan_acl *acl)
{
	lockdep_assert_held(&bootsan_config_mutex);
	list_del(&acl->node);
	kfree_sensitive(acl);
}

struct bootsan_portal *bootsan_portal_find(const u8 *addr, u8 addr_len, u16 port)
{
	struct bootsan_portal *p;

	lockdep_assert_held(&bootsan_config_mutex);
	list_for_each_entry(p, &bootsan_portals, node)
		if (p->port == port && p->addr_len == addr_len &&
		    !memcmp(p->addr, addr, addr_len))
			return p;
	return NULL;
}

/*
 * A portal on @addr (4 or 16 bytes) and @port with the module's defaults,
 * holding one reference: the registry's once listed, else
 * bootsan_portal_put() frees it. bootsan_portal_open() makes it listen.
 */
struct bootsan_portal *bootsan_portal_alloc(const u8 *addr, u8 addr_len, u16 port)
{
	struct bootsan_portal *p = kzalloc(sizeof(*p), GFP_KERNEL);

	if (!p)
		return NULL;
	kref_init(&p->ref);
	memcpy(p->addr, addr, addr_len);
	p->addr_len = addr_len;
	p->port = port;
	p->tpgt = BOOTSAN_DEFAULT_TPGT;
	p->max_connections = BOOTSAN_MAX_CONNECTIONS_DEFAULT;
	p->login_timeout = BOOTSAN_LOGIN_TIMEOUT_DEFAULT;
	atomic_set(&p->connections, 0);
	bootsan_prelogin_portal_init(p);
	return p;
}

static void bootsan_portal_release(struct kref *ref)
{
	kfree(container_of(ref, struct bootsan_portal, ref));
}

void bootsan_portal_get(struct bootsan_portal *p)
{
	kref_get(&p->ref);
}

void bootsan_portal_put(struct bootsan_portal *p)
{
	kref_put(&p->ref, bootsan_portal_release);
}

/*
 * Bind and listen now, so a bad or busy address is reported to the
 * administrator when the portal is created rather than at first login.
 */
int bootsan_portal_open(struct bootsan_portal *p)
{
	struct sockaddr_storage ss = {};
	int family = p->addr_len == 4 ? AF_INET : AF_INET6;
	int len, ret;

	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(p->port);
		memcpy(&sin->sin_addr, p->addr, 4);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(p->port);
		memcpy(&sin6->sin6_addr, p->addr, 16);
		len = sizeof(*sin6);
	}
	ret = sock_create_kern(&init_net, family, SOCK_STREAM, IPPROTO_TCP, &p->sock);
	if (ret)
		return ret;
	sock_set_reuseaddr(p->sock->sk);
	/* [::] and 0.0.0.0 on the same port are two portals, not a clash. */
	if (family == AF_INET6)
		ip6_sock_set_v6only(p->sock->sk);
	ret = kernel_bind(p->sock, (struct sockaddr *)&ss, len);
	if (!ret)
		ret = bootsan_portal_listen(p);
	if (ret) {
		sock_release(p->sock);
		p->sock = NULL;
	}
	return ret;
}

void bootsan_portal_remove(struct bootsan_portal *p)
{
	lockdep_assert_held(&bootsan_config_mutex);
	list_del(&p->node);
	if (p->sock) {
		bootsan_portal_stop(p);
		sock_release(p->sock);
	}
	bootsan_portal_put(p);
}

/* Module unload: no new portals, and the existing ones stop listening. */
void bootsan_portals_stop_all(void)
{
	struct bootsan_portal *p;

	mutex_lock(&bootsan_config_mutex);
	bootsan_shutting_down = true;
	list_for_each_entry(p, &bootsan_portals, node)
		bootsan_portal_stop(p);
	mutex_unlock(&bootsan_config_mutex);
}

void bootsan_config_clear(void)
{
	struct bootsan_portal *p, *pn;
	struct bootsan_target *t;
	unsigned long id;

	mutex_lock(&bootsan_config_mutex);
	xa_for_each(&bootsan_targets, id, t)
		bootsan_target_remove(t);
	list_for_each_entry_safe(p, pn, &bootsan_portals, node)
		bootsan_portal_remove(p);
	mutex_unlock(&bootsan_config_mutex);
}
