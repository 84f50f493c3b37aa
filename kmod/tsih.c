// SPDX-License-Identifier: GPL-2.0
/* TSIH allocation: see tsih.h. */
#include "tsih.h"

static bool taken(const struct tsih_map *m, u16 t)
{
	return m->used[t / 64] & (1ULL << (t % 64));
}

void bootsan_tsih_init(struct tsih_map *m)
{
	u32 i;

	for (i = 0; i < TSIH_COUNT / 64; i++)
		m->used[i] = 0;
	m->used[0] = 1;		/* 0 means "a new session" on the wire */
	m->nr_used = 0;
	m->next = 1;
}

u16 bootsan_tsih_alloc(struct tsih_map *m)
{
	u16 t = m->next;
	u32 tries;

	if (m->nr_used >= TSIH_COUNT - 1)
		return 0;
	/* Bounded: at most one pass over every handle. */
	for (tries = 0; tries < TSIH_COUNT; tries++, t++) {
		if (taken(m, t))
			continue;
		m->used[t / 64] |= 1ULL << (t % 64);
		m->nr_used++;
		m->next = t + 1;
		return t;
	}
	return 0;
}

void bootsan_tsih_free(struct tsih_map *m, u16 tsih)
{
	if (!tsih || !taken(m, tsih))
		return;
	m->used[tsih / 64] &= ~(1ULL << (tsih % 64));
	m->nr_used--;
}
