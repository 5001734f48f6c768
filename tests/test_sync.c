/* test_sync: the kiosk side of sync. The store's batches (freeze, byte-identical resend, results,
 * 413 split, migration 1 -> 2) on real files, and the sender thread against a small scripted HTTP
 * server on 127.0.0.1: retries, Retry-After, auth stop, split, timeouts, dropped connections. */
#include <SDL.h>
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "screens.h"
#include "sender.h"
#include "store.h"
#include "test.h"
#include "util.h"
#include "wire.h"

#define T0    1780000000000LL
#define KIOSK "kiosk-01"
#define TOKEN "tok-123.abc"

static char root[PATH_MAX];
static int dir_counter;

static void new_dir(char *out, size_t cap)
{
    if (util_fmt(out, cap, "%s/t%d", root, ++dir_counter) != 0 || mkdir(out, 0755) != 0) {
        perror(out);
        abort();
    }
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static store *open_store(const char *dir)
{
    char err[HL_ERR_MAX];
    store *s = NULL;
    store_opts o = {.response_interval_ms = 0};
    if (store_open(&s, dir, &o, err, sizeof err) != 0)
        fprintf(stderr, "store_open: %s\n", err);
    return s;
}

static int add(store *s, int rating, int pending, store_vote *v)
{
    static int64_t t = T0;
    t += 1000;
    return store_add_vote(s, KIOSK, "00000000-0000-4000-8000-000000000001", "tp-hung", rating, t,
                          pending, v, NULL, 0);
}

/* --- raw SQLite, to see what is really in the file --- */

static long long raw_int(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    long long v = -999;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        else
            fprintf(stderr, "raw_int(%s): %s\n", sql, sqlite3_errmsg(h));
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return v;
}

static void raw_text(const char *db, const char *sql, char *out, size_t cap)
{
    sqlite3 *h = NULL;
    util_strlcpy(out, "(error)", cap);
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
            int rc = sqlite3_step(st);
            if (rc == SQLITE_ROW) {
                const unsigned char *t = sqlite3_column_text(st, 0);
                util_strlcpy(out, t ? (const char *)t : "(null)", cap);
            } else if (rc == SQLITE_DONE) {
                out[0] = '\0';
            }
        }
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
}

static int raw_exec(const char *db, const char *sql)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        fprintf(stderr, "raw_exec(%s): %s\n", sql, sqlite3_errmsg(h));
    sqlite3_close(h);
    return rc;
}

static void db_path(char *out, size_t cap, const char *dir)
{
    util_fmt(out, cap, "%s/votes.db", dir);
}

/* Decodes a stored/sent body (gzip JSON) into a wire_batch. 0 on success. */
static int decode_body(const void *gz, size_t len, wire_batch *b)
{
    void *json = NULL;
    size_t jlen = 0;
    char err[256];
    if (wire_gunzip(gz, len, WIRE_MAX_BODY, &json, &jlen) != 0)
        return -1;
    int rc = wire_decode_batch(json, jlen, b, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "decode_body: %s\n", err);
    free(json);
    return rc;
}

static void result_for(wire_result *r, const char *uuid, wire_status st, const char *reason)
{
    memset(r, 0, sizeof *r);
    util_strlcpy(r->uuid, uuid, sizeof r->uuid);
    r->status = st;
    if (reason)
        util_strlcpy(r->reason, reason, sizeof r->reason);
}

/* ===================== store ===================== */

/* Migration 1's schema exactly as shipped (docs/SCHEMA.md), to build a version-1 file. */
static const char v1_schema[] =
    "PRAGMA journal_mode = WAL;"
    "CREATE TABLE votes ("
    " uuid TEXT PRIMARY KEY NOT NULL CHECK (length(uuid) = 36),"
    " kiosk_id TEXT NOT NULL, seq INTEGER NOT NULL CHECK (seq >= 1), boot_id TEXT NOT NULL,"
    " officer_code TEXT NOT NULL, rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 3),"
    " reasons TEXT NOT NULL DEFAULT '[]'"
    "  CHECK (json_valid(reasons) AND substr(reasons, 1, 1) = '['),"
    " created_at INTEGER NOT NULL, misuse INTEGER NOT NULL DEFAULT 0 CHECK (misuse IN (0, 1)),"
    " sync_state TEXT NOT NULL DEFAULT 'unsent'"
    "  CHECK (sync_state IN ('pending', 'unsent', 'sent')),"
    " UNIQUE (kiosk_id, seq));"
    "CREATE INDEX votes_sync ON votes (sync_state, seq);"
    "CREATE INDEX votes_created_at ON votes (created_at);"
    "INSERT INTO votes VALUES ('11111111-1111-4111-8111-111111111111', 'K1', 1, 'b', 'tp-hung',"
    " 3, '[]', 1780000000000, 0, 'sent');"
    "INSERT INTO votes VALUES ('22222222-2222-4222-8222-222222222222', 'K1', 2, 'b', 'vp-lan',"
    " 1, '[\"cham-tre\"]', 1780000001000, 1, 'unsent');"
    "INSERT INTO votes VALUES ('33333333-3333-4333-8333-333333333333', 'K1', 3, 'b', 'vp-lan',"
    " 1, '[]', 1780000002000, 0, 'pending');"
    /* An IT person's own view on votes must not break the upgrade. */
    "CREATE VIEW my_report AS SELECT officer_code, count(*) AS n FROM votes GROUP BY 1;"
    "PRAGMA user_version = 1;";

static void t_migration_1_to_2(void)
{
    char dir[PATH_MAX], db[PATH_MAX], val[256];
    new_dir(dir, sizeof dir);
    db_path(db, sizeof db, dir);
    REQUIRE(raw_exec(db, v1_schema) == SQLITE_OK);
    raw_text(db,
             "SELECT group_concat(uuid || kiosk_id || seq || boot_id || officer_code || rating ||"
             " reasons || created_at || misuse || sync_state, ';') FROM votes ORDER BY seq",
             val, sizeof val);
    char before[256];
    util_strlcpy(before, val, sizeof before);

    store *s = open_store(dir);
    REQUIRE(s);
    /* Migrations after 2 (3: settings) are applied too on the way. */
    CHECK(store_latest_schema_version() >= 2);
    CHECK_INT(store_schema_version(s), store_latest_schema_version());
    store_close(s);
    CHECK_INT(raw_int(db, "PRAGMA user_version"), store_latest_schema_version());
    /* Every row and field kept (the pending vote was released to unsent by the open, as
     * always). */
    raw_text(db,
             "SELECT group_concat(uuid || kiosk_id || seq || boot_id || officer_code || rating ||"
             " reasons || created_at || misuse || replace(sync_state, 'unsent', 'pending'), ';')"
             " FROM votes WHERE seq = 3",
             val, sizeof val);
    CHECK_CONTAINS(before, val);
    raw_text(db,
             "SELECT group_concat(uuid || kiosk_id || seq || boot_id || officer_code || rating ||"
             " reasons || created_at || misuse || sync_state, ';') FROM votes WHERE seq < 3"
             " ORDER BY seq",
             val, sizeof val);
    CHECK_CONTAINS(before, val);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM votes"), 3);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM votes WHERE batch_id IS NULL AND"
                          " sync_error IS NULL"),
              3);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN"
                          " ('votes_sync', 'votes_created_at', 'votes_batch')"),
              3);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('batches',"
                          " 'sync_status', 'my_report', 'votes_new')"),
              3);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM my_report"), 2);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM sync_status"), 1);
    raw_text(db, "PRAGMA integrity_check", val, sizeof val);
    CHECK_STR(val, "ok");
    raw_text(db, "PRAGMA foreign_key_check", val, sizeof val);
    CHECK_STR(val, "");
    /* The new CHECK: quarantined is allowed, anything else still is not. */
    CHECK_INT(raw_exec(db, "UPDATE votes SET sync_state = 'quarantined' WHERE seq = 2"), SQLITE_OK);
    sqlite3 *h = NULL;
    sqlite3_open(db, &h);
    CHECK(sqlite3_exec(h, "UPDATE votes SET sync_state = 'lost' WHERE seq = 2", NULL, NULL, NULL) ==
          SQLITE_CONSTRAINT);
    sqlite3_close(h);
    /* New votes continue the sequence. */
    s = open_store(dir);
    REQUIRE(s);
    store_vote v;
    REQUIRE(store_add_vote(s, "K1", "b2", "tp-hung", 2, T0 + 5000, 0, &v, NULL, 0) == 0);
    CHECK_INT(v.seq, 4);
    store_close(s);
}

