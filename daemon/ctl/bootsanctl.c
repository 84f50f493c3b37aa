// SPDX-License-Identifier: GPL-2.0
/*
 * bootsanctl: the command line for bootsand's REST API.
 *
 * Every command is one or a few HTTP requests (libcurl) with JSON bodies
 * (jansson). Output is a table or "key: value" lines for people, or the
 * API's own JSON with --json for scripts. Exit status: 0 done, 1 the API
 * refused (its {"error","field"} is shown), 2 bad usage, 3 bootsand could
 * not be reached.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#define EXIT_API	1
#define EXIT_USAGE	2
#define EXIT_CONNECT	3

#define DEFAULT_URL		"http://127.0.0.1:8080"
#define DEFAULT_TOKEN_FILE	"/var/lib/bootsand/api-token"
#define MAX_ARGS		256

static struct {
	const char *url;
	const char *token_file;
	bool token_file_given;
	bool json;
	bool no_wait;
	char token[256];
	CURL *curl;
} opt;

static const char usage_text[] =
"Usage: bootsanctl [OPTIONS] COMMAND ...\n"
"\n"
"Commands:\n"
"  status\n"
"  image list | show NAME | delete NAME\n"
"  image create NAME --size SIZE          a new sparse image (SIZE: 512, 20G, 1.5T...)\n"
"  image create NAME --from IMAGE         a clone (a job; a progress bar until it ends)\n"
"  image create NAME --overlay-of GOLDEN  a copy-on-write overlay of GOLDEN, made at once\n"
"  image resize NAME --size SIZE          grow an image\n"
"  image flatten NAME [--force]           an overlay made an ordinary image (a job)\n"
"  image reset NAME [--force]             an overlay made fresh over its golden's\n"
"                                         current version (--force: even while\n"
"                                         iSCSI sessions use it)\n"
"  image versions NAME                    a golden's versions and their overlays\n"
"  image update NAME --from IMAGE         IMAGE becomes NAME's next version: new\n"
"                                         overlays and resets get it, the others\n"
"                                         keep theirs\n"
"  job list | show ID\n"
"  portal list | delete ADDRESS:PORT\n"
"  portal add ADDRESS[:PORT] [--tpgt N] [--max-connections N]\n"
"         [--login-timeout SECONDS]      (0 to 3600; 0: the module's default, 15)\n"
"  target list | show IQN | delete IQN [--force]\n"
"  target set IQN [--allow-any yes|no] [--read-only yes|no] [--alias TEXT]\n"
"         [--nop-in-interval SECONDS] [--max-sessions N] [--queue-depth N]\n"
"                                        change a target's settings (0 for the last\n"
"                                        two: the module's default)\n"
"  target create IQN [--lun [N=]IMAGE|/dev/DEVICE]... [--backend fileio|blockio]\n"
"         [--direct] [--acl INITIATOR]... [--allow-any] [--read-only] [--alias TEXT]\n"
"         [--nop-in-interval SECONDS]    (--allow-any: every initiator may log in;\n"
"                                         without it only the --acl ones, and no --acl\n"
"                                         admits nobody)\n"
"         [--chap-user USER (--chap-secret S | --chap-secret-file F)]\n"
"         [--mutual-user USER (--mutual-secret S | --mutual-secret-file F)]\n"
"  session list | kill ID\n"
"  client list | show NAME | delete NAME\n"
"  client approve NAME | deny NAME       a pending client (register policy): approve\n"
"                                        makes it active; deny forgets it\n"
"  client create NAME [--mac MAC]... [--uuid UUID] [--serial S] [--profile P]\n"
"         [--image IMAGE] [--label KEY=VALUE]...\n"
"  profile list | show NAME | delete NAME\n"
"  profile create NAME --kind KIND [--set KEY=VALUE]...   (VALUE: JSON or text)\n"
"                 [--preseed FILE]   (linux: the Debian installer's answers)\n"
"  dhcp show                              the DHCP settings and dnsmasq's status\n"
"  dhcp set [--mode off|full|proxy] [--interface IF] [--server-address IP]\n"
"         [--http-port N] [--range-start IP] [--range-end IP] [--netmask MASK]\n"
"         [--router IP] [--lease-seconds N] [--proxy-subnet NET] [--tftp yes|no]\n"
"                                        change some (doc/dhcp.md); \"\" clears one\n"
"\n"
"Options:\n"
"  --url URL          bootsand's address (env BOOTSAN_URL; default " DEFAULT_URL ")\n"
"  --token-file FILE  API token (env BOOTSAN_TOKEN_FILE; default " DEFAULT_TOKEN_FILE ")\n"
"  --json             print the API's JSON (for scripts)\n"
"  --no-wait          return as soon as a clone or flatten job is started\n"
"  -h, --help         this text\n"
"\n"
"Exit status: 0 done, 1 the API refused, 2 bad usage, 3 cannot reach bootsand.\n";

static void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("bootsanctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'bootsanctl --help'.\n", stderr);
	exit(EXIT_USAGE);
}

static void __attribute__((noreturn, format(printf, 2, 3))) die(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("bootsanctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

/* ---- arguments ---- */

/* The words after the command, consumed left to right. */
struct args {
	char **v;
	int n, i;
};

static const char *next_word(struct args *a)
{
	return a->i < a->n ? a->v[a->i++] : NULL;
}

static bool is_option(const char *s)
{
	return s[0] == '-' && s[1] == '-';
}

/* The value of option @name; "--x=v" and "--x v" both work. */
static const char *option_value(struct args *a, const char *word, const char *name)
{
	const char *eq = strchr(word, '=');
	const char *v;

	if (eq)
		return eq + 1;
	v = next_word(a);
	if (!v)
		usage_error("option '%s' needs a value", name);
	return v;
}

/* True when @word is option @name (with or without "=value"). */
static bool option_is(const char *word, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(word, name, n) && (word[n] == '\0' || word[n] == '=');
}

/* The value of option @name as a whole number; the API checks its range. */
static json_t *number_value(struct args *a, const char *word, const char *name)
{
	const char *v = option_value(a, word, name);
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (!*v || *end || errno)
		usage_error("bad %s '%s' (want a number)", name, v);
	return json_integer(n);
}

/* The one positional argument a command takes; usage error if absent. */
static const char *positional(struct args *a, const char *what)
{
	const char *w = next_word(a);

	if (!w || is_option(w))
		usage_error("missing %s", what);
	return w;
}

static void no_more(struct args *a)
{
	const char *w = next_word(a);

	if (w)
		usage_error(is_option(w) ? "unknown option '%s'" : "unexpected argument '%s'", w);
}

