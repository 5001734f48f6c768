/* db_read: the read side (summaries by unit, kiosk, officer or day; the votes in a range, streamed)
 * and the health probe. Part of the db module (db.h). */
#include "db_int.h"

#include "util.h"

#include <string.h>

static int summary_cb(const db_row *r, void *ctx)
{
    const db_sink *c = ctx;
    db_summary_row s = {db_col_text(r, 0), db_col_text(r, 1), db_col_text(r, 2),
                        db_col_int(r, 3),  db_col_int(r, 4),  db_col_int(r, 5),
                        db_col_int(r, 6),  db_col_int(r, 7),  db_col_int(r, 8)};
    return c->fn.summary(&s, c->ctx);
}

/* f's values as the statements' $1..$5. */
static void filter_params(const db_filter *f, db_val p[5])
{
    p[0] = db_vi(f->from_ms);
    p[1] = db_vi(f->to_ms);
    p[2] = db_vs(f->unit ? f->unit : "");
    p[3] = db_vs(f->kiosk ? f->kiosk : "");
    p[4] = db_vs(f->officer ? f->officer : "");
}

int db_summary(db *d, const char *by, const db_filter *f,
               int (*fn)(const db_summary_row *r, void *ctx), void *ctx, char *err, size_t errlen)
{
    int q;
    if (strcmp(by, "unit") == 0)
        q = Q_SUM_UNIT;
    else if (strcmp(by, "kiosk") == 0)
        q = Q_SUM_KIOSK;
    else if (strcmp(by, "officer") == 0)
        q = Q_SUM_OFFICER;
    else if (strcmp(by, "day") == 0 || strcmp(by, "month") == 0)
        q = Q_SUM_DAY;
    else {
        db_set_err(err, errlen, "by: \"%s\" is not unit, kiosk, officer or day", by);
        return HL_EXIT_USAGE;
    }
    int rc = db_totals_summary(d, by, f, fn, ctx, err, errlen);
    if (rc >= 0)
        return rc;
    if (q == Q_SUM_DAY && by[0] == 'm') {
        db_set_err(err, errlen, "by: month needs whole days");
        return HL_EXIT_USAGE;
    }
    db_sink c = {.fn.summary = fn, .ctx = ctx};
    db_val p[5];
    filter_params(f, p);
    return db_run(d, q, p, 5, summary_cb, &c, NULL, err, errlen);
}

static int votes_cb(const db_row *r, void *ctx)
{
    const db_sink *c = ctx;
    db_vote_row v;
    v.uuid = db_col_text(r, 0);
    v.kiosk_id = db_col_text(r, 1);
    v.unit = db_col_text(r, 2);
    v.seq = db_col_int(r, 3);
    v.boot_id = db_col_text(r, 4);
    v.officer_code = db_col_text(r, 5);
    v.rating = (int)db_col_int(r, 6);
    v.reasons = db_col_text(r, 7);
    v.created_at = db_col_int(r, 8);
    v.received_at = db_col_int(r, 9);
    v.misuse = (int)db_col_int(r, 10);
    v.clock_suspect = (int)db_col_int(r, 11);
    v.placed_at = db_col_int(r, 12);
    return c->fn.vote(&v, c->ctx);
}

int db_votes(db *d, const db_filter *f, int (*fn)(const db_vote_row *r, void *ctx), void *ctx,
             char *err, size_t errlen)
{
    db_sink c = {.fn.vote = fn, .ctx = ctx};
    db_val p[5];
    filter_params(f, p);
    return db_run(d, Q_VOTES, p, 5, votes_cb, &c, NULL, err, errlen);
}

static int officers_cb(const db_row *r, void *ctx)
{
    const db_sink *c = ctx;
    db_officer_row o = {db_col_text(r, 0), db_col_text(r, 1), db_col_text(r, 2), db_col_text(r, 3),
                        db_col_text(r, 4)};
    return c->fn.officer(&o, c->ctx);
}

int db_officers(db *d, const char *unit, int (*fn)(const db_officer_row *r, void *ctx), void *ctx,
                char *err, size_t errlen)
{
    db_sink c = {.fn.officer = fn, .ctx = ctx};
    db_val p[] = {db_vs(unit ? unit : "")};
    return db_run(d, Q_OFFICERS_OF, p, 1, officers_cb, &c, NULL, err, errlen) ? 1 : 0;
}

static int labels_cb(const db_row *r, void *ctx)
{
    const db_sink *c = ctx;
    return c->fn.label(db_col_text(r, 0), db_col_text(r, 1), db_col_text(r, 2), c->ctx);
}

int db_reason_labels(db *d, const char *unit,
                     int (*fn)(const char *unit, const char *code, const char *label, void *ctx),
                     void *ctx, char *err, size_t errlen)
{
    db_sink c = {.fn.label = fn, .ctx = ctx};
    db_val p[] = {db_vs(unit ? unit : "")};
    return db_run(d, Q_REASON_LABELS, p, 1, labels_cb, &c, NULL, err, errlen) ? 1 : 0;
}

int db_probe_write(db *d, char *err, size_t errlen)
{
    if (db_tx_begin(d, err, errlen))
        return 1;
    int failed = db_run(d, Q_PROBE_IN, NULL, 0, NULL, NULL, NULL, err, errlen) ||
                 db_run(d, Q_PROBE_OUT, NULL, 0, NULL, NULL, NULL, err, errlen);
    return db_tx_end(d, failed, err, errlen);
}

int db_ping(db *d, char *err, size_t errlen)
{
    int64_t one = 0;
    if (db_run(d, Q_PING, NULL, 0, db_get_int_cb, &one, NULL, err, errlen))
        return 1;
    return one == 1 ? 0 : 1;
}
