// SPDX-License-Identifier: GPL-2.0
/* Leveled logging to stderr; see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static enum log_level cur_level = LOG_LVL_INFO;
static int journal = -1;	/* -1: not looked at yet */

static const char *const names[] = {
	[LOG_LVL_ERROR] = "error",
	[LOG_LVL_WARN] = "warn",
	[LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};
/* syslog priorities: err, warning, info, debug */
static const int prio[] = { 3, 4, 6, 7 };

void log_set_level(enum log_level level)
{
	cur_level = level;
}

enum log_level log_get_level(void)
{
	return cur_level;
}

int log_parse_level(const char *s, enum log_level *level)
{
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i])) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	if (!strcmp(s, "warning")) {
		*level = LOG_LVL_WARN;
		return 0;
	}
	return -1;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	if (level > cur_level)
		return;
	if (journal < 0)
		journal = getenv("JOURNAL_STREAM") != NULL;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* One message, one line: no newlines or other control characters. */
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	if (journal)
		fprintf(stderr, "<%d>%s\n", prio[level], line);
	else if (level == LOG_LVL_INFO)
		fprintf(stderr, "bootsand: %s\n", line);
	else
		fprintf(stderr, "bootsand: %s: %s\n",
			level == LOG_LVL_WARN ? "warning" : names[level], line);
}
