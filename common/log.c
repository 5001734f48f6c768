/* log: timestamped one-line messages on stderr (journald keeps them on a kiosk PC). */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static log_level min_level = LOG_INFO;
static int level_from_env_done;
static log_hook_fn hook;
static void *hook_ctx;

void log_set_level(log_level level)
{
    min_level = level;
    level_from_env_done = 1;
}

void log_set_hook(log_hook_fn fn, void *ctx)
{
    hook = fn;
    hook_ctx = ctx;
}

static void level_from_env(void)
{
    level_from_env_done = 1;
    const char *e = getenv("HAILONG_LOG");
    if (!e)
        return;
    if (strcmp(e, "debug") == 0)
        min_level = LOG_DEBUG;
    else if (strcmp(e, "warn") == 0)
        min_level = LOG_WARN;
    else if (strcmp(e, "error") == 0)
        min_level = LOG_ERROR;
}

void log_msg(log_level level, const char *fmt, ...)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    if (!level_from_env_done)
        level_from_env();
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (hook)
        hook(level, msg, hook_ctx);
    if (level < min_level)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    fprintf(stderr, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ hailong %s: %s\n", tm.tm_year + 1900,
            tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
            names[level], msg);
}