static void t_freeze_resend_identical(void)
{
    char dir[PATH_MAX];
    new_dir(dir, sizeof dir);
    store *s = open_store(dir);
    REQUIRE(s);
    store_vote v[3];
    for (int i = 0; i < 3; i++)
        REQUIRE(add(s, 3 - i, 0, &v[i]) == 0);
    store_batch b1, b2, b3;
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0, &b1), 1);
    CHECK_INT(b1.n_votes, 3);
    CHECK(wire_valid_uuid(b1.batch_id));
    CHECK_STR(b1.kiosk_id, KIOSK);
    /* Votes after the freeze go into the next batch: the frozen one is resent unchanged. */
    store_vote later;
    REQUIRE(add(s, 2, 0, &later) == 0);
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0 + 99999, &b2), 1);
    CHECK_STR(b2.batch_id, b1.batch_id);
    CHECK_INT(b2.frozen_at, T0);
    CHECK(b2.body_len == b1.body_len && memcmp(b1.body, b2.body, b1.body_len) == 0);
    /* Also through a new connection (a restarted kiosk). */
    store_close(s);
    s = open_store(dir);
    REQUIRE(s);
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0 + 5, &b3), 1);
    CHECK_STR(b3.batch_id, b1.batch_id);
    CHECK(b3.body_len == b1.body_len && memcmp(b1.body, b3.body, b1.body_len) == 0);

    /* The body is the wire format: this kiosk, this batch, the three votes in seq order. */
    wire_batch wb;
    REQUIRE(decode_body(b1.body, b1.body_len, &wb) == 0);
    CHECK_STR(wb.kiosk_id, KIOSK);
    CHECK_STR(wb.batch_id, b1.batch_id);
    CHECK_INT(wb.frozen_at, T0);
    REQUIRE(wb.n == 3);
    for (int i = 0; i < 3; i++) {
        CHECK_STR(wb.votes[i].uuid, v[i].uuid);
        CHECK_INT(wb.votes[i].seq, v[i].seq);
        CHECK_INT(wb.votes[i].rating, v[i].rating);
        CHECK_STR(wb.votes[i].officer_code, "tp-hung");
        CHECK_INT(wb.votes[i].created_at, v[i].created_at);
    }
    wire_batch_free(&wb);

    store_sync_status st;
    CHECK_INT(store_sync_status_get(s, KIOSK, &st), 0);
    CHECK_INT(st.waiting, 4);
    CHECK_INT(st.in_batch, 3);
    CHECK_INT(st.batches, 1);
    CHECK_INT(st.oldest_waiting, v[0].created_at);
    store_batch_free(&b1);
    store_batch_free(&b2);
    store_batch_free(&b3);
    store_close(s);
}

static void t_pending_never_frozen(void)
{
    char dir[PATH_MAX];
    new_dir(dir, sizeof dir);
    store *s = open_store(dir);
    REQUIRE(s);
    store_vote p, u;
    REQUIRE(add(s, 1, 1, &p) == 0); /* reasons screen open */
    store_batch b;
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0, &b), 0); /* nothing to send yet */
    CHECK(b.body == NULL);
    REQUIRE(add(s, 3, 0, &u) == 0);
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0, &b), 1);
    CHECK_INT(b.n_votes, 1);
    wire_batch wb;
    REQUIRE(decode_body(b.body, b.body_len, &wb) == 0);
    REQUIRE(wb.n == 1);
    CHECK_STR(wb.votes[0].uuid, u.uuid);
    wire_batch_free(&wb);
    /* The pending vote finishes with its reasons; it travels in the next batch, reasons
     * included. */
    const char *codes[] = {"cham-tre"};
    REQUIRE(store_finish_vote(s, p.uuid, codes, 1, NULL, 0) == 0);
    wire_result r;
    result_for(&r, u.uuid, WIRE_ACCEPTED, NULL);
    store_sync_applied ap;
    CHECK_INT(store_sync_apply(s, b.batch_id, &r, 1, T0, &ap), 0);
    store_batch_free(&b);
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0, &b), 1);
    REQUIRE(decode_body(b.body, b.body_len, &wb) == 0);
    REQUIRE(wb.n == 1);
    CHECK_STR(wb.votes[0].uuid, p.uuid);
    CHECK_STR(wb.votes[0].reasons, "[\"cham-tre\"]");
    wire_batch_free(&wb);
    store_batch_free(&b);
    store_close(s);
}

static void t_apply_results(void)
{
    char dir[PATH_MAX], db[PATH_MAX], val[256];
    new_dir(dir, sizeof dir);
    db_path(db, sizeof db, dir);
    store *s = open_store(dir);
    REQUIRE(s);
    store_vote v[4];
    for (int i = 0; i < 4; i++)
        REQUIRE(add(s, 2, 0, &v[i]) == 0);
    store_batch b;
    REQUIRE(store_sync_freeze(s, KIOSK, 500, T0, &b) == 1);

    /* Results that name none of the batch's votes change nothing. */
    wire_result r[4];
    result_for(&r[0], "99999999-9999-4999-8999-999999999999", WIRE_ACCEPTED, NULL);
    store_sync_applied ap;
    CHECK_INT(store_sync_apply(s, b.batch_id, r, 1, T0, &ap), 1);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM batches"), 1);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM votes WHERE sync_state = 'unsent'"), 4);

    result_for(&r[0], v[0].uuid, WIRE_ACCEPTED, NULL);
    result_for(&r[1], v[1].uuid, WIRE_DUPLICATE, NULL);
    result_for(&r[2], v[2].uuid, WIRE_REJECTED, "rating: must be 1, 2 or 3");
    /* v[3] not listed */
    CHECK_INT(store_sync_apply(s, b.batch_id, r, 3, T0 + 7, &ap), 0);
    CHECK_INT(ap.sent, 2);
    CHECK_INT(ap.quarantined, 1);
    CHECK_INT(ap.unlisted, 1);
    store_vote got;
    CHECK_INT(store_get_vote(s, v[0].uuid, &got), 0);
    CHECK_STR(got.sync_state, STORE_SYNC_SENT);
    CHECK_INT(store_get_vote(s, v[1].uuid, &got), 0);
    CHECK_STR(got.sync_state, STORE_SYNC_SENT);
    CHECK_INT(store_get_vote(s, v[2].uuid, &got), 0);
    CHECK_STR(got.sync_state, STORE_SYNC_QUARANTINED);
    CHECK_INT(store_get_vote(s, v[3].uuid, &got), 0);
    CHECK_STR(got.sync_state, STORE_SYNC_UNSENT);
    char sql[256];
    util_fmt(sql, sizeof sql, "SELECT sync_error FROM votes WHERE uuid = '%s'", v[2].uuid);
    raw_text(db, sql, val, sizeof val);
    CHECK_STR(val, "rating: must be 1, 2 or 3");
    util_fmt(sql, sizeof sql, "SELECT count(*) FROM votes WHERE batch_id = '%s'", b.batch_id);
    CHECK_INT(raw_int(db, sql), 3); /* sent and quarantined keep the batch that carried them */
    CHECK_INT(raw_int(db, "SELECT count(*) FROM batches"), 0);

    store_sync_status st;
    CHECK_INT(store_sync_status_get(s, KIOSK, &st), 0);
    CHECK_INT(st.waiting, 1);
    CHECK_INT(st.quarantined, 1);
    CHECK_INT(st.in_batch, 0);
    CHECK_INT(st.last_success_at, T0 + 7);
    CHECK_INT(st.oldest_waiting, v[3].created_at);

    /* The unlisted vote goes again, in a new batch; the quarantined one never does. */
    store_batch b2;
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0, &b2), 1);
    CHECK(strcmp(b2.batch_id, b.batch_id) != 0);
    CHECK_INT(b2.n_votes, 1);
    wire_batch wb;
    REQUIRE(decode_body(b2.body, b2.body_len, &wb) == 0);
    REQUIRE(wb.n == 1);
    CHECK_STR(wb.votes[0].uuid, v[3].uuid);
    wire_batch_free(&wb);
    store_batch_free(&b);
    store_batch_free(&b2);
    store_close(s);
}

