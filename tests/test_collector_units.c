/* test_collector_units: the collector's modules in-process: token buckets, tokens and their
 * hashes, the connection guard, the fault switch's parser, date ranges, and the database layer
 * (enrolment, batches, duplicates, summaries, CSV) on SQLite, and on PostgreSQL too when
 * HL_TEST_PG_URL is set. */
#include "alerts.h"
#include "auth.h"
#include "db.h"
#include "faults.h"
#include "rating.h"
#include "ratelimit.h"
#include "report.h"
#include "test.h"
#include "util.h"
#include "wire.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void test_ratelimit(void)
{
    ratelimit *rl = rl_new(10, 3);
    CHECK_INT(rl_take(rl, "a", 1000), 0);
    CHECK_INT(rl_take(rl, "a", 1000), 0);
    CHECK_INT(rl_take(rl, "a", 1000), 0);
    CHECK_INT(rl_take(rl, "a", 1000), 1); /* burst used up: wait (rounded up to 1 s) */
    CHECK_INT(rl_take(rl, "b", 1000), 0); /* another kiosk has its own bucket */
    CHECK_INT(rl_take(rl, "a", 1100), 0); /* 100 ms at 10/s = one token back */
    CHECK_INT(rl_take(rl, "a", 1100), 1);
    CHECK_INT(rl_take(rl, "a", 60000), 0); /* refilled, but never above the burst */
    CHECK_INT(rl_take(rl, "a", 60000), 0);
    CHECK_INT(rl_take(rl, "a", 60000), 0);
    CHECK_INT(rl_take(rl, "a", 60000), 1);
    rl_free(rl);
    rl = rl_new(0.2, 1); /* one request per 5 s */
    CHECK_INT(rl_take(rl, "a", 0), 0);
    CHECK_INT(rl_take(rl, "a", 0), 5);
    CHECK_INT(rl_take(rl, "a", 4000), 1);
    CHECK_INT(rl_take(rl, "a", 5000), 0);
    rl_free(rl);
}

static void test_auth(void)
{
    REQUIRE(auth_init() == 0);
    char a[AUTH_TOKEN_MAX], b[AUTH_TOKEN_MAX];
    auth_new_token(AUTH_KIOSK_PREFIX, a);
    auth_new_token(AUTH_KIOSK_PREFIX, b);
    CHECK_INT(strlen(a), 4 + 43); /* 32 bytes as unpadded base64url */
    CHECK(strncmp(a, "hlk_", 4) == 0);
    CHECK(strcmp(a, b) != 0);
    for (const char *p = a + 4; *p; p++)
        CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p));
    char h[AUTH_HASH_HEX], h2[AUTH_HASH_HEX];
    auth_hash("abc", h);
    CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    auth_hash("abc", h2);
    CHECK(auth_hash_equal(h, h2));
    h2[63] = '0';
    CHECK(!auth_hash_equal(h, h2));
    CHECK(!auth_hash_equal(h, "ba78"));

    char t[AUTH_TOKEN_MAX];
    CHECK(auth_parse_bearer("Bearer hlk_abc-_9", t) == 0);
    CHECK_STR(t, "hlk_abc-_9");
    CHECK(auth_parse_bearer("bearer   hlk_x  ", t) == 0);
    CHECK_STR(t, "hlk_x");
    CHECK(auth_parse_bearer(NULL, t) == -1);
    CHECK(auth_parse_bearer("Basic dXNlcjpwYXNz", t) == -1);
    CHECK(auth_parse_bearer("Bearer ", t) == -1);
    CHECK(auth_parse_bearer("Bearer a b", t) == -1);
    CHECK(auth_parse_bearer("Bearer hlk_\"x\"", t) == -1);
    char long_header[300] = "Bearer ";
    memset(long_header + 7, 'a', 200);
    long_header[207] = '\0';
    CHECK(auth_parse_bearer(long_header, t) == -1);
}

static void test_faults(void)
{
#ifndef HL_FAULTS
    /* A release build has no fault switch: fail, rather than pass without testing it. */
    CHECK(!"the fault switch is built in: configure with cmake -DHL_TEST_FAULTS=ON");
#else
    char err[HL_ERR_MAX] = "";
    REQUIRE(fault_parse("status=503:2,retry-after=7,status=500:1", err, sizeof err) == 0);
    CHECK(fault_armed());
    fault_action a = fault_take();
    CHECK_INT(a.status, 503);
    CHECK_INT(a.retry_after, 7);
    CHECK_INT(fault_take().status, 503);
    CHECK_INT(fault_take().status, 500);
    a = fault_take();
    CHECK_INT(a.status, 0);
    CHECK_INT(a.kill, 0);
    CHECK_INT(a.hang_s, 0);
    CHECK_INT(fault_take_drop_after_commit(), 0);

    REQUIRE(fault_parse("hang=1,hang-seconds=3,drop-after-commit=2,kill-mid-request=1", err,
                        sizeof err) == 0);
    CHECK_INT(fault_take().kill, 1); /* kill first, then hang */
    CHECK_INT(fault_take().hang_s, 3);
    CHECK_INT(fault_take().hang_s, 0);
    CHECK_INT(fault_take_drop_after_commit(), 1);
    CHECK_INT(fault_take_drop_after_commit(), 1);
    CHECK_INT(fault_take_drop_after_commit(), 0);

    REQUIRE(fault_parse("status=429:1", err, sizeof err) == 0);
    a = fault_take();
    CHECK_INT(a.status, 429);
    CHECK_INT(a.retry_after, -1);

    static const test_bad bad[] = {
        {"status=503", "status=\"503\" is not valid"},
        {"status=200:1", "status=\"200:1\" is not valid"},
        {"status=503:0", "is not valid"},
        {"retry-after=soon", "retry-after=\"soon\" is not valid"},
        {"hang=1,", "\"\" is not NAME=VALUE"},
        {"explode=1", "unknown fault \"explode\""},
        {"hang", "\"hang\" is not NAME=VALUE"},
    };
    for (size_t i = 0; i < HL_ARRAY_LEN(bad); i++) {
        err[0] = '\0';
        CHECK_INT(fault_parse(bad[i].in, err, sizeof err), HL_EXIT_USAGE);
        CHECK_CONTAINS(err, bad[i].want);
        CHECK(!fault_armed());
    }
    CHECK_INT(fault_parse(NULL, err, sizeof err), 0);
    CHECK(!fault_armed());
    CHECK_INT(fault_take().status, 0);
#endif
}

