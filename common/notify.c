/* notify: sd_notify (libsystemd) for readiness, stopping, status and the watchdog, with the
 * watchdog's WATCHDOG_PID read so that the kiosk, a child of cage, still feeds its unit's. */
#include "notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "log.h"

/* A failing notification socket is reported once, not on every watchdog beat. */
static atomic_int warned;

static void say(const char *state)
{
    /* unset_environment = 0: the kiosk's restart re-executes itself and must still find
     * NOTIFY_SOCKET and WATCHDOG_USEC. */
    int r = sd_notify(0, state);
    if (r < 0 && !atomic_exchange(&warned, 1))
        log_warn("systemd notification \"%.40s\" not sent: %s (NOTIFY_SOCKET=%s)", state,
                 strerror(-r), getenv("NOTIFY_SOCKET") ? getenv("NOTIFY_SOCKET") : "");
}

void notify_ready(const char *status)
{
    if (!getenv("NOTIFY_SOCKET"))
        return;
    char msg[512];
    if (status)
        snprintf(msg, sizeof msg, "READY=1\nSTATUS=%s", status);
    else
        snprintf(msg, sizeof msg, "READY=1");
    say(msg);
}

void notify_stopping(void)
{
    if (getenv("NOTIFY_SOCKET"))
        say("STOPPING=1");
}

void notify_reloading(void)
{
    if (getenv("NOTIFY_SOCKET"))
        say("RELOADING=1");
}

void notify_status(const char *fmt, ...)
{
    if (!getenv("NOTIFY_SOCKET"))
        return;
    char msg[512] = "STATUS=";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + 7, sizeof msg - 7, fmt, ap);
    va_end(ap);
    say(msg);
}

/* A positive decimal number, nothing else; 0 when it is not one. */
static unsigned long long parse_u(const char *s)
{
    if (!s || *s < '0' || *s > '9')
        return 0;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    return errno || *end ? 0 : v;
}

int64_t notify_watchdog_ms(void)
{
    if (!getenv("NOTIFY_SOCKET"))
        return 0;
    unsigned long long usec = parse_u(getenv("WATCHDOG_USEC"));
    if (usec == 0)
        return 0;
    /* systemd sets WATCHDOG_PID to the unit's main process. libsystemd's sd_watchdog_enabled()
     * answers 0 unless that is the caller, which is right for a daemon but not for the kiosk: it
     * runs as the CHILD of cage (the unit's main process, which never feeds a watchdog), with
     * NotifyAccess=all so that systemd takes our WATCHDOG=1. So the watchdog is ours when
     * WATCHDOG_PID is unset, is us (the collector, or the kiosk started directly), or is our
     * parent (cage, which passed its environment on to us). Any other process means the variables
     * were inherited from further up (a shell started from the kiosk's session, say): not ours,
     * and feeding it would keep a hung kiosk alive. */
    const char *pid_s = getenv("WATCHDOG_PID");
    if (pid_s) {
        unsigned long long pid = parse_u(pid_s);
        if (pid == 0 ||
            (pid != (unsigned long long)getpid() && pid != (unsigned long long)getppid()))
            return 0;
    }
    int64_t ms = (int64_t)(usec / 1000);
    return ms > 0 ? ms : 1;
}

void notify_watchdog(void)
{
    say("WATCHDOG=1");
}
