/* SPDX-License-Identifier: GPL-2.0 */
/*
 * boot_render: the pure core of bootsand's boot service.
 *
 * Parses the query string of GET /boot/ipxe, normalises MAC addresses and
 * UUIDs, escapes values for iPXE scripts, and renders iPXE scripts and
 * pxelinux.cfg menus from profile and client records.  No I/O and no
 * allocation: everything is written into a caller-provided struct boot_buf.
 * Every function returns 0 (or a count) on success and a negative errno on
 * failure: -EINVAL (bad record or argument), -ENOSPC (output buffer too
 * small), -ENOTSUP (the combination cannot be expressed in that format).
 * A failed render leaves the buffer empty ("") - never a truncated script.
 *
 * Trust model and escaping rule
 * -----------------------------
 * iPXE reads a script line by line ('\n', a trailing '\r' stripped, a
 * trailing '\\' joins the next line), splits each line on whitespace with NO
 * quoting and NO escape character, treats a token starting with '#' as the
 * start of a comment and the tokens "||", "&&" and ";" as command
 * separators, then expands ${name} in every token, repeatedly.  So:
 *
 *  - Client-supplied values (everything in struct boot_query) are untrusted.
 *    They reach a script only through the three escapers below, which never
 *    emit a control character, '\\', '$', '{', '}', '#', '|', '&', ';',
 *    a quote or a byte >= 0x80:
 *      boot_esc_url()   percent-encodes every byte outside RFC 3986
 *                       "unreserved" (A-Z a-z 0-9 - . _ ~), for a value in
 *                       a URL query component;
 *      boot_esc_word()  keeps A-Z a-z 0-9 and - . _ ~ : / @ + = , and
 *                       replaces anything else with '_' (a leading '-' too,
 *                       so a word is never taken for an option): one token;
 *      boot_esc_text()  keeps printable ASCII and spaces but replaces
 *                       $ { } # \ | & ; " ' ` with '_': free text after a
 *                       command's first argument (menu items, echo).
 *    A multi-byte UTF-8 sequence becomes a single '_' in word and text.
 *    Consequence: client data can neither add a line, nor start a comment,
 *    nor add a command, nor produce "${", in any iPXE version.
 *  - Admin-supplied record fields (struct boot_client, struct boot_profile)
 *    are trusted to use iPXE features but are still checked: absolute
 *    URLs may contain ${...} (e.g. ${buildarch}) but never a control
 *    character, a byte >= 0x80 or a trailing '\\' (-EINVAL otherwise);
 *    kernel arguments neither, and unless the profile asks for raw iPXE
 *    (raw_ipxe) no iPXE control token ("||", "&&", ";", "#", "${": see
 *    boot_ipxe_token()); asset paths no control character; names, IQNs
 *    and CHAP credentials must be plain words and are refused (-EINVAL),
 *    not rewritten, when they are not; a refusal names the field and the
 *    reason in the buffer (field, why);
 *    menu titles and labels go through boot_esc_text().
 *
 * Dialects
 * --------
 * BOOT_DIALECT_IPXE scripts start with "#!ipxe" and use goto, labels,
 * "|| goto", sleep, menu/choose.  BOOT_DIALECT_LEGACY scripts (gPXE and
 * iPXE before 2013, which send no ${platform}) start with "#!gpxe", which
 * every iPXE accepts too, and use only set, sanboot, kernel, initrd, boot,
 * chain and echo; menu and wait cannot be expressed (-ENOTSUP: give those
 * clients a pxelinux menu).  boot_query_dialect() picks one from a query.
 */
#ifndef BOOTSAN_BOOT_RENDER_H
#define BOOTSAN_BOOT_RENDER_H

#include <stdbool.h>
#include <stddef.h>

/* ---- output buffer ---------------------------------------------------- */

