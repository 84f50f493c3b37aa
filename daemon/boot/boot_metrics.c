// SPDX-License-Identifier: GPL-2.0
/* The boot service's counters; see boot_metrics.h. */
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <string.h>

#include "boot_metrics.h"
#include "lib/util.h"
#include "store/store.h"

#define BOOT_ROWS 256	/* profiles x paths x results; a lab has a few dozen */

static atomic_ulong enroll_counts[BOOT_ENROLL_OUTCOMES];
static const char *const enroll_names[BOOT_ENROLL_OUTCOMES] = {
	[BOOT_ENROLL_REGISTERED] = "registered", [BOOT_ENROLL_PROVISIONED] = "provisioned",
	[BOOT_ENROLL_REFUSED] = "refused", [BOOT_ENROLL_LIMITED] = "limited",
	[BOOT_ENROLL_FAILED] = "failed", [BOOT_ENROLL_APPROVED] = "approved",
	[BOOT_ENROLL_DENIED] = "denied",
};

static struct boot_row {
	char via[12];
	char profile[STORE_NAME_SIZE];
	char result[16];
	unsigned long n;
} rows[BOOT_ROWS];
static size_t nrows;
static pthread_mutex_t rows_lock = PTHREAD_MUTEX_INITIALIZER;

void boot_metrics_enroll(enum boot_enroll_outcome o)
{
	if ((unsigned int)o < BOOT_ENROLL_OUTCOMES)
		atomic_fetch_add_explicit(&enroll_counts[o], 1, memory_order_relaxed);
}

static bool row_is(const struct boot_row *r, const char *via, const char *profile,
		   const char *result)
{
	return !strcmp(r->via, via) && !strcmp(r->profile, profile) && !strcmp(r->result, result);
}

void boot_metrics_boot(const char *via, const char *profile, const char *result)
{
	size_t i;

	pthread_mutex_lock(&rows_lock);
	for (i = 0; i < nrows && !row_is(&rows[i], via, profile, result); i++)
		;
	/* Full: the last row is "(other)" for whatever does not fit. */
	if (i == nrows && nrows == BOOT_ROWS - 1) {
		profile = "(other)";
		for (i = 0; i < nrows && !row_is(&rows[i], via, profile, result); i++)
			;
	}
	if (i == nrows && nrows < BOOT_ROWS) {
		snprintf(rows[i].via, sizeof(rows[i].via), "%s", via);
		snprintf(rows[i].profile, sizeof(rows[i].profile), "%s", profile);
		snprintf(rows[i].result, sizeof(rows[i].result), "%s", result);
		nrows++;
	}
	if (i < nrows)
		rows[i].n++;
	pthread_mutex_unlock(&rows_lock);
}

void metrics_label_value(FILE *out, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(out, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
}

void boot_metrics_write(FILE *out)
{
	fputs("# HELP bootsand_boots_total Boot requests answered, by firmware path, profile "
	      "served and result.\n# TYPE bootsand_boots_total counter\n", out);
	pthread_mutex_lock(&rows_lock);
	for (size_t i = 0; i < nrows; i++) {
		fprintf(out, "bootsand_boots_total{via=\"%s\",profile=\"", rows[i].via);
		metrics_label_value(out, rows[i].profile);
		fprintf(out, "\",result=\"%s\"} %lu\n", rows[i].result, rows[i].n);
	}
	pthread_mutex_unlock(&rows_lock);
	fputs("# HELP bootsand_enrollments_total What enrollment did with new machines, and "
	      "pending ones approved or denied.\n# TYPE bootsand_enrollments_total counter\n", out);
	for (size_t i = 0; i < BOOT_ENROLL_OUTCOMES; i++)
		fprintf(out, "bootsand_enrollments_total{outcome=\"%s\"} %lu\n", enroll_names[i],
			atomic_load_explicit(&enroll_counts[i], memory_order_relaxed));
}