static int freeze_n(store *s, store_batch *b)
{
    if (store_sync_freeze(s, KIOSK, 500, T0, b) != 1)
        return -1;
    return b->n_votes;
}

static void accept_all(store *s, store_batch *b)
{
    wire_batch wb;
    if (decode_body(b->body, b->body_len, &wb) != 0) {
        t_cur_failed = 1;
        return;
    }
    wire_result *r = xcalloc(wb.n, sizeof *r);
    for (size_t i = 0; i < wb.n; i++)
        result_for(&r[i], wb.votes[i].uuid, WIRE_ACCEPTED, NULL);
    store_sync_applied ap;
    CHECK_INT(store_sync_apply(s, b->batch_id, r, wb.n, T0, &ap), 0);
    CHECK_INT(ap.sent, (long long)wb.n);
    free(r);
    wire_batch_free(&wb);
    store_batch_free(b);
}

static void t_split_413(void)
{
    char dir[PATH_MAX], db[PATH_MAX];
    new_dir(dir, sizeof dir);
    db_path(db, sizeof db, dir);
    store *s = open_store(dir);
    REQUIRE(s);
    for (int i = 0; i < 40; i++)
        REQUIRE(add(s, 3, 0, NULL) == 0);
    store_batch b;
    /* batch_max from the config caps it. */
    CHECK_INT(store_sync_freeze(s, KIOSK, 30, T0, &b), 1);
    CHECK_INT(b.n_votes, 30);
    int limit = 0;
    CHECK_INT(store_sync_split(s, b.batch_id, &limit), 0);
    CHECK_INT(limit, 15);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM batches"), 0);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM votes WHERE batch_id IS NOT NULL"), 0);
    store_batch_free(&b);
    CHECK_INT(freeze_n(s, &b), 15);
    CHECK_INT(store_sync_split(s, b.batch_id, &limit), 0);
    CHECK_INT(limit, 7);
    store_batch_free(&b);
    CHECK_INT(freeze_n(s, &b), 7);
    CHECK_INT(store_sync_split(s, b.batch_id, &limit), 0);
    CHECK_INT(limit, 3);
    store_batch_free(&b);
    CHECK_INT(freeze_n(s, &b), 3);
    CHECK_INT(store_sync_split(s, b.batch_id, &limit), 0);
    CHECK_INT(limit, 1);
    store_batch_free(&b);
    /* Never below 1. */
    CHECK_INT(freeze_n(s, &b), 1);
    CHECK_INT(store_sync_split(s, b.batch_id, &limit), 0);
    CHECK_INT(limit, 1);
    store_batch_free(&b);
    /* Each success grows the limit back (by a quarter, at least one). */
    CHECK_INT(freeze_n(s, &b), 1);
    accept_all(s, &b);
    CHECK_INT(freeze_n(s, &b), 2);
    accept_all(s, &b);
    CHECK_INT(freeze_n(s, &b), 3);
    accept_all(s, &b);
    CHECK_INT(freeze_n(s, &b), 4);
    accept_all(s, &b);
    CHECK_INT(freeze_n(s, &b), 5);
    accept_all(s, &b);
    while (freeze_n(s, &b) > 0)
        accept_all(s, &b);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM votes WHERE sync_state = 'sent'"), 40);
    for (int i = 0; i < 30; i++) {
        store_add_vote(s, KIOSK, "b", "tp-hung", 3, T0, 0, NULL, NULL, 0);
        if (freeze_n(s, &b) > 0)
            accept_all(s, &b);
    }
    CHECK_INT(raw_int(db, "SELECT batch_limit FROM sync_status"), 500);
    store_close(s);
}

static void t_other_kiosk_id(void)
{
    char dir[PATH_MAX], db[PATH_MAX];
    new_dir(dir, sizeof dir);
    db_path(db, sizeof db, dir);
    store *s = open_store(dir);
    REQUIRE(s);
    store_vote old, cur;
    REQUIRE(store_add_vote(s, "old-id", "b", "tp-hung", 3, T0, 0, &old, NULL, 0) == 0);
    store_batch b;
    REQUIRE(store_sync_freeze(s, "old-id", 500, T0, &b) == 1);
    store_batch_free(&b);
    /* The config now says KIOSK: the old batch is unfrozen (not sent with the wrong token), its
     * vote kept and counted apart. */
    REQUIRE(add(s, 2, 0, &cur) == 0);
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0, &b), 1);
    CHECK_INT(b.n_votes, 1);
    CHECK_STR(b.kiosk_id, KIOSK);
    CHECK_INT(raw_int(db, "SELECT count(*) FROM batches"), 1);
    store_sync_status st;
    CHECK_INT(store_sync_status_get(s, KIOSK, &st), 0);
    CHECK_INT(st.other_kiosk, 1);
    CHECK_INT(st.waiting, 2);
    store_vote got;
    CHECK_INT(store_get_vote(s, old.uuid, &got), 0);
    CHECK_STR(got.sync_state, STORE_SYNC_UNSENT);
    store_batch_free(&b);
    store_close(s);
}

