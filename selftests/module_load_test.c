// SPDX-License-Identifier: GPL-2.0
/*
 * bootsan.ko loads and unloads cleanly, again and again, and leaves no
 * memory behind. Modules are loaded with finit_module(2) straight from the
 * file, so the test measures the module and not a helper program.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "module.h"
#include "slab_traces.h"

#define LOAD_CYCLES	50
/*
 * Module text lives in vmalloc space; a leaked vmalloc'd buffer costs at
 * least a page per cycle, i.e. 200 kB over the loop. Measured drift without
 * a leak is 0 to 16 kB on both kernels.
 */
#define VMALLOC_BUDGET_KB	64

/* A /proc/meminfo field in kB, or -1. */
static long meminfo_kb(const char *field)
{
	char line[256];
	size_t flen = strlen(field);
	long val = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, flen) && line[flen] == ':') {
			val = strtol(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return val;
}

FIXTURE(module) {
};

FIXTURE_SETUP(module)
{
	if (getuid() != 0)
		SKIP(return, "needs root to load modules");
	if (module_loaded())
		ASSERT_EQ(0, unload_module());
}

FIXTURE_TEARDOWN(module)
{
	if (module_loaded())
		unload_module();
}

/* 50 cycles take about 10 s in TCG, several times that on a busy host. */
TEST_F_TIMEOUT(module, load_unload_50_times_without_leak, 300)
{
	struct slab_snapshot before, after;
	long vmalloc_before, vmalloc_after;
	int i, leaks;

	if (!slab_traces_available())
		SKIP(return, "no slab call-site traces: boot with slub_debug=U and debugfs");

	/* The first loads warm up caches that are never given back. */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, load_module());
		ASSERT_EQ(0, unload_module());
	}
	settle();
	vmalloc_before = meminfo_kb("VmallocUsed");
	ASSERT_EQ(0, slab_snapshot_take(&before));

	for (i = 0; i < LOAD_CYCLES; i++) {
		ASSERT_EQ(0, load_module()) TH_LOG("load %d failed", i);
		ASSERT_TRUE(module_loaded());
		ASSERT_EQ(0, unload_module()) TH_LOG("unload %d failed", i);
		ASSERT_FALSE(module_loaded());
	}

	settle();
	ASSERT_EQ(0, slab_snapshot_take(&after));
	vmalloc_after = meminfo_kb("VmallocUsed");
	/* One object kept per cycle is a leak; the report names its site. */
	leaks = slab_snapshot_report_growth(&before, &after, LOAD_CYCLES);
	slab_snapshot_free(&before);
	slab_snapshot_free(&after);
	TH_LOG("after %d cycles: %d leaking call sites, vmalloc %+ld kB",
	       LOAD_CYCLES, leaks, vmalloc_after - vmalloc_before);
	EXPECT_EQ(0, leaks);
	EXPECT_LE(vmalloc_after - vmalloc_before, VMALLOC_BUDGET_KB);
}

TEST_F(module, second_load_is_refused_with_eexist)
{
	ASSERT_EQ(0, load_module());
	EXPECT_EQ(-EEXIST, load_module());
	EXPECT_EQ(0, unload_module());
	EXPECT_EQ(-ENOENT, unload_module());
}

TEST_F(module, sysfs_reports_project_version)
{
	char version[64] = "";
	FILE *f;

	ASSERT_EQ(0, load_module());
	f = fopen("/sys/module/" MODULE_NAME "/version", "r");
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(version, sizeof(version), f));
	fclose(f);
	version[strcspn(version, "\n")] = '\0';
	EXPECT_STREQ(BOOTSAN_VERSION, version);
}

TEST_HARNESS_MAIN
