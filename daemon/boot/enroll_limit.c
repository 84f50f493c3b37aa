// SPDX-License-Identifier: GPL-2.0
/* Enrollment rate limits; see enroll_limit.h. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "enroll_limit.h"

struct bucket {
	char addr[48];		/* "" when free */
	double tokens, last;
	unsigned int rate;	/* the one it was filled for */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct bucket all;
static struct bucket by_addr[ENROLL_LIMIT_ADDRESSES];

/*
 * Refill @b for @rate a minute up to @rate. A bucket never seen starts
 * full, and so does one whose rate was changed: a new limit counts anew.
 */
static void refill(struct bucket *b, double now, unsigned int rate)
{
	if (b->last == 0 || now < b->last || b->rate != rate) {
		b->tokens = rate;
		b->rate = rate;
	} else {
		b->tokens += (now - b->last) * rate / 60.0;
		if (b->tokens > rate)
			b->tokens = rate;
	}
	b->last = now;
}

/* @addr's bucket: its own, a free one, or one full again (as good as new). */
static struct bucket *find(const char *addr, double now, unsigned int rate)
{
	struct bucket *spare = NULL;

	for (size_t i = 0; i < ENROLL_LIMIT_ADDRESSES; i++) {
		struct bucket *b = &by_addr[i];

		if (!strcmp(b->addr, addr))
			return b;
		if (!spare && (!b->addr[0] || b->rate != rate ||
			       b->tokens + (now - b->last) * rate / 60.0 >= rate))
			spare = b;
	}
	if (spare) {
		snprintf(spare->addr, sizeof(spare->addr), "%s", addr);
		spare->last = 0;
	}
	return spare;
}

bool enroll_limit_take(const char *addr, double now, unsigned int per_address,
		       unsigned int overall)
{
	struct bucket *b = NULL;
	bool ok = true;

	pthread_mutex_lock(&lock);
	if (overall) {
		refill(&all, now, overall);
		ok = all.tokens >= 1;
	}
	if (ok && per_address) {
		b = find(addr, now, per_address);
		if (b)
			refill(b, now, per_address);
		ok = b && b->tokens >= 1;
	}
	if (ok) {
		if (overall)
			all.tokens -= 1;
		if (b)
			b->tokens -= 1;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

void enroll_limit_reset(void)
{
	pthread_mutex_lock(&lock);
	memset(&all, 0, sizeof(all));
	memset(by_addr, 0, sizeof(by_addr));
	pthread_mutex_unlock(&lock);
}
