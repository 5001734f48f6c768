/* store_vote: the votes themselves: recording one (its seq and misuse flag in one transaction,
 * retried once on a fresh file after corruption), adding its reasons, reading one back, and the
 * counts of all votes. */
#include "store_int.h"

#include "util.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* The vote as given by the caller. */
typedef struct {
    const char *kiosk_id, *boot_id, *officer_code;
    int rating;
    int64_t created_at;
    int pending;
} vote_in;

#define VOTE_CAP(field) sizeof(((store_vote *)0)->field)

/* One attempt at recording a vote in its own transaction. SQLITE_OK, or the failing code with the
 * failure noted and the transaction rolled back. */
static int add_vote_once(store *s, const vote_in *in, store_vote *out)
{
    int rc = store_run(s, ST_BEGIN, "starting the transaction");
    if (rc != SQLITE_OK)
        goto fail;

    sqlite3_stmt *st = s->st[ST_PREV_CREATED];
    sqlite3_bind_text(st, 1, in->kiosk_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_sql_note(s, rc, NULL, "reading the previous vote's time");
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        goto fail;
    }
    int has_prev = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    int64_t prev = has_prev ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);

    st = s->st[ST_NEXT_SEQ];
    sqlite3_bind_text(st, 1, in->kiosk_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        store_sql_note(s, rc, NULL, "reading the next sequence number");
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        goto fail;
    }
    int64_t seq = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);

    /* Misuse: too soon after the previous vote (by sequence) of any officer. Measured on the
     * monotonic clock when this handle recorded that vote (the wall clock may have been set back,
     * or that vote stamped in 2099); otherwise, as the first vote after a start, by the previous
     * vote's created_at, where a clock that went backwards (previous > new) says nothing, so that
     * vote counts. The unsigned difference cannot overflow once created_at >= prev. */
    int64_t now_mono = s->clock ? clk_mono_ms(s->clock) : -1;
    int misuse;
    if (s->response_interval_ms <= 0 || !has_prev)
        misuse = 0;
    else if (now_mono >= 0 && s->last_vote_mono >= 0)
        misuse = now_mono - s->last_vote_mono < s->response_interval_ms;
    else
        misuse = in->created_at >= prev &&
                 (uint64_t)in->created_at - (uint64_t)prev < (uint64_t)s->response_interval_ms;

    /* The clock: implausible, or moved against the monotonic clock since the reference (the
     * previous vote through this handle, or the opening). A jump from an implausible time is a
     * time server putting the clock right, not a doubt about this vote. */
    int clock_suspect = !clk_plausible(in->created_at);
    if (!clock_suspect && now_mono >= 0 && s->ref_mono >= 0 && clk_plausible(s->ref_wall)) {
        int64_t drift = in->created_at - (s->ref_wall + (now_mono - s->ref_mono));
        clock_suspect = drift > STORE_CLOCK_JUMP_MS || drift < -STORE_CLOCK_JUMP_MS;
    }

    char uuid[37];
    util_uuid_v4(uuid);
    const char *state = in->pending ? STORE_SYNC_PENDING : STORE_SYNC_UNSENT;
    st = s->st[ST_INSERT];
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, in->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, seq);
    sqlite3_bind_text(st, 4, in->boot_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, in->officer_code, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, in->rating);
    sqlite3_bind_int64(st, 7, in->created_at);
    sqlite3_bind_int(st, 8, misuse);
    sqlite3_bind_text(st, 9, state, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 10, clock_suspect);
    rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        store_sql_note(s, rc, NULL, "inserting the vote");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        goto fail;

    rc = store_run(s, ST_COMMIT, "committing");
    if (rc != SQLITE_OK)
        goto fail;
    s->last_vote_mono = now_mono;
    if (now_mono >= 0) {
        s->ref_wall = in->created_at;
        s->ref_mono = now_mono;
    }

    memset(out, 0, sizeof *out);
    util_strlcpy(out->uuid, uuid, sizeof out->uuid);
    util_strlcpy(out->kiosk_id, in->kiosk_id, sizeof out->kiosk_id);
    out->seq = seq;
    util_strlcpy(out->boot_id, in->boot_id, sizeof out->boot_id);
    util_strlcpy(out->officer_code, in->officer_code, sizeof out->officer_code);
    out->rating = in->rating;
    util_strlcpy(out->reasons, "[]", sizeof out->reasons);
    out->created_at = in->created_at;
    out->misuse = misuse;
    out->clock_suspect = clock_suspect;
    util_strlcpy(out->sync_state, state, sizeof out->sync_state);
    return SQLITE_OK;
