/* db_votes: storing a batch's votes in one transaction, with the clock_suspect rule and the
 * multi-row insert kept prepared per batch size. Part of the db module (db.h). */
#include "db_int.h"

#include "buf.h"
#include "clock.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

db_clock_verdict db_clock_judge(int64_t created_at, int kiosk_mark, int64_t sent_at,
                                int64_t received_at)
{
    int64_t skew = received_at - sent_at; /* what the kiosk's clock lacked when it sent */
    int skewed = skew > DB_SKEW_MS || skew < -DB_SKEW_MS;
    db_clock_verdict v = {0, created_at};
    v.clock_suspect =
        kiosk_mark || !clk_plausible(created_at) || skewed || created_at - sent_at > DB_SKEW_MS;
    if (!v.clock_suspect)
        return v;
    /* The kiosk's clock is assumed to have been off by the same when the vote was cast: true of
     * a dead RTC battery or a clock set wrong once, the usual causes. */
    int64_t p = skewed ? created_at + skew : created_at;
    v.placed_at = clk_plausible(p) && p <= received_at ? p : received_at;
    return v;
}

static int owner_cb(const db_row *r, void *ctx)
{
    util_strlcpy(ctx, db_col_text(r, 0), 64);
    return 1;
}

/* The prepared multi-row insert for n votes (a cached slot, or a new one replacing the oldest). */
static db_stmt *vote_insert(db *d, size_t n, char *err, size_t errlen)
{
    for (int i = 0; i < VOTE_SLOTS; i++)
        if (d->ins_rows[i] == n && (d->ins[i].st || d->ins[i].pg_name[0]))
            return &d->ins[i];
    int slot = d->ins_next;
    d->ins_next = (d->ins_next + 1) % VOTE_SLOTS;
    db_stmt_free(d, &d->ins[slot], 1);
    free(d->ins_sql[slot]);
    static const char head[] =
        "INSERT INTO votes (uuid, kiosk_id, seq, boot_id, officer_code, rating, reasons,"
        " created_at, misuse, received_at, clock_suspect, batch_id, placed_at) VALUES ";
    static const char tail[] = " ON CONFLICT (uuid) DO NOTHING RETURNING uuid";
    buf sb = {0};
    buf_str(&sb, head);
    for (size_t r = 0; r < n; r++) {
        buf_str(&sb, r ? ",(" : "(");
        for (int c = 0; c < VOTE_COLS; c++)
            buf_printf(&sb, "%s$%zu", c ? ", " : "", r * VOTE_COLS + (size_t)c + 1);
        buf_str(&sb, ")");
    }
    buf_str(&sb, tail);
    char *text = buf_take(&sb);
    d->ins_sql[slot] = text;
    d->ins_rows[slot] = n;
    char name[32];
    snprintf(name, sizeof name, "ins%zu", n);
    if (db_stmt_prepare(d, &d->ins[slot], name, text, err, errlen)) {
        d->ins_rows[slot] = 0;
        return NULL;
    }
    return &d->ins[slot];
}

typedef struct {
    char (*uuid)[37];
    size_t n, cap;
} uuid_list;

static int returned_cb(const db_row *r, void *ctx)
{
    uuid_list *l = ctx;
    if (l->n < l->cap)
        util_strlcpy(l->uuid[l->n++], db_col_text(r, 0), sizeof l->uuid[0]);
    return 0;
}

static int uuid_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

