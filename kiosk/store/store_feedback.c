/* store_feedback: the feedback items typed on the kiosk (table feedback, migration 5): recording
 * one, reading it back, and its part in the sync (store_sync.c freezes items into the votes'
 * batches through the store_fb_* helpers here). Feedback is rare (a few a day), so its statements
 * are prepared when used rather than kept per connection. */
#include "store_int.h"

#include "log.h"
#include "util.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* Prepares sql on the store's connection; SQLite's code. */
static int prep(store *s, const char *sql, sqlite3_stmt **st)
{
    *st = NULL;
    return s->db ? sqlite3_prepare_v2(s->db, sql, -1, st, NULL) : SQLITE_MISUSE;
}

/* Binds text, or NULL for NULL and "" (a contact field left empty is no data at all). */
static void bind_opt_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void copy_opt(char *dst, size_t cap, const char *v, int *too_long)
{
    if (v && strlen(v) >= cap)
        *too_long = 1;
    util_strlcpy(dst, v ? v : "", cap);
}

/* The item as it will be stored and sent, checked with the wire's own rules. 0, or -1 with err. */
static int build(const char *kiosk_id, const char *boot_id, int64_t created_at,
                 const store_feedback_in *in, wire_feedback *f, char *why, size_t whylen)
{
    memset(f, 0, sizeof *f);
    int too_long = 0;
    util_uuid_v4(f->uuid);
    f->seq = 1; /* the real one is read inside the transaction */
    copy_opt(f->boot_id, sizeof f->boot_id, boot_id, &too_long);
    copy_opt(f->kind, sizeof f->kind, in->kind, &too_long);
    copy_opt(f->officer_code, sizeof f->officer_code, in->officer_code, &too_long);
    copy_opt(f->vote_uuid, sizeof f->vote_uuid, in->vote_uuid, &too_long);
    copy_opt(f->text, sizeof f->text, in->text, &too_long);
    f->consent = in->consent ? 1 : 0;
    copy_opt(f->contact_name, sizeof f->contact_name, in->contact_name, &too_long);
    copy_opt(f->contact_phone, sizeof f->contact_phone, in->contact_phone, &too_long);
    copy_opt(f->contact_address, sizeof f->contact_address, in->contact_address, &too_long);
    f->created_at = created_at;
    f->clock_suspect = !clk_plausible(created_at);
    if (!kiosk_id || !*kiosk_id || strlen(kiosk_id) >= 64) {
        util_fmt(why, whylen, "kiosk_id: must be 1 to 63 bytes");
        return -1;
    }
    if (too_long) {
        util_fmt(why, whylen, "a field is longer than the kiosk keeps (text: %d characters)",
                 WIRE_FEEDBACK_MAX_CHARS);
        return -1;
    }
    return wire_feedback_check(f, why, whylen);
}

