/* test_sync: the store's side of sync on real files: batches frozen once and resent byte for byte,
 * pending votes never frozen, results applied (sent, quarantined, unlisted), the 413 split, another
 * kiosk id, the sender's status across a reopen, the secondary connection, migration 1 -> 2. */
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seed.h"
#include "srv.h"
#include "store.h"
#include "test.h"
#include "util.h"
#include "wire.h"

#define T0    1780000000000LL
#define KIOSK "kiosk-01"

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

/* A new data directory (dir, PATH_MAX bytes), its votes.db's path (db, as large, unless NULL) and
 * a store opened there without a response interval; NULL after printing why. */
static store *open_new(char *dir, char *db)
{
    test_new_dir(dir, PATH_MAX);
    if (db)
        test_path(db, PATH_MAX, dir, "votes.db");
    return seed_open(dir, 0);
}

static void t_migration_1_to_2(void)
{
    char dir[PATH_MAX], db[PATH_MAX], val[256];
    test_new_dir(dir, sizeof dir);
    test_path(db, sizeof db, dir, "votes.db");
    REQUIRE(db_exec(db, v1_schema) == SQLITE_OK);
    db_text(db,
            "SELECT group_concat(uuid || kiosk_id || seq || boot_id || officer_code || rating ||"
            " reasons || created_at || misuse || sync_state, ';') FROM votes ORDER BY seq",
            val, sizeof val);
    char before[256];
    util_strlcpy(before, val, sizeof before);

    store *s = seed_open(dir, 0);
    REQUIRE(s);
    /* Migrations after 2 (3: settings) are applied too on the way. */
    CHECK(store_latest_schema_version() >= 2);
    int version = -1;
    CHECK_INT(store_schema_version(s, &version), STORE_OK);
    CHECK_INT(version, store_latest_schema_version());
    store_close(s);
    CHECK_INT(db_int(db, "PRAGMA user_version"), store_latest_schema_version());
    /* Every row and field kept (the pending vote was released to unsent by the open, as
     * always). */
    db_text(db,
            "SELECT group_concat(uuid || kiosk_id || seq || boot_id || officer_code || rating ||"
            " reasons || created_at || misuse || replace(sync_state, 'unsent', 'pending'), ';')"
            " FROM votes WHERE seq = 3",
            val, sizeof val);
    CHECK_CONTAINS(before, val);
    db_text(db,
            "SELECT group_concat(uuid || kiosk_id || seq || boot_id || officer_code || rating ||"
            " reasons || created_at || misuse || sync_state, ';') FROM votes WHERE seq < 3"
            " ORDER BY seq",
            val, sizeof val);
    CHECK_CONTAINS(before, val);
    CHECK_INT(db_int(db, "SELECT count(*) FROM votes"), 3);
    CHECK_INT(db_int(db, "SELECT count(*) FROM votes WHERE batch_id IS NULL AND"
                         " sync_error IS NULL"),
              3);
    CHECK_INT(db_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN"
                         " ('votes_sync', 'votes_created_at', 'votes_batch')"),
              3);
    CHECK_INT(db_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('batches',"
                         " 'sync_status', 'my_report', 'votes_new')"),
              3);
    CHECK_INT(db_int(db, "SELECT count(*) FROM my_report"), 2);
    CHECK_INT(db_int(db, "SELECT count(*) FROM sync_status"), 1);
    db_text(db, "PRAGMA integrity_check", val, sizeof val);
    CHECK_STR(val, "ok");
    db_text(db, "PRAGMA foreign_key_check", val, sizeof val);
    CHECK_STR(val, "");
    /* The new CHECK: quarantined is allowed, anything else still is not. */
    CHECK_INT(db_exec(db, "UPDATE votes SET sync_state = 'quarantined' WHERE seq = 2"), SQLITE_OK);
    sqlite3 *h = NULL;
    sqlite3_open(db, &h);
    CHECK(sqlite3_exec(h, "UPDATE votes SET sync_state = 'lost' WHERE seq = 2", NULL, NULL, NULL) ==
          SQLITE_CONSTRAINT);
    sqlite3_close(h);
    /* New votes continue the sequence. */
    s = seed_open(dir, 0);
    REQUIRE(s);
    store_vote v;
    REQUIRE(store_add_vote(s, "K1", "b2", "tp-hung", 2, T0 + 5000, 0, &v, NULL, 0) == STORE_OK);
    CHECK_INT(v.seq, 4);
    store_close(s);
}

