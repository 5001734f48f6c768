/* db_alerts: the alerts' rules, the alerts raised (one row per alert and channel, with its
 * deliveries), the cursor of the votes already looked at, and the reads the rules need. Part of
 * the db module (db.h). */
#include "db_int.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

int db_rule_put(db *d, const db_rule *r, char *err, size_t errlen)
{
    db_val p[] = {db_vs(r->name),       db_vs(r->kind),  db_vs(r->unit),    db_vi(r->threshold),
                  db_vi(r->window_min), db_vs(r->email), db_vs(r->webhook), db_vi(r->created_at)};
    return db_run(d, Q_RULE_PUT, p, 8, NULL, NULL, NULL, err, errlen) ? 1 : 0;
}

int db_rule_drop(db *d, const char *name, char *err, size_t errlen)
{
    int64_t n = 0;
    db_val p[] = {db_vs(name)};
    if (db_run(d, Q_RULE_DROP, p, 1, NULL, NULL, &n, err, errlen))
        return 1;
    if (n == 0) {
        db_set_err(err, errlen, "no rule \"%s\"; see `alert list`", name);
        return HL_EXIT_USAGE;
    }
    return 0;
}

static int rule_cb(const db_row *r, void *ctx)
{
    const db_sink *c = ctx;
    db_rule x = {db_col_text(r, 0), db_col_text(r, 1), db_col_text(r, 2), db_col_int(r, 3),
                 db_col_int(r, 4),  db_col_text(r, 5), db_col_text(r, 6), db_col_int(r, 7)};
    return c->fn.rule(&x, c->ctx);
}

int db_rule_list(db *d, int (*fn)(const db_rule *r, void *ctx), void *ctx, char *err, size_t errlen)
{
    db_sink c = {.fn.rule = fn, .ctx = ctx};
    return db_run(d, Q_RULE_LIST, NULL, 0, rule_cb, &c, NULL, err, errlen) ? 1 : 0;
}

int db_alert_put(db *d, const db_alert *a, char *err, size_t errlen)
{
    db_val p[] = {db_vs(a->id),       db_vs(a->rule),         db_vs(a->kind),      db_vs(a->unit),
                  db_vs(a->kiosk_id), db_vs(a->officer_code), db_vs(a->subject),   db_vs(a->body),
                  db_vs(a->channel),  db_vs(a->target),       db_vi(a->created_at)};
    return db_run(d, Q_ALERT_PUT, p, 11, NULL, NULL, NULL, err, errlen) ? 1 : 0;
}

/* The due rows, copied: they are claimed one by one after the query has finished. */
typedef struct {
    db_alert a;
    char *s[10];
} due_row;

typedef struct {
    due_row *r;
    size_t n, cap;
} due_list;

static int due_cb(const db_row *r, void *ctx)
{
    due_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->r = xrealloc(l->r, l->cap * sizeof *l->r);
    }
    due_row *x = &l->r[l->n++];
    memset(x, 0, sizeof *x);
    for (int i = 0; i < 10; i++)
        x->s[i] = xstrdup(db_col_text(r, i));
    x->a.id = x->s[0];
    x->a.kind = x->s[1];
    x->a.unit = x->s[2];
    x->a.kiosk_id = x->s[3];
    x->a.officer_code = x->s[4];
    x->a.subject = x->s[5];
    x->a.body = x->s[6];
    x->a.channel = x->s[7];
    x->a.target = x->s[8];
    x->a.rule = x->s[9];
    x->a.attempts = db_col_int(r, 10);
    x->a.created_at = db_col_int(r, 11);
    x->a.last_error = "";
    return 0;
}

int db_alert_due(db *d, int64_t now, int64_t claim_ms, int (*fn)(const db_alert *a, void *ctx),
                 void *ctx, char *err, size_t errlen)
{
    due_list l = {0};
    db_val p[] = {db_vi(now)};
    int rc = db_run(d, Q_ALERT_DUE, p, 1, due_cb, &l, NULL, err, errlen) ? 1 : 0;
    for (size_t i = 0; !rc && i < l.n; i++) {
        int64_t claimed = 0;
        db_val pc[] = {db_vs(l.r[i].a.id), db_vi(now), db_vi(now + claim_ms)};
        rc = db_run(d, Q_ALERT_CLAIM, pc, 3, NULL, NULL, &claimed, err, errlen) ? 1 : 0;
        if (!rc && claimed == 1)
            fn(&l.r[i].a, ctx);
    }
    for (size_t i = 0; i < l.n; i++)
        for (int k = 0; k < 10; k++)
            free(l.r[i].s[k]);
    free(l.r);
    return rc;
}

