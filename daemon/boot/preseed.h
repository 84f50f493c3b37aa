/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The preseed file of a linux profile: the answers Debian's installer
 * fetches from GET /boot/preseed/<profile> (its url= argument). It is
 * admin text served as is, so it is checked once, when the profile is
 * created, for what would make the installer stop at a question instead
 * of an error at the creation: the debconf-set-selections format, one
 * "owner question type value" per line. Pure: no I/O, no allocation.
 */
#ifndef BOOTSAND_PRESEED_H
#define BOOTSAND_PRESEED_H

#include <stddef.h>

/*
 * The largest preseed bootsand stores: a profile's whole JSON body is at
 * most 16 KiB, and the JSON escapes of a preseed's quotes and line breaks
 * take room too. Debian's complete example preseed is about 20 KiB of
 * mostly comments; the answers of a real one fit in a few KiB.
 */
#define PRESEED_MAX (12 * 1024)

/*
 * Why the @len bytes of @text are not a preseed file bootsand serves, as
 * a static sentence, or NULL when they are one. *@line (may be NULL) is
 * set to the 1-based line at fault, 0 when the fault is not one line's.
 * A preseed file is 1 to PRESEED_MAX bytes of text: no NUL and no control
 * character but tab, line feed and a carriage return before a line feed;
 * UTF-8 is fine. A line ending in a backslash continues on the next. A
 * line is blank, a comment ('#' as its first non-blank), or an owner, a
 * question name and a debconf type (string, boolean, select, multiselect,
 * note, text, password, error, title, or seen), then the value, which
 * may be empty.
 */
const char *preseed_refusal(const char *text, size_t len, unsigned int *line);

#endif /* BOOTSAND_PRESEED_H */
