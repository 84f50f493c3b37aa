// SPDX-License-Identifier: GPL-2.0
/* The DHCP settings: defaults, JSON in and out, checks; see dhcp_settings.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dhcp/dhcp_settings.h"

static const char *const mode_names[] = {
	[DHCP_MODE_OFF] = "off",
	[DHCP_MODE_FULL] = "full",
	[DHCP_MODE_PROXY] = "proxy",
};

static int fail(char *why, size_t why_size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, why_size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void dhcp_settings_default(struct dhcp_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->mode = DHCP_MODE_OFF;
	s->http_port = 8080;
	s->lease_seconds = 3600;
	s->tftp = true;
}

const char *dhcp_mode_name(enum dhcp_mode m)
{
	return (unsigned int)m < sizeof(mode_names) / sizeof(mode_names[0]) ?
	       mode_names[m] : "?";
}

/* The text fields, by JSON name. */
static const struct {
	const char *name;
	size_t offset, size;
} text_fields[] = {
#define TEXT(f) { #f, offsetof(struct dhcp_settings, f), sizeof(((struct dhcp_settings *)0)->f) }
	TEXT(interface), TEXT(server_address), TEXT(range_start), TEXT(range_end),
	TEXT(netmask), TEXT(router), TEXT(proxy_subnet),
#undef TEXT
};

int dhcp_settings_apply_json(struct dhcp_settings *s, const json_t *patch,
			     char *why, size_t why_size)
{
	struct dhcp_settings n = *s;
	const char *key;
	json_t *v;
	size_t i;

	if (!json_is_object(patch))
		return fail(why, why_size, "the DHCP settings are a JSON object");
	json_object_foreach((json_t *)patch, key, v) {
		for (i = 0; i < sizeof(text_fields) / sizeof(text_fields[0]); i++)
			if (!strcmp(key, text_fields[i].name))
				break;
		if (i < sizeof(text_fields) / sizeof(text_fields[0])) {
			const char *t = json_string_value(v);

			if (!t)
				return fail(why, why_size, "%s: want a string", key);
			if (strlen(t) >= text_fields[i].size)
				return fail(why, why_size, "%s: longer than %zu characters",
					    key, text_fields[i].size - 1);
			strcpy((char *)&n + text_fields[i].offset, t);
		} else if (!strcmp(key, "mode")) {
			const char *t = json_string_value(v);
			unsigned int m;

			for (m = 0; t && m < sizeof(mode_names) / sizeof(mode_names[0]); m++)
				if (!strcmp(t, mode_names[m]))
					break;
			if (!t || m == sizeof(mode_names) / sizeof(mode_names[0]))
				return fail(why, why_size, "mode: want off, full or proxy");
			n.mode = (enum dhcp_mode)m;
		} else if (!strcmp(key, "http_port")) {
			if (!json_is_integer(v) || json_integer_value(v) < 1 ||
			    json_integer_value(v) > 65535)
				return fail(why, why_size, "http_port: want 1 ... 65535");
			n.http_port = (uint16_t)json_integer_value(v);
		} else if (!strcmp(key, "lease_seconds")) {
			/* dnsmasq's floor is two minutes; a week is plenty for a lab. */
			if (!json_is_integer(v) || json_integer_value(v) < 120 ||
			    json_integer_value(v) > 7 * 86400)
				return fail(why, why_size, "lease_seconds: want 120 ... 604800");
			n.lease_seconds = (uint32_t)json_integer_value(v);
		} else if (!strcmp(key, "tftp")) {
			if (!json_is_boolean(v))
				return fail(why, why_size, "tftp: want true or false");
			n.tftp = json_is_true(v);
		} else {
			return fail(why, why_size, "unknown field '%s'", key);
		}
	}
	*s = n;
	return 0;
}

