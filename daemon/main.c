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

#include "api/api.h"
#include "boot/login_events.h"
#include "core.h"
#include "dhcp/dhcp_run.h"
#include "dhcp/ipxe_files.h"
#include "lib/bootsand.h"
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
		"Exit status: 0 after SIGTERM or SIGINT, 1 when it cannot start (state\n"
		"directory, database, listen address), 2 for a wrong command line.\n",
		HTTP_PER_ADDRESS_LIMIT, HTTP_REQUEST_DEADLINE);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "bootsand: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'bootsand --help'.\n");
	return EXIT_USAGE;
}

/* Tell systemd (Type=notify) we are ready, when it asked. */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@'))
		return;
	n = strlen(path);
	if (n >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, path, n);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0)
		log_debug("sd_notify: %s", strerror(errno));
	close(fd);
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
	static const struct option options[] = {
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
	const char *state_dir = DEFAULT_STATE_DIR, *token_file = NULL;
	const char *listen[HTTP_MAX_LISTEN];
	size_t nlisten = 0;
	char token_path[PATH_MAX], token[256], err[1024];
	enum log_level level = LOG_LVL_INFO;
	unsigned int per_address = HTTP_PER_ADDRESS_LIMIT, deadline = HTTP_REQUEST_DEADLINE;
	static struct bsd d;
	struct dhcp_run_opts dhcp_opts = { .dnsmasq = DNSMASQ_DEFAULT,
					   .ipxe_dir = IPXE_DIR_DEFAULT };
	sigset_t sigs;
	int opt, sig, rc = EXIT_FAILURE;

	opterr = 0; /* we print our own, clearer message */
	while ((opt = getopt_long(argc, argv, ":hVd:l:t:L:f", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("bootsand %s\n", BOOTSAN_VERSION);
			return EXIT_SUCCESS;
		case 'd':
			if (!optarg[0])
				return usage_error("--state-dir needs a directory, not '%s'", optarg);
			state_dir = optarg;
			break;
		case 'l': {
			struct sockaddr_storage ss;
			unsigned int len;

			if (http_parse_listen(optarg, &ss, &len))
				return usage_error("bad --listen '%s': want ADDR:PORT, "
						   "e.g. 0.0.0.0:8080 or [::]:8080", optarg);
			if (nlisten == HTTP_MAX_LISTEN)
				return usage_error("too many --listen (the last is '%s')", optarg);
			listen[nlisten++] = optarg;
			break;
		}
		case 't':
			if (!optarg[0])
				return usage_error("--api-token-file needs a file name%s", "");
			token_file = optarg;
			break;
		case 'L':
			if (log_parse_level(optarg, &level))
				return usage_error("bad --log-level '%s': want error, warn, "
						   "info or debug", optarg);
			break;
		case 'P':
		case 'D': {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || v > 1000000 ||
			    (opt == 'D' && v < 1))
				return usage_error(opt == 'D' ? "bad --request-deadline '%s': want "
						   "seconds, 1 or more" : "bad --per-address-connections "
						   "'%s': want a number, 0 for no limit", optarg);
			*(opt == 'D' ? &deadline : &per_address) = (unsigned int)v;
			break;
		}
		case 'M':
		case 'I':
		case 'T':
			if (optarg[0] != '/')
				return usage_error("--dnsmasq, --ipxe-dir and --tftp-dir want an "
						   "absolute path, not '%s'", optarg);
			*(opt == 'M' ? &dhcp_opts.dnsmasq : opt == 'I' ? &dhcp_opts.ipxe_dir :
			  &dhcp_opts.tftp_dir) = optarg;
			break;
		case 'f':
			break;
		case ':':
			fprintf(stderr, "bootsand: option '%s' needs a value\n",
				argv[optind - 1]);
			fprintf(stderr, "Try 'bootsand --help'.\n");
			return EXIT_USAGE;
		default:
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
	if (!nlisten)
		listen[nlisten++] = DEFAULT_LISTEN;
	log_set_level(level);
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
	log_info("bootsand %s starting, state in %s", BOOTSAN_VERSION, state_dir);
	if (bsd_open_state(&d, state_dir, err, sizeof(err))) {
		log_err("%s", err);
		goto out;
	}
	if (token_file) {
		snprintf(token_path, sizeof(token_path), "%s", token_file);
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
	http_set_limits(d.http, per_address, deadline);
	for (size_t i = 0; i < nlisten; i++) {
		if (http_listen(d.http, listen[i], err, sizeof(err))) {
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
	d.ipxe_dir = dhcp_opts.ipxe_dir;
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
	d.dhcp = dhcp_run_start(&d, &dhcp_opts);
	if (!d.dhcp)
		log_err("DHCP: cannot start its supervisor; no DHCP from this bootsand");
	notify_ready();
	log_info("ready");

	for (;;) {
		if (sigwait(&sigs, &sig))
			continue;
		if (sig == SIGHUP) {
			log_info("SIGHUP: nothing to reload (the database is the configuration)");
			continue;
		}
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
