// SPDX-License-Identifier: GPL-2.0
/*
 * boot_render: query parsing, MAC/UUID normalisation, escaping and the
 * rendering of iPXE scripts and pxelinux menus.  Pure: no I/O, no
 * allocation.  See boot_render.h for the trust model and escaping rule.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../kmod/iscsi_name.h"
#include "boot_render.h"

/* ---- output buffer ---------------------------------------------------- */

void boot_buf_init(struct boot_buf *b, char *mem, size_t cap)
{
	b->data = mem;
	b->cap = cap;
	boot_buf_reset(b);
}

void boot_buf_reset(struct boot_buf *b)
{
	b->len = 0;
	b->err = b->cap ? 0 : -ENOSPC;
	b->field = NULL;
	b->why = NULL;
	if (b->cap)
		b->data[0] = '\0';
}

static void buf_fail(struct boot_buf *b, int err)
{
	if (!b->err)
		b->err = err;
}

/* -EINVAL for a record: @field (or NULL) is refused because @why. */
static void buf_refuse(struct boot_buf *b, const char *field, const char *why)
{
	if (b->err)
		return;
	b->err = -EINVAL;
	b->field = field;
	b->why = why;
}

static void put_mem(struct boot_buf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (n >= b->cap - b->len) {
		buf_fail(b, -ENOSPC);
		return;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void put(struct boot_buf *b, const char *s)
{
	put_mem(b, s, strlen(s));
}

static void putc_(struct boot_buf *b, char c)
{
	put_mem(b, &c, 1);
}

static void put_uint(struct boot_buf *b, unsigned long v)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%lu", v);
	put(b, tmp);
}

/* Ends a render: an error empties the buffer, never a partial script. */
static int finish(struct boot_buf *b)
{
	int err = b->err;

	if (err) {
		b->len = 0;
		if (b->cap)
			b->data[0] = '\0';
	}
	return err;
}

/* ---- character classes -------------------------------------------------- */

static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

static bool is_unreserved(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static bool is_word_char(unsigned char c)
{
	return is_unreserved(c) || (c && strchr(":/@+=,", c));
}

static bool is_text_char(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && !strchr("${}#\\|&;\"'`", c);
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool empty(const char *s)
{
	return !s || !*s;
}

/* ---- escaping ------------------------------------------------------------ */

int boot_esc_url(struct boot_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		char enc[3] = { '%', hex[c >> 4], hex[c & 15] };

		if (is_unreserved(c))
			putc_(b, (char)c);
		else
			put_mem(b, enc, 3);
	}
	return b->err;
}

/*
 * Writes s keeping the bytes ok() accepts and writing '_' for any other;
 * a UTF-8 sequence (lead byte and its continuation bytes) gives one '_'.
 */
static void esc_filtered(struct boot_buf *b, const char *s,
			 bool (*ok)(unsigned char), bool first_no_dash)
{
	bool in_seq = false;

	for (size_t i = 0; s && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 && (c & 0xc0) == 0x80 && in_seq)
			continue;
		in_seq = c >= 0xc0;
		if (ok(c) && !(first_no_dash && i == 0 && c == '-'))
			putc_(b, (char)c);
		else
			putc_(b, '_');
	}
}

int boot_esc_word(struct boot_buf *b, const char *s)
{
	esc_filtered(b, s, is_word_char, true);
	return b->err;
}

int boot_esc_text(struct boot_buf *b, const char *s)
{
	esc_filtered(b, s, is_text_char, false);
	return b->err;
}

/* ---- query string ------------------------------------------------------ */

static const char *const query_keys[BOOT_Q_NFIELDS] = {
	[BOOT_Q_UUID] = "uuid",
	[BOOT_Q_MAC] = "mac",
	[BOOT_Q_BUILDARCH] = "buildarch",
	[BOOT_Q_PLATFORM] = "platform",
	[BOOT_Q_SERIAL] = "serial",
	[BOOT_Q_HOSTNAME] = "hostname",
	[BOOT_Q_ASSET] = "asset",
	[BOOT_Q_PROFILE] = "profile",
};

static char *field(struct boot_query *q, enum boot_query_field f)
{
	switch (f) {
	case BOOT_Q_UUID: return q->uuid;
	case BOOT_Q_MAC: return q->mac;
	case BOOT_Q_BUILDARCH: return q->buildarch;
	case BOOT_Q_PLATFORM: return q->platform;
	case BOOT_Q_SERIAL: return q->serial;
	case BOOT_Q_HOSTNAME: return q->hostname;
	case BOOT_Q_ASSET: return q->asset;
	case BOOT_Q_PROFILE: return q->profile;
	default: return NULL;
	}
}

const char *boot_query_get(const struct boot_query *q, enum boot_query_field f)
{
	return field((struct boot_query *)q, f);
}

const char *boot_query_key(enum boot_query_field f)
{
	return (unsigned int)f < BOOT_Q_NFIELDS ? query_keys[f] : NULL;
}

void boot_query_init(struct boot_query *q)
{
	memset(q, 0, sizeof(*q));
}

static int key_field(const char *key, size_t len)
{
	for (int f = 0; f < BOOT_Q_NFIELDS; f++)
		if (strlen(query_keys[f]) == len &&
		    !memcmp(query_keys[f], key, len))
			return f;
	return -1;
}

/* Stores a decoded value (may contain NUL bytes: those make it invalid). */
static int store(struct boot_query *q, int f, const char *v, size_t len)
{
	char *dst;

	if (f < 0)
		return 0;
	if (q->present & (1u << f))
		return 0;
	q->present |= 1u << f;
	dst = field(q, f);
	if (len > BOOT_VALUE_MAX || memchr(v, '\0', len)) {
		q->invalid |= 1u << f;
		dst[0] = '\0';
		return -EINVAL;
	}
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 1;
}

int boot_query_set(struct boot_query *q, const char *key,
		   const char *value, size_t value_len)
{
	if (!key)
		return 0;
	return store(q, key_field(key, strlen(key)), value ? value : "",
		     value ? value_len : 0);
}

/*
 * Percent-decodes s[0..len) into out (room for max bytes).  Returns the
 * decoded length, or -1 for a bad escape or a value longer than max.
 */
static long pct_decode(const char *s, size_t len, char *out, size_t max)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '%') {
			int hi, lo;

			if (len - i < 3)
				return -1;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (o == max)
			return -1;
		out[o++] = c;
	}
	return (long)o;
}