fail:
    store_rollback(s);
    return rc;
}

store_rc store_add_vote(store *s, const char *kiosk_id, const char *boot_id,
                        const char *officer_code, int rating, int64_t created_at_ms, int pending,
                        store_vote *out, char *err, size_t errlen)
{
    store_vote scratch;
    if (!out)
        out = &scratch;
    if (err && errlen)
        err[0] = '\0';
    /* Checked here so that what is stored always fits store_vote when read back. */
    if (!kiosk_id || !*kiosk_id || strlen(kiosk_id) >= VOTE_CAP(kiosk_id))
        return store_fail(s, err, errlen, "vote not saved: kiosk_id must be 1 to %zu bytes",
                          VOTE_CAP(kiosk_id) - 1);
    if (!boot_id || !*boot_id || strlen(boot_id) >= VOTE_CAP(boot_id))
        return store_fail(s, err, errlen, "vote not saved: boot_id must be 1 to %zu bytes",
                          VOTE_CAP(boot_id) - 1);
    if (!officer_code || strlen(officer_code) >= VOTE_CAP(officer_code))
        return store_fail(s, err, errlen, "vote not saved: officer_code must be at most %zu bytes",
                          VOTE_CAP(officer_code) - 1);
    if (rating < STORE_RATING_UNHAPPY || rating > STORE_RATING_VERY_HAPPY)
        return store_fail(s, err, errlen, "vote not saved: rating %d is not 1, 2 or 3", rating);
    /* A failed recovery earlier left no connection: try again, the fault may have cleared. */
    if (!s->db && store_open_or_recover(s, err, errlen) != STORE_OK)
        return STORE_ERROR;

    vote_in in = {kiosk_id, boot_id, officer_code, rating, created_at_ms, pending};
    int rc = add_vote_once(s, &in, out);
    if (rc != SQLITE_OK && store_is_corrupt(rc)) {
        if (store_recover(s, err, errlen) != STORE_OK)
            return STORE_ERROR;
        rc = add_vote_once(s, &in, out);
    }
    if (rc != SQLITE_OK)
        return store_fail(s, err, errlen, "%s: the vote was not saved (%s): %s [SQLite code %d]",
                          s->path, s->sql_what, s->sql_msg, s->sql_rc);
    return STORE_OK;
}

