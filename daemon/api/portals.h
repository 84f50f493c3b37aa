/* SPDX-License-Identifier: GPL-2.0 */
/* The REST API of the iSCSI portals: api/openapi/core.json. */
#ifndef BOOTSAND_API_PORTALS_H
#define BOOTSAND_API_PORTALS_H

struct http;

int portals_add_routes(struct http *h);

#endif /* BOOTSAND_API_PORTALS_H */
