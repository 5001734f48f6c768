/* log: one-line messages on stderr: timestamped on a terminal or in a file; with a syslog priority
 * prefix and no timestamp when stderr is systemd's journal (journald stamps and ranks them). */
#include "log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static log_level min_level = LOG_INFO;
static int level_from_env_done;
static log_hook_fn hook;
static void *hook_ctx;
/* 0 not looked yet, 1 stderr is not the journal, 2 it is. */
static atomic_int journal;

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

/* systemd's documented test (systemd.exec(5), $JOURNAL_STREAM): the variable holds the device and
 * inode of the stream it connected to stdout/stderr; stderr is the journal only if they match
 * (a program started from the service but with stderr redirected to a file inherits the variable,
 * and must not write priority prefixes into that file). */
static int stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    if (!js)
        return 0;
    unsigned long long dev, ino;
    char tail;
    if (sscanf(js, "%llu:%llu%c", &dev, &ino, &tail) != 2)
        return 0;
    struct stat st;
    if (fstat(STDERR_FILENO, &st) != 0)
        return 0;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

int log_to_journal(void)
{
    int j = atomic_load(&journal);
    if (j == 0) {
        j = stderr_is_journal() ? 2 : 1;
        atomic_store(&journal, j);
    }
    return j == 2;
}

/* The syslog priorities of sd-daemon.h (SD_DEBUG, SD_INFO, SD_WARNING, SD_ERR), by level. */
static const int priority[] = {7, 6, 4, 3};

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
    /* One write per line: threads (the sync thread, the collector's connections) log too. A
     * message with a newline in it would lose its priority on the journal's second line. */
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    char line[1100];
    if (log_to_journal()) {
        snprintf(line, sizeof line, "<%d>%s: %s\n", priority[level], names[level], msg);
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ hailong %s: %s\n",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 ts.tv_nsec / 1000000, names[level], msg);
    }
    fputs(line, stderr);
}

void log_plain(log_level level, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (!log_to_journal()) {
        fputs(text, stderr);
        return;
    }
    /* journald reads the priority at the start of each line. */
    char out[2600];
    size_t n = 0;
    for (const char *s = text; *s && n + 8 < sizeof out;) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        int w = snprintf(out + n, sizeof out - n, "<%d>%.*s\n", priority[level], (int)len, s);
        if (w < 0 || (size_t)w >= sizeof out - n)
            break;
        n += (size_t)w;
        s += len + (nl ? 1 : 0);
    }
    fwrite(out, 1, n, stderr);
}