static void t_freeze_resend_identical(void)
{
    char dir[PATH_MAX];
    store *s = open_new(dir, NULL);
    REQUIRE(s);
    store_vote v[3];
    for (int i = 0; i < 3; i++)
        REQUIRE(seed_add(s, KIOSK, 3 - i, 0, &v[i]) == STORE_OK);
    store_batch b1, b2, b3;
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0, &b1), STORE_OK);
    CHECK_INT(b1.n_votes, 3);
    CHECK(wire_valid_uuid(b1.batch_id));
    CHECK_STR(b1.kiosk_id, KIOSK);
    /* Votes after the freeze go into the next batch: the frozen one is resent unchanged. */
    store_vote later;
    REQUIRE(seed_add(s, KIOSK, 2, 0, &later) == STORE_OK);
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0 + 99999, &b2), STORE_OK);
    CHECK_STR(b2.batch_id, b1.batch_id);
    CHECK_INT(b2.frozen_at, T0);
    CHECK(b2.body_len == b1.body_len && memcmp(b1.body, b2.body, b1.body_len) == 0);
    /* Also through a new connection (a restarted kiosk). */
    store_close(s);
    s = seed_open(dir, 0);
    REQUIRE(s);
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0 + 5, &b3), STORE_OK);
    CHECK_STR(b3.batch_id, b1.batch_id);
    CHECK(b3.body_len == b1.body_len && memcmp(b1.body, b3.body, b1.body_len) == 0);

    /* The body is the wire format: this kiosk, this batch, the three votes in seq order. */
    wire_batch wb;
    REQUIRE(srv_decode_body(b1.body, b1.body_len, &wb) == 0);
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
    CHECK_INT(store_sync_status_get(s, KIOSK, &st), STORE_OK);
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
    store *s = open_new(dir, NULL);
    REQUIRE(s);
    store_vote p, u;
    REQUIRE(seed_add(s, KIOSK, 1, 1, &p) == STORE_OK); /* reasons screen open */
    store_batch b;
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0, &b), STORE_NONE); /* nothing to send yet */
    CHECK(b.body == NULL);
    REQUIRE(seed_add(s, KIOSK, 3, 0, &u) == STORE_OK);
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0, &b), STORE_OK);
    CHECK_INT(b.n_votes, 1);
    wire_batch wb;
    REQUIRE(srv_decode_body(b.body, b.body_len, &wb) == 0);
    REQUIRE(wb.n == 1);
    CHECK_STR(wb.votes[0].uuid, u.uuid);
    wire_batch_free(&wb);
    /* The pending vote finishes with its reasons; it travels in the next batch, reasons
     * included. */
    const char *codes[] = {"cham-tre"};
    REQUIRE(store_finish_vote(s, p.uuid, codes, 1, NULL, 0) == STORE_OK);
    wire_result r;
    srv_result(&r, u.uuid, WIRE_ACCEPTED, NULL);
    store_sync_applied ap;
    CHECK_INT(store_sync_apply(s, b.batch_id, &r, 1, T0, &ap), STORE_OK);
    store_batch_free(&b);
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0, &b), STORE_OK);
    REQUIRE(srv_decode_body(b.body, b.body_len, &wb) == 0);
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
    store *s = open_new(dir, db);
    REQUIRE(s);
    store_vote v[4];
    for (int i = 0; i < 4; i++)
        REQUIRE(seed_add(s, KIOSK, 2, 0, &v[i]) == STORE_OK);
    store_batch b;
    REQUIRE(store_sync_freeze(s, KIOSK, 500, T0, &b) == STORE_OK);

    /* Results that name none of the batch's votes change nothing. */
    wire_result r[4];
    srv_result(&r[0], "99999999-9999-4999-8999-999999999999", WIRE_ACCEPTED, NULL);
    store_sync_applied ap;
    CHECK_INT(store_sync_apply(s, b.batch_id, r, 1, T0, &ap), STORE_NONE);
    CHECK_INT(db_int(db, "SELECT count(*) FROM batches"), 1);
    CHECK_INT(db_int(db, "SELECT count(*) FROM votes WHERE sync_state = 'unsent'"), 4);

    srv_result(&r[0], v[0].uuid, WIRE_ACCEPTED, NULL);
    srv_result(&r[1], v[1].uuid, WIRE_DUPLICATE, NULL);
    srv_result(&r[2], v[2].uuid, WIRE_REJECTED, "rating: must be 1, 2 or 3");
    /* v[3] not listed */
    CHECK_INT(store_sync_apply(s, b.batch_id, r, 3, T0 + 7, &ap), STORE_OK);
    CHECK_INT(ap.sent, 2);
    CHECK_INT(ap.quarantined, 1);
    CHECK_INT(ap.unlisted, 1);
    store_vote got;
    CHECK_INT(store_get_vote(s, v[0].uuid, &got), STORE_OK);
    CHECK_STR(got.sync_state, STORE_SYNC_SENT);
    CHECK_INT(store_get_vote(s, v[1].uuid, &got), STORE_OK);
    CHECK_STR(got.sync_state, STORE_SYNC_SENT);
    CHECK_INT(store_get_vote(s, v[2].uuid, &got), STORE_OK);
    CHECK_STR(got.sync_state, STORE_SYNC_QUARANTINED);
    CHECK_INT(store_get_vote(s, v[3].uuid, &got), STORE_OK);
    CHECK_STR(got.sync_state, STORE_SYNC_UNSENT);
    char sql[256];
    util_fmt(sql, sizeof sql, "SELECT sync_error FROM votes WHERE uuid = '%s'", v[2].uuid);
    db_text(db, sql, val, sizeof val);
    CHECK_STR(val, "rating: must be 1, 2 or 3");
    util_fmt(sql, sizeof sql, "SELECT count(*) FROM votes WHERE batch_id = '%s'", b.batch_id);
    CHECK_INT(db_int(db, sql), 3); /* sent and quarantined keep the batch that carried them */
    CHECK_INT(db_int(db, "SELECT count(*) FROM batches"), 0);

    store_sync_status st;
    CHECK_INT(store_sync_status_get(s, KIOSK, &st), STORE_OK);
    CHECK_INT(st.waiting, 1);
    CHECK_INT(st.quarantined, 1);
    CHECK_INT(st.in_batch, 0);
    CHECK_INT(st.last_success_at, T0 + 7);
    CHECK_INT(st.oldest_waiting, v[3].created_at);

    /* The unlisted vote goes again, in a new batch; the quarantined one never does. */
    store_batch b2;
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0, &b2), STORE_OK);
    CHECK(strcmp(b2.batch_id, b.batch_id) != 0);
    CHECK_INT(b2.n_votes, 1);
    wire_batch wb;
    REQUIRE(srv_decode_body(b2.body, b2.body_len, &wb) == 0);
    REQUIRE(wb.n == 1);
    CHECK_STR(wb.votes[0].uuid, v[3].uuid);
    wire_batch_free(&wb);
    store_batch_free(&b);
    store_batch_free(&b2);
    store_close(s);
}