int boot_query_parse(struct boot_query *q, const char *qs, size_t len)
{
	size_t i = 0;
	int bad = 0;

	boot_query_init(q);
	if (!qs)
		return 0;
	if (len && qs[0] == '?')
		i = 1;
	while (i < len) {
		const char *pair = qs + i;
		const char *amp = memchr(pair, '&', len - i);
		size_t plen = amp ? (size_t)(amp - pair) : len - i;
		const char *eq = memchr(pair, '=', plen);
		size_t klen = eq ? (size_t)(eq - pair) : plen;
		char key[16], val[BOOT_VALUE_MAX + 1];
		long kdec, vdec;
		int f;

		i += plen + 1;
		if (!plen)
			continue;
		kdec = pct_decode(pair, klen, key, sizeof(key));
		if (kdec < 0)
			continue;
		f = key_field(key, (size_t)kdec);
		if (f < 0 || (q->present & (1u << f)))
			continue;
		if (!eq) {
			store(q, f, "", 0);
			continue;
		}
		vdec = pct_decode(eq + 1, plen - klen - 1, val,
				  BOOT_VALUE_MAX + 1);
		if (vdec < 0) {
			q->present |= 1u << f;
			q->invalid |= 1u << f;
			field(q, f)[0] = '\0';
			bad++;
			continue;
		}
		if (store(q, f, val, (size_t)vdec) < 0)
			bad++;
	}
	return bad;
}

enum boot_dialect boot_query_dialect(const struct boot_query *q)
{
	return q && q->platform[0] ? BOOT_DIALECT_IPXE : BOOT_DIALECT_LEGACY;
}

/* ---- MAC addresses and UUIDs ------------------------------------------- */

