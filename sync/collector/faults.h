/* faults: the collector's test-only fault switch, env HAILONG_COLLECTOR_FAULTS (docs/COLLECTOR.md),
 * so the kiosk's fault tests can make a real collector fail in each way the protocol must survive.
 * Compiled in only with cmake -DHL_TEST_FAULTS=ON (HL_FAULTS); otherwise every call below is a
 * no-op that folds away, and the variable is never read. Prefix: fault_. Thread-safe. */
#ifndef HL_FAULTS_H
#define HL_FAULTS_H

#include <stddef.h>

/* What to do to the next batch request, taken (counted down) once it has been read. */
typedef struct {
    int kill;        /* _exit(9) now, before committing */
    int hang_s;      /* > 0: sleep this long, then close the connection without an answer */
    int status;      /* > 0: answer this status (nothing stored) */
    int retry_after; /* with status: Retry-After seconds, or -1 for none */
} fault_action;

#ifdef HL_FAULTS

/* Parses a spec such as "status=503:2,retry-after=7" (see docs/COLLECTOR.md) and arms the
 * switch. NULL or "" disarms. Returns 0, or 2 with err naming the bad item. */
int fault_parse(const char *spec, char *err, size_t errlen);
/* fault_parse(getenv("HAILONG_COLLECTOR_FAULTS")). */
int fault_parse_env(char *err, size_t errlen);
int fault_armed(void);

fault_action fault_take(void);
/* 1 if this committed batch's connection is to be closed without an answer. */
int fault_take_drop_after_commit(void);
/* 1 if this batch is to fail as storing it would on a full disk (store-fail=N). */
int fault_take_store_fail(void);
/* 1 if every database connection the server opens is to refuse writes, as on a full or read-only
 * disk (read-only=1): reads work, every write fails with the database's own error. */
int fault_read_only(void);

/* Sleeps up to seconds, returning early once fault_wake_all was called (shutdown). */
void fault_sleep(int seconds);
void fault_wake_all(void);

#else /* a release build: no fault code at all */

static inline int fault_parse_env(char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    return 0;
}

static inline int fault_armed(void)
{
    return 0;
}

static inline fault_action fault_take(void)
{
    fault_action none = {0, 0, 0, -1};
    return none;
}

static inline int fault_take_drop_after_commit(void)
{
    return 0;
}

static inline int fault_take_store_fail(void)
{
    return 0;
}

static inline int fault_read_only(void)
{
    return 0;
}

static inline void fault_sleep(int seconds)
{
    (void)seconds;
}

static inline void fault_wake_all(void)
{
}

#endif
#endif
