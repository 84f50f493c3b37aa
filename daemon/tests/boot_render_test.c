// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit test of daemon/boot/boot_render.c, printing TAP.
 *
 *   boot_render_test GOLDEN_DIR            compare with the golden files
 *   BOOT_GOLDEN_UPDATE=1 boot_render_test GOLDEN_DIR   rewrite them
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../boot/boot_render.h"

static int n, failed;
static const char *golden_dir;
static bool update;

static void check(bool ok, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	n++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* one TAP line whatever the test strings contain */
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f || *p == '#')
			*p = '?';
	printf("%s %d %s\n", ok ? "ok" : "not ok", n, msg);
	if (!ok)
		failed = 1;
}

/* Prints s as TAP diagnostics: every line prefixed with "# ". */
static void diag(const char *label, const char *s)
{
	printf("# %s:\n# ", label);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			printf("\n# ");
		else if (c < 0x20 || c >= 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	printf("\n");
}

static void check_str(const char *got, const char *want, const char *what)
{
	check(!strcmp(got, want), "%s", what);
	if (strcmp(got, want)) {
		diag("got", got);
		diag("want", want);
	}
}

/* ---- shape of a script: what client data must never change -------------- */

struct shape {
	int lines;		/* '\n' count */
	int expansions;		/* "${" count */
	int comments;		/* tokens starting with '#' */
	int separators;		/* tokens "||", "&&", ";" */
	int dollars, braces;	/* '$', '{' and '}' bytes */
	bool clean;		/* only printable ASCII and '\n', ends in '\n', no trailing '\\' */
};

static struct shape shape_of(const char *s)
{
	struct shape sh = { .clean = true };
	size_t len = strlen(s);

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
		if (c == '$' && s[i + 1] == '{')
			sh.expansions++;
		if (c == '$')
			sh.dollars++;
		if (c == '{' || c == '}')
			sh.braces++;
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
	if (len && s[len - 1] != '\n')
		sh.clean = false;
	return sh;
}

static bool same_shape(struct shape a, struct shape b)
{
	return a.lines == b.lines && a.expansions == b.expansions &&
	       a.comments == b.comments && a.separators == b.separators &&
	       a.dollars == b.dollars && a.braces == b.braces &&
	       a.clean && b.clean;
}

/* ---- golden files --------------------------------------------------------- */

static char out_mem[65536];

static void golden(const char *file, int rc, const char *text)
{
	char path[512], want[65536];
	FILE *f;
	size_t len;

	if (rc) {
		check(false, "golden %s: render failed: %s", file, strerror(-rc));
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", golden_dir, file);
	if (update) {
		f = fopen(path, "w");
		if (!f || fwrite(text, 1, strlen(text), f) != strlen(text)) {
			check(false, "golden %s: cannot write %s", file, path);
			if (f)
				fclose(f);
			return;
		}
		fclose(f);
		check(true, "golden %s: written", file);
		return;
	}
	f = fopen(path, "r");
	if (!f) {
		check(false, "golden %s: cannot read %s", file, path);
		return;
	}
	len = fread(want, 1, sizeof(want) - 1, f);
	fclose(f);
	want[len] = '\0';
	check(len == strlen(text) && !memcmp(want, text, len),
	      "golden %s matches byte for byte", file);
	if (len != strlen(text) || memcmp(want, text, len))
		diag("got", text);
	check(shape_of(text).clean, "golden %s is clean single-byte text", file);
}

/* ---- fixtures ---------------------------------------------------------------- */

#define BASE "http://10.0.0.1:8080"

static const struct boot_client pc01 = {
	.name = "pc01",
	.iqn_prefix = "iqn.2024-01.org.example.bootsan",
	.san_server = "10.0.0.1",
};

static const struct boot_client pc02 = {
	.name = "pc02",
	.iqn_prefix = "iqn.2024-01.org.example.bootsan",
	.initiator_iqn = "iqn.2010-04.org.ipxe:pc02",
	.target_iqn = "iqn.2024-01.org.example.bootsan:pc02:disk",
	.san_server = "san.example.org:3261",
	.lun = 0x1a,
	.chap_user = "pc02",
	.chap_secret = "s3cr3t-chap-pc02",
	.mutual_user = "bootsan",
	.mutual_secret = "mutual-s3cr3t-0",
	.keep_san = true,
};

static struct boot_profile p_disk = {
	.kind = BOOT_KIND_SANBOOT, .name = "disk", .title = "Own iSCSI disk",
};

static struct boot_profile p_debian = {
	.kind = BOOT_KIND_LINUX, .name = "debian",
	.title = "Debian 12 installer",
	.lnx = {
		.kernel = { .path = "debian/12/linux" },
		.initrds = { { .path = "debian/12/initrd.gz" } },
		.n_initrds = 1,
		.args = "console=ttyS0 BOOTIF=01-${net0/mac:hexhyp} priority=critical",
	},
	.raw_ipxe = true,
};

static struct boot_profile p_live = {
	.kind = BOOT_KIND_LINUX, .name = "live", .title = "Live system",
	.lnx = {
		.kernel = { .path = "http://mirror.example.org/live/${buildarch}/vmlinuz" },
		.initrds = {
			{ .path = "live/initrd.img" },
			{ .path = "http://mirror.example.org/live/fw.cpio?v=2", .name = "firmware" },
			{ .path = "live/odd name+1.cpio" },
		},
		.n_initrds = 3,
		.args = "boot=live fetch=" BASE "/assets/live/filesystem.squashfs",
	},
};

/* Linux with its root on the client's iSCSI disk (the initrd logs in from the iBFT). */
static struct boot_profile p_rootdisk = {
	.kind = BOOT_KIND_LINUX, .name = "rootdisk", .title = "Debian, root on iSCSI",
	.lnx = {
		.kernel = { .path = "debian/vmlinuz" },
		.initrds = { { .path = "debian/initrd-iscsi.gz", .name = "initrd.gz" } },
		.n_initrds = 1,
		.args = "console=ttyS0 root=LABEL=root ro",
		.san_root = true,
	},
};

static struct boot_profile p_iso = {
	.kind = BOOT_KIND_ISO, .name = "rescue", .title = "SystemRescue",
	.iso = { .image = { .path = "iso/systemrescue-11.0.iso" } },
};

static struct boot_profile p_memdisk = {
	.kind = BOOT_KIND_ISO, .name = "freedos", .title = "FreeDOS",
	.iso = { .image = { .path = "iso/FD13LIVE.iso" }, .memdisk = true },
};

static struct boot_profile p_winpe = {
	.kind = BOOT_KIND_WINPE, .name = "winpe", .title = "Windows PE",
	.winpe = {
		.wimboot = { .path = "winpe/wimboot" },
		.files = {
			{ .path = "winpe/bootmgr" },
			{ .path = "winpe/boot/bcd", .name = "BCD" },
			{ .path = "winpe/boot/boot.sdi" },
			{ .path = "winpe/sources/boot.wim" },
		},
		.n_files = 4,
	},
};

static struct boot_profile p_local = {
	.kind = BOOT_KIND_LOCAL, .name = "local", .title = "Local disk",
};

static struct boot_profile p_chain = {
	.kind = BOOT_KIND_CHAIN, .name = "netbootxyz",
	.chain_url = "http://boot.example.org/menu-${platform}.ipxe",
};

static struct boot_profile p_menu = {
	.kind = BOOT_KIND_MENU, .name = "default", .title = "bootsan: choose",
	.menu = {
		.items = {
			{ "s", "disk", "Boot my iSCSI disk", &p_disk },
			{ "d", "debian", "Install Debian 12 (erases the disk!)", &p_debian },
			{ NULL, "freedos", NULL, &p_memdisk },
			{ "l", "local", "Local disk", &p_local },
		},
		.n_items = 4,
		.default_item = "disk",
		.timeout_ms = 5000,
	},
};

static struct boot_query q_typical;

static const struct boot_request req_ipxe = {
	.query = &q_typical, .base_url = BASE, .dialect = BOOT_DIALECT_IPXE,
};

static struct boot_query q_efi;

static const struct boot_request req_efi = {
	.query = &q_efi, .base_url = BASE, .dialect = BOOT_DIALECT_IPXE,
};

static const struct boot_request req_legacy = {
	.query = &q_typical, .base_url = BASE, .dialect = BOOT_DIALECT_LEGACY,
};

/* A Debian installer with a preseed: the installer's arguments name the URL to fetch it. */
static void test_preseed(void)
{
	static const struct boot_request relative = {
		.query = &q_typical, .base_url = "", .dialect = BOOT_DIALECT_IPXE,
	};
	struct boot_profile inst = p_debian;
	struct boot_buf b;
	int rc;

	boot_buf_init(&b, out_mem, sizeof(out_mem));
	inst.name = "installer";
	inst.raw_ipxe = false;
	inst.lnx.args = "console=ttyS0";
	inst.lnx.preseed = "d-i debian-installer/locale string en_US\n";
	golden("linux-preseed.ipxe", boot_render_ipxe(&b, &req_ipxe, &inst, &pc01), b.data);
	golden("pxelinux-preseed.cfg", boot_render_pxelinux(&b, &req_ipxe, &inst, &pc01), b.data);
	rc = boot_render_ipxe(&b, &req_ipxe, &inst, NULL);
	check(!rc && strstr(b.data, " auto=true priority=critical url=" BASE
			    "/boot/preseed/installer console=ttyS0 ||"),
	      "preseed: no client, the profile's URL alone");
	rc = boot_render_ipxe(&b, &relative, &inst, &pc01);
	check(rc == -EINVAL && b.field && !strcmp(b.field, "preseed") && !b.data[0],
	      "preseed: no absolute server address is refused, naming preseed");
	inst.lnx.preseed = "";
	rc = boot_render_ipxe(&b, &req_ipxe, &inst, &pc01);
	check(!rc && !strstr(b.data, "url="), "preseed: an empty one adds no arguments");
}

static void test_golden(void)
{
	struct boot_buf b;
	struct boot_profile menu_nodefault = p_menu;

	boot_buf_init(&b, out_mem, sizeof(out_mem));
	golden("sanboot.ipxe", boot_render_ipxe(&b, &req_ipxe, &p_disk, &pc01), b.data);
	golden("sanboot-chap.ipxe", boot_render_ipxe(&b, &req_ipxe, &p_disk, &pc02), b.data);
	golden("sanboot-legacy.ipxe", boot_render_ipxe(&b, &req_legacy, &p_disk, &pc02), b.data);
	golden("linux.ipxe", boot_render_ipxe(&b, &req_ipxe, &p_debian, &pc01), b.data);
	golden("linux-initrds.ipxe", boot_render_ipxe(&b, &req_ipxe, &p_live, NULL), b.data);
	/* Both platforms: an EFI-stub kernel finds its initrd only by initrd=<name>. */
	golden("san-root-efi.ipxe", boot_render_ipxe(&b, &req_efi, &p_rootdisk, &pc01), b.data);
	golden("san-root-bios-chap.ipxe", boot_render_ipxe(&b, &req_ipxe, &p_rootdisk, &pc02),
	       b.data);
	golden("linux-legacy.ipxe", boot_render_ipxe(&b, &req_legacy, &p_debian, &pc01), b.data);
	golden("iso.ipxe", boot_render_ipxe(&b, &req_ipxe, &p_iso, &pc01), b.data);
	golden("iso-memdisk.ipxe", boot_render_ipxe(&b, &req_ipxe, &p_memdisk, &pc01), b.data);
	golden("winpe.ipxe", boot_render_ipxe(&b, &req_ipxe, &p_winpe, &pc01), b.data);
	golden("menu.ipxe", boot_render_ipxe(&b, &req_ipxe, &p_menu, &pc01), b.data);
	menu_nodefault.name = "plain";
	menu_nodefault.title = NULL;
	menu_nodefault.menu.default_item = NULL;
	menu_nodefault.menu.timeout_ms = 0;
	menu_nodefault.menu.n_items = 2;
	golden("menu-plain.ipxe", boot_render_ipxe(&b, &req_ipxe, &menu_nodefault, NULL), b.data);
	golden("local.ipxe", boot_render_ipxe(&b, &req_ipxe, &p_local, &pc01), b.data);
	golden("local-legacy.ipxe", boot_render_ipxe(&b, &req_legacy, &p_local, &pc01), b.data);
	golden("chain.ipxe", boot_render_ipxe(&b, &req_ipxe, &p_chain, NULL), b.data);
	golden("deny.ipxe", boot_render_deny(&b, &req_ipxe, "this machine is not enrolled, ask the lab admin"), b.data);
	golden("deny-legacy.ipxe", boot_render_deny(&b, &req_legacy, NULL), b.data);
	golden("wait.ipxe", boot_render_wait(&b, &req_ipxe, "pc01", 15), b.data);
	golden("boot.ipxe", boot_render_entry(&b, BASE, BOOT_ENTRY_IPXE), b.data);
	golden("boot.gpxe", boot_render_entry(&b, BASE, BOOT_ENTRY_GPXE), b.data);
	golden("pxelinux-menu.cfg", boot_render_pxelinux(&b, &req_ipxe, &p_menu, &pc01), b.data);
	golden("pxelinux-sanboot.cfg", boot_render_pxelinux(&b, &req_ipxe, &p_disk, &pc01), b.data);
	golden("pxelinux-linux.cfg", boot_render_pxelinux(&b, &req_ipxe, &p_live, NULL), b.data);
	golden("pxelinux-iso.cfg", boot_render_pxelinux(&b, &req_ipxe, &p_memdisk, NULL), b.data);
	golden("pxelinux-local.cfg", boot_render_pxelinux(&b, &req_ipxe, &p_local, NULL), b.data);
	golden("pxelinux-deny.cfg", boot_render_pxelinux_deny(&b, "not enrolled\nDEFAULT evil"), b.data);
}

/* ---- render errors --------------------------------------------------------- */

static void expect_rc(int rc, int want, struct boot_buf *b, const char *what)
{
	check(rc == want && b->len == 0 && b->data[0] == '\0',
	      "%s -> %s, buffer left empty", what, want ? strerror(-want) : "ok");
	if (rc != want)
		printf("# got %d (%s)\n", rc, rc ? strerror(-rc) : "ok");
}

static void test_errors(void)
{
	struct boot_buf b;
	struct boot_client c;
	struct boot_profile p;
	struct boot_request r = req_ipxe;
	char small[64];
	int rc;

	boot_buf_init(&b, out_mem, sizeof(out_mem));

	/* overflow at every size below the needed one: error, never a truncation */
	{
		char need[4096];
		struct boot_buf big;
		size_t full;
		bool all = true;

		boot_buf_init(&big, need, sizeof(need));
		boot_render_ipxe(&big, &req_ipxe, &p_menu, &pc01);
		full = big.len;
		for (size_t cap = 0; cap <= full; cap++) {
			char *mem = malloc(cap ? cap : 1);
			struct boot_buf s;

			boot_buf_init(&s, mem, cap);
			rc = boot_render_ipxe(&s, &req_ipxe, &p_menu, &pc01);
			if (rc != -ENOSPC || s.len || (cap && mem[0]))
				all = false;
			free(mem);
		}
		check(all, "menu script: every buffer of 0..%zu bytes gives -ENOSPC and \"\"", full);
		{
			char *mem = malloc(full + 1);
			struct boot_buf s;

			boot_buf_init(&s, mem, full + 1);
			rc = boot_render_ipxe(&s, &req_ipxe, &p_menu, &pc01);
			check(rc == 0 && s.len == full && !strcmp(mem, need),
			      "menu script: exactly %zu + 1 bytes is enough", full);
			free(mem);
		}
	}
	{
		struct boot_buf s;

		boot_buf_init(&s, small, sizeof(small));
		expect_rc(boot_render_entry(&s, BASE, BOOT_ENTRY_IPXE), -ENOSPC, &s,
			  "entry script into 64 bytes");
	}

	c = pc01;
	c.san_server = "10.0.0.1\nreboot";
	expect_rc(boot_render_ipxe(&b, &r, &p_disk, &c), -EINVAL, &b, "san server with a newline");
	c.san_server = "10.0.0.1:99999";
	expect_rc(boot_render_ipxe(&b, &r, &p_disk, &c), -EINVAL, &b, "san server port 99999");
	c.san_server = "10.0.0.1:";
	expect_rc(boot_render_ipxe(&b, &r, &p_disk, &c), -EINVAL, &b, "san server empty port");
	c.san_server = "[fd00::1]:3260";
	rc = boot_render_ipxe(&b, &r, &p_disk, &c);
	check(rc == 0 && strstr(b.data, "sanboot iscsi:[fd00::1]::3260::iqn."),
	      "IPv6 server in brackets with a port");
	c.san_server = "";
	expect_rc(boot_render_ipxe(&b, &r, &p_disk, &c), -EINVAL, &b, "no san server");
	c = pc01;
	c.chap_user = "pc01";
	c.chap_secret = "pa ss";
	expect_rc(boot_render_ipxe(&b, &r, &p_disk, &c), -EINVAL, &b, "CHAP secret with a space");
	c.chap_secret = "pa${ss}";
	expect_rc(boot_render_ipxe(&b, &r, &p_disk, &c), -EINVAL, &b, "CHAP secret with ${");
	c.chap_secret = "#pass";
	expect_rc(boot_render_ipxe(&b, &r, &p_disk, &c), -EINVAL, &b, "CHAP secret starting with #");
	c.chap_secret = NULL;
	expect_rc(boot_render_ipxe(&b, &r, &p_disk, &c), -EINVAL, &b, "CHAP user without secret");
	c = pc01;
	c.mutual_user = "m";
	c.mutual_secret = "mutualsecret";
	expect_rc(boot_render_ipxe(&b, &r, &p_disk, &c), -EINVAL, &b, "mutual CHAP without forward CHAP");
	c = pc01;
	c.target_iqn = "iqn.2024-01.org.example:Disk";
	expect_rc(boot_render_ipxe(&b, &r, &p_disk, &c), -EINVAL, &b, "target IQN with upper case");
	c.target_iqn = "iqn.2024-01.org.example:disk 1";
	expect_rc(boot_render_ipxe(&b, &r, &p_disk, &c), -EINVAL, &b, "target IQN with a space");
	c = pc01;
	c.name = "pc 01";
	expect_rc(boot_render_ipxe(&b, &r, &p_disk, &c), -EINVAL, &b, "client name with a space");
	c = pc01;
	c.iqn_prefix = NULL;
	expect_rc(boot_render_ipxe(&b, &r, &p_disk, &c), -EINVAL, &b, "no IQN prefix and no IQNs");
	expect_rc(boot_render_ipxe(&b, &r, &p_disk, NULL), -EINVAL, &b, "sanboot without a client");
	expect_rc(boot_render_ipxe(&b, &r, &p_rootdisk, NULL), -EINVAL, &b,
		  "san_root without a client");
	expect_rc(boot_render_ipxe(&b, &req_legacy, &p_rootdisk, &pc01), -ENOTSUP, &b,
		  "san_root for gPXE, which has no sanhook");
	expect_rc(boot_render_pxelinux(&b, &r, &p_rootdisk, &pc01), -ENOTSUP, &b,
		  "san_root for pxelinux, which cannot publish an iBFT");
	rc = boot_render_ipxe(&b, &req_efi, &p_rootdisk, &pc01);
	check(rc == 0 && strstr(b.data, "sanhook iscsi:10.0.0.1::::") &&
	      strstr(b.data, "sanhook ") < strstr(b.data, "\nkernel ") &&
	      strstr(b.data, " initrd=initrd.gz console=ttyS0"),
	      "san_root for EFI: sanhook before the kernel, initrd=<name> on its line");
	p = p_rootdisk;
	p.lnx.args = "root=/dev/sda1 ; reboot";
	expect_rc(boot_render_ipxe(&b, &r, &p, &pc01), -EINVAL, &b, "san_root args with ;");
	c = pc01;
	c.chap_user = "pc01";
	expect_rc(boot_render_ipxe(&b, &r, &p_rootdisk, &c), -EINVAL, &b,
		  "san_root: CHAP user without secret");

	p = p_debian;
	p.lnx.args = "quiet\nchain http://evil/";
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "kernel args with a newline");
	p.lnx.args = "quiet\rx";
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "kernel args with a CR");
	p.lnx.args = "quiet \\";
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "kernel args ending in a backslash");
	p = p_debian;
	p.lnx.kernel.path = "http://x/vm linuz";
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "absolute kernel URL with a space");
	p.lnx.kernel.path = NULL;
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "no kernel");
	p = p_debian;
	p.lnx.initrds[0].name = "bad name";
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "initrd name with a space");
	p = p_debian;
	p.lnx.n_initrds = BOOT_MAX_INITRDS + 1;
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "too many initrds");
	p = p_debian;
	p.name = "de bian";
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "profile name with a space");
	p.name = "";
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "empty profile name");
	p = p_menu;
	p.menu.default_item = "nosuch";
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "menu default is not an item");
	p = p_menu;
	p.menu.items[0].key = "ss";
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "menu key of two chars");
	p = p_menu;
	p.menu.items[1].profile = "x;y";
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "menu item profile x;y");
	p.menu.n_items = 0;
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "menu without items");
	p = p_chain;
	p.chain_url = "http://x/\n";
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "chain URL with a newline");
	p = p_winpe;
	p.winpe.n_files = 0;
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "winpe without files");
	p = p_local;
	p.kind = (enum boot_kind)42;
	expect_rc(boot_render_ipxe(&b, &r, &p, NULL), -EINVAL, &b, "unknown profile kind");

	r.dialect = BOOT_DIALECT_LEGACY;
	expect_rc(boot_render_ipxe(&b, &r, &p_menu, NULL), -ENOTSUP, &b, "menu for a legacy client");
	expect_rc(boot_render_ipxe(&b, &r, &p_iso, NULL), -ENOTSUP, &b, "HTTP sanboot for a legacy client");
	expect_rc(boot_render_wait(&b, &r, "pc01", 10), -ENOTSUP, &b, "wait for a legacy client");
	r = req_ipxe;
	expect_rc(boot_render_wait(&b, &r, "pc01", 0), -EINVAL, &b, "wait 0 s");
	expect_rc(boot_render_wait(&b, &r, "pc01", 3601), -EINVAL, &b, "wait 3601 s");
	expect_rc(boot_render_wait(&b, &r, "pc\n01", 5), -EINVAL, &b, "wait with a bad client name");
	r.base_url = "http://x/${evil}";
	expect_rc(boot_render_ipxe(&b, &r, &p_local, NULL), -EINVAL, &b, "base URL with ${");
	expect_rc(boot_render_entry(&b, "http://x\n", BOOT_ENTRY_IPXE), -EINVAL, &b, "entry base URL with a newline");
	expect_rc(boot_render_entry(&b, BASE, (enum boot_entry_kind)7), -EINVAL, &b, "unknown entry kind");

	{
		char ini[BOOT_IQN_MAX + 1], tgt[BOOT_IQN_MAX + 1];

		check(boot_client_iqns(&pc01, ini, tgt) == 0 &&
		      !strcmp(ini, "iqn.2024-01.org.example.bootsan:pc01:initiator") &&
		      !strcmp(tgt, "iqn.2024-01.org.example.bootsan:pc01"),
		      "client IQNs: defaults from the prefix and the name");
		check(boot_client_iqns(&pc02, ini, tgt) == 0 &&
		      !strcmp(ini, "iqn.2010-04.org.ipxe:pc02") &&
		      !strcmp(tgt, "iqn.2024-01.org.example.bootsan:pc02:disk"),
		      "client IQNs: explicit ones kept");
		c = pc01;
		c.iqn_prefix = "iqn.2024-01.org.Example";
		check(boot_client_iqns(&c, ini, tgt) == -EINVAL && !ini[0] && !tgt[0] &&
		      boot_client_iqns(NULL, ini, tgt) == -EINVAL,
		      "client IQNs: invalid prefix or no client -> -EINVAL");
	}
	c = pc02;
	expect_rc(boot_render_pxelinux(&b, &req_ipxe, &p_disk, &c), -ENOTSUP, &b, "pxelinux sanboot with CHAP");
	expect_rc(boot_render_pxelinux(&b, &req_ipxe, &p_winpe, NULL), -ENOTSUP, &b, "pxelinux winpe");
	expect_rc(boot_render_pxelinux(&b, &req_ipxe, &p_chain, NULL), -ENOTSUP, &b, "pxelinux chain");
	p = p_menu;
	p.menu.items[2].target = NULL;
	expect_rc(boot_render_pxelinux(&b, &req_ipxe, &p, &pc01), -EINVAL, &b, "pxelinux menu item unresolved");
	p = p_menu;
	p.menu.items[2].target = &p_menu;
	expect_rc(boot_render_pxelinux(&b, &req_ipxe, &p, &pc01), -EINVAL, &b, "pxelinux menu item target of another name");
}

