// SPDX-License-Identifier: GPL-2.0
/*
 * bootsand: the bootsan daemon. It owns the configuration (SQLite, the
 * single source of truth), applies it to bootsan.ko over generic netlink
 * (kernel.h) and serves the REST API over HTTP.
 *
 * It never daemonizes itself: it runs in the foreground and logs to
 * stderr, and systemd (or whatever starts it) does the rest.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <systemd/sd-daemon.h>

#include "api/api.h"
#include "boot/login_events.h"
#include "core.h"
#include "dhcp/dhcp_run.h"
#include "dhcp/ipxe_files.h"
#include "lib/bootsand.h"
#include "lib/conf.h"
#include "lib/http.h"
#include "san/images.h"
#include "san/kernel.h"
#include "lib/log.h"
#include "store/store.h"
#include "lib/util.h"

#define EXIT_USAGE 2
#define DEFAULT_STATE_DIR "/var/lib/bootsand"
#define DEFAULT_LISTEN "0.0.0.0:8080"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: bootsand [OPTION]...\n"
		"Serve diskless network boot from this host: iSCSI targets in\n"
		"bootsan.ko, boot scripts and a REST API over HTTP.\n"
		"\n"
		"  -c, --config FILE          settings: one 'key = value' a line, the keys the\n"
		"                             long options below (default " CONF_DEFAULT_PATH ";\n"
		"                             a missing default file is fine); options given\n"
		"                             here override the file's\n"
		"  -d, --state-dir DIR        state: database, images, token (default "
		DEFAULT_STATE_DIR ")\n"
		"  -l, --listen ADDR:PORT     serve HTTP there; repeatable; IPv6 as [::]:8080\n"
		"                             (default " DEFAULT_LISTEN ")\n"
		"  -t, --api-token-file FILE  bearer token of the REST API (default\n"
		"                             STATE-DIR/api-token, created if missing)\n"
		"  -L, --log-level LEVEL      error, warn, info (default) or debug\n"
		"      --per-address-connections N\n"
		"                             connections one address may hold (default %d;\n"
		"                             0: no limit)\n"
		"      --request-deadline SECONDS\n"
		"                             a new connection's request head must arrive\n"
		"                             within this (default %d)\n"
		"      --dnsmasq PATH         the dnsmasq it runs for its DHCP settings\n"
		"                             (GET /api/v1/dhcp; default " DNSMASQ_DEFAULT ")\n"
		"      --ipxe-dir DIR         Debian's iPXE binaries, served at /ipxe/ and\n"
		"                             over TFTP (default " IPXE_DIR_DEFAULT ")\n"
		"      --tftp-dir DIR         the TFTP root for PXE firmware: bootsand fills\n"
		"                             with those binaries; it must hold nothing\n"
		"                             else (default /run/bootsand/tftp)\n"
		"  -f, --foreground           accepted for clarity: bootsand never daemonizes\n"
		"                             itself; it always runs in the foreground and\n"
		"                             logs to stderr (systemd runs it as a service)\n"
		"  -h, --help                 show this help and exit\n"
		"  -V, --version              show the version and exit\n"
		"\n"
		"SIGHUP re-reads the file's log-level; the other settings take effect\n"
		"at a restart.\n"
		"\n"
		"Exit status: 0 after SIGTERM or SIGINT, 1 when it cannot start (state\n"
		"directory, database, listen address), 2 for a wrong command line or\n"
		"configuration file.\n",
		HTTP_PER_ADDRESS_LIMIT, HTTP_REQUEST_DEADLINE);
}

/* Where an option came from, for its error: NULL (the command line) or FILE:LINE. */
static int usage_error(const char *where, const char *fmt, const char *arg)
{
	fprintf(stderr, "bootsand: ");
	if (where)
		fprintf(stderr, "%s: ", where);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, where ? "\n" : "\nTry 'bootsand --help'.\n");
	return EXIT_USAGE;
}

static const struct option options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, 'd' },
	{ "listen", required_argument, NULL, 'l' },
	{ "api-token-file", required_argument, NULL, 't' },
	{ "log-level", required_argument, NULL, 'L' },
	{ "per-address-connections", required_argument, NULL, 'P' },
	{ "request-deadline", required_argument, NULL, 'D' },
	{ "dnsmasq", required_argument, NULL, 'M' },
	{ "ipxe-dir", required_argument, NULL, 'I' },
	{ "tftp-dir", required_argument, NULL, 'T' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};
#define SHORT_OPTIONS ":hVc:d:l:t:L:f"

/* The keys of bootsand.conf: every option that sets something. */
static const struct conf_key conf_keys[] = {
	{ "state-dir", false },
	{ "listen", true },
	{ "api-token-file", false },
	{ "log-level", false },
	{ "per-address-connections", false },
	{ "request-deadline", false },
	{ "dnsmasq", false },
	{ "ipxe-dir", false },
	{ "tftp-dir", false },
	{ NULL, false },
};

struct settings {
	const char *state_dir, *token_file;
	const char *listen[HTTP_MAX_LISTEN];
	size_t nlisten;
	bool listen_from_file;	/* the command line's --listen replaces them */
	enum log_level level;
	unsigned int per_address, deadline;
	struct dhcp_run_opts dhcp;
};