static void t_status_and_reopen(void)
{
    char dir[PATH_MAX], db[PATH_MAX], err[HL_ERR_MAX], moved[PATH_MAX + 16];
    new_dir(dir, sizeof dir);
    db_path(db, sizeof db, dir);
    /* read only: no file, no database (and none created) */
    store *r = NULL;
    store_opts ro = {.readonly = 1};
    CHECK_INT(store_open(&r, dir, &ro, err, sizeof err), HL_EXIT_RUNTIME);
    CHECK_CONTAINS(err, "no vote database");
    CHECK(!util_file_exists(db));

    store *s = open_store(dir);
    REQUIRE(s);
    store_sync_status st;
    CHECK_INT(store_sync_status_get(s, KIOSK, &st), 0);
    CHECK_STR(st.state, STORE_SYNC_STATE_OFF);
    CHECK_INT(st.last_success_at, 0);
    CHECK_INT(st.batch_limit, 500);
    REQUIRE(add(s, 3, 0, NULL) == 0);
    store_batch b;
    REQUIRE(store_sync_freeze(s, KIOSK, 500, T0, &b) == 1);
    CHECK_INT(store_sync_note_failure(s, b.batch_id, 503, "the collector answered HTTP 503", T0 + 1,
                                      STORE_SYNC_STATE_BACKOFF, T0 + 5000),
              0);
    CHECK_INT(store_sync_note_failure(s, b.batch_id, 0, "network: refused", T0 + 2,
                                      STORE_SYNC_STATE_BACKOFF, T0 + 9000),
              0);
    CHECK_INT(raw_int(db, "SELECT attempts FROM batches"), 2);
    CHECK_INT(raw_int(db, "SELECT last_status IS NULL FROM batches"), 1);

    CHECK_INT(store_open(&r, dir, &ro, err, sizeof err), 0);
    REQUIRE(r);
    CHECK_INT(store_sync_status_get(r, KIOSK, &st), 0);
    CHECK_STR(st.state, STORE_SYNC_STATE_BACKOFF);
    CHECK_INT(st.backoff_until, T0 + 9000);
    CHECK_STR(st.last_error, "network: refused");
    CHECK_INT(st.last_error_at, T0 + 2);
    CHECK_INT(st.waiting, 1);
    CHECK_INT(st.in_batch, 1);
    CHECK(store_add_vote(r, KIOSK, "b", "tp-hung", 3, T0, 0, NULL, NULL, 0) != 0); /* read only */
    store_close(r);

    CHECK_INT(
        store_sync_note_failure(s, b.batch_id, 401, "refused", T0 + 3, STORE_SYNC_STATE_AUTH, 0),
        0);
    CHECK_INT(store_sync_status_get(s, KIOSK, &st), 0);
    CHECK_INT(st.auth_failed, 1);
    CHECK_INT(st.backoff_until, 0);
    CHECK_INT(store_sync_set_state(s, STORE_SYNC_STATE_IDLE, 0, T0 + 4), 0);
    CHECK_INT(store_sync_status_get(s, KIOSK, &st), 0);
    CHECK_STR(st.state, STORE_SYNC_STATE_IDLE);
    CHECK_INT(st.updated_at, T0 + 4);
    store_batch_free(&b);

    /* A secondary connection notices the file was moved aside by the primary. */
    store *sec = NULL;
    store_opts so = {.secondary = 1};
    REQUIRE(store_open(&sec, dir, &so, err, sizeof err) == 0);
    CHECK_INT(store_needs_reopen(sec), 0);
    /* Votes stay FULL on the primary; the sender's progress is NORMAL (see store.c). */
    char sync_val[16];
    REQUIRE(store_pragma(sec, "synchronous", sync_val, sizeof sync_val) == 0);
    CHECK_STR(sync_val, "1");
    REQUIRE(store_pragma(s, "synchronous", sync_val, sizeof sync_val) == 0);
    CHECK_STR(sync_val, "2");
    store_close(s);
    util_fmt(moved, sizeof moved, "%s.corrupt-x", db);
    REQUIRE(rename(db, moved) == 0);
    CHECK_INT(store_needs_reopen(sec), 1);
    store_close(sec);
}

/* A secondary connection never releases a pending vote (the UI may have its reasons screen
 * open) and never moves a damaged file aside. */
static void t_secondary_open(void)
{
    char dir[PATH_MAX], db[PATH_MAX], err[HL_ERR_MAX];
    new_dir(dir, sizeof dir);
    db_path(db, sizeof db, dir);
    store *s = open_store(dir);
    REQUIRE(s);
    store_vote p;
    REQUIRE(add(s, 1, 1, &p) == 0);
    store *sec = NULL;
    store_opts so = {.secondary = 1};
    REQUIRE(store_open(&sec, dir, &so, err, sizeof err) == 0);
    store_vote got;
    CHECK_INT(store_get_vote(sec, p.uuid, &got), 0);
    CHECK_STR(got.sync_state, STORE_SYNC_PENDING);
    store_close(sec);
    store_close(s);

    /* Damage: the secondary reports it and leaves the file where it is. */
    FILE *f = fopen(db, "r+b");
    REQUIRE(f);
    fseek(f, 0, SEEK_SET);
    fputs("this is not a database, not at all!", f);
    fclose(f);
    CHECK_INT(store_open(&sec, dir, &so, err, sizeof err), HL_EXIT_RUNTIME);
    CHECK(util_file_exists(db));
}

/* ===================== a scripted HTTP server ===================== */

enum { ACT_SEND, ACT_HANG, ACT_DROP };

#define MAX_REQS 256

typedef struct {
    char path[256];
    char headers[4096];
    unsigned char *body;
    size_t body_len;
    int64_t at_ms;
    char batch_id[37];
    int n_votes;
    char (*uuids)[37];
} req;

typedef struct srv srv;
/* Decides the answer to request number idx (under the server's lock). */
typedef int (*srv_handler)(srv *v, const req *r, int idx, int *status, char *hdrs, size_t hcap,
                           char **body);

struct srv {
    int lfd, port;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cond;
    atomic_int stop;
    int released; /* ACT_HANG answers once this is set */
    int hanging;  /* a request is being held */
    srv_handler handler;
    void *ctx;
    req reqs[MAX_REQS];
    int n;
    int n_sent_votes;
    char seen[2048][37]; /* uuids accepted, to catch a vote accepted twice */
    int n_seen, accepted_twice;
};

static void srv_lock(srv *v)
{
    pthread_mutex_lock(&v->mu);
}

static void srv_unlock(srv *v)
{
    pthread_mutex_unlock(&v->mu);
}

/* Reads one request from fd: 0, or -1 if the peer closed or the server stops. */
static int read_request(srv *v, int fd, req *r)
{
    char *buf = NULL;
    size_t len = 0, cap = 0, need = 0, hdr_end = 0;
    for (;;) {
        if (hdr_end && len >= hdr_end + need)
            break;
        if (atomic_load(&v->stop))
            goto fail;
        struct pollfd p = {fd, POLLIN, 0};
        int pr = poll(&p, 1, 20);
        if (pr <= 0)
            continue;
        if (cap - len < 65536) {
            cap = cap ? cap * 2 : 131072;
            buf = xrealloc(buf, cap);
        }
        ssize_t got = recv(fd, buf + len, cap - len - 1, 0);
        if (got <= 0)
            goto fail;
        len += (size_t)got;
        buf[len] = '\0';
        if (!hdr_end) {
            char *e = strstr(buf, "\r\n\r\n");
            if (!e)
                continue;
            hdr_end = (size_t)(e - buf) + 4;
            const char *cl = strcasestr(buf, "\r\ncontent-length:");
            long n = 0;
            if (cl && cl < e)
                n = strtol(cl + 17, NULL, 10);
            need = (size_t)n;
        }
    }
    memset(r, 0, sizeof *r);
    sscanf(buf, "%*s %255s", r->path);
    size_t hl = hdr_end < sizeof r->headers ? hdr_end : sizeof r->headers - 1;
    memcpy(r->headers, buf, hl);
    r->headers[hl] = '\0';
    r->body_len = need;
    r->body = xmalloc(need + 1);
    memcpy(r->body, buf + hdr_end, need);
    r->at_ms = mono_ms();
    free(buf);
    wire_batch wb;
    if (decode_body(r->body, r->body_len, &wb) == 0) {
        util_strlcpy(r->batch_id, wb.batch_id, sizeof r->batch_id);
        r->n_votes = (int)wb.n;
        r->uuids = xcalloc(wb.n, sizeof *r->uuids);
        for (size_t i = 0; i < wb.n; i++)
            util_strlcpy(r->uuids[i], wb.votes[i].uuid, sizeof r->uuids[i]);
        wire_batch_free(&wb);
    }
    return 0;
fail:
    free(buf);
    return -1;
}

