/* log: one-line messages to stderr with UTC timestamp and level; tests can capture them. No SDL. */
#ifndef HL_LOG_H
#define HL_LOG_H

typedef enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR } log_level;

void log_msg(log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* Messages below this level are dropped (default LOG_INFO; HAILONG_LOG=debug|info|warn|error). */
void log_set_level(log_level level);

/* Tests: every message is also passed to this hook (NULL to remove). */
typedef void (*log_hook_fn)(log_level level, const char *msg, void *ctx);
void log_set_hook(log_hook_fn fn, void *ctx);

#endif
