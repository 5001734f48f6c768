/* store_sync: the sender's side of votes.db: votes travel in batches frozen once (their gzipped
 * body stored in table batches) and resent byte for byte until the collector answers 200; the
 * sender's state and the status command's figures (sync_status). */
#include "store_int.h"

#include "log.h"
#include "util.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* A failed sync statement: damage remembered (the caller reopens), the failure recorded. */
static store_rc sync_fail(store *s, int rc, const char *what)
{
    return store_sql_fail(s, rc, "sync: %s", what);
}

static void bind_opt_int64(sqlite3_stmt *st, int i, int64_t v)
{
    if (v)
        sqlite3_bind_int64(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

/* Steps s->st[id], a write to the single sync_status row whose parameters the caller bound, after
 * making sure the row exists (a hand edit may delete it). */
static int status_write(store *s, int id)
{
    int rc = store_step_done(s->st[ST_STATUS_ROW]);
    if (rc != SQLITE_OK) {
        sqlite3_clear_bindings(s->st[id]);
        return rc;
    }
    return store_step_done(s->st[id]);
}

void store_batch_free(store_batch *b)
{
    if (!b)
        return;
    free(b->body);
    memset(b, 0, sizeof *b);
}

/* Unfreezes a batch's votes (*unfrozen gets how many, unless NULL) and deletes it, inside the
 * caller's transaction. */
static int drop_batch(store *s, const char *batch_id, int *unfrozen)
{
    sqlite3_bind_text(s->st[ST_UNFREEZE], 1, batch_id, -1, SQLITE_TRANSIENT);
    int rc = store_step_done(s->st[ST_UNFREEZE]);
    if (unfrozen)
        *unfrozen = rc == SQLITE_OK ? sqlite3_changes(s->db) : 0;
    if (rc == SQLITE_OK)
        rc = store_fb_unfreeze(s, batch_id);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(s->st[ST_DELETE_BATCH], 1, batch_id, -1, SQLITE_TRANSIENT);
        rc = store_step_done(s->st[ST_DELETE_BATCH]);
    }
    return rc;
}

/* Reads the oldest frozen batch: 1 found (out filled), 0 none, or a SQLite error code < 0. */
static int oldest_batch(store *s, store_batch *out, int *rc_out)
{
    sqlite3_stmt *st = s->st[ST_OLDEST_BATCH];
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW) {
        store_copy_col(st, 0, out->batch_id, sizeof out->batch_id);
        store_copy_col(st, 1, out->kiosk_id, sizeof out->kiosk_id);
        out->frozen_at = sqlite3_column_int64(st, 2);
        const void *body = sqlite3_column_blob(st, 3);
        out->body_len = (size_t)sqlite3_column_bytes(st, 3);
        out->body = xmalloc(out->body_len);
        if (out->body_len)
            memcpy(out->body, body, out->body_len);
        out->n_votes = sqlite3_column_int(st, 4);
        out->attempts = sqlite3_column_int(st, 5);
        out->n_feedback = sqlite3_column_int(st, 6);
        found = 1;
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_reset(st);
    *rc_out = rc;
    return found;
}

static int batch_limit(store *s, int *limit)
{
    sqlite3_stmt *st = s->st[ST_GET_LIMIT];
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *limit = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_reset(st);
    if (*limit < 1 || *limit > WIRE_MAX_VOTES)
        *limit = WIRE_MAX_VOTES;
    return rc;
}

/* Reads up to max waiting votes of kiosk_id in seq order. Returns the count, or -1 (rc set). */
static int read_unsent(store *s, const char *kiosk_id, int max, wire_vote *v, int *rc_out)
{
    sqlite3_stmt *st = s->st[ST_UNSENT_FOR_BATCH];
    sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, max);
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < max) {
        wire_vote *w = &v[n++];
        memset(w, 0, sizeof *w);
        store_copy_col(st, 0, w->uuid, sizeof w->uuid);
        w->seq = sqlite3_column_int64(st, 1);
        store_copy_col(st, 2, w->boot_id, sizeof w->boot_id);
        store_copy_col(st, 3, w->officer_code, sizeof w->officer_code);
        w->rating = sqlite3_column_int(st, 4);
        store_copy_col(st, 5, w->reasons, sizeof w->reasons);
        w->created_at = sqlite3_column_int64(st, 6);
        w->misuse = sqlite3_column_int(st, 7);
        w->clock_suspect = sqlite3_column_int(st, 8);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    *rc_out = rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
    return *rc_out == SQLITE_OK ? n : -1;
}

