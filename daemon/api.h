/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The REST API's core routes: status, images, jobs, portals, the OpenAPI
 * document and /metrics. The kernel side (kernel.h) adds its own.
 */
#ifndef BOOTSAND_API_H
#define BOOTSAND_API_H

#include <stddef.h>

#include <jansson.h>

struct bsd;
struct http;
struct http_req;

/* Add the core routes and the kernel side's. 0 or -errno. */
int api_add_routes(struct bsd *d, struct http *h);

/* The OpenAPI document: openapi.c's text with the kernel side's paths
 * merged in; NULL on a broken document. New reference. */
json_t *api_openapi(void);
/* The hand-written core document (openapi.c). */
extern const char openapi_core[];

/* ---- helpers for handlers (also used by the kernel side) ---- */

/* A "2024-01-31T12:00:00Z" JSON string. */
json_t *api_time(int64_t t);
/* Reply 201/202 with a Location header: @fmt gives the path. */
void api_reply_created(struct http_req *r, int status, json_t *body, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Every collection is an object with its items in a named array, e.g.
 * {"targets": [...]}: room for paging and totals without breaking clients.
 * The 200 response of such a list in the OpenAPI text.
 */
#define API_OPENAPI_LIST(name)						\
	"{\"description\": \"all " name "\", \"content\": {\"application/json\":"	\
	" {\"schema\": {\"type\": \"object\", \"required\": [\"" name "\"],"		\
	" \"properties\": {\"" name "\": {\"type\": \"array\","			\
	" \"items\": {\"type\": \"object\"}}}}}}}"
/* Reply 200 with {"@name": @items}; takes the reference to @items. */
void api_reply_list(struct http_req *r, const char *name, json_t *items);

/*
 * Lists that grow with the machines on the network (clients, images, boot
 * history) come in pages: ?limit= (1 ... API_PAGE_MAX, API_PAGE_DEFAULT
 * when absent) and ?after= (the "next" of the page before). A page that
 * is not the last says where the next starts: {"clients": [...], "next":
 * "pc42"}.
 */
#define API_PAGE_DEFAULT	500
#define API_PAGE_MAX		1000
/* The paging arguments: 0, or replies 400 (field "limit") and -1. @after: "" when absent. */
int api_page_args(struct http_req *r, int *limit, const char **after);
/* Reply 200 with {"@name": @items, "next": @next}; @next (may be NULL: the last page) taken. */
void api_reply_page(struct http_req *r, const char *name, json_t *items, json_t *next);
/* OpenAPI: the paging parameters, and the 200 response of a paged list. */
#define API_OPENAPI_PAGE_PARAMS						\
	"[{\"name\": \"limit\", \"in\": \"query\", \"description\": \"items per page, 1 to 1000"	\
	" (default 500)\", \"schema\": {\"type\": \"integer\", \"minimum\": 1, \"maximum\": 1000}},"	\
	" {\"name\": \"after\", \"in\": \"query\", \"description\": \"the next of the page before\","	\
	" \"schema\": {\"type\": \"string\"}}]"
#define API_OPENAPI_PAGE(name)						\
	"{\"description\": \"a page of " name " (next: where the next page starts; absent on the"	\
	" last)\", \"content\": {\"application/json\": {\"schema\": {\"type\": \"object\","		\
	" \"required\": [\"" name "\"], \"properties\": {\"" name "\": {\"type\": \"array\","		\
	" \"items\": {\"type\": \"object\"}}, \"next\": {}}}}}}"

#endif /* BOOTSAND_API_H */
