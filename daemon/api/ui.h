/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The dashboard at /ui/: the files of daemon/ui/, compiled into bootsand
 * (daemon/Makefile makes ui_files.c under the build folder), so it finds
 * them wherever it is installed and serves nothing else. The pages need no
 * token; the data comes from the API, with the token the user enters.
 */
#ifndef BOOTSAND_UI_H
#define BOOTSAND_UI_H

#include <stddef.h>

struct http;

struct ui_file {
	const char *name;	/* "index.html": a plain file name, no folders */
	const char *content_type;
	const char *data;
	size_t len;
};
/* Ends with a NULL name; generated from daemon/ui/. */
extern const struct ui_file ui_files[];

/* The file named exactly @name, or NULL. */
const struct ui_file *ui_file_find(const char *name);

int ui_add_routes(struct http *h);

#endif /* BOOTSAND_UI_H */