/* ---- the name rule, iPXE tokens, and the reasons of refusals --------------- */

static void expect_refused(int rc, struct boot_buf *b, const char *field, const char *what)
{
	check(rc == -EINVAL && b->len == 0 && b->field && !strcmp(b->field, field) &&
	      b->why && strlen(b->why) > 10, "%s -> -EINVAL, field %s, with a reason", what, field);
	if (rc != -EINVAL || !b->field || strcmp(b->field, field))
		printf("# got %d, field %s, why %s\n", rc, b->field ? b->field : "(none)",
		       b->why ? b->why : "(none)");
}

static void test_rules(void)
{
	static const char *const good[] = {
		"a", "0", "pc01", "mac-525400aabb01", "lab.room-1", "9.9",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	static const char *const bad[] = {
		"", ".", "..", "-x", ".hidden", "_x", "a_b", "Upper", "a/b", "a b", "a:b",
		"a\nb", "${x}", "x;y", "\xc3\xa9",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};
	static const char *const plain_args[] = {
		"", "console=ttyS0 quiet", "root=/dev/sda1 ro", "a|b", "a&b", "$x", "{x}",
	};
	static const char *const token_args[][2] = {
		{ "a || b", "||" }, { "a&&b", "&&" }, { "a;b", ";" }, { "a #b", "#" },
		{ "BOOTIF=${net0/mac}", "${" }, { "a\nb", "\n" }, { "a\rb", "\r" },
	};
	struct boot_buf b;
	struct boot_profile p;
	struct boot_request r = req_ipxe;
	size_t i;
	int bad_good = 0, bad_bad = 0;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!boot_name_valid(good[i]))
			bad_good++, printf("# refused: %s\n", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (boot_name_valid(bad[i]))
			bad_bad++, printf("# accepted: %s\n", bad[i]);
	check(!bad_good && !boot_name_valid(NULL), "name rule: %zu good names accepted",
	      sizeof(good) / sizeof(good[0]));
	check(!bad_bad, "name rule: %zu bad names (., .., -x, _, upper case, 65 chars...) refused",
	      sizeof(bad) / sizeof(bad[0]));
	for (i = 0; i < sizeof(plain_args) / sizeof(plain_args[0]); i++)
		check(!boot_ipxe_token(plain_args[i]), "no iPXE token in \"%s\"", plain_args[i]);
	for (i = 0; i < sizeof(token_args) / sizeof(token_args[0]); i++) {
		const char *t = boot_ipxe_token(token_args[i][0]);

		check(t && !strcmp(t, token_args[i][1]), "iPXE token %s found", token_args[i][1]);
	}
	check(!boot_ipxe_token(NULL), "no iPXE token in NULL");

	check(boot_value_valid("To be filled by O.E.M.", 127) && boot_value_valid("", 1) &&
	      boot_value_valid("\xc3\xa9t\xc3\xa9", 127), "values: text, empty, UTF-8 accepted");
	check(!boot_value_valid("a\nb", 127) && !boot_value_valid("a\tb", 127) &&
	      !boot_value_valid("\x7f", 127) && !boot_value_valid(NULL, 127),
	      "values: control characters and NULL refused");
	{
		char v[300];

		memset(v, 'S', sizeof(v) - 1);
		v[sizeof(v) - 1] = '\0';
		check(!boot_value_valid(v, 127), "values: 299 bytes where 127 fit: refused, not cut");
		v[127] = '\0';
		check(boot_value_valid(v, 127), "values: exactly 127 bytes fit");
		v[127] = 'S';
		v[BOOT_LABEL_VALUE_MAX + 1] = '\0';
		check(boot_label_refusal("k", v) != NULL, "labels: a 256-byte value refused");
		v[BOOT_LABEL_VALUE_MAX] = '\0';
		check(boot_label_refusal("k", v) == NULL, "labels: a 255-byte value accepted");
	}
	check(!boot_label_refusal("room", "b12") && boot_label_refusal("-x", "y") &&
	      boot_label_refusal("Room", "y") && boot_label_refusal("room", NULL) &&
	      boot_label_refusal("room", "a\nb"), "labels: key by the name rule, value as text");

	boot_buf_init(&b, out_mem, sizeof(out_mem));
	p = p_debian;
	p.raw_ipxe = false;
	expect_refused(boot_render_ipxe(&b, &r, &p, NULL), &b, "args", "args with ${ without raw_ipxe");
	expect_refused(boot_render_pxelinux(&b, &r, &p, NULL), &b, "args",
		       "pxelinux: args with ${ without raw_ipxe");
	p.lnx.args = "quiet || reboot";
	p.raw_ipxe = true;
	check(boot_render_ipxe(&b, &r, &p, NULL) == 0 && strstr(b.data, "quiet || reboot"),
	      "raw_ipxe: args keep their tokens");
	p.lnx.args = "quiet\nchain http://evil/";
	expect_refused(boot_render_ipxe(&b, &r, &p, NULL), &b, "args", "raw_ipxe args with a newline");
	p = p_debian;
	p.lnx.kernel.path = "debian/12/linux\nreboot";
	expect_refused(boot_render_ipxe(&b, &r, &p, NULL), &b, "kernel", "a kernel path with a newline");
	expect_refused(boot_render_pxelinux(&b, &r, &p, NULL), &b, "kernel",
		       "pxelinux: a kernel path with a newline");
	p.lnx.kernel.path = NULL;
	expect_refused(boot_render_ipxe(&b, &r, &p, NULL), &b, "kernel", "a linux profile without kernel");
	p = p_debian;
	p.lnx.initrds[0].path = "";
	expect_refused(boot_render_ipxe(&b, &r, &p, NULL), &b, "initrds", "an empty initrd");
	p = p_chain;
	p.chain_url = NULL;
	expect_refused(boot_render_ipxe(&b, &r, &p, NULL), &b, "url", "a chain profile without url");
	p.chain_url = "menu.ipxe";
	expect_refused(boot_render_ipxe(&b, &r, &p, NULL), &b, "url", "a chain url that is not absolute");
	p = p_menu;
	p.menu.items[0].key = "${x}";
	expect_refused(boot_render_ipxe(&b, &r, &p, NULL), &b, "items", "a menu key ${x}");
	p = p_menu;
	p.menu.default_item = "nosuch";
	expect_refused(boot_render_ipxe(&b, &r, &p, NULL), &b, "default", "a menu default not an item");
	p = p_iso;
	p.iso.image.path = NULL;
	expect_refused(boot_render_ipxe(&b, &r, &p, NULL), &b, "image", "an iso profile without image");
	p = p_winpe;
	p.winpe.n_files = 0;
	expect_refused(boot_render_ipxe(&b, &r, &p, NULL), &b, "files", "a winpe profile without files");
	p = p_local;
	p.name = "bad name";
	expect_refused(boot_render_ipxe(&b, &r, &p, NULL), &b, "name", "a bad profile name");
	boot_render_ipxe(&b, &r, &p_local, NULL);
	check(!b.field && !b.why, "a good render leaves no reason behind");
}

/* ---- hostile client values ---------------------------------------------------- */

static char huge[10001];

static const char *const hostile[] = {
	"a\nb", "a\r\nb", "\n", "\r", "x\\", "\\", "#", "# comment", "a #b",
	"${", "${x}", "$${net0/mac}", "}${", "${${}}", "$", "{", "}",
	"\"quoted\"", "'q'", "`id`", "a b c", " || shell", "&& reboot", "; exit",
	"||", "&&", ";", "--key", "-n", "\t", "\x7f", "\x01\x02",
	"\xc3\xa9t\xc3\xa9", "\xff\xfe", "\xe2\x80\xa8", ":label", "item x",
	huge,
};

static void test_hostile(void)
{
	enum boot_query_field f;
	struct shape base_menu, base_wait, base_deny, base_legacy_deny;
	struct boot_query q;
	struct boot_request r = { .query = &q, .base_url = BASE };
	struct boot_request rl = { .query = &q, .base_url = BASE,
				   .dialect = BOOT_DIALECT_LEGACY };
	struct boot_buf b;
	int bad_menu = 0, bad_wait = 0, bad_deny = 0, bad_legacy = 0, bad_esc = 0;
	int cases = 0;

	memset(huge, 'A', sizeof(huge) - 1);
	huge[60] = '\n';
	huge[61] = '$';
	huge[62] = '{';
	boot_buf_init(&b, out_mem, sizeof(out_mem));
	boot_query_init(&q);
	boot_render_ipxe(&b, &r, &p_menu, NULL);
	base_menu = shape_of(b.data);
	boot_render_wait(&b, &r, "pc01", 5);
	base_wait = shape_of(b.data);
	boot_render_deny(&b, &r, NULL);
	base_deny = shape_of(b.data);
	boot_render_deny(&b, &rl, NULL);
	base_legacy_deny = shape_of(b.data);

	for (size_t h = 0; h < sizeof(hostile) / sizeof(hostile[0]); h++) {
		for (f = 0; f < BOOT_Q_NFIELDS; f++) {
			/* through the decoded-pair API, bypassing the length cap
			 * by writing the field directly as a worst case */
			boot_query_init(&q);
			snprintf((char *)boot_query_get(&q, f), BOOT_VALUE_MAX + 1,
				 "%s", hostile[h]);
			cases++;
			if (boot_render_ipxe(&b, &r, &p_menu, NULL) ||
			    !same_shape(shape_of(b.data), base_menu))
				bad_menu++;
			if (boot_render_wait(&b, &r, "pc01", 5) ||
			    !same_shape(shape_of(b.data), base_wait))
				bad_wait++;
			if (boot_render_deny(&b, &r, NULL) ||
			    !same_shape(shape_of(b.data), base_deny))
				bad_deny++;
			if (boot_render_deny(&b, &rl, NULL) ||
			    !same_shape(shape_of(b.data), base_legacy_deny))
				bad_legacy++;
		}
		/* the escapers on their own, on the full (unbounded) string */
		for (int e = 0; e < 3; e++) {
			static char big[65536];
			struct boot_buf eb;
			int rc;

			boot_buf_init(&eb, big, sizeof(big));
			rc = e == 0 ? boot_esc_url(&eb, hostile[h]) :
			     e == 1 ? boot_esc_word(&eb, hostile[h]) :
				      boot_esc_text(&eb, hostile[h]);
			if (rc || strpbrk(eb.data, "\n\r\\${}#|&;\"'`\t") ||
			    (e < 2 && strchr(eb.data, ' ')) ||
			    (e == 1 && eb.data[0] == '-'))
				bad_esc++;
			for (size_t i = 0; i < eb.len; i++)
				if ((unsigned char)eb.data[i] < 0x20 ||
				    (unsigned char)eb.data[i] >= 0x7f)
					bad_esc++;
		}
	}
	check(!bad_menu, "menu: %d hostile values x %d fields keep the script's shape (%d bad)",
	      (int)(sizeof(hostile) / sizeof(hostile[0])), BOOT_Q_NFIELDS, bad_menu);
	check(!bad_wait, "wait: %d hostile cases keep the script's shape (%d bad)", cases, bad_wait);
	check(!bad_deny, "deny: %d hostile cases keep the script's shape (%d bad)", cases, bad_deny);
	check(!bad_legacy, "legacy deny: %d hostile cases keep the script's shape (%d bad)", cases, bad_legacy);
	check(!bad_esc, "escapers never emit a control char, space (url/word), $ { } # \\ | & ; quotes (%d bad)", bad_esc);

	/* the 10k value through the query parser is refused, not truncated */
	{
		static char qs[12000];
		int bad;

		snprintf(qs, sizeof(qs), "serial=%s&uuid=ok", huge);
		bad = boot_query_parse(&q, qs, strlen(qs));
		check(bad == 1 && q.serial[0] == '\0' && (q.invalid & (1u << BOOT_Q_SERIAL)) &&
		      !strcmp(q.uuid, "ok"), "10 kB value: invalid, emptied, flagged; next pair still parsed");
	}
	{
		struct boot_buf eb;
		static char big[40000];
		int rc;

		boot_buf_init(&eb, big, sizeof(big));
		rc = boot_esc_url(&eb, huge);
		check(rc == 0 && eb.len == 9997 + 9, "10 kB value percent-encoded in full (%zu bytes)", eb.len);
		boot_buf_init(&eb, big, 100);
		check(boot_esc_url(&eb, huge) == -ENOSPC, "10 kB value into 100 bytes: -ENOSPC");
	}
}

static void test_escapers(void)
{
	static const struct { int e; const char *in, *want; } cases[] = {
		{ 0, "To be filled by O.E.M.", "To%20be%20filled%20by%20O.E.M." },
		{ 0, "a&b=c#d?e/f", "a%26b%3Dc%23d%3Fe%2Ff" },
		{ 0, "${net0/mac}", "%24%7Bnet0%2Fmac%7D" },
		{ 0, "a\nb\r", "a%0Ab%0D" },
		{ 0, "~-._AZaz09", "~-._AZaz09" },
		{ 0, "\xc3\xa9", "%C3%A9" },
		{ 0, "a+b%", "a%2Bb%25" },
		{ 0, "", "" },
		{ 1, "pc01.lab-1", "pc01.lab-1" },
		{ 1, "a b", "a_b" },
		{ 1, "${x}", "__x_" },
		{ 1, "#x", "_x" },
		{ 1, "-n", "_n" },
		{ 1, "a-n", "a-n" },
		{ 1, "x\\", "x_" },
		{ 1, "\"q'", "_q_" },
		{ 1, "h\xc3\xa9h\xe2\x80\xa8", "h_h_" },
		{ 1, "iqn.2010-04.org.ipxe:a=b,c@d/e+f~", "iqn.2010-04.org.ipxe:a=b,c@d/e+f~" },
		{ 2, "Debian 12 (stable) - install", "Debian 12 (stable) - install" },
		{ 2, "a\nb", "a_b" },
		{ 2, "a # b || c && d ; e", "a _ b __ c __ d _ e" },
		{ 2, "${x} $y {z}", "__x_ _y _z_" },
		{ 2, "\"quoted\" 'single' `tick`", "_quoted_ _single_ _tick_" },
		{ 2, "caf\xc3\xa9\ttab", "caf__tab" },
		{ 2, "\x80\x80", "__" },
		{ 2, "-n", "-n" },
	};
	static const char *const names[] = { "url", "word", "text" };
	char mem[256];
	struct boot_buf b;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char what[200];

		boot_buf_init(&b, mem, sizeof(mem));
		if (cases[i].e == 0)
			boot_esc_url(&b, cases[i].in);
		else if (cases[i].e == 1)
			boot_esc_word(&b, cases[i].in);
		else
			boot_esc_text(&b, cases[i].in);
		snprintf(what, sizeof(what), "esc_%s escapes case %zu as '%s'",
			 names[cases[i].e], i, cases[i].want);
		check_str(b.data, cases[i].want, what);
	}
}

