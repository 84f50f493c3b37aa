/* SPDX-License-Identifier: GPL-2.0 */
/* The REST API of disk images and their clone jobs: api/openapi/core.json. */
#ifndef BOOTSAND_API_IMAGES_JOBS_H
#define BOOTSAND_API_IMAGES_JOBS_H

struct http;

int images_add_routes(struct http *h);

#endif /* BOOTSAND_API_IMAGES_JOBS_H */
