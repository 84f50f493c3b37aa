// SPDX-License-Identifier: GPL-2.0
/*
 * iSCSI logins in a client's boot history. bootsan.ko multicasts
 * session-up, session-down and login-failed events; a client's own target
 * is <iqn_prefix>:<client name> (boot_client_iqns()), so an event on such a
 * target goes into that client's history next to its script fetches: an
 * admin sees "fetched its script, logged in, logged out" in one place.
 *
 * The events socket is reopened when the module comes back (a reloaded
 * module has a new family and group id) and whenever it fails.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/bootsan.h>
#include <netlink/attr.h>

#include "boot_render.h"
#include "lib/bootsand.h"
#include "enroll.h"
#include "lib/log.h"
#include "login_events.h"
#include "san/nl.h"
#include "store/store.h"

/* How long one wait for an event lasts: also how soon a stop is seen. */
#define EVENT_WAIT_MS		500
/* How often (in waits) to check that the module was not reloaded. */
#define REOPEN_CHECK_WAITS	4

struct login_events {
	struct bsd *d;
	pthread_t thread;
	pthread_mutex_t lock;
	bool stop;
};

static bool stopping(struct login_events *le)
{
	bool stop;

	pthread_mutex_lock(&le->lock);
	stop = le->stop;
	pthread_mutex_unlock(&le->lock);
	return stop;
}

static const char *down_reason(uint32_t r)
{
	static const char *const names[] = {
		[BOOTSAN_SESSION_DOWN_REASON_LOGOUT] = "logout",
		[BOOTSAN_SESSION_DOWN_REASON_KILLED] = "killed",
		[BOOTSAN_SESSION_DOWN_REASON_CONNECTION_LOST] = "connection lost",
		[BOOTSAN_SESSION_DOWN_REASON_REINSTATED] = "reinstated",
		[BOOTSAN_SESSION_DOWN_REASON_EXPIRED] = "expired",
		[BOOTSAN_SESSION_DOWN_REASON_REVOKED] = "no longer allowed (ACL or credentials changed)",
	};

	return r < sizeof(names) / sizeof(names[0]) && names[r] ? names[r] : "unknown";
}

static const char *login_failure(uint32_t f)
{
	static const char *const names[] = {
		[BOOTSAN_LOGIN_FAILURE_TARGET_NOT_FOUND] = "target not found",
		[BOOTSAN_LOGIN_FAILURE_NOT_AUTHORIZED] = "not authorized",
		[BOOTSAN_LOGIN_FAILURE_AUTH_FAILED] = "authentication failed",
		[BOOTSAN_LOGIN_FAILURE_TOO_MANY_SESSIONS] = "too many sessions",
		[BOOTSAN_LOGIN_FAILURE_UNSUPPORTED_VERSION] = "unsupported version",
		[BOOTSAN_LOGIN_FAILURE_OUT_OF_RESOURCES] = "out of resources",
		[BOOTSAN_LOGIN_FAILURE_PROTOCOL_ERROR] = "protocol error",
	};

	return f < sizeof(names) / sizeof(names[0]) && names[f] ? names[f] : "unknown";
}

/* The client whose own target @target is, into @name; false if none. */
static bool client_of_target(struct bsd *d, const char *target, char *name, size_t size)
{
	char prefix[STORE_IQN_SIZE], initiator[BOOT_IQN_MAX + 1], own[BOOT_IQN_MAX + 1];
	struct store_client c;
	struct boot_client bc = {};
	size_t plen;

	enroll_setting(d, "iqn_prefix", ENROLL_DEFAULT_IQN_PREFIX, prefix, sizeof(prefix));
	plen = strlen(prefix);
	if (strncmp(target, prefix, plen) || target[plen] != ':' || !target[plen + 1])
		return false;
	if (store_client_get(d->store, target + plen + 1, &c))
		return false;
	bc.name = c.name;
	bc.iqn_prefix = prefix;
	if (boot_client_iqns(&bc, initiator, own) || strcmp(own, target))
		return false;
	snprintf(name, size, "%s", c.name);
	return true;
}

