// SPDX-License-Identifier: GPL-2.0
/* The DHCP settings and status over REST; see dhcp.h. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "api/dhcp.h"
#include "dhcp/dhcp_run.h"
#include "dhcp/dhcp_store.h"
#include "dhcp/ipxe_files.h"
#include "lib/bootsand.h"
#include "lib/http.h"
#include "lib/log.h"

/* One change at a time: a PATCH reads, changes and writes the one row. */
static pthread_mutex_t change_lock = PTHREAD_MUTEX_INITIALIZER;

static void get_dhcp(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	struct dhcp_settings s;
	char why[512];
	int err = dhcp_store_get(d->store, &s, why, sizeof(why));

	if (err) {
		http_reply_error(r, 500, NULL, "%s", why);
		return;
	}
	http_reply_json(r, 200, dhcp_settings_to_json(&s));
}

/* PUT: the body is the whole setting (what it leaves out: the defaults); PATCH: changes. */
static void change_dhcp(struct http_req *r, bool whole)
{
	struct bsd *d = http_ctx(r);
	struct dhcp_settings s;
	char why[512];
	int err = 0;

	pthread_mutex_lock(&change_lock);
	if (whole)
		dhcp_settings_default(&s);
	else
		err = dhcp_store_get(d->store, &s, why, sizeof(why));
	if (err) {
		http_reply_error(r, 500, NULL, "%s", why);
		goto out;
	}
	if (dhcp_settings_apply_json(&s, http_json(r), why, sizeof(why)) ||
	    dhcp_settings_check(&s, why, sizeof(why))) {
		http_reply_error(r, 400, NULL, "%s", why);
		goto out;
	}
	err = dhcp_store_put(d->store, &s);
	if (err) {
		http_reply_errno(r, -err, NULL, "storing the DHCP settings");
		goto out;
	}
	log_info("DHCP settings changed: mode %s", dhcp_mode_name(s.mode));
	dhcp_run_apply(d->dhcp, &s);
	http_reply_json(r, 200, dhcp_settings_to_json(&s));
out:
	pthread_mutex_unlock(&change_lock);
}

static void put_dhcp(struct http_req *r)
{
	change_dhcp(r, true);
}

static void patch_dhcp(struct http_req *r)
{
	change_dhcp(r, false);
}

static void get_dhcp_status(struct http_req *r)
{
	struct bsd *d = http_ctx(r);
	json_t *o;

	if (!d->dhcp) {
		o = json_object();
		json_object_set_new(o, "running", json_false());
		json_object_set_new(o, "error", json_string("this bootsand runs no DHCP "
							     "supervisor"));
	} else {
		o = dhcp_run_status(d->dhcp);
	}
	http_reply_json(r, 200, o);
}

int dhcp_add_routes(struct bsd *d, struct http *h)
{
	static const struct http_route routes[] = {
		{ "GET", "/api/v1/dhcp", get_dhcp, 0 },
		{ "PUT", "/api/v1/dhcp", put_dhcp, HTTP_ROUTE_JSON },
		{ "PATCH", "/api/v1/dhcp", patch_dhcp, HTTP_ROUTE_JSON },
		{ "GET", "/api/v1/dhcp/status", get_dhcp_status, 0 },
	};

	return http_add_routes(h, routes, sizeof(routes) / sizeof(routes[0])) ?:
	       ipxe_files_add_routes(d, h, d->ipxe_dir);
}