store_rc store_finish_vote(store *s, const char *uuid, const char *const *reason_codes, size_t n,
                           char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!uuid || (n > 0 && !reason_codes))
        return store_fail(s, err, errlen,
                          "reasons not saved: no vote uuid or no reason codes given");
    /* cJSON does the escaping, so any code (quotes, Vietnamese letters) stays valid JSON. */
    cJSON *arr = cJSON_CreateArray();
    int ok = arr != NULL;
    for (size_t i = 0; ok && i < n; i++) {
        if (!reason_codes[i] || !*reason_codes[i]) {
            cJSON_Delete(arr);
            return store_fail(s, err, errlen,
                              "reasons not saved for vote %s: reason code %zu is empty", uuid,
                              i + 1);
        }
        cJSON *item = cJSON_CreateString(reason_codes[i]);
        ok = item && cJSON_AddItemToArray(arr, item);
        if (item && !ok)
            cJSON_Delete(item);
    }
    char *json = ok ? cJSON_PrintUnformatted(arr) : NULL;
    cJSON_Delete(arr);
    if (!json)
        return store_fail(s, err, errlen, "reasons not saved for vote %s: out of memory", uuid);
    if (strlen(json) >= VOTE_CAP(reasons)) {
        store_fail(s, err, errlen,
                   "reasons not saved for vote %s: %zu bytes of reasons, at most %zu", uuid,
                   strlen(json), VOTE_CAP(reasons) - 1);
        cJSON_free(json);
        return STORE_ERROR;
    }
    if (!s->db && store_open_or_recover(s, err, errlen) != STORE_OK) {
        cJSON_free(json);
        return STORE_ERROR;
    }

    int changed = 0;
    int rc = store_run(s, ST_BEGIN, "starting the transaction");
    if (rc == SQLITE_OK) {
        sqlite3_stmt *st = s->st[ST_FINISH];
        sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
            changed = sqlite3_changes(s->db);
        } else {
            store_sql_note(s, rc, NULL, "updating the vote's reasons");
        }
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    if (rc == SQLITE_OK && changed == 1)
        rc = store_run(s, ST_COMMIT, "committing");
    cJSON_free(json);
    if (rc != SQLITE_OK || changed != 1)
        store_rollback(s);
    if (rc != SQLITE_OK) {
        char msg[HL_ERR_MAX];
        snprintf(msg, sizeof msg, "%s: reasons not saved for vote %s (%s): %s [SQLite code %d]",
                 s->path, uuid, s->sql_what, s->sql_msg, s->sql_rc);
        /* The pending vote lives in the damaged file and stays there; what matters now is that
         * the next citizen's vote goes into a healthy one. */
        if (store_is_corrupt(rc))
            store_recover(s, NULL, 0);
        return store_fail(s, err, errlen, "%s", msg);
    }
    if (changed != 1)
        return store_fail(s, err, errlen,
                          "reasons not saved: vote %s is not pending (unknown or finished)", uuid);
    return STORE_OK;
}

store_rc store_get_vote(store *s, const char *uuid, store_vote *out)
{
    if (!s->db || !uuid)
        return store_fail(s, NULL, 0, "cannot read a vote: %s",
                          s->db ? "no uuid given" : "database not open");
    sqlite3_stmt *st = s->st[ST_GET];
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    store_rc result = STORE_OK;
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        store_copy_col(st, 0, out->uuid, sizeof out->uuid);
        store_copy_col(st, 1, out->kiosk_id, sizeof out->kiosk_id);
        out->seq = sqlite3_column_int64(st, 2);
        store_copy_col(st, 3, out->boot_id, sizeof out->boot_id);
        store_copy_col(st, 4, out->officer_code, sizeof out->officer_code);
        out->rating = sqlite3_column_int(st, 5);
        store_copy_col(st, 6, out->reasons, sizeof out->reasons);
        out->created_at = sqlite3_column_int64(st, 7);
        out->misuse = sqlite3_column_int(st, 8);
        out->clock_suspect = sqlite3_column_int(st, 10);
        store_copy_col(st, 9, out->sync_state, sizeof out->sync_state);
    } else if (rc == SQLITE_DONE) {
        result = STORE_NONE;
    } else {
        result = store_fail(s, NULL, 0, "%s: cannot read vote %s: %s [SQLite code %d]", s->path,
                            uuid, sqlite3_errmsg(s->db), rc);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return result;
}

store_rc store_counts_get(store *s, store_counts *out)
{
    memset(out, 0, sizeof *out);
    if (!s->db)
        return store_fail(s, NULL, 0, "%s: cannot count votes: database not open", s->path);
    sqlite3_stmt *st = s->st[ST_COUNTS];
    int rc = sqlite3_step(st);
    store_rc result = STORE_OK;
    if (rc == SQLITE_ROW) {
        out->total = sqlite3_column_int64(st, 0);
        out->misuse = sqlite3_column_int64(st, 1);
        out->unsent = sqlite3_column_int64(st, 2);
        out->pending = sqlite3_column_int64(st, 3);
        for (int r = 1; r <= 3; r++)
            out->by_rating[r] = sqlite3_column_int64(st, 3 + r);
    } else {
        result = store_fail(s, NULL, 0, "%s: cannot count votes: %s [SQLite code %d]", s->path,
                            sqlite3_errmsg(s->db), rc);
    }
    sqlite3_reset(st);
    return result;
}