static int insert(store *s, const char *kiosk_id, wire_feedback *f)
{
    sqlite3_stmt *st = NULL;
    int rc = store_begin(s);
    if (rc == SQLITE_OK &&
        (rc = prep(s, "SELECT coalesce(max(seq), 0) + 1 FROM feedback WHERE kiosk_id = ?1", &st)) ==
            SQLITE_OK) {
        sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            f->seq = sqlite3_column_int64(st, 0);
            rc = SQLITE_OK;
        }
        sqlite3_finalize(st);
    }
    if (rc == SQLITE_OK &&
        (rc = prep(s,
                   "INSERT INTO feedback (uuid, kiosk_id, seq, boot_id, kind, officer_code,"
                   " vote_uuid, body, consent, contact_name, contact_phone, contact_address,"
                   " created_at, clock_suspect)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                   &st)) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, f->uuid, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, kiosk_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, f->seq);
        sqlite3_bind_text(st, 4, f->boot_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, f->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, f->officer_code, -1, SQLITE_STATIC);
        bind_opt_text(st, 7, f->vote_uuid);
        sqlite3_bind_text(st, 8, f->text, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 9, f->consent);
        /* Without consent nothing is bound but NULL, whatever the caller passed. */
        bind_opt_text(st, 10, f->consent ? f->contact_name : NULL);
        bind_opt_text(st, 11, f->consent ? f->contact_phone : NULL);
        bind_opt_text(st, 12, f->consent ? f->contact_address : NULL);
        sqlite3_bind_int64(st, 13, f->created_at);
        sqlite3_bind_int(st, 14, f->clock_suspect);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
        if (rc != SQLITE_OK)
            store_sql_note(s, rc, NULL, "inserting the feedback");
        sqlite3_finalize(st);
    }
    return store_end(s, rc);
}

store_rc store_add_feedback(store *s, const char *kiosk_id, const char *boot_id,
                            int64_t created_at_ms, const store_feedback_in *in, char *uuid_out,
                            char *err, size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (uuid_out)
        uuid_out[0] = '\0';
    wire_feedback *f = xmalloc(sizeof *f);
    char why[200];
    if (!in || build(kiosk_id, boot_id, created_at_ms, in, f, why, sizeof why) != 0) {
        free(f);
        return store_fail(s, err, errlen, "feedback not saved: %s", in ? why : "nothing given");
    }
    if (!s->db && store_open_or_recover(s, err, errlen) != STORE_OK) {
        free(f);
        return STORE_ERROR;
    }
    int rc = insert(s, kiosk_id, f);
    if (rc != SQLITE_OK && store_is_corrupt(rc) && store_recover(s, err, errlen) == STORE_OK)
        rc = insert(s, kiosk_id, f);
    if (rc != SQLITE_OK) {
        free(f);
        return store_fail(s, err, errlen, "%s: the feedback was not saved: %s [SQLite code %d]",
                          s->path, s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc), rc);
    }
    log_info("store: feedback %s (%s, seq %lld) saved%s", f->uuid, f->kind, (long long)f->seq,
             f->consent ? " with the citizen's consent to contact" : "");
    if (uuid_out)
        util_strlcpy(uuid_out, f->uuid, 37);
    free(f);
    return STORE_OK;
}

