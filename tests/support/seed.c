/* seed: writes test votes the way the kiosk does (store.h) and reads a votes.db back with plain
 * SQLite for the checks. */
#include "seed.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srv.h"
#include "store.h"
#include "util.h"

typedef struct {
    int i; /* 1..n */
    seed_vote v;
    int finish; /* written "pending", finished once the sent ones are applied */
    char uuid[37];
} seed_row;

/* created_at order; the spec's order among equal times. */
static int by_time(const void *pa, const void *pb)
{
    const seed_row *a = pa, *b = pb;
    if (a->v.created_at != b->v.created_at)
        return a->v.created_at < b->v.created_at ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

static int by_uuid(const void *pa, const void *pb)
{
    const seed_row *const *a = pa, *const *b = pb;
    return strcmp((*a)->uuid, (*b)->uuid);
}

static int is_state(const seed_vote *v, const char *state)
{
    return strcmp(v->state ? v->state : STORE_SYNC_UNSENT, state) == 0;
}

static int synced(const seed_vote *v)
{
    return is_state(v, STORE_SYNC_SENT) || is_state(v, STORE_SYNC_QUARANTINED);
}

static store *open_with(const char *dir, const store_opts *o)
{
    store *s = NULL;
    char err[HL_ERR_MAX];
    if (store_open(&s, dir, o, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "store_open(%s): %s\n", dir, err);
        return NULL;
    }
    return s;
}

store *seed_open(const char *data_dir, int64_t response_interval_ms)
{
    store_opts o = {.response_interval_ms = response_interval_ms};
    return open_with(data_dir, &o);
}

store_rc seed_add(store *s, const char *kiosk_id, int rating, int pending, store_vote *v)
{
    static int64_t t = 1780000000000LL;
    t += 1000;
    return store_add_vote(s, kiosk_id, "00000000-0000-4000-8000-000000000001", "tp-hung", rating, t,
                          pending, v, NULL, 0);
}

static store *open_conn(const char *dir, int64_t interval_ms)
{
    /* A second connection (secondary): it leaves the kiosk's pending votes alone and does not
     * sync every commit, which keeps 10 000 votes fast. */
    store_opts o = {.secondary = 1, .response_interval_ms = interval_ms};
    return open_with(dir, &o);
}

/* Marks the votes of one frozen batch as the collector answered them: the rows of byid (sorted by
 * uuid) it holds are accepted or rejected. 0, or -1 after printing why. */
static int apply_batch(store *s, store_batch *b, seed_row **byid, size_t n, int64_t at)
{
    wire_batch wb;
    if (srv_decode_body(b->body, b->body_len, &wb) != 0) {
        fprintf(stderr, "seed: a frozen batch does not decode\n");
        return -1;
    }
    wire_result *res = xcalloc(wb.n ? wb.n : 1, sizeof *res);
    size_t k = 0;
    for (size_t i = 0; i < wb.n; i++) {
        seed_row key, *kp = &key;
        util_strlcpy(key.uuid, wb.votes[i].uuid, sizeof key.uuid);
        seed_row **hit = bsearch(&kp, byid, n, sizeof *byid, by_uuid);
        if (!hit || !synced(&(*hit)->v))
            continue; /* not to be sent: the store frees it again */
        util_strlcpy(res[k].uuid, (*hit)->uuid, sizeof res[k].uuid);
        res[k].status = is_state(&(*hit)->v, STORE_SYNC_SENT) ? WIRE_ACCEPTED : WIRE_REJECTED;
        if ((*hit)->v.error)
            util_strlcpy(res[k].reason, (*hit)->v.error, sizeof res[k].reason);
        k++;
    }
    store_sync_applied applied;
    store_rc rc = store_sync_apply(s, b->batch_id, res, k, at, &applied);
    if (rc != STORE_OK)
        fprintf(stderr, "seed: applying a batch: %s\n",
                rc == STORE_NONE
                    ? "none of its votes is to be sent (other unsent votes in the file?)"
                    : store_last_error(s));
    free(res);
    wire_batch_free(&wb);
    return rc == STORE_OK ? 0 : -1;
}

/* Freezes and applies batches until nothing unsent is left. */
static int send_all(store *s, const char *kiosk_id, seed_row *rows, int n, int64_t at)
{
    seed_row **byid = xcalloc((size_t)n, sizeof *byid);
    for (int i = 0; i < n; i++)
        byid[i] = &rows[i];
    qsort(byid, (size_t)n, sizeof *byid, by_uuid);
    int rc = 0;
    store_batch b;
    while (rc == 0) {
        store_rc got = store_sync_freeze(s, kiosk_id, WIRE_MAX_VOTES, at, &b);
        if (got == STORE_NONE)
            break;
        if (got == STORE_ERROR) {
            fprintf(stderr, "seed: freezing a batch: %s\n", store_last_error(s));
            rc = -1;
            break;
        }
        rc = apply_batch(s, &b, byid, (size_t)n, at);
        store_batch_free(&b);
    }
    free(byid);
    return rc;
}

static int add_all(store *plain, store *misuse, const char *kiosk_id, seed_row *rows, int n,
                   int any_synced)
{
    char err[HL_ERR_MAX];
    for (int k = 0; k < n; k++) {
        seed_row *r = &rows[k];
        int pending = is_state(&r->v, STORE_SYNC_PENDING);
        r->finish = any_synced && is_state(&r->v, STORE_SYNC_UNSENT);
        store_vote out;
        if (store_add_vote(r->v.misuse ? misuse : plain, kiosk_id, "b", r->v.officer, r->v.rating,
                           r->v.created_at, pending || r->finish, &out, err,
                           sizeof err) != STORE_OK) {
            fprintf(stderr, "seed: vote %d: %s\n", r->i, err);
            return -1;
        }
        if (out.misuse != (r->v.misuse != 0)) {
            fprintf(stderr, "seed: vote %d: misuse %d, wanted %d (a newer vote in the file?)\n",
                    r->i, out.misuse, r->v.misuse);
            return -1;
        }
        util_strlcpy(r->uuid, out.uuid, sizeof r->uuid);
    }
    return 0;
}

int seed_votes(const char *data_dir, const seed_spec *spec)
{
    const char *kiosk_id = spec->kiosk_id ? spec->kiosk_id : "demo-01";
    int n = spec->n;
    seed_row *rows = xcalloc(n > 0 ? (size_t)n : 1, sizeof *rows);
    int any_synced = 0, any_misuse = 0;
    for (int i = 0; i < n; i++) {
        rows[i].i = i + 1;
        spec->vote(i + 1, &rows[i].v, spec->ctx);
        any_synced |= synced(&rows[i].v);
        any_misuse |= rows[i].v.misuse != 0;
    }
    qsort(rows, (size_t)n, sizeof *rows, by_time);

    int rc = -1;
    store *plain = open_conn(data_dir, 0);
    store *misuse = any_misuse && plain ? open_conn(data_dir, INT64_MAX) : NULL;
    char err[HL_ERR_MAX];
    if (!plain || (any_misuse && !misuse) ||
        add_all(plain, misuse, kiosk_id, rows, n, any_synced) != 0)
        goto out;
    if (any_synced && send_all(plain, kiosk_id, rows, n, spec->synced_at) != 0)
        goto out;
    for (int k = 0; k < n; k++)
        if (rows[k].finish &&
            store_finish_vote(plain, rows[k].uuid, NULL, 0, err, sizeof err) != STORE_OK) {
            fprintf(stderr, "seed: vote %d: %s\n", rows[k].i, err);
            goto out;
        }
    if (spec->uuids)
        for (int k = 0; k < n; k++)
            util_strlcpy(spec->uuids[rows[k].i - 1], rows[k].uuid, 37);
    rc = 0;
out:
    store_close(misuse);
    store_close(plain);
    free(rows);
    return rc;
}

/* ---- plain SQLite ---- */

static sqlite3 *db_open(const char *path, int flags)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite3 open %s: %s\n", path, db ? sqlite3_errmsg(db) : "?");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 2000);
    return db;
}

void db_text(const char *path, const char *sql, char *out, size_t cap)
{
    util_strlcpy(out, "ERROR: open", cap);
    sqlite3 *db = db_open(path, SQLITE_OPEN_READWRITE);
    if (!db)
        return;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        util_strlcpy(out, t ? (const char *)t : "(null)", cap);
    } else if (rc == SQLITE_DONE) {
        out[0] = '\0';
    } else {
        snprintf(out, cap, "ERROR: %s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

long long db_int(const char *path, const char *sql)
{
    char buf[256];
    db_text(path, sql, buf, sizeof buf);
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (end == buf || *end) {
        fprintf(stderr, "db_int(%s): \"%s\"\n", sql, buf);
        return -999;
    }
    return v;
}

int db_exec(const char *path, const char *sql)
{
    sqlite3 *db = db_open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (!db)
        return SQLITE_CANTOPEN;
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "db_exec: %s\n", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc;
}
