/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dnsmasq bootsand runs for its DHCP settings (doc/dhcp.md): one
 * supervisor thread writes the configuration (dnsmasq_conf.h) to
 * <state-dir>/dnsmasq.conf, fills the TFTP root with the iPXE binaries,
 * starts dnsmasq in the foreground as bootsand's child, and starts it again
 * when it exits, after 1, 2, 4 ... at most 30 seconds. New settings stop
 * the running one and start it with them; mode off stops it.
 */
#ifndef BOOTSAND_DHCP_RUN_H
#define BOOTSAND_DHCP_RUN_H

#include <jansson.h>

#include "dhcp/dhcp_settings.h"

#define DNSMASQ_DEFAULT "/usr/sbin/dnsmasq"

struct bsd;

struct dhcp_run_opts {
	const char *dnsmasq;	/* the program */
	const char *ipxe_dir;	/* Debian's iPXE binaries */
	const char *tftp_dir;	/* NULL: /run/bootsand/tftp */
};

struct dhcp_run;

/* Start the supervisor with the stored settings; NULL when out of memory. */
struct dhcp_run *dhcp_run_start(struct bsd *d, const struct dhcp_run_opts *o);
/* Run dnsmasq for @s from now on (mode off: none). */
void dhcp_run_apply(struct dhcp_run *r, const struct dhcp_settings *s);
/* {"mode", "running", "pid", "starts", "last_exit", "error"}; new reference. */
json_t *dhcp_run_status(struct dhcp_run *r);
/* Stop dnsmasq and the thread; NULL is fine. */
void dhcp_run_stop(struct dhcp_run *r);

#endif /* BOOTSAND_DHCP_RUN_H */