/* Builds the gzipped body of the first *n votes, halving *n while it is over the wire's caps
 * (500 votes of the largest kind are far below them; this only guards the promise). */
static int encode_body(const char *kiosk_id, const char *batch_id, int64_t frozen_at,
                       const wire_vote *v, int *n, const wire_feedback *fb, int *n_fb, void **gz,
                       size_t *gz_len)
{
    for (;;) {
        char *json = NULL;
        size_t len = 0;
        if (wire_encode_batch(kiosk_id, batch_id, frozen_at, v, (size_t)*n, fb, (size_t)*n_fb,
                              &json, &len) != 0)
            return -1;
        int rc = len <= WIRE_MAX_BODY ? wire_gzip(json, len, gz, gz_len) : 0;
        free(json);
        if (rc != 0)
            return -1;
        if (len <= WIRE_MAX_BODY && *gz_len <= WIRE_MAX_GZIP)
            return 0;
        if (len <= WIRE_MAX_BODY)
            free(*gz);
        *gz = NULL;
        if (*n + *n_fb <= 1)
            return -1;
        if (*n > 1 || *n_fb == 0)
            *n /= 2;
        else
            *n_fb /= 2;
    }
}

store_rc store_sync_freeze(store *s, const char *kiosk_id, int batch_max, int64_t now_ms,
                           store_batch *out)
{
    memset(out, 0, sizeof *out);
    if (!s->db)
        return sync_fail(s, SQLITE_MISUSE, "database not open");
    int rc;
    /* A frozen batch is resent first, as it is: the collector may already hold it. */
    for (int tries = 0; tries < 16; tries++) {
        if (!oldest_batch(s, out, &rc)) {
            if (rc != SQLITE_OK)
                return sync_fail(s, rc, "reading the frozen batch");
            break;
        }
        if (strcmp(out->kiosk_id, kiosk_id) == 0)
            return STORE_OK;
        /* Frozen under another kiosk id (the config changed): its token would not match now.
         * Its votes stay waiting under their own kiosk id; nothing is lost. */
        log_warn("store: batch %s was frozen for kiosk id %s, this kiosk is now %s: unfreezing it",
                 out->batch_id, out->kiosk_id, kiosk_id);
        char id[37];
        util_strlcpy(id, out->batch_id, sizeof id);
        store_batch_free(out);
        rc = store_begin(s);
        if (rc == SQLITE_OK)
            rc = drop_batch(s, id, NULL);
        if ((rc = store_end(s, rc)) != SQLITE_OK)
            return sync_fail(s, rc, "unfreezing a batch of another kiosk id");
    }

    int limit = WIRE_MAX_VOTES;
    rc = batch_limit(s, &limit);
    if (rc != SQLITE_OK)
        return sync_fail(s, rc, "reading the batch limit");
    if (batch_max >= 1 && batch_max < limit)
        limit = batch_max;
    wire_vote *v = xmalloc(sizeof *v * (size_t)limit);
    store_rc result = STORE_ERROR;
    /* Read and encode outside the write lock (the UI writes votes); then freeze in one short
     * transaction that checks each vote is still unsent and unbatched. */
    for (int tries = 0; tries < 4; tries++) {
        int n = read_unsent(s, kiosk_id, limit, v, &rc), n_fb = 0;
        wire_feedback *fb = NULL;
        if (n >= 0) {
            int fb_max = limit < WIRE_MAX_FEEDBACK ? limit : WIRE_MAX_FEEDBACK;
            rc = store_fb_read_unsent(s, kiosk_id, fb_max, &fb, &n_fb);
        }
        if (n < 0 || rc != SQLITE_OK) {
            free(fb);
            result = sync_fail(s, rc, "reading unsent votes and feedback");
            break;
        }
        if (n == 0 && n_fb == 0) {
            free(fb);
            result = STORE_NONE;
            break;
        }
        util_uuid_v4(out->batch_id);
        util_strlcpy(out->kiosk_id, kiosk_id, sizeof out->kiosk_id);
        out->frozen_at = now_ms;
        if (encode_body(kiosk_id, out->batch_id, now_ms, v, &n, fb, &n_fb, &out->body,
                        &out->body_len) != 0) {
            free(fb);
            store_fail(s, NULL, 0, "%s: sync: cannot encode a batch of %d votes", s->path, n);
            break;
        }
        out->n_votes = n;
        out->n_feedback = n_fb;
        rc = store_begin(s);
        int raced = 0;
        for (int i = 0; rc == SQLITE_OK && i < n && !raced; i++) {
            sqlite3_stmt *st = s->st[ST_FREEZE_VOTE];
            sqlite3_bind_text(st, 1, out->batch_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, v[i].uuid, -1, SQLITE_STATIC);
            rc = store_step_done(st);
            raced = rc == SQLITE_OK && sqlite3_changes(s->db) != 1;
        }
        for (int i = 0, changed = 0; rc == SQLITE_OK && i < n_fb && !raced; i++) {
            rc = store_fb_freeze(s, out->batch_id, fb[i].uuid, &changed);
            raced = rc == SQLITE_OK && changed != 1;
        }
        free(fb);
        if (rc == SQLITE_OK && !raced) {
            sqlite3_stmt *st = s->st[ST_INSERT_BATCH];
            sqlite3_bind_text(st, 1, out->batch_id, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, kiosk_id, -1, SQLITE_STATIC);
            sqlite3_bind_int64(st, 3, now_ms);
            sqlite3_bind_blob(st, 4, out->body, (int)out->body_len, SQLITE_STATIC);
            sqlite3_bind_int(st, 5, n);
            sqlite3_bind_int(st, 6, n_fb);
            rc = store_step_done(st);
        }
        if (rc == SQLITE_OK && !raced)
            rc = store_commit(s);
        if (rc == SQLITE_OK && !raced) {
            result = STORE_OK;
            break;
        }
        store_rollback(s);
        store_batch_free(out);
        if (rc != SQLITE_OK) {
            result = sync_fail(s, rc, "freezing a batch");
            break;
        }
        /* A vote or item changed between the read and the freeze (another program on the
         * file): read again. */
    }
    free(v);
    if (result != STORE_OK)
        store_batch_free(out);
    return result;
}

