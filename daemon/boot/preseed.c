// SPDX-License-Identifier: GPL-2.0
/* Checks a linux profile's preseed file; see preseed.h. */
#include <stdbool.h>
#include <string.h>

#include "preseed.h"

/* The types debconf-set-selections takes ("seen" sets the seen flag). */
static const char *const types[] = {
	"string", "boolean", "select", "multiselect", "note", "text", "password",
	"error", "title", "seen", NULL,
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool known_type(const char *s, size_t n)
{
	for (const char *const *t = types; *t; t++)
		if (strlen(*t) == n && !memcmp(*t, s, n))
			return true;
	return false;
}

/*
 * Checks one logical line, s[0..n) with its continuations' backslash and
 * line break still in it (they separate words like blanks do).
 */
static const char *line_refusal(const char *s, size_t n)
{
	size_t i = 0, words = 0, start = 0;

	while (i < n && (blank(s[i]) || s[i] == '\\' || s[i] == '\n' || s[i] == '\r'))
		i++;
	if (i == n || s[i] == '#')
		return NULL;
	/* The owner, the question and the type: three words before the value. */
	while (words < 3) {
		while (i < n && (blank(s[i]) || s[i] == '\r' || s[i] == '\n' ||
				 (s[i] == '\\' && i + 1 < n && (s[i + 1] == '\n' || s[i + 1] == '\r'))))
			i++;
		start = i;
		while (i < n && !blank(s[i]) && s[i] != '\n' && s[i] != '\r')
			i++;
		if (i == start)
			return words == 2 ? "a line has no debconf type after its question" :
			       "a line is owner, question, type and value";
		words++;
	}
	if (!known_type(s + start, i - start))
		return "unknown debconf type (string, boolean, select, multiselect, note, text, "
		       "password, error, title or seen)";
	return NULL;
}

const char *preseed_refusal(const char *text, size_t len, unsigned int *line)
{
	unsigned int at = 1, first = 1;
	size_t i, start = 0;
	const char *why;

	if (line)
		*line = 0;
	if (!text || !len)
		return "a preseed file has at least one line";
	if (len > PRESEED_MAX)
		return "a preseed file is at most 12 KiB";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f ||
		    (c == '\r' && (i + 1 == len || text[i + 1] != '\n'))) {
			if (line)
				*line = at;
			return c ? "a control character (only tab and line breaks are text)" :
				   "a NUL byte";
		}
		if (c != '\n')
			continue;
		/* A backslash before the line break (or its \r) continues the line. */
		if ((i >= 1 && text[i - 1] == '\\') ||
		    (i >= 2 && text[i - 1] == '\r' && text[i - 2] == '\\')) {
			at++;
			continue;
		}
		why = line_refusal(text + start, i - start);
		if (why) {
			if (line)
				*line = first;
			return why;
		}
		start = i + 1;
		first = ++at;
	}
	if (len >= 1 && text[len - 1] == '\\') {
		if (line)
			*line = at;
		return "the last line ends in a backslash";
	}
	why = line_refusal(text + start, len - start);
	if (why && line)
		*line = first;
	return why;
}