/* 200 with every vote of the request accepted (or, with reject_seq, that one rejected). */
static char *results_body(srv *v, const req *r, const char *reject_uuid)
{
    wire_result *res = xcalloc((size_t)r->n_votes, sizeof *res);
    for (int i = 0; i < r->n_votes; i++) {
        int rej = reject_uuid && strcmp(r->uuids[i], reject_uuid) == 0;
        result_for(&res[i], r->uuids[i], rej ? WIRE_REJECTED : WIRE_ACCEPTED,
                   rej ? "officer: unknown officer code" : NULL);
        if (rej)
            continue;
        for (int k = 0; k < v->n_seen; k++)
            if (strcmp(v->seen[k], r->uuids[i]) == 0)
                v->accepted_twice++;
        if (v->n_seen < 2048)
            util_strlcpy(v->seen[v->n_seen++], r->uuids[i], 37);
        v->n_sent_votes++;
    }
    char *json = NULL;
    size_t len;
    if (wire_encode_results(r->batch_id, res, (size_t)r->n_votes, &json, &len) != 0)
        json = xstrdup("{}");
    free(res);
    return json;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void serve_conn(srv *v, int fd)
{
    for (;;) {
        req r;
        if (read_request(v, fd, &r) != 0)
            return;
        int status = 500;
        char hdrs[512] = "";
        char *body = NULL;
        srv_lock(v);
        int idx = v->n;
        if (v->n < MAX_REQS)
            v->reqs[v->n++] = r;
        else
            free(r.body), free(r.uuids);
        int act = v->handler(v, &v->reqs[idx < MAX_REQS ? idx : MAX_REQS - 1], idx, &status, hdrs,
                             sizeof hdrs, &body);
        srv_unlock(v);
        if (act == ACT_DROP) {
            free(body);
            return;
        }
        if (act == ACT_HANG) {
            /* Hold the request until released, the client gives up, or the server stops. */
            int gone = 0;
            srv_lock(v);
            v->hanging = 1;
            pthread_cond_broadcast(&v->cond);
            srv_unlock(v);
            for (;;) {
                srv_lock(v);
                int rel = v->released;
                srv_unlock(v);
                if (rel || atomic_load(&v->stop))
                    break;
                struct pollfd p = {fd, POLLIN, 0};
                if (poll(&p, 1, 10) > 0) {
                    char c;
                    if (recv(fd, &c, 1, MSG_PEEK) <= 0) {
                        gone = 1;
                        break;
                    }
                }
            }
            srv_lock(v);
            v->hanging = 0;
            if (!gone && !atomic_load(&v->stop)) {
                free(body);
                body = results_body(v, &v->reqs[idx], NULL);
                status = 200;
            }
            srv_unlock(v);
            if (gone || atomic_load(&v->stop)) {
                free(body);
                return;
            }
        }
        const char *text = body ? body : "";
        char head[1024];
        int hn = snprintf(head, sizeof head,
                          "HTTP/1.1 %d X\r\nContent-Type: application/json\r\n"
                          "Content-Length: %zu\r\n%s\r\n",
                          status, strlen(text), hdrs);
        send_all(fd, head, (size_t)hn);
        send_all(fd, text, strlen(text));
        free(body);
    }
}

static void *srv_main(void *arg)
{
    srv *v = arg;
    while (!atomic_load(&v->stop)) {
        struct pollfd p = {v->lfd, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0)
            continue;
        int fd = accept(v->lfd, NULL, NULL);
        if (fd < 0)
            continue;
        serve_conn(v, fd);
        close(fd);
    }
    return NULL;
}

static srv *srv_start(srv_handler h, void *ctx)
{
    srv *v = xcalloc(1, sizeof *v);
    v->handler = h;
    v->ctx = ctx;
    pthread_mutex_init(&v->mu, NULL);
    pthread_cond_init(&v->cond, NULL);
    v->lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (v->lfd < 0 || bind(v->lfd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(v->lfd, 8) != 0 || getsockname(v->lfd, (struct sockaddr *)&a, &al) != 0) {
        perror("test server");
        abort();
    }
    v->port = ntohs(a.sin_port);
    pthread_create(&v->thread, NULL, srv_main, v);
    return v;
}

static void srv_release(srv *v)
{
    srv_lock(v);
    v->released = 1;
    srv_unlock(v);
}

static void srv_stop(srv *v)
{
    atomic_store(&v->stop, 1);
    pthread_join(v->thread, NULL);
    close(v->lfd);
    for (int i = 0; i < v->n; i++) {
        free(v->reqs[i].body);
        free(v->reqs[i].uuids);
    }
    pthread_cond_destroy(&v->cond);
    pthread_mutex_destroy(&v->mu);
    free(v);
}

static int srv_count(srv *v)
{
    srv_lock(v);
    int n = v->n;
    srv_unlock(v);
    return n;
}

/* Polls cond every few ms for up to timeout_ms; a failed check if it never became true. */
#define CHECK_WITHIN(cond, timeout_ms)                                                             \
    do {                                                                                           \
        int64_t end_ = mono_ms() + (timeout_ms);                                                   \
        int ok_;                                                                                   \
        while (!(ok_ = (cond)) && mono_ms() < end_)                                                \
            nap_ms(5);                                                                             \
        if (!ok_) {                                                                                \
            fprintf(stderr, "%s:%d: not true within %d ms: %s\n", __FILE__, __LINE__,              \
                    (int)(timeout_ms), #cond);                                                     \
            t_cur_failed = 1;                                                                      \
        }                                                                                          \
    } while (0)

static int srv_hanging(srv *v)
{
    srv_lock(v);
    int h = v->hanging;
    srv_unlock(v);
    return h;
}

/* The value of header name in r (without leading blanks), or "" */
static void header(const req *r, const char *name, char *out, size_t cap)
{
    char pat[64];
    util_fmt(pat, sizeof pat, "\r\n%s:", name);
    const char *h = strcasestr(r->headers, pat);
    out[0] = '\0';
    if (!h)
        return;
    h += strlen(pat);
    while (*h == ' ')
        h++;
    size_t n = strcspn(h, "\r\n");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, h, n);
    out[n] = '\0';
}

/* --- handlers --- */

static int h_accept(srv *v, const req *r, int idx, int *status, char *hdrs, size_t hcap,
                    char **body)
{
    (void)idx, (void)hdrs, (void)hcap;
    *status = 200;
    *body = results_body(v, r, NULL);
    return ACT_SEND;
}

/* First answer from ctx (status and headers), then accept. */
typedef struct {
    int status;
    const char *hdrs;
    const char *body;
    int act;
    int times;
} first_ctx;

static int h_first_then_accept(srv *v, const req *r, int idx, int *status, char *hdrs, size_t hcap,
                               char **body)
{
    const first_ctx *c = v->ctx;
    if (idx < c->times) {
        *status = c->status;
        util_strlcpy(hdrs, c->hdrs ? c->hdrs : "", hcap);
        *body = xstrdup(c->body ? c->body : "{\"error\":\"test\"}");
        return c->act;
    }
    return h_accept(v, r, idx, status, hdrs, hcap, body);
}

static int h_always(srv *v, const req *r, int idx, int *status, char *hdrs, size_t hcap,
                    char **body)
{
    (void)r, (void)idx;
    const first_ctx *c = v->ctx;
    *status = c->status;
    util_strlcpy(hdrs, c->hdrs ? c->hdrs : "", hcap);
    *body = xstrdup("{}");
    return c->act;
}

/* 413 for batches of more than ctx votes. */
static int h_413_above(srv *v, const req *r, int idx, int *status, char *hdrs, size_t hcap,
                       char **body)
{
    int max = *(const int *)v->ctx;
    if (r->n_votes > max) {
        *status = 413;
        *body = xstrdup("{\"error\":\"too large\"}");
        return ACT_SEND;
    }
    return h_accept(v, r, idx, status, hdrs, hcap, body);
}

static int h_reject_one(srv *v, const req *r, int idx, int *status, char *hdrs, size_t hcap,
                        char **body)
{
    (void)idx, (void)hdrs, (void)hcap;
    *status = 200;
    *body = results_body(v, r, (const char *)v->ctx);
    return ACT_SEND;
}

/* --- sender fixture --- */

typedef struct {
    char dir[PATH_MAX], db[PATH_MAX], url[64];
    store *s;
    srv *v;
    sync_sender *snd;
    atomic_int notified;
} sfx;

static void on_notify(void *ctx)
{
    sfx *f = ctx;
    atomic_fetch_add(&f->notified, 1);
}

static sync_config fast_config(sfx *f)
{
    sync_config c = {.data_dir = f->dir,
                     .kiosk_id = KIOSK,
                     .url = f->url,
                     .token = TOKEN,
                     .base_ms = 20,
                     .cap_ms = 200,
                     .start_delay_max_ms = 0,
                     .timeout_ms = 5000,
                     .idle_poll_ms = 50};
    return c;
}

static int sfx_open(sfx *f, srv_handler h, void *ctx, int n_votes)
{
    memset(f, 0, sizeof *f);
    new_dir(f->dir, sizeof f->dir);
    db_path(f->db, sizeof f->db, f->dir);
    f->s = open_store(f->dir);
    if (!f->s)
        return -1;
    for (int i = 0; i < n_votes; i++)
        if (add(f->s, 1 + i % 3, 0, NULL) != 0)
            return -1;
    f->v = srv_start(h, ctx);
    util_fmt(f->url, sizeof f->url, "http://127.0.0.1:%d/", f->v->port);
    return 0;
}

static int sfx_start(sfx *f, const sync_config *c)
{
    char err[HL_ERR_MAX];
    if (sync_start(&f->snd, c, on_notify, f, err, sizeof err) != 0) {
        fprintf(stderr, "sync_start: %s\n", err);
        return -1;
    }
    return 0;
}

static void sfx_close(sfx *f)
{
    sync_stop(f->snd);
    f->snd = NULL;
    srv_stop(f->v);
    store_close(f->s);
}

static long long count_state(sfx *f, const char *state)
{
    char sql[128];
    util_fmt(sql, sizeof sql, "SELECT count(*) FROM votes WHERE sync_state = '%s'", state);
    return raw_int(f->db, sql);
}

static int all_sent(sfx *f)
{
    return count_state(f, "unsent") == 0;
}

static int same_body(const req *a, const req *b)
{
    return a->body_len == b->body_len && memcmp(a->body, b->body, a->body_len) == 0;
}

/* ===================== sender ===================== */

static void t_send_ok(void)
{
    sfx f;
    REQUIRE(sfx_open(&f, h_accept, NULL, 3) == 0);
    sync_config c = fast_config(&f);
    REQUIRE(sfx_start(&f, &c) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(count_state(&f, "sent"), 3);
    CHECK_INT(srv_count(f.v), 1);
    const req *r = &f.v->reqs[0];
    char val[256];
    CHECK_CONTAINS(r->headers, "POST /v1/kiosks/" KIOSK "/vote-batches HTTP/1.1\r\n");
    header(r, "Authorization", val, sizeof val);
    CHECK_STR(val, "Bearer " TOKEN);
    header(r, "Idempotency-Key", val, sizeof val);
    CHECK_STR(val, r->batch_id);
    CHECK(wire_valid_uuid(r->batch_id));
    header(r, "Content-Encoding", val, sizeof val);
    CHECK_STR(val, "gzip");
    header(r, "Content-Type", val, sizeof val);
    CHECK_STR(val, "application/json");
    header(r, "User-Agent", val, sizeof val);
    CHECK_STR(val, "hailong-kiosk/" HL_VERSION);
    CHECK_INT(r->n_votes, 3);
    /* Status, in memory and in the file. */
    sync_status ss;
    CHECK_WITHIN((sync_get_status(f.snd, &ss), strcmp(ss.state, "idle") == 0), 5000);
    CHECK_INT(ss.votes_sent, 3);
    CHECK(ss.last_success_at > 0);
    CHECK(atomic_load(&f.notified) > 0);
    store_sync_status st;
    CHECK_INT(store_sync_status_get(f.s, KIOSK, &st), 0);
    CHECK_INT(st.waiting, 0);
    CHECK(st.last_success_at > 0);
    CHECK_STR(st.state, STORE_SYNC_STATE_IDLE);

    /* A poke after a new vote sends it without waiting for the idle poll. */
    REQUIRE(add(f.s, 3, 0, NULL) == 0);
    sync_poke(f.snd);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(srv_count(f.v), 2);
    sfx_close(&f);
    CHECK_INT(raw_int(f.db, "SELECT count(*) FROM sync_status WHERE state = 'stopped'"), 1);
}

/* 503 with Retry-After: the retry waits at least that long (the backoff alone would be
 * milliseconds), resends the same bytes under the same key, then the votes are sent. */
static void t_retry_after_seconds(void)
{
    first_ctx fc = {503, "Retry-After: 1\r\n", NULL, ACT_SEND, 1};
    sfx f;
    REQUIRE(sfx_open(&f, h_first_then_accept, &fc, 2) == 0);
    sync_config c = fast_config(&f);
    REQUIRE(sfx_start(&f, &c) == 0);
    CHECK_WITHIN(srv_count(f.v) >= 1, 5000);
    /* While backing off the state says until when. */
    sync_status ss;
    CHECK_WITHIN((sync_get_status(f.snd, &ss), strcmp(ss.state, "backoff") == 0), 5000);
    CHECK(ss.backoff_until > 0);
    CHECK_CONTAINS(ss.last_error, "503");
    CHECK_WITHIN(all_sent(&f), 10000);
    REQUIRE(srv_count(f.v) == 2);
    CHECK(f.v->reqs[1].at_ms - f.v->reqs[0].at_ms >= 990);
    CHECK(same_body(&f.v->reqs[0], &f.v->reqs[1]));
    char k0[64], k1[64];
    header(&f.v->reqs[0], "Idempotency-Key", k0, sizeof k0);
    header(&f.v->reqs[1], "Idempotency-Key", k1, sizeof k1);
    CHECK_STR(k0, k1);
    sfx_close(&f);
}

/* Retry-After as an HTTP-date (429). */
static void t_retry_after_date(void)
{
    char hdr[128], date[64];
    time_t when = time(NULL) + 2;
    struct tm tm;
    gmtime_r(&when, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    util_fmt(hdr, sizeof hdr, "Retry-After: %s\r\n", date);
    first_ctx fc = {429, hdr, NULL, ACT_SEND, 1};
    sfx f;
    REQUIRE(sfx_open(&f, h_first_then_accept, &fc, 1) == 0);
    sync_config c = fast_config(&f);
    REQUIRE(sfx_start(&f, &c) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    REQUIRE(srv_count(f.v) == 2);
    /* The date has whole seconds: at least one second of the two remains. */
    CHECK(f.v->reqs[1].at_ms - f.v->reqs[0].at_ms >= 900);
    CHECK(same_body(&f.v->reqs[0], &f.v->reqs[1]));
    sfx_close(&f);
}

/* 500 three times: backoff, same bytes each time, the failures counted on the batch; then
 * sent, and the batch row is gone. */
static void t_500_backoff(void)
{
    first_ctx fc = {500, NULL, NULL, ACT_SEND, 3};
    sfx f;
    REQUIRE(sfx_open(&f, h_first_then_accept, &fc, 4) == 0);
    sync_config c = fast_config(&f);
    REQUIRE(sfx_start(&f, &c) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(srv_count(f.v), 4);
    for (int i = 1; i < 4; i++)
        CHECK(same_body(&f.v->reqs[0], &f.v->reqs[i]));
    CHECK_INT(count_state(&f, "sent"), 4);
    CHECK_INT(raw_int(f.db, "SELECT count(*) FROM batches"), 0);
    char val[256];
    raw_text(f.db, "SELECT last_error FROM sync_status", val, sizeof val);
    CHECK_CONTAINS(val, "HTTP 500");
    sfx_close(&f);
}

/* 401: stop, nothing marked, no further requests, not even after a poke. */
static void t_401_stops(void)
{
    first_ctx fc = {401, NULL, NULL, ACT_SEND, 0};
    sfx f;
    REQUIRE(sfx_open(&f, h_always, &fc, 2) == 0);
    sync_config c = fast_config(&f);
    REQUIRE(sfx_start(&f, &c) == 0);
    sync_status ss;
    CHECK_WITHIN((sync_get_status(f.snd, &ss), strcmp(ss.state, "stopped-auth") == 0), 5000);
    CHECK_CONTAINS(ss.last_error, "401");
    CHECK_CONTAINS(ss.last_error, "token");
    REQUIRE(add(f.s, 3, 0, NULL) == 0);
    sync_poke(f.snd);
    nap_ms(300); /* with a 20 ms base, a retry would have come by now */
    CHECK_INT(srv_count(f.v), 1);
    CHECK_INT(count_state(&f, "unsent"), 3);
    CHECK_INT(count_state(&f, "sent"), 0);
    store_sync_status st;
    CHECK_INT(store_sync_status_get(f.s, KIOSK, &st), 0);
    CHECK_STR(st.state, STORE_SYNC_STATE_AUTH);
    CHECK_INT(st.auth_failed, 1);
    CHECK_INT(raw_int(f.db, "SELECT last_status FROM batches"), 401);
    /* 403 the same. */
    sfx_close(&f);
    fc.status = 403;
    REQUIRE(sfx_open(&f, h_always, &fc, 1) == 0);
    c = fast_config(&f);
    REQUIRE(sfx_start(&f, &c) == 0);
    CHECK_WITHIN((sync_get_status(f.snd, &ss), strcmp(ss.state, "stopped-auth") == 0), 5000);
    nap_ms(100);
    CHECK_INT(srv_count(f.v), 1);
    sfx_close(&f);
}

/* 413 above 2 votes: the sender splits until the collector takes the batches; every vote sent
 * exactly once. */
static void t_413_split(void)
{
    int max = 2;
    sfx f;
    REQUIRE(sfx_open(&f, h_413_above, &max, 7) == 0);
    sync_config c = fast_config(&f);
    REQUIRE(sfx_start(&f, &c) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(count_state(&f, "sent"), 7);
    srv_lock(f.v);
    CHECK_INT(f.v->reqs[0].n_votes, 7);
    CHECK_INT(f.v->reqs[1].n_votes, 3);
    CHECK_INT(f.v->reqs[2].n_votes, 1);
    CHECK_INT(f.v->n_sent_votes, 7);
    CHECK_INT(f.v->accepted_twice, 0);
    srv_unlock(f.v);
    sfx_close(&f);
}

/* A server that never answers: curl's timeout ends the request, the same batch goes again. */
static void t_hanging_server_times_out(void)
{
    first_ctx fc = {0, NULL, NULL, ACT_HANG, 1};
    sfx f;
    REQUIRE(sfx_open(&f, h_first_then_accept, &fc, 2) == 0);
    sync_config c = fast_config(&f);
    c.timeout_ms = 300;
    REQUIRE(sfx_start(&f, &c) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    REQUIRE(srv_count(f.v) == 2);
    CHECK(f.v->reqs[1].at_ms - f.v->reqs[0].at_ms >= 250);
    CHECK(same_body(&f.v->reqs[0], &f.v->reqs[1]));
    char val[256];
    raw_text(f.db, "SELECT last_error FROM sync_status", val, sizeof val);
    CHECK_CONTAINS(val, "network");
    sfx_close(&f);
}

/* The connection closes without an answer: retried. */
static void t_dropped_connection(void)
{
    first_ctx fc = {0, NULL, NULL, ACT_DROP, 2};
    sfx f;
    REQUIRE(sfx_open(&f, h_first_then_accept, &fc, 2) == 0);
    sync_config c = fast_config(&f);
    REQUIRE(sfx_start(&f, &c) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(srv_count(f.v), 3);
    CHECK(same_body(&f.v->reqs[0], &f.v->reqs[2]));
    sfx_close(&f);
}

/* Nothing listening at all: backs off and keeps the votes; then the collector appears. */
static void t_connection_refused(void)
{
    sfx f;
    REQUIRE(sfx_open(&f, h_accept, NULL, 2) == 0);
    sync_config c = fast_config(&f);
    c.url = "http://127.0.0.1:1/"; /* nothing listens on port 1 */
    REQUIRE(sfx_start(&f, &c) == 0);
    sync_status ss;
    CHECK_WITHIN((sync_get_status(f.snd, &ss), strstr(ss.last_error, "network") != NULL), 5000);
    CHECK_INT(count_state(&f, "unsent"), 2);
    sfx_close(&f);
}

/* A 200 the kiosk cannot read, or one for another batch, marks nothing and is retried. */
static void t_bad_200(void)
{
    first_ctx fc = {200, NULL, "this is not json", ACT_SEND, 1};
    sfx f;
    REQUIRE(sfx_open(&f, h_first_then_accept, &fc, 2) == 0);
    sync_config c = fast_config(&f);
    REQUIRE(sfx_start(&f, &c) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(srv_count(f.v), 2);
    CHECK(same_body(&f.v->reqs[0], &f.v->reqs[1]));
    sfx_close(&f);

    static const char other[] = "{\"batch_id\":\"99999999-9999-4999-8999-999999999999\","
                                "\"results\":[]}";
    first_ctx fc2 = {200, NULL, other, ACT_SEND, 1};
    REQUIRE(sfx_open(&f, h_first_then_accept, &fc2, 1) == 0);
    c = fast_config(&f);
    REQUIRE(sfx_start(&f, &c) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(srv_count(f.v), 2);
    sfx_close(&f);
}

/* Another 4xx (400): the votes are kept and retried, slowly (the cap), never dropped. */
static void t_other_4xx_kept(void)
{
    first_ctx fc = {400, NULL, "{\"error\":\"votes: bad\"}", ACT_SEND, 1};
    sfx f;
    REQUIRE(sfx_open(&f, h_first_then_accept, &fc, 2) == 0);
    sync_config c = fast_config(&f);
    c.cap_ms = 400;
    REQUIRE(sfx_start(&f, &c) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    REQUIRE(srv_count(f.v) == 2);
    CHECK(f.v->reqs[1].at_ms - f.v->reqs[0].at_ms >= 380); /* the cap, not a quick retry */
    sfx_close(&f);
}

/* A rejected vote is quarantined with its reason and does not hold up the others. */
static void t_rejected_quarantined(void)
{
    sfx f;
    REQUIRE(sfx_open(&f, h_reject_one, NULL, 0) == 0);
    store_vote bad;
    REQUIRE(add(f.s, 2, 0, NULL) == 0);
    REQUIRE(add(f.s, 2, 0, &bad) == 0);
    REQUIRE(add(f.s, 2, 0, NULL) == 0);
    srv_lock(f.v);
    f.v->ctx = bad.uuid;
    srv_unlock(f.v);
    sync_config c = fast_config(&f);
    REQUIRE(sfx_start(&f, &c) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    CHECK_INT(count_state(&f, "sent"), 2);
    CHECK_INT(count_state(&f, "quarantined"), 1);
    store_vote got;
    CHECK_INT(store_get_vote(f.s, bad.uuid, &got), 0);
    CHECK_STR(got.sync_state, STORE_SYNC_QUARANTINED);
    /* Later votes still flow. */
    REQUIRE(add(f.s, 3, 0, NULL) == 0);
    sync_poke(f.snd);
    CHECK_WITHIN(count_state(&f, "sent") == 3, 10000);
    CHECK_INT(count_state(&f, "quarantined"), 1);
    sync_status ss;
    sync_get_status(f.snd, &ss);
    CHECK_INT(ss.quarantined, 1);
    sfx_close(&f);
}

/* The random start delay holds the first send back even when poked, and stop is immediate. */
static void t_start_delay_and_stop(void)
{
    sfx f;
    REQUIRE(sfx_open(&f, h_accept, NULL, 1) == 0);
    sync_config c = fast_config(&f);
    c.start_delay_max_ms = 3600 * 1000;
    REQUIRE(sfx_start(&f, &c) == 0);
    sync_poke(f.snd);
    sync_status ss;
    CHECK_WITHIN((sync_get_status(f.snd, &ss),
                  strcmp(ss.state, "starting") == 0 && atomic_load(&f.notified) > 0),
                 5000);
    nap_ms(150);
    sync_poke(f.snd);
    CHECK_INT(srv_count(f.v), 0);
    int64_t t = mono_ms();
    sync_stop(f.snd);
    f.snd = NULL;
    CHECK(mono_ms() - t < 5000); /* a 120 s request or a 1 h delay otherwise */
    sfx_close(&f);
}

/* Stop while a request hangs (the default 120 s timeout): aborted at once. */
static void t_stop_during_request(void)
{
    first_ctx fc = {0, NULL, NULL, ACT_HANG, 100};
    sfx f;
    REQUIRE(sfx_open(&f, h_first_then_accept, &fc, 1) == 0);
    sync_config c = fast_config(&f);
    c.timeout_ms = 0; /* default */
    REQUIRE(sfx_start(&f, &c) == 0);
    CHECK_WITHIN(srv_count(f.v) == 1, 5000);
    int64_t t = mono_ms();
    sync_stop(f.snd);
    f.snd = NULL;
    CHECK(mono_ms() - t < 5000); /* a 120 s request or a 1 h delay otherwise */
    CHECK_INT(count_state(&f, "unsent"), 1);
    sfx_close(&f);
}

/* The UI's connection moves a damaged file aside: the sender reopens the new file and sends
 * what is there. */
static void t_reopen_after_move(void)
{
    sfx f;
    REQUIRE(sfx_open(&f, h_accept, NULL, 1) == 0);
    sync_config c = fast_config(&f);
    REQUIRE(sfx_start(&f, &c) == 0);
    CHECK_WITHIN(all_sent(&f), 10000);
    /* Play the primary's move_aside: rename the files, start a new database. */
    store_close(f.s);
    char moved[PATH_MAX + 32], from[PATH_MAX + 8], to[PATH_MAX + 48];
    util_fmt(moved, sizeof moved, "%s.corrupt-test", f.db);
    static const char *const sfx_names[] = {"-wal", "-shm", ""};
    for (int i = 0; i < 3; i++) {
        util_fmt(from, sizeof from, "%s%s", f.db, sfx_names[i]);
        util_fmt(to, sizeof to, "%s%s", moved, sfx_names[i]);
        rename(from, to);
    }
    f.s = open_store(f.dir);
    REQUIRE(f.s);
    REQUIRE(add(f.s, 3, 0, NULL) == 0);
    sync_poke(f.snd);
    CHECK_WITHIN(count_state(&f, "sent") == 1 && all_sent(&f), 10000);
    CHECK_INT(srv_count(f.v), 2);
    sfx_close(&f);
}

static void t_start_refuses_bad_config(void)
{
    char err[HL_ERR_MAX];
    sync_sender *s = NULL;
    sync_config c = {.data_dir = "/tmp", .kiosk_id = KIOSK, .url = "ftp://x", .token = "t"};
    CHECK_INT(sync_start(&s, &c, NULL, NULL, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "https://");
    c.url = "https://x";
    c.token = "a b";
    CHECK_INT(sync_start(&s, &c, NULL, NULL, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "token");
    CHECK(s == NULL);
}

/* ===================== the UI is never blocked ===================== */

static int64_t t_ui0;

static void t_ui_not_blocked(void)
{
    first_ctx fc = {0, NULL, NULL, ACT_HANG, 1000};
    sfx f;
    REQUIRE(sfx_open(&f, h_first_then_accept, &fc, 0) == 0);
    store_close(f.s); /* the app opens its own */
    f.s = NULL;
    hl_clock clock = clk_fake(t_ui0);
    cfg c;
    cfg_defaults(&c);
    util_strlcpy(c.data_dir, f.dir, sizeof c.data_dir);
    util_strlcpy(c.kiosk_id, KIOSK, sizeof c.kiosk_id);
    c.mode = CFG_MODE_DESK;
    util_strlcpy(c.counter, "1", sizeof c.counter);
    c.response_interval_s = 0;
    util_strlcpy(c.sync_url, f.url, sizeof c.sync_url);
    util_strlcpy(c.sync_token, TOKEN, sizeof c.sync_token);
    c.sync_start_delay_max_s = 0;
    app_opts o = {.clock = &clock, .headless = 1, .sync = 1, .screens = scr_table};
    app *a = NULL;
    char err[HL_ERR_MAX];
    REQUIRE(app_create(&a, &c, &o, err, sizeof err) == 0);
    REQUIRE(a->sync != NULL);
    app_update(a);
    app_render(a);
    CHECK_INT(app_tap(a, "rate-3"), 0);
    CHECK_STR(app_screen_name(a), "thanks");
    /* The sender picks the vote up and the collector holds the request. */
    CHECK_WITHIN(srv_hanging(f.v), 10000);
    int hanging;
    /* While it hangs: another vote commits and thanks at once. */
    CHECK_INT(app_tap(a, "done"), 0);
    CHECK_STR(app_screen_name(a), "home");
    CHECK_INT(app_tap(a, "rate-2"), 0);
    CHECK_STR(app_screen_name(a), "thanks");
    CHECK_INT(raw_int(f.db, "SELECT count(*) FROM votes"), 2);
    srv_lock(f.v);
    hanging = f.v->hanging;
    int n = f.v->n;
    srv_unlock(f.v);
    CHECK(hanging); /* still in flight: the tap did not wait for it */
    CHECK_INT(n, 1);
    /* The sync event reaches the loop (and costs no redraw). */
    srv_release(f.v);
    CHECK_WITHIN(count_state(&f, "sent") == 2, 10000);
    SDL_Event ev;
    int seen = 0;
    app_render(a);
    while (SDL_PollEvent(&ev)) {
        if (ev.type != a->sync_event)
            continue;
        seen = 1;
        app_handle_event(a, &ev);
        CHECK_INT(a->dirty, 0);
    }
    CHECK(seen);
    app_destroy(a);
    srv_stop(f.v);
}

int main(void)
{
    char tmpl[] = "/tmp/hl-test-sync-XXXXXX";
    if (test_tmpdir(tmpl, root) != 0)
        return 1;
    /* The server is on loopback: a proxy from the environment must not get in between. */
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("https_proxy");
    unsetenv("HTTPS_PROXY");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    if (clk_parse_local("2026-11-26T09:30", &t_ui0) != 0)
        return 1;
    RUN(t_migration_1_to_2);
    RUN(t_freeze_resend_identical);
    RUN(t_pending_never_frozen);
    RUN(t_apply_results);
    RUN(t_split_413);
    RUN(t_other_kiosk_id);
    RUN(t_status_and_reopen);
    RUN(t_secondary_open);
    RUN(t_send_ok);
    RUN(t_retry_after_seconds);
    RUN(t_retry_after_date);
    RUN(t_500_backoff);
    RUN(t_401_stops);
    RUN(t_413_split);
    RUN(t_hanging_server_times_out);
    RUN(t_dropped_connection);
    RUN(t_connection_refused);
    RUN(t_bad_200);
    RUN(t_other_4xx_kept);
    RUN(t_rejected_quarantined);
    RUN(t_start_delay_and_stop);
    RUN(t_stop_during_request);
    RUN(t_reopen_after_move);
    RUN(t_start_refuses_bad_config);
    RUN(t_ui_not_blocked);
    test_cleanup(root);
    TEST_END();
}
