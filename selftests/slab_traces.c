// SPDX-License-Identifier: GPL-2.0
/* Snapshots of SLUB's per-call-site live object counts; see slab_traces.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "slab_traces.h"

#define SLAB_DEBUGFS "/sys/kernel/debug/slab"

/*
 * Reading the trace files allocates debugfs bookkeeping that lives as long
 * as the file's dentry: those sites grow because we look, not because of
 * the code under test.
 */
static bool site_is_ours(const char *name)
{
	return !strncmp(name, "debugfs_", 8);
}

bool slab_traces_available(void)
{
	char path[512];
	DIR *d = opendir(SLAB_DEBUGFS);
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SLAB_DEBUGFS "/%s/alloc_traces", e->d_name);
		found = access(path, R_OK) == 0;
	}
	closedir(d);
	return found;
}

/* Index of the site called @name in @snap, or -1. */
static long site_index(const struct slab_snapshot *snap, const char *name)
{
	size_t i;

	for (i = 0; i < snap->nr; i++)
		if (!strcmp(snap->sites[i].name, name))
			return i;
	return -1;
}

static int add_site(struct slab_snapshot *snap, const char *name, long count)
{
	long idx = site_index(snap, name);
	struct slab_site *site = idx < 0 ? NULL : &snap->sites[idx], *grown;

	if (!site) {
		grown = realloc(snap->sites, (snap->nr + 1) * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		snap->sites = grown;
		site = &snap->sites[snap->nr++];
		snprintf(site->name, sizeof(site->name), "%s", name);
		site->count = 0;
	}
	site->count += count;
	return 0;
}

/*
 * A site line reads "   <count> <symbol>+<off>/<size> waste=... age=...";
 * the stack lines under it have no count and are skipped.
 */
static int read_trace_file(struct slab_snapshot *snap, const char *path)
{
	char line[512], sym[sizeof(((struct slab_site *)0)->name)];
	long count;
	int ret = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (!ret && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %ld %255[^+ ]", &count, sym) != 2)
			continue;
		if (!site_is_ours(sym))
			ret = add_site(snap, sym, count);
	}
	fclose(f);
	return ret;
}

int slab_snapshot_take(struct slab_snapshot *snap)
{
	char path[512];
	DIR *d = opendir(SLAB_DEBUGFS);
	struct dirent *e;
	int ret = 0;

	snap->sites = NULL;
	snap->nr = 0;
	if (!d)
		return -errno;
	while (!ret && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), SLAB_DEBUGFS "/%s/alloc_traces", e->d_name);
		ret = read_trace_file(snap, path);
	}
	closedir(d);
	if (ret)
		slab_snapshot_free(snap);
	return ret;
}

void slab_snapshot_free(struct slab_snapshot *snap)
{
	free(snap->sites);
	snap->sites = NULL;
	snap->nr = 0;
}

int slab_snapshot_report_growth(const struct slab_snapshot *before,
				const struct slab_snapshot *after,
				long threshold)
{
	int grown = 0;
	size_t i;

	for (i = 0; i < after->nr; i++) {
		long j = site_index(before, after->sites[i].name);
		long was = j < 0 ? 0 : before->sites[j].count;

		if (after->sites[i].count - was >= threshold) {
			printf("# slab leak: %s holds %ld more live objects\n",
			       after->sites[i].name, after->sites[i].count - was);
			grown++;
		}
	}
	return grown;
}
