/* alert_retry: the retry schedule of alert deliveries (the numbers and why: alert_retry.h). */
#include "alert_retry.h"

int alert_gave_up(int attempts_done)
{
    return attempts_done >= ALERT_RETRY_MAX_ATTEMPTS;
}

int64_t alert_next_attempt(int attempts_done, int64_t last_attempt_ms)
{
    if (attempts_done <= 0)
        return last_attempt_ms;
    if (alert_gave_up(attempts_done))
        return ALERT_RETRY_NEVER;
    int64_t wait = ALERT_RETRY_FIRST_MS;
    for (int i = 1; i < attempts_done && wait < ALERT_RETRY_CAP_MS; i++)
        wait *= 2;
    if (wait > ALERT_RETRY_CAP_MS)
        wait = ALERT_RETRY_CAP_MS;
    /* A time near the end of int64_t (a "never" passed back in) must not wrap into the past. */
    if (last_attempt_ms > INT64_MAX - wait)
        return ALERT_RETRY_NEVER;
    return last_attempt_ms + wait;
}
