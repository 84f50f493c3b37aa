// SPDX-License-Identifier: GPL-2.0
/* iSCSI name validation; see iscsi_name.h. */
#ifdef __KERNEL__
#include <linux/string.h>
#else
#include "host_shim.h"
#endif

#include "iscsi_name.h"

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/*
 * After stringprep (RFC 3722) an iSCSI name holds no upper case; we accept
 * the ASCII subset of what it allows, which is what initiators send.
 */
static int is_name_char(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') ||
	       c == '-' || c == '.' || c == ':';
}

static const char *hex_name_invalid(const char *digits, size_t n,
				    size_t want1, size_t want2)
{
	size_t i;

	if (n != want1 && n != want2)
		return want1 == want2 ? "eui. names have exactly 16 hex digits" :
					"naa. names have 16 or 32 hex digits";
	for (i = 0; i < n; i++)
		if (!is_hex(digits[i]))
			return "eui. and naa. names take hex digits only";
	return NULL;
}

static const char *iqn_invalid(const char *name, size_t len)
{
	size_t i, month;

	/* "iqn." "YYYY-MM" "." and at least one character of domain */
	if (len < 4 + 7 + 1 + 1)
		return "iqn. names read iqn.YYYY-MM.<reversed domain>[:<name>]";
	for (i = 4; i < 8; i++)
		if (!is_digit(name[i]))
			return "iqn. names need a four-digit year after 'iqn.'";
	if (name[8] != '-' || !is_digit(name[9]) || !is_digit(name[10]))
		return "iqn. names need a two-digit month after the year";
	month = (name[9] - '0') * 10 + (name[10] - '0');
	if (month < 1 || month > 12)
		return "iqn. names need a month between 01 and 12";
	if (name[11] != '.')
		return "iqn. names need a '.' after the date";
	if (name[12] == ':' || name[12] == '.')
		return "iqn. names need a naming authority after the date";
	for (i = 12; i < len; i++) {
		if (name[i] >= 'A' && name[i] <= 'Z')
			return "iSCSI names are lower case";
		if (!is_name_char(name[i]))
			return "iSCSI names take only a-z, 0-9, '-', '.' and ':'";
	}
	return NULL;
}

const char *iscsi_name_invalid(const char *name, size_t len)
{
	if (len == 0)
		return "empty iSCSI name";
	if (len > ISCSI_NAME_MAX_LEN)
		return "iSCSI names are at most 223 bytes";
	if (memchr(name, '\0', len))
		return "iSCSI name contains a NUL byte";
	if (len >= 4 && !memcmp(name, "iqn.", 4))
		return iqn_invalid(name, len);
	if (len >= 4 && !memcmp(name, "eui.", 4))
		return hex_name_invalid(name + 4, len - 4, 16, 16);
	if (len >= 4 && !memcmp(name, "naa.", 4))
		return hex_name_invalid(name + 4, len - 4, 16, 32);
	return "iSCSI names start with iqn., eui. or naa.";
}