int boot_mac_normalize(const char *in, char out[BOOT_MAC_STRLEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[6];
	size_t len = in ? strlen(in) : 0;
	size_t group;		/* hex digits between separators */
	char sep = 0;
	int n = 0;

	if (len == 17 && (in[2] == ':' || in[2] == '-')) {
		sep = in[2];
		group = 2;
	} else if (len == 14 && in[4] == '.') {
		sep = '.';
		group = 4;
	} else if (len == 12) {
		group = 12;
	} else {
		goto bad;
	}
	for (size_t i = 0; i < len;) {
		for (size_t g = 0; g < group; g += 2, i += 2) {
			int hi = hexval((unsigned char)in[i]);
			int lo = hexval((unsigned char)in[i + 1]);

			if (hi < 0 || lo < 0)
				goto bad;
			mac[n++] = (unsigned char)(hi << 4 | lo);
		}
		if (i < len) {
			if (in[i] != sep)
				goto bad;
			i++;
		}
	}
	if (n != 6)
		goto bad;
	for (int k = 0; k < 6; k++) {
		out[k * 3] = hex[mac[k] >> 4];
		out[k * 3 + 1] = hex[mac[k] & 15];
		out[k * 3 + 2] = k < 5 ? ':' : '\0';
	}
	return 0;
bad:
	out[0] = '\0';
	return -EINVAL;
}

static int uuid_bytes(const char *in, unsigned char u[16])
{
	size_t len = in ? strlen(in) : 0;
	int n = 0;

	if (len != 32 && len != 36)
		return -EINVAL;
	for (size_t i = 0; i < len;) {
		int hi, lo;

		if (len == 36 && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (in[i] != '-')
				return -EINVAL;
			i++;
			continue;
		}
		hi = hexval((unsigned char)in[i]);
		lo = hexval((unsigned char)in[i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		u[n++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	return n == 16 ? 0 : -EINVAL;
}

static void uuid_format(const unsigned char u[16], char out[BOOT_UUID_STRLEN])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (int k = 0; k < 16; k++) {
		if (k == 4 || k == 6 || k == 8 || k == 10)
			out[o++] = '-';
		out[o++] = hex[u[k] >> 4];
		out[o++] = hex[u[k] & 15];
	}
	out[o] = '\0';
}

int boot_uuid_normalize(const char *in, char out[BOOT_UUID_STRLEN])
{
	unsigned char u[16];

	if (uuid_bytes(in, u)) {
		out[0] = '\0';
		return -EINVAL;
	}
	uuid_format(u, out);
	return 0;
}

int boot_uuid_variants(const char *in, char out[2][BOOT_UUID_STRLEN])
{
	unsigned char u[16], s[16];

	if (uuid_bytes(in, u)) {
		out[0][0] = out[1][0] = '\0';
		return -EINVAL;
	}
	memcpy(s, u, 16);
	for (int k = 0; k < 4; k++)	/* time_low: 4 bytes */
		s[k] = u[3 - k];
	s[4] = u[5];			/* time_mid */
	s[5] = u[4];
	s[6] = u[7];			/* time_hi_and_version */
	s[7] = u[6];
	uuid_format(u, out[0]);
	uuid_format(s, out[1]);
	return memcmp(u, s, 16) ? 2 : 1;
}

bool boot_uuid_is_placeholder(const char *normalized)
{
	unsigned char u[16];
	bool zero = true, ff = true;

	if (uuid_bytes(normalized, u))
		return false;
	for (int k = 0; k < 16; k++) {
		zero &= u[k] == 0;
		ff &= u[k] == 0xff;
	}
	return zero || ff;
}

/* ---- validation of admin record fields ------------------------------------ */

bool boot_name_valid(const char *s)
{
	size_t n = 0;

	if (!s || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
		      s[n] == '.' || s[n] == '-') || n >= BOOT_NAME_MAX)
			return false;
	return true;
}

const char *boot_ipxe_token(const char *s)
{
	static const char *const tokens[] = { "||", "&&", ";", "#", "${", "\n", "\r" };

	for (; s && *s; s++)
		for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
			if (!strncmp(s, tokens[i], strlen(tokens[i])))
				return tokens[i];
	return NULL;
}

bool boot_value_valid(const char *s, size_t max)
{
	size_t n = 0;

	for (; s && s[n]; n++)
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f || n >= max)
			return false;
	return s != NULL;
}

const char *boot_label_refusal(const char *key, const char *value)
{
	if (!boot_name_valid(key))
		return "a label's key is " BOOT_NAME_RULE;
	if (!value)
		return "a label's value is text";
	if (!boot_value_valid(value, BOOT_LABEL_VALUE_MAX))
		return "a label's value is at most 255 bytes, without control characters";
	return NULL;
}

/*
 * What the renderer accepts in a name it puts on a script line (names
 * stored before boot_name_valid() was the rule included upper case):
 * [A-Za-z0-9.-], 1..BOOT_NAME_MAX, not starting with '-' or '.'.
 */
static bool valid_name(const char *s)
{
	size_t n = 0;

	if (empty(s) || s[0] == '-' || s[0] == '.')
		return false;
	for (; s[n]; n++)
		if (!is_alnum((unsigned char)s[n]) && s[n] != '-' && s[n] != '.')
			return false;
	return n <= BOOT_NAME_MAX;
}

/* An image name for initrd --name / wimboot: also '_'. */
static bool valid_image_name(const char *s, size_t n)
{
	if (!n || n > BOOT_NAME_MAX || s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && !strchr("-._", s[i]))
			return false;
	return true;
}

/* A CHAP user name or secret: a plain word. */
static bool valid_credential(const char *s)
{
	size_t n = 0;

	if (empty(s) || s[0] == '-')
		return false;
	for (; s[n]; n++)
		if (!is_word_char((unsigned char)s[n]))
			return false;
	return n <= BOOT_SECRET_MAX;
}

/*
 * An iSCSI name as the module takes it (kmod/iscsi_name.c, one rule for
 * both): a name the kernel would refuse must not reach a script. Its
 * characters (a-z 0-9 - . : and hex digits) are all plain script words.
 */
_Static_assert(BOOT_IQN_MAX == ISCSI_NAME_MAX_LEN, "one longest iSCSI name");

static bool valid_iqn(const char *s)
{
	return !empty(s) && !iscsi_name_invalid(s, strlen(s));
}

/* Host, IPv4 or [IPv6], with an optional :port (1..65535). */
static bool valid_server(const char *s, const char **port)
{
	const char *p = s;

	*port = NULL;
	if (empty(s))
		return false;
	if (*p == '[') {
		for (p++; *p && *p != ']'; p++)
			if (hexval((unsigned char)*p) < 0 && *p != ':' && *p != '.')
				return false;
		if (*p != ']' || p == s + 1)
			return false;
		p++;
	} else {
		for (; *p && *p != ':'; p++)
			if (!is_alnum((unsigned char)*p) && *p != '.' && *p != '-')
				return false;
		if (p == s)
			return false;
	}
	if (!*p)
		return true;
	if (*p != ':')
		return false;
	*port = ++p;
	{
		unsigned long v = 0;
		size_t n = 0;

		for (; p[n]; n++) {
			if (p[n] < '0' || p[n] > '9' || n >= 5)
				return false;
			v = v * 10 + (unsigned long)(p[n] - '0');
		}
		return n && v >= 1 && v <= 65535;
	}
}

/*
 * Admin text that ends up on a script line: no control characters, no
 * byte >= 0x80, no trailing '\\'; ${...} allowed.  space_ok: may contain
 * spaces (kernel arguments) or must be one token (URLs).
 */
static bool valid_admin(const char *s, bool space_ok)
{
	size_t n = 0;

	for (; s && s[n]; n++) {
		unsigned char c = (unsigned char)s[n];

		if (c < 0x20 || c >= 0x7f || (c == ' ' && !space_ok))
			return false;
	}
	return !n || s[n - 1] != '\\';
}

/* ---- URL pieces --------------------------------------------------------- */

static bool is_absolute_url(const char *s)
{
	const char *p = strstr(s, "://");

	if (!p || p == s)
		return false;
	for (const char *q = s; q < p; q++)
		if (!is_alnum((unsigned char)*q) && *q != '+' && *q != '-' &&
		    *q != '.')
			return false;
	return true;
}

static bool valid_base(const char *base)
{
	return valid_admin(base, false) && (!base || !strchr(base, '$'));
}

/* Appends the URL of an asset (see struct boot_asset). */
static void put_asset_url(struct boot_buf *b, const char *base,
			  const struct boot_asset *a, const char *field)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *p;

	if (!a || empty(a->path)) {
		buf_refuse(b, field, "a file is needed: an asset path or an absolute URL");
		return;
	}
	if (is_absolute_url(a->path)) {
		if (!valid_admin(a->path, false)) {
			buf_refuse(b, field, "a URL is one word of printable ASCII, "
				   "not ending in a backslash");
			return;
		}
		put(b, a->path);
		return;
	}
	put(b, base ? base : "");
	put(b, "/assets/");
	for (p = a->path; *p == '/'; p++)
		;
	if (!*p) {
		buf_refuse(b, field, "an asset path names a file under the asset tree");
		return;
	}
	for (const char *q = p; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f) {
			buf_refuse(b, field, "an asset path has no control character");
			return;
		}
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (is_unreserved(c) || c == '/') {
			putc_(b, (char)c);
		} else {
			char enc[3] = { '%', hex[c >> 4], hex[c & 15] };

			put_mem(b, enc, 3);
		}
	}
}

/*
 * The image name of an asset: its name, else the basename of its path when
 * that is a safe name, else <fallback><index>.
 */
static void put_image_name(struct boot_buf *b, const struct boot_asset *a,
			   const char *fallback, unsigned int index, const char *field)
{
	const char *base;

	if (!empty(a->name)) {
		if (!valid_image_name(a->name, strlen(a->name)))
			buf_refuse(b, field, "a file's name is 1 to 64 of A-Z a-z 0-9 . _ - "
				   "not starting with . or -");
		else
			put(b, a->name);
		return;
	}
	base = a->path ? strrchr(a->path, '/') : NULL;
	base = base ? base + 1 : (a->path ? a->path : "");
	if (valid_image_name(base, strlen(base))) {
		put(b, base);
		return;
	}
	put(b, fallback);
	put_uint(b, index);
}