/* Apply one setting, from the command line (@where NULL) or the file. */
static int apply_option(struct settings *o, int opt, const char *arg, const char *where)
{
	switch (opt) {
	case 'd':
		if (!arg[0])
			return usage_error(where, "--state-dir needs a directory, not '%s'", arg);
		o->state_dir = arg;
		return 0;
	case 'l': {
		struct sockaddr_storage ss;
		unsigned int len;

		if (http_parse_listen(arg, &ss, &len))
			return usage_error(where, "bad --listen '%s': want ADDR:PORT, "
					   "e.g. 0.0.0.0:8080 or [::]:8080", arg);
		if (!where && o->listen_from_file) {
			o->nlisten = 0;
			o->listen_from_file = false;
		}
		if (o->nlisten == HTTP_MAX_LISTEN)
			return usage_error(where, "too many --listen (the last is '%s')", arg);
		o->listen[o->nlisten++] = arg;
		if (where)
			o->listen_from_file = true;
		return 0;
	}
	case 't':
		if (!arg[0])
			return usage_error(where, "--api-token-file needs a file name%s", "");
		o->token_file = arg;
		return 0;
	case 'L':
		if (log_parse_level(arg, &o->level))
			return usage_error(where, "bad --log-level '%s': want error, warn, "
					   "info or debug", arg);
		return 0;
	case 'P':
	case 'D': {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || arg[0] == '-' || v > 1000000 ||
		    (opt == 'D' && v < 1))
			return usage_error(where, opt == 'D' ? "bad --request-deadline '%s': want "
					   "seconds, 1 or more" : "bad --per-address-connections "
					   "'%s': want a number, 0 for no limit", arg);
		*(opt == 'D' ? &o->deadline : &o->per_address) = (unsigned int)v;
		return 0;
	}
	case 'M':
	case 'I':
	case 'T':
		if (arg[0] != '/')
			return usage_error(where, "--dnsmasq, --ipxe-dir and --tftp-dir want an "
					   "absolute path, not '%s'", arg);
		*(opt == 'M' ? &o->dhcp.dnsmasq : opt == 'I' ? &o->dhcp.ipxe_dir :
		  &o->dhcp.tftp_dir) = arg;
		return 0;
	}
	return 0;
}

/*
 * The configuration file's settings, applied before the command line's
 * (which override them). The entries stay for the daemon's life: the
 * settings point into them.
 */
static struct conf_entry conf[CONF_MAX_ENTRIES];

static int apply_file(struct settings *o, const char *path, bool missing_ok)
{
	char err[1200], where[PATH_MAX + 16];
	size_t n;

	if (conf_read(path, missing_ok, conf_keys, conf, CONF_MAX_ENTRIES, &n, err,
		      sizeof(err))) {
		fprintf(stderr, "bootsand: %s\n", err);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		for (const struct option *op = options; op->name; op++) {
			if (strcmp(op->name, conf[i].key))
				continue;
			snprintf(where, sizeof(where), "%s:%u", path, conf[i].line);
			if (apply_option(o, op->val, conf[i].value, where))
				return EXIT_USAGE;
		}
	}
	return 0;
}

/*
 * SIGHUP: the log level is the one setting that changes without a restart
 * (the rest, addresses and paths, are taken at start). A --log-level on
 * the command line still wins; a broken file changes nothing.
 */