/* A bounded output buffer over caller memory; always NUL-terminated. */
struct boot_buf {
	char *data;	/* caller's memory, cap bytes */
	size_t cap;	/* size of data, including the room for the NUL */
	size_t len;	/* bytes written, excluding the NUL */
	int err;	/* first error, sticky: 0, -ENOSPC or -EINVAL */
	/*
	 * With -EINVAL from a render: which record field was refused
	 * ("args", "kernel", "items", ... or NULL when it is not one field)
	 * and why, in words for an administrator.  Static strings.
	 */
	const char *field;
	const char *why;
};

void boot_buf_init(struct boot_buf *b, char *mem, size_t cap);
/* Empties the buffer and clears its error. */
void boot_buf_reset(struct boot_buf *b);

/* ---- query string ------------------------------------------------------ */

#define BOOT_VALUE_MAX 128	/* longest decoded query value, in bytes */

enum boot_query_field {
	BOOT_Q_UUID,
	BOOT_Q_MAC,
	BOOT_Q_BUILDARCH,
	BOOT_Q_PLATFORM,
	BOOT_Q_SERIAL,
	BOOT_Q_HOSTNAME,
	BOOT_Q_ASSET,
	BOOT_Q_PROFILE,		/* menu selection: /boot/ipxe?profile=<name> */
	BOOT_Q_NFIELDS
};

/*
 * Decoded, untrusted values.  A value that is too long (> BOOT_VALUE_MAX
 * bytes once decoded), has a bad escape ('%' not followed by two hex digits)
 * or decodes to a NUL byte is invalid: the field is left empty and its bit
 * set in invalid.  present has a bit for each key seen (even with an empty
 * or invalid value).  Bits are (1u << enum boot_query_field).
 */
struct boot_query {
	char uuid[BOOT_VALUE_MAX + 1];
	char mac[BOOT_VALUE_MAX + 1];
	char buildarch[BOOT_VALUE_MAX + 1];
	char platform[BOOT_VALUE_MAX + 1];
	char serial[BOOT_VALUE_MAX + 1];
	char hostname[BOOT_VALUE_MAX + 1];
	char asset[BOOT_VALUE_MAX + 1];
	char profile[BOOT_VALUE_MAX + 1];
	unsigned int present;
	unsigned int invalid;
};

void boot_query_init(struct boot_query *q);

/*
 * Parses len bytes of a query string (the part after '?'; one leading '?'
 * is skipped).  Pairs are separated by '&'; a pair without '=' is a key with
 * an empty value; empty pairs are skipped; keys are percent-decoded and
 * matched exactly (case-sensitive); unknown keys are ignored; for a repeated
 * key the first occurrence wins, valid or not.  '+' is a literal '+' (RFC
 * 3986; iPXE's :uristring encodes a space as %20), not a space.  Resets q
 * first.  Returns the number of invalid fields (0 when all is well); never
 * fails otherwise.
 */
int boot_query_parse(struct boot_query *q, const char *qs, size_t len);

/*
 * Stores one already-decoded pair (e.g. from libmicrohttpd), with the same
 * rules: returns 1 stored, 0 ignored (unknown or repeated key), -EINVAL
 * invalid value (field emptied, invalid bit set).
 */
int boot_query_set(struct boot_query *q, const char *key,
		   const char *value, size_t value_len);

/* The value of field f, or NULL for an out-of-range f. */
const char *boot_query_get(const struct boot_query *q,
			   enum boot_query_field f);
/* The query key of field f ("uuid", "mac", ...), or NULL. */
const char *boot_query_key(enum boot_query_field f);

/* ---- MAC addresses and UUIDs ------------------------------------------- */

#define BOOT_MAC_STRLEN 18	/* "aa:bb:cc:dd:ee:ff" + NUL */
#define BOOT_UUID_STRLEN 37	/* "00112233-4455-6677-8899-aabbccddeeff" + NUL */
#define BOOT_PXE_NAME_MAX 37	/* room for any pxelinux.cfg file name here */

