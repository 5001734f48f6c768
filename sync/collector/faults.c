/* faults: parsing and counting down HAILONG_COLLECTOR_FAULTS (test builds only: HL_TEST_FAULTS).
 * Strict parsing, because a typo in a fault test's spec must fail that test loudly rather than
 * silently test nothing. */
#include "faults.h"

#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_STATUS     8
#define DEFAULT_HANG_S 120

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int waking;

static struct {
    int armed;
    struct {
        int code, count;
    } status[MAX_STATUS];
    int n_status;
    int retry_after; /* -1: none given */
    int hang, hang_s, drop_after_commit, kill, store_fail, read_only;
} f = {0, {{0, 0}}, 0, -1, 0, DEFAULT_HANG_S, 0, 0, 0, 0};

/* The faults that take one number: NAME=N with N in [min, max]. */
static const struct {
    const char *name;
    long min, max;
    int *field;
} num_faults[] = {
    {"retry-after", 0, 86400, &f.retry_after},
    {"hang", 1, 1000000, &f.hang},
    {"hang-seconds", 1, 3600, &f.hang_s},
    {"drop-after-commit", 1, 1000000, &f.drop_after_commit},
    {"kill-mid-request", 1, 1000000, &f.kill},
    {"store-fail", 1, 1000000, &f.store_fail},
    {"read-only", 1, 1, &f.read_only},
};

static int parse_num(const char *s, long min, long max, long *out)
{
    return util_parse_int(s, min, max, out);
}

int fault_parse(const char *spec, char *err, size_t errlen)
{
    pthread_mutex_lock(&mu);
    memset(&f, 0, sizeof f);
    f.retry_after = -1;
    f.hang_s = DEFAULT_HANG_S;
    pthread_mutex_unlock(&mu);
    if (!spec || !*spec)
        return 0;
    char copy[512];
    if (util_strlcpy(copy, spec, sizeof copy) != 0) {
        util_fmt(err, errlen, "HAILONG_COLLECTOR_FAULTS: longer than %zu bytes", sizeof copy - 1);
        return HL_EXIT_USAGE;
    }
    int rc = 0;
    pthread_mutex_lock(&mu);
    for (char *item = copy, *next; item; item = next) {
        next = strchr(item, ',');
        if (next)
            *next++ = '\0';
        char *eq = strchr(item, '=');
        if (!eq) {
            util_fmt(err, errlen, "HAILONG_COLLECTOR_FAULTS: \"%s\" is not NAME=VALUE", item);
            rc = HL_EXIT_USAGE;
            break;
        }
        *eq = '\0';
        const char *name = item, *val = eq + 1;
        long a = 0, b = 0;
        int ok = 1;
        size_t k = 0;
        while (k < HL_ARRAY_LEN(num_faults) && strcmp(name, num_faults[k].name) != 0)
            k++;
        if (strcmp(name, "status") == 0) {
            char num[16];
            const char *colon = strchr(val, ':');
            if (!colon || (size_t)(colon - val) >= sizeof num || f.n_status == MAX_STATUS) {
                ok = 0;
            } else {
                memcpy(num, val, (size_t)(colon - val));
                num[colon - val] = '\0';
                ok = parse_num(num, 400, 599, &a) == 0 && parse_num(colon + 1, 1, 1000000, &b) == 0;
                if (ok) {
                    f.status[f.n_status].code = (int)a;
                    f.status[f.n_status].count = (int)b;
                    f.n_status++;
                }
            }
        } else if (k < HL_ARRAY_LEN(num_faults)) {
            ok = parse_num(val, num_faults[k].min, num_faults[k].max, &a) == 0;
            *num_faults[k].field = (int)a;
        } else {
            util_fmt(
                err, errlen,
                "HAILONG_COLLECTOR_FAULTS: unknown fault \"%s\"; use status=CODE:COUNT, "
                "retry-after=SECONDS, hang=COUNT, hang-seconds=SECONDS, "
                "drop-after-commit=COUNT, kill-mid-request=COUNT, store-fail=COUNT or read-only=1",
                name);
            rc = HL_EXIT_USAGE;
            break;
        }
        if (!ok) {
            util_fmt(err, errlen,
                     "HAILONG_COLLECTOR_FAULTS: %s=\"%s\" is not valid (status=CODE:COUNT with "
                     "CODE 400-599, at most %d; counts >= 1; seconds 0-86400)",
                     name, val, MAX_STATUS);
            rc = HL_EXIT_USAGE;
            break;
        }
    }
    if (rc == 0)
        f.armed = 1;
    else
        memset(&f, 0, sizeof f);
    pthread_mutex_unlock(&mu);
    return rc;
}

int fault_parse_env(char *err, size_t errlen)
{
    return fault_parse(getenv("HAILONG_COLLECTOR_FAULTS"), err, errlen);
}

int fault_armed(void)
{
    pthread_mutex_lock(&mu);
    int a = f.armed;
    pthread_mutex_unlock(&mu);
    return a;
}

fault_action fault_take(void)
{
    fault_action act = {0, 0, 0, -1};
    pthread_mutex_lock(&mu);
    if (!f.armed) {
        /* nothing */
    } else if (f.kill > 0) {
        f.kill--;
        act.kill = 1;
    } else if (f.hang > 0) {
        f.hang--;
        act.hang_s = f.hang_s;
    } else {
        for (int i = 0; i < f.n_status; i++) {
            if (f.status[i].count > 0) {
                f.status[i].count--;
                act.status = f.status[i].code;
                act.retry_after = f.retry_after;
                break;
            }
        }
    }
    pthread_mutex_unlock(&mu);
    return act;
}

int fault_take_drop_after_commit(void)
{
    pthread_mutex_lock(&mu);
    int drop = f.armed && f.drop_after_commit > 0;
    if (drop)
        f.drop_after_commit--;
    pthread_mutex_unlock(&mu);
    return drop;
}

int fault_take_store_fail(void)
{
    pthread_mutex_lock(&mu);
    int fail = f.armed && f.store_fail > 0;
    if (fail)
        f.store_fail--;
    pthread_mutex_unlock(&mu);
    return fail;
}

int fault_read_only(void)
{
    pthread_mutex_lock(&mu);
    int ro = f.armed && f.read_only;
    pthread_mutex_unlock(&mu);
    return ro;
}

void fault_sleep(int seconds)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += seconds;
    pthread_mutex_lock(&mu);
    while (!waking) {
        if (pthread_cond_timedwait(&cv, &mu, &until) != 0)
            break;
    }
    pthread_mutex_unlock(&mu);
}

void fault_wake_all(void)
{
    pthread_mutex_lock(&mu);
    waking = 1;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}
