/* db_feedback: the feedback inbox: items stored from the kiosks' batches, listed and read, moved
 * through their states with a log, their contact data erased when its retention ends; commendations
 * counted per officer; each unit's letterhead and the register of the Chairman's letters. Part of
 * the db module (db.h). */
#include "db_int.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fb_states[] = {DB_FB_NEW, DB_FB_WORKING, DB_FB_ANSWERED, DB_FB_CLOSED};

int db_fb_state_rank(const char *state)
{
    for (int i = 0; state && i < 4; i++)
        if (strcmp(state, fb_states[i]) == 0)
            return i;
    return -1;
}

static int text_cb(const db_row *r, void *ctx)
{
    util_strlcpy(ctx, db_col_text(r, 0), 256);
    return 1;
}

static int log_add(db *d, const char *uuid, int64_t at, const char *user, const char *action,
                   const char *note, char *err, size_t errlen)
{
    db_val p[] = {db_vs(uuid), db_vi(at), db_vs(user), db_vs(action), db_vs(note)};
    return db_run(d, Q_FB_LOG_ADD, p, 5, NULL, NULL, NULL, err, errlen);
}

int db_feedback_store(db *d, const wire_batch *b, const char *kiosk_id, int64_t received_at,
                      int64_t sent_at, int64_t due_ms, wire_result *results, char *err,
                      size_t errlen)
{
    char unit[256] = "";
    db_val pu[] = {db_vs(kiosk_id)};
    if (b->n_feedback && db_run(d, Q_KIOSK_UNIT_OF, pu, 1, text_cb, unit, NULL, err, errlen))
        return 1;
    for (size_t i = 0; i < b->n_feedback; i++) {
        results[i] = b->fb_results[i];
        if (results[i].status == WIRE_REJECTED)
            continue;
        const wire_feedback *f = &b->feedback[i];
        db_clock_verdict cv = db_clock_judge(f->created_at, f->clock_suspect, sent_at, received_at);
        /* Without consent the wire already refused any contact; "" is stored, never a byte. */
        db_val p[] = {db_vs(f->uuid),
                      db_vs(kiosk_id),
                      db_vs(unit),
                      db_vi(f->seq),
                      db_vs(f->kind),
                      db_vs(f->officer_code),
                      db_vs(f->vote_uuid),
                      db_vs(f->text),
                      db_vi(f->consent),
                      db_vs(f->consent ? f->contact_name : ""),
                      db_vs(f->consent ? f->contact_phone : ""),
                      db_vs(f->consent ? f->contact_address : ""),
                      db_vi(f->created_at),
                      db_vi(cv.placed_at),
                      db_vi(received_at),
                      db_vi(cv.clock_suspect),
                      db_vi(received_at + due_ms)};
        int64_t changes = 0;
        if (db_run(d, Q_FB_INSERT, p, 17, NULL, NULL, &changes, err, errlen))
            return 1;
        if (changes == 1) {
            results[i].status = WIRE_ACCEPTED;
            if (log_add(d, f->uuid, received_at, kiosk_id, "nhan", "", err, errlen))
                return 1;
            continue;
        }
        char owner[256] = "";
        db_val po[] = {db_vs(f->uuid)};
        if (db_run(d, Q_FB_OWNER, po, 1, text_cb, owner, NULL, err, errlen))
            return 1;
        if (strcmp(owner, kiosk_id) == 0) {
            results[i].status = WIRE_DUPLICATE;
        } else {
            results[i].status = WIRE_REJECTED;
            util_strlcpy(results[i].reason, "uuid already used by another kiosk",
                         sizeof results[i].reason);
        }
    }
    return 0;
}

typedef struct {
    int (*fn)(const db_feedback_row *r, void *ctx);
    void *ctx;
    int n;
} fb_sink;

