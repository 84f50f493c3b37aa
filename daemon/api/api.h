/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The REST API: every route, added here from the handler files of api/
 * (this file's own: status, images, jobs, portals, the OpenAPI document and
 * /metrics), and the OpenAPI document, kept as JSON in api/openapi/ and
 * served merged.
 */
#ifndef BOOTSAND_API_H
#define BOOTSAND_API_H

#include <jansson.h>

struct bsd;
struct http;

/* Add every route of the API and the boot service. 0 or -errno. */
int api_add_routes(struct bsd *d, struct http *h);

/* The OpenAPI document: api/openapi/core.json with the "paths" of the
 * other files merged in; NULL on a broken document. New reference. */
json_t *api_openapi(void);
/* api/openapi/core.json, then the other files, then NULL: compiled in by
 * daemon/Makefile (openapi.c under the build folder). */
extern const char *const openapi_parts[];

#endif /* BOOTSAND_API_H */
