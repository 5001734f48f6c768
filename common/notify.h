/* notify: systemd's service notifications (sd_notify): readiness, stopping, status lines and the
 * watchdog, for both programs' Type=notify units. Not run by systemd (no NOTIFY_SOCKET), every
 * call does nothing and costs nothing. No SDL. */
#ifndef HL_NOTIFY_H
#define HL_NOTIFY_H

#include <stdint.h>

/* The service is up (the kiosk: its first frame is on screen; the collector: it listens). status
 * may be NULL; otherwise it becomes the unit's STATUS= line (systemctl status). */
void notify_ready(const char *status);
/* A clean stop has begun (SIGTERM, or quit on the admin screen). */
void notify_stopping(void);
/* The program replaces itself in place (the kiosk's restart by exec): systemd waits for the next
 * READY=1 instead of treating it as a stop. */
void notify_reloading(void);
/* A free-form STATUS= line. */
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The watchdog interval (ms) that THIS process must keep by calling notify_watchdog, or 0 when
 * there is none for it (no NOTIFY_SOCKET, no WATCHDOG_USEC, or WATCHDOG_PID names a process that
 * is neither this one nor its parent: see notify.c). Read once, at start. */
int64_t notify_watchdog_ms(void);
/* WATCHDOG=1: the process is alive. */
void notify_watchdog(void);

#endif
