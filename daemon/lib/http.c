// SPDX-License-Identifier: GPL-2.0
/* The HTTP server; see http.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "http.h"
#include "http_accept.h"
#include "http_head.h"
#include "log.h"
#include "util.h"

/* Statuses counted one by one in the metrics; the rest go to "other". */
static const int tracked[] = {
	200, 201, 202, 204, 206, 304, 400, 401, 403, 404, 405, 409, 413, 415, 416,
	500, 503, 507,
};
#define NSTATUS (ARRAY_SIZE(tracked) + 1)
#define METHODS 8	/* GET HEAD POST PUT PATCH DELETE OPTIONS other */
static const char *const method_names[METHODS] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other",
};

struct route_entry {
	const struct http_route *r;
	atomic_ulong counts[METHODS][NSTATUS];
};

struct listener {
	int fd;
	char name[80];
	struct sockaddr_storage ss;	/* as bound: the port resolved */
	socklen_t sslen;
};

struct http {
	void *ctx;
	char *token;
	size_t body_limit;
	size_t nroutes;
	struct route_entry routes[HTTP_MAX_ROUTES];
	/* Requests that matched no route, by method and status. */
	atomic_ulong unmatched[METHODS][NSTATUS];
	size_t nlisten;
	struct listener listen[HTTP_MAX_LISTEN];
	unsigned int per_address, deadline;
	/*
	 * The acceptor hands heads for /api/ to api_mhd, fast requests that
	 * must wait (http_reply_elsewhere()) to slow_mhd, the rest to boot_mhd.
	 */
	struct http_acceptor *acceptor;
	struct MHD_Daemon *boot_mhd, *api_mhd, *slow_mhd;
	bool running;
};

struct header {
	char *name, *value;
	struct header *next;
};

#define FAST_HEADERS 64

/* A request answered on an acceptor thread: its head, taken apart. */
struct fast_head {
	char *copy;		/* the head, its pieces NUL-terminated in place */
	char *path;		/* percent-decoded */
	int nhdr;
	const char *hname[FAST_HEADERS], *hval[FAST_HEADERS];
	bool args_parsed;
	char *args;
	int nargs;
	const char *aname[HTTP_QUERY_ARGS_MAX], *aval[HTTP_QUERY_ARGS_MAX];
	/* the reply */
	bool replied;
	bool elsewhere;		/* http_reply_elsewhere() */
	char *buf;
	size_t len;
	char ctype[128];
};

struct http_req {
	struct http *h;
	struct MHD_Connection *conn;	/* NULL on the fast path */
	struct fast_head *fast;		/* on the fast path only */
	const char *method;
	const char *url;
	char *raw_url;		/* as sent: not percent-decoded, with the query */
	bool started;
	int route;		/* index, or -1 */
	char *pathbuf;
	struct http_match m;
	char *body;
	size_t body_len, body_cap;
	bool too_large;
	bool early;		/* answered before the body, which is dropped */
	double start;		/* now_mono() at the head */
	size_t drained;		/* bytes of body dropped */
	json_t *json;
	char peer[INET6_ADDRSTRLEN + 8];
	/* the reply */
	int status;
	struct MHD_Response *resp;
	struct header *headers;
};

struct http *http_new(void *ctx)
{
	struct http *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->ctx = ctx;
	h->body_limit = HTTP_BODY_LIMIT;
	h->per_address = HTTP_PER_ADDRESS_LIMIT;
	h->deadline = HTTP_REQUEST_DEADLINE;
	return h;
}

void http_free(struct http *h)
{
	if (!h)
		return;
	http_stop(h);
	for (size_t i = 0; i < h->nlisten; i++)
		if (h->listen[i].fd >= 0)
			close(h->listen[i].fd);
	free(h->token);
	free(h);
}

int http_set_token(struct http *h, const char *token)
{
	char *t = NULL;

	if (token && !(t = strdup(token)))
		return -ENOMEM;
	free(h->token);
	h->token = t;
	return 0;
}

void http_set_body_limit(struct http *h, size_t limit)
{
	h->body_limit = limit;
}

void http_set_limits(struct http *h, unsigned int per_address, unsigned int deadline)
{
	h->per_address = per_address;
	h->deadline = deadline ? deadline : 1;
}

/* ---- routes ---- */

static bool pattern_valid(const char *p)
{
	int params = 0;

	if (p[0] != '/')
		return false;
	for (const char *s = p; *s; s++) {
		if (*s == '{') {
			const char *e = strchr(s, '}');

			if (!e || e == s + 1 || s[-1] != '/' || (e[1] && e[1] != '/') ||
			    ++params > HTTP_MAX_PARAMS)
				return false;
			s = e;
		}
	}
	return true;
}

int http_add_routes(struct http *h, const struct http_route *routes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct http_route *r = &routes[i];

		if (!r->method || !r->pattern || !r->handler || !pattern_valid(r->pattern))
			return -EINVAL;
		for (size_t j = 0; j < h->nroutes; j++)
			if (!strcmp(h->routes[j].r->method, r->method) &&
			    !strcmp(h->routes[j].r->pattern, r->pattern))
				return -EEXIST;
		if (h->nroutes == HTTP_MAX_ROUTES)
			return -ENOSPC;
		h->routes[h->nroutes++].r = r;
	}
	return 0;
}

size_t http_route_count(const struct http *h)
{
	return h->nroutes;
}

const struct http_route *http_route_at(const struct http *h, size_t i)
{
	return i < h->nroutes ? h->routes[i].r : NULL;
}

/*
 * Does @path (already split: segments NUL-separated in place is avoided;
 * we compare segment by segment) match @pattern? Fills @m.
 */
