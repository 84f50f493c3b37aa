// SPDX-License-Identifier: GPL-2.0
/*
 * bootsand: the bootsan daemon. It will own the configuration (SQLite),
 * apply it to bootsan.ko over generic netlink and serve boot scripts and
 * the REST API over HTTP. For now it only identifies itself.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#define EXIT_USAGE 2

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: bootsand [OPTION]...\n"
		"Serve diskless network boot from this host: iSCSI targets in\n"
		"bootsan.ko, boot scripts and a REST API over HTTP.\n"
		"\n"
		"  -h, --help     show this help and exit\n"
		"  -V, --version  show the version and exit\n");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	opterr = 0; /* we print our own, clearer message */
	while ((opt = getopt_long(argc, argv, ":hV", options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("bootsand %s\n", BOOTSAN_VERSION);
			return EXIT_SUCCESS;
		case ':':
			fprintf(stderr, "bootsand: option '%s' needs a value\n",
				argv[optind - 1]);
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
	fprintf(stderr, "bootsand: the service itself is not built yet; only --help and --version work\n");
	return EXIT_FAILURE;
}