int db_store_batch(db *d, const wire_batch *b, const char *kiosk_id, int64_t received_at,
                   int64_t sent_at, wire_result *results, char *err, size_t errlen)
{
    for (size_t i = 0; i < b->n; i++)
        results[i] = b->results[i];
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++)
        n += results[i].status != WIRE_REJECTED;
    db_val *p = xmalloc((n ? n : 1) * VOTE_COLS * sizeof *p);
    uuid_list got = {xmalloc((n ? n : 1) * sizeof *got.uuid), 0, n};
    /* Per vote of b, for the totals: its judged time and mark, and whether this batch stored it. */
    size_t nb = b->n ? b->n : 1;
    int64_t *placed = xcalloc(nb, sizeof *placed);
    int *suspect = xcalloc(nb, sizeof *suspect), *added = xcalloc(nb, sizeof *added);
    db_val *w = p;
    for (size_t i = 0; i < b->n; i++) {
        if (results[i].status == WIRE_REJECTED)
            continue;
        const wire_vote *v = &b->votes[i];
        *w++ = db_vs(v->uuid);
        *w++ = db_vs(kiosk_id);
        *w++ = db_vi(v->seq);
        *w++ = db_vs(v->boot_id);
        *w++ = db_vs(v->officer_code);
        *w++ = db_vi(v->rating);
        *w++ = db_vs(v->reasons);
        *w++ = db_vi(v->created_at);
        *w++ = db_vi(v->misuse ? 1 : 0);
        *w++ = db_vi(received_at);
        db_clock_verdict cv = db_clock_judge(v->created_at, v->clock_suspect, sent_at, received_at);
        *w++ = db_vi(cv.clock_suspect);
        *w++ = db_vs(b->batch_id);
        *w++ = db_vi(cv.placed_at);
        placed[i] = cv.placed_at;
        suspect[i] = cv.clock_suspect;
    }
    if (db_tx_begin(d, err, errlen))
        goto fail_early;
    /* PostgreSQL: every row in one statement (one round trip). SQLite runs in our process, where
     * a round trip costs nothing but preparing a 500-row statement costs ~0.15 s: there the
     * one-row form of the same statement runs once per vote. */
    size_t per = d->kind == DB_POSTGRES ? n : 1;
    for (size_t done = 0; done < n; done += per) {
        db_stmt *ins = vote_insert(d, per, err, errlen);
        if (!ins || db_run_stmt(d, ins, p + done * VOTE_COLS, (int)(per * VOTE_COLS), returned_cb,
                                &got, NULL, err, errlen))
            goto fail;
    }
    /* Inserted: accepted. Not inserted (the uuid was there already): a duplicate of this
     * kiosk's, or another kiosk's uuid; only resends get here, so one look-up each is fine. */
    qsort(got.uuid, got.n, sizeof got.uuid[0], uuid_cmp);
    for (size_t i = 0; i < b->n; i++) {
        if (results[i].status == WIRE_REJECTED)
            continue;
        const wire_vote *v = &b->votes[i];
        if (bsearch(v->uuid, got.uuid, got.n, sizeof got.uuid[0], uuid_cmp)) {
            results[i].status = WIRE_ACCEPTED;
            added[i] = 1;
            continue;
        }
        char owner[64] = "";
        db_val po[] = {db_vs(v->uuid)};
        if (db_run(d, Q_VOTE_OWNER, po, 1, owner_cb, owner, NULL, err, errlen))
            goto fail;
        if (strcmp(owner, kiosk_id) == 0) {
            results[i].status = WIRE_DUPLICATE;
        } else {
            results[i].status = WIRE_REJECTED;
            util_strlcpy(results[i].reason, "uuid already used by another kiosk",
                         sizeof results[i].reason);
        }
    }
    if (db_totals_add(d, kiosk_id, b->votes, placed, suspect, added, b->n, err, errlen) ||
        db_feedback_store(d, b, kiosk_id, received_at, sent_at, DB_FB_DUE_MS, results + b->n, err,
                          errlen) ||
        db_tx_commit(d, err, errlen))
        goto fail;
    free(p);
    free(got.uuid);
    free(placed);
    free(suspect);
    free(added);
    return 0;
fail:
    db_tx_rollback(d);
fail_early:
    for (size_t i = 0; i < b->n; i++)
        results[i] = b->results[i];
    for (size_t i = 0; i < b->n_feedback; i++)
        results[b->n + i] = b->fb_results[i];
    free(p);
    free(got.uuid);
    free(placed);
    free(suspect);
    free(added);
    return 1;
}