static bool pattern_match(const char *pattern, bool rest, char *path, size_t pathlen,
			  struct http_match *m)
{
	const char *p = pattern;
	size_t i = 0;

	m->nparams = 0;
	/* Both start with '/'. Walk segment by segment. */
	while (*p && i < pathlen) {
		if (*p != '/' || path[i] != '/')
			return false;
		p++;
		i++;
		if (*p == '{') {
			const char *e = strchr(p, '}');
			size_t start = i;

			/* HTTP_ROUTE_REST: the last parameter takes the rest. */
			while (i < pathlen && (path[i] != '/' || (rest && !e[1])))
				i++;
			if (i == start)
				return false;
			m->names[m->nparams] = p + 1;
			m->name_len[m->nparams] = (size_t)(e - p - 1);
			m->values[m->nparams] = path + start;	/* terminated later */
			m->nparams++;
			p = e + 1;
		} else {
			while (*p && *p != '/') {
				if (i >= pathlen || path[i] != *p)
					return false;
				p++;
				i++;
			}
			if (i < pathlen && path[i] != '/')
				return false;
		}
	}
	return *p == '\0' && i == pathlen;
}

static int method_index(const char *m)
{
	for (int i = 0; i < METHODS - 1; i++)
		if (!strcmp(m, method_names[i]))
			return i;
	return METHODS - 1;
}

int http_match(const struct http *h, const char *method, const char *path,
	       char *buf, size_t bufsize, struct http_match *m, char *allow, size_t allowlen)
{
	size_t len = strlen(path);
	bool path_known = false;
	int found = -1;

	if (allowlen)
		allow[0] = '\0';
	if (len >= bufsize)
		return -404;
	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < h->nroutes; i++) {
		const struct http_route *r = h->routes[i].r;
		struct http_match mm;

		memcpy(buf, path, len + 1);
		if (!pattern_match(r->pattern, r->flags & HTTP_ROUTE_REST, buf, len, &mm))
			continue;
		if (!path_known && allowlen)
			allow[0] = '\0';
		path_known = true;
		if (allowlen && !strstr(allow, r->method)) {
			size_t al = strlen(allow);

			snprintf(allow + al, allowlen - al, "%s%s", al ? ", " : "", r->method);
			if (!strcmp(r->method, "GET") && !strstr(allow, "HEAD")) {
				al = strlen(allow);
				snprintf(allow + al, allowlen - al, ", HEAD");
			}
		}
		if (found < 0 && (!strcmp(r->method, method) ||
				  (!strcmp(method, "HEAD") && !strcmp(r->method, "GET")))) {
			found = (int)i;
			*m = mm;
		}
	}
	if (found < 0)
		return path_known ? -405 : -404;
	/* Re-match into buf and cut the parameter values apart. */
	memcpy(buf, path, len + 1);
	pattern_match(h->routes[found].r->pattern, h->routes[found].r->flags & HTTP_ROUTE_REST,
		      buf, len, m);
	for (int i = 0; i < m->nparams; i++) {
		char *v = (char *)m->values[i];
		char *e = strchr(v, '/');

		if (e && !((h->routes[found].r->flags & HTTP_ROUTE_REST) && i == m->nparams - 1))
			*e = '\0';
	}
	return found;
}

/* ---- listening ---- */

int http_parse_listen(const char *spec, struct sockaddr_storage *ss, unsigned int *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *port_s;
	char *end;
	unsigned long port;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		const char *rb = strchr(spec, ']');

		if (!rb || rb[1] != ':')
			return -EINVAL;
		hl = (size_t)(rb - spec - 1);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec + 1, hl);
		host[hl] = '\0';
		port_s = rb + 2;
	} else {
		colon = strrchr(spec, ':');
		if (!colon || strchr(spec, ':') != colon)
			return -EINVAL;
		hl = (size_t)(colon - spec);
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec, hl);
		host[hl] = '\0';
		port_s = colon + 1;
	}
	if (!*port_s || *port_s == '-' || *port_s == '+')
		return -EINVAL;
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (errno || *end || port > 65535)
		return -EINVAL;
	if (spec[0] == '[') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return -EINVAL;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return -EINVAL;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
	}
	return 0;
}

static void sockaddr_name(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, size, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, ntohs(s4->sin_port));
	} else {
		snprintf(buf, size, "?");
	}
}

/*
 * A listen socket on @ss that shares its port with the acceptor's others
 * (SO_REUSEPORT: the kernel spreads connections over them), or -1.
 */
static int listen_shared(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1, e;

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) ||
	    (ss->ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    bind(fd, (const struct sockaddr *)ss, len) || listen(fd, HTTP_LISTEN_BACKLOG)) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int http_listen(struct http *h, const char *spec, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	unsigned int len;
	int fd, one = 1, e;

	if (h->nlisten == HTTP_MAX_LISTEN) {
		snprintf(err, errlen, "more than %d listen addresses", HTTP_MAX_LISTEN);
		return -ENOSPC;
	}
	if (http_parse_listen(spec, &ss, &len)) {
		snprintf(err, errlen, "bad listen address '%s' (want ADDR:PORT or [ADDR6]:PORT)",
			 spec);
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	/*
	 * Bound first without SO_REUSEPORT, so that an address in use is an
	 * error even when its holder would share it (another bootsand), and to
	 * learn the port when it is 0; then the sharing sockets take that port.
	 */
	if (bind(fd, (struct sockaddr *)&ss, len))
		goto fail;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl))
		goto fail;
	close(fd);
	fd = listen_shared(&ss, sl);
	if (fd < 0)
		goto fail;
	h->listen[h->nlisten].ss = ss;
	h->listen[h->nlisten].sslen = sl;
	h->listen[h->nlisten].fd = fd;
	sockaddr_name(&ss, h->listen[h->nlisten].name, sizeof(h->listen[0].name));
	h->nlisten++;
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	snprintf(err, errlen, "cannot listen on %s: %s", spec, strerror(e));
	return -e;
}