store_rc store_sync_apply(store *s, const char *batch_id, const wire_result *results, size_t n,
                          int64_t now_ms, store_sync_applied *out)
{
    memset(out, 0, sizeof *out);
    int rc = store_begin(s);
    if (rc != SQLITE_OK)
        return sync_fail(s, rc, "starting to apply results");
    int matched = 0;
    for (size_t i = 0; rc == SQLITE_OK && i < n; i++) {
        const wire_result *r = &results[i];
        int rejected = r->status == WIRE_REJECTED;
        sqlite3_stmt *st = s->st[rejected ? ST_MARK_QUARANTINED : ST_MARK_SENT];
        sqlite3_bind_text(st, 1, r->uuid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, batch_id, -1, SQLITE_STATIC);
        if (rejected)
            sqlite3_bind_text(st, 3, r->reason[0] ? r->reason : "rejected by the collector", -1,
                              SQLITE_STATIC);
        rc = store_step_done(st);
        int is_fb = 0;
        if (rc == SQLITE_OK && sqlite3_changes(s->db) == 0) {
            /* Not one of the batch's votes: one of its feedback items, perhaps. */
            rc = store_fb_mark(s, batch_id, r, &is_fb);
            if (is_fb) {
                matched++;
                out->feedback++;
                rejected ? out->quarantined++ : out->sent++;
            }
        } else if (rc == SQLITE_OK) {
            matched++;
            if (rejected) {
                out->quarantined++;
                log_warn("sync: vote %s quarantined: the collector rejected it: %s", r->uuid,
                         r->reason);
            } else {
                out->sent++;
            }
        }
    }
    if (rc == SQLITE_OK && matched == 0) {
        store_rollback(s);
        memset(out, 0, sizeof *out);
        return STORE_NONE;
    }
    if (rc == SQLITE_OK)
        rc = drop_batch(s, batch_id, &out->unlisted);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(s->st[ST_NOTE_SUCCESS], 1, now_ms);
        rc = status_write(s, ST_NOTE_SUCCESS);
    }
    if ((rc = store_end(s, rc)) != SQLITE_OK) {
        memset(out, 0, sizeof *out);
        return sync_fail(s, rc, "applying results");
    }
    return STORE_OK;
}

