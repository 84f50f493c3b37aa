// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of dnsmasq_conf.c and dhcp_settings.c: the configuration for
 * each mode, and every bad input refused with a reason. When dnsmasq is
 * installed, it checks each rendered configuration too (dnsmasq --test).
 * TAP.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dhcp/dnsmasq_conf.h"
#include "tap.h"

#define DNSMASQ "/usr/sbin/dnsmasq"

static char conf[8192], why[256];

static const struct dnsmasq_paths paths = {
	.lease_file = "/var/lib/bootsand/dnsmasq.leases",
	.tftp_root = "/var/lib/bootsand/tftp",
	.user = "nobody",
};

static void full(struct dhcp_settings *s)
{
	dhcp_settings_default(s);
	s->mode = DHCP_MODE_FULL;
	strcpy(s->interface, "eth0");
	strcpy(s->server_address, "198.18.0.1");
	strcpy(s->range_start, "198.18.0.100");
	strcpy(s->range_end, "198.18.0.200");
	strcpy(s->netmask, "255.255.255.0");
}

static void proxy(struct dhcp_settings *s)
{
	dhcp_settings_default(s);
	s->mode = DHCP_MODE_PROXY;
	strcpy(s->interface, "eth0");
	strcpy(s->server_address, "192.168.1.5");
	strcpy(s->proxy_subnet, "192.168.1.0");
	strcpy(s->netmask, "255.255.255.0");
}

static bool has(const char *line)
{
	char l[512];

	snprintf(l, sizeof(l), "\n%s\n", line);
	return strstr(conf, l) != NULL;
}

/* dnsmasq's own parser accepts the rendered text (when it is installed). */
static void dnsmasq_accepts(const char *what)
{
	char path[] = "/tmp/dnsmasq_conf_test.XXXXXX", cmd[256];
	FILE *f;
	int fd, rc;

	if (access(DNSMASQ, X_OK)) {
		ok(1, "%s: # SKIP no " DNSMASQ, what);
		return;
	}
	fd = mkstemp(path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		ok(0, "%s: temporary file", what);
		return;
	}
	fputs(conf, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), DNSMASQ " --test --conf-file=%s >/dev/null 2>&1", path);
	rc = system(cmd);
	ok(rc == 0, "%s: dnsmasq --test accepts it", what);
	unlink(path);
}

static int render(const struct dhcp_settings *s)
{
	why[0] = '\0';
	return dnsmasq_conf_render(s, &paths, conf, sizeof(conf), why, sizeof(why));
}

/* @s is refused, and the reason names @word. */
static void refused(const struct dhcp_settings *s, const char *word, const char *what)
{
	int rc = render(s);

	ok(rc == -EINVAL && strstr(why, word) && !conf[0], "refused: %s (%s)", what, why);
}