/*
 * "512", "20G", "1.5T", "64MiB": bytes, binary multiples. The result must
 * be a whole number of bytes; the daemon checks the 512-byte multiple.
 */
static int parse_size(const char *s, uint64_t *out)
{
	static const char units[] = "KMGTPE";
	const char *p = s, *u;
	uint64_t whole = 0, frac_num = 0, frac_den = 1, mult = 1;
	int shift;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (whole > (UINT64_MAX - 9) / 10)
			return -1;
		whole = whole * 10 + (uint64_t)(*p - '0');
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++) {
			if (frac_den >= 1000000000000ULL)
				return -1;
			frac_num = frac_num * 10 + (uint64_t)(*p - '0');
			frac_den *= 10;
		}
	}
	if (*p) {
		u = strchr(units, toupper((unsigned char)*p));
		if (!u)
			return -1;
		shift = 10 * (int)(u - units + 1);
		mult = 1ULL << shift;
		p++;
		if (!strcasecmp(p, "ib") || !strcasecmp(p, "b"))
			p += strlen(p);
		if (*p)
			return -1;
	}
	if (whole > UINT64_MAX / mult)
		return -1;
	whole *= mult;
	if (frac_num) {
		/* frac_num / frac_den < 1; mult <= 2^60 and frac_den <= 10^12 */
		unsigned __int128 f = (unsigned __int128)frac_num * mult;

		if (f % frac_den)
			return -1;
		if (whole > UINT64_MAX - (uint64_t)(f / frac_den))
			return -1;
		whole += (uint64_t)(f / frac_den);
	}
	*out = whole;
	return 0;
}

static void human_size(uint64_t v, char *buf, size_t size)
{
	static const char units[] = "KMGTPE";
	double x = (double)v;
	int i = -1;

	if (v < 1024) {
		snprintf(buf, size, "%" PRIu64 "B", v);
		return;
	}
	while (x >= 1024 && i < 5) {
		x /= 1024;
		i++;
	}
	snprintf(buf, size, x < 10 && x != (double)(uint64_t)x ? "%.1f%c" : "%.0f%c", x, units[i]);
}

/* ---- HTTP ---- */

struct buf {
	char *p;
	size_t len;
};

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t add = size * n;
	char *p = realloc(b->p, b->len + add + 1);

	if (!p)
		return 0;
	memcpy(p + b->len, data, add);
	b->len += add;
	p[b->len] = '\0';
	b->p = p;
	return add;
}

/* Path segments keep what RFC 3986 allows in a segment; the rest is %XX. */
static char *escape_segment(const char *s)
{
	static const char ok[] = "-._~:@!$&'()*+,;=";
	char *out = malloc(strlen(s) * 3 + 1), *o = out;

	if (!out)
		die(EXIT_API, "out of memory");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr(ok, c))
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

/*
 * One request; @body (stolen) is sent as JSON. Returns the HTTP status and
 * the decoded reply in *reply (NULL when empty). Exits 3 when bootsand
 * cannot be reached, 1 when the reply is not JSON.
 */
