/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading and unloading bootsan.ko from the selftests. The module is loaded
 * with finit_module(2) straight from the file, so a test measures the
 * module and not a helper program.
 */
#ifndef BOOTSAN_SELFTEST_MODULE_H
#define BOOTSAN_SELFTEST_MODULE_H

#include <stdbool.h>

#define MODULE_NAME	"bootsan"

/* Load $BOOTSAN_KO, or the module installed for the running kernel; 0 or -errno. */
int load_module(void);

/* Unload without waiting for users; 0 or -errno (-EBUSY while in use). */
int unload_module(void);

bool module_loaded(void);

/* Let RCU-delayed frees finish and drop reclaimable caches before measuring. */
void settle(void);

#endif /* BOOTSAN_SELFTEST_MODULE_H */
