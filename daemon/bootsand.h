/* SPDX-License-Identifier: GPL-2.0 */
/* The daemon's shared state, handed to every module and HTTP handler. */
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
};

/* Set up / tear down the fields above that are not the store or HTTP. */
void bsd_init(struct bsd *d);
void bsd_fini(struct bsd *d);	/* closes the store too */

/*
 * Make @state_dir usable (created 0700 if missing, with images/), open and
 * migrate the store, create the defaults of a first start (the portal
 * 0.0.0.0:3260) and clean up after an earlier run's unfinished jobs.
 * 0, or -1 with a message in @err.
 */
int bsd_open_state(struct bsd *d, const char *state_dir, char *err, size_t errlen);

/*
 * The API token from @path into @token (hex, at most @size - 1 chars).
 * A missing file is created with 32 random bytes as hex, mode 0600.
 * 0, or -1 with a message in @err.
 */
int bsd_load_token(const char *path, char *token, size_t size, char *err, size_t errlen);

#endif /* BOOTSAND_H */