/* ---- MAC, UUID, pxelinux names --------------------------------------------------- */

static void test_mac(void)
{
	static const char *const good[] = {
		"52:54:00:12:34:56", "52-54-00-12-34-56", "5254.0012.3456",
		"525400123456", "52:54:00:12:34:56", "5254.0012.3456",
	};
	static const char *const good_case[] = {
		"AA:BB:CC:DD:EE:FF", "aa-BB-cc-DD-ee-FF", "AABB.CCDD.EEFF", "aAbBcCdDeEfF",
	};
	static const char *const bad[] = {
		"", "52:54:00:12:34", "52:54:00:12:34:56:78", "52:54-00:12:34:56",
		"52.54.00.12.34.56", "5254:0012:3456", "52540012345", "5254001234567",
		"52:54:00:12:34:5g", "52:54:00:12:34:5", " 52:54:00:12:34:56",
		"52:54:00:12:34:56 ", "52 54 00 12 34 56", "5254.0012-3456",
		"52::54:00:12:34:5", "0x525400123456", "52:54:00:12:34:56\n",
		"52545400.0012.3456",
	};
	char out[BOOT_MAC_STRLEN];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int rc = boot_mac_normalize(good[i], out);

		check(rc == 0 && !strcmp(out, "52:54:00:12:34:56"), "MAC '%s' -> %s", good[i], out);
	}
	for (size_t i = 0; i < sizeof(good_case) / sizeof(good_case[0]); i++) {
		int rc = boot_mac_normalize(good_case[i], out);

		check(rc == 0 && !strcmp(out, "aa:bb:cc:dd:ee:ff"), "MAC '%s' -> %s", good_case[i], out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = boot_mac_normalize(bad[i], out);

		check(rc == -EINVAL && out[0] == '\0', "MAC '%s' rejected", bad[i]);
	}
	check(boot_mac_normalize(NULL, out) == -EINVAL, "MAC NULL rejected");
	strcpy(out, "AA-BB-CC-DD-EE-0F");
	check(boot_mac_normalize(out, out) == 0 && !strcmp(out, "aa:bb:cc:dd:ee:0f"),
	      "MAC normalised in place");
}