store_rc store_get_feedback(store *s, const char *uuid, store_feedback *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = NULL;
    int rc = prep(s,
                  "SELECT uuid, seq, kind, officer_code, vote_uuid, body, consent, contact_name,"
                  " contact_phone, contact_address, created_at, sync_state, sync_error"
                  " FROM feedback WHERE uuid = ?1",
                  &st);
    if (rc != SQLITE_OK)
        return store_sql_fail(s, rc, "reading feedback %s", uuid ? uuid : "");
    sqlite3_bind_text(st, 1, uuid ? uuid : "", -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    store_rc result = STORE_OK;
    if (rc == SQLITE_ROW) {
        store_copy_col(st, 0, out->uuid, sizeof out->uuid);
        out->seq = sqlite3_column_int64(st, 1);
        store_copy_col(st, 2, out->kind, sizeof out->kind);
        store_copy_col(st, 3, out->officer_code, sizeof out->officer_code);
        store_copy_col(st, 4, out->vote_uuid, sizeof out->vote_uuid);
        const unsigned char *t = sqlite3_column_text(st, 5);
        out->text = xstrdup(t ? (const char *)t : "");
        out->consent = sqlite3_column_int(st, 6);
        store_copy_col(st, 7, out->contact_name, sizeof out->contact_name);
        store_copy_col(st, 8, out->contact_phone, sizeof out->contact_phone);
        store_copy_col(st, 9, out->contact_address, sizeof out->contact_address);
        out->created_at = sqlite3_column_int64(st, 10);
        store_copy_col(st, 11, out->sync_state, sizeof out->sync_state);
        store_copy_col(st, 12, out->sync_error, sizeof out->sync_error);
    } else if (rc == SQLITE_DONE) {
        result = STORE_NONE;
    } else {
        result = store_sql_fail(s, rc, "reading feedback %s", uuid ? uuid : "");
    }
    sqlite3_finalize(st);
    return result;
}

void store_feedback_free(store_feedback *f)
{
    if (f) {
        free(f->text);
        f->text = NULL;
    }
}

/* ---- the sync's side (store_int.h) ---- */

int store_fb_read_unsent(store *s, const char *kiosk_id, int max, wire_feedback **fb, int *n)
{
    *fb = NULL;
    *n = 0;
    sqlite3_stmt *st = NULL;
    int rc = prep(s,
                  "SELECT uuid, seq, boot_id, kind, officer_code, vote_uuid, body, consent,"
                  " contact_name, contact_phone, contact_address, created_at, clock_suspect"
                  " FROM feedback WHERE sync_state = 'unsent' AND batch_id IS NULL"
                  " AND kiosk_id = ?1 ORDER BY seq LIMIT ?2",
                  &st);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(st, 1, kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, max);
    wire_feedback *v = xcalloc(max > 0 ? (size_t)max : 1, sizeof *v);
    int k = 0;
    while (k < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        wire_feedback *f = &v[k++];
        store_copy_col(st, 0, f->uuid, sizeof f->uuid);
        f->seq = sqlite3_column_int64(st, 1);
        store_copy_col(st, 2, f->boot_id, sizeof f->boot_id);
        store_copy_col(st, 3, f->kind, sizeof f->kind);
        store_copy_col(st, 4, f->officer_code, sizeof f->officer_code);
        store_copy_col(st, 5, f->vote_uuid, sizeof f->vote_uuid);
        store_copy_col(st, 6, f->text, sizeof f->text);
        f->consent = sqlite3_column_int(st, 7);
        store_copy_col(st, 8, f->contact_name, sizeof f->contact_name);
        store_copy_col(st, 9, f->contact_phone, sizeof f->contact_phone);
        store_copy_col(st, 10, f->contact_address, sizeof f->contact_address);
        f->created_at = sqlite3_column_int64(st, 11);
        f->clock_suspect = sqlite3_column_int(st, 12);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        free(v);
        return rc;
    }
    *fb = v;
    *n = k;
    return SQLITE_OK;
}

int store_fb_freeze(store *s, const char *batch_id, const char *uuid, int *changed)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(s,
                  "UPDATE feedback SET batch_id = ?1 WHERE uuid = ?2 AND sync_state = 'unsent'"
                  " AND batch_id IS NULL",
                  &st);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(st, 1, batch_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, uuid, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    *changed = rc == SQLITE_DONE ? sqlite3_changes(s->db) : 0;
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_fb_unfreeze(store *s, const char *batch_id)
{
    sqlite3_stmt *st = NULL;
    int rc = prep(s,
                  "UPDATE feedback SET batch_id = NULL WHERE batch_id = ?1"
                  " AND sync_state = 'unsent'",
                  &st);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(st, 1, batch_id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_fb_mark(store *s, const char *batch_id, const wire_result *r, int *matched)
{
    /* Once the collector holds the item, the kiosk keeps no contact data: the collector is where
     * it is needed and where its retention time is kept (docs/PRIVACY.md). */
    static const char *const sent_sql =
        "UPDATE feedback SET sync_state = 'sent', sync_error = NULL, contact_name = NULL,"
        " contact_phone = NULL, contact_address = NULL"
        " WHERE uuid = ?1 AND batch_id = ?2 AND sync_state = 'unsent'";
    static const char *const quarantine_sql =
        "UPDATE feedback SET sync_state = 'quarantined', sync_error = ?3"
        " WHERE uuid = ?1 AND batch_id = ?2 AND sync_state = 'unsent'";
    int rejected = r->status == WIRE_REJECTED;
    sqlite3_stmt *st = NULL;
    int rc = prep(s, rejected ? quarantine_sql : sent_sql, &st);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(st, 1, r->uuid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, batch_id, -1, SQLITE_STATIC);
    if (rejected)
        sqlite3_bind_text(st, 3, r->reason[0] ? r->reason : "rejected by the collector", -1,
                          SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    *matched = rc == SQLITE_DONE ? sqlite3_changes(s->db) : 0;
    if (*matched && rejected)
        log_warn("sync: feedback %s quarantined: the collector rejected it: %s", r->uuid,
                 r->reason);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int store_fb_counts(store *s, int64_t *waiting, int64_t *quarantined)
{
    *waiting = *quarantined = 0;
    sqlite3_stmt *st = NULL;
    int rc = prep(s,
                  "SELECT coalesce(sum(sync_state = 'unsent'), 0),"
                  " coalesce(sum(sync_state = 'quarantined'), 0) FROM feedback"
                  " WHERE sync_state IN ('unsent', 'quarantined')", /* index feedback_sync */
                  &st);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *waiting = sqlite3_column_int64(st, 0);
        *quarantined = sqlite3_column_int64(st, 1);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}
