/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON replies every REST handler shares: times, created objects, lists
 * and pages of lists. Built on http.h; knows no route.
 */
#ifndef BOOTSAND_HTTP_JSON_H
#define BOOTSAND_HTTP_JSON_H

#include <stdint.h>

#include <jansson.h>

struct http_req;

/* A "2024-01-31T12:00:00Z" JSON string. */
json_t *json_time(int64_t t);
/* Reply 201/202 with a Location header: @fmt gives the path. */
void http_reply_created(struct http_req *r, int status, json_t *body, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Every collection is an object with its items in a named array, e.g.
 * {"targets": [...]}: room for paging and totals without breaking clients.
 * Reply 200 with {"@name": @items}; takes the reference to @items.
 */
void http_reply_list(struct http_req *r, const char *name, json_t *items);

/*
 * Lists that grow with the machines on the network (clients, images, boot
 * history) come in pages: ?limit= (1 ... HTTP_PAGE_MAX, HTTP_PAGE_DEFAULT
 * when absent) and ?after= (the "next" of the page before). A page that
 * is not the last says where the next starts: {"clients": [...], "next":
 * "pc42"}. The OpenAPI document (api/openapi/) describes both.
 */
#define HTTP_PAGE_DEFAULT	500
#define HTTP_PAGE_MAX		1000
/* The paging arguments: 0, or replies 400 (field "limit") and -1. @after: "" when absent. */
int http_page_args(struct http_req *r, int *limit, const char **after);
/* Reply 200 with {"@name": @items, "next": @next}; @next (may be NULL: the last page) taken. */
void http_reply_page(struct http_req *r, const char *name, json_t *items, json_t *next);

#endif /* BOOTSAND_HTTP_JSON_H */
