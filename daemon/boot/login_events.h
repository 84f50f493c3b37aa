/* SPDX-License-Identifier: GPL-2.0 */
/* iSCSI session events of a client's own target, into its boot history. */
#ifndef BOOTSAN_LOGIN_EVENTS_H
#define BOOTSAN_LOGIN_EVENTS_H

struct bsd;
struct login_events;

/* Start listening (also while the module is absent); NULL on failure. */
struct login_events *login_events_start(struct bsd *d);
/* Stop and free; NULL is fine. */
void login_events_stop(struct login_events *le);

#endif /* BOOTSAN_LOGIN_EVENTS_H */
