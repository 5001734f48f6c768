/* db_totals: the totals kept at ingest (tot_day, tot_hour, tot_reason; schema 6) and the reads
 * over them. A page at province scale then sums thousands of rows per day range instead of
 * scanning millions of votes. Part of the db module (db.h). */
#include "db_int.h"

#include "util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

/* Vietnam local time is UTC+7 all year (no DST). */
#define LOCAL_OFFSET_MS (7 * 3600 * 1000LL)
#define DAY_MS          (24 * 3600 * 1000LL)

int64_t db_local_day(int64_t utc_ms)
{
    int64_t t = utc_ms + LOCAL_OFFSET_MS;
    return t >= 0 ? t / DAY_MS : -((-t + DAY_MS - 1) / DAY_MS);
}

/* One key's deltas: tot_day's counts, or (officer "" and hour >= 0) a tot_hour row, or (reason
 * set) a tot_reason row. */
typedef struct {
    int64_t day;
    int hour;            /* tot_hour: 0..23; else -1 */
    const char *officer; /* tot_day, tot_reason */
    char reason[32];     /* tot_reason: the code; else "" */
    int64_t c[6];        /* r3, r2, r1, misuse, suspect, total (tot_hour, tot_reason: c[0]) */
} tot_delta;

typedef struct {
    tot_delta *d;
    size_t n, cap;
} tot_list;

static tot_delta *tot_find(tot_list *l, int64_t day, int hour, const char *officer,
                           const char *reason)
{
    for (size_t i = 0; i < l->n; i++) {
        tot_delta *t = &l->d[i];
        if (t->day == day && t->hour == hour && strcmp(t->officer, officer) == 0 &&
            strcmp(t->reason, reason) == 0)
            return t;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->d = xrealloc(l->d, l->cap * sizeof *l->d);
    }
    tot_delta *t = &l->d[l->n++];
    memset(t, 0, sizeof *t);
    t->day = day;
    t->hour = hour;
    t->officer = officer;
    util_strlcpy(t->reason, reason, sizeof t->reason);
    return t;
}

/* Keys in one order, so that two collectors adding to the same rows of a PostgreSQL database
 * take their row locks in the same order and cannot deadlock. */
static int tot_cmp(const void *a, const void *b)
{
    const tot_delta *x = a, *y = b;
    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    if (x->hour != y->hour)
        return x->hour < y->hour ? -1 : 1;
    int c = strcmp(x->officer, y->officer);
    return c ? c : strcmp(x->reason, y->reason);
}

int db_totals_add(db *d, const char *kiosk_id, const wire_vote *votes, const int64_t *placed_at,
                  const int *suspect, const int *added, size_t n, char *err, size_t errlen)
{
    tot_list days = {0}, hours = {0}, reasons = {0};
    for (size_t i = 0; i < n; i++) {
        if (!added[i])
            continue;
        const wire_vote *v = &votes[i];
        int64_t day = db_local_day(placed_at[i]);
        tot_delta *t = tot_find(&days, day, -1, v->officer_code, "");
        if (!v->misuse && v->rating >= 1 && v->rating <= 3)
            t->c[3 - v->rating]++;
        t->c[3] += v->misuse ? 1 : 0;
        t->c[4] += suspect[i] ? 1 : 0;
        t->c[5]++;
        if (v->misuse)
            continue;
        int hour = (int)((placed_at[i] + LOCAL_OFFSET_MS - day * DAY_MS) / 3600000);
        tot_find(&hours, day, hour, "", "")->c[0]++;
        cJSON *arr = v->reasons[0] ? cJSON_Parse(v->reasons) : NULL;
        const cJSON *it;
        cJSON_ArrayForEach(it, arr)
        {
            if (cJSON_IsString(it) && strlen(it->valuestring) < sizeof t->reason)
                tot_find(&reasons, day, -1, v->officer_code, it->valuestring)->c[0]++;
        }
        cJSON_Delete(arr);
    }
    qsort(days.d, days.n, sizeof *days.d, tot_cmp);
    qsort(hours.d, hours.n, sizeof *hours.d, tot_cmp);
    qsort(reasons.d, reasons.n, sizeof *reasons.d, tot_cmp);
    int rc = 0;
    for (size_t i = 0; !rc && i < days.n; i++) {
        const tot_delta *t = &days.d[i];
        db_val p[] = {db_vi(t->day),  db_vs(kiosk_id), db_vs(t->officer),
                      db_vi(t->c[0]), db_vi(t->c[1]),  db_vi(t->c[2]),
                      db_vi(t->c[3]), db_vi(t->c[4]),  db_vi(t->c[5])};
        rc = db_run(d, Q_TOT_DAY_ADD, p, 9, NULL, NULL, NULL, err, errlen);
    }
    for (size_t i = 0; !rc && i < hours.n; i++) {
        const tot_delta *t = &hours.d[i];
        db_val p[] = {db_vi(t->day), db_vs(kiosk_id), db_vi(t->hour), db_vi(t->c[0])};
        rc = db_run(d, Q_TOT_HOUR_ADD, p, 4, NULL, NULL, NULL, err, errlen);
    }
    for (size_t i = 0; !rc && i < reasons.n; i++) {
        const tot_delta *t = &reasons.d[i];
        db_val p[] = {db_vi(t->day), db_vs(kiosk_id), db_vs(t->officer), db_vs(t->reason),
                      db_vi(t->c[0])};
        rc = db_run(d, Q_TOT_REASON_ADD, p, 5, NULL, NULL, NULL, err, errlen);
    }
    free(days.d);
    free(hours.d);
    free(reasons.d);
    return rc ? 1 : 0;
}