/*
 * The normalisers below may be called in place (in == out).
 *
 * Accepts aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff and
 * aabbccddeeff in any case (one separator kind throughout) and writes
 * "aa:bb:cc:dd:ee:ff".  Returns 0 or -EINVAL (out is then "").
 */
int boot_mac_normalize(const char *in, char out[BOOT_MAC_STRLEN]);

/*
 * Accepts 32 hex digits in any case, either bare or dashed 8-4-4-4-12, and
 * writes the lowercase dashed form.  Returns 0 or -EINVAL (out is then "").
 */
int boot_uuid_normalize(const char *in, char out[BOOT_UUID_STRLEN]);

/*
 * out[0] = the normalised UUID as given, out[1] = the same with its first
 * three fields byte-reversed (SMBIOS >= 2.6 order as iPXE reports it since
 * 2013 vs. the raw order of gPXE and older iPXE).  Look a client up by
 * either.  Returns the number of distinct variants (1 when the swap changes
 * nothing, e.g. 33221100-5544-7766-...), or -EINVAL.
 */
int boot_uuid_variants(const char *in, char out[2][BOOT_UUID_STRLEN]);

/* True for the all-zero and all-ff UUIDs boards report when they have none. */
bool boot_uuid_is_placeholder(const char *normalized);

/* ---- names and arguments ------------------------------------------------ */

/*
 * The one rule for every name an administrator gives bootsand (clients,
 * profiles, images, menu items, label and selector keys): 1 to
 * BOOT_NAME_MAX of a-z 0-9 . - starting with a letter or a digit.  Such a
 * name is one word in a script, a file name that is never "." or ".." nor
 * an option, and a valid part of an IQN.
 */
#define BOOT_NAME_RULE "1 to 64 of a-z 0-9 . - starting with a letter or digit"
bool boot_name_valid(const char *s);

/*
 * The first iPXE control token in s ("||", "&&", ";", "#", "${", or a
 * line break "\n" / "\r"), as a static string, or NULL when there is none:
 * kernel arguments without raw_ipxe must have none.
 */
const char *boot_ipxe_token(const char *s);

/*
 * Text an administrator stores (a serial number, a label's value): at
 * most max bytes, no control character (UTF-8 is fine: it is only ever
 * compared, or escaped on its way into a script).
 */
bool boot_value_valid(const char *s, size_t max);

/* A label's (or a selector's) key follows the name rule, its value is text. */
#define BOOT_LABEL_VALUE_MAX 255
/* Why key = value is refused as a label, or NULL when it is fine. */
const char *boot_label_refusal(const char *key, const char *value);

/* ---- escaping (append to b; see the rule at the top) ------------------- */

int boot_esc_url(struct boot_buf *b, const char *s);
int boot_esc_word(struct boot_buf *b, const char *s);
int boot_esc_text(struct boot_buf *b, const char *s);

/* ---- records ------------------------------------------------------------ */

#define BOOT_MAX_INITRDS 8
#define BOOT_MAX_FILES 8
#define BOOT_MAX_ITEMS 16
#define BOOT_NAME_MAX 64	/* profile, client and image names */
#define BOOT_SECRET_MAX 255	/* CHAP user names and secrets */
#define BOOT_IQN_MAX 223

enum boot_dialect {
	BOOT_DIALECT_IPXE,
	BOOT_DIALECT_LEGACY,
};

enum boot_kind {
	BOOT_KIND_SANBOOT,
	BOOT_KIND_LINUX,
	BOOT_KIND_ISO,
	BOOT_KIND_WINPE,
	BOOT_KIND_MENU,
	BOOT_KIND_LOCAL,
	BOOT_KIND_CHAIN,
};

/*
 * A file to fetch.  path is either an absolute URL ("http://...", used as
 * is; ${...} allowed, no whitespace) or a path under the asset tree, served
 * as <base_url>/assets/<path> with each byte outside unreserved and '/'
 * percent-encoded.  name is the image name iPXE gives it (initrd=<name> on
 * an EFI kernel command line; wimboot's file name); when NULL or "" the
 * basename of path is used if it is a safe name, else a generated one.
 */
