// SPDX-License-Identifier: GPL-2.0
/* The REST API of the iSCSI portals; see portals.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/bootsan.h>

#include "portals.h"
#include "lib/bootsand.h"
#include "lib/http.h"
#include "lib/http_json.h"
#include "lib/log.h"
#include "lib/util.h"
#include "san/kernel.h"
#include "store/store.h"

static void portal_key(const struct store_portal *p, char *buf, size_t size)
{
	if (strchr(p->address, ':'))
		snprintf(buf, size, "[%s]:%u", p->address, p->port);
	else
		snprintf(buf, size, "%s:%u", p->address, p->port);
}

static json_t *portal_json(const struct store_portal *p)
{
	return json_pack("{s:s, s:i, s:i, s:I, s:I}", "address", p->address, "port", p->port,
			 "tpgt", p->tpgt, "max_connections", (json_int_t)p->max_connections,
			 "login_timeout_s", (json_int_t)p->login_timeout);
}

/* Normalise an IPv4 or IPv6 literal: 0, or -1 when it is neither. */
static int addr_normalise(const char *in, char *out, size_t size)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, in, a) == 1)
		return inet_ntop(AF_INET, a, out, (socklen_t)size) ? 0 : -1;
	if (inet_pton(AF_INET6, in, a) == 1)
		return inet_ntop(AF_INET6, a, out, (socklen_t)size) ? 0 : -1;
	return -1;
}

static void get_portals(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_portal *v;
	size_t n;
	json_t *a;
	int err = store_portal_list(d->store, &v, &n);

	if (err) {
		http_reply_errno(r, err, NULL, "portals");
		return;
	}
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, portal_json(&v[i]));
	free(v);
	http_reply_list(r, "portals", a);
}

static void post_portals(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct store_portal p = { 0 };
	const char *addr;
	json_int_t port = 3260, tpgt = 1, max_connections = 0, login_timeout = 0;
	char key[80];
	int err;

	if (http_unpack(r, http_json(r), "{s:s, s?I, s?I, s?I, s?I !}", "address", &addr,
			"port", &port, "tpgt", &tpgt, "max_connections", &max_connections,
			"login_timeout_s", &login_timeout))
		return;
	if (addr_normalise(addr, p.address, sizeof(p.address))) {
		http_reply_error(r, 400, "address", "not an IPv4 or IPv6 address: '%s'", addr);
		return;
	}
	if (port < 1 || port > 65535) {
		http_reply_error(r, 400, "port", "port must be 1 to 65535");
		return;
	}
	if (tpgt < 1 || tpgt > 65535) {
		http_reply_error(r, 400, "tpgt", "tpgt must be 1 to 65535");
		return;
	}
	if (max_connections < 0 || max_connections > UINT32_MAX) {
		http_reply_error(r, 400, "max_connections",
				 "max_connections must be 0 (the module's default) to 4294967295");
		return;
	}
	p.port = (uint16_t)port;
	p.tpgt = (uint16_t)tpgt;
	/* bootsan.yaml's check on the portal's login-timeout. */
	if (login_timeout < 0 || login_timeout > BOOTSAN_LOGIN_TIMEOUT_MAX) {
		http_reply_error(r, 400, "login_timeout_s",
				 "login_timeout_s must be 0 (the module's default, 15 s) to %d",
				 BOOTSAN_LOGIN_TIMEOUT_MAX);
		return;
	}
	p.max_connections = (uint32_t)max_connections;
	p.login_timeout = (uint32_t)login_timeout;
	portal_key(&p, key, sizeof(key));
	err = store_portal_create(d->store, &p);
	if (err == -EEXIST) {
		http_reply_error(r, 409, "address", "portal %s exists already", key);
		return;
	}
	if (err) {
		http_reply_errno(r, err, NULL, "portal");
		return;
	}
	err = kernel_sync(d);
	if (err)
		log_warn("portal %s: not yet in the kernel: %s", key, strerror(-err));
	http_reply_created(r, 201, portal_json(&p), "/api/v1/portals/%s", key);
}

/* "1.2.3.4:3260" or "[::1]:3260" from the path into @p; -1 if malformed. */
static int parse_portal_key(const char *s, struct store_portal *p)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	size_t hl;
	unsigned long port;

	if (!colon)
		return -1;
	hl = (size_t)(colon - s);
	if (s[0] == '[') {
		if (hl < 2 || s[hl - 1] != ']')
			return -1;
		s++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || !colon[1] || colon[1] == '-' || colon[1] == '+' ||
	    port < 1 || port > 65535)
		return -1;
	if (addr_normalise(host, p->address, sizeof(p->address)))
		return -1;
	p->port = (uint16_t)port;
	return 0;
}

static void delete_portal(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	const char *key = http_param(r, "portal");
	struct store_portal p = { 0 };
	int err;

	if (parse_portal_key(key, &p)) {
		http_reply_error(r, 404, NULL, "no portal '%s' (want ADDRESS:PORT or [ADDRESS]:PORT)",
				 key);
		return;
	}
	err = store_portal_get(d->store, p.address, p.port, &p);
	if (!err)
		err = store_portal_delete(d->store, p.address, p.port);
	if (err == -ENOENT) {
		http_reply_error(r, 404, NULL, "no portal %s", key);
		return;
	}
	if (err) {
		http_reply_errno(r, err, NULL, "portal");
		return;
	}
	err = kernel_sync(d);
	if (err)
		log_warn("portal %s: still in the kernel: %s", key, strerror(-err));
	http_reply_json(r, 204, NULL);
}

int portals_add_routes(struct http *h)
{
	static const struct http_route routes[] = {
		{ "GET", "/api/v1/portals", get_portals, 0 },
		{ "POST", "/api/v1/portals", post_portals, HTTP_ROUTE_JSON },
		{ "DELETE", "/api/v1/portals/{portal}", delete_portal, 0 },
	};

	return http_add_routes(h, routes, ARRAY_SIZE(routes));
}