static int on_event(const struct bsnl_reply *r, void *arg)
{
	struct login_events *le = arg;
	struct nlattr **tb = r->tb;
	struct store_boot b = {};
	const char *target, *initiator;
	char addr[INET6_ADDRSTRLEN] = "";

	if (!tb[BOOTSAN_A_EVENT_TARGET] || !tb[BOOTSAN_A_EVENT_INITIATOR])
		return 0;
	target = nla_get_string(tb[BOOTSAN_A_EVENT_TARGET]);
	initiator = nla_get_string(tb[BOOTSAN_A_EVENT_INITIATOR]);
	if (!client_of_target(le->d, target, b.client, sizeof(b.client)))
		return 0;
	if (tb[BOOTSAN_A_EVENT_PEER_ADDR]) {
		int len = nla_len(tb[BOOTSAN_A_EVENT_PEER_ADDR]);

		if (len == 4 || len == 16)
			inet_ntop(len == 4 ? AF_INET : AF_INET6,
				  nla_data(tb[BOOTSAN_A_EVENT_PEER_ADDR]), addr, sizeof(addr));
	}
	snprintf(b.ip, sizeof(b.ip), "%s", addr);
	snprintf(b.firmware, sizeof(b.firmware), "iscsi");
	switch (r->cmd) {
	case BOOTSAN_CMD_SESSION_UP_NTF:
		/* The target is the client's own: its name says enough. */
		snprintf(b.what, sizeof(b.what), "iSCSI login as %.200s", initiator);
		break;
	case BOOTSAN_CMD_SESSION_DOWN_NTF:
		snprintf(b.what, sizeof(b.what), "iSCSI session of %.200s ended: %s", initiator,
			 tb[BOOTSAN_A_EVENT_DOWN_REASON] ?
			 down_reason(nla_get_u32(tb[BOOTSAN_A_EVENT_DOWN_REASON])) : "unknown");
		break;
	case BOOTSAN_CMD_LOGIN_FAILED_NTF:
		snprintf(b.what, sizeof(b.what), "iSCSI login of %.200s refused: %s", initiator,
			 tb[BOOTSAN_A_EVENT_LOGIN_FAILURE] ?
			 login_failure(nla_get_u32(tb[BOOTSAN_A_EVENT_LOGIN_FAILURE])) :
			 "unknown");
		break;
	default:
		return 0;
	}
	if (store_boot_queue(le->d->store, &b))
		log_warn("boot history of %s: iSCSI event not recorded", b.client);
	return 0;
}

/* A fresh handle subscribed to the events, or NULL (module not loaded). */
static struct bsnl *subscribe(void)
{
	struct bsnl *h;

	if (bsnl_open(&h))
		return NULL;
	if (bsnl_subscribe(h)) {
		bsnl_close(h);
		return NULL;
	}
	return h;
}

/* Is @h still on the loaded module's family (not one from before a reload)? */
static bool current(struct bsnl *h)
{
	struct bsnl *probe;
	bool same;

	if (bsnl_open(&probe))
		return false;
	same = bsnl_family_id(probe) == bsnl_family_id(h) &&
	       bsnl_events_group(probe) == bsnl_events_group(h);
	bsnl_close(probe);
	return same;
}

static void *listen_events(void *arg)
{
	struct login_events *le = arg;
	struct bsnl *h = NULL;
	unsigned int waits = 0;

	while (!stopping(le)) {
		int err;

		if (!h) {
			h = subscribe();
			if (!h) {
				usleep(EVENT_WAIT_MS * 1000);
				continue;
			}
		}
		err = bsnl_recv_event(h, EVENT_WAIT_MS, on_event, le);
		if (err == -ENOBUFS)
			log_warn("iSCSI events were lost: some logins are not in the boot history");
		else if (err && err != -ETIMEDOUT) {
			bsnl_close(h);
			h = NULL;
			continue;
		}
		if (++waits % REOPEN_CHECK_WAITS == 0 && !current(h)) {
			bsnl_close(h);
			h = NULL;
		}
	}
	bsnl_close(h);
	return NULL;
}

struct login_events *login_events_start(struct bsd *d)
{
	struct login_events *le = calloc(1, sizeof(*le));

	if (!le)
		return NULL;
	le->d = d;
	pthread_mutex_init(&le->lock, NULL);
	if (pthread_create(&le->thread, NULL, listen_events, le)) {
		pthread_mutex_destroy(&le->lock);
		free(le);
		return NULL;
	}
	return le;
}

void login_events_stop(struct login_events *le)
{
	if (!le)
		return;
	pthread_mutex_lock(&le->lock);
	le->stop = true;
	pthread_mutex_unlock(&le->lock);
	pthread_join(le->thread, NULL);
	pthread_mutex_destroy(&le->lock);
	free(le);
}