const char *http_listen_name(const struct http *h, size_t i)
{
	return i < h->nlisten ? h->listen[i].name : NULL;
}

size_t http_listen_count(const struct http *h)
{
	return h->nlisten;
}

/* ---- replies ---- */

static int status_index(int status)
{
	for (size_t i = 0; i < ARRAY_SIZE(tracked); i++)
		if (tracked[i] == status)
			return (int)i;
	return (int)NSTATUS - 1;
}

bool http_replied(struct http_req *r)
{
	return r->resp != NULL || (r->fast && r->fast->replied);
}

bool http_on_acceptor(struct http_req *r)
{
	return r->fast != NULL;
}

void http_reply_elsewhere(struct http_req *r)
{
	if (!r->fast) {
		http_reply_error(r, 500, NULL, "internal error: %s has nowhere else to go", r->url);
		return;
	}
	if (r->fast->replied) {
		log_err("http: %s %s answered twice", r->method, r->url);
		return;
	}
	r->fast->replied = r->fast->elsewhere = true;
}

void http_reply_response(struct http_req *r, int status, struct MHD_Response *resp)
{
	if (r->fast) {
		/* Only buffers can be sent from the acceptor (http.h). */
		MHD_destroy_response(resp);
		if (!r->fast->replied)
			http_reply_error(r, 500, NULL, "internal error: %s cannot be answered here",
					 r->url);
		return;
	}
	if (r->resp) {
		log_err("http: %s %s answered twice", r->method, r->url);
		MHD_destroy_response(resp);
		return;
	}
	r->status = status;
	r->resp = resp;
}

void http_reply_buf(struct http_req *r, int status, const char *content_type,
		    char *buf, size_t len)
{
	struct MHD_Response *resp;

	if (r->fast) {
		if (r->fast->replied) {
			log_err("http: %s %s answered twice", r->method, r->url);
			free(buf);
			return;
		}
		r->fast->replied = true;
		r->status = status;
		r->fast->buf = buf;
		r->fast->len = len;
		snprintf(r->fast->ctype, sizeof(r->fast->ctype), "%s", content_type ? content_type : "");
		return;
	}
	resp = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(buf);
		return;
	}
	if (content_type)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	http_reply_response(r, status, resp);
}

void http_reply_json(struct http_req *r, int status, json_t *body)
{
	char *s = NULL;
	size_t len = 0;

	if (body) {
		s = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		if (!s) {
			http_reply_error(r, 500, NULL, "out of memory");
			return;
		}
		len = strlen(s);
		/* A final newline is friendlier to curl users. */
		char *t = realloc(s, len + 2);

		if (t) {
			s = t;
			s[len++] = '\n';
			s[len] = '\0';
		}
	} else {
		s = strdup("");
	}
	http_reply_buf(r, status, body ? "application/json" : NULL, s, len);
}

void http_reply_error(struct http_req *r, int status, const char *field, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	json_t *o;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o = json_pack("{s:s}", "error", msg);
	if (o && field && *field)
		json_object_set_new(o, "field", json_string(field));
	http_reply_json(r, status, o);
}

void http_reply_errno(struct http_req *r, int err, const char *field, const char *what)
{
	switch (-err) {
	case ENOENT:
		http_reply_error(r, 404, field, "%s: not found", what);
		break;
	case EEXIST:
		http_reply_error(r, 409, field, "%s: exists already", what);
		break;
	case EBUSY:
		http_reply_error(r, 409, field, "%s: in use", what);
		break;
	case EINVAL:
		http_reply_error(r, 400, field, "%s: invalid value", what);
		break;
	case E2BIG:
		http_reply_error(r, 400, field, "%s: value too long", what);
		break;
	case ENOSPC:
		http_reply_error(r, 507, field, "%s: no space left on the state directory", what);
		break;
	default:
		http_reply_error(r, 500, field, "%s: %s", what, strerror(-err));
		break;
	}
}

void http_add_header(struct http_req *r, const char *name, const char *value)
{
	struct header *hd = calloc(1, sizeof(*hd));

	if (!hd)
		return;
	hd->name = strdup(name);
	hd->value = strdup(value);
	if (!hd->name || !hd->value) {
		free(hd->name);
		free(hd->value);
		free(hd);
		return;
	}
	hd->next = r->headers;
	r->headers = hd;
}

/* ---- request accessors ---- */

void *http_ctx(struct http_req *r)
{
	return r->h->ctx;
}

const char *http_method(struct http_req *r)
{
	return r->method;
}

const char *http_path(struct http_req *r)
{
	return r->url;
}

const char *http_raw_url(struct http_req *r)
{
	return r->raw_url ? r->raw_url : r->url;
}

const char *http_param(struct http_req *r, const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < r->m.nparams; i++)
		if (r->m.name_len[i] == n && !memcmp(r->m.names[i], name, n))
			return r->m.values[i];
	return NULL;
}

/* As libmicrohttpd decodes query arguments: '+' is a space, then %XX. */
static void unescape_arg(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '+')
			*p = ' ';
	MHD_http_unescape(s);
}

static void fast_parse_args(struct fast_head *f, const char *raw_url)
{
	const char *q = strchr(raw_url, '?');
	char *s, *next;

	f->args_parsed = true;
	if (!q || !(f->args = strndup(q + 1, strcspn(q + 1, "#"))))
		return;
	for (s = f->args; s && f->nargs < HTTP_QUERY_ARGS_MAX; s = next) {
		char *eq;

		next = strchr(s, '&');
		if (next)
			*next++ = '\0';
		if (!*s)
			continue;
		eq = strchr(s, '=');
		if (eq) {
			*eq++ = '\0';
			unescape_arg(eq);
		}
		unescape_arg(s);
		f->aname[f->nargs] = s;
		f->aval[f->nargs++] = eq;
	}
}