static int freeze_n(store *s, store_batch *b)
{
    if (store_sync_freeze(s, KIOSK, 500, T0, b) != STORE_OK)
        return -1;
    return b->n_votes;
}

static void accept_all(store *s, store_batch *b)
{
    wire_batch wb;
    if (srv_decode_body(b->body, b->body_len, &wb) != 0) {
        t_cur_failed = 1;
        return;
    }
    wire_result *r = xcalloc(wb.n, sizeof *r);
    for (size_t i = 0; i < wb.n; i++)
        srv_result(&r[i], wb.votes[i].uuid, WIRE_ACCEPTED, NULL);
    store_sync_applied ap;
    CHECK_INT(store_sync_apply(s, b->batch_id, r, wb.n, T0, &ap), STORE_OK);
    CHECK_INT(ap.sent, (long long)wb.n);
    free(r);
    wire_batch_free(&wb);
    store_batch_free(b);
}

static void t_split_413(void)
{
    char dir[PATH_MAX], db[PATH_MAX];
    store *s = open_new(dir, db);
    REQUIRE(s);
    for (int i = 0; i < 40; i++)
        REQUIRE(seed_add(s, KIOSK, 3, 0, NULL) == STORE_OK);
    store_batch b;
    /* batch_max from the config caps it. */
    CHECK_INT(store_sync_freeze(s, KIOSK, 30, T0, &b), STORE_OK);
    CHECK_INT(b.n_votes, 30);
    int limit = 0;
    CHECK_INT(store_sync_split(s, b.batch_id, &limit), STORE_OK);
    CHECK_INT(limit, 15);
    CHECK_INT(db_int(db, "SELECT count(*) FROM batches"), 0);
    CHECK_INT(db_int(db, "SELECT count(*) FROM votes WHERE batch_id IS NOT NULL"), 0);
    store_batch_free(&b);
    /* Each 413 halves the next batch, never below 1: {votes frozen, limit after the split}. */
    static const int halving[][2] = {{15, 7}, {7, 3}, {3, 1}, {1, 1}};
    for (size_t i = 0; i < HL_ARRAY_LEN(halving); i++) {
        CHECK_INT(freeze_n(s, &b), halving[i][0]);
        CHECK_INT(store_sync_split(s, b.batch_id, &limit), STORE_OK);
        CHECK_INT(limit, halving[i][1]);
        store_batch_free(&b);
    }
    /* Each success grows the limit back (by a quarter, at least one). */
    for (int want = 1; want <= 5; want++) {
        CHECK_INT(freeze_n(s, &b), want);
        accept_all(s, &b);
    }
    while (freeze_n(s, &b) > 0)
        accept_all(s, &b);
    CHECK_INT(db_int(db, "SELECT count(*) FROM votes WHERE sync_state = 'sent'"), 40);
    for (int i = 0; i < 30; i++) {
        store_add_vote(s, KIOSK, "b", "tp-hung", 3, T0, 0, NULL, NULL, 0);
        if (freeze_n(s, &b) > 0)
            accept_all(s, &b);
    }
    CHECK_INT(db_int(db, "SELECT batch_limit FROM sync_status"), 500);
    store_close(s);
}