int boot_append_boot_url(struct boot_buf *b, const char *base_url,
			 const char *profile, const struct boot_query *q)
{
	static const struct boot_query none;
	bool first = true;

	if (!valid_base(base_url))
		buf_fail(b, -EINVAL);
	if (!q)
		q = &none;
	put(b, base_url ? base_url : "");
	put(b, "/boot/ipxe?");
	if (profile) {
		put(b, "profile=");
		boot_esc_url(b, profile);
		first = false;
	}
	for (int f = 0; f < BOOT_Q_NFIELDS; f++) {
		if (f == BOOT_Q_PROFILE)
			continue;
		if (!first)
			putc_(b, '&');
		first = false;
		put(b, query_keys[f]);
		putc_(b, '=');
		boot_esc_url(b, boot_query_get(q, (enum boot_query_field)f));
	}
	return b->err;
}

/* ---- iPXE scripts ---------------------------------------------------------- */

#define FAILED_LABEL "bootsan_failed"
#define FAIL_SLEEP "10"

static bool ipxe(const struct boot_request *req)
{
	return req->dialect == BOOT_DIALECT_IPXE;
}

static void put_magic(struct boot_buf *b, const struct boot_request *req)
{
	put(b, ipxe(req) ? "#!ipxe\n" : "#!gpxe\n");
}

/* Ends a command line: "|| goto bootsan_failed" where goto exists. */
static void put_or_fail(struct boot_buf *b, const struct boot_request *req)
{
	put(b, ipxe(req) ? " || goto " FAILED_LABEL "\n" : "\n");
}

/* The :bootsan_failed block (iPXE only), after an "exit". */
static void put_fail_block(struct boot_buf *b, const struct boot_request *req,
			   const char *what)
{
	if (!ipxe(req))
		return;
	put(b, "exit\n:" FAILED_LABEL "\necho bootsan: could not boot ");
	boot_esc_text(b, what);
	put(b, ", see the error above\nsleep " FAIL_SLEEP "\nexit\n");
}

static void put_comment(struct boot_buf *b, const struct boot_profile *p,
			const struct boot_client *c)
{
	put(b, "# bootsan profile ");
	boot_esc_word(b, p->name);
	if (c && !empty(c->name)) {
		put(b, " for ");
		boot_esc_word(b, c->name);
	}
	putc_(b, '\n');
}

/* Builds the default IQN <prefix>:<name>[suffix] into tmp. */
static const char *default_iqn(char *tmp, size_t size, const char *given,
			       const struct boot_client *c, const char *suffix)
{
	if (!empty(given))
		return given;
	if (empty(c->iqn_prefix) || !valid_name(c->name))
		return NULL;
	if ((size_t)snprintf(tmp, size, "%s:%s%s", c->iqn_prefix, c->name,
			     suffix) >= size)
		return NULL;
	return tmp;
}

/* "iscsi:<server>::<port>:<lun>:<target>" (RFC 4173) into b. */
static void put_iscsi_root(struct boot_buf *b, const struct boot_client *c,
			   const char *target)
{
	const char *port;
	char lun[16];

	if (!valid_server(c->san_server, &port)) {
		buf_fail(b, -EINVAL);
		return;
	}
	put(b, "iscsi:");
	if (port)
		put_mem(b, c->san_server, (size_t)(port - 1 - c->san_server));
	else
		put(b, c->san_server);
	put(b, "::");
	if (port)
		put(b, port);
	putc_(b, ':');
	if (c->lun) {
		snprintf(lun, sizeof(lun), "%x", c->lun);
		put(b, lun);
	}
	putc_(b, ':');
	put(b, target);
}

/* The iSCSI names and credentials of a client, checked. */
struct san_params {
	char init_buf[BOOT_IQN_MAX + 64];
	char target_buf[BOOT_IQN_MAX + 64];
	const char *initiator;
	const char *target;
	bool chap;
	bool mutual;
};

static int san_params(struct san_params *s, const struct boot_client *c)
{
	if (!c)
		return -EINVAL;
	s->initiator = default_iqn(s->init_buf, sizeof(s->init_buf),
				   c->initiator_iqn, c, ":initiator");
	s->target = default_iqn(s->target_buf, sizeof(s->target_buf),
				c->target_iqn, c, "");
	if (!valid_iqn(s->initiator) || !valid_iqn(s->target))
		return -EINVAL;
	s->chap = !empty(c->chap_user) || !empty(c->chap_secret);
	s->mutual = !empty(c->mutual_user) || !empty(c->mutual_secret);
	if (s->chap && (!valid_credential(c->chap_user) ||
			!valid_credential(c->chap_secret)))
		return -EINVAL;
	if (s->mutual && (!s->chap || !valid_credential(c->mutual_user) ||
			  !valid_credential(c->mutual_secret)))
		return -EINVAL;
	return 0;
}

int boot_client_iqns(const struct boot_client *c,
		     char initiator[BOOT_IQN_MAX + 1],
		     char target[BOOT_IQN_MAX + 1])
{
	struct san_params s;
	int err = san_params(&s, c);

	initiator[0] = target[0] = '\0';
	if (err)
		return err;
	/* valid_iqn() bounded both to ISCSI_NAME_MAX_LEN == BOOT_IQN_MAX */
	memcpy(initiator, s.initiator, strlen(s.initiator) + 1);
	memcpy(target, s.target, strlen(s.target) + 1);
	return 0;
}