const char *http_query(struct http_req *r, const char *name)
{
	struct fast_head *f = r->fast;

	if (!f)
		return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
	if (!f->args_parsed)
		fast_parse_args(f, r->raw_url);
	for (int i = 0; i < f->nargs; i++)
		if (!strcasecmp(f->aname[i], name))
			return f->aval[i];
	return NULL;
}

const char *http_header(struct http_req *r, const char *name)
{
	struct fast_head *f = r->fast;

	if (!f)
		return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
	for (int i = 0; i < f->nhdr; i++)
		if (!strcasecmp(f->hname[i], name))
			return f->hval[i];
	return NULL;
}

const char *http_peer(struct http_req *r)
{
	return r->peer;
}

const char *http_body(struct http_req *r, size_t *len)
{
	if (len)
		*len = r->body_len;
	return r->body ? r->body : "";
}

json_t *http_json(struct http_req *r)
{
	return r->json;
}

/* ---- JSON validation ---- */

void http_unpack_field(const json_error_t *e, const char *fmt, va_list ap,
		       char *buf, size_t size)
{
	enum json_error_code code = json_error_code(e);
	const char *p;
	char stack[32];
	int depth = 0;
	bool expect_key = false;
	const char *key = NULL;
	va_list aq;

	buf[0] = '\0';
	if (code == json_error_item_not_found &&
	    (p = strstr(e->text, "not found: "))) {
		snprintf(buf, size, "%s", p + strlen("not found: "));
		return;
	}
	if (code == json_error_end_of_input_expected &&
	    (p = strstr(e->text, "left unpacked: "))) {
		size_t n;

		p += strlen("left unpacked: ");
		n = strcspn(p, ",");
		snprintf(buf, size, "%.*s", (int)n, p);
		return;
	}
	/* Walk the format up to the failing token, consuming the arguments. */
	va_copy(aq, ap);
	for (int i = 0; fmt[i] && i < e->position - 1; i++) {
		char c = fmt[i];

		switch (c) {
		case ' ': case '\t': case ',': case ':': case '!': case '*': case '?':
			continue;
		case '{':
		case '[':
			if (depth < (int)sizeof(stack))
				stack[depth] = c;
			depth++;
			expect_key = c == '{';
			continue;
		case '}':
		case ']':
			depth--;
			expect_key = depth > 0 && depth <= (int)sizeof(stack) &&
				     stack[depth - 1] == '{';
			continue;
		default:
			break;
		}
		if (expect_key && c == 's') {
			const char *k = va_arg(aq, const char *);

			if (depth == 1)
				key = k;
			expect_key = false;
			continue;
		}
		switch (c) {
		case 's':
			(void)va_arg(aq, const char **);
			if (fmt[i + 1] == '%') {
				(void)va_arg(aq, size_t *);
				i++;
			}
			break;
		case 'i': case 'b':
			(void)va_arg(aq, int *);
			break;
		case 'I':
			(void)va_arg(aq, json_int_t *);
			break;
		case 'f': case 'F':
			(void)va_arg(aq, double *);
			break;
		case 'o': case 'O':
			(void)va_arg(aq, json_t **);
			break;
		default:
			break;
		}
		if (depth > 0 && depth <= (int)sizeof(stack) && stack[depth - 1] == '{')
			expect_key = true;
	}
	va_end(aq);
	/* The failing token is a value of the top-level object. */
	if (key && depth >= 1 && e->position > 1)
		snprintf(buf, size, "%s", key);
}

int http_unpack(struct http_req *r, json_t *j, const char *fmt, ...)
{
	json_error_t e;
	char field[128];
	va_list ap;
	int rc;

	if (!j) {
		http_reply_error(r, 400, NULL, "a JSON body is required");
		return -1;
	}
	va_start(ap, fmt);
	rc = json_vunpack_ex(j, &e, 0, fmt, ap);
	va_end(ap);
	if (!rc)
		return 0;
	va_start(ap, fmt);
	http_unpack_field(&e, fmt, ap, field, sizeof(field));
	va_end(ap);
	switch (json_error_code(&e)) {
	case json_error_item_not_found:
		http_reply_error(r, 400, field, "missing field '%s'", field);
		break;
	case json_error_end_of_input_expected:
		http_reply_error(r, 400, field, "unknown field '%s'", field);
		break;
	case json_error_wrong_type:
		if (field[0]) {
			char t[160];

			/* "Expected integer, got string" → "expected ..." */
			snprintf(t, sizeof(t), "%s", e.text);
			t[0] = (char)(t[0] >= 'A' && t[0] <= 'Z' ? t[0] + 32 : t[0]);
			http_reply_error(r, 400, field, "field '%s': %s", field, t);
		} else {
			http_reply_error(r, 400, NULL, "the body must be a JSON object");
		}
		break;
	default:
		http_reply_error(r, 400, field[0] ? field : NULL, "%s", e.text);
		break;
	}
	return -1;
}

/*
 * The debug log line of an answered request, with its path: tests and
 * admins read which script or file a machine fetched from it. The path
 * is client-supplied: printable ASCII only in the log.
 */
static void log_request(const struct http_req *r, const char *where)
{
	char url[256];
	size_t i;

	if (log_get_level() < LOG_LVL_DEBUG)
		return;
	for (i = 0; r->url && r->url[i] && i < sizeof(url) - 1; i++)
		url[i] = r->url[i] > 0x20 && r->url[i] < 0x7f ? r->url[i] : '?';
	url[i] = '\0';
	log_debug("http: %s %s %s %d%s", r->peer, r->method, url, r->status, where);
}

