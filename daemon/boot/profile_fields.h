/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which fields a profile of each kind takes, so that a misspelt or
 * misplaced field ("cmdline" for "args", "url" on a linux profile) is a 400
 * naming it instead of being stored and silently ignored at every boot.
 * Pure: no I/O, only the JSON it is given.
 */
#ifndef BOOTSAND_PROFILE_FIELDS_H
#define BOOTSAND_PROFILE_FIELDS_H

#include <stddef.h>
#include <jansson.h>

/*
 * The first field of @body (a profile without "name" and "kind") that a
 * profile of @kind does not take, looking into menu items and file objects
 * too: 0 when there is none, else -1 with its top-level field in @field
 * and its path ("items[2].colour", "kernel.size") in @path. An unknown
 * @kind takes the common fields only. Either buffer may be NULL.
 */
int profile_unknown_field(const char *kind, json_t *body, char *field, size_t field_size,
			  char *path, size_t path_size);

#endif /* BOOTSAND_PROFILE_FIELDS_H */
