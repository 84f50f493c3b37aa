/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's shared state, handed to every module and HTTP handler (core.h sets it up). */
#ifndef BOOTSAND_H
#define BOOTSAND_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#ifndef BOOTSAN_VERSION
#define BOOTSAN_VERSION "unknown"
#endif

struct store;
struct http;
struct login_events;
struct dhcp_run;

struct bsd {
	char state_dir[PATH_MAX];
	char images_dir[PATH_MAX];	/* <state_dir>/images */
	struct store *store;
	struct http *http;
	double started_mono;		/* now_mono() at start */
	int64_t started_wall;

	/* Worker threads of jobs (image clones). */
	pthread_mutex_t jobs_lock;
	pthread_cond_t jobs_cond;
	int jobs_running;		/* started, queued or copying */
	int clones_copying;		/* at most clones_max copy at once */
	int clones_max;
	uint64_t clones_next_ticket;	/* queue order: the next clone's ticket */
	uint64_t clones_serving;	/* the ticket that may copy next */
	bool stopping;			/* set at shutdown: jobs stop early */

	void *kernel;			/* the kernel side's own state */
	struct login_events *logins;	/* iSCSI session events into boot history */
	struct dhcp_run *dhcp;		/* the dnsmasq bootsand runs; NULL: none */
	const char *ipxe_dir;		/* Debian's iPXE binaries, served at /ipxe/ */

	/*
	 * Set at start to the boot service's enroll_forget_client(): removes a
	 * client with the target enrollment made for it. Disk images call it
	 * for a client provisioned onto an image that will never be; the
	 * layer below knows no enrollment. NULL: no one to forget.
	 */
	int (*forget_client)(struct bsd *d, const char *name);
};

#endif /* BOOTSAND_H */