/* The settings iPXE logs in to the client's disk with; false: refused. */
static bool put_san_login(struct boot_buf *b, const struct boot_client *c,
			  struct san_params *s)
{
	if (san_params(s, c)) {
		buf_refuse(b, NULL, "the client's iSCSI names, server or CHAP credentials "
			   "are not valid");
		return false;
	}
	put(b, "set initiator-iqn ");
	put(b, s->initiator);
	putc_(b, '\n');
	if (s->chap) {
		put(b, "set username ");
		put(b, c->chap_user);
		put(b, "\nset password ");
		put(b, c->chap_secret);
		putc_(b, '\n');
	}
	if (s->mutual) {
		put(b, "set reverse-username ");
		put(b, c->mutual_user);
		put(b, "\nset reverse-password ");
		put(b, c->mutual_secret);
		putc_(b, '\n');
	}
	return true;
}

static void render_sanboot(struct boot_buf *b, const struct boot_request *req,
			   const struct boot_client *c)
{
	struct san_params s;

	if (!put_san_login(b, c, &s))
		return;
	if (c->keep_san)
		put(b, "set keep-san 1\n");
	put(b, "sanboot ");
	put_iscsi_root(b, c, s.target);
	put_or_fail(b, req);
	put_fail_block(b, req, "the iSCSI disk");
}

/* Kernel arguments and initrds a linux profile can use; false: refused. */
static bool linux_ok(struct boot_buf *b, const struct boot_profile *p)
{
	if (p->lnx.n_initrds > BOOT_MAX_INITRDS) {
		buf_refuse(b, "initrds", "a linux profile has at most 8 initrds");
		return false;
	}
	if (!valid_admin(p->lnx.args, true)) {
		buf_refuse(b, "args", "kernel arguments are one line of printable ASCII, "
			   "not ending in a backslash");
		return false;
	}
	if (!p->raw_ipxe && boot_ipxe_token(p->lnx.args)) {
		buf_refuse(b, "args", "kernel arguments may not hold the iPXE tokens "
			   "|| && ; # ${ unless the profile sets raw_ipxe");
		return false;
	}
	return true;
}

/*
 * With a preseed: the installer's arguments to fetch it from this server
 * and answer from it alone. d-i needs an absolute URL (it has no script
 * to resolve against); the client's name in it is for the boot history.
 */
static void put_preseed_args(struct boot_buf *b, const struct boot_request *req,
			     const struct boot_profile *p, const struct boot_client *c)
{
	if (empty(p->lnx.preseed))
		return;
	if (!is_absolute_url(req->base_url)) {
		buf_refuse(b, "preseed", "the installer needs this server's address for its "
			   "preseed URL, and the request did not give it");
		return;
	}
	put(b, " auto=true priority=critical url=");
	put(b, req->base_url);
	put(b, "/boot/preseed/");
	put(b, p->name);
	if (c && !empty(c->name)) {
		putc_(b, '/');
		put(b, c->name);
	}
}

/* kernel, initrd and boot lines of linux profile @p; @what names it when it fails. */
static void put_linux(struct boot_buf *b, const struct boot_request *req,
		      const struct boot_profile *p, const struct boot_client *c,
		      const char *what)
{
	unsigned int n = p->lnx.n_initrds;

	if (!linux_ok(b, p))
		return;
	put(b, "kernel ");
	put_asset_url(b, req->base_url, &p->lnx.kernel, "kernel");
	/* EFI kernels find their initrds by name on the command line. */
	for (unsigned int i = 0; i < n && ipxe(req); i++) {
		put(b, " initrd=");
		put_image_name(b, &p->lnx.initrds[i], "initrd", i, "initrds");
	}
	put_preseed_args(b, req, p, c);
	if (!empty(p->lnx.args)) {
		putc_(b, ' ');
		put(b, p->lnx.args);
	}
	put_or_fail(b, req);
	for (unsigned int i = 0; i < n; i++) {
		put(b, "initrd ");
		if (ipxe(req)) {
			put(b, "--name ");
			put_image_name(b, &p->lnx.initrds[i], "initrd", i, "initrds");
			putc_(b, ' ');
		}
		put_asset_url(b, req->base_url, &p->lnx.initrds[i], "initrds");
		put_or_fail(b, req);
	}
	put(b, "boot");
	put_or_fail(b, req);
	put_fail_block(b, req, what);
}

static void render_linux(struct boot_buf *b, const struct boot_request *req,
			 const struct boot_profile *p, const struct boot_client *c)
{
	put_linux(b, req, p, c, "the kernel");
}

/*
 * A linux profile with san_root: iPXE logs in to the client's disk with
 * sanhook, which publishes the iBFT that the initrd logs in again from
 * (iscsistart -b), then boots the kernel. gPXE has no sanhook.
 */
static void render_san_root(struct boot_buf *b, const struct boot_request *req,
			    const struct boot_profile *p, const struct boot_client *c)
{
	struct san_params s;

	if (!ipxe(req)) {
		buf_fail(b, -ENOTSUP);
		return;
	}
	if (!linux_ok(b, p) || !put_san_login(b, c, &s))
		return;
	put(b, "sanhook ");
	put_iscsi_root(b, c, s.target);
	put_or_fail(b, req);
	put_linux(b, req, p, c, "the kernel or attach the iSCSI disk");
}

static const struct boot_asset default_memdisk = { .path = "memdisk", .name = "memdisk" };

static const struct boot_asset *memdisk_asset(const struct boot_profile *p)
{
	return empty(p->iso.memdisk_kernel.path) ? &default_memdisk :
						   &p->iso.memdisk_kernel;
}

static void render_iso(struct boot_buf *b, const struct boot_request *req,
		       const struct boot_profile *p, const struct boot_client *c)
{
	(void)c;
	if (p->iso.memdisk) {
		put(b, "kernel ");
		put_asset_url(b, req->base_url, memdisk_asset(p), "memdisk_kernel");
		put(b, " iso raw");
		put_or_fail(b, req);
		put(b, "initrd ");
		put_asset_url(b, req->base_url, &p->iso.image, "image");
		put_or_fail(b, req);
		put(b, "boot");
	} else {
		if (!ipxe(req)) {	/* gPXE cannot sanboot over HTTP */
			buf_fail(b, -ENOTSUP);
			return;
		}
		put(b, "sanboot --no-describe ");
		put_asset_url(b, req->base_url, &p->iso.image, "image");
	}
	put_or_fail(b, req);
	put_fail_block(b, req, "the ISO image");
}