static void test_uuid(void)
{
	char out[BOOT_UUID_STRLEN], v[2][BOOT_UUID_STRLEN];
	static const char *const same[] = {
		"00112233-4455-6677-8899-AABBCCDDEEFF",
		"00112233445566778899aabbccddeeff",
		"00112233445566778899AaBbCcDdEeFf",
	};
	static const char *const bad[] = {
		"", "00112233-4455-6677-8899-aabbccddeef", "00112233-4455-6677-8899-aabbccddeeffa",
		"0011223-34455-6677-8899-aabbccddeeff", "00112233-4455-6677-8899-aabbccddeefg",
		"{00112233-4455-6677-8899-aabbccddeeff}", "00112233_4455_6677_8899_aabbccddeeff",
		"00112233-4455-6677-8899aabbccddeeff", "0011223344556677-8899-aabb-ccddeeff",
		"00112233445566778899aabbccddeef ", "00112233-4455-6677-8899-aabbccddeeff\n",
	};
	int rc;

	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		rc = boot_uuid_normalize(same[i], out);
		check(rc == 0 && !strcmp(out, "00112233-4455-6677-8899-aabbccddeeff"),
		      "UUID '%s' -> %s", same[i], out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rc = boot_uuid_normalize(bad[i], out);
		check(rc == -EINVAL && out[0] == '\0', "UUID '%s' rejected", bad[i]);
	}

	rc = boot_uuid_variants("00112233-4455-6677-8899-AABBCCDDEEFF", v);
	check(rc == 2 && !strcmp(v[0], "00112233-4455-6677-8899-aabbccddeeff") &&
	      !strcmp(v[1], "33221100-5544-7766-8899-aabbccddeeff"),
	      "UUID variants: as given and first three fields byte-reversed");
	strcpy(out, v[1]);
	rc = boot_uuid_variants(out, v);
	check(rc == 2 && !strcmp(v[1], "00112233-4455-6677-8899-aabbccddeeff"),
	      "UUID variants: the swap of the swap is the original");
	/* what dmidecode/iPXE (SMBIOS >= 2.6) and gPXE report for one machine */
	rc = boot_uuid_variants("4C4C4544-0042-3510-8057-B4C04F4E3232", v);
	check(rc == 2 && !strcmp(v[1], "44454c4c-4200-1035-8057-b4c04f4e3232"),
	      "UUID variants: a Dell-style UUID swaps to %s", v[1]);
	rc = boot_uuid_variants("44454c4c42001035" "8057b4c04f4e3232", v);
	check(rc == 2 && !strcmp(v[1], "4c4c4544-0042-3510-8057-b4c04f4e3232"),
	      "UUID variants: undashed input, other order matches back");
	rc = boot_uuid_variants("00000000-0000-0000-0000-000000000000", v);
	check(rc == 1 && !strcmp(v[0], v[1]), "UUID variants: a palindromic UUID has one variant");
	rc = boot_uuid_variants("33221100-5544-7766-0000-000000000000", v);
	check(rc == 2, "UUID variants: distinct variants counted");
	strcpy(out, "00112233445566778899AABBCCDDEEFF");
	check(boot_uuid_normalize(out, out) == 0 &&
	      !strcmp(out, "00112233-4455-6677-8899-aabbccddeeff"), "UUID normalised in place");
	strcpy(v[0], "00112233445566778899AABBCCDDEEFF");
	check(boot_uuid_variants(v[0], v) == 2 &&
	      !strcmp(v[1], "33221100-5544-7766-8899-aabbccddeeff"), "UUID variants in place");
	rc = boot_uuid_variants("nope", v);
	check(rc == -EINVAL && !v[0][0] && !v[1][0], "UUID variants: garbage rejected");
	check(boot_uuid_is_placeholder("00000000-0000-0000-0000-000000000000") &&
	      boot_uuid_is_placeholder("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF") &&
	      !boot_uuid_is_placeholder("00112233-4455-6677-8899-aabbccddeeff") &&
	      !boot_uuid_is_placeholder("x"),
	      "placeholder UUIDs: all-zero and all-ff");
}

