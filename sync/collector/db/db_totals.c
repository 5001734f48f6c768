/* db_totals: the totals kept at ingest (schema 6: tot_day, tot_kday, tot_kmonth, tot_hour,
 * tot_reason) and the reads over them. A page at province scale then sums thousands of rows
 * instead of scanning millions of votes: a commune's from its kiosks' rows of tot_day, the
 * province's from tot_kmonth for the whole months of the range and tot_kday for the days at its
 * ends. Part of the db module (db.h). */
#include "db_int.h"

#include "clock.h"
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

/* One key's deltas: counts (tot_day: day and officer; tot_kday: day; tot_kmonth: the month in
 * day), a tot_hour row (hour >= 0, c[0]) or a tot_reason row (reason set, c[0]). */
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

/* The local month number (year * 12 + month - 1) of a local day number, and back. */
int64_t db_local_month(int64_t day)
{
    clk_local l = clk_to_local(day * DAY_MS);
    return (int64_t)l.year * 12 + l.month - 1;
}

int64_t db_month_start(int64_t month)
{
    char s[24];
    int64_t ms;
    util_fmt(s, sizeof s, "%04d-%02d-01T00:00", (int)(month / 12) % 10000, (int)(month % 12) + 1);
    if (clk_parse_local(s, &ms) != 0)
        return 0;
    return db_local_day(ms);
}

static void add_counts(int64_t c[6], const int64_t v[6])
{
    for (int k = 0; k < 6; k++)
        c[k] += v[k];
}

static int put_counts(db *d, int q, const db_val *key, int nkey, const int64_t c[6], char *err,
                      size_t errlen)
{
    db_val p[9];
    for (int k = 0; k < nkey; k++)
        p[k] = key[k];
    for (int k = 0; k < 6; k++)
        p[nkey + k] = db_vi(c[k]);
    return db_run(d, q, p, nkey + 6, NULL, NULL, NULL, err, errlen);
}

int db_totals_add(db *d, const char *kiosk_id, const wire_vote *votes, const int64_t *placed_at,
                  const int *suspect, const int *added, size_t n, char *err, size_t errlen)
{
    tot_list days = {0}, kdays = {0}, months = {0}, hours = {0}, reasons = {0};
    for (size_t i = 0; i < n; i++) {
        if (!added[i])
            continue;
        const wire_vote *v = &votes[i];
        int64_t day = db_local_day(placed_at[i]), c[6] = {0};
        if (!v->misuse && v->rating >= 1 && v->rating <= 3)
            c[3 - v->rating] = 1;
        c[3] = v->misuse ? 1 : 0;
        c[4] = suspect[i] ? 1 : 0;
        c[5] = 1;
        add_counts(tot_find(&days, day, -1, v->officer_code, "")->c, c);
        add_counts(tot_find(&kdays, day, -1, "", "")->c, c);
        add_counts(tot_find(&months, db_local_month(day), -1, "", "")->c, c);
        if (v->misuse)
            continue;
        int hour = (int)((placed_at[i] + LOCAL_OFFSET_MS - day * DAY_MS) / 3600000);
        tot_find(&hours, day, hour, "", "")->c[0]++;
        cJSON *arr = v->reasons[0] ? cJSON_Parse(v->reasons) : NULL;
        const cJSON *it;
        cJSON_ArrayForEach(it, arr)
        {
            if (cJSON_IsString(it) && strlen(it->valuestring) < sizeof days.d->reason)
                tot_find(&reasons, day, -1, v->officer_code, it->valuestring)->c[0]++;
        }
        cJSON_Delete(arr);
    }
    tot_list *all[] = {&days, &kdays, &months, &hours, &reasons};
    for (size_t k = 0; k < HL_ARRAY_LEN(all); k++)
        if (all[k]->n > 1) /* qsort of NULL (no rows) is undefined */
            qsort(all[k]->d, all[k]->n, sizeof *all[k]->d, tot_cmp);
    int rc = 0;
    for (size_t i = 0; !rc && i < days.n; i++) {
        const tot_delta *t = &days.d[i];
        db_val key[] = {db_vs(kiosk_id), db_vi(t->day), db_vs(t->officer)};
        rc = put_counts(d, Q_TOT_DAY_ADD, key, 3, t->c, err, errlen);
    }
    for (size_t i = 0; !rc && i < kdays.n; i++) {
        db_val key[] = {db_vi(kdays.d[i].day), db_vs(kiosk_id)};
        rc = put_counts(d, Q_TOT_KDAY_ADD, key, 2, kdays.d[i].c, err, errlen);
    }
    for (size_t i = 0; !rc && i < months.n; i++) {
        db_val key[] = {db_vi(months.d[i].day), db_vs(kiosk_id)};
        rc = put_counts(d, Q_TOT_KMONTH_ADD, key, 2, months.d[i].c, err, errlen);
    }
    for (size_t i = 0; !rc && i < hours.n; i++) {
        const tot_delta *t = &hours.d[i];
        db_val p[] = {db_vs(kiosk_id), db_vi(t->day), db_vi(t->hour), db_vi(t->c[0])};
        rc = db_run(d, Q_TOT_HOUR_ADD, p, 4, NULL, NULL, NULL, err, errlen);
    }
    for (size_t i = 0; !rc && i < reasons.n; i++) {
        const tot_delta *t = &reasons.d[i];
        db_val p[] = {db_vs(kiosk_id), db_vi(t->day), db_vs(t->officer), db_vs(t->reason),
                      db_vi(t->c[0])};
        rc = db_run(d, Q_TOT_REASON_ADD, p, 5, NULL, NULL, NULL, err, errlen);
    }
    for (size_t k = 0; k < HL_ARRAY_LEN(all); k++)
        free(all[k]->d);
    return rc ? 1 : 0;
}

