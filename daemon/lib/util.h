/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the daemon's modules. */
#ifndef BOOTSAND_UTIL_H
#define BOOTSAND_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Copy @src into @dst of @size bytes: 0, or -E2BIG (dst then holds ""). */
int str_copy(char *dst, size_t size, const char *src);

/* @n random bytes from getrandom(2): 0 or -errno. */
int random_bytes(void *buf, size_t n);
/* 2*n lowercase hex digits of @n random bytes into @out (2*n+1 bytes). */
int random_hex(char *out, size_t n);

/*
 * A name safe as a file name, [a-z0-9][a-z0-9._-]{0,63}: what an existing
 * image may be called. New names follow the one, stricter name rule,
 * boot_name_valid() (boot_render.h).
 */
bool name_valid(const char *s);

/* UTC "2024-01-31T12:00:00Z" into @buf (at least 21 bytes). */
void time_iso8601(int64_t t, char *buf, size_t size);

/* Wall-clock and monotonic seconds. */
int64_t now_wall(void);
double now_mono(void);

/* Constant-time comparison of two strings (time depends only on lengths). */
bool str_equal_ct(const char *a, const char *b);

/* Free a list that holds secrets, wiped first; NULL is fine. */
void free_wiped(void *p, size_t len);

#endif /* BOOTSAND_UTIL_H */