static int fb_row_cb(const db_row *r, void *ctx)
{
    fb_sink *s = ctx;
    db_feedback_row f = {
        .uuid = db_col_text(r, 0),
        .kiosk_id = db_col_text(r, 1),
        .unit = db_col_text(r, 2),
        .seq = db_col_int(r, 3),
        .kind = db_col_text(r, 4),
        .officer_code = db_col_text(r, 5),
        .officer_name = db_col_text(r, 6),
        .vote_uuid = db_col_text(r, 7),
        .text = db_col_text(r, 8),
        .consent = (int)db_col_int(r, 9),
        .contact_name = db_col_text(r, 10),
        .contact_phone = db_col_text(r, 11),
        .contact_address = db_col_text(r, 12),
        .contact_erased_at = db_col_int(r, 13),
        .created_at = db_col_int(r, 14),
        .placed_at = db_col_int(r, 15),
        .received_at = db_col_int(r, 16),
        .clock_suspect = (int)db_col_int(r, 17),
        .state = db_col_text(r, 18),
        .handler = db_col_text(r, 19),
        .due_at = db_col_int(r, 20),
        .updated_at = db_col_int(r, 21),
    };
    s->n++;
    return s->fn ? s->fn(&f, s->ctx) : 0;
}

int db_feedback_list(db *d, const db_fb_filter *f, int (*fn)(const db_feedback_row *r, void *ctx),
                     void *ctx, char *err, size_t errlen)
{
    fb_sink s = {fn, ctx, 0};
    db_val p[] = {db_vs(f->unit ? f->unit : ""), db_vs(f->state ? f->state : ""),
                  db_vs(f->kind ? f->kind : ""), db_vi(f->limit > 0 ? f->limit : INT64_MAX)};
    return db_run(d, Q_FB_LIST, p, 4, fb_row_cb, &s, NULL, err, errlen);
}

int db_feedback_count(db *d, const char *unit, const char *state, int64_t *n, char *err,
                      size_t errlen)
{
    *n = 0;
    db_val p[] = {db_vs(unit), db_vs(state)};
    return db_run(d, Q_FB_COUNT, p, 2, db_get_int_cb, n, NULL, err, errlen);
}

int db_feedback_since(db *d, const char *kind, int64_t from, int64_t to,
                      int (*fn)(const db_feedback_row *r, void *ctx), void *ctx, char *err,
                      size_t errlen)
{
    fb_sink s = {fn, ctx, 0};
    db_val p[] = {db_vs(kind), db_vi(from), db_vi(to)};
    return db_run(d, Q_FB_SINCE, p, 3, fb_row_cb, &s, NULL, err, errlen);
}

static int count_cb(const db_feedback_row *r, void *ctx)
{
    (void)r;
    (*(int *)ctx)++;
    return 0;
}

int db_feedback_get(db *d, const char *id, int (*fn)(const db_feedback_row *r, void *ctx),
                    void *ctx, char *err, size_t errlen)
{
    size_t n = id ? strlen(id) : 0;
    if (n < 8 || n > 36 || strspn(id, "0123456789abcdef-") != n) {
        db_set_err(err, errlen,
                   "%s: not an item id (its first 8 or more characters: digits 0-9, a-f and '-')",
                   id ? id : "");
        return 2;
    }
    int matches = 0;
    fb_sink counter = {count_cb, &matches, 0};
    db_val p[] = {db_vs(id)};
    if (db_run(d, Q_FB_GET, p, 1, fb_row_cb, &counter, NULL, err, errlen))
        return 1;
    if (matches != 1) {
        db_set_err(err, errlen,
                   matches ? "%s: more than one item starts so; give more of its id"
                           : "%s: no such feedback item",
                   id);
        return 2;
    }
    fb_sink s = {fn, ctx, 0};
    return db_run(d, Q_FB_GET, p, 1, fb_row_cb, &s, NULL, err, errlen);
}

typedef struct {
    char uuid[37], state[16], handler[128];
    int64_t due_at;
    int found;
} fb_now;

static int now_cb(const db_feedback_row *r, void *ctx)
{
    fb_now *n = ctx;
    util_strlcpy(n->uuid, r->uuid, sizeof n->uuid);
    util_strlcpy(n->state, r->state, sizeof n->state);
    util_strlcpy(n->handler, r->handler, sizeof n->handler);
    n->due_at = r->due_at;
    n->found = 1;
    return 1;
}