static void test_full(void)
{
	struct dhcp_settings s;

	full(&s);
	is_int(render(&s), 0, "full: renders");
	ok(has("port=0") && has("interface=eth0") && has("bind-dynamic") &&
	   has("user=nobody") && has("dhcp-leasefile=/var/lib/bootsand/dnsmasq.leases"),
	   "full: DHCP only, on its interface, as its user, its lease file");
	ok(has("dhcp-range=198.18.0.100,198.18.0.200,255.255.255.0,3600"),
	   "full: the pool with netmask and lease time");
	ok(has("dhcp-authoritative") && !strstr(conf, "option:router"),
	   "full: authoritative, no router when none is set");
	ok(has("dhcp-userclass=set:ipxe,iPXE") && has("dhcp-vendorclass=set:http,HTTPClient"),
	   "full: iPXE by user class, HTTP Boot by vendor class");
	ok(has("dhcp-match=set:bios,option:client-arch,0") &&
	   has("dhcp-match=set:efi64,option:client-arch,7") &&
	   has("dhcp-match=set:efi64,option:client-arch,9") &&
	   has("dhcp-match=set:efi64http,option:client-arch,16"),
	   "full: option 93 arch 0, 7, 9, 16");
	ok(has("dhcp-boot=tag:ipxe,http://198.18.0.1:8080/boot.ipxe"),
	   "full: iPXE gets the boot script");
	ok(has("dhcp-boot=tag:!ipxe,tag:http,tag:efi64http,http://198.18.0.1:8080/ipxe/ipxe.efi") &&
	   has("dhcp-option-force=tag:!ipxe,tag:http,tag:efi64http,60,HTTPClient"),
	   "full: UEFI HTTP Boot gets ipxe.efi's URL and vendor class HTTPClient");
	ok(has("dhcp-boot=tag:!ipxe,tag:bios,undionly.kpxe") &&
	   has("dhcp-boot=tag:!ipxe,tag:!http,tag:efi64,snponly.efi"),
	   "full: PXE firmware gets iPXE by TFTP");
	ok(has("enable-tftp=eth0") && has("tftp-root=/var/lib/bootsand/tftp"),
	   "full: TFTP on the interface, from the binaries' folder");
	ok(!strstr(conf, "proxy") && !strstr(conf, "pxe-service"), "full: no proxy lines");
	dnsmasq_accepts("full");

	strcpy(s.router, "198.18.0.254");
	s.netmask[0] = '\0';
	s.http_port = 80;
	s.lease_seconds = 600;
	s.tftp = false;
	is_int(render(&s), 0, "full, no TFTP: renders");
	ok(has("dhcp-option=option:router,198.18.0.254"), "full: the router");
	ok(has("dhcp-range=198.18.0.100,198.18.0.200,600"), "full: no netmask: the interface's");
	ok(has("dhcp-boot=tag:ipxe,http://198.18.0.1:80/boot.ipxe"), "full: the HTTP port");
	ok(!strstr(conf, "tftp") && !strstr(conf, "undionly") && !strstr(conf, "snponly"),
	   "full, no TFTP: no TFTP and no PXE binaries");
	ok(has("dhcp-boot=tag:!ipxe,tag:http,tag:efi64http,http://198.18.0.1:80/ipxe/ipxe.efi"),
	   "full, no TFTP: UEFI HTTP Boot still served");
	dnsmasq_accepts("full, no TFTP");
}

static void test_proxy(void)
{
	struct dhcp_settings s;

	proxy(&s);
	is_int(render(&s), 0, "proxy: renders");
	ok(has("dhcp-range=192.168.1.0,proxy,255.255.255.0"), "proxy: the site's subnet");
	ok(!strstr(conf, "dhcp-authoritative") && !strstr(conf, "dhcp-boot="),
	   "proxy: not authoritative, no dhcp-boot");
	ok(has("pxe-service=tag:ipxe,x86PC,\"bootsan\",http://192.168.1.5:8080/boot.ipxe") &&
	   has("pxe-service=tag:ipxe,x86-64_EFI,\"bootsan\",http://192.168.1.5:8080/boot.ipxe"),
	   "proxy: iPXE gets the boot script");
	ok(has("pxe-service=tag:!ipxe,x86PC,\"bootsan\",undionly.kpxe") &&
	   has("pxe-service=tag:!ipxe,x86-64_EFI,\"bootsan\",snponly.efi"),
	   "proxy: PXE firmware gets iPXE over TFTP");
	dnsmasq_accepts("proxy");
}