store_rc store_sync_split(store *s, const char *batch_id, int *new_limit)
{
    int rc = store_begin(s), n_votes = 0, limit = WIRE_MAX_VOTES;
    if (rc == SQLITE_OK) {
        sqlite3_stmt *st = s->st[ST_BATCH_SIZE];
        sqlite3_bind_text(st, 1, batch_id, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            n_votes = sqlite3_column_int(st, 0);
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    if (rc == SQLITE_OK)
        rc = batch_limit(s, &limit);
    if (rc == SQLITE_OK)
        rc = drop_batch(s, batch_id, NULL);
    /* Half of what was refused, or of the limit if that is smaller. */
    if (n_votes > 0 && n_votes < limit)
        limit = n_votes;
    limit = limit / 2 > 1 ? limit / 2 : 1;
    if (rc == SQLITE_OK) {
        sqlite3_bind_int(s->st[ST_SET_LIMIT], 1, limit);
        rc = status_write(s, ST_SET_LIMIT);
    }
    if ((rc = store_end(s, rc)) != SQLITE_OK)
        return sync_fail(s, rc, "splitting a batch");
    if (new_limit)
        *new_limit = limit;
    return STORE_OK;
}

store_rc store_sync_note_failure(store *s, const char *batch_id, int http_status, const char *error,
                                 int64_t now_ms, const char *state, int64_t backoff_until)
{
    int rc = store_begin(s);
    if (rc == SQLITE_OK && batch_id) {
        sqlite3_stmt *st = s->st[ST_NOTE_BATCH_FAILURE];
        sqlite3_bind_text(st, 1, batch_id, -1, SQLITE_STATIC);
        if (http_status)
            sqlite3_bind_int(st, 2, http_status);
        else
            sqlite3_bind_null(st, 2);
        sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
        rc = store_step_done(st);
    }
    if (rc == SQLITE_OK) {
        sqlite3_stmt *st = s->st[ST_NOTE_FAILURE];
        sqlite3_bind_text(st, 1, error, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, now_ms);
        sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
        bind_opt_int64(st, 4, backoff_until);
        rc = status_write(s, ST_NOTE_FAILURE);
    }
    if ((rc = store_end(s, rc)) != SQLITE_OK)
        return sync_fail(s, rc, "recording a failed send");
    return STORE_OK;
}

store_rc store_sync_set_state(store *s, const char *state, int64_t backoff_until, int64_t now_ms)
{
    int rc = store_begin(s);
    if (rc == SQLITE_OK) {
        sqlite3_stmt *st = s->st[ST_SET_STATE];
        sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
        bind_opt_int64(st, 2, backoff_until);
        sqlite3_bind_int64(st, 3, now_ms);
        rc = status_write(s, ST_SET_STATE);
    }
    if ((rc = store_end(s, rc)) != SQLITE_OK)
        return sync_fail(s, rc, "recording the sender's state");
    return STORE_OK;
}

store_rc store_sync_status_get(store *s, const char *kiosk_id, store_sync_status *out)
{
    memset(out, 0, sizeof *out);
    util_strlcpy(out->state, STORE_SYNC_STATE_OFF, sizeof out->state);
    out->batch_limit = WIRE_MAX_VOTES;
    if (!s->db)
        return sync_fail(s, SQLITE_MISUSE, "database not open");
    /* Both reads in one read transaction, so the counts and the state agree. */
    int rc = store_exec(s, "BEGIN", "reading the sync status");
    if (rc != SQLITE_OK)
        return sync_fail(s, rc, "reading the sync status");
    sqlite3_stmt *st = s->st[ST_SYNC_STATUS];
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        store_copy_col(st, 0, out->state, sizeof out->state);
        out->updated_at = sqlite3_column_int64(st, 1);
        out->last_success_at = sqlite3_column_int64(st, 2);
        store_copy_col(st, 3, out->last_error, sizeof out->last_error);
        out->last_error_at = sqlite3_column_int64(st, 4);
        out->backoff_until = sqlite3_column_int64(st, 5);
        out->auth_failed = sqlite3_column_int(st, 6);
        out->batch_limit = sqlite3_column_int(st, 7);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_reset(st);
    if (rc == SQLITE_OK) {
        st = s->st[ST_SYNC_COUNTS];
        sqlite3_bind_text(st, 1, kiosk_id ? kiosk_id : "", -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            out->waiting = sqlite3_column_int64(st, 0);
            out->oldest_waiting = sqlite3_column_int64(st, 1);
            out->quarantined = sqlite3_column_int64(st, 2);
            out->in_batch = sqlite3_column_int64(st, 3);
            out->batches = sqlite3_column_int64(st, 4);
            out->other_kiosk = kiosk_id ? sqlite3_column_int64(st, 5) : 0;
            out->clock_suspect = sqlite3_column_int64(st, 6);
            out->last_clock_suspect = sqlite3_column_int64(st, 7);
            rc = SQLITE_OK;
        }
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    if (rc == SQLITE_OK)
        rc = store_fb_counts(s, &out->feedback_waiting, &out->feedback_quarantined);
    sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    return rc == SQLITE_OK ? STORE_OK : sync_fail(s, rc, "reading the sync status");
}