json_t *dhcp_settings_to_json(const struct dhcp_settings *s)
{
	json_t *o = json_object();
	size_t i;

	if (!o)
		return NULL;
	json_object_set_new(o, "mode", json_string(dhcp_mode_name(s->mode)));
	for (i = 0; i < sizeof(text_fields) / sizeof(text_fields[0]); i++)
		json_object_set_new(o, text_fields[i].name,
				    json_string((const char *)s + text_fields[i].offset));
	json_object_set_new(o, "http_port", json_integer(s->http_port));
	json_object_set_new(o, "lease_seconds", json_integer(s->lease_seconds));
	json_object_set_new(o, "tftp", json_boolean(s->tftp));
	return o;
}

/* @a is dotted IPv4 (inet_pton's strict form); its value into @out. */
static bool ipv4(const char *a, uint32_t *out)
{
	struct in_addr in;

	if (inet_pton(AF_INET, a, &in) != 1)
		return false;
	if (out)
		*out = ntohl(in.s_addr);
	return true;
}

/* A netmask: ones then zeros, at least /8, at most /30. */
static bool netmask_ok(uint32_t m)
{
	uint32_t inv = ~m;

	return (inv & (inv + 1)) == 0 && m >= 0xff000000u && m <= 0xfffffffcu;
}

static bool ifname_ok(const char *n)
{
	size_t i;

	if (!n[0])
		return false;
	for (i = 0; n[i]; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= 'A' && n[i] <= 'Z') ||
		      (n[i] >= '0' && n[i] <= '9') || n[i] == '.' || n[i] == '-' ||
		      n[i] == '_'))
			return false;
	return strcmp(n, ".") && strcmp(n, "..");
}

int dhcp_settings_check(const struct dhcp_settings *s, char *why, size_t why_size)
{
	uint32_t start, end, mask = 0, net;

	if (s->mode == DHCP_MODE_OFF)
		return 0;
	if (s->mode != DHCP_MODE_FULL && s->mode != DHCP_MODE_PROXY)
		return fail(why, why_size, "mode: want off, full or proxy");
	if (!ifname_ok(s->interface))
		return fail(why, why_size, "interface: want a network interface's name "
			    "(letters, digits, '.', '-', '_'), not '%s'", s->interface);
	if (!ipv4(s->server_address, NULL))
		return fail(why, why_size, "server_address: want the IPv4 address clients "
			    "reach bootsand at, not '%s'", s->server_address);
	if (s->http_port < 1)
		return fail(why, why_size, "http_port: want 1 ... 65535");
	if (s->netmask[0] && (!ipv4(s->netmask, &mask) || !netmask_ok(mask)))
		return fail(why, why_size, "netmask: want a netmask from 255.0.0.0 to "
			    "255.255.255.252, not '%s'", s->netmask);
	if (s->mode == DHCP_MODE_PROXY) {
		if (!ipv4(s->proxy_subnet, &net))
			return fail(why, why_size, "proxy_subnet: want the IPv4 network the "
				    "site's DHCP hands out, e.g. 192.168.1.0, not '%s'",
				    s->proxy_subnet);
		if (!mask)
			return fail(why, why_size, "netmask: proxy mode needs the site subnet's "
				    "netmask");
		if (net & ~mask)
			return fail(why, why_size, "proxy_subnet: %s has host bits set for "
				    "netmask %s", s->proxy_subnet, s->netmask);
		return 0;
	}
	if (!ipv4(s->range_start, &start) || !ipv4(s->range_end, &end))
		return fail(why, why_size, "range_start, range_end: full mode needs the "
			    "first and last IPv4 address to hand out");
	if (start > end)
		return fail(why, why_size, "range_start %s is after range_end %s",
			    s->range_start, s->range_end);
	if (mask && (start & mask) != (end & mask))
		return fail(why, why_size, "range_start and range_end are in different "
			    "subnets of netmask %s", s->netmask);
	if (s->router[0] && !ipv4(s->router, NULL))
		return fail(why, why_size, "router: want an IPv4 address or nothing, "
			    "not '%s'", s->router);
	return 0;
}
