// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: parse an arbitrary query string, then render every
 * script kind with the parsed (untrusted) values.  Client data must never
 * change a script's shape: the number of lines, of "${", of '$', '{', '}',
 * of comment tokens and of "||"/"&&"/";" tokens stays what the same script
 * has with an empty query, and the output stays printable ASCII lines with
 * no trailing backslash.  Also checks the parser's bounds, the MAC and UUID
 * normalisers, the escapers and the no-truncation rule.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../boot/boot_render.h"

struct shape {
	int lines, expansions, comments, separators, dollars, braces;
	bool clean;
};

static struct shape shape_of(const char *s, size_t len)
{
	struct shape sh = { .clean = true };

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		bool tok_start = i == 0 || s[i - 1] == ' ' || s[i - 1] == '\n';

		if (c == '\n') {
			sh.lines++;
			if (i && s[i - 1] == '\\')
				sh.clean = false;
		} else if (c < 0x20 || c >= 0x7f) {
			sh.clean = false;
		}
		if (c == '$' && i + 1 < len && s[i + 1] == '{')
			sh.expansions++;
		sh.dollars += c == '$';
		sh.braces += c == '{' || c == '}';
		if (tok_start && c == '#')
			sh.comments++;
		if (tok_start) {
			size_t t = strcspn(s + i, " \n");

			if ((t == 2 && (!strncmp(s + i, "||", 2) ||
					!strncmp(s + i, "&&", 2))) ||
			    (t == 1 && c == ';'))
				sh.separators++;
		}
	}
	if (strlen(s) != len || (len && s[len - 1] != '\n'))
		sh.clean = false;
	return sh;
}

static void same_shape(struct shape a, struct shape b)
{
	if (a.lines != b.lines || a.expansions != b.expansions ||
	    a.comments != b.comments || a.separators != b.separators ||
	    a.dollars != b.dollars || a.braces != b.braces || !a.clean ||
	    !b.clean)
		abort();
}

#define BASE "http://10.0.0.1:8080"

static const struct boot_client client = {
	.name = "pc01",
	.iqn_prefix = "iqn.2024-01.org.example.bootsan",
	.san_server = "10.0.0.1:3260",
	.chap_user = "pc01",
	.chap_secret = "s3cr3t-chap-pc01",
	.mutual_user = "bootsan",
	.mutual_secret = "mutual-s3cr3t-0",
	.keep_san = true,
};

static struct boot_profile profiles[] = {
	{ .kind = BOOT_KIND_SANBOOT, .name = "disk" },
	{ .kind = BOOT_KIND_LINUX, .name = "debian", .lnx = {
		.kernel = { .path = "debian/linux" },
		.initrds = { { .path = "debian/initrd.gz" }, { .path = "x/fw.cpio", .name = "fw" } },
		.n_initrds = 2,
		.args = "console=ttyS0 BOOTIF=01-${net0/mac:hexhyp}" }, .raw_ipxe = true },
	{ .kind = BOOT_KIND_LINUX, .name = "rootdisk", .lnx = {
		.kernel = { .path = "debian/vmlinuz" },
		.initrds = { { .path = "debian/initrd-iscsi.gz", .name = "initrd.gz" } },
		.n_initrds = 1, .args = "console=ttyS0 root=LABEL=root", .san_root = true } },
	{ .kind = BOOT_KIND_ISO, .name = "rescue", .iso = { .image = { .path = "r.iso" } } },
	{ .kind = BOOT_KIND_ISO, .name = "fdos",
	  .iso = { .image = { .path = "f.iso" }, .memdisk = true } },
	{ .kind = BOOT_KIND_WINPE, .name = "winpe", .winpe = {
		.wimboot = { .path = "w/wimboot" },
		.files = { { .path = "w/bootmgr" }, { .path = "w/bcd", .name = "BCD" } },
		.n_files = 2 } },
	{ .kind = BOOT_KIND_MENU, .name = "menu", .title = "Menu", .menu = {
		.items = { { "d", "debian", "Debian", NULL },
			   { "l", "local", NULL, NULL } },
		.n_items = 2, .default_item = "local", .timeout_ms = 3000 } },
	{ .kind = BOOT_KIND_LOCAL, .name = "local" },
	{ .kind = BOOT_KIND_CHAIN, .name = "chain",
	  .chain_url = "http://x.example/${platform}.ipxe" },
};
#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

/* Scripts rendered per query: profiles x dialects, deny x dialects, wait. */
#define NSCRIPTS (NPROFILES * 2 + 2 + 1)

static char out[65536];