static long request(const char *method, const char *path, json_t *body, json_t **reply)
{
	struct curl_slist *h = NULL;
	struct buf b = { 0 };
	char url[2048], auth[320], errbuf[CURL_ERROR_SIZE] = "";
	char *text = NULL;
	long status = 0;
	CURLcode rc;

	*reply = NULL;
	snprintf(url, sizeof(url), "%s%s", opt.url, path);
	curl_easy_reset(opt.curl);
	curl_easy_setopt(opt.curl, CURLOPT_URL, url);
	curl_easy_setopt(opt.curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(opt.curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(opt.curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(opt.curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(opt.curl, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(opt.curl, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(opt.curl, CURLOPT_NOSIGNAL, 1L);
	h = curl_slist_append(h, "Accept: application/json");
	if (opt.token[0]) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", opt.token);
		h = curl_slist_append(h, auth);
	}
	if (body) {
		text = json_dumps(body, JSON_COMPACT);
		json_decref(body);
		if (!text)
			die(EXIT_API, "out of memory");
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(opt.curl, CURLOPT_POSTFIELDS, text);
	}
	curl_easy_setopt(opt.curl, CURLOPT_HTTPHEADER, h);
	rc = curl_easy_perform(opt.curl);
	curl_slist_free_all(h);
	if (text) {
		explicit_bzero(text, strlen(text));
		free(text);
	}
	explicit_bzero(auth, sizeof(auth));
	if (rc != CURLE_OK) {
		free(b.p);
		die(EXIT_CONNECT, "cannot reach bootsand at %s: %s", opt.url,
		    errbuf[0] ? errbuf : curl_easy_strerror(rc));
	}
	curl_easy_getinfo(opt.curl, CURLINFO_RESPONSE_CODE, &status);
	if (b.len) {
		json_error_t e;

		*reply = json_loads(b.p, 0, &e);
		if (!*reply)
			die(EXIT_API, "%s %s: HTTP %ld with a reply that is not JSON: %.200s",
			    method, path, status, b.p);
	}
	free(b.p);
	return status;
}

/* Exit 1 with the API's error message and field. */
static void __attribute__((noreturn)) api_error(long status, json_t *reply)
{
	const char *msg = json_string_value(json_object_get(reply, "error"));
	const char *field = json_string_value(json_object_get(reply, "field"));

	fprintf(stderr, "bootsanctl: error: %s", msg ? msg : "(no message)");
	if (field)
		fprintf(stderr, " (field: %s)", field);
	fprintf(stderr, " [HTTP %ld]\n", status);
	if (status == 401)
		fprintf(stderr, "bootsanctl: the token comes from %s (--token-file or "
			"BOOTSAN_TOKEN_FILE)%s\n", opt.token_file,
			opt.token[0] ? "" : ", which is missing or empty");
	exit(EXIT_API);
}

/* A request that must succeed: the reply (caller owns), or exit 1. */
static json_t *call(const char *method, const char *path, json_t *body)
{
	json_t *reply;
	long status = request(method, path, body, &reply);

	if (status < 200 || status > 299)
		api_error(status, reply);
	return reply;
}

/* "/api/v1/<collection>/<escaped name><tail>" */
static void item_path(char *buf, size_t size, const char *coll, const char *name,
		      const char *tail)
{
	char *e = escape_segment(name);

	snprintf(buf, size, "/api/v1/%s/%s%s", coll, e, tail ? tail : "");
	free(e);
}

/* ---- output ---- */

static void print_json(json_t *j)
{
	if (j)
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	else
		fputs("{}", stdout);
	fputc('\n', stdout);
}

enum cell { C_TEXT, C_SIZE, C_BOOL, C_COUNT, C_LIST, C_PCT };

struct column {
	const char *head;
	const char *key;
	enum cell kind;
};

/* A JSON value in a table cell. */
static char *cell_text(json_t *v, enum cell kind)
{
	char buf[64], *s = NULL;

	if (!v || json_is_null(v))
		return strdup("-");
	switch (kind) {
	case C_SIZE:
		if (json_is_integer(v)) {
			human_size((uint64_t)json_integer_value(v), buf, sizeof(buf));
			return strdup(buf);
		}
		break;
	case C_BOOL:
		return strdup(json_is_true(v) ? "yes" : "no");
	case C_COUNT:
		if (json_is_array(v)) {
			snprintf(buf, sizeof(buf), "%zu", json_array_size(v));
			return strdup(buf);
		}
		break;
	case C_PCT:
		if (json_is_integer(v)) {
			snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT "%%",
				 json_integer_value(v));
			return strdup(buf);
		}
		break;
	case C_LIST:
		if (json_is_array(v)) {
			size_t i, len = 0;
			json_t *x;
			FILE *f = open_memstream(&s, &len);

			json_array_foreach(v, i, x) {
				const char *t = json_string_value(x);

				if (!t)
					t = json_string_value(json_object_get(x, "image")) ?:
					    json_string_value(json_object_get(x, "device")) ?: "?";
				fprintf(f, "%s%s", i ? "," : "", t);
			}
			fclose(f);
			if (!i) {
				free(s);
				return strdup("-");
			}
			return s;
		}
		break;
	case C_TEXT:
		break;
	}
	if (json_is_string(v))
		return strdup(json_string_value(v)[0] ? json_string_value(v) : "-");
	if (json_is_integer(v)) {
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return strdup(buf);
	}
	if (json_is_boolean(v))
		return strdup(json_is_true(v) ? "yes" : "no");
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	return s ? s : strdup("?");
}

static void print_table(json_t *rows, const struct column *cols, size_t ncols)
{
	size_t nrows = json_array_size(rows), r, c, w[16] = { 0 };
	char **cells = calloc((nrows + 1) * ncols, sizeof(*cells));

	if (!cells || ncols > 16)
		die(EXIT_API, "out of memory");
	for (c = 0; c < ncols; c++) {
		cells[c] = strdup(cols[c].head);
		w[c] = strlen(cols[c].head);
	}
	for (r = 0; r < nrows; r++)
		for (c = 0; c < ncols; c++) {
			char *t = cell_text(json_object_get(json_array_get(rows, r), cols[c].key),
					    cols[c].kind);

			cells[(r + 1) * ncols + c] = t;
			if (t && strlen(t) > w[c])
				w[c] = strlen(t);
		}
	for (r = 0; r <= nrows; r++) {
		for (c = 0; c < ncols; c++) {
			const char *t = cells[r * ncols + c] ?: "?";

			if (c + 1 == ncols)
				printf("%s\n", t);
			else
				printf("%-*s  ", (int)w[c], t);
			free(cells[r * ncols + c]);
		}
	}
	free(cells);
	if (!nrows)
		fprintf(stderr, "(none)\n");
}

/* "key: value" lines; nested objects dotted, arrays of objects indexed. */
static void print_fields(const char *prefix, json_t *o)
{
	const char *k;
	json_t *v;
	char key[256];

	json_object_foreach(o, k, v) {
		snprintf(key, sizeof(key), "%s%s%s", prefix, prefix[0] ? "." : "", k);
		if (json_is_object(v) && json_object_size(v)) {
			print_fields(key, v);
		} else if (json_is_array(v) && json_is_object(json_array_get(v, 0))) {
			size_t i;
			json_t *x;

			json_array_foreach(v, i, x) {
				char ik[300];

				snprintf(ik, sizeof(ik), "%s[%zu]", key, i);
				print_fields(ik, x);
			}
		} else {
			char *t = cell_text(v, json_is_array(v) ? C_LIST : C_TEXT);

			printf("%s: %s\n", key, t ? t : "?");
			free(t);
		}
	}
}

static void show(json_t *j)
{
	if (opt.json)
		print_json(j);
	else
		print_fields("", j);
	json_decref(j);
}

/* A query value: unreserved characters kept, the rest %XX. */
static void escape_query(char *out, size_t size, const char *s)
{
	size_t o = 0;

	for (; *s && o + 4 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-._~", c))
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, size - o, "%%%02X", c);
	}
	out[o] = '\0';
}

/*
 * GET /api/v1/<coll>: every collection answers {"<coll>": [...]}. A long
 * one comes in pages, each but the last with "next" (the after= of the
 * following one): all are fetched, so the list is whole.
 */
static void list(const char *coll, const struct column *cols, size_t ncols)
{
	char path[512], after[256] = "";
	json_t *reply = NULL, *rows = NULL;

	for (;;) {
		json_t *page, *items, *next;

		if (after[0])
			snprintf(path, sizeof(path), "/api/v1/%s?after=%s", coll, after);
		else
			snprintf(path, sizeof(path), "/api/v1/%s", coll);
		page = call("GET", path, NULL);
		items = json_object_get(page, coll);
		next = json_object_get(page, "next");
		if (!json_is_array(items)) {
			if (reply)
				json_decref(page);
			else
				reply = page;	/* --json shows it as it came */
			break;
		}
		if (!reply) {
			reply = page;
			rows = items;
		} else {
			json_array_extend(rows, items);
		}
		if (json_is_string(next))
			escape_query(after, sizeof(after), json_string_value(next));
		else if (json_is_integer(next))
			snprintf(after, sizeof(after), "%" JSON_INTEGER_FORMAT, json_integer_value(next));
		else
			after[0] = '\0';
		if (page != reply)
			json_decref(page);
		if (!after[0])
			break;
	}
	json_object_del(reply, "next");
	if (opt.json)
		print_json(reply);
	else if (rows)
		print_table(rows, cols, ncols);
	else
		die(EXIT_API, "the API's reply holds no list");
	json_decref(reply);
}

/* Deletions answer 204: nothing to print but a word for people. */
static void done_message(const char *fmt, const char *name)
{
	if (!opt.json) {
		printf(fmt, name);
		putchar('\n');
	}
}

/* ---- jobs ---- */

static void draw_bar(const char *what, int pct, const char *state)
{
	static const int width = 30;
	int fill = pct * width / 100, i;

	fprintf(stderr, "\r%s [", what);
	for (i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] %3d%% %-8s", pct, state);
	fflush(stderr);
}

/* Poll a job until it ends; exit 1 if it failed. Returns its final JSON. */
static json_t *wait_job(int64_t id, const char *what)
{
	bool tty = isatty(STDERR_FILENO);
	char path[64];
	json_t *j;

	snprintf(path, sizeof(path), "/api/v1/jobs/%" PRId64, id);
	for (;;) {
		const char *state;
		int pct;

		j = call("GET", path, NULL);
		state = json_string_value(json_object_get(j, "state")) ?: "?";
		pct = (int)json_integer_value(json_object_get(j, "progress"));
		if (tty)
			draw_bar(what, pct, state);
		if (!strcmp(state, "done") || !strcmp(state, "failed"))
			break;
		json_decref(j);
		usleep(200 * 1000);
	}
	if (tty)
		fputc('\n', stderr);
	if (!strcmp(json_string_value(json_object_get(j, "state")), "failed"))
		die(EXIT_API, "error: job %" PRId64 " failed: %s", id,
		    json_string_value(json_object_get(j, "error")) ?: "(no reason given)");
	return j;
}

/* ---- commands ---- */

static void cmd_status(struct args *a)
{
	no_more(a);
	show(call("GET", "/api/v1/status", NULL));
}

static const struct column image_cols[] = {
	{ "NAME", "name", C_TEXT }, { "SIZE", "size_bytes", C_SIZE },
	{ "ALLOCATED", "allocated_bytes", C_SIZE }, { "STATE", "state", C_TEXT },
	{ "LUNS", "luns", C_TEXT }, { "CREATED", "created", C_TEXT },
	{ "GOLDEN", "golden", C_TEXT },
};

static const struct column version_cols[] = {
	{ "VERSION", "version", C_TEXT }, { "CURRENT", "current", C_TEXT },
	{ "SIZE", "size_bytes", C_SIZE }, { "OVERLAYS", "overlays", C_TEXT },
	{ "FROM", "from", C_TEXT }, { "CREATED", "created", C_TEXT },
};

static const struct column job_cols[] = {
	{ "ID", "id", C_TEXT }, { "KIND", "kind", C_TEXT }, { "SUBJECT", "subject", C_TEXT },
	{ "STATE", "state", C_TEXT }, { "PROGRESS", "progress", C_PCT },
	{ "CREATED", "created", C_TEXT }, { "ERROR", "error", C_TEXT },
};

static void image_create(struct args *a)
{
	const char *name = positional(a, "image name"), *w, *from = NULL, *size_s = NULL;
	const char *golden = NULL;
	uint64_t size = 0;
	json_t *reply;
	char path[256];
	int64_t id;

	while ((w = next_word(a))) {
		if (option_is(w, "--size"))
			size_s = option_value(a, w, "--size");
		else if (option_is(w, "--from"))
			from = option_value(a, w, "--from");
		else if (option_is(w, "--overlay-of"))
			golden = option_value(a, w, "--overlay-of");
		else
			usage_error(is_option(w) ? "unknown option '%s'" : "unexpected argument '%s'",
				    w);
	}
	if (!!size_s + !!from + !!golden != 1)
		usage_error("image create takes one of --size SIZE, --from IMAGE, "
			    "--overlay-of GOLDEN");
	if (golden) {
		show(call("POST", "/api/v1/images", json_pack("{s:s, s:s, s:s}", "name", name,
							     "from", golden, "mode", "overlay")));
		return;
	}
	if (size_s) {
		if (parse_size(size_s, &size))
			usage_error("bad size '%s' (want bytes or a number with K, M, G or T)",
				    size_s);
		show(call("POST", "/api/v1/images",
			  json_pack("{s:s, s:I}", "name", name, "size_bytes", (json_int_t)size)));
		return;
	}
	reply = call("POST", "/api/v1/images", json_pack("{s:s, s:s}", "name", name, "from", from));
	id = json_integer_value(json_object_get(reply, "id"));
	if (opt.no_wait || id <= 0) {
		if (opt.json)
			print_json(reply);
		else
			printf("job %" PRId64 ": cloning %s from %s (bootsanctl job show %" PRId64
			       ")\n", id, name, from, id);
		json_decref(reply);
		return;
	}
	json_decref(reply);
	json_decref(wait_job(id, name));
	item_path(path, sizeof(path), "images", name, NULL);
	show(call("GET", path, NULL));
}

/* image flatten|reset NAME [--force] */
static void image_flatten_reset(struct args *a, bool flatten)
{
	const char *name = positional(a, "image name"), *w;
	bool force = false;
	json_t *reply;
	char path[256];
	int64_t id;

	while ((w = next_word(a))) {
		if (strcmp(w, "--force"))
			usage_error(is_option(w) ? "unknown option '%s'" : "unexpected argument '%s'",
				    w);
		force = true;
	}
	item_path(path, sizeof(path), "images", name, flatten ? "/flatten" : "/reset");
	reply = call("POST", path, json_pack("{s:b}", "force", force));
	if (!flatten) {
		show(reply);
		return;
	}
	id = json_integer_value(json_object_get(reply, "id"));
	if (opt.no_wait || id <= 0) {
		if (opt.json)
			print_json(reply);
		else
			printf("job %" PRId64 ": flattening %s (bootsanctl job show %" PRId64 ")\n",
			       id, name, id);
		json_decref(reply);
		return;
	}
	json_decref(reply);
	json_decref(wait_job(id, name));
	item_path(path, sizeof(path), "images", name, NULL);
	show(call("GET", path, NULL));
}

static void cmd_image(struct args *a)
{
	const char *sub = positional(a, "image command (list, show, create, delete, resize, "
				     "flatten, reset, versions, update)");
	char path[256];

	if (!strcmp(sub, "list")) {
		no_more(a);
		list("images", image_cols, sizeof(image_cols) / sizeof(image_cols[0]));
	} else if (!strcmp(sub, "show")) {
		item_path(path, sizeof(path), "images", positional(a, "image name"), NULL);
		no_more(a);
		show(call("GET", path, NULL));
	} else if (!strcmp(sub, "create")) {
		image_create(a);
	} else if (!strcmp(sub, "delete")) {
		const char *name = positional(a, "image name");

		no_more(a);
		item_path(path, sizeof(path), "images", name, NULL);
		json_decref(call("DELETE", path, NULL));
		done_message("image %s deleted", name);
	} else if (!strcmp(sub, "resize")) {
		const char *name = positional(a, "image name"), *w, *size_s = NULL;
		uint64_t size;

		while ((w = next_word(a))) {
			if (!option_is(w, "--size"))
				usage_error(is_option(w) ? "unknown option '%s'" :
					    "unexpected argument '%s'", w);
			size_s = option_value(a, w, "--size");
		}
		if (!size_s)
			usage_error("image resize needs --size SIZE");
		if (parse_size(size_s, &size))
			usage_error("bad size '%s' (want bytes or a number with K, M, G or T)",
				    size_s);
		item_path(path, sizeof(path), "images", name, "/resize");
		show(call("POST", path, json_pack("{s:I}", "size_bytes", (json_int_t)size)));
	} else if (!strcmp(sub, "flatten") || !strcmp(sub, "reset")) {
		image_flatten_reset(a, !strcmp(sub, "flatten"));
	} else if (!strcmp(sub, "versions")) {
		json_t *reply;

		item_path(path, sizeof(path), "images", positional(a, "image name"), "/versions");
		no_more(a);
		reply = call("GET", path, NULL);
		if (opt.json)
			print_json(reply);
		else if (json_is_array(json_object_get(reply, "versions")))
			print_table(json_object_get(reply, "versions"), version_cols, 6);
		else
			die(EXIT_API, "the API's reply holds no list");
		json_decref(reply);
	} else if (!strcmp(sub, "update")) {
		const char *name = positional(a, "image name"), *w, *from = NULL;

		while ((w = next_word(a))) {
			if (!option_is(w, "--from"))
				usage_error(is_option(w) ? "unknown option '%s'" :
					    "unexpected argument '%s'", w);
			from = option_value(a, w, "--from");
		}
		if (!from)
			usage_error("image update needs --from IMAGE");
		item_path(path, sizeof(path), "images", name, "/versions");
		show(call("POST", path, json_pack("{s:s}", "from", from)));
	} else {
		usage_error("unknown image command '%s'", sub);
	}
}

static void cmd_job(struct args *a)
{
	const char *sub = positional(a, "job command (list, show)");
	char path[256];

	if (!strcmp(sub, "list")) {
		no_more(a);
		list("jobs", job_cols, 7);
	} else if (!strcmp(sub, "show")) {
		item_path(path, sizeof(path), "jobs", positional(a, "job id"), NULL);
		no_more(a);
		show(call("GET", path, NULL));
	} else {
		usage_error("unknown job command '%s'", sub);
	}
}

static void cmd_portal(struct args *a)
{
	static const struct column cols[] = {
		{ "ADDRESS", "address", C_TEXT }, { "PORT", "port", C_TEXT },
		{ "TPGT", "tpgt", C_TEXT }, { "MAX-CONN", "max_connections", C_TEXT },
		{ "LOGIN-TIMEOUT", "login_timeout_s", C_TEXT },
	};
	const char *sub = positional(a, "portal command (list, add, delete)");
	char path[256];

	if (!strcmp(sub, "list")) {
		no_more(a);
		list("portals", cols, 5);
	} else if (!strcmp(sub, "add")) {
		const char *spec = positional(a, "portal address"), *w, *colon;
		json_t *max_connections = NULL, *login_timeout = NULL, *body;
		char host[128];
		long port = 3260, tpgt = 1;
		char *end;

		while ((w = next_word(a))) {
			if (option_is(w, "--max-connections")) {
				json_decref(max_connections);
				max_connections = number_value(a, w, "--max-connections");
				continue;
			}
			if (option_is(w, "--login-timeout")) {
				json_decref(login_timeout);
				login_timeout = number_value(a, w, "--login-timeout");
				continue;
			}
			if (!option_is(w, "--tpgt"))
				usage_error(is_option(w) ? "unknown option '%s'" :
					    "unexpected argument '%s'", w);
			w = option_value(a, w, "--tpgt");
			tpgt = strtol(w, &end, 10);
			if (*end || !*w)
				usage_error("bad --tpgt '%s'", w);
		}
		/* ADDRESS, ADDRESS:PORT, [V6] or [V6]:PORT; a bare v6 has no port. */
		colon = strrchr(spec, ':');
		if (spec[0] == '[') {
			const char *close = strchr(spec, ']');

			if (!close || (close[1] && close[1] != ':'))
				usage_error("bad portal '%s' (want [ADDRESS]:PORT)", spec);
			snprintf(host, sizeof(host), "%.*s", (int)(close - spec - 1), spec + 1);
			colon = close[1] ? close + 1 : NULL;
		} else if (colon && strchr(spec, ':') == colon) {
			snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
		} else {
			snprintf(host, sizeof(host), "%s", spec);
			colon = NULL;
		}
		if (colon) {
			port = strtol(colon + 1, &end, 10);
			if (*end || !colon[1])
				usage_error("bad port in '%s'", spec);
		}
		body = json_pack("{s:s, s:I, s:I}", "address", host, "port", (json_int_t)port,
				 "tpgt", (json_int_t)tpgt);
		if (max_connections)
			json_object_set_new(body, "max_connections", max_connections);
		if (login_timeout)
			json_object_set_new(body, "login_timeout_s", login_timeout);
		show(call("POST", "/api/v1/portals", body));
	} else if (!strcmp(sub, "delete")) {
		const char *key = positional(a, "portal (ADDRESS:PORT)");

		no_more(a);
		item_path(path, sizeof(path), "portals", key, NULL);
		json_decref(call("DELETE", path, NULL));
		done_message("portal %s deleted", key);
	} else {
		usage_error("unknown portal command '%s'", sub);
	}
}

/* A secret from a file: its first line, without the newline. */
static json_t *secret_from_file(const char *file)
{
	char buf[512] = "";
	FILE *f = fopen(file, "re");
	json_t *s;

	if (!f)
		usage_error("cannot read secret file '%s': %s", file, strerror(errno));
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\r\n")] = '\0';
	s = json_string(buf);
	explicit_bzero(buf, sizeof(buf));
	return s;
}

/* A whole text file (a preseed: at most 12 KiB, bootsand says so) as a JSON string. */
static json_t *text_from_file(const char *file, const char *option)
{
	static char buf[64 * 1024];
	FILE *f = fopen(file, "re");
	size_t n;

	if (!f)
		usage_error("cannot read %s file '%s': %s", option, file, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	if (ferror(f) || !feof(f))
		usage_error("%s file '%s': %s", option, file, ferror(f) ? strerror(errno) :
			    "larger than 64 KiB");
	fclose(f);
	if (memchr(buf, '\0', n))
		usage_error("%s file '%s' is not text (a NUL byte)", option, file);
	buf[n] = '\0';
	return json_stringn(buf, n);
}

/* "--lun [N=]IMAGE" or "[N=]/dev/X": a LUN object; N defaults to @next. */
static json_t *lun_arg(const char *spec, int next, const char *backend, bool direct)
{
	const char *eq = strchr(spec, '='), *what = spec;
	long n = next;
	json_t *l;

	if (eq) {
		char *end;

		n = strtol(spec, &end, 10);
		if (end != eq || eq == spec)
			usage_error("bad --lun '%s' (want [N=]IMAGE or [N=]/dev/DEVICE)", spec);
		what = eq + 1;
	}
	if (!*what)
		usage_error("bad --lun '%s' (want [N=]IMAGE or [N=]/dev/DEVICE)", spec);
	l = json_pack("{s:I, s:s}", "lun", (json_int_t)n, what[0] == '/' ? "device" : "image",
		      what);
	if (backend)
		json_object_set_new(l, "backend", json_string(backend));
	if (direct)
		json_object_set_new(l, "direct", json_true());
	return l;
}

static void target_create(struct args *a)
{
	const char *iqn = positional(a, "target IQN"), *w, *backend = NULL;
	json_t *body = json_pack("{s:s}", "iqn", iqn), *chap = json_object();
	json_t *acl = json_array(), *luns = json_array();
	const char **lun_specs = calloc((size_t)a->n + 1, sizeof(*lun_specs));
	size_t nluns = 0, i;
	bool direct = false;
	int next = 0;

	while ((w = next_word(a))) {
		if (option_is(w, "--lun")) {
			lun_specs[nluns++] = option_value(a, w, "--lun");
		} else if (option_is(w, "--backend")) {
			backend = option_value(a, w, "--backend");
		} else if (!strcmp(w, "--direct")) {
			direct = true;
		} else if (option_is(w, "--acl")) {
			json_array_append_new(acl, json_string(option_value(a, w, "--acl")));
		} else if (!strcmp(w, "--allow-any")) {
			json_object_set_new(body, "allow_any_initiator", json_true());
		} else if (!strcmp(w, "--read-only")) {
			json_object_set_new(body, "read_only", json_true());
		} else if (option_is(w, "--alias")) {
			json_object_set_new(body, "alias", json_string(option_value(a, w, "--alias")));
		} else if (option_is(w, "--nop-in-interval")) {
			json_object_set_new(body, "nop_in_interval",
					    number_value(a, w, "--nop-in-interval"));
		} else if (option_is(w, "--chap-user")) {
			json_object_set_new(chap, "user", json_string(option_value(a, w, "--chap-user")));
		} else if (option_is(w, "--chap-secret-file")) {
			json_object_set_new(chap, "secret",
					    secret_from_file(option_value(a, w, "--chap-secret-file")));
		} else if (option_is(w, "--chap-secret")) {
			json_object_set_new(chap, "secret",
					    json_string(option_value(a, w, "--chap-secret")));
		} else if (option_is(w, "--mutual-user")) {
			json_object_set_new(chap, "mutual_user",
					    json_string(option_value(a, w, "--mutual-user")));
		} else if (option_is(w, "--mutual-secret-file")) {
			json_object_set_new(chap, "mutual_secret",
					    secret_from_file(option_value(a, w,
									  "--mutual-secret-file")));
		} else if (option_is(w, "--mutual-secret")) {
			json_object_set_new(chap, "mutual_secret",
					    json_string(option_value(a, w, "--mutual-secret")));
		} else {
			usage_error(is_option(w) ? "unknown option '%s'" : "unexpected argument '%s'",
				    w);
		}
	}
	for (i = 0; i < nluns; i++) {
		json_t *l = lun_arg(lun_specs[i], next, backend, direct);

		next = (int)json_integer_value(json_object_get(l, "lun")) + 1;
		json_array_append_new(luns, l);
	}
	free(lun_specs);
	json_object_set_new(body, "luns", luns);
	json_object_set_new(body, "acl", acl);
	if (json_object_size(chap))
		json_object_set_new(body, "chap", chap);
	else
		json_decref(chap);
	show(call("POST", "/api/v1/targets", body));
}

/* "yes" or "no" for option @name: a JSON boolean, or a usage error. */
static json_t *yes_no_value(struct args *a, const char *word, const char *name)
{
	const char *v = option_value(a, word, name);

	if (!strcmp(v, "yes") || !strcmp(v, "no"))
		return json_boolean(!strcmp(v, "yes"));
	usage_error("bad %s '%s' (want yes or no)", name, v);
}

/* target set IQN --OPTION VALUE...: a PATCH of the settings given. */
static void target_set(struct args *a)
{
	const char *iqn = positional(a, "target IQN"), *w;
	json_t *body = json_object();
	char path[512];

	while ((w = next_word(a))) {
		if (option_is(w, "--allow-any"))
			json_object_set_new(body, "allow_any_initiator",
					    yes_no_value(a, w, "--allow-any"));
		else if (option_is(w, "--read-only"))
			json_object_set_new(body, "read_only", yes_no_value(a, w, "--read-only"));
		else if (option_is(w, "--alias"))
			json_object_set_new(body, "alias", json_string(option_value(a, w, "--alias")));
		else if (option_is(w, "--nop-in-interval"))
			json_object_set_new(body, "nop_in_interval",
					    number_value(a, w, "--nop-in-interval"));
		else if (option_is(w, "--max-sessions"))
			json_object_set_new(body, "max_sessions",
					    number_value(a, w, "--max-sessions"));
		else if (option_is(w, "--queue-depth"))
			json_object_set_new(body, "queue_depth", number_value(a, w, "--queue-depth"));
		else
			usage_error(is_option(w) ? "unknown option '%s'" : "unexpected argument '%s'",
				    w);
	}
	if (!json_object_size(body))
		usage_error("target set needs --allow-any, --read-only, --alias, "
			    "--nop-in-interval, --max-sessions or --queue-depth");
	item_path(path, sizeof(path), "targets", iqn, NULL);
	show(call("PATCH", path, body));
}

static void cmd_target(struct args *a)
{
	static const struct column cols[] = {
		{ "IQN", "iqn", C_TEXT }, { "LUNS", "luns", C_LIST }, { "AUTH", "auth", C_TEXT },
		{ "ACL", "acl", C_LIST }, { "RO", "read_only", C_BOOL },
		{ "SESSIONS", "sessions", C_TEXT },
	};
	const char *sub = positional(a, "target command (list, show, create, set, delete)");
	char path[512];

	if (!strcmp(sub, "list")) {
		no_more(a);
		list("targets", cols, 6);
	} else if (!strcmp(sub, "show")) {
		item_path(path, sizeof(path), "targets", positional(a, "target IQN"), NULL);
		no_more(a);
		show(call("GET", path, NULL));
	} else if (!strcmp(sub, "create")) {
		target_create(a);
	} else if (!strcmp(sub, "set")) {
		target_set(a);
	} else if (!strcmp(sub, "delete")) {
		const char *iqn = positional(a, "target IQN"), *w;
		bool force = false;

		while ((w = next_word(a))) {
			if (strcmp(w, "--force"))
				usage_error(is_option(w) ? "unknown option '%s'" :
					    "unexpected argument '%s'", w);
			force = true;
		}
		item_path(path, sizeof(path), "targets", iqn, force ? "?force=true" : NULL);
		json_decref(call("DELETE", path, NULL));
		done_message("target %s deleted", iqn);
	} else {
		usage_error("unknown target command '%s'", sub);
	}
}

static void cmd_session(struct args *a)
{
	static const struct column cols[] = {
		{ "ID", "id", C_TEXT }, { "TARGET", "target", C_TEXT },
		{ "INITIATOR", "initiator", C_TEXT }, { "PEER", "peer", C_TEXT },
		{ "COMMANDS", "commands", C_TEXT }, { "READ", "read_bytes", C_SIZE },
		{ "WRITTEN", "write_bytes", C_SIZE },
	};
	const char *sub = positional(a, "session command (list, kill)");
	char path[256];

	if (!strcmp(sub, "list")) {
		no_more(a);
		list("sessions", cols, 7);
	} else if (!strcmp(sub, "kill")) {
		const char *id = positional(a, "session id");

		no_more(a);
		item_path(path, sizeof(path), "sessions", id, NULL);
		json_decref(call("DELETE", path, NULL));
		done_message("session %s closed", id);
	} else {
		usage_error("unknown session command '%s'", sub);
	}
}

/* "KEY=VALUE" into @o; VALUE is JSON when it parses, else text. */
static void set_pair(json_t *o, const char *spec, const char *opt_name, bool json_values)
{
	const char *eq = strchr(spec, '=');
	char key[128];
	json_t *v = NULL;

	if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof(key))
		usage_error("bad %s '%s' (want KEY=VALUE)", opt_name, spec);
	snprintf(key, sizeof(key), "%.*s", (int)(eq - spec), spec);
	if (json_values)
		v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
	json_object_set_new(o, key, v ? v : json_string(eq + 1));
}

static void cmd_client(struct args *a)
{
	static const struct column cols[] = {
		{ "NAME", "name", C_TEXT }, { "MAC", "mac", C_LIST }, { "UUID", "uuid", C_TEXT },
		{ "PROFILE", "profile", C_TEXT }, { "IMAGE", "image", C_TEXT },
		{ "STATE", "state", C_TEXT },
	};
	const char *sub = positional(a, "client command (list, show, create, delete, approve, "
				     "deny)");
	char path[256];

	if (!strcmp(sub, "list")) {
		no_more(a);
		list("clients", cols, 6);
	} else if (!strcmp(sub, "show")) {
		item_path(path, sizeof(path), "clients", positional(a, "client name"), NULL);
		no_more(a);
		show(call("GET", path, NULL));
	} else if (!strcmp(sub, "create")) {
		const char *name = positional(a, "client name"), *w;
		json_t *body = json_pack("{s:s}", "name", name), *macs = json_array();
		json_t *labels = json_object();
		static const char *const text_opts[] = { "uuid", "serial", "profile", "image" };

		while ((w = next_word(a))) {
			size_t i;
			bool used = false;

			if (option_is(w, "--mac")) {
				json_array_append_new(macs, json_string(option_value(a, w, "--mac")));
				continue;
			}
			if (option_is(w, "--label")) {
				set_pair(labels, option_value(a, w, "--label"), "--label", false);
				continue;
			}
			for (i = 0; i < 4 && !used; i++) {
				char o[32];

				snprintf(o, sizeof(o), "--%s", text_opts[i]);
				if (option_is(w, o)) {
					json_object_set_new(body, text_opts[i],
							    json_string(option_value(a, w, o)));
					used = true;
				}
			}
			if (!used)
				usage_error(is_option(w) ? "unknown option '%s'" :
					    "unexpected argument '%s'", w);
		}
		json_object_set_new(body, "mac", macs);
		if (json_object_size(labels))
			json_object_set_new(body, "labels", labels);
		else
			json_decref(labels);
		show(call("POST", "/api/v1/clients", body));
	} else if (!strcmp(sub, "delete")) {
		const char *name = positional(a, "client name");

		no_more(a);
		item_path(path, sizeof(path), "clients", name, NULL);
		json_decref(call("DELETE", path, NULL));
		done_message("client %s deleted", name);
	} else if (!strcmp(sub, "approve")) {
		item_path(path, sizeof(path), "clients", positional(a, "client name"), "/approve");
		no_more(a);
		show(call("POST", path, NULL));
	} else if (!strcmp(sub, "deny")) {
		const char *name = positional(a, "client name");

		no_more(a);
		item_path(path, sizeof(path), "clients", name, "/deny");
		json_decref(call("POST", path, NULL));
		done_message("client %s denied and forgotten", name);
	} else {
		usage_error("unknown client command '%s'", sub);
	}
}

static void cmd_profile(struct args *a)
{
	static const struct column cols[] = {
		{ "NAME", "name", C_TEXT }, { "KIND", "kind", C_TEXT },
	};
	const char *sub = positional(a, "profile command (list, show, create, delete)");
	char path[256];

	if (!strcmp(sub, "list")) {
		no_more(a);
		list("profiles", cols, 2);
	} else if (!strcmp(sub, "show")) {
		item_path(path, sizeof(path), "profiles", positional(a, "profile name"), NULL);
		no_more(a);
		show(call("GET", path, NULL));
	} else if (!strcmp(sub, "create")) {
		const char *name = positional(a, "profile name"), *w;
		json_t *body = json_pack("{s:s}", "name", name);

		while ((w = next_word(a))) {
			if (option_is(w, "--kind"))
				json_object_set_new(body, "kind",
						    json_string(option_value(a, w, "--kind")));
			else if (option_is(w, "--set"))
				set_pair(body, option_value(a, w, "--set"), "--set", true);
			else if (option_is(w, "--preseed"))
				json_object_set_new(body, "preseed",
						    text_from_file(option_value(a, w, "--preseed"),
								   "--preseed"));
			else
				usage_error(is_option(w) ? "unknown option '%s'" :
					    "unexpected argument '%s'", w);
		}
		if (!json_object_get(body, "kind"))
			usage_error("profile create needs --kind KIND");
		show(call("POST", "/api/v1/profiles", body));
	} else if (!strcmp(sub, "delete")) {
		const char *name = positional(a, "profile name");

		no_more(a);
		item_path(path, sizeof(path), "profiles", name, NULL);
		json_decref(call("DELETE", path, NULL));
		done_message("profile %s deleted", name);
	} else {
		usage_error("unknown profile command '%s'", sub);
	}
}

/* dhcp set --OPTION VALUE...: a PATCH of the DHCP settings given. */
static void dhcp_set(struct args *a)
{
	static const char *const text_opts[] = {
		"mode", "interface", "server-address", "range-start", "range-end", "netmask",
		"router", "proxy-subnet",
	};
	json_t *body = json_object();
	const char *w;
	char name[64], field[64];

	while ((w = next_word(a))) {
		size_t i;

		for (i = 0; i < sizeof(text_opts) / sizeof(text_opts[0]); i++) {
			snprintf(name, sizeof(name), "--%s", text_opts[i]);
			if (option_is(w, name))
				break;
		}
		if (i < sizeof(text_opts) / sizeof(text_opts[0])) {
			/* The API's field: the option's name with '_' for '-'. */
			snprintf(field, sizeof(field), "%s", text_opts[i]);
			for (char *c = field; *c; c++)
				if (*c == '-')
					*c = '_';
			json_object_set_new(body, field, json_string(option_value(a, w, name)));
		} else if (option_is(w, "--http-port")) {
			json_object_set_new(body, "http_port", number_value(a, w, "--http-port"));
		} else if (option_is(w, "--lease-seconds")) {
			json_object_set_new(body, "lease_seconds",
					    number_value(a, w, "--lease-seconds"));
		} else if (option_is(w, "--tftp")) {
			json_object_set_new(body, "tftp", yes_no_value(a, w, "--tftp"));
		} else {
			usage_error(is_option(w) ? "unknown option '%s'" : "unexpected argument '%s'",
				    w);
		}
	}
	if (!json_object_size(body))
		usage_error("dhcp set needs at least one option (see bootsanctl --help)");
	show(call("PATCH", "/api/v1/dhcp", body));
}

static void cmd_dhcp(struct args *a)
{
	const char *sub = positional(a, "dhcp command (show, set)");

	if (!strcmp(sub, "show")) {
		json_t *settings, *status;

		no_more(a);
		settings = call("GET", "/api/v1/dhcp", NULL);
		status = call("GET", "/api/v1/dhcp/status", NULL);
		json_object_set_new(settings, "status", status);
		show(settings);
	} else if (!strcmp(sub, "set")) {
		dhcp_set(a);
	} else {
		usage_error("unknown dhcp command '%s'", sub);
	}
}

/* ---- main ---- */

/* The token file's first line; an unreadable default is not fatal (401 explains). */
static void read_token(void)
{
	FILE *f = fopen(opt.token_file, "re");

	if (!f) {
		if (opt.token_file_given)
			usage_error("cannot read token file '%s': %s", opt.token_file,
				    strerror(errno));
		return;
	}
	if (!fgets(opt.token, sizeof(opt.token), f))
		opt.token[0] = '\0';
	fclose(f);
	opt.token[strcspn(opt.token, "\r\n")] = '\0';
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*run)(struct args *a);
	} commands[] = {
		{ "status", cmd_status }, { "image", cmd_image }, { "job", cmd_job },
		{ "portal", cmd_portal }, { "target", cmd_target }, { "session", cmd_session },
		{ "client", cmd_client }, { "profile", cmd_profile }, { "dhcp", cmd_dhcp },
	};
	char *words[MAX_ARGS];
	struct args a = { .v = words };
	const char *cmd;
	size_t i;
	int k;

	opt.url = getenv("BOOTSAN_URL") ?: DEFAULT_URL;
	opt.token_file = getenv("BOOTSAN_TOKEN_FILE");
	opt.token_file_given = opt.token_file != NULL;
	if (!opt.token_file)
		opt.token_file = DEFAULT_TOKEN_FILE;

	/* Global options may come anywhere; the rest are the command's words. */
	for (k = 1; k < argc; k++) {
		const char *w = argv[k];

		if (!strcmp(w, "--")) {
			while (++k < argc && a.n < MAX_ARGS)
				words[a.n++] = argv[k];
			break;
		}
		if (!strcmp(w, "-h") || !strcmp(w, "--help")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(w, "--json")) {
			opt.json = true;
		} else if (!strcmp(w, "--no-wait")) {
			opt.no_wait = true;
		} else if (option_is(w, "--url") || option_is(w, "--token-file")) {
			bool url = option_is(w, "--url");
			const char *v = strchr(w, '=');

			if (v)
				v++;
			else if (k + 1 < argc)
				v = argv[++k];
			else
				usage_error("option '%s' needs a value", url ? "--url" : "--token-file");
			if (url) {
				opt.url = v;
			} else {
				opt.token_file = v;
				opt.token_file_given = true;
			}
		} else if (w[0] == '-' && w[1] && w[1] != '-') {
			usage_error("unknown option '%s'", w);
		} else {
			if (a.n >= MAX_ARGS)
				usage_error("too many arguments");
			words[a.n++] = argv[k];
		}
	}
	if (strncmp(opt.url, "http://", 7) && strncmp(opt.url, "https://", 8))
		usage_error("bad --url '%s' (want http://HOST:PORT)", opt.url);
	/* A trailing slash would double the one every path starts with. */
	if (opt.url[strlen(opt.url) - 1] == '/') {
		char *u = strdup(opt.url);

		u[strlen(u) - 1] = '\0';
		opt.url = u;
	}
	cmd = next_word(&a);
	if (!cmd)
		usage_error("missing command");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(cmd, commands[i].name))
			break;
	if (i == sizeof(commands) / sizeof(commands[0]))
		usage_error(is_option(cmd) ? "unknown option '%s'" : "unknown command '%s'", cmd);
	read_token();
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		die(EXIT_CONNECT, "libcurl does not start");
	opt.curl = curl_easy_init();
	if (!opt.curl)
		die(EXIT_CONNECT, "libcurl does not start");
	commands[i].run(&a);
	curl_easy_cleanup(opt.curl);
	curl_global_cleanup();
	explicit_bzero(opt.token, sizeof(opt.token));
	return fflush(stdout) ? EXIT_API : 0;
}