/* tot_kmonth from tot_kday: read whole, folded by (month, kiosk) in memory, written back. A
 * province's year is some 300 kiosks x 365 days: a few MB at most, once. */
typedef struct {
    tot_list l;
    char **kiosk; /* the kiosk of l.d[i] (tot_delta.officer points here) */
} month_fold;

static int kday_cb(const db_row *r, void *ctx)
{
    month_fold *m = ctx;
    int64_t month = db_local_month(db_col_int(r, 0)), c[6];
    const char *kiosk = db_col_text(r, 1);
    for (int k = 0; k < 6; k++)
        c[k] = db_col_int(r, 2 + k);
    for (size_t i = 0; i < m->l.n; i++)
        if (m->l.d[i].day == month && strcmp(m->l.d[i].officer, kiosk) == 0) {
            add_counts(m->l.d[i].c, c);
            return 0;
        }
    m->kiosk = xrealloc(m->kiosk, (m->l.n + 1) * sizeof *m->kiosk);
    m->kiosk[m->l.n] = xstrdup(kiosk);
    add_counts(tot_find(&m->l, month, -1, m->kiosk[m->l.n], "")->c, c);
    return 0;
}

int db_totals_months(db *d, char *err, size_t errlen)
{
    month_fold m = {{0}, NULL};
    int rc = db_run(d, Q_TOT_KDAYS, NULL, 0, kday_cb, &m, NULL, err, errlen);
    for (size_t i = 0; !rc && i < m.l.n; i++) {
        db_val key[] = {db_vi(m.l.d[i].day), db_vs(m.l.d[i].officer)};
        rc = put_counts(d, Q_TOT_KMONTH_ADD, key, 2, m.l.d[i].c, err, errlen);
    }
    for (size_t i = 0; i < m.l.n; i++)
        free(m.kiosk[i]);
    free(m.kiosk);
    free(m.l.d);
    return rc ? 1 : 0;
}

int db_filter_days(const db_filter *f, int64_t *from_day, int64_t *to_day)
{
    /* Open ends (report_range: 0 and 2^62) are wider than any vote. */
    int from_open = f->from_ms <= 0, to_open = f->to_ms >= (INT64_C(1) << 61);
    if ((!from_open && (f->from_ms + LOCAL_OFFSET_MS) % DAY_MS != 0) ||
        (!to_open && (f->to_ms + LOCAL_OFFSET_MS) % DAY_MS != 0))
        return -1;
    /* Day 7305 is 1 January 1990, before any vote; day 73000 is in 2169. */
    *from_day = from_open ? 7305 : db_local_day(f->from_ms);
    *to_day = to_open ? 73000 : db_local_day(f->to_ms);
    return 0;
}

/* ---- summaries: rows of one or more statements merged by key ---- */

typedef struct {
    char *key, *unit, *name;
    int64_t num; /* the key as a number (by day, month), for the order */
    int64_t c[6];
} sum_row;

typedef struct {
    sum_row *r;
    size_t n, cap;
    int by_num;   /* keys are day or month numbers */
    int to_month; /* day keys folded into their month */
} sum_rows;

static int sum_cb(const db_row *r, void *ctx)
{
    sum_rows *s = ctx;
    int64_t num = s->by_num ? db_col_int(r, 0) : 0;
    if (s->to_month)
        num = db_local_month(num);
    const char *key = db_col_text(r, 0), *unit = db_col_text(r, 1);
    for (size_t i = 0; i < s->n; i++) {
        sum_row *x = &s->r[i];
        if (s->by_num ? x->num == num : strcmp(x->key, key) == 0 && strcmp(x->unit, unit) == 0) {
            for (int k = 0; k < 6; k++)
                x->c[k] += db_col_int(r, 3 + k);
            return 0;
        }
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->r = xrealloc(s->r, s->cap * sizeof *s->r);
    }
    sum_row *x = &s->r[s->n++];
    char nb[24];
    util_fmt(nb, sizeof nb, "%lld", (long long)num);
    x->key = xstrdup(s->by_num ? nb : key);
    x->unit = xstrdup(unit);
    x->name = xstrdup(db_col_text(r, 2));
    x->num = num;
    for (int k = 0; k < 6; k++)
        x->c[k] = db_col_int(r, 3 + k);
    return 0;
}

