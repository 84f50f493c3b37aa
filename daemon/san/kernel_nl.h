/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bootsan.ko as the daemon uses it: read its state, apply changes, list
 * and end sessions. Every function is safe to call from any thread; when
 * the module is not loaded they fail with -ENOENT (and the daemon keeps
 * serving, reporting the kernel side as unavailable).
 */
#ifndef BOOTSAN_KERNEL_NL_H
#define BOOTSAN_KERNEL_NL_H

#include <stdint.h>

#include "kstate.h"

/* Last kernel refusal, for error messages: "<errno text>: <extack>". */
const char *knl_last_error(void);

/* Is the family there right now? (Re)connects when needed. */
bool knl_available(void);

/* Read portals, targets, LUNs and ACLs (no secrets) from the kernel. */
int knl_dump(struct ks_state *have);

/* Carry out one reconcile operation. */
int knl_apply(const struct ks_op *op);

/* Make the kernel match @want: dump, diff, apply. Returns the first error. */
int knl_reconcile(const struct ks_state *want, unsigned int *changes);

struct knl_session {
	uint64_t id;
	char target[KS_IQN_MAX];
	char initiator[KS_IQN_MAX];
	uint64_t isid;
	uint16_t tsih;
	char peer[64];			/* "addr:port" */
	uint64_t commands, read_bytes, write_bytes;
};

/* All sessions; *out is malloc'ed. */
int knl_sessions(struct knl_session **out, size_t *n);
int knl_session_kill(uint64_t id);

/* The I/O counters of one LUN since the module made it. */
struct knl_lun_stats {
	char target[KS_IQN_MAX];
	uint32_t lun;
	uint64_t read_cmds, write_cmds, read_bytes, write_bytes, errors, latency_ns;
};

/* Every LUN's counters (a dump), for /metrics; *out is malloc'ed. */
int knl_lun_stats(struct knl_lun_stats **out, size_t *n);

/* Sessions of one target, for "409 while initiators are logged in". */
int knl_target_sessions(const char *iqn, uint32_t *count);

#endif /* BOOTSAN_KERNEL_NL_H */