static void test_pxelinux_names(void)
{
	char out[BOOT_PXE_NAME_MAX];

	check(boot_pxelinux_mac_name("52:54:00:AB:cd:EF", out) == 0 &&
	      !strcmp(out, "01-52-54-00-ab-cd-ef"), "pxelinux MAC name %s", out);
	check(boot_pxelinux_mac_name("5254.00ab.cdef", out) == 0 &&
	      !strcmp(out, "01-52-54-00-ab-cd-ef"), "pxelinux MAC name from Cisco notation");
	check(boot_pxelinux_mac_name("nope", out) == -EINVAL && !out[0], "pxelinux MAC name of garbage");
	check(boot_pxelinux_uuid_name("00112233445566778899AABBCCDDEEFF", out) == 0 &&
	      !strcmp(out, "00112233-4455-6677-8899-aabbccddeeff"), "pxelinux UUID name %s", out);
	check(boot_pxelinux_parse_name("default", out) == BOOT_PXE_NAME_DEFAULT, "parse 'default'");
	check(boot_pxelinux_parse_name("01-52-54-00-ab-cd-ef", out) == BOOT_PXE_NAME_MAC &&
	      !strcmp(out, "52:54:00:ab:cd:ef"), "parse a MAC name -> %s", out);
	check(boot_pxelinux_parse_name("01-52:54:00:ab:cd:ef", out) == BOOT_PXE_NAME_INVALID,
	      "parse a MAC name with colons: invalid");
	check(boot_pxelinux_parse_name("02-52-54-00-ab-cd-ef", out) == BOOT_PXE_NAME_INVALID,
	      "parse a MAC name of ARP type 2: invalid");
	check(boot_pxelinux_parse_name("00112233-4455-6677-8899-AABBCCDDEEFF", out) == BOOT_PXE_NAME_UUID &&
	      !strcmp(out, "00112233-4455-6677-8899-aabbccddeeff"), "parse a UUID name");
	check(boot_pxelinux_parse_name("00112233445566778899aabbccddeeff", out) == BOOT_PXE_NAME_INVALID,
	      "parse an undashed UUID: invalid (pxelinux always dashes)");
	check(boot_pxelinux_parse_name("C0A80001", out) == BOOT_PXE_NAME_INVALID &&
	      boot_pxelinux_parse_name("C0A8", out) == BOOT_PXE_NAME_INVALID &&
	      boot_pxelinux_parse_name("", out) == BOOT_PXE_NAME_INVALID &&
	      boot_pxelinux_parse_name("../default", out) == BOOT_PXE_NAME_INVALID &&
	      boot_pxelinux_parse_name(NULL, out) == BOOT_PXE_NAME_INVALID,
	      "parse hex-IP, empty, traversal and NULL names: invalid");
}