/* ---- the MHD side ---- */

static bool token_ok(struct http *h, struct http_req *r, bool *given)
{
	const char *a = http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);

	*given = false;
	if (!a)
		return false;
	*given = true;
	if (strncasecmp(a, "Bearer ", 7))
		return false;
	a += 7;
	while (*a == ' ')
		a++;
	return h->token && str_equal_ct(a, h->token);
}

static bool is_json_type(const char *ct)
{
	size_t n = strlen("application/json");

	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	return !strncasecmp(ct, "application/json", n) &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static enum MHD_Result send_reply(struct http_req *r)
{
	struct http *h = r->h;
	enum MHD_Result ret;
	int mi = method_index(r->method), si;

	if (!r->resp)
		http_reply_error(r, 500, NULL, "internal error: %s %s gave no answer",
				 r->method, r->url);
	if (!r->resp)
		return MHD_NO;
	for (struct header *hd = r->headers; hd; hd = hd->next)
		MHD_add_response_header(r->resp, hd->name, hd->value);
	if (!strncmp(r->url, "/api/", 5))
		MHD_add_response_header(r->resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	si = status_index(r->status);
	if (r->route >= 0)
		atomic_fetch_add_explicit(&h->routes[r->route].counts[mi][si], 1,
					  memory_order_relaxed);
	else
		atomic_fetch_add_explicit(&h->unmatched[mi][si], 1, memory_order_relaxed);
	log_request(r, "");
	ret = MHD_queue_response(r->conn, (unsigned int)r->status, r->resp);
	MHD_destroy_response(r->resp);
	r->resp = NULL;
	return ret;
}

static void peer_name(struct http_req *r)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	r->peer[0] = '\0';
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr,
			  r->peer, sizeof(r->peer));
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr,
			  r->peer, sizeof(r->peer));
}

/*
 * Does the path of @raw (as sent) decode to a NUL? libmicrohttpd hands on
 * the decoded path as a C string, so "/ipxe/ipxe.efi%00.png" would be
 * routed as "/ipxe/ipxe.efi"; the acceptor's fast path refuses it too.
 */
static bool path_has_nul(const char *raw)
{
	size_t plen = raw ? strcspn(raw, "?#") : 0;
	char *p = raw ? strndup(raw, plen) : NULL;
	bool nul = p && MHD_http_unescape(p) != strlen(p);

	free(p);
	return nul;
}

/* The first call: route, auth, content checks. True when answered already. */
static bool request_start(struct http_req *r)
{
	struct http *h = r->h;
	char allow[128];
	bool given;
	const struct http_route *rt;
	const char *cl;
	size_t plen = strlen(r->url) + 1;
	int idx;

	peer_name(r);
	r->pathbuf = malloc(plen);
	if (!r->pathbuf) {
		http_reply_error(r, 500, NULL, "out of memory");
		return true;
	}
	if (path_has_nul(r->raw_url)) {
		http_reply_error(r, 400, "path", "the path holds a NUL byte (%%00)");
		return true;
	}
	idx = http_match(h, r->method, r->url, r->pathbuf, plen, &r->m, allow, sizeof(allow));
	r->route = idx;
	rt = idx >= 0 ? h->routes[idx].r : NULL;
	if (!strncmp(r->url, "/api/", 5) && !(rt && (rt->flags & HTTP_ROUTE_PUBLIC)) &&
	    !token_ok(h, r, &given)) {
		http_add_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				given ? "Bearer realm=\"bootsand\", error=\"invalid_token\""
				      : "Bearer realm=\"bootsand\"");
		http_reply_error(r, 401, NULL, given ? "invalid API token"
					     : "an API token is required (Authorization: Bearer ...)");
		return true;
	}
	if (idx == -404) {
		http_reply_error(r, 404, NULL, "no such resource: %s", r->url);
		return true;
	}
	if (idx == -405) {
		http_add_header(r, MHD_HTTP_HEADER_ALLOW, allow);
		http_reply_error(r, 405, NULL, "method %s not allowed on %s (allowed: %s)",
				 r->method, r->url, allow);
		return true;
	}
	cl = http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > h->body_limit) {
		/* Clients that wait for 100 Continue then send nothing. */
		http_reply_error(r, 413, NULL, "request body over %zu bytes", h->body_limit);
		return true;
	}
	if ((rt->flags & HTTP_ROUTE_JSON) &&
	    !is_json_type(http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE))) {
		http_reply_error(r, 415, NULL, "the body must be application/json");
		return true;
	}
	return false;
}

static void request_run(struct http_req *r)
{
	const struct http_route *rt = r->h->routes[r->route].r;

	if (r->too_large) {
		http_reply_error(r, 413, NULL, "request body over %zu bytes", r->h->body_limit);
		return;
	}
	if (rt->flags & HTTP_ROUTE_JSON) {
		json_error_t e;

		if (!r->body_len) {
			http_reply_error(r, 400, NULL, "a JSON body is required");
			return;
		}
		r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &e);
		if (!r->json) {
			http_reply_error(r, 400, NULL, "invalid JSON: %s (line %d, column %d)",
					 e.text, e.line, e.column);
			return;
		}
	}
	rt->handler(r);
}

/*
 * Does the request announce a body? A reply decided before the body is
 * sent only after the body has been read and dropped (up to DRAIN_FACTOR
 * times the limit; a chunked one, whose size is not announced, to its end
 * within DRAIN_SECONDS), so that clients writing it do not meet a closed
 * connection; bigger bodies get the reply at once and the connection closed.
 */
