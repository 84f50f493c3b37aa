/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The clients API (/api/v1/clients): the machines the boot service knows,
 * checked against profiles, images and each other's MACs and UUIDs when
 * made, with their boot history. api/openapi/boot.json describes it.
 */
#ifndef BOOTSAND_API_CLIENTS_H
#define BOOTSAND_API_CLIENTS_H

struct http;

int clients_add_routes(struct http *h);

#endif /* BOOTSAND_API_CLIENTS_H */