/* ---- query parsing ---------------------------------------------------------------- */

static void expect_query(const char *qs, enum boot_query_field f, const char *want,
			 bool present, bool invalid, int want_rc)
{
	struct boot_query q;
	int rc = boot_query_parse(&q, qs, strlen(qs));
	const char *got = boot_query_get(&q, f);

	check(rc == want_rc && !strcmp(got, want) &&
	      !!(q.present & (1u << f)) == present && !!(q.invalid & (1u << f)) == invalid,
	      "query '%.60s': %s='%s'%s%s", qs, boot_query_key(f), want,
	      present ? "" : " absent", invalid ? " invalid" : "");
	if (!(rc == want_rc && !strcmp(got, want)))
	{
		printf("# got rc %d, present %x, invalid %x\n", rc, q.present, q.invalid);
		diag("value", got);
	}
}

static void test_query(void)
{
	char qs[1024], v128[129];
	struct boot_query q;
	int rc;

	expect_query("", BOOT_Q_UUID, "", false, false, 0);
	expect_query("?", BOOT_Q_UUID, "", false, false, 0);
	expect_query("uuid", BOOT_Q_UUID, "", true, false, 0);
	expect_query("uuid=", BOOT_Q_UUID, "", true, false, 0);
	expect_query("uuid=&mac=", BOOT_Q_MAC, "", true, false, 0);
	expect_query("?uuid=abc", BOOT_Q_UUID, "abc", true, false, 0);
	expect_query("uuid=abc&", BOOT_Q_UUID, "abc", true, false, 0);
	expect_query("&&uuid=abc&&&", BOOT_Q_UUID, "abc", true, false, 0);
	expect_query("uuid=%zz", BOOT_Q_UUID, "", true, true, 1);
	expect_query("uuid=%4", BOOT_Q_UUID, "", true, true, 1);
	expect_query("uuid=%", BOOT_Q_UUID, "", true, true, 1);
	expect_query("uuid=a%00b", BOOT_Q_UUID, "", true, true, 1);
	expect_query("serial=a+b", BOOT_Q_SERIAL, "a+b", true, false, 0);
	expect_query("serial=To%20be%20filled", BOOT_Q_SERIAL, "To be filled", true, false, 0);
	expect_query("serial=%41%62%2b", BOOT_Q_SERIAL, "Ab+", true, false, 0);
	expect_query("serial=a%0Ab", BOOT_Q_SERIAL, "a\nb", true, false, 0);
	expect_query("hostname=a=b=c", BOOT_Q_HOSTNAME, "a=b=c", true, false, 0);
	expect_query("uuid=1&uuid=2", BOOT_Q_UUID, "1", true, false, 0);
	expect_query("uuid=&uuid=2", BOOT_Q_UUID, "", true, false, 0);
	expect_query("uuid=%zz&uuid=2", BOOT_Q_UUID, "", true, true, 1);
	expect_query("UUID=x", BOOT_Q_UUID, "", false, false, 0);
	expect_query("%75uid=x", BOOT_Q_UUID, "x", true, false, 0);
	expect_query("uu%zzid=x&uuid=y", BOOT_Q_UUID, "y", true, false, 0);
	expect_query("=x&uuid=y", BOOT_Q_UUID, "y", true, false, 0);
	expect_query("nosuch=1&other&mac=52-54-00-12-34-56", BOOT_Q_MAC,
		     "52-54-00-12-34-56", true, false, 0);
	expect_query("uuid=a#b", BOOT_Q_UUID, "a#b", true, false, 0);
	expect_query("profile=debian&uuid=x", BOOT_Q_PROFILE, "debian", true, false, 0);
	expect_query("asset=%E2%82%AC", BOOT_Q_ASSET, "\xe2\x82\xac", true, false, 0);

	memset(v128, 'v', 128);
	v128[128] = '\0';
	snprintf(qs, sizeof(qs), "serial=%s", v128);
	expect_query(qs, BOOT_Q_SERIAL, v128, true, false, 0);
	snprintf(qs, sizeof(qs), "serial=%sv", v128);
	expect_query(qs, BOOT_Q_SERIAL, "", true, true, 1);
	qs[0] = '\0';
	strcat(qs, "serial=");
	for (int i = 0; i < 128; i++)
		strcat(qs, "%76");
	expect_query(qs, BOOT_Q_SERIAL, v128, true, false, 0);
	strcat(qs, "%76");
	expect_query(qs, BOOT_Q_SERIAL, "", true, true, 1);

	/* bounded by len, not by NUL */
	rc = boot_query_parse(&q, "uuid=abcdef", 7);
	check(rc == 0 && !strcmp(q.uuid, "ab"), "parse honours len (uuid='%s')", q.uuid);
	rc = boot_query_parse(&q, "uuid=a\0b&mac=1", 14);
	check(rc == 1 && q.uuid[0] == '\0' && (q.invalid & 1u << BOOT_Q_UUID) &&
	      !strcmp(q.mac, "1"), "raw NUL byte in a value: invalid, rest parsed");
	rc = boot_query_parse(&q, NULL, 0);
	check(rc == 0 && !q.present, "NULL query: nothing present");

	/* every field at once, as /boot.ipxe sends them */
	snprintf(qs, sizeof(qs), "uuid=00112233-4455-6677-8899-aabbccddeeff&mac=52-54-00-12-34-56"
		 "&buildarch=x86_64&platform=efi&serial=&hostname=pc01&asset=A%%2F7");
	rc = boot_query_parse(&q, qs, strlen(qs));
	check(rc == 0 && q.present == 0x7f && !q.invalid && !strcmp(q.platform, "efi") &&
	      !strcmp(q.asset, "A/7") && boot_query_dialect(&q) == BOOT_DIALECT_IPXE,
	      "full /boot.ipxe query parsed, dialect ipxe");
	rc = boot_query_parse(&q, "uuid=x&mac=y&platform=", 22);
	check(boot_query_dialect(&q) == BOOT_DIALECT_LEGACY && boot_query_dialect(NULL) == BOOT_DIALECT_LEGACY,
	      "no platform: legacy dialect");

	/* the decoded-pair API */
	boot_query_init(&q);
	check(boot_query_set(&q, "hostname", "pc01", 4) == 1 && !strcmp(q.hostname, "pc01"),
	      "set: stores a value");
	check(boot_query_set(&q, "hostname", "pc02", 4) == 0 && !strcmp(q.hostname, "pc01"),
	      "set: first wins");
	check(boot_query_set(&q, "nosuch", "x", 1) == 0 && boot_query_set(&q, NULL, "x", 1) == 0,
	      "set: unknown and NULL keys ignored");
	check(boot_query_set(&q, "serial", "a\0b", 3) == -EINVAL && !q.serial[0] &&
	      (q.invalid & 1u << BOOT_Q_SERIAL), "set: embedded NUL invalid");
	check(boot_query_set(&q, "asset", v128, 129) == -EINVAL &&
	      boot_query_set(&q, "uuid", NULL, 5) == 1 && !q.uuid[0],
	      "set: over-long value invalid; NULL value is empty");
	check(boot_query_get(&q, BOOT_Q_NFIELDS) == NULL && boot_query_key(BOOT_Q_NFIELDS) == NULL &&
	      !strcmp(boot_query_key(BOOT_Q_HOSTNAME), "hostname"), "get/key bounds");
}