static void render_winpe(struct boot_buf *b, const struct boot_request *req,
			 const struct boot_profile *p, const struct boot_client *c)
{
	unsigned int n = p->winpe.n_files;

	(void)c;
	if (!n || n > BOOT_MAX_FILES) {
		buf_refuse(b, "files", "a winpe profile has 1 to 8 files");
		return;
	}
	put(b, "kernel ");
	put_asset_url(b, req->base_url, &p->winpe.wimboot, "wimboot");
	put_or_fail(b, req);
	for (unsigned int i = 0; i < n; i++) {
		const struct boot_asset *f = &p->winpe.files[i];

		/* --name for EFI's virtual file system, the trailing
		 * argument for wimboot under BIOS. */
		put(b, "initrd ");
		if (ipxe(req)) {
			put(b, "--name ");
			put_image_name(b, f, "file", i, "files");
			putc_(b, ' ');
		}
		put_asset_url(b, req->base_url, f, "files");
		putc_(b, ' ');
		put_image_name(b, f, "file", i, "files");
		put_or_fail(b, req);
	}
	put(b, "boot");
	put_or_fail(b, req);
	put_fail_block(b, req, "Windows PE");
}

/* An item's text: its label, else its target's title, else its name. */
static const char *item_text(const struct boot_menu_item *it)
{
	if (!empty(it->label))
		return it->label;
	if (it->target && !empty(it->target->title))
		return it->target->title;
	return it->profile;
}

static void render_menu(struct boot_buf *b, const struct boot_request *req,
			const struct boot_profile *p, const struct boot_client *c)
{
	const struct boot_query *q = req->query;
	unsigned int n = p->menu.n_items;
	bool default_found = false;

	(void)c;
	if (!ipxe(req)) {
		buf_fail(b, -ENOTSUP);
		return;
	}
	if (!n || n > BOOT_MAX_ITEMS) {
		buf_refuse(b, "items", "a menu has 1 to 16 items");
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		const struct boot_menu_item *it = &p->menu.items[i];

		if (!valid_name(it->profile)) {
			buf_refuse(b, "items", "an item names a profile");
			return;
		}
		if (!empty(it->key) && (strlen(it->key) != 1 ||
					!is_alnum((unsigned char)it->key[0]))) {
			buf_refuse(b, "items", "an item's key is one letter or digit");
			return;
		}
		if (!empty(p->menu.default_item) &&
		    !strcmp(p->menu.default_item, it->profile))
			default_found = true;
	}
	if (!empty(p->menu.default_item) && !default_found) {
		buf_refuse(b, "default", "the default is not an item of the menu");
		return;
	}
	put(b, ":bootsan_menu\nmenu ");
	boot_esc_text(b, empty(p->title) ? p->name : p->title);
	putc_(b, '\n');
	for (unsigned int i = 0; i < n; i++) {
		const struct boot_menu_item *it = &p->menu.items[i];

		put(b, "item ");
		if (!empty(it->key)) {
			put(b, "--key ");
			put(b, it->key);
			putc_(b, ' ');
		}
		put(b, it->profile);
		putc_(b, ' ');
		boot_esc_text(b, item_text(it));
		putc_(b, '\n');
	}
	put(b, "choose");
	if (default_found) {
		put(b, " --default ");
		put(b, p->menu.default_item);
	}
	if (p->menu.timeout_ms) {
		put(b, " --timeout ");
		put_uint(b, p->menu.timeout_ms);
	}
	put(b, " target && goto ${target} || goto bootsan_cancel\n");
	for (unsigned int i = 0; i < n; i++) {
		const struct boot_menu_item *it = &p->menu.items[i];

		putc_(b, ':');
		put(b, it->profile);
		put(b, "\nchain ");
		boot_append_boot_url(b, req->base_url, it->profile, q);
		put(b, " || goto " FAILED_LABEL "\nexit\n");
	}
	put(b, ":bootsan_cancel\necho bootsan: menu cancelled\nexit\n"
	       ":" FAILED_LABEL "\necho bootsan: could not boot the chosen entry\n"
	       "sleep " FAIL_SLEEP "\ngoto bootsan_menu\n");
}

static void render_chain(struct boot_buf *b, const struct boot_request *req,
			 const struct boot_profile *p, const struct boot_client *c)
{
	(void)c;
	if (empty(p->chain_url) || !is_absolute_url(p->chain_url) ||
	    !valid_admin(p->chain_url, false)) {
		buf_refuse(b, "url", "a chain profile needs an absolute URL: one word of "
			   "printable ASCII, not ending in a backslash");
		return;
	}
	put(b, "chain ");
	put(b, p->chain_url);
	put_or_fail(b, req);
	put_fail_block(b, req, "the chained script");
}

static void render_local(struct boot_buf *b, const struct boot_request *req,
			 const struct boot_profile *p, const struct boot_client *c)
{
	(void)p;
	(void)c;
	put(b, "echo bootsan: booting from the local disk\n");
	if (ipxe(req))
		put(b, "exit\n");
}

/* The script of each kind of profile but sanboot, which boots the client's disk. */
static void (*const render_kind[])(struct boot_buf *b, const struct boot_request *req,
				   const struct boot_profile *p, const struct boot_client *c) = {
	[BOOT_KIND_LINUX] = render_linux,
	[BOOT_KIND_ISO] = render_iso,
	[BOOT_KIND_WINPE] = render_winpe,
	[BOOT_KIND_MENU] = render_menu,
	[BOOT_KIND_LOCAL] = render_local,
	[BOOT_KIND_CHAIN] = render_chain,
};

