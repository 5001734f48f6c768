/* db_tokens: what the collector knows of its kiosks and operators: their tokens (only the SHA-256
 * is stored), the kiosk list, and the kiosks' health reports with the officers they send (schema
 * 5). Part of the db module (db.h); the runner is in db.c. */
#include "db_int.h"

#include "util.h"

#include <string.h>

static const char *kind_name(int kind)
{
    return kind == DB_TOKEN_OPERATOR ? "operator" : "kiosk";
}

static int token_cb(const db_row *r, void *ctx)
{
    db_token *t = ctx;
    t->found = 1;
    t->kind = strcmp(db_col_text(r, 0), "operator") == 0 ? DB_TOKEN_OPERATOR : DB_TOKEN_KIOSK;
    util_strlcpy(t->name, db_col_text(r, 1), sizeof t->name);
    t->revoked = !db_col_null(r, 2);
    util_strlcpy(t->hash, db_col_text(r, 3), sizeof t->hash);
    util_strlcpy(t->unit, db_col_text(r, 4), sizeof t->unit);
    return 1;
}

int db_token_lookup(db *d, const char *hash_hex, db_token *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    db_val p[] = {db_vs(hash_hex)};
    return db_run(d, Q_TOKEN_LOOKUP, p, 1, token_cb, out, NULL, err, errlen);
}

static int token_add(db *d, int kind, const char *name, const char *unit, const char *hash_hex,
                     int64_t now_ms, char *err, size_t errlen)
{
    if (db_tx_begin(d, err, errlen))
        return 1;
    int64_t active = 0;
    db_val pa[] = {db_vs(kind_name(kind)), db_vs(name)};
    int failed = db_run(d, Q_TOKEN_ACTIVE, pa, 2, db_get_int_cb, &active, NULL, err, errlen);
    if (!failed && active > 0) {
        db_set_err(err, errlen,
                   "%s \"%s\" already has an active token; to issue a new one, run "
                   "`hailong-collector %s revoke %s` first",
                   kind_name(kind), name, kind_name(kind), name);
        db_tx_rollback(d);
        return HL_EXIT_USAGE;
    }
    if (!failed && kind == DB_TOKEN_KIOSK) {
        db_val pk[] = {db_vs(name), db_vs(unit ? unit : ""), db_vi(now_ms)};
        failed = db_run(d, Q_KIOSK_INSERT, pk, 3, NULL, NULL, NULL, err, errlen);
        if (!failed && unit) {
            db_val pu[] = {db_vs(name), db_vs(unit)};
            failed = db_run(d, Q_KIOSK_UNIT, pu, 2, NULL, NULL, NULL, err, errlen);
        }
    }
    /* A kiosk's unit is its row's; a token's unit is an operator's scope. */
    const char *scope = kind == DB_TOKEN_OPERATOR && unit ? unit : "";
    db_val pt[] = {db_vs(hash_hex), db_vs(kind_name(kind)), db_vs(name), db_vi(now_ms),
                   db_vs(scope)};
    if (!failed)
        failed = db_run(d, Q_TOKEN_INSERT, pt, 5, NULL, NULL, NULL, err, errlen);
    return db_tx_end(d, failed, err, errlen);
}

int db_kiosk_add(db *d, const char *id, const char *unit, const char *hash_hex, int64_t now_ms,
                 char *err, size_t errlen)
{
    return token_add(d, DB_TOKEN_KIOSK, id, unit, hash_hex, now_ms, err, errlen);
}

int db_operator_add(db *d, const char *name, const char *unit, const char *hash_hex, int64_t now_ms,
                    char *err, size_t errlen)
{
    return token_add(d, DB_TOKEN_OPERATOR, name, unit, hash_hex, now_ms, err, errlen);
}

static int operator_cb(const db_row *r, void *ctx)
{
    const db_sink *c = ctx;
    db_operator_row o = {db_col_text(r, 0), db_col_text(r, 1), db_col_int(r, 2),
                         db_col_null(r, 3) ? 0 : db_col_int(r, 3)};
    return c->fn.op(&o, c->ctx);
}

int db_operator_list(db *d, int (*fn)(const db_operator_row *r, void *ctx), void *ctx, char *err,
                     size_t errlen)
{
    db_sink c = {.fn.op = fn, .ctx = ctx};
    return db_run(d, Q_OPERATOR_LIST, NULL, 0, operator_cb, &c, NULL, err, errlen);
}

