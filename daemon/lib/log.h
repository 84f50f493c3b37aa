/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Leveled logging to stderr. Under systemd (JOURNAL_STREAM set) each line
 * carries a "<N>" priority prefix the journal understands; otherwise lines
 * read "bootsand: warning: ...". Thread-safe; one line per call.
 */
#ifndef BOOTSAND_LOG_H
#define BOOTSAND_LOG_H

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Messages above @level are dropped; the default is LOG_LVL_INFO. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "error", "warn", "info", "debug" → 0, or -1 when unknown. */
int log_parse_level(const char *s, enum log_level *level);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif /* BOOTSAND_LOG_H */
