/* SPDX-License-Identifier: GPL-2.0 */
/* Start-up and shutdown of the daemon's shared state (lib/bootsand.h). */
#ifndef BOOTSAND_CORE_H
#define BOOTSAND_CORE_H

#include <stddef.h>

struct bsd;

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

#endif /* BOOTSAND_CORE_H */