static int sum_cmp(const void *a, const void *b)
{
    const sum_row *x = a, *y = b;
    if (x->num != y->num)
        return x->num < y->num ? -1 : 1;
    int c = strcmp(x->unit, y->unit);
    return c ? c : strcmp(x->key, y->key);
}

int db_totals_summary(db *d, const char *by, const db_filter *f,
                      int (*fn)(const db_summary_row *r, void *ctx), void *ctx, char *err,
                      size_t errlen)
{
    int64_t a, b;
    const char *unit = f->unit ? f->unit : "", *kiosk = f->kiosk ? f->kiosk : "",
               *officer = f->officer ? f->officer : "";
    int month = strcmp(by, "month") == 0, day = strcmp(by, "day") == 0 || month,
        off = strcmp(by, "officer") == 0;
    if (db_filter_days(f, &a, &b) || (officer[0] && !unit[0]))
        return -1;
    sum_rows s = {NULL, 0, 0, day, month};
    int rc = 0;
    if (unit[0]) {
        /* A unit: its kiosks' rows of tot_day. */
        int q = off ? Q_TU_OFFICER : day ? Q_TU_DAY : by[0] == 'u' ? Q_TU_UNIT : Q_TU_KIOSK;
        db_val p[] = {db_vi(a), db_vi(b), db_vs(unit), db_vs(kiosk), db_vs(officer)};
        rc = db_run(d, q, p, 5, sum_cb, &s, NULL, err, errlen);
    } else if (off) {
        db_val p[] = {db_vi(a), db_vi(b), db_vs(kiosk), db_vs(officer)};
        rc = db_run(d, Q_TA_OFFICER, p, 4, sum_cb, &s, NULL, err, errlen);
    } else {
        /* Every unit: the whole months inside [a, b) from tot_kmonth (not by day), the days
         * before and after them from tot_kday. */
        int64_t m1 = db_local_month(a), m2 = db_local_month(b);
        if (db_month_start(m1) < a)
            m1++;
        int use_months = !day || month;
        int64_t d1 = use_months && m1 < m2 ? db_month_start(m1) : b;
        int64_t d2 = use_months && m1 < m2 ? db_month_start(m2) : b;
        int tk = day ? Q_TK_DAY : by[0] == 'u' ? Q_TK_UNIT : Q_TK_KIOSK;
        int tm = day ? Q_TM_MONTH : by[0] == 'u' ? Q_TM_UNIT : Q_TM_KIOSK;
        db_val p1[] = {db_vi(a), db_vi(d1), db_vs(kiosk)};
        rc = db_run(d, tk, p1, 3, sum_cb, &s, NULL, err, errlen);
        if (!rc && d1 < d2) {
            db_val pm[] = {db_vi(m1), db_vi(m2), db_vs(kiosk)};
            s.to_month = 0; /* already months */
            rc = db_run(d, tm, pm, 3, sum_cb, &s, NULL, err, errlen);
            s.to_month = month;
        }
        if (!rc && d2 < b) {
            db_val p2[] = {db_vi(d2), db_vi(b), db_vs(kiosk)};
            rc = db_run(d, tk, p2, 3, sum_cb, &s, NULL, err, errlen);
        }
    }
    if (s.n > 1)
        qsort(s.r, s.n, sizeof *s.r, sum_cmp);
    for (size_t i = 0; !rc && i < s.n; i++) {
        const sum_row *x = &s.r[i];
        db_summary_row r = {x->key,  x->unit, x->name, x->c[0], x->c[1],
                            x->c[2], x->c[3], x->c[4], x->c[5]};
        if (fn(&r, ctx))
            break;
    }
    for (size_t i = 0; i < s.n; i++) {
        free(s.r[i].key);
        free(s.r[i].unit);
        free(s.r[i].name);
    }
    free(s.r);
    return rc ? 1 : 0;
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
    int64_t a, b;
    if (db_filter_days(f, &a, &b) || !f->unit || !*f->unit) {
        db_set_err(err, errlen, "the hour map needs whole days and a unit");
        return HL_EXIT_USAGE;
    }
    db_val p[] = {db_vi(a), db_vi(b), db_vs(f->unit), db_vs(f->kiosk ? f->kiosk : "")};
    hours_sink s = {fn, ctx};
    return db_run(d, Q_TOT_HOURS, p, 4, hours_cb, &s, NULL, err, errlen) ? 1 : 0;
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
    int64_t a, b;
    if (db_filter_days(f, &a, &b) || !f->unit || !*f->unit) {
        db_set_err(err, errlen, "the reasons need whole days and a unit");
        return HL_EXIT_USAGE;
    }
    db_val p[] = {db_vi(a), db_vi(b), db_vs(f->unit), db_vs(f->kiosk ? f->kiosk : ""),
                  db_vs(f->officer ? f->officer : "")};
    reasons_sink s = {fn, ctx};
    return db_run(d, Q_TOT_REASONS, p, 5, reasons_cb, &s, NULL, err, errlen) ? 1 : 0;
}