#define DRAIN_FACTOR 8
#define DRAIN_SECONDS 30

static bool has_body(struct http_req *r, uint64_t *len)
{
	const char *cl = http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *te = http_header(r, MHD_HTTP_HEADER_TRANSFER_ENCODING);

	*len = cl ? strtoull(cl, NULL, 10) : 0;
	return *len > 0 || (te && strcasestr(te, "chunked"));
}

/* The connection's watch (http_accept.h): a request under way or done. */
static void watch_busy(struct MHD_Connection *conn, bool busy)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	if (ci)
		http_watch_busy(ci->socket_context, busy);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version,
				 const char *upload_data, size_t *upload_data_size,
				 void **con_cls)
{
	struct http *h = cls;
	struct http_req *r = *con_cls;
	size_t drain_limit = h->body_limit * DRAIN_FACTOR;

	(void)version;
	if (!r || !r->started) {
		uint64_t len;

		if (!r)
			r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->started = true;
		r->start = now_mono();
		watch_busy(conn, true);
		r->h = h;
		r->conn = conn;
		r->method = method;
		r->url = url;
		r->route = -1;
		*con_cls = r;
		if (request_start(r)) {
			if (has_body(r, &len) && len <= drain_limit) {
				r->early = true;	/* reply after the body */
				return MHD_YES;
			}
			return send_reply(r);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (r->early || r->too_large || r->body_len + n > h->body_limit) {
			/* Drop it; give up on bodies far over the limit. */
			if (!r->early)
				r->too_large = true;
			r->drained += n;
			/*
			 * libmicrohttpd 0.9.75 cannot queue a reply in the middle
			 * of a body, so a chunked body (its size unknown up front)
			 * is read to its end and answered 413 then; only a body
			 * still coming after DRAIN_SECONDS is cut off unanswered.
			 */
			return r->drained > drain_limit &&
			       now_mono() - r->start > DRAIN_SECONDS ? MHD_NO : MHD_YES;
		}
		if (r->body_len + n + 1 > r->body_cap) {
			size_t cap = r->body_cap ? r->body_cap : 4096;
			char *b;

			while (cap < r->body_len + n + 1)
				cap *= 2;
			b = realloc(r->body, cap);
			if (!b)
				return MHD_NO;
			r->body = b;
			r->body_cap = cap;
		}
		memcpy(r->body + r->body_len, upload_data, n);
		r->body_len += n;
		r->body[r->body_len] = '\0';
		return MHD_YES;
	}
	if (!r->early)
		request_run(r);
	return send_reply(r);
}

/* The request's header list, as the fast path and libmicrohttpd's path keep it. */
static void headers_free(struct http_req *r)
{
	while (r->headers) {
		struct header *n = r->headers->next;

		free(r->headers->name);
		free(r->headers->value);
		free(r->headers);
		r->headers = n;
	}
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_req *r = *con_cls;

	(void)cls;
	(void)toe;
	watch_busy(conn, false);
	if (!r)
		return;
	headers_free(r);
	if (r->resp)
		MHD_destroy_response(r->resp);
	json_decref(r->json);
	free(r->body);
	free(r->pathbuf);
	free(r->raw_url);
	free(r);
	*con_cls = NULL;
}

/* Before MHD decodes the URL: keep it as sent (see http_raw_url()). */
static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_req *r = calloc(1, sizeof(*r));

	(void)cls;
	(void)conn;
	if (r)
		r->raw_url = strdup(uri);
	return r;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	(void)cls;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_debug("libmicrohttpd: %s", buf);
}

/* A connection starts being watched; closed, its address holds one less. */
static void connection_cb(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http *h = cls;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context = ci ? http_acceptor_watch(h->acceptor, ci->connect_fd) : NULL;
		return;
	}
	if (toe != MHD_CONNECTION_NOTIFY_CLOSED)
		return;
	http_acceptor_unwatch(h->acceptor, *socket_context);
	*socket_context = NULL;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr)
		http_acceptor_closed(h->acceptor, ci->client_addr);
}

/* ---- the fast path: answered on an acceptor thread (HTTP_ROUTE_FAST) ---- */

/*
 * Split the head in @c (NUL-terminated) into its request line and headers.
 * False for anything unusual (bare LF, folded lines, too many headers):
 * libmicrohttpd then has it, and answers it as it always did.
 */
static bool fast_split(char *c, struct fast_head *f, char **method, char **target, bool *http10)
{
	char *line = c, *eol = strstr(line, "\r\n"), *sp, *ver;

	if (!eol)
		return false;
	*eol = '\0';
	if (!(sp = strchr(line, ' ')))
		return false;
	*sp = '\0';
	*method = line;
	*target = sp + 1;
	if (!(sp = strchr(*target, ' ')))
		return false;
	*sp = '\0';
	ver = sp + 1;
	if (!strcmp(ver, "HTTP/1.1"))
		*http10 = false;
	else if (!strcmp(ver, "HTTP/1.0"))
		*http10 = true;
	else
		return false;
	for (line = eol + 2;; line = eol + 2) {
		char *colon, *v, *e, *blank;

		if (!(eol = strstr(line, "\r\n")))
			return false;
		if (eol == line)
			return true;	/* the blank line */
		*eol = '\0';
		colon = strchr(line, ':');
		blank = strpbrk(line, " \t");
		/* No name, a blank inside it, or more headers than we keep. */
		if (!colon || colon == line || f->nhdr == FAST_HEADERS ||
		    (blank && blank < colon))
			return false;
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t'); )
			*--e = '\0';
		f->hname[f->nhdr] = line;
		f->hval[f->nhdr++] = v;
	}
}

