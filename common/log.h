/* log: one-line messages to stderr with UTC timestamp and level, or with a syslog priority prefix
 * (<3> error ... <7> debug) when stderr is systemd's journal; tests can capture them. No SDL. */
#ifndef HL_LOG_H
#define HL_LOG_H

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;

void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* A command's own message for the person at the terminal, printed as given (fmt ends with a
 * newline; "hailong-kiosk: export: ...", usage hints), but with the level's priority on each line
 * when stderr is the journal, so that `journalctl -p err` finds it when a service or timer ran the
 * command. Never filtered by HAILONG_LOG. */
void log_plain(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* 1 when stderr is systemd's journal ($JOURNAL_STREAM names its device and inode). */
int log_to_journal(void);

/* Messages below this level are dropped (default LOG_INFO; HAILONG_LOG=debug|info|warn|error). */
void log_set_level(log_level level);

/* Tests: every message is also passed to this hook (NULL to remove). */
typedef void (*log_hook_fn)(log_level level, const char *msg, void *ctx);
void log_set_hook(log_hook_fn fn, void *ctx);

#endif