static void reload(const char *path, bool path_given, bool level_on_cmdline)
{
	static struct conf_entry fresh[CONF_MAX_ENTRIES];
	char err[1200];
	enum log_level level = LOG_LVL_INFO;
	size_t n;

	if (conf_read(path, !path_given, conf_keys, fresh, CONF_MAX_ENTRIES, &n, err,
		      sizeof(err))) {
		log_err("SIGHUP: %s; nothing changed", err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fresh[i].key, "log-level"))
			continue;
		if (log_parse_level(fresh[i].value, &level)) {
			log_err("SIGHUP: %s:%u: bad log-level '%s'; nothing changed", path,
				fresh[i].line, fresh[i].value);
			return;
		}
	}
	if (level_on_cmdline) {
		log_info("SIGHUP: the log level is set on the command line; other settings "
			 "of %s take effect at restart", path);
		return;
	}
	log_set_level(level);
	log_info("SIGHUP: %s re-read: log level %s; other settings take effect at restart",
		 path, level == LOG_LVL_ERROR ? "error" : level == LOG_LVL_WARN ? "warn" :
		 level == LOG_LVL_INFO ? "info" : "debug");
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < 65536) {
		rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	struct settings o = {
		.state_dir = DEFAULT_STATE_DIR, .level = LOG_LVL_INFO,
		.per_address = HTTP_PER_ADDRESS_LIMIT, .deadline = HTTP_REQUEST_DEADLINE,
		.dhcp = { .dnsmasq = DNSMASQ_DEFAULT, .ipxe_dir = IPXE_DIR_DEFAULT },
	};
	const char *config = CONF_DEFAULT_PATH;
	bool config_given = false, level_on_cmdline = false;
	char token_path[PATH_MAX], token[256], err[1024];
	static struct bsd d;
	sigset_t sigs;
	int opt, sig, rc = EXIT_FAILURE;

	/*
	 * Two passes: the first finds --config (and --help, --version, errors
	 * of form), the file is applied, then the second applies the command
	 * line over it.
	 */
	opterr = 0; /* we print our own, clearer message */
	while ((opt = getopt_long(argc, argv, SHORT_OPTIONS, options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("bootsand %s\n", BOOTSAN_VERSION);
			return EXIT_SUCCESS;
		case 'c':
			if (!optarg[0])
				return usage_error(NULL, "--config needs a file name%s", "");
			config = optarg;
			config_given = true;
			break;
		case ':':
			fprintf(stderr, "bootsand: option '%s' needs a value\n",
				argv[optind - 1]);
			fprintf(stderr, "Try 'bootsand --help'.\n");
			return EXIT_USAGE;
		case '?':
			if (optopt)
				fprintf(stderr, "bootsand: unknown option '-%c'\n", optopt);
			else
				fprintf(stderr, "bootsand: unknown option '%s'\n",
					argv[optind - 1]);
			fprintf(stderr, "Try 'bootsand --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "bootsand: unexpected argument '%s'\n", argv[optind]);
		fprintf(stderr, "Try 'bootsand --help'.\n");
		return EXIT_USAGE;
	}
	if (apply_file(&o, config, !config_given))
		return EXIT_USAGE;
	optind = 0; /* glibc: start the scan again */
	while ((opt = getopt_long(argc, argv, SHORT_OPTIONS, options, NULL)) != -1) {
		if (opt == 'L')
			level_on_cmdline = true;
		if (apply_option(&o, opt, optarg, NULL))
			return EXIT_USAGE;
	}
	if (!o.nlisten)
		o.listen[o.nlisten++] = DEFAULT_LISTEN;
	log_set_level(o.level);
	/* The database holds CHAP secrets, the images client disks. */
	umask(077);

	/* Signals are taken by sigwait() below; every thread inherits the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit();

	bsd_init(&d);
	log_info("bootsand %s starting, state in %s", BOOTSAN_VERSION, o.state_dir);
	if (bsd_open_state(&d, o.state_dir, err, sizeof(err))) {
		log_err("%s", err);
		goto out;
	}
	if (o.token_file) {
		snprintf(token_path, sizeof(token_path), "%s", o.token_file);
	} else if ((size_t)snprintf(token_path, sizeof(token_path), "%s/api-token",
				    d.state_dir) >= sizeof(token_path)) {
		log_err("state directory path too long");
		goto out;
	}
	if (bsd_load_token(token_path, token, sizeof(token), err, sizeof(err))) {
		log_err("%s", err);
		goto out;
	}
	d.http = http_new(&d);
	if (!d.http || http_set_token(d.http, token)) {
		log_err("out of memory");
		goto out;
	}
	memset(token, 0, sizeof(token));
	http_set_limits(d.http, o.per_address, o.deadline);
	for (size_t i = 0; i < o.nlisten; i++) {
		if (http_listen(d.http, o.listen[i], err, sizeof(err))) {
			log_err("%s", err);
			goto out;
		}
	}
	if (kernel_start(&d)) {
		log_err("the kernel side failed to start");
		goto out;
	}
	d.logins = login_events_start(&d);
	if (!d.logins)
		log_warn("iSCSI logins will not be in the clients' boot history");
	d.ipxe_dir = o.dhcp.ipxe_dir;
	rc = api_add_routes(&d, d.http);
	if (rc) {
		log_err("adding the API routes: %s", strerror(-rc));
		rc = EXIT_FAILURE;
		goto out_kernel;
	}
	if (http_start(d.http, err, sizeof(err))) {
		log_err("%s", err);
		rc = EXIT_FAILURE;
		goto out_kernel;
	}
	d.dhcp = dhcp_run_start(&d, &o.dhcp);
	if (!d.dhcp)
		log_err("DHCP: cannot start its supervisor; no DHCP from this bootsand");
	sd_notify(0, "READY=1\nSTATUS=serving");
	log_info("ready");

	for (;;) {
		if (sigwait(&sigs, &sig))
			continue;
		if (sig == SIGHUP) {
			sd_notify(0, "RELOADING=1");
			reload(config, config_given, level_on_cmdline);
			sd_notify(0, "READY=1");
			continue;
		}
		sd_notify(0, "STOPPING=1");
		log_info("%s: stopping", strsignal(sig));
		break;
	}
	rc = EXIT_SUCCESS;
	http_stop(d.http);
	dhcp_run_stop(d.dhcp);
	d.dhcp = NULL;
	images_stop_jobs(&d);
out_kernel:
	login_events_stop(d.logins);
	kernel_stop(&d);
out:
	images_stop_jobs(&d);
	http_free(d.http);
	bsd_fini(&d);
	if (rc == EXIT_SUCCESS)
		log_info("stopped");
	return rc;
}