int boot_render_ipxe(struct boot_buf *out, const struct boot_request *req,
		     const struct boot_profile *p,
		     const struct boot_client *client)
{
	boot_buf_reset(out);
	if (p && !valid_name(p->name)) {
		buf_refuse(out, "name", "not a profile name");
		return finish(out);
	}
	if (!req || !p || !valid_base(req->base_url) ||
	    (client && !empty(client->name) && !valid_name(client->name))) {
		buf_fail(out, -EINVAL);
		return finish(out);
	}
	put_magic(out, req);
	put_comment(out, p, client);
	if (p->kind == BOOT_KIND_SANBOOT)
		render_sanboot(out, req, client);	/* the client's disk, not the profile's */
	else if (p->kind == BOOT_KIND_LINUX && p->lnx.san_root)
		render_san_root(out, req, p, client);
	else if ((unsigned int)p->kind < sizeof(render_kind) / sizeof(render_kind[0]) &&
		 render_kind[p->kind])
		render_kind[p->kind](out, req, p, client);
	else
		buf_fail(out, -EINVAL);
	return finish(out);
}

/* "echo bootsan: client uuid <u> mac <m> ..." with escaped client values. */
static void put_identity(struct boot_buf *b, const struct boot_query *q)
{
	static const enum boot_query_field shown[] = {
		BOOT_Q_UUID, BOOT_Q_MAC, BOOT_Q_SERIAL, BOOT_Q_HOSTNAME,
	};

	put(b, "echo bootsan: client");
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		putc_(b, ' ');
		put(b, query_keys[shown[i]]);
		put(b, " [");
		if (q)
			boot_esc_text(b, boot_query_get(q, shown[i]));
		putc_(b, ']');
	}
	putc_(b, '\n');
}

int boot_render_deny(struct boot_buf *out, const struct boot_request *req,
		     const char *message)
{
	boot_buf_reset(out);
	if (!req) {
		buf_fail(out, -EINVAL);
		return finish(out);
	}
	put_magic(out, req);
	put(out, "echo bootsan: ");
	boot_esc_text(out, empty(message) ? "this machine is not enrolled" :
					    message);
	putc_(out, '\n');
	put_identity(out, req->query);
	if (ipxe(req))
		put(out, "sleep " FAIL_SLEEP "\nexit\n");
	return finish(out);
}

int boot_render_wait(struct boot_buf *out, const struct boot_request *req,
		     const char *client_name, unsigned int seconds)
{
	boot_buf_reset(out);
	if (!req || seconds < 1 || seconds > 3600 ||
	    (!empty(client_name) && !valid_name(client_name))) {
		buf_fail(out, -EINVAL);
		return finish(out);
	}
	if (!ipxe(req)) {	/* no sleep in gPXE: it would spin */
		buf_fail(out, -ENOTSUP);
		return finish(out);
	}
	put_magic(out, req);
	put(out, ":bootsan_retry\necho bootsan: preparing disk");
	if (!empty(client_name)) {
		put(out, " for ");
		put(out, client_name);
	}
	put(out, ", retrying in ");
	put_uint(out, seconds);
	put(out, " s\nsleep ");
	put_uint(out, seconds);
	put(out, "\nchain ");
	boot_append_boot_url(out, req->base_url, NULL, req->query);
	put(out, " || goto bootsan_retry\nexit\n");
	return finish(out);
}

int boot_render_busy(struct boot_buf *out, const struct boot_request *req,
		     unsigned int seconds)
{
	boot_buf_reset(out);
	if (!req || seconds < 1 || seconds > 3600) {
		buf_fail(out, -EINVAL);
		return finish(out);
	}
	if (!ipxe(req)) {	/* no sleep in gPXE: it would spin */
		buf_fail(out, -ENOTSUP);
		return finish(out);
	}
	put_magic(out, req);
	put(out, ":bootsan_retry\necho bootsan: the server is busy enrolling new machines, "
	    "retrying in ");
	put_uint(out, seconds);
	put(out, " s\nsleep ");
	put_uint(out, seconds);
	put(out, "\nchain ");
	boot_append_boot_url(out, req->base_url, NULL, req->query);
	put(out, " || goto bootsan_retry\nexit\n");
	return finish(out);
}

int boot_render_entry(struct boot_buf *out, const char *base_url,
		      enum boot_entry_kind kind)
{
	boot_buf_reset(out);
	if (!valid_base(base_url)) {
		buf_fail(out, -EINVAL);
		return finish(out);
	}
	if (kind == BOOT_ENTRY_GPXE) {
		/* ${uuid} and ${net0/mac} expand to hex, '-' and ':' only,
		 * safe in a URL unencoded; gPXE knows no :uristring. */
		put(out, "#!gpxe\nchain ");
		put(out, base_url ? base_url : "");
		put(out, "/boot/ipxe?uuid=${uuid}&mac=${net0/mac}\n");
		return finish(out);
	}
	if (kind != BOOT_ENTRY_IPXE) {
		buf_fail(out, -EINVAL);
		return finish(out);
	}
	put(out, "#!ipxe\n:bootsan_retry\nchain ");
	put(out, base_url ? base_url : "");
	/*
	 * The MAC first and the UUID last: Debian's iPXE (1.0.0+git-20190125)
	 * ends the whole line where ${uuid:uristring} expands on a machine
	 * whose SMBIOS UUID is unset (qemu's default), losing what follows.
	 */
	put(out, "/boot/ipxe?mac=${net0/mac:hexhyp}"
		 "&buildarch=${buildarch:uristring}&platform=${platform:uristring}"
		 "&serial=${serial:uristring}&hostname=${hostname:uristring}"
		 "&asset=${asset:uristring}&uuid=${uuid:uristring} || goto " FAILED_LABEL "\n"
		 "exit\n:" FAILED_LABEL "\n"
		 "echo bootsan: could not fetch the boot script, retrying in "
		 FAIL_SLEEP " s\nsleep " FAIL_SLEEP "\ngoto bootsan_retry\n");
	return finish(out);
}

/* ---- pxelinux ---------------------------------------------------------------- */