/* Renders script i with query q; returns its rc and leaves it in b. */
static int render(int i, struct boot_buf *b, const struct boot_query *q,
		  const char *title, const char *label)
{
	struct boot_request r = { .query = q, .base_url = BASE };
	struct boot_profile p;

	if (i < (int)(NPROFILES * 2)) {
		r.dialect = i & 1 ? BOOT_DIALECT_LEGACY : BOOT_DIALECT_IPXE;
		p = profiles[i / 2];
		if (p.kind == BOOT_KIND_MENU) {
			/* admin text fields fed with client bytes: escaped too */
			p.title = title;
			p.menu.items[1].label = label;
		}
		return boot_render_ipxe(b, &r, &p, &client);
	}
	i -= NPROFILES * 2;
	if (i < 2) {
		r.dialect = i ? BOOT_DIALECT_LEGACY : BOOT_DIALECT_IPXE;
		return boot_render_deny(b, &r, title);
	}
	return boot_render_wait(b, &r, "pc01", 5);
}

static struct shape baseline[NSCRIPTS];
static int baseline_rc[NSCRIPTS];

static void init_baseline(void)
{
	static bool done;
	struct boot_query empty;
	struct boot_buf b;

	if (done)
		return;
	done = true;
	boot_query_init(&empty);
	boot_buf_init(&b, out, sizeof(out));
	for (int i = 0; i < (int)NSCRIPTS; i++) {
		baseline_rc[i] = render(i, &b, &empty, "", "");
		baseline[i] = shape_of(b.data, b.len);
	}
}

static void check_query(const struct boot_query *q)
{
	if (q->invalid & ~q->present)
		abort();
	for (int f = 0; f < BOOT_Q_NFIELDS; f++) {
		const char *v = boot_query_get(q, (enum boot_query_field)f);

		if (strlen(v) > BOOT_VALUE_MAX)
			abort();
		if ((q->invalid & (1u << f)) && v[0])
			abort();
		if (!(q->present & (1u << f)) && v[0])
			abort();
	}
}

static void check_ids(const struct boot_query *q)
{
	char mac[BOOT_MAC_STRLEN], again[BOOT_MAC_STRLEN];
	char v[2][BOOT_UUID_STRLEN], w[2][BOOT_UUID_STRLEN];
	char name[BOOT_PXE_NAME_MAX], parsed[BOOT_PXE_NAME_MAX];
	int rc;

	if (!boot_mac_normalize(q->mac, mac)) {
		if (strlen(mac) != 17 || boot_mac_normalize(mac, again) ||
		    strcmp(mac, again))
			abort();
		if (boot_pxelinux_mac_name(q->mac, name) ||
		    boot_pxelinux_parse_name(name, parsed) != BOOT_PXE_NAME_MAC ||
		    strcmp(parsed, mac))
			abort();
	} else if (mac[0]) {
		abort();
	}
	rc = boot_uuid_variants(q->uuid, v);
	if (rc > 0) {
		if (boot_uuid_variants(v[1], w) != rc || strcmp(w[1], v[0]) ||
		    strcmp(w[0], v[1]) || (rc == 1) != !strcmp(v[0], v[1]))
			abort();
		if (boot_pxelinux_parse_name(v[0], parsed) != BOOT_PXE_NAME_UUID ||
		    strcmp(parsed, v[0]))
			abort();
	} else if (rc != -EINVAL || v[0][0] || v[1][0]) {
		abort();
	}
	boot_pxelinux_parse_name(q->profile, parsed);
}

static void check_escapers(const char *s)
{
	static char mem[4 * 2048 + 16];
	struct boot_buf b;

	for (int e = 0; e < 3; e++) {
		boot_buf_init(&b, mem, sizeof(mem));
		if ((e == 0 ? boot_esc_url(&b, s) : e == 1 ? boot_esc_word(&b, s) :
		     boot_esc_text(&b, s)) != 0)
			abort();
		if (strlen(mem) != b.len ||
		    strpbrk(mem, "\n\r\\${}#|&;\"'`\t") ||
		    (e < 2 && strchr(mem, ' ')) || (e == 1 && mem[0] == '-'))
			abort();
		for (size_t i = 0; i < b.len; i++)
			if ((unsigned char)mem[i] < 0x20 ||
			    (unsigned char)mem[i] >= 0x7f)
				abort();
	}
}

/*
 * Well-formed MAC and UUID strings built from the input, in a notation and
 * case chosen by it, so the accepting paths are fuzzed too: they must give
 * the same bytes back in canonical form.
 */