/* The whole response to the fast request @r: malloc'ed, its length in @len. */
static char *fast_response(struct http_req *r, bool head_only, bool close, size_t *len)
{
	struct fast_head *f = r->fast;
	const char *reason = MHD_get_reason_phrase_for((unsigned int)r->status);
	size_t cap = 512 + f->len, n;
	char date[64], *out;
	struct tm tm;
	time_t t = time(NULL);

	for (struct header *hd = r->headers; hd; hd = hd->next)
		cap += strlen(hd->name) + strlen(hd->value) + 4;
	if (!(out = malloc(cap)))
		return NULL;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	n = (size_t)snprintf(out, cap, "HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Length: %zu\r\n",
			     r->status, reason && *reason ? reason : "Unknown", date, f->len);
	if (f->ctype[0])
		n += (size_t)snprintf(out + n, cap - n, "Content-Type: %s\r\n", f->ctype);
	for (struct header *hd = r->headers; hd; hd = hd->next)
		n += (size_t)snprintf(out + n, cap - n, "%s: %s\r\n", hd->name, hd->value);
	n += (size_t)snprintf(out + n, cap - n, "%s\r\n", close ? "Connection: close\r\n" : "");
	if (!head_only && f->len) {
		memcpy(out + n, f->buf, f->len);
		n += f->len;
	}
	*len = n;
	return out;
}

static void fast_free(struct http_req *r)
{
	headers_free(r);
	free(r->pathbuf);
	free(r->fast->buf);
	free(r->fast->args);
	free(r->fast->path);
	free(r->fast->copy);
}

static void fast_peer(struct http_req *r, const struct sockaddr *sa)
{
	r->peer[0] = '\0';
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  r->peer, sizeof(r->peer));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
			  r->peer, sizeof(r->peer));
}

/*
 * conf.serve of the acceptor: a GET or HEAD without a body for an
 * HTTP_ROUTE_FAST route is answered here (or sent to the slow daemon when
 * its handler says so), the rest goes to libmicrohttpd.
 */
static enum http_serve fast_serve(void *cls, const char *head, size_t len, const struct sockaddr *peer,
		       struct http_fast_reply *out)
{
	struct http *h = cls;
	struct fast_head f = { 0 };
	struct http_req r = { .h = h, .fast = &f, .route = -1 };
	char *method, *target, allow[128];
	bool http10, close, head_only;
	const char *conn;
	size_t plen;
	int idx;

	if (!(f.copy = malloc(len + 1)))
		return false;
	memcpy(f.copy, head, len);
	f.copy[len] = '\0';
	if (!fast_split(f.copy, &f, &method, &target, &http10) || target[0] != '/' ||
	    (strcmp(method, "GET") && strcmp(method, "HEAD")))
		goto not_here;
	r.method = method;
	r.raw_url = target;
	/* A body, or anything but a plain request, is libmicrohttpd's. */
	for (int i = 0; i < f.nhdr; i++)
		if ((!strcasecmp(f.hname[i], "Content-Length") && strcmp(f.hval[i], "0")) ||
		    !strcasecmp(f.hname[i], "Transfer-Encoding") ||
		    !strcasecmp(f.hname[i], "Expect") || !strcasecmp(f.hname[i], "Upgrade"))
			goto not_here;
	plen = strcspn(target, "?#");
	if (!(f.path = strndup(target, plen)) || MHD_http_unescape(f.path) != strlen(f.path) ||
	    !strncmp(f.path, "/api/", 5))
		goto not_here;
	r.url = f.path;
	plen = strlen(f.path) + 1;
	if (!(r.pathbuf = malloc(plen)))
		goto not_here;
	idx = http_match(h, method, f.path, r.pathbuf, plen, &r.m, allow, sizeof(allow));
	if (idx < 0 || !(h->routes[idx].r->flags & HTTP_ROUTE_FAST))
		goto not_here;
	r.route = idx;
	r.started = true;
	r.start = now_mono();
	fast_peer(&r, peer);
	h->routes[idx].r->handler(&r);
	if (f.elsewhere) {
		log_debug("http: %s %s (acceptor) goes to a thread of its own", r.peer, r.method);
		fast_free(&r);
		return HTTP_SERVE_SLOW;
	}
	if (!f.replied)
		http_reply_error(&r, 500, NULL, "internal error: %s %s gave no answer",
				 r.method, r.url);
	conn = http_header(&r, "Connection");
	close = http10 || (conn && strcasestr(conn, "close"));
	head_only = !strcmp(method, "HEAD");
	atomic_fetch_add_explicit(&h->routes[idx].counts[method_index(method)][status_index(r.status)],
				  1, memory_order_relaxed);
	out->buf = f.replied ? fast_response(&r, head_only, close, &out->len) : NULL;
	out->close = close;
	if (!out->buf) {
		/* Out of memory: the connection is closed unanswered. */
		out->buf = strdup("");
		out->len = 0;
		out->close = true;
	}
	log_request(&r, " (acceptor)");
	fast_free(&r);
	return HTTP_SERVE_DONE;
not_here:
	fast_free(&r);
	return HTTP_SERVE_HAND_OVER;
}

static struct MHD_Daemon *start_mhd(struct http *h, unsigned int threads, unsigned int limit)
{
	/*
	 * poll(), not epoll: libmicrohttpd 0.9.75's epoll loop calls
	 * epoll_wait() again, with the full connection timeout, whenever a call
	 * returned exactly its 128-event maximum; if nothing else happens, the
	 * 128 connections it just marked ready wait up to HTTP_CONN_TIMEOUT.
	 * In a boot storm that is every client of that loop waiting 120 s (seen
	 * about once in 100 storms of 1,000 clients; never with poll() in 400).
	 * poll() costs more CPU per request but cannot miss a ready socket.
	 * No listen socket: the acceptor (http_accept.c) adds connections, and
	 * the ITC wakes the loop that gets one.
	 */
	unsigned int flags = MHD_USE_ERROR_LOG | MHD_USE_POLL_INTERNAL_THREAD |
			     MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC;