static void test_boot_url(void)
{
	char mem[1024];
	struct boot_buf b;

	boot_buf_init(&b, mem, sizeof(mem));
	boot_append_boot_url(&b, "", NULL, NULL);
	check_str(mem, "/boot/ipxe?uuid=&mac=&buildarch=&platform=&serial=&hostname=&asset=",
		  "boot URL with no query and relative base");
	boot_buf_reset(&b);
	boot_append_boot_url(&b, BASE, "debian", &q_typical);
	check_str(mem, BASE "/boot/ipxe?profile=debian&uuid=00112233-4455-6677-8899-aabbccddeeff"
		  "&mac=52-54-00-12-34-56&buildarch=x86_64&platform=pcbios"
		  "&serial=To%20be%20filled%20by%20O.E.M.&hostname=pc01&asset=",
		  "boot URL with the client's values percent-encoded");
}

int main(int argc, char **argv)
{
	static const char typical[] =
		"uuid=00112233-4455-6677-8899-aabbccddeeff&mac=52-54-00-12-34-56"
		"&buildarch=x86_64&platform=pcbios&serial=To%20be%20filled%20by%20O.E.M."
		"&hostname=pc01";
	static const char efi[] =
		"uuid=00112233-4455-6677-8899-aabbccddeeff&mac=52-54-00-12-34-56"
		"&buildarch=x86_64&platform=efi";

	golden_dir = argc > 1 ? argv[1] : "golden";
	update = getenv("BOOT_GOLDEN_UPDATE") && *getenv("BOOT_GOLDEN_UPDATE");
	boot_query_parse(&q_typical, typical, strlen(typical));
	boot_query_parse(&q_efi, efi, strlen(efi));

	printf("TAP version 13\n");
	test_golden();
	test_preseed();
	test_errors();
	test_rules();
	test_hostile();
	test_escapers();
	test_mac();
	test_uuid();
	test_pxelinux_names();
	test_query();
	test_boot_url();
	printf("1..%d\n", n);
	return failed;
}
