/* test_store_clock: no vote is lost to a clock (issue 10, item 4). The store marks a vote
 * clock_suspect when the wall clock is implausible or has jumped against the monotonic clock, the
 * mark travels in the frozen batch, the status counts it, and the migration to schema 4 sends
 * again the votes collectors once refused for their time. */
#include "seed.h"
#include "store.h"
#include "test.h"
#include "util.h"
#include "wire.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define T0     1780000000000LL /* 2026-05-28T20:26:40Z */
#define Y2000  946684800000LL  /* 2000-01-01T00:00:00Z: a dead RTC battery */
#define MINUTE 60000LL
#define HOUR   (60 * MINUTE)
#define BOOT   "0b0e1d2c-0000-4000-8000-000000000001"

static store *open_at(const char *dir, const hl_clock *clk)
{
    store_opts o;
    memset(&o, 0, sizeof o);
    o.response_interval_ms = 5000;
    o.clock = clk;
    char err[HL_ERR_MAX] = "";
    store *s = NULL;
    if (store_open(&s, dir, &o, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "store_open(%s): %s\n", dir, err);
        return NULL;
    }
    return s;
}

/* One vote stamped t, after the fake clock moved on by step ms; its clock_suspect mark. */
static int vote_mark(store *s, hl_clock *clk, int64_t step, int64_t t)
{
    clk_advance(clk, step);
    store_vote v;
    char err[HL_ERR_MAX] = "";
    if (store_add_vote(s, "K1", BOOT, "tp-hung", 3, t, 0, &v, err, sizeof err) != STORE_OK) {
        fprintf(stderr, "store_add_vote: %s\n", err);
        return -1;
    }
    store_vote back;
    CHECK(store_get_vote(s, v.uuid, &back) == STORE_OK);
    CHECK_INT(back.clock_suspect, v.clock_suspect); /* what is stored is what was said */
    return v.clock_suspect;
}

/* The rules: implausible times, jumps both ways, a time server putting a wrong clock right. */
static void t_marks(void)
{
    char dir[PATH_MAX];
    test_new_dir(dir, sizeof dir);
    hl_clock clk = clk_fake(T0);
    store *s = open_at(dir, &clk);
    REQUIRE(s);
    /* The wall clock follows the monotonic one: nothing in doubt. */
    CHECK_INT(vote_mark(s, &clk, 30000, T0 + 30000), 0);
    CHECK_INT(vote_mark(s, &clk, 10 * MINUTE, T0 + 30000 + 10 * MINUTE), 0);
    int64_t wall = T0 + 30000 + 10 * MINUTE;
    /* Set back an hour between two votes a minute apart: the second is in doubt... */
    CHECK_INT(vote_mark(s, &clk, MINUTE, wall + MINUTE - HOUR), 1);
    wall += MINUTE - HOUR;
    /* ... the next ones, consistent with the new setting, are not. */
    CHECK_INT(vote_mark(s, &clk, MINUTE, wall + MINUTE), 0);
    wall += MINUTE;
    /* Up to 2 minutes of difference is a clock being corrected, not a jump; more is a jump. */
    CHECK_INT(vote_mark(s, &clk, MINUTE, wall + MINUTE + 2 * MINUTE), 0);
    wall += 3 * MINUTE;
    CHECK_INT(vote_mark(s, &clk, MINUTE, wall + MINUTE + 2 * MINUTE + 1), 1);
    wall += 3 * MINUTE + 1;
    /* Forward by a day. */
    CHECK_INT(vote_mark(s, &clk, MINUTE, wall + MINUTE + 24 * HOUR), 1);
    wall += MINUTE + 24 * HOUR;
    /* The clock falls to 2000-01-01 (an RTC battery): every vote then is implausible. */
    CHECK_INT(vote_mark(s, &clk, MINUTE, Y2000), 1);
    CHECK_INT(vote_mark(s, &clk, MINUTE, Y2000 + MINUTE), 1);
    /* A time server sets it right: from an implausible reference that is no doubt. */
    CHECK_INT(vote_mark(s, &clk, MINUTE, wall + 4 * MINUTE), 0);
    /* 2099 is plausible, but a jump there is not. */
    CHECK_INT(vote_mark(s, &clk, MINUTE, INT64_C(4070908800000)), 1);
    store_close(s);

    /* The first vote after a start is checked against the clock at opening. */
    hl_clock clk2 = clk_fake(T0);
    s = open_at(dir, &clk2);
    REQUIRE(s);
    CHECK_INT(vote_mark(s, &clk2, 5000, T0 + 5000), 0);
    store_close(s);
    hl_clock clk3 = clk_fake(T0);
    s = open_at(dir, &clk3);
    REQUIRE(s);
    CHECK_INT(vote_mark(s, &clk3, 5000, T0 + 5000 + HOUR), 1);
    store_close(s);
}