/* One LABEL block for profile p (not a menu). */
static void pxe_label(struct boot_buf *b, const struct boot_request *req,
		      const struct boot_profile *p,
		      const struct boot_client *c, const char *text,
		      bool is_default)
{
	if (!valid_name(p->name)) {
		buf_fail(b, -EINVAL);
		return;
	}
	put(b, "LABEL ");
	put(b, p->name);
	put(b, "\n  MENU LABEL ");
	boot_esc_text(b, !empty(text) ? text : !empty(p->title) ? p->title :
								  p->name);
	putc_(b, '\n');
	if (is_default)
		put(b, "  MENU DEFAULT\n");
	switch (p->kind) {
	case BOOT_KIND_SANBOOT: {
		struct san_params s;
		int err = san_params(&s, c);

		if (err) {
			buf_fail(b, err);
			return;
		}
		if (s.chap) {	/* sanboot.c32 cannot pass credentials */
			buf_fail(b, -ENOTSUP);
			return;
		}
		put(b, "  KERNEL sanboot.c32\n  APPEND ");
		put_iscsi_root(b, c, s.target);
		putc_(b, '\n');
		break;
	}
	case BOOT_KIND_LINUX:
		if (p->lnx.san_root) {	/* pxelinux cannot publish an iBFT */
			buf_fail(b, -ENOTSUP);
			return;
		}
		if (!linux_ok(b, p))
			return;
		put(b, "  KERNEL ");
		put_asset_url(b, req->base_url, &p->lnx.kernel, "kernel");
		put(b, "\n  APPEND");
		for (unsigned int i = 0; i < p->lnx.n_initrds; i++) {
			put(b, i ? "," : " initrd=");
			put_asset_url(b, req->base_url, &p->lnx.initrds[i], "initrds");
		}
		put_preseed_args(b, req, p, c);
		if (!empty(p->lnx.args)) {
			putc_(b, ' ');
			put(b, p->lnx.args);
		}
		putc_(b, '\n');
		break;
	case BOOT_KIND_ISO:
		put(b, "  KERNEL ");
		if (empty(p->iso.memdisk_kernel.path))
			put(b, "memdisk");
		else
			put_asset_url(b, req->base_url, &p->iso.memdisk_kernel, "memdisk_kernel");
		put(b, "\n  INITRD ");
		put_asset_url(b, req->base_url, &p->iso.image, "image");
		put(b, "\n  APPEND iso raw\n");
		break;
	case BOOT_KIND_LOCAL:
		put(b, "  LOCALBOOT 0\n");
		break;
	case BOOT_KIND_WINPE:
	case BOOT_KIND_CHAIN:
	case BOOT_KIND_MENU:
		buf_fail(b, -ENOTSUP);
		break;
	default:
		buf_fail(b, -EINVAL);
	}
}

int boot_render_pxelinux(struct boot_buf *out, const struct boot_request *req,
			 const struct boot_profile *p,
			 const struct boot_client *client)
{
	boot_buf_reset(out);
	if (!req || !p || !valid_name(p->name) || !valid_base(req->base_url)) {
		buf_fail(out, -EINVAL);
		return finish(out);
	}
	if (p->kind != BOOT_KIND_MENU) {
		put(out, "DEFAULT ");
		put(out, p->name);
		put(out, "\nPROMPT 0\n");
		pxe_label(out, req, p, client, NULL, false);
		return finish(out);
	}
	if (!p->menu.n_items || p->menu.n_items > BOOT_MAX_ITEMS) {
		buf_refuse(out, "items", "a menu has 1 to 16 items");
		return finish(out);
	}
	put(out, "DEFAULT menu.c32\nPROMPT 0\nTIMEOUT ");
	/* tenths of a second, rounded up; 0 waits for a choice */
	put_uint(out, (p->menu.timeout_ms + 99) / 100);
	put(out, "\nMENU TITLE ");
	boot_esc_text(out, empty(p->title) ? p->name : p->title);
	putc_(out, '\n');
	for (unsigned int i = 0; i < p->menu.n_items; i++) {
		const struct boot_menu_item *it = &p->menu.items[i];

		if (!it->target || empty(it->profile) ||
		    strcmp(it->profile, it->target->name)) {
			buf_refuse(out, "items", "an item's profile is missing");
			break;
		}
		pxe_label(out, req, it->target, client, it->label,
			  !empty(p->menu.default_item) &&
			  !strcmp(p->menu.default_item, it->profile));
	}
	return finish(out);
}

int boot_render_pxelinux_deny(struct boot_buf *out, const char *message)
{
	boot_buf_reset(out);
	put(out, "DEFAULT refused\nPROMPT 0\nSAY bootsan: ");
	boot_esc_text(out, empty(message) ? "this machine is not enrolled" : message);
	/* LOCALBOOT -1: back to the firmware's next boot device, as iPXE's exit */
	put(out, "\nLABEL refused\n  MENU LABEL Not served by bootsan\n  LOCALBOOT -1\n");
	return finish(out);
}

int boot_pxelinux_mac_name(const char *mac, char out[BOOT_PXE_NAME_MAX])
{
	char norm[BOOT_MAC_STRLEN];

	out[0] = '\0';
	if (boot_mac_normalize(mac, norm))
		return -EINVAL;
	memcpy(out, "01-", 3);
	for (int i = 0; i < BOOT_MAC_STRLEN; i++)
		out[3 + i] = norm[i] == ':' ? '-' : norm[i];
	return 0;
}

int boot_pxelinux_uuid_name(const char *uuid, char out[BOOT_PXE_NAME_MAX])
{
	return boot_uuid_normalize(uuid, out);
}

enum boot_pxe_name boot_pxelinux_parse_name(const char *name,
					    char out[BOOT_PXE_NAME_MAX])
{
	char mac[BOOT_MAC_STRLEN];

	out[0] = '\0';
	if (!name)
		return BOOT_PXE_NAME_INVALID;
	if (!strcmp(name, "default"))
		return BOOT_PXE_NAME_DEFAULT;
	/* 01-aa-bb-cc-dd-ee-ff: ARP type 1 (Ethernet), hyphens only */
	if (strlen(name) == 20 && !strncmp(name, "01-", 3) && name[5] == '-' &&
	    !boot_mac_normalize(name + 3, mac)) {
		memcpy(out, mac, BOOT_MAC_STRLEN);
		return BOOT_PXE_NAME_MAC;
	}
	if (strlen(name) == 36 && !boot_uuid_normalize(name, out))
		return BOOT_PXE_NAME_UUID;
	out[0] = '\0';
	return BOOT_PXE_NAME_INVALID;
}
