/* retention: the contact data of feedback erased when its retention time ends (retention.h). */
#include "retention.h"

#include "log.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RETENTION_EVERY_MS (3600 * 1000)

int retention_purge(db *d, long days, int64_t now_ms, int64_t *n, char *err, size_t errlen)
{
    int64_t before = now_ms - (int64_t)days * 86400000LL;
    int rc = db_feedback_erase_contacts(d, before, now_ms, n, err, errlen);
    if (rc == 0 && *n > 0) {
        char t[20];
        report_local_time(before, t);
        log_info("retention: erased the contact data of %lld feedback items received before %s "
                 "(kept %ld days)",
                 (long long)*n, t, days);
    }
    return rc;
}

struct retention {
    db_pool *pool;
    long days;
    int64_t (*now_ms)(void);
    int wake[2];
    pthread_t thread;
};

static void *thread_main(void *arg)
{
    retention *r = arg;
    for (;;) {
        char err[HL_ERR_MAX];
        db *d = db_pool_get(r->pool, err, sizeof err);
        int64_t n = 0;
        if (!d || retention_purge(d, r->days, r->now_ms(), &n, err, sizeof err))
            log_error("retention: %s", err);
        if (d)
            db_pool_put(r->pool, d);
        struct pollfd p = {r->wake[0], POLLIN, 0};
        int rc = poll(&p, 1, RETENTION_EVERY_MS);
        if (rc > 0 || (rc < 0 && errno != EINTR))
            return NULL;
    }
}

retention *retention_start(db_pool *pool, long days, int64_t (*now_ms)(void))
{
    retention *r = xcalloc(1, sizeof *r);
    r->pool = pool;
    r->days = days;
    r->now_ms = now_ms;
    if (pipe(r->wake) != 0) {
        log_error("retention: cannot start (pipe: %s); contact data is not erased by itself",
                  strerror(errno));
        free(r);
        return NULL;
    }
    if (pthread_create(&r->thread, NULL, thread_main, r) != 0) {
        log_error("retention: cannot start its thread; contact data is not erased by itself");
        close(r->wake[0]);
        close(r->wake[1]);
        free(r);
        return NULL;
    }
    log_info("retention: contact data left with feedback is kept %ld days", days);
    return r;
}

void retention_stop(retention *r)
{
    if (!r)
        return;
    (void)!write(r->wake[1], "x", 1);
    pthread_join(r->thread, NULL);
    close(r->wake[0]);
    close(r->wake[1]);
    free(r);
}