static void check_synthesized_ids(const uint8_t *data, size_t size)
{
	static const char lower[] = "0123456789abcdef", upper[] = "0123456789ABCDEF";
	char in[64], want[64], out[BOOT_UUID_STRLEN], v[2][BOOT_UUID_STRLEN];
	size_t o = 0, w = 0;
	uint8_t sel;

	if (size < 17)
		return;
	sel = data[16];
	for (int k = 0; k < 6; k++) {	/* MAC: aa:bb.. aa-bb.. aabb.ccdd.. aabb.. */
		const char *hx = (sel >> 2) & 1 ? upper : lower;

		if (k && (sel & 3) < 2)
			in[o++] = (sel & 3) ? '-' : ':';
		if (k && k % 2 == 0 && (sel & 3) == 2)
			in[o++] = '.';
		in[o++] = hx[data[k] >> 4];
		in[o++] = hx[data[k] & 15];
		if (k)
			want[w++] = ':';
		want[w++] = lower[data[k] >> 4];
		want[w++] = lower[data[k] & 15];
	}
	in[o] = want[w] = '\0';
	if (boot_mac_normalize(in, out) || strcmp(out, want))
		abort();
	o = w = 0;
	for (int k = 0; k < 16; k++) {	/* UUID, dashed or not, any case */
		const char *hx = (sel >> 3) & 1 ? upper : lower;
		bool dash = k == 4 || k == 6 || k == 8 || k == 10;

		if (dash && (sel >> 4) & 1)
			in[o++] = '-';
		if (dash)
			want[w++] = '-';
		in[o++] = hx[data[k] >> 4];
		in[o++] = hx[data[k] & 15];
		want[w++] = lower[data[k] >> 4];
		want[w++] = lower[data[k] & 15];
	}
	in[o] = want[w] = '\0';
	if (boot_uuid_normalize(in, out) || strcmp(out, want) ||
	    boot_uuid_variants(in, v) < 1 || strcmp(v[0], want))
		abort();
	/* the swapped variant reverses bytes 0-3, 4-5, 6-7 and nothing else */
	if (memcmp(v[1] + 19, want + 19, 17) || v[1][0] != want[6] ||
	    v[1][1] != want[7] || v[1][9] != want[11] || v[1][14] != want[16])
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *qs = malloc(size ? size : 1);	/* exact size: ASan sees overreads */
	char *str = malloc(size + 1);
	struct boot_query q;
	struct boot_buf b;

	if (!qs || !str)
		abort();
	init_baseline();
	memcpy(qs, data, size);
	memcpy(str, data, size);
	str[size] = '\0';

	boot_query_parse(&q, qs, size);
	check_query(&q);
	check_ids(&q);
	check_escapers(str);
	check_synthesized_ids(data, size);

	boot_buf_init(&b, out, sizeof(out));
	for (int i = 0; i < (int)NSCRIPTS; i++) {
		int rc = render(i, &b, &q, q.hostname, q.serial);

		if (rc != baseline_rc[i])
			abort();
		if (rc == 0)
			same_shape(shape_of(b.data, b.len), baseline[i]);
		else if (b.len || b.data[0])
			abort();
	}

	/* admin kernel arguments: ${...} allowed, but never an extra line */
	{
		struct boot_request r = { .query = &q, .base_url = BASE };
		struct boot_profile p = profiles[1];
		int rc;

		p.lnx.args = q.serial;
		rc = boot_render_ipxe(&b, &r, &p, &client);
		if (rc == 0 && (shape_of(b.data, b.len).lines != baseline[2].lines ||
				!shape_of(b.data, b.len).clean))
			abort();
		if (rc && rc != -EINVAL)
			abort();
		/* a refusal says which field and why */
		if (rc == -EINVAL && (!b.why || !b.field || strcmp(b.field, "args")))
			abort();
		/* without raw_ipxe: refused whenever an iPXE token is in them */
		p.raw_ipxe = false;
		rc = boot_render_ipxe(&b, &r, &p, &client);
		if (boot_ipxe_token(q.serial) && rc != -EINVAL)
			abort();
	}

	/* the one name rule: never ".", "..", an option, or a path */
	if (boot_name_valid(str) &&
	    (strlen(str) > BOOT_NAME_MAX || str[0] == '.' || str[0] == '-' ||
	     strspn(str, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(str)))
		abort();

	/* a label is a name and a line of text of bounded length */
	if (!boot_label_refusal(str, str) &&
	    (!boot_name_valid(str) || strlen(str) > BOOT_LABEL_VALUE_MAX))
		abort();
	if (boot_value_valid(str, 127) && (strlen(str) > 127 || strpbrk(str, "\n\r\t")))
		abort();

	/* a short buffer: the whole script or -ENOSPC and "", never a prefix */
	if (size) {
		size_t cap = data[0] * 8u;
		char *mem = malloc(cap ? cap : 1);
		struct boot_buf s;
		int rc;

		boot_buf_init(&s, mem, cap);
		rc = render((int)(data[size - 1] % NSCRIPTS), &s, &q, q.hostname,
			    q.serial);
		if (rc == -ENOSPC ? (s.len || (cap && mem[0])) :
		    rc == 0 ? strlen(mem) != s.len : 0)
			abort();
		free(mem);
	}
	free(qs);
	free(str);
	return 0;
}