int db_feedback_update(db *d, const char *uuid, const char *state, const char *handler,
                       int64_t due_at, const char *user, const char *note, int64_t now_ms,
                       char *err, size_t errlen)
{
    if (db_tx_begin(d, err, errlen))
        return 1;
    fb_now cur = {0};
    int rc = db_feedback_get(d, uuid, now_cb, &cur, err, errlen);
    if (rc)
        goto out;
    int from = db_fb_state_rank(cur.state), to = state ? db_fb_state_rank(state) : from;
    if (to < 0) {
        db_set_err(err, errlen, "%s: not a state (moi, dang-xu-ly, da-tra-loi, dong)", state);
        rc = 2;
        goto out;
    }
    /* Forward only, so the inbox's history reads in order; a closed item may be reopened. */
    int reopen = from == 3 && to == 1;
    if (to < from && !reopen) {
        db_set_err(err, errlen,
                   "the item is \"%s\"; it can move only forward (moi, dang-xu-ly, da-tra-loi, "
                   "dong), or from dong back to dang-xu-ly",
                   cur.state);
        rc = 2;
        goto out;
    }
    const char *new_state = fb_states[to];
    const char *new_handler = handler ? handler : cur.handler;
    int64_t new_due = due_at >= 0 ? due_at : cur.due_at;
    db_val p[] = {db_vs(cur.uuid), db_vs(new_state), db_vs(new_handler), db_vi(new_due),
                  db_vi(now_ms)};
    int64_t changed = 0;
    if ((rc = db_run(d, Q_FB_UPDATE, p, 5, NULL, NULL, &changed, err, errlen)))
        goto out;
    if (changed != 1) {
        db_set_err(err, errlen, "%s: the item changed %lld rows, not 1", cur.uuid,
                   (long long)changed);
        rc = 1;
        goto out;
    }
    char action[200];
    int n = snprintf(action, sizeof action, "%s", to != from ? new_state : "ghi-chu");
    if (handler && strcmp(handler, cur.handler) != 0)
        n += snprintf(action + n, sizeof action - (size_t)n, " giao:%s", handler);
    if (due_at >= 0 && due_at != cur.due_at)
        snprintf(action + n, sizeof action - (size_t)n, " han:%lld", (long long)due_at);
    rc = log_add(d, cur.uuid, now_ms, user, action, note ? note : "", err, errlen);
out:
    if (rc) {
        db_tx_rollback(d);
        return rc;
    }
    return db_tx_commit(d, err, errlen);
}

typedef struct {
    int (*fn)(int64_t at, const char *user, const char *action, const char *note, void *ctx);
    void *ctx;
} log_sink;

static int log_cb(const db_row *r, void *ctx)
{
    log_sink *s = ctx;
    return s->fn(db_col_int(r, 0), db_col_text(r, 1), db_col_text(r, 2), db_col_text(r, 3), s->ctx);
}

int db_feedback_log(db *d, const char *uuid,
                    int (*fn)(int64_t at, const char *user, const char *action, const char *note,
                              void *ctx),
                    void *ctx, char *err, size_t errlen)
{
    log_sink s = {fn, ctx};
    db_val p[] = {db_vs(uuid)};
    return db_run(d, Q_FB_LOG, p, 1, log_cb, &s, NULL, err, errlen);
}

int db_feedback_erase_contacts(db *d, int64_t before, int64_t now_ms, int64_t *n, char *err,
                               size_t errlen)
{
    db_val p[] = {db_vi(before), db_vi(now_ms)};
    *n = 0;
    return db_run(d, Q_FB_ERASE, p, 2, NULL, NULL, n, err, errlen);
}

typedef struct {
    int (*fn)(const char *officer_code, int64_t n, void *ctx);
    void *ctx;
} commend_sink;

static int commend_cb(const db_row *r, void *ctx)
{
    commend_sink *s = ctx;
    return s->fn(db_col_text(r, 0), db_col_int(r, 1), s->ctx);
}

int db_feedback_commendations(db *d, const char *unit, int64_t from, int64_t to,
                              int (*fn)(const char *officer_code, int64_t n, void *ctx), void *ctx,
                              char *err, size_t errlen)
{
    commend_sink s = {fn, ctx};
    db_val p[] = {db_vs(unit), db_vi(from), db_vi(to)};
    return db_run(d, Q_FB_COMMEND, p, 3, commend_cb, &s, NULL, err, errlen);
}

