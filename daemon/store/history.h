/* SPDX-License-Identifier: GPL-2.0 */
/* Inside the store: the boot history's writer thread, started and stopped with the store. */
#ifndef BOOTSAND_STORE_HISTORY_H
#define BOOTSAND_STORE_HISTORY_H

#include <stddef.h>

struct store;

int boot_queue_start(struct store *s, const char *path, char *err, size_t errlen);
void boot_queue_stop(struct store *s);
/* Write what is queued now: before a read of the history, or a count that depends on it. */
void boot_flush(struct store *s);

#endif /* BOOTSAND_STORE_HISTORY_H */