static void t_other_kiosk_id(void)
{
    char dir[PATH_MAX], db[PATH_MAX];
    store *s = open_new(dir, db);
    REQUIRE(s);
    store_vote old, cur;
    REQUIRE(store_add_vote(s, "old-id", "b", "tp-hung", 3, T0, 0, &old, NULL, 0) == STORE_OK);
    store_batch b;
    REQUIRE(store_sync_freeze(s, "old-id", 500, T0, &b) == STORE_OK);
    store_batch_free(&b);
    /* The config now says KIOSK: the old batch is unfrozen (not sent with the wrong token), its
     * vote kept and counted apart. */
    REQUIRE(seed_add(s, KIOSK, 2, 0, &cur) == STORE_OK);
    CHECK_INT(store_sync_freeze(s, KIOSK, 500, T0, &b), STORE_OK);
    CHECK_INT(b.n_votes, 1);
    CHECK_STR(b.kiosk_id, KIOSK);
    CHECK_INT(db_int(db, "SELECT count(*) FROM batches"), 1);
    store_sync_status st;
    CHECK_INT(store_sync_status_get(s, KIOSK, &st), STORE_OK);
    CHECK_INT(st.other_kiosk, 1);
    CHECK_INT(st.waiting, 2);
    store_vote got;
    CHECK_INT(store_get_vote(s, old.uuid, &got), STORE_OK);
    CHECK_STR(got.sync_state, STORE_SYNC_UNSENT);
    store_batch_free(&b);
    store_close(s);
}

