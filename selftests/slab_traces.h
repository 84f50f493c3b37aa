/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Exact leak detection for the selftests. With the VM booted with
 * slub_debug=U, SLUB records the call site of every live slab object and
 * lists them in /sys/kernel/debug/slab/<cache>/alloc_traces. Two snapshots
 * taken around a loop of N cycles show a leak as a call site whose live
 * object count grew by N or more; counters like SUnreclaim cannot, because
 * per-CPU slabs make them move in whole pages.
 */
#ifndef BOOTSAN_SLAB_TRACES_H
#define BOOTSAN_SLAB_TRACES_H

#include <stdbool.h>
#include <stddef.h>

struct slab_site {
	char name[256];		/* call site symbol, without offset */
	long count;		/* live objects allocated there */
};

struct slab_snapshot {
	struct slab_site *sites;
	size_t nr;
};

/* True if the kernel records allocation call sites (slub_debug=U). */
bool slab_traces_available(void);

/* Fill @snap with the live object count of every call site; 0 or -errno. */
int slab_snapshot_take(struct slab_snapshot *snap);
void slab_snapshot_free(struct slab_snapshot *snap);

/*
 * Print every call site that gained at least @threshold live objects from
 * @before to @after, prefixed with "# "; return how many did.
 */
int slab_snapshot_report_growth(const struct slab_snapshot *before,
				const struct slab_snapshot *after,
				long threshold);

#endif /* BOOTSAN_SLAB_TRACES_H */