int db_token_revoke(db *d, int kind, const char *name, int64_t now_ms, char *err, size_t errlen)
{
    int64_t n = 0;
    db_val p[] = {db_vs(kind_name(kind)), db_vs(name), db_vi(now_ms)};
    if (db_run(d, Q_TOKEN_REVOKE, p, 3, NULL, NULL, &n, err, errlen))
        return 1;
    if (n == 0) {
        db_set_err(err, errlen, "%s \"%s\" has no active token", kind_name(kind), name);
        return HL_EXIT_USAGE;
    }
    return 0;
}

static int kiosk_cb(const db_row *r, void *ctx)
{
    const db_sink *c = ctx;
    db_kiosk_row k = {db_col_text(r, 0), db_col_text(r, 1), db_col_int(r, 2),
                      db_col_int(r, 4),  db_col_int(r, 5),  db_col_int(r, 3) > 0};
    return c->fn.kiosk(&k, c->ctx);
}

int db_kiosk_list(db *d, int (*fn)(const db_kiosk_row *r, void *ctx), void *ctx, char *err,
                  size_t errlen)
{
    db_sink c = {.fn.kiosk = fn, .ctx = ctx};
    return db_run(d, Q_KIOSK_LIST, NULL, 0, kiosk_cb, &c, NULL, err, errlen);
}

/* ---- health reports ---- */

static int text_cb(const db_row *r, void *ctx)
{
    util_strlcpy(ctx, db_col_text(r, 0), 256);
    return 1;
}

int db_store_health(db *d, const wire_health *h, int64_t received_at, char *err, size_t errlen)
{
    if (db_tx_begin(d, err, errlen))
        return 1;
    /* The officers belong to the kiosk's unit: the same code under another unit is someone else. */
    char unit[256] = "";
    db_val pk[] = {db_vs(h->kiosk_id)};
    int failed = db_run(d, Q_KIOSK_UNIT_OF, pk, 1, text_cb, unit, NULL, err, errlen);
    db_val ph[] = {db_vs(h->kiosk_id), db_vi(received_at),        db_vi(h->sent_at),
                   db_vs(h->version),  db_vs(h->content_version), db_vi(h->clock_suspect),
                   db_vi(h->unsent)};
    if (!failed)
        failed = db_run(d, Q_HEALTH_PUT, ph, 7, NULL, NULL, NULL, err, errlen);
    for (size_t i = 0; i < h->n_officers && !failed; i++) {
        const wire_officer *o = &h->officers[i];
        db_val po[] = {db_vs(unit),       db_vs(o->code),     db_vs(o->name),    db_vs(o->title),
                       db_vs(o->counter), db_vs(h->kiosk_id), db_vi(received_at)};
        failed = db_run(d, Q_OFFICER_PUT, po, 7, NULL, NULL, NULL, err, errlen);
    }
    for (size_t i = 0; i < h->n_reasons && !failed; i++) {
        const wire_reason *rs = &h->reasons[i];
        db_val pr[] = {db_vs(unit), db_vs(rs->code), db_vs(rs->label), db_vi(received_at)};
        failed = db_run(d, Q_REASON_PUT, pr, 4, NULL, NULL, NULL, err, errlen);
    }
    return db_tx_end(d, failed, err, errlen);
}

static int health_cb(const db_row *r, void *ctx)
{
    const db_sink *c = ctx;
    int never = db_col_null(r, 2);
    db_health_row h = {
        .id = db_col_text(r, 0),
        .unit = db_col_text(r, 1),
        .version = never ? "" : db_col_text(r, 3),
        .content_version = never ? "" : db_col_text(r, 4),
        .last_contact = never ? 0 : db_col_int(r, 2),
        .sent_at = never ? 0 : db_col_int(r, 7),
        .unsent = never ? 0 : db_col_int(r, 6),
        .officers = db_col_int(r, 8),
        .clock_suspect = never ? 0 : (int)db_col_int(r, 5),
    };
    return c->fn.health(&h, c->ctx);
}

int db_health_list(db *d, int (*fn)(const db_health_row *r, void *ctx), void *ctx, char *err,
                   size_t errlen)
{
    db_sink c = {.fn.health = fn, .ctx = ctx};
    return db_run(d, Q_HEALTH_LIST, NULL, 0, health_cb, &c, NULL, err, errlen);
}