int db_filter_days(const db_filter *f, int64_t *from_day, int64_t *to_day)
{
    /* Open ends (report_range: 0 and 2^62) are wider than any vote. */
    int from_open = f->from_ms <= 0, to_open = f->to_ms >= (INT64_C(1) << 61);
    if ((!from_open && (f->from_ms + LOCAL_OFFSET_MS) % DAY_MS != 0) ||
        (!to_open && (f->to_ms + LOCAL_OFFSET_MS) % DAY_MS != 0))
        return -1;
    *from_day = from_open ? 0 : db_local_day(f->from_ms);
    *to_day = to_open ? (INT64_C(1) << 40) : db_local_day(f->to_ms);
    return 0;
}

/* f as the totals' $1..$5. */
static int tfilter_params(const db_filter *f, db_val p[5])
{
    int64_t a, b;
    if (db_filter_days(f, &a, &b))
        return -1;
    p[0] = db_vi(a);
    p[1] = db_vi(b);
    p[2] = db_vs(f->unit ? f->unit : "");
    p[3] = db_vs(f->kiosk ? f->kiosk : "");
    p[4] = db_vs(f->officer ? f->officer : "");
    return 0;
}

int db_totals_summary(db *d, int q, const db_filter *f, db_row_fn fn, void *ctx, char *err,
                      size_t errlen)
{
    db_val p[5];
    if (tfilter_params(f, p))
        return -1;
    return db_run(d, q, p, 5, fn, ctx, NULL, err, errlen);
}

typedef struct {
    int (*fn)(int weekday, int hour, int64_t n, void *ctx);
    void *ctx;
} hours_sink;

static int hours_cb(const db_row *r, void *ctx)
{
    const hours_sink *s = ctx;
    return s->fn((int)db_col_int(r, 0), (int)db_col_int(r, 1), db_col_int(r, 2), s->ctx);
}

int db_hour_map(db *d, const db_filter *f, int (*fn)(int weekday, int hour, int64_t n, void *ctx),
                void *ctx, char *err, size_t errlen)
{
    db_val p[5];
    if (tfilter_params(f, p)) {
        db_set_err(err, errlen, "the range is not whole days");
        return HL_EXIT_USAGE;
    }
    hours_sink s = {fn, ctx};
    return db_run(d, Q_TOT_HOURS, p, 4, hours_cb, &s, NULL, err, errlen);
}

typedef struct {
    int (*fn)(const char *reason, int64_t n, void *ctx);
    void *ctx;
} reasons_sink;

static int reasons_cb(const db_row *r, void *ctx)
{
    const reasons_sink *s = ctx;
    return s->fn(db_col_text(r, 0), db_col_int(r, 1), s->ctx);
}

int db_reasons(db *d, const db_filter *f, int (*fn)(const char *reason, int64_t n, void *ctx),
               void *ctx, char *err, size_t errlen)
{
    db_val p[5];
    if (tfilter_params(f, p)) {
        db_set_err(err, errlen, "the range is not whole days");
        return HL_EXIT_USAGE;
    }
    reasons_sink s = {fn, ctx};
    return db_run(d, Q_TOT_REASONS, p, 5, reasons_cb, &s, NULL, err, errlen);
}