static void t_status_and_reopen(void)
{
    char dir[PATH_MAX], db[PATH_MAX], err[HL_ERR_MAX], moved[PATH_MAX + 16];
    test_new_dir(dir, sizeof dir);
    test_path(db, sizeof db, dir, "votes.db");
    /* read only: no file, no database (and none created) */
    store *r = NULL;
    store_opts ro = {.readonly = 1};
    CHECK_INT(store_open(&r, dir, &ro, err, sizeof err), STORE_ERROR);
    CHECK_CONTAINS(err, "no vote database");
    CHECK(!util_file_exists(db));

    store *s = seed_open(dir, 0);
    REQUIRE(s);
    store_sync_status st;
    CHECK_INT(store_sync_status_get(s, KIOSK, &st), STORE_OK);
    CHECK_STR(st.state, STORE_SYNC_STATE_OFF);
    CHECK_INT(st.last_success_at, 0);
    CHECK_INT(st.batch_limit, 500);
    REQUIRE(seed_add(s, KIOSK, 3, 0, NULL) == STORE_OK);
    store_batch b;
    REQUIRE(store_sync_freeze(s, KIOSK, 500, T0, &b) == STORE_OK);
    CHECK_INT(store_sync_note_failure(s, b.batch_id, 503, "the collector answered HTTP 503", T0 + 1,
                                      STORE_SYNC_STATE_BACKOFF, T0 + 5000),
              STORE_OK);
    CHECK_INT(store_sync_note_failure(s, b.batch_id, 0, "network: refused", T0 + 2,
                                      STORE_SYNC_STATE_BACKOFF, T0 + 9000),
              STORE_OK);
    CHECK_INT(db_int(db, "SELECT attempts FROM batches"), 2);
    CHECK_INT(db_int(db, "SELECT last_status IS NULL FROM batches"), 1);

    CHECK_INT(store_open(&r, dir, &ro, err, sizeof err), STORE_OK);
    REQUIRE(r);
    CHECK_INT(store_sync_status_get(r, KIOSK, &st), STORE_OK);
    CHECK_STR(st.state, STORE_SYNC_STATE_BACKOFF);
    CHECK_INT(st.backoff_until, T0 + 9000);
    CHECK_STR(st.last_error, "network: refused");
    CHECK_INT(st.last_error_at, T0 + 2);
    CHECK_INT(st.waiting, 1);
    CHECK_INT(st.in_batch, 1);
    /* read only */
    CHECK_INT(store_add_vote(r, KIOSK, "b", "tp-hung", 3, T0, 0, NULL, NULL, 0), STORE_ERROR);
    store_close(r);

    CHECK_INT(
        store_sync_note_failure(s, b.batch_id, 401, "refused", T0 + 3, STORE_SYNC_STATE_AUTH, 0),
        STORE_OK);
    CHECK_INT(store_sync_status_get(s, KIOSK, &st), STORE_OK);
    CHECK_INT(st.auth_failed, 1);
    CHECK_INT(st.backoff_until, 0);
    CHECK_INT(store_sync_set_state(s, STORE_SYNC_STATE_IDLE, 0, T0 + 4), STORE_OK);
    CHECK_INT(store_sync_status_get(s, KIOSK, &st), STORE_OK);
    CHECK_STR(st.state, STORE_SYNC_STATE_IDLE);
    CHECK_INT(st.updated_at, T0 + 4);
    store_batch_free(&b);

    /* A secondary connection notices the file was moved aside by the primary. */
    store *sec = NULL;
    store_opts so = {.secondary = 1};
    REQUIRE(store_open(&sec, dir, &so, err, sizeof err) == STORE_OK);
    CHECK_INT(store_needs_reopen(sec), 0);
    /* Votes stay FULL on the primary; the sender's progress is NORMAL (see store.c). */
    char sync_val[16];
    REQUIRE(store_pragma(sec, "synchronous", sync_val, sizeof sync_val) == STORE_OK);
    CHECK_STR(sync_val, "1");
    REQUIRE(store_pragma(s, "synchronous", sync_val, sizeof sync_val) == STORE_OK);
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
    store *s = open_new(dir, db);
    REQUIRE(s);
    store_vote p;
    REQUIRE(seed_add(s, KIOSK, 1, 1, &p) == STORE_OK);
    store *sec = NULL;
    store_opts so = {.secondary = 1};
    REQUIRE(store_open(&sec, dir, &so, err, sizeof err) == STORE_OK);
    store_vote got;
    CHECK_INT(store_get_vote(sec, p.uuid, &got), STORE_OK);
    CHECK_STR(got.sync_state, STORE_SYNC_PENDING);
    store_close(sec);
    store_close(s);

    /* Damage: the secondary reports it and leaves the file where it is. */
    FILE *f = fopen(db, "r+b");
    REQUIRE(f);
    fseek(f, 0, SEEK_SET);
    fputs("this is not a database, not at all!", f);
    fclose(f);
    CHECK_INT(store_open(&sec, dir, &so, err, sizeof err), STORE_ERROR);
    CHECK(util_file_exists(db));
}

static const test_case cases[] = {TEST(t_migration_1_to_2),
                                  TEST(t_freeze_resend_identical),
                                  TEST(t_pending_never_frozen),
                                  TEST(t_apply_results),
                                  TEST(t_split_413),
                                  TEST(t_other_kiosk_id),
                                  TEST(t_status_and_reopen),
                                  TEST(t_secondary_open)};

int main(void)
{
    return test_main("sync", TEST_REMOVE, cases, HL_ARRAY_LEN(cases));
}