struct boot_asset {
	const char *path;
	const char *name;
};

struct boot_menu_item {
	const char *key;			/* hot key, one [a-z0-9] char, or NULL */
	const char *profile;			/* profile name: item label and chain target */
	const char *label;			/* menu text (escaped as text) */
	const struct boot_profile *target;	/* resolved profile; needed by pxelinux */
};

struct boot_profile {
	enum boot_kind kind;
	const char *name;		/* [A-Za-z0-9.-], 1..64 chars */
	const char *title;		/* menu title / description, text */
	struct {			/* BOOT_KIND_LINUX */
		struct boot_asset kernel;
		const char *args;	/* one line; iPXE tokens only with raw_ipxe */
		struct boot_asset initrds[BOOT_MAX_INITRDS];
		unsigned int n_initrds;
		/*
		 * Root on the client's iSCSI disk: the script sanhooks it
		 * first (iPXE then publishes the iBFT) with the client's
		 * names and CHAP, as sanboot does. iPXE scripts only.
		 */
		bool san_root;
		/* A Debian installer preseed (its text; checked by preseed.h),
		 * or NULL: served at <base>/boot/preseed/<name>, the kernel gets
		 * auto=true priority=critical url=<that URL>. */
		const char *preseed;
	} lnx;
	struct {			/* BOOT_KIND_ISO */
		struct boot_asset image;
		bool memdisk;		/* memdisk (BIOS only) instead of sanboot http */
		struct boot_asset memdisk_kernel; /* default: asset "memdisk" */
	} iso;
	struct {			/* BOOT_KIND_WINPE */
		struct boot_asset wimboot;
		struct boot_asset files[BOOT_MAX_FILES];
		unsigned int n_files;
	} winpe;
	struct {			/* BOOT_KIND_MENU */
		struct boot_menu_item items[BOOT_MAX_ITEMS];
		unsigned int n_items;
		const char *default_item;	/* profile name of an item, or NULL */
		unsigned int timeout_ms;	/* 0: wait for a choice */
	} menu;
	const char *chain_url;		/* BOOT_KIND_CHAIN: absolute URL, ${...} allowed */
	bool raw_ipxe;			/* args may use iPXE tokens (see boot_ipxe_token) */
};

/* The client's record (admin side); sanboot and san_root use the iSCSI fields. */
struct boot_client {
	const char *name;		/* [A-Za-z0-9.-], 1..64 chars */
	const char *iqn_prefix;		/* e.g. "iqn.2024-01.org.example.bootsan" */
	const char *initiator_iqn;	/* default <iqn_prefix>:<name>:initiator */
	const char *target_iqn;		/* default <iqn_prefix>:<name> */
	const char *san_server;		/* host, IPv4, [IPv6], each with optional :port */
	unsigned int lun;		/* LUN number, 0 for the usual single LUN */
	const char *chap_user;		/* forward CHAP, or NULL */
	const char *chap_secret;
	const char *mutual_user;	/* mutual CHAP (needs forward CHAP), or NULL */
	const char *mutual_secret;
	bool keep_san;			/* set keep-san 1 */
};

/*
 * The IQNs a sanboot script uses for client c (defaults applied), for the
 * target and ACL the daemon creates; also checks the CHAP fields.  0 or
 * -EINVAL (both then "").
 */
int boot_client_iqns(const struct boot_client *c,
		     char initiator[BOOT_IQN_MAX + 1],
		     char target[BOOT_IQN_MAX + 1]);

/* Per-request context. */
struct boot_request {
	const struct boot_query *query;	/* untrusted client values; may be NULL */
	const char *base_url;		/* trusted, e.g. "http://10.0.0.1:8080"; "" = relative */
	enum boot_dialect dialect;
};

