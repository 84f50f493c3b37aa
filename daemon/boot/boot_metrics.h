/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The boot service's counters for /metrics, since bootsand started: boots
 * by firmware path, profile and result, and what enrollment did with new
 * machines. In memory (Prometheus counters start again at a restart).
 */
#ifndef BOOTSAND_BOOT_METRICS_H
#define BOOTSAND_BOOT_METRICS_H

#include <stdio.h>

enum boot_enroll_outcome {
	BOOT_ENROLL_REGISTERED,		/* recorded pending (register) */
	BOOT_ENROLL_PROVISIONED,	/* made a client with a disk (provision) */
	BOOT_ENROLL_REFUSED,		/* an unknown machine refused (deny, or no way to enroll) */
	BOOT_ENROLL_LIMITED,		/* over an enrollment limit: told to come back */
	BOOT_ENROLL_FAILED,		/* could not be recorded or its disk not cloned */
	BOOT_ENROLL_APPROVED,		/* a pending client approved through the API */
	BOOT_ENROLL_DENIED,		/* a pending client denied through the API */
	BOOT_ENROLL_OUTCOMES
};

void boot_metrics_enroll(enum boot_enroll_outcome o);
/*
 * One boot request answered: @via "ipxe" or "pxelinux", @profile the one
 * served ("" none), @result what it was told ("profile", "menu", "wait",
 * "busy", "refused"...). Profiles past the table's room count as "(other)".
 */
void boot_metrics_boot(const char *via, const char *profile, const char *result);

/* The counters as Prometheus text. */
void boot_metrics_write(FILE *out);
/* @v as a Prometheus label value (", \ and line breaks escaped). */
void metrics_label_value(FILE *out, const char *v);

#endif /* BOOTSAND_BOOT_METRICS_H */