	return MHD_start_daemon(flags, 0, NULL, NULL, access_cb, h,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
				MHD_OPTION_THREAD_POOL_SIZE, threads,
				MHD_OPTION_CONNECTION_LIMIT, limit,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_CONN_TIMEOUT,
				MHD_OPTION_NOTIFY_COMPLETED, completed_cb, h,
				MHD_OPTION_NOTIFY_CONNECTION, connection_cb, h,
				MHD_OPTION_URI_LOG_CALLBACK, uri_cb, h,
				MHD_OPTION_END);
}

int http_start(struct http *h, char *err, size_t errlen)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	/*
	 * One event loop per CPU: more only adds context switches (sendfile()
	 * needs no waiting), but at least two, so that a slow request leaves
	 * the other loop free.
	 */
	unsigned int threads = cpus < HTTP_MIN_THREADS ? HTTP_MIN_THREADS :
			       cpus > HTTP_MAX_THREADS ? HTTP_MAX_THREADS : (unsigned int)cpus;
	struct http_accept_conf conf = {
		.per_address = h->per_address, .deadline = h->deadline,
		.max_waiting = HTTP_CONN_LIMIT, .serve = fast_serve, .serve_cls = h,
	};
	int fds[HTTP_MAX_THREADS * HTTP_MAX_LISTEN];
	unsigned int loops = 1;

	h->boot_mhd = start_mhd(h, threads, HTTP_CONN_LIMIT);
	/* The API's share: its own connections and loop, whatever boot clients do. */
	h->api_mhd = start_mhd(h, 1, HTTP_API_CONN_LIMIT);
	/* Fast requests that would hold up an acceptor (http.h). */
	h->slow_mhd = start_mhd(h, HTTP_SLOW_THREADS, HTTP_SLOW_CONN_LIMIT);
	if (!h->boot_mhd || !h->api_mhd || !h->slow_mhd) {
		snprintf(err, errlen, "cannot start the HTTP server");
		http_stop(h);
		return -EIO;
	}
	for (size_t i = 0; i < h->nlisten; i++)
		fds[i] = h->listen[i].fd;
	/* An acceptor per event loop, each with its own sockets on the same ports. */
	for (; loops < threads; loops++) {
		size_t i;

		for (i = 0; i < h->nlisten; i++) {
			fds[loops * h->nlisten + i] = listen_shared(&h->listen[i].ss,
								    h->listen[i].sslen);
			if (fds[loops * h->nlisten + i] < 0)
				break;
		}
		if (i < h->nlisten) {
			log_warn("http: one acceptor less: cannot share %s: %s",
				 h->listen[i].name, strerror(errno));
			while (i--)
				close(fds[loops * h->nlisten + i]);
			break;
		}
	}
	conf.fds = fds;
	conf.nfds = h->nlisten;
	conf.nloops = loops;
	conf.boot = h->boot_mhd;
	conf.api = h->api_mhd;
	conf.slow = h->slow_mhd;
	conf.slow_limit = HTTP_SLOW_CONN_LIMIT;
	conf.publish = &h->acceptor;
	http_acceptor_start(&conf, err, errlen);
	for (size_t i = 0; i < h->nlisten; i++)
		h->listen[i].fd = -1;	/* the acceptor's now */
	if (!h->acceptor) {
		http_stop(h);
		return -EIO;
	}
	for (size_t i = 0; i < h->nlisten; i++)
		log_info("listening on http://%s", h->listen[i].name);
	h->running = true;
	return 0;
}

void http_stop(struct http *h)
{
	/* No new connections first; the daemons' closes still count down. */
	http_acceptor_stop(h->acceptor);
	if (h->boot_mhd)
		MHD_stop_daemon(h->boot_mhd);
	if (h->api_mhd)
		MHD_stop_daemon(h->api_mhd);
	if (h->slow_mhd)
		MHD_stop_daemon(h->slow_mhd);
	h->boot_mhd = h->api_mhd = h->slow_mhd = NULL;
	http_acceptor_free(h->acceptor);
	h->acceptor = NULL;
	h->running = false;
}

/* ---- metrics ---- */

static void metrics_line(FILE *out, const char *route, int mi, int si, unsigned long v)
{
	char code[8];

	if (si == (int)NSTATUS - 1)
		snprintf(code, sizeof(code), "other");
	else
		snprintf(code, sizeof(code), "%d", tracked[si]);
	fprintf(out, "bootsand_http_requests_total{method=\"%s\",route=\"%s\",code=\"%s\"} %lu\n",
		method_names[mi], route, code, v);
}

void http_metrics(struct http *h, FILE *out)
{
	fprintf(out, "# HELP bootsand_http_requests_total HTTP requests answered, "
		     "by method, route pattern and status.\n"
		     "# TYPE bootsand_http_requests_total counter\n");
	for (size_t i = 0; i < h->nroutes; i++)
		for (int mi = 0; mi < METHODS; mi++)
			for (int si = 0; si < (int)NSTATUS; si++) {
				unsigned long v = atomic_load_explicit(
					&h->routes[i].counts[mi][si], memory_order_relaxed);

				if (v)
					metrics_line(out, h->routes[i].r->pattern, mi, si, v);
			}
	for (int mi = 0; mi < METHODS; mi++)
		for (int si = 0; si < (int)NSTATUS; si++) {
			unsigned long v = atomic_load_explicit(&h->unmatched[mi][si],
							       memory_order_relaxed);

			if (v)
				metrics_line(out, "unmatched", mi, si, v);
		}
}
