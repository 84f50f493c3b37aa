/* SPDX-License-Identifier: GPL-2.0 */
/* The REST API of targets and sessions: api/openapi/targets.json. */
#ifndef BOOTSAND_API_TARGETS_H
#define BOOTSAND_API_TARGETS_H

struct http;

int targets_add_routes(struct http *h);

#endif /* BOOTSAND_API_TARGETS_H */
