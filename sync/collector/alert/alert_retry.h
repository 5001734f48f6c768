/* alert_retry: when a failed alert delivery is tried again, and when it is given up, as pure
 * functions of the attempts made (no clock, no I/O), so the schedule is the same in the thread,
 * in the database's "next attempt" column and in the tests. Prefix: alert_. */
#ifndef HL_ALERT_RETRY_H
#define HL_ALERT_RETRY_H

#include <stdint.h>

/* The schedule, counted in attempts made (the first delivery is attempt 1):
 *
 *   after attempt   1     2     3     4     5      6      7      8      9     10
 *   wait            1 min 2 min 4 min 8 min 16 min 32 min 1 h    1 h    1 h    -  (given up)
 *
 * The delay doubles from one minute and stops growing at one hour (64 min would pass it), so a
 * relay that is down for a few minutes costs a few minutes, and one that is down for the morning
 * is asked once an hour rather than hammered. After ALERT_RETRY_MAX_ATTEMPTS failed attempts
 * (about 4 h 3 min after the first: 1+2+4+8+16+32+60+60+60 minutes) the delivery is given up;
 * an alert that old is news no longer, and the log and the dashboard say it failed. */
#define ALERT_RETRY_FIRST_MS     (60 * 1000LL)   /* the wait after the first failed attempt */
#define ALERT_RETRY_CAP_MS       (3600 * 1000LL) /* no wait is longer */
#define ALERT_RETRY_MAX_ATTEMPTS 10              /* attempts in all, the first included */
#define ALERT_RETRY_NEVER        INT64_MAX       /* alert_next_attempt once given up */

/* The time (ms, same clock as last_attempt_ms) of the next attempt, after attempts_done failed
 * attempts, the last of them at last_attempt_ms. attempts_done <= 0 (nothing tried yet):
 * last_attempt_ms itself, i.e. now. Given up (alert_gave_up): ALERT_RETRY_NEVER. Saturates
 * instead of overflowing. */
int64_t alert_next_attempt(int attempts_done, int64_t last_attempt_ms);

/* 1 when attempts_done failed attempts are all there will be (ALERT_RETRY_MAX_ATTEMPTS). */
int alert_gave_up(int attempts_done);

#endif