/* The mark travels in the frozen batch (only when set), and status counts it. */
static void t_batch_and_status(void)
{
    char dir[PATH_MAX];
    test_new_dir(dir, sizeof dir);
    hl_clock clk = clk_fake(Y2000);
    store *s = open_at(dir, &clk);
    REQUIRE(s);
    CHECK_INT(vote_mark(s, &clk, MINUTE, Y2000 + MINUTE), 1);
    CHECK_INT(vote_mark(s, &clk, MINUTE, Y2000 + 2 * MINUTE), 1);
    /* set right by hand */
    CHECK_INT(vote_mark(s, &clk, MINUTE, T0), 0);
    store_sync_status st;
    REQUIRE(store_sync_status_get(s, "K1", &st) == STORE_OK);
    CHECK_INT(st.clock_suspect, 2);
    CHECK(st.last_clock_suspect == Y2000 + 2 * MINUTE);

    store_batch b;
    REQUIRE(store_sync_freeze(s, "K1", 10, T0, &b) == STORE_OK);
    CHECK_INT(b.n_votes, 3);
    void *json = NULL;
    size_t len = 0;
    REQUIRE(wire_gunzip(b.body, b.body_len, 1 << 20, &json, &len) == 0);
    wire_batch wb;
    char err[HL_ERR_MAX] = "";
    REQUIRE(wire_decode_batch(json, len, &wb, err, sizeof err) == 0);
    REQUIRE(wb.n == 3);
    CHECK_INT(wb.results[0].status, WIRE_ACCEPTED); /* a time in 2000 is no reason to refuse */
    CHECK_INT(wb.votes[0].clock_suspect, 1);
    CHECK(wb.votes[0].created_at == Y2000 + MINUTE);
    CHECK_INT(wb.votes[1].clock_suspect, 1);
    CHECK_INT(wb.votes[2].clock_suspect, 0);
    /* a vote above suspicion has no such key, so an older collector reads it as before */
    char *third = strstr((char *)json, "\"seq\":3");
    REQUIRE(third);
    CHECK(strstr(third, "clock_suspect") == NULL);
    wire_batch_free(&wb);
    free(json);
    store_batch_free(&b);
    store_close(s);
}

/* Migration 4 on a schema-3 file: implausible times marked; votes quarantined for their time
 * (the collector's old "created_at: ... is not between" refusal) go back to the queue, marked;
 * votes quarantined for another reason stay quarantined. */
static void t_migration_resends(void)
{
    char dir[PATH_MAX], db[PATH_MAX];
    test_new_dir(dir, sizeof dir);
    test_path(db, sizeof db, dir, "votes.db");
    hl_clock clk = clk_fake(T0);
    store *s = open_at(dir, &clk);
    REQUIRE(s);
    for (int i = 0; i < 4; i++)
        REQUIRE(vote_mark(s, &clk, MINUTE, T0 + (i + 1) * MINUTE) == 0);
    store_close(s);
    /* Back to schema 3, as a kiosk of that version left it (without migration 5's table). */
    REQUIRE(db_exec(db, "DROP TABLE feedback;"
                        "DROP INDEX votes_clock_suspect;"
                        "ALTER TABLE votes DROP COLUMN clock_suspect;"
                        "UPDATE votes SET created_at = 946684800000, sync_state = 'quarantined',"
                        " batch_id = '11111111-2222-4333-8444-555555555555', sync_error ="
                        " 'created_at: 946684800000 is not between 2020-01-01 and 2100-01-01 (UTC"
                        " ms); the kiosk''s clock is wrong' WHERE seq IN (1, 2);"
                        "UPDATE votes SET sync_state = 'quarantined', batch_id ="
                        " '11111111-2222-4333-8444-555555555555', sync_error = 'rating: must be 1,"
                        " 2 or 3' WHERE seq = 3;"
                        "UPDATE votes SET created_at = 1000 WHERE seq = 4;"
                        "PRAGMA user_version = 3;") == 0);
    s = open_at(dir, &clk);
    REQUIRE(s);
    store_close(s);
    CHECK_INT(db_int(db, "PRAGMA user_version"), store_latest_schema_version());
    char got[256];
    db_text(db,
            "SELECT group_concat(seq || ':' || sync_state || ':' || clock_suspect || ':' ||"
            " coalesce(batch_id, '-') || ':' || coalesce(sync_error, '-'), ' | ')"
            " FROM (SELECT * FROM votes ORDER BY seq)",
            got, sizeof got);
    CHECK_STR(got, "1:unsent:1:-:- | 2:unsent:1:-:- | "
                   "3:quarantined:0:11111111-2222-4333-8444-555555555555:rating: must be 1, 2 or 3"
                   " | 4:unsent:1:-:-");
    db_text(db, "PRAGMA integrity_check", got, sizeof got);
    CHECK_STR(got, "ok");
}

static const test_case cases[] = {TEST(t_marks), TEST(t_batch_and_status),
                                  TEST(t_migration_resends)};

int main(void)
{
    return test_main("store_clock", TEST_REMOVE, cases, HL_ARRAY_LEN(cases));
}