/* ---- letterheads and the letters' register ---- */

int db_unit_profile_put(db *d, const db_unit_profile *u, int64_t now_ms, char *err, size_t errlen)
{
    db_val p[] = {db_vs(u->unit),     db_vs(u->body),   db_vs(u->place),
                  db_vs(u->chairman), db_vs(u->symbol), db_vi(now_ms)};
    return db_run(d, Q_UNIT_PUT, p, 6, NULL, NULL, NULL, err, errlen);
}

static int profile_cb(const db_row *r, void *ctx)
{
    db_unit_profile *u = ctx;
    u->found = 1;
    util_strlcpy(u->unit, db_col_text(r, 0), sizeof u->unit);
    util_strlcpy(u->body, db_col_text(r, 1), sizeof u->body);
    util_strlcpy(u->place, db_col_text(r, 2), sizeof u->place);
    util_strlcpy(u->chairman, db_col_text(r, 3), sizeof u->chairman);
    util_strlcpy(u->symbol, db_col_text(r, 4), sizeof u->symbol);
    return 1;
}

int db_unit_profile_get(db *d, const char *unit, db_unit_profile *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    db_val p[] = {db_vs(unit)};
    return db_run(d, Q_UNIT_GET, p, 1, profile_cb, out, NULL, err, errlen);
}

int db_letter_next(db *d, db_letter *l, char *err, size_t errlen)
{
    int64_t next = 1;
    db_val p[] = {db_vs(l->unit), db_vi(l->year)};
    int rc = db_run(d, Q_LETTER_NEXT, p, 2, db_get_int_cb, &next, NULL, err, errlen);
    l->number = (int)next;
    return rc;
}

int db_letter_add(db *d, db_letter *l, char *err, size_t errlen)
{
    db_val p[] = {db_vs(l->unit),      db_vi(l->year),      db_vi(l->number),    db_vs(l->symbol),
                  db_vs(l->kind),      db_vs(l->feedback),  db_vs(l->recipient), db_vs(l->signer),
                  db_vi(l->issued_at), db_vs(l->created_by)};
    int rc = db_run(d, Q_LETTER_ADD, p, 10, NULL, NULL, NULL, err, errlen);
    if (rc) {
        char why[300];
        util_strlcpy(why, err ? err : "", sizeof why);
        db_set_err(err, errlen,
                   "letter number %d of %d could not be registered (another letter may have "
                   "taken it meanwhile: run the command again): %s",
                   l->number, l->year, why);
    }
    return rc;
}

typedef struct {
    int (*fn)(const db_letter *l, void *ctx);
    void *ctx;
} letter_sink;

static int letter_cb(const db_row *r, void *ctx)
{
    letter_sink *s = ctx;
    db_letter l;
    memset(&l, 0, sizeof l);
    util_strlcpy(l.unit, db_col_text(r, 0), sizeof l.unit);
    l.year = (int)db_col_int(r, 1);
    l.number = (int)db_col_int(r, 2);
    util_strlcpy(l.symbol, db_col_text(r, 3), sizeof l.symbol);
    util_strlcpy(l.kind, db_col_text(r, 4), sizeof l.kind);
    util_strlcpy(l.feedback, db_col_text(r, 5), sizeof l.feedback);
    util_strlcpy(l.recipient, db_col_text(r, 6), sizeof l.recipient);
    util_strlcpy(l.signer, db_col_text(r, 7), sizeof l.signer);
    l.issued_at = db_col_int(r, 8);
    util_strlcpy(l.created_by, db_col_text(r, 9), sizeof l.created_by);
    return s->fn(&l, s->ctx);
}

int db_letter_list(db *d, const char *unit, int (*fn)(const db_letter *l, void *ctx), void *ctx,
                   char *err, size_t errlen)
{
    letter_sink s = {fn, ctx};
    db_val p[] = {db_vs(unit ? unit : "")};
    return db_run(d, Q_LETTER_LIST, p, 1, letter_cb, &s, NULL, err, errlen);
}