static void test_refused(void)
{
	struct dhcp_settings s;
	struct dnsmasq_paths p = paths;

	full(&s);
	s.mode = DHCP_MODE_OFF;
	refused(&s, "off", "mode off");
	full(&s);
	strcpy(s.interface, "eth0\nport=53");
	refused(&s, "interface", "a line end in the interface");
	full(&s);
	s.interface[0] = '\0';
	refused(&s, "interface", "no interface");
	full(&s);
	strcpy(s.server_address, "san.lab");
	refused(&s, "server_address", "a name as server address");
	full(&s);
	strcpy(s.range_start, "198.18.0.300");
	refused(&s, "range_start", "a bad range start");
	full(&s);
	s.range_end[0] = '\0';
	refused(&s, "range_end", "no range end");
	full(&s);
	strcpy(s.range_start, "198.18.0.201");
	refused(&s, "after", "a range backwards");
	full(&s);
	strcpy(s.range_end, "198.18.1.5");
	refused(&s, "different subnets", "a range across subnets");
	full(&s);
	strcpy(s.netmask, "255.0.255.0");
	refused(&s, "netmask", "a netmask with holes");
	full(&s);
	strcpy(s.router, "gw");
	refused(&s, "router", "a bad router");
	proxy(&s);
	s.proxy_subnet[0] = '\0';
	refused(&s, "proxy_subnet", "proxy without the subnet");
	proxy(&s);
	strcpy(s.proxy_subnet, "192.168.1.7");
	refused(&s, "host bits", "proxy subnet with host bits");
	proxy(&s);
	s.netmask[0] = '\0';
	refused(&s, "netmask", "proxy without netmask");

	full(&s);
	p.lease_file = "leases";
	ok(dnsmasq_conf_render(&s, &p, conf, sizeof(conf), why, sizeof(why)) == -EINVAL &&
	   strstr(why, "lease file"), "refused: a relative lease file");
	p = paths;
	p.tftp_root = "/srv/tftp,x";
	ok(dnsmasq_conf_render(&s, &p, conf, sizeof(conf), why, sizeof(why)) == -EINVAL &&
	   strstr(why, "TFTP root"), "refused: a comma in the TFTP root");
	s.tftp = false;
	is_int(dnsmasq_conf_render(&s, &p, conf, sizeof(conf), why, sizeof(why)), 0,
	       "no TFTP: the TFTP root is not used");
	p = paths;
	p.user = "root\nport=53";
	ok(dnsmasq_conf_render(&s, &p, conf, sizeof(conf), why, sizeof(why)) == -EINVAL &&
	   strstr(why, "user"), "refused: a line end in the user");
	p = paths;
	ok(dnsmasq_conf_render(&s, &p, conf, 100, why, sizeof(why)) == -E2BIG && !conf[0],
	   "a short buffer: -E2BIG and nothing half-written");
}

static void test_json(void)
{
	struct dhcp_settings s, t;
	json_t *j, *patch;

	dhcp_settings_default(&s);
	patch = json_loads("{\"mode\": \"full\", \"interface\": \"br0\", \"server_address\":"
			   " \"10.0.0.1\", \"range_start\": \"10.0.0.10\", \"range_end\":"
			   " \"10.0.0.20\", \"http_port\": 80, \"tftp\": false,"
			   " \"lease_seconds\": 7200}", 0, NULL);
	is_int(dhcp_settings_apply_json(&s, patch, why, sizeof(why)), 0, "json: a whole setting");
	json_decref(patch);
	ok(s.mode == DHCP_MODE_FULL && !strcmp(s.interface, "br0") && s.http_port == 80 &&
	   !s.tftp && s.lease_seconds == 7200, "json: the fields taken");
	is_int(dhcp_settings_check(&s, why, sizeof(why)), 0, "json: the result checks");
	j = dhcp_settings_to_json(&s);
	dhcp_settings_default(&t);
	is_int(dhcp_settings_apply_json(&t, j, why, sizeof(why)), 0, "json: round trip applies");
	json_decref(j);
	ok(!memcmp(&s, &t, sizeof(s)), "json: round trip is the same");

#define BAD(text, word) do {						\
	patch = json_loads(text, 0, NULL);				\
	t = s;								\
	ok(dhcp_settings_apply_json(&t, patch, why, sizeof(why)) == -EINVAL && \
	   strstr(why, word) && !memcmp(&s, &t, sizeof(s)),		\
	   "json refused: %s (%s)", text, why);				\
	json_decref(patch);						\
} while (0)
	BAD("{\"mode\": \"relay\"}", "mode");
	BAD("{\"mode\": 1}", "mode");
	BAD("{\"interface\": 5}", "interface");
	BAD("{\"interface\": \"a-very-long-interface-name\"}", "longer");
	BAD("{\"http_port\": 0}", "http_port");
	BAD("{\"http_port\": 65536}", "http_port");
	BAD("{\"lease_seconds\": 60}", "lease_seconds");
	BAD("{\"tftp\": \"yes\"}", "tftp");
	BAD("{\"range\": \"x\"}", "unknown field 'range'");
	BAD("{\"mode\": \"proxy\", \"bogus\": 1}", "bogus");
	BAD("[]", "object");
#undef BAD
}

int main(void)
{
	tap_start();
	test_full();
	test_proxy();
	test_refused();
	test_json();
	return tap_end();
}