int db_alert_done(db *d, const char *id, int64_t now, char *err, size_t errlen)
{
    db_val p[] = {db_vs(id), db_vi(now)};
    return db_run(d, Q_ALERT_DONE, p, 2, NULL, NULL, NULL, err, errlen) ? 1 : 0;
}

int db_alert_failed(db *d, const char *id, int64_t next_at, int gave_up, const char *why, char *err,
                    size_t errlen)
{
    db_val p[] = {db_vs(id), db_vi(next_at), db_vi(gave_up ? 1 : 0), db_vs(why)};
    return db_run(d, Q_ALERT_FAILED, p, 4, NULL, NULL, NULL, err, errlen) ? 1 : 0;
}

static int alert_cb(const db_row *r, void *ctx)
{
    const db_sink *c = ctx;
    db_alert a = {.id = db_col_text(r, 0),
                  .rule = db_col_text(r, 1),
                  .kind = db_col_text(r, 2),
                  .unit = db_col_text(r, 3),
                  .kiosk_id = db_col_text(r, 4),
                  .officer_code = db_col_text(r, 5),
                  .subject = db_col_text(r, 6),
                  .body = "",
                  .channel = db_col_text(r, 7),
                  .target = db_col_text(r, 8),
                  .created_at = db_col_int(r, 9),
                  .attempts = db_col_int(r, 10),
                  .sent_at = db_col_int(r, 11),
                  .gave_up = (int)db_col_int(r, 12),
                  .last_error = db_col_text(r, 13)};
    return c->fn.alert(&a, c->ctx);
}

int db_alert_list(db *d, const char *unit, int64_t limit, int (*fn)(const db_alert *a, void *ctx),
                  void *ctx, char *err, size_t errlen)
{
    db_sink c = {.fn.alert = fn, .ctx = ctx};
    db_val p[] = {db_vs(unit ? unit : ""), db_vi(limit)};
    return db_run(d, Q_ALERT_LIST, p, 2, alert_cb, &c, NULL, err, errlen) ? 1 : 0;
}

int db_cursor_get(db *d, const char *name, int64_t *value, char *err, size_t errlen)
{
    *value = 0;
    db_val p[] = {db_vs(name)};
    return db_run(d, Q_CURSOR_GET, p, 1, db_get_int_cb, value, NULL, err, errlen) ? 1 : 0;
}

int db_cursor_put(db *d, const char *name, int64_t value, char *err, size_t errlen)
{
    db_val p[] = {db_vs(name), db_vi(value)};
    return db_run(d, Q_CURSOR_PUT, p, 2, NULL, NULL, NULL, err, errlen) ? 1 : 0;
}

static int unhappy_cb(const db_row *r, void *ctx)
{
    const db_sink *c = ctx;
    db_unhappy v = {db_col_text(r, 0), db_col_text(r, 1), db_col_text(r, 2), db_col_text(r, 3),
                    db_col_text(r, 4), db_col_text(r, 7), db_col_int(r, 5),  db_col_int(r, 6)};
    return c->fn.unhappy(&v, c->ctx);
}

int db_unhappy_since(db *d, int64_t from, int64_t to, int (*fn)(const db_unhappy *v, void *ctx),
                     void *ctx, char *err, size_t errlen)
{
    db_sink c = {.fn.unhappy = fn, .ctx = ctx};
    db_val p[] = {db_vi(from), db_vi(to)};
    return db_run(d, Q_UNHAPPY_SINCE, p, 2, unhappy_cb, &c, NULL, err, errlen) ? 1 : 0;
}

int db_unhappy_count(db *d, const char *unit, const char *officer, int64_t from, int64_t to,
                     int64_t *n, char *err, size_t errlen)
{
    *n = 0;
    db_val p[] = {db_vs(unit), db_vs(officer), db_vi(from), db_vi(to)};
    return db_run(d, Q_UNHAPPY_COUNT, p, 4, db_get_int_cb, n, NULL, err, errlen) ? 1 : 0;
}

static int contact_cb(const db_row *r, void *ctx)
{
    const db_sink *c = ctx;
    return c->fn.contact(db_col_text(r, 0), db_col_text(r, 1), db_col_int(r, 2), c->ctx);
}

int db_last_contact(db *d, int (*fn)(const char *kiosk, const char *unit, int64_t at, void *ctx),
                    void *ctx, char *err, size_t errlen)
{
    db_sink c = {.fn.contact = fn, .ctx = ctx};
    return db_run(d, Q_LAST_CONTACT, NULL, 0, contact_cb, &c, NULL, err, errlen) ? 1 : 0;
}