/* BOOT_DIALECT_LEGACY when the client sent no ${platform}. */
enum boot_dialect boot_query_dialect(const struct boot_query *q);

/* ---- iPXE scripts (each resets out and writes a whole script) ---------- */

/* A profile for a client (client may be NULL except for sanboot and san_root). */
int boot_render_ipxe(struct boot_buf *out, const struct boot_request *req,
		     const struct boot_profile *p,
		     const struct boot_client *client);

/* Enrollment policy deny: prints message (admin text) and the client's
 * identity (escaped), sleeps, exits. */
int boot_render_deny(struct boot_buf *out, const struct boot_request *req,
		     const char *message);

/* Disk being prepared: prints a message, sleeps seconds (1..3600), chains to
 * the same /boot/ipxe URL with the client's values, looping on failure. */
int boot_render_wait(struct boot_buf *out, const struct boot_request *req,
		     const char *client_name, unsigned int seconds);

/* Too many new machines at once (HTTP would say 429): prints why, sleeps
 * @seconds (1..3600) and chains to the same /boot/ipxe URL again. */
int boot_render_busy(struct boot_buf *out, const struct boot_request *req,
		     unsigned int seconds);

enum boot_entry_kind {
	BOOT_ENTRY_IPXE,	/* GET /boot.ipxe */
	BOOT_ENTRY_GPXE,	/* GET /boot.gpxe: ${uuid} and ${net0/mac} only */
};

/* The entry script DHCP points at; it chains to <base>/boot/ipxe?... */
int boot_render_entry(struct boot_buf *out, const char *base_url,
		      enum boot_entry_kind kind);

/*
 * Appends <base>/boot/ipxe?profile=<p>&uuid=..&mac=..&buildarch=..
 * &platform=..&serial=..&hostname=..&asset=.. with every value from q
 * percent-encoded (profile= omitted when profile is NULL).
 */
int boot_append_boot_url(struct boot_buf *b, const char *base_url,
			 const char *profile, const struct boot_query *q);

/* ---- pxelinux ------------------------------------------------------------ */

/*
 * A pxelinux.cfg file (menu.c32 syntax) for a profile: a menu profile gives
 * a menu of its items (each item's target must be set); any other profile a
 * single LABEL.  sanboot -> sanboot.c32 (no CHAP: -ENOTSUP), linux ->
 * KERNEL/APPEND initrd= (san_root: -ENOTSUP), iso -> memdisk, local ->
 * LOCALBOOT 0; winpe, chain
 * and nested menus -> -ENOTSUP.
 */
int boot_render_pxelinux(struct boot_buf *out, const struct boot_request *req,
			 const struct boot_profile *p,
			 const struct boot_client *client);

/*
 * A pxelinux.cfg that refuses: SAY message (admin text, escaped), then
 * LOCALBOOT -1, so the firmware tries its next boot device.
 */
int boot_render_pxelinux_deny(struct boot_buf *out, const char *message);

/* "01-aa-bb-cc-dd-ee-ff" from a MAC in any accepted notation. */
int boot_pxelinux_mac_name(const char *mac, char out[BOOT_PXE_NAME_MAX]);
/* The lowercase dashed UUID, as pxelinux asks for it. */
int boot_pxelinux_uuid_name(const char *uuid, char out[BOOT_PXE_NAME_MAX]);

enum boot_pxe_name {
	BOOT_PXE_NAME_INVALID,	/* includes the hex-IP names: answer 404 */
	BOOT_PXE_NAME_DEFAULT,
	BOOT_PXE_NAME_MAC,	/* out: "aa:bb:cc:dd:ee:ff" */
	BOOT_PXE_NAME_UUID,	/* out: the normalised UUID */
};

/* Classifies the last component of GET /boot/pxelinux.cfg/<name>. */
enum boot_pxe_name boot_pxelinux_parse_name(const char *name,
					    char out[BOOT_PXE_NAME_MAX]);

#endif /* BOOTSAN_BOOT_RENDER_H */
