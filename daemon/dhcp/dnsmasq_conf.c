// SPDX-License-Identifier: GPL-2.0
/* The dnsmasq configuration for the DHCP settings; see dnsmasq_conf.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "dhcp/dnsmasq_conf.h"

/* The iPXE binaries bootsand serves, by what the firmware can run. */
#define BIN_BIOS "undionly.kpxe"	/* arch 0: BIOS PXE, over TFTP */
#define BIN_EFI_PXE "snponly.efi"	/* arch 7, 9: UEFI PXE, over TFTP */
#define BIN_EFI_HTTP "ipxe.efi"		/* arch 16: UEFI HTTP Boot */

struct out {
	char *buf;
	size_t size, len;
	bool short_;
};

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->short_)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len)
		o->short_ = true;
	else
		o->len += (size_t)n;
}

/*
 * A path dnsmasq reads back as written: absolute, and only characters its
 * option parser gives no meaning to (no quotes, backslashes, commas, '#',
 * blanks or line ends).
 */
static bool path_ok(const char *p)
{
	size_t i;

	if (!p || p[0] != '/')
		return false;
	for (i = 0; p[i]; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || strchr("/._+-", p[i])))
			return false;
	return i < 4096;
}

static bool user_ok(const char *u)
{
	size_t i;

	if (!u || !u[0] || u[0] == '-')
		return false;
	for (i = 0; u[i]; i++)
		if (!((u[i] >= 'a' && u[i] <= 'z') || (u[i] >= '0' && u[i] <= '9') ||
		      u[i] == '_' || u[i] == '-'))
			return false;
	return i <= 32;
}

int dnsmasq_conf_render(const struct dhcp_settings *s, const struct dnsmasq_paths *p,
			char *out, size_t size, char *why, size_t why_size)
{
	struct out o = { .buf = out, .size = size };
	bool tftp = s->tftp;
	char base[64];

	if (size)
		out[0] = '\0';
	if (s->mode == DHCP_MODE_OFF) {
		snprintf(why, why_size, "DHCP is off: no dnsmasq to configure");
		return -EINVAL;
	}
	if (dhcp_settings_check(s, why, why_size))
		return -EINVAL;
	if (!path_ok(p->lease_file)) {
		snprintf(why, why_size, "lease file: want an absolute path of letters, "
			 "digits and /._+-");
		return -EINVAL;
	}
	if (tftp && !path_ok(p->tftp_root)) {
		snprintf(why, why_size, "TFTP root: want an absolute path of letters, "
			 "digits and /._+-");
		return -EINVAL;
	}
	if (!user_ok(p->user)) {
		snprintf(why, why_size, "user: want a plain user name");
		return -EINVAL;
	}
	snprintf(base, sizeof(base), "http://%s:%u", s->server_address, s->http_port);

	put(&o, "# Written by bootsand from its DHCP settings (GET /api/v1/dhcp);\n"
		"# edits here are overwritten.\n");
	/* DHCP only: no DNS, and on the one interface, even when others come and go. */
	put(&o, "port=0\n");
	put(&o, "interface=%s\n", s->interface);
	put(&o, "bind-dynamic\n");
	put(&o, "user=%s\n", p->user);
	put(&o, "dhcp-leasefile=%s\n", p->lease_file);
	put(&o, "log-dhcp\n");
	if (s->mode == DHCP_MODE_FULL) {
		put(&o, "dhcp-range=%s,%s,%s%s%u\n", s->range_start, s->range_end,
		    s->netmask, s->netmask[0] ? "," : "", s->lease_seconds);
		/* The link's only server: answer a client's old lease at once. */
		put(&o, "dhcp-authoritative\n");
		if (s->router[0])
			put(&o, "dhcp-option=option:router,%s\n", s->router);
	} else {
		put(&o, "dhcp-range=%s,proxy,%s\n", s->proxy_subnet, s->netmask);
	}

	/* Who asks: iPXE itself, UEFI HTTP Boot, or PXE firmware by arch (option 93). */
	put(&o, "dhcp-userclass=set:ipxe,iPXE\n");
	put(&o, "dhcp-vendorclass=set:http,HTTPClient\n");
	put(&o, "dhcp-match=set:bios,option:client-arch,0\n");
	put(&o, "dhcp-match=set:efi64,option:client-arch,7\n");
	put(&o, "dhcp-match=set:efi64,option:client-arch,9\n");
	put(&o, "dhcp-match=set:efi64http,option:client-arch,16\n");

	if (s->mode == DHCP_MODE_FULL) {
		/* The tag sets below are disjoint: their order does not matter. */
		put(&o, "dhcp-boot=tag:ipxe,%s/boot.ipxe\n", base);
		/* UEFI HTTP Boot takes the URL only with vendor class HTTPClient back. */
		put(&o, "dhcp-option-force=tag:!ipxe,tag:http,tag:efi64http,60,HTTPClient\n");
		put(&o, "dhcp-boot=tag:!ipxe,tag:http,tag:efi64http,%s/ipxe/%s\n", base,
		    BIN_EFI_HTTP);
		if (tftp) {
			put(&o, "dhcp-boot=tag:!ipxe,tag:bios,%s\n", BIN_BIOS);
			put(&o, "dhcp-boot=tag:!ipxe,tag:!http,tag:efi64,%s\n", BIN_EFI_PXE);
		}
	} else {
		/*
		 * ProxyDHCP answers PXE clients (vendor class PXEClient) with
		 * a boot menu of one item each: PXE firmware gets iPXE over
		 * TFTP, iPXE (also a PXEClient) its script. dnsmasq 2.90 does
		 * not answer HTTPClient as a proxy (doc/dhcp.md).
		 */
		put(&o, "pxe-prompt=\"bootsan\",0\n");
		put(&o, "pxe-service=tag:ipxe,x86PC,\"bootsan\",%s/boot.ipxe\n", base);
		put(&o, "pxe-service=tag:ipxe,x86-64_EFI,\"bootsan\",%s/boot.ipxe\n", base);
		put(&o, "pxe-service=tag:ipxe,BC_EFI,\"bootsan\",%s/boot.ipxe\n", base);
		if (tftp) {
			put(&o, "pxe-service=tag:!ipxe,x86PC,\"bootsan\",%s\n", BIN_BIOS);
			put(&o, "pxe-service=tag:!ipxe,x86-64_EFI,\"bootsan\",%s\n", BIN_EFI_PXE);
			put(&o, "pxe-service=tag:!ipxe,BC_EFI,\"bootsan\",%s\n", BIN_EFI_PXE);
		}
	}
	if (tftp) {
		/*
		 * dnsmasq's TFTP server only reads, and only below its root,
		 * which holds the iPXE binaries and nothing else (dhcp_run.c).
		 */
		put(&o, "enable-tftp=%s\n", s->interface);
		put(&o, "tftp-root=%s\n", p->tftp_root);
	}
	if (o.short_) {
		if (size)
			out[0] = '\0';
		snprintf(why, why_size, "the configuration is longer than %zu bytes", size);
		return -E2BIG;
	}
	return 0;
}