static void test_ranges(void)
{
    int64_t from, to;
    char err[HL_ERR_MAX] = "";
    REQUIRE(report_range("2026-11-01", "2026-11-30", &from, &to, err, sizeof err) == 0);
    /* 2026-11-01 00:00 in Vietnam is 2026-10-31 17:00 UTC; "to" is inclusive. */
    CHECK_INT(from, 1793466000000LL);
    CHECK_INT(to, 1793466000000LL + 30LL * 86400000);
    REQUIRE(report_range(NULL, "", &from, &to, err, sizeof err) == 0);
    CHECK_INT(from, 0);
    CHECK(to > 4102444800000LL);
    static const char *const bad[] = {"2026-02-29", "2026-13-01",  "2026-1-01", "yesterday",
                                      "2019-12-31", "2026-11-01x", "2026/11/01"};
    for (size_t i = 0; i < HL_ARRAY_LEN(bad); i++) {
        CHECK_INT(report_range(bad[i], NULL, &from, &to, err, sizeof err), HL_EXIT_USAGE);
        CHECK_CONTAINS(err, "from: \"");
    }
    CHECK_INT(report_range("2028-02-29", "2028-02-29", &from, &to, err, sizeof err), 0);
    CHECK_INT(report_range("2026-11-02", "2026-11-01", &from, &to, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "is before from");
    /* The read endpoints' parameters: unit and kiosk select, each once, a kiosk id checked. */
    report_args a;
    db_filter f;
    report_args_init(&a, 1);
    CHECK_INT(report_args_add(&a, "unit", "UBND xã Bom Bo"), 0);
    CHECK_INT(report_args_add(&a, "kiosk", "bombo-01"), 0);
    CHECK_INT(report_args_add(&a, "by", "month"), 0);
    REQUIRE(report_args_check(&a, &f, err, sizeof err) == 0);
    CHECK_STR(f.unit, "UBND xã Bom Bo");
    CHECK_STR(f.kiosk, "bombo-01");
    CHECK_STR(a.by, "month");
    report_args_init(&a, 0);
    CHECK_INT(report_args_add(&a, "kiosk", "bombo 01"), 0);
    CHECK_INT(report_args_check(&a, &f, err, sizeof err), HL_EXIT_USAGE);
    CHECK_STR(err, "kiosk: \"bombo 01\" is not a kiosk id (letters, digits, - and _)");
    report_args_init(&a, 0);
    CHECK_INT(report_args_add(&a, "unit", "\xc3\x28"), 0);
    CHECK_INT(report_args_check(&a, &f, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "unit: not a unit's name");
    report_args_init(&a, 0);
    CHECK_INT(report_args_add(&a, "kiosk", "a"), 0);
    CHECK_INT(report_args_add(&a, "kiosk", "b"), -1);
    CHECK_INT(report_args_check(&a, &f, err, sizeof err), HL_EXIT_USAGE);
    CHECK_STR(err, "kiosk: given twice");
    report_args_init(&a, 0);
    CHECK_INT(report_args_add(&a, "commune", "x"), -1);
    CHECK_INT(report_args_check(&a, &f, err, sizeof err), HL_EXIT_USAGE);
    CHECK_STR(err, "commune: unknown parameter; use from, to, period, unit, kiosk");

    /* Named periods, and those of Nghị định 09/2019 (the 15th to the 14th). */
    static const char *const periods[][3] = {
        {"2026", "2026-01-01", "2026-12-31"},         {"2026-02", "2026-02-01", "2026-02-28"},
        {"2028-02", "2028-02-01", "2028-02-29"},      {"2026-Q4", "2026-10-01", "2026-12-31"},
        {"2026-Q1", "2026-01-01", "2026-03-31"},      {"nd09-2026-11", "2026-10-15", "2026-11-14"},
        {"nd09-2026-01", "2025-12-15", "2026-01-14"}, {"nd09-2026-Q4", "2026-09-15", "2026-12-14"},
        {"nd09-2026-Q1", "2025-12-15", "2026-03-14"}, {"nd09-2026", "2025-12-15", "2026-12-14"},
    };
    for (size_t i = 0; i < HL_ARRAY_LEN(periods); i++) {
        char first[11], last[11];
        REQUIRE(report_period(periods[i][0], first, last, err, sizeof err) == 0);
        CHECK_STR(first, periods[i][1]);
        CHECK_STR(last, periods[i][2]);
    }
    static const char *const bad_periods[] = {
        "2026-13", "2026-Q5", "2019", "26-11", "nd09", "2026-11-01", "nd09-2026-1", "Q4-2026", ""};
    for (size_t i = 0; i < HL_ARRAY_LEN(bad_periods); i++) {
        char first[11], last[11];
        CHECK_INT(report_period(bad_periods[i], first, last, err, sizeof err), HL_EXIT_USAGE);
        CHECK_CONTAINS(err, "is not a period; use YYYY, YYYY-MM, YYYY-Qn");
    }
    report_args_init(&a, 1);
    CHECK_INT(report_args_add(&a, "period", "nd09-2026-11"), 0);
    REQUIRE(report_args_check(&a, &f, err, sizeof err) == 0);
    CHECK_STR(a.from, "2026-10-15");
    CHECK_STR(a.to, "2026-11-14");
    int64_t pf, pt;
    REQUIRE(report_range("2026-10-15", "2026-11-14", &pf, &pt, err, sizeof err) == 0);
    CHECK_INT(f.from_ms, pf);
    CHECK_INT(f.to_ms, pt);
    report_args_init(&a, 1);
    CHECK_INT(report_args_add(&a, "period", "2026-11"), 0);
    CHECK_INT(report_args_add(&a, "from", "2026-11-02"), 0);
    CHECK_INT(report_args_check(&a, &f, err, sizeof err), HL_EXIT_USAGE);
    CHECK_STR(err, "period: give period, or from and to, not both");

    char t[20];
    report_local_time(1793466000000LL + 3723000, t);
    CHECK_STR(t, "2026-11-01 01:02:03");
    CHECK_STR(rating_label(1), "Chưa hài lòng");
}

static void test_clock_rule(void)
{
    int64_t now = 1793466000000LL, min = 60000, hour = 3600000, day = 24 * hour;
    db_clock_verdict v;
    /* A vote a minute old, sent now by a right clock: above suspicion, placed at its time. */
    v = db_clock_judge(now - min, 0, now, now);
    CHECK_INT(v.clock_suspect, 0);
    CHECK_INT(v.placed_at, now - min);
    /* A backlog delivered 30 days late by a kiosk whose clock is right: not a bad clock. */
    v = db_clock_judge(now - 30 * day, 0, now, now);
    CHECK_INT(v.clock_suspect, 0);
    CHECK_INT(v.placed_at, now - 30 * day);
    /* The same backlog from a kiosk that does not send its clock, judged by frozen_at: fine when
     * the batch was frozen minutes before delivery... */
    v = db_clock_judge(now - 30 * day, 0, now - 2 * min, now);
    CHECK_INT(v.clock_suspect, 0);
    /* ... marked when it was frozen long before (why kiosks send X-Hailong-Sent-At). */
    CHECK_INT(db_clock_judge(now - 30 * day, 0, now - 3 * day, now).clock_suspect, 1);
    /* A vote after its own batch's clock: the clock went back since. 10 minutes are tolerated. */
    CHECK_INT(db_clock_judge(now + 10 * min, 0, now, now).clock_suspect, 0);
    v = db_clock_judge(now + 10 * min + 1, 0, now, now);
    CHECK_INT(v.clock_suspect, 1);
    CHECK_INT(v.placed_at, now); /* never after the receipt */
    /* The kiosk's own mark (its clock jumped): kept where it says, it is plausible and past. */
    v = db_clock_judge(now - hour, 1, now, now);
    CHECK_INT(v.clock_suspect, 1);
    CHECK_INT(v.placed_at, now - hour);
    /* A kiosk whose clock reads 2000-01-01 (a dead RTC battery): the vote cast an hour before
     * the send is placed an hour before the receipt. */
    int64_t y2000 = 946684800000LL;
    v = db_clock_judge(y2000, 1, y2000 + hour, now);
    CHECK_INT(v.clock_suspect, 1);
    CHECK_INT(v.placed_at, now - hour);
    /* ... the same without the kiosk's mark (an older kiosk): the time alone is implausible. */
    CHECK_INT(db_clock_judge(y2000, 0, y2000 + hour, now).clock_suspect, 1);
    /* A clock an hour slow, plausible: the skew marks it and moves it back into place. */
    v = db_clock_judge(now - 2 * hour, 0, now - hour, now);
    CHECK_INT(v.clock_suspect, 1);
    CHECK_INT(v.placed_at, now - hour);
    /* 2099 on the kiosk: the skew brings it back too. */
    int64_t y2099 = 4070908800000LL;
    v = db_clock_judge(y2099 - day, 0, y2099, now);
    CHECK_INT(v.clock_suspect, 1);
    CHECK_INT(v.placed_at, now - day);
    /* Moved past the receipt, or still implausible: the receipt. */
    CHECK_INT(db_clock_judge(now - hour + 5 * min, 0, now - hour, now).placed_at, now);
    CHECK_INT(db_clock_judge(0, 1, now, now).placed_at, now);
    /* Exactly 10 minutes of skew is tolerated; one millisecond more is not. */
    CHECK_INT(db_clock_judge(now - hour, 0, now - 10 * min, now).clock_suspect, 0);
    CHECK_INT(db_clock_judge(now - hour, 0, now - 10 * min - 1, now).clock_suspect, 1);
}

/* ---- the database layer, on one backend ---- */

#define K1    "bombo-01"
#define BATCH "11111111-2222-4333-8444-555555555555"

static wire_batch make_batch(const char *kiosk, int first, int n, int64_t created)
{
    wire_batch b;
    memset(&b, 0, sizeof b);
    util_strlcpy(b.kiosk_id, kiosk, sizeof b.kiosk_id);
    util_strlcpy(b.batch_id, BATCH, sizeof b.batch_id);
    b.n = (size_t)n;
    b.votes = xcalloc(b.n, sizeof *b.votes);
    b.results = xcalloc(b.n, sizeof *b.results);
    for (int i = 0; i < n; i++) {
        wire_vote *v = &b.votes[i];
        snprintf(v->uuid, sizeof v->uuid, "aaaaaaaa-0000-4000-8000-%012d", first + i);
        v->seq = first + i;
        util_strlcpy(v->boot_id, "bbbbbbbb-0000-4000-8000-000000000001", sizeof v->boot_id);
        util_strlcpy(v->officer_code, i % 2 ? "tp-hung" : "vp-lan", sizeof v->officer_code);
        v->rating = 3 - i % 3;
        util_strlcpy(v->reasons, v->rating == 1 ? "[\"cham-tre\",\"thai-do\"]" : "[]",
                     sizeof v->reasons);
        v->created_at = created + i * 1000;
        util_strlcpy(b.results[i].uuid, v->uuid, sizeof b.results[i].uuid);
        b.results[i].status = WIRE_ACCEPTED;
    }
    return b;
}

typedef struct {
    char keys[8][64], units[8][64];
    db_summary_row rows[8];
    int n;
} sums;

static int sum_cb(const db_summary_row *r, void *ctx)
{
    sums *s = ctx;
    if (s->n < 8) {
        util_strlcpy(s->keys[s->n], r->key, sizeof s->keys[0]);
        util_strlcpy(s->units[s->n], r->unit, sizeof s->units[0]);
        s->rows[s->n] = *r;
        s->n++;
    }
    return 0;
}

typedef struct {
    char text[256];
} ops;

static int list_op(const db_operator_row *r, void *ctx)
{
    ops *o = ctx;
    size_t n = strlen(o->text);
    snprintf(o->text + n, sizeof o->text - n, "%s|%s|%d;", r->name, r->unit, r->revoked_at != 0);
    return 0;
}

static int count_kiosks(const db_kiosk_row *r, void *ctx)
{
    (void)r;
    (*(int *)ctx)++;
    return 0;
}

static void db_suite(const char *url)
{
    char err[HL_ERR_MAX] = "";
    db *d = NULL;
    int created = 0;
    if (db_create(url, &created, &d, err, sizeof err) != 0) {
        fprintf(stderr, "  db_create(%s): %s\n", url, err);
        t_cur_failed = 1;
        return;
    }
    char h1[AUTH_HASH_HEX], h2[AUTH_HASH_HEX], h3[AUTH_HASH_HEX], ho[AUTH_HASH_HEX];
    auth_hash("t1", h1);
    auth_hash("t2", h2);
    auth_hash("t3", h3);
    auth_hash("op", ho);
    int64_t now = 1793466000000LL; /* 2026-11-01 00:00 Vietnam */

    /* Enrolment: one active token per kiosk; revoke, then a new one. */
    CHECK_INT(db_kiosk_add(d, K1, "UBND xã Bom Bo, tỉnh \"Đồng Nai\"", h1, now, err, sizeof err),
              0);
    CHECK_INT(db_kiosk_add(d, K1, NULL, h2, now, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "already has an active token");
    CHECK_INT(db_kiosk_add(d, "other", NULL, h3, now, err, sizeof err), 0);
    CHECK_INT(db_operator_add(d, "it-huyen", NULL, ho, now, err, sizeof err), 0);
    db_token t;
    REQUIRE(db_token_lookup(d, h1, &t, err, sizeof err) == 0);
    CHECK(t.found && !t.revoked && t.kind == DB_TOKEN_KIOSK);
    CHECK_STR(t.name, K1);
    REQUIRE(db_token_lookup(d, ho, &t, err, sizeof err) == 0);
    CHECK(t.found && t.kind == DB_TOKEN_OPERATOR);
    CHECK_STR(t.unit, "");
    /* A commune leader's token carries its unit; the list shows both. */
    char hl[AUTH_HASH_HEX];
    auth_hash("lead", hl);
    CHECK_INT(db_operator_add(d, "lanh-dao", "UBND xã Bom Bo", hl, now + 1, err, sizeof err), 0);
    REQUIRE(db_token_lookup(d, hl, &t, err, sizeof err) == 0);
    CHECK_STR(t.unit, "UBND xã Bom Bo");
    CHECK_STR(t.name, "lanh-dao");
    ops o;
    memset(&o, 0, sizeof o);
    CHECK_INT(db_operator_list(d, list_op, &o, err, sizeof err), 0);
    CHECK_STR(o.text, "it-huyen||0;lanh-dao|UBND xã Bom Bo|0;");
    REQUIRE(db_token_lookup(d, h2, &t, err, sizeof err) == 0);
    CHECK(!t.found);
    CHECK_INT(db_token_revoke(d, DB_TOKEN_KIOSK, K1, now, err, sizeof err), 0);
    CHECK_INT(db_token_revoke(d, DB_TOKEN_KIOSK, K1, now, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "has no active token");
    REQUIRE(db_token_lookup(d, h1, &t, err, sizeof err) == 0);
    CHECK(t.found && t.revoked);
    CHECK_INT(db_kiosk_add(d, K1, NULL, h2, now, err, sizeof err), 0);
    int n_kiosks = 0;
    CHECK_INT(db_kiosk_list(d, count_kiosks, &n_kiosks, err, sizeof err), 0);
    CHECK_INT(n_kiosks, 2);

    /* A batch: accepted; again: duplicate; the same uuid from another kiosk: rejected. */
    int64_t received = now + 9 * 3600000LL;
    wire_batch b = make_batch(K1, 1, 6, received - 60000);
    b.votes[4].created_at = received + 11 * 60000LL; /* 11 minutes in the future: suspect */
    b.votes[5].misuse = 1;
    b.results[3].status = WIRE_REJECTED; /* rejected by validation: never stored */
    util_strlcpy(b.results[3].reason, "rating: must be 1, 2 or 3", sizeof b.results[3].reason);
    wire_result res[6];
    REQUIRE(db_store_batch(d, &b, K1, received, received, res, err, sizeof err) == 0);
    CHECK_INT(res[0].status, WIRE_ACCEPTED);
    CHECK_INT(res[3].status, WIRE_REJECTED);
    CHECK_STR(res[3].reason, "rating: must be 1, 2 or 3");
    CHECK_INT(res[5].status, WIRE_ACCEPTED);
    REQUIRE(db_store_batch(d, &b, K1, received + 1000, received + 1000, res, err, sizeof err) == 0);
    CHECK_INT(res[0].status, WIRE_DUPLICATE);
    CHECK_INT(res[5].status, WIRE_DUPLICATE);
    CHECK_INT(res[3].status, WIRE_REJECTED);
    REQUIRE(db_store_batch(d, &b, "other", received, received, res, err, sizeof err) == 0);
    CHECK_INT(res[0].status, WIRE_REJECTED);
    CHECK_STR(res[0].reason, "uuid already used by another kiosk");
    wire_batch_free(&b);

    /* Summaries: misuse is counted apart; satisfaction counts only the rest. */
    sums s;
    db_filter all = {0, INT64_MAX / 2, NULL, NULL, NULL},
              since_received = {received, INT64_MAX / 2, NULL, NULL, NULL};
    memset(&s, 0, sizeof s);
    REQUIRE(db_summary(d, "kiosk", &all, sum_cb, &s, err, sizeof err) == 0);
    REQUIRE(s.n == 1);
    CHECK_STR(s.keys[0], K1);
    /* stored: votes 1..6 minus 4; ratings 3,2,1,-,2,1(misuse) */
    CHECK_INT(s.rows[0].rating3, 1);
    CHECK_INT(s.rows[0].rating2, 2);
    CHECK_INT(s.rows[0].rating1, 1);
    CHECK_INT(s.rows[0].misuse, 1);
    CHECK_INT(s.rows[0].clock_suspect, 1);
    CHECK_INT(s.rows[0].total, 5);
    memset(&s, 0, sizeof s);
    REQUIRE(db_summary(d, "officer", &all, sum_cb, &s, err, sizeof err) == 0);
    CHECK_INT(s.n, 2);
    CHECK_STR(s.keys[0], "tp-hung");
    memset(&s, 0, sizeof s);
    REQUIRE(db_summary(d, "day", &all, sum_cb, &s, err, sizeof err) == 0);
    CHECK_INT(s.n, 1);
    CHECK_INT(strtoll(s.keys[0], NULL, 10), (now + 25200000) / 86400000);
    memset(&s, 0, sizeof s);
    REQUIRE(db_summary(d, "unit", &since_received, sum_cb, &s, err, sizeof err) == 0);
    CHECK_INT(s.n, 1); /* only the future vote */
    CHECK_INT(s.rows[0].total, 1);
    CHECK_STR(s.keys[0], "UBND xã Bom Bo, tỉnh \"Đồng Nai\"");
    CHECK_INT(db_summary(d, "year", &all, sum_cb, &s, err, sizeof err), HL_EXIT_USAGE);

    /* The JSON and the CSV. */
    char *json = NULL;
    size_t len = 0;
    db_filter since_now = {now, INT64_MAX / 2, NULL, NULL, NULL},
              nothing = {0, 1, NULL, NULL, NULL};
    REQUIRE(report_summary(d, "kiosk", "2026-11-01", NULL, &since_now, &json, &len, err,
                           sizeof err) == 0);
    CHECK_CONTAINS(json, "\"from\":\"2026-11-01\",\"to\":null,\"by\":\"kiosk\"");
    CHECK_CONTAINS(json, "{\"key\":\"bombo-01\",\"rating3\":1,\"rating2\":2,\"rating1\":1,"
                         "\"counted\":4,\"satisfaction\":0.75,\"misuse\":1,\"clock_suspect\":1,"
                         "\"total\":5}");
    free(json);
    REQUIRE(report_summary(d, "kiosk", NULL, NULL, &nothing, &json, &len, err, sizeof err) == 0);
    CHECK_CONTAINS(json, "\"groups\":[],\"total\":{\"rating3\":0,\"rating2\":0,\"rating1\":0,"
                         "\"counted\":0,\"satisfaction\":null");
    free(json);
    FILE *f = tmpfile();
    REQUIRE(f);
    REQUIRE(report_votes_csv(d, &all, f, err, sizeof err) == 0);
    long size = ftell(f);
    rewind(f);
    char *csv = xcalloc(1, (size_t)size + 1);
    CHECK_INT(fread(csv, 1, (size_t)size, f), size);
    fclose(f);
    CHECK(strncmp(csv, "\xEF\xBB\xBFuuid,kiosk_id,unit,seq,", 25) == 0);
    CHECK_CONTAINS(
        csv,
        "misuse,clock_suspect,placed_at_local\r\naaaaaaaa-0000-4000-8000-000000000001,bombo-01,"
        "\"UBND xã Bom Bo, tỉnh \"\"Đồng Nai\"\"\",1,"
        "bbbbbbbb-0000-4000-8000-000000000001,vp-lan,3,Rất hài lòng,[],"
        "2026-11-01 08:59:00,2026-11-01 09:00:00,0,0,2026-11-01 08:59:00\r\n");
    CHECK_CONTAINS(csv, ",tp-hung,1,Chưa hài lòng,\"[\"\"cham-tre\"\",\"\"thai-do\"\"]\",");
    CHECK_CONTAINS(csv, ",1,0,2026-11-01 08:59:05\r\n"); /* the misused vote */
    CHECK_CONTAINS(csv, ",0,1,2026-11-01 09:00:00\r\n"); /* from the future: placed at receipt */
    free(csv);

    /* Officer codes are unique only inside one commune: the other kiosk (no unit) has a tp-hung
     * and a vp-lan of its own. They were merged with bombo-01's (issue 11); now each is a group
     * with its unit, units in order, and the unit and kiosk filters select. */
    wire_batch b2 = make_batch("other", 101, 4, received - 60000);
    REQUIRE(db_store_batch(d, &b2, "other", received, received, res, err, sizeof err) == 0);
    wire_batch_free(&b2);
    memset(&s, 0, sizeof s);
    REQUIRE(db_summary(d, "officer", &all, sum_cb, &s, err, sizeof err) == 0);
    REQUIRE(s.n == 4);
    const char *unit1 = "UBND xã Bom Bo, tỉnh \"Đồng Nai\"";
    static const char *const want_keys[] = {"tp-hung", "vp-lan", "tp-hung", "vp-lan"};
    static const int64_t want_totals[] = {2, 2, 2, 3};
    for (int i = 0; i < 4; i++) {
        CHECK_STR(s.keys[i], want_keys[i]);
        CHECK_STR(s.units[i], i < 2 ? "" : unit1);
        CHECK_INT(s.rows[i].total, want_totals[i]);
    }
    db_filter by_unit = {0, INT64_MAX / 2, unit1, NULL, NULL},
              by_kiosk = {0, INT64_MAX / 2, NULL, "other", NULL},
              neither = {0, INT64_MAX / 2, unit1, "other", NULL};
    memset(&s, 0, sizeof s);
    REQUIRE(db_summary(d, "officer", &by_unit, sum_cb, &s, err, sizeof err) == 0);
    CHECK_INT(s.n, 2);
    CHECK_INT(s.rows[0].total + s.rows[1].total, 5);
    CHECK_STR(s.units[0], unit1);
    memset(&s, 0, sizeof s);
    REQUIRE(db_summary(d, "kiosk", &by_kiosk, sum_cb, &s, err, sizeof err) == 0);
    CHECK_INT(s.n, 1);
    CHECK_STR(s.keys[0], "other");
    CHECK_INT(s.rows[0].total, 4);
    memset(&s, 0, sizeof s);
    REQUIRE(db_summary(d, "kiosk", &neither, sum_cb, &s, err, sizeof err) == 0);
    CHECK_INT(s.n, 0);
    REQUIRE(report_summary(d, "officer", NULL, NULL, &by_kiosk, &json, &len, err, sizeof err) == 0);
    CHECK_CONTAINS(json, "\"by\":\"officer\",\"kiosk\":\"other\",\"groups\":[{\"key\":\"tp-hung\","
                         "\"unit\":\"\",\"name\":\"\",\"rating3\":");
    free(json);
    /* By month: November's days folded into one group. */
    REQUIRE(report_summary(d, "month", NULL, NULL, &all, &json, &len, err, sizeof err) == 0);
    CHECK_CONTAINS(json, "\"by\":\"month\",\"groups\":[{\"key\":\"2026-11\",\"rating3\":");
    CHECK_CONTAINS(json, "\"total\":9}],\"total\":{");
    free(json);
    CHECK_INT(report_summary(d, "year", NULL, NULL, &all, &json, &len, err, sizeof err),
              HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "by: \"year\" is not unit, kiosk, officer, day or month");
    f = tmpfile();
    REQUIRE(f);
    REQUIRE(report_votes_csv(d, &by_kiosk, f, err, sizeof err) == 0);
    size = ftell(f);
    rewind(f);
    csv = xcalloc(1, (size_t)size + 1);
    CHECK_INT(fread(csv, 1, (size_t)size, f), size);
    fclose(f);
    int lines = 0;
    for (const char *c = csv; *c; c++)
        lines += *c == '\n';
    CHECK_INT(lines, 5); /* the header and the other kiosk's 4 votes */
    CHECK(!strstr(csv, ",bombo-01,"));
    free(csv);
    CHECK_INT(db_ping(d, err, sizeof err), 0);
    db_close(d);

    CHECK_INT(created, 1);
    /* Opening again finds the schema in place; creating again creates nothing. */
    REQUIRE(db_create(url, &created, &d, err, sizeof err) == 0);
    CHECK_INT(created, 0);
    db_close(d);
    REQUIRE(db_open(url, &d, err, sizeof err) == 0);
    memset(&s, 0, sizeof s);
    CHECK_INT(db_summary(d, "kiosk", &all, sum_cb, &s, err, sizeof err), 0);
    CHECK_INT(s.rows[0].total, 5);
    db_close(d);

    /* The pool hands out working connections and takes them back. */
    db_pool *p = db_pool_new(url, 2);
    db *c1 = db_pool_get(p, err, sizeof err), *c2 = db_pool_get(p, err, sizeof err);
    REQUIRE(c1 && c2 && c1 != c2);
    CHECK_INT(db_ping(c2, err, sizeof err), 0);
    db_pool_put(p, c1);
    db *c3 = db_pool_get(p, err, sizeof err);
    CHECK(c3 == c1);
    db_pool_put(p, c2);
    db_pool_put(p, c3);
    db_pool_free(p);
}

static void test_db_sqlite(void)
{
    char url[PATH_MAX + 16];
    snprintf(url, sizeof url, "sqlite:%s/c.db", test_root);
    db_suite(url);
    char err[HL_ERR_MAX] = "";
    db *d = NULL;
    CHECK_INT(db_open("mysql://x", &d, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "--db: \"mysql://x\" is not sqlite:PATH or postgresql://");
    CHECK_INT(db_create("sqlite:/nonexistent-dir/x/c.db", NULL, &d, err, sizeof err),
              HL_EXIT_RUNTIME);
    CHECK_CONTAINS(err, "cannot open the database");
    /* Only db_create makes a database: db_open on a missing file says so and creates nothing. */
    char missing[PATH_MAX + 16];
    snprintf(missing, sizeof missing, "sqlite:%s/none.db", test_root);
    CHECK_INT(db_open(missing, &d, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "none.db: no such collector database; create it with `hailong-collector "
                        "init --db sqlite:");
    CHECK(access(missing + 7, F_OK) != 0);
    CHECK_INT(db_open("sqlite:/nonexistent-dir/x/c.db", &d, err, sizeof err), HL_EXIT_USAGE);
    /* A schema from a newer program is refused, not guessed at. */
    REQUIRE(db_open(url, &d, err, sizeof err) == 0);
    db_close(d);
    char cmd[PATH_MAX + 200];
    snprintf(cmd, sizeof cmd, "sqlite3 %s/c.db 'INSERT INTO schema_version (version) VALUES (99)'",
             test_root);
    REQUIRE(system(cmd) == 0);
    CHECK_INT(db_open(url, &d, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "c.db has schema 99, from a newer hailong-collector; this is "
                        "hailong-collector " HL_VERSION);
    /* With the version that wrote it recorded, the message names what to install. */
    snprintf(cmd, sizeof cmd,
             "sqlite3 %s/c.db \"UPDATE schema_version SET program = 'hailong-collector 9.9.0'"
             " WHERE version = 99\"",
             test_root);
    REQUIRE(system(cmd) == 0);
    CHECK_INT(db_open(url, &d, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "c.db was written by hailong-collector 9.9.0 (schema 99); this is "
                        "hailong-collector " HL_VERSION);
    CHECK_CONTAINS(err, "install hailong-collector 9.9.0 or newer");
}

static void quiet(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static void test_db_postgres(void)
{
    const char *base = getenv("HL_TEST_PG_URL");
    if (!base || !*base) {
        fprintf(stderr, "  PostgreSQL part not run: HL_TEST_PG_URL is not set\n");
        return;
    }
    /* A schema of our own, so the test starts empty on a shared server. */
    char schema[64], url[1024], sqlbuf[256];
    snprintf(schema, sizeof schema, "hl_unit_%ld", (long)getpid());
    PGconn *c = PQconnectdb(base);
    REQUIRE(PQstatus(c) == CONNECTION_OK);
    PQsetNoticeProcessor(c, quiet, NULL);
    snprintf(sqlbuf, sizeof sqlbuf, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema,
             schema);
    PQclear(PQexec(c, sqlbuf));
    snprintf(url, sizeof url, "%s%soptions=-csearch_path%%3D%s", base,
             strchr(base, '?') ? "&" : "?", schema);
    /* A database without the collector's schema is no collector database: only db_create
     * makes the schema. */
    char err[HL_ERR_MAX] = "";
    db *d = NULL;
    CHECK_INT(db_open(url, &d, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "PostgreSQL: this database has no collector schema; create it with "
                        "`hailong-collector init --db URL`");
    db_suite(url);
    /* The version that migrated is recorded; a newer one's schema is refused, naming it. */
    REQUIRE(db_open(url, &d, err, sizeof err) == 0);
    db_close(d);
    snprintf(sqlbuf, sizeof sqlbuf, "SELECT program FROM %s.schema_version WHERE version = %d",
             schema, db_schema_version());
    PGresult *res = PQexec(c, sqlbuf);
    CHECK(PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
          strcmp(PQgetvalue(res, 0, 0), "hailong-collector " HL_VERSION) == 0);
    PQclear(res);
    snprintf(sqlbuf, sizeof sqlbuf,
             "INSERT INTO %s.schema_version VALUES (99, 'hailong-collector 9.9.0')", schema);
    PQclear(PQexec(c, sqlbuf));
    CHECK_INT(db_open(url, &d, err, sizeof err), HL_EXIT_USAGE);
    CHECK_CONTAINS(err, "the PostgreSQL database was written by hailong-collector 9.9.0 (schema "
                        "99); this is hailong-collector " HL_VERSION);
    snprintf(sqlbuf, sizeof sqlbuf, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
    PQclear(PQexec(c, sqlbuf));
    PQfinish(c);
}

/* 1 once the guard has shut down the far end of pair (the peer reads end of file), within a
 * generous 20 s; 0 if it is still open then. */
static int shut_within(int peer, int ms)
{
    struct pollfd p = {.fd = peer, .events = POLLIN};
    if (poll(&p, 1, ms) <= 0)
        return 0;
    char c;
    return read(peer, &c, 1) == 0;
}

/* The connection guard on socket pairs: a connection still waiting for its headers is shut down
 * at --header-timeout, one reading its body at --request-timeout, one being answered never; a new
 * connection beyond the unfinished cap shuts the oldest unfinished one, not a busy one. */
static void test_guard(void)
{
    int a[2], b[2], c[2], d[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, a) == 0 &&
            socketpair(AF_UNIX, SOCK_STREAM, 0, b) == 0 &&
            socketpair(AF_UNIX, SOCK_STREAM, 0, c) == 0 &&
            socketpair(AF_UNIX, SOCK_STREAM, 0, d) == 0);
    rl_guard *g = rl_guard_new(1, 2, 2);
    REQUIRE(g != NULL);
    rl_conn *ca = rl_conn_open(g, a[0]); /* waits for headers: shut at 1 s */
    rl_conn *cb = rl_conn_open(g, b[0]);
    rl_conn_phase(g, cb, RL_READING); /* reading its body: shut at 2 s */
    rl_conn *cc = rl_conn_open(g, c[0]);
    rl_conn_phase(g, cc, RL_ANSWERING); /* never shut */
    CHECK_INT(rl_guard_count(g, NULL), 3);
    CHECK(shut_within(a[1], 20000));
    CHECK(shut_within(b[1], 20000));
    rl_guard_stats st;
    rl_guard_count(g, &st);
    CHECK_INT(st.headers, 1);
    CHECK_INT(st.bodies, 1);
    CHECK(!shut_within(c[1], 2500)); /* well past both deadlines */
    rl_conn_close(g, ca);
    rl_conn_close(g, cb);
    rl_conn_close(g, cc);
    rl_guard_free(g);

    /* The cap: 2 unfinished; the busy one does not count and is never chosen. */
    int e[2], f[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, e) == 0 &&
            socketpair(AF_UNIX, SOCK_STREAM, 0, f) == 0);
    g = rl_guard_new(3600, 3600, 2);
    rl_conn *busy = rl_conn_open(g, d[0]);
    rl_conn_phase(g, busy, RL_READING);
    CHECK_INT(rl_guard_admit(g), 0);
    rl_conn *old = rl_conn_open(g, e[0]);
    CHECK_INT(rl_guard_admit(g), 0);
    rl_conn *young = rl_conn_open(g, f[0]);
    CHECK_INT(rl_guard_admit(g), 1); /* a third unfinished would exceed 2: the oldest goes */
    CHECK(shut_within(e[1], 20000));
    CHECK(!shut_within(f[1], 0));
    CHECK(!shut_within(d[1], 0));
    rl_guard_count(g, &st);
    CHECK_INT(st.evicted, 1);
    rl_conn_close(g, busy);
    rl_conn_close(g, old);
    rl_conn_close(g, young);
    rl_guard_free(g);
    int *all[] = {a, b, c, d, e, f};
    for (size_t i = 0; i < HL_ARRAY_LEN(all); i++) {
        close(all[i][0]);
        close(all[i][1]);
    }
}

/* When a silent kiosk is an alert, and how long a failed delivery waits. */
static void test_alert_rules(void)
{
    /* 2026-11-18 is a Wednesday; Vietnam is UTC+7. */
    const int64_t wed0900 = 1794967200000LL, hour = 3600000LL;
    CHECK_INT(alerts_office_hours(wed0900), 1);
    CHECK_INT(alerts_office_hours(wed0900 - 2 * hour), 1);      /* 07:00 */
    CHECK_INT(alerts_office_hours(wed0900 - 2 * hour - 1), 0);  /* 06:59:59.999 */
    CHECK_INT(alerts_office_hours(wed0900 + 8 * hour - 1), 1);  /* 16:59:59.999 */
    CHECK_INT(alerts_office_hours(wed0900 + 8 * hour), 0);      /* 17:00 */
    CHECK_INT(alerts_office_hours(wed0900 + 3 * 24 * hour), 0); /* Saturday */
    CHECK_INT(alerts_office_hours(wed0900 + 4 * 24 * hour), 0); /* Sunday */
    CHECK_INT(alerts_office_hours(wed0900 + 5 * 24 * hour), 1); /* Monday */
    CHECK_INT(alerts_retry_delay(30000, 1), 30000);
    CHECK_INT(alerts_retry_delay(30000, 2), 60000);
    CHECK_INT(alerts_retry_delay(30000, 4), 240000);
    CHECK_INT(alerts_retry_delay(30000, 9), 3600000); /* capped at an hour */
}

static const test_case cases[] = {
    TEST(test_alert_rules), TEST(test_guard),     TEST(test_ratelimit),
    TEST(test_auth),        TEST(test_faults),    TEST(test_ranges),
    TEST(test_clock_rule),  TEST(test_db_sqlite), TEST(test_db_postgres)};

int main(void)
{
    return test_main("units", TEST_REMOVE, cases, HL_ARRAY_LEN(cases));
}
